"""Shared fixtures: one build of the real curated data per test session, into a temporary folder."""

from __future__ import annotations

import threading
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset

from kg_build import pipeline
from kg_build.paths import DATA_DIR


@pytest.fixture(scope="session")
def built_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A complete build of the packaged curated data (all formats)."""
    out = tmp_path_factory.mktemp("build")
    pipeline.build(out)
    return out


@pytest.fixture(scope="session")
def dataset(built_dir: Path) -> Dataset:
    """The built dataset, parsed back from its N-Quads export; queries see the union of its graphs."""
    ds = Dataset(default_union=True)
    ds.parse(built_dir / "ntrk-kg.nq", format="nquads")
    return ds


@pytest.fixture()
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of the curated tables, for tests that break them on purpose."""
    target = tmp_path / "data"
    target.mkdir()
    for f in DATA_DIR.iterdir():
        if f.is_file():
            (target / f.name).write_bytes(f.read_bytes())
    return target


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden", action="store_true", default=False,
        help="Rewrite the golden files under tests/golden/ from the current results instead of comparing.",
    )


@pytest.fixture(scope="session")
def update_golden(request: pytest.FixtureRequest) -> bool:
    """True when the run was asked to rewrite golden files (``pytest --update-golden``)."""
    return bool(request.config.getoption("--update-golden"))



class SparqlEndpoint:
    """A SPARQL 1.1 Protocol endpoint on 127.0.0.1 over a pyoxigraph store, run in a thread."""

    def __init__(self, store: ox.Store, fail_with: int | None = None) -> None:
        self.store, self.fail_with = store, fail_with
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # quiet
                pass

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length", 0))
                form = urllib.parse.parse_qs(self.rfile.read(length).decode("utf-8"))
                if endpoint.fail_with:
                    self.send_response(endpoint.fail_with)
                    self.end_headers()
                    self.wfile.write(b"Internal failure\n")
                    return
                try:
                    answer = endpoint.store.query(form["query"][0])
                except SyntaxError as exc:
                    self.send_response(400)
                    self.end_headers()
                    self.wfile.write(str(exc).encode())
                    return
                if isinstance(answer, (ox.QuerySolutions, ox.QueryBoolean)):
                    body = answer.serialize(format=ox.QueryResultsFormat.JSON)
                    media = "application/sparql-results+json"
                else:
                    body = ox.serialize(list(answer), format=ox.RdfFormat.N_TRIPLES)
                    media = "application/n-triples"
                self.send_response(200)
                self.send_header("Content-Type", media)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sparql"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "SparqlEndpoint":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture()
def sparql_endpoint(built_dir: Path) -> Iterator[type[SparqlEndpoint]]:
    """The ``SparqlEndpoint`` class, for tests that start one over a store of the build."""
    yield SparqlEndpoint
