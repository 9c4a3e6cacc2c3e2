"""Shared fixtures: one build of the real curated data per test session, into a temporary folder;
the command line as a user runs it (``cli``); the README and the pages of ``docs/`` (``docs``)."""

from __future__ import annotations

import os
import re
import threading
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import Dataset

from kg_build.build import pipeline
from kg_build.cli import main
from kg_build.resources import DATA_DIR
from kg_build.sparql import engines as query
from kg_build.sparql import sources


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


@pytest.fixture(scope="session")
def oxigraph(built_dir: Path) -> query.OxigraphEngine:
    """The default query engine over the build (its N-Quads in an in-memory Oxigraph store)."""
    return sources.engine_for("oxigraph", built_dir)


@pytest.fixture(scope="session")
def rdflib_engine(built_dir: Path) -> query.RdflibEngine:
    """The rdflib query engine over the same build."""
    return sources.engine_for("rdflib", built_dir)


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


GOLDEN_DIR = Path(__file__).parent / "golden"


@pytest.fixture()
def golden(update_golden: bool):
    """Compare sorted text lines with ``tests/golden/<name>``; rewrite it with ``--update-golden``."""

    def check(name: str, lines: list[str]) -> None:
        path = GOLDEN_DIR / name
        text = "".join(f"{line}\n" for line in sorted(lines))
        if update_golden:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        assert path.is_file(), f"missing golden file {path}; run pytest --update-golden"
        assert text == path.read_text(encoding="utf-8"), f"result differs from golden {path.name}"

    return check


class SparqlEndpoint:
    """A SPARQL 1.1 Protocol endpoint on 127.0.0.1 over a pyoxigraph store, run in a thread."""

    def __init__(self, store: ox.Store, fail_with: int | None = None,
                 results_format: ox.QueryResultsFormat = ox.QueryResultsFormat.JSON) -> None:
        self.store, self.fail_with, self.results_format = store, fail_with, results_format
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # quiet
                pass

            def do_POST(self) -> None:
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
                    body = answer.serialize(format=endpoint.results_format)
                    media = endpoint.results_format.media_type
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

    def __enter__(self) -> SparqlEndpoint:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture()
def sparql_endpoint(built_dir: Path) -> Iterator[type[SparqlEndpoint]]:
    """The ``SparqlEndpoint`` class, for tests that start one over a store of the build."""
    yield SparqlEndpoint


FEDERATION_FIXTURES = Path(__file__).parent / "fixtures" / "federation"
PUBLIC_ENDPOINTS = {
    "https://sparql.uniprot.org/sparql": "uniprot.ttl",
    "https://query.wikidata.org/sparql": "wikidata.ttl",
}


def _oxigraph_binary() -> str | None:
    import shutil
    import sys

    return shutil.which("oxigraph") or shutil.which("oxigraph", path=str(Path(sys.executable).parent))


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def federation_endpoints(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Local Oxigraph servers standing in for UniProt's and Wikidata's endpoints: public URL -> local URL.

    Each serves a small fixture in that endpoint's own vocabulary (tests/fixtures/federation/).
    The ``oxigraph`` server binary comes with the ``oxigraph`` package (test extra).
    """
    import os
    import subprocess
    import time
    import urllib.request

    binary = _oxigraph_binary()
    if binary is None:
        if os.environ.get("CI") == "true":
            pytest.fail("the oxigraph server binary is missing (pip install oxigraph)")
        pytest.skip("the oxigraph server binary is missing (pip install oxigraph)")
    servers, urls = [], {}
    try:
        for public, fixture in sorted(PUBLIC_ENDPOINTS.items()):
            location = tmp_path_factory.mktemp(fixture.split(".")[0] + "-store")
            subprocess.run([binary, "load", "--location", str(location), "--file", str(FEDERATION_FIXTURES / fixture)],
                           check=True, capture_output=True)
            port = _free_port()
            servers.append(subprocess.Popen(
                [binary, "serve-read-only", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            ))
            url = f"http://127.0.0.1:{port}/query"
            for _ in range(100):
                try:
                    with urllib.request.urlopen(url + "?query=ASK%7B%7D", timeout=1):
                        break
                except OSError:
                    time.sleep(0.1)
            else:
                pytest.fail(f"the local oxigraph server for {fixture} did not start")
            urls[public] = url
        yield urls
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=10)


@pytest.fixture()
def example_values(request: pytest.FixtureRequest):
    """``values(query)``: a catalogue query's example values, where a public SPARQL endpoint
    (UniProt's, Wikidata's) is replaced by its local stand-in, so no test needs the network."""

    def values(query) -> dict[str, str]:
        out = dict(query.examples())
        for p in query.params:
            if out.get(p.name, p.default) in PUBLIC_ENDPOINTS:
                out[p.name] = request.getfixturevalue("federation_endpoints")[out.get(p.name, p.default)]
        return out

    return values


# -- fuzzing (hypothesis) ---------------------------------------------------------------------------
# Bounded and derandomized by default, so the suite stays fast and gives the same verdict on every
# run; NTRK_KG_FUZZ_EXAMPLES=N runs N fresh random examples per property (docs/guarantees.md).
def _fuzz_profile() -> None:
    import os

    from hypothesis import HealthCheck, settings

    examples = os.environ.get("NTRK_KG_FUZZ_EXAMPLES")
    settings.register_profile(
        "ntrk-kg", max_examples=int(examples) if examples else 40, derandomize=not examples, deadline=None,
        database=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    settings.load_profile("ntrk-kg")


_fuzz_profile()


ROOT = Path(__file__).resolve().parent.parent


class CliRun(tuple):  # type: ignore[type-arg]
    """``(exit_code, stdout, stderr)`` of one run of ``ntrk-kg``; ``output`` is both streams
    interleaved as a terminal shows them. ``stdout`` is the exact text written (CSV keeps its CRLF)."""

    output: str

    def __new__(cls, exit_code: int, stdout: str, stderr: str, output: str) -> CliRun:
        run = super().__new__(cls, (exit_code, stdout, stderr))
        run.output = output
        return run

    @property
    def exit_code(self) -> int:
        return self[0]

    @property
    def stdout(self) -> str:
        return self[1]

    @property
    def stderr(self) -> str:
        return self[2]


def run_cli(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> CliRun:
    """Run ``ntrk-kg ARGS`` in-process (from ``cwd`` if given). Whatever the exit code, the command
    must end by exiting, never by an exception or a traceback (docs/guarantees.md)."""
    before = os.getcwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        result = CliRunner().invoke(main, list(args), env=env)
    finally:
        os.chdir(before)
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        f"ntrk-kg {' '.join(args)} raised {result.exception!r}"
    assert "Traceback" not in result.output, result.output
    return CliRun(result.exit_code, result.stdout_bytes.decode("utf-8"), result.stderr, result.output)


@pytest.fixture(scope="session")
def cli():  # type: ignore[no-untyped-def]
    """``cli(*args, env=None, cwd=None)`` runs ``ntrk-kg`` and gives ``(exit_code, stdout, stderr)``
    (with ``.output``, both streams as a terminal shows them)."""
    return run_cli


class Docs:
    """The README and the pages of ``docs/``, as the tests that re-run their examples read them."""

    root = ROOT

    def path(self, name: str) -> Path:
        """``README.md`` at the top of the repository, any other name under ``docs/``."""
        return ROOT / name if name == "README.md" else ROOT / "docs" / name

    def text(self, name: str) -> str:
        return self.path(name).read_text(encoding="utf-8")

    def section(self, name: str, heading: str) -> str:
        """The text under the heading ``heading`` (e.g. ``## Exit codes``) up to the next heading of
        its level or above."""
        level = heading.split(" ", 1)[0]
        parts = re.split(rf"^{re.escape(heading)}\n", self.text(name), maxsplit=1, flags=re.M)
        assert len(parts) == 2, f"{name} has no heading {heading!r}"
        return re.split(rf"^#{{1,{len(level)}}} ", parts[1], maxsplit=1, flags=re.M)[0]

    def example(self, name: str, command: str) -> list[str]:
        """The lines printed under ``$ <command>`` in a code block of the page."""
        m = re.search(r"^\$ " + re.escape(command) + r"\n(.*?)^```", self.text(name), re.S | re.M)
        assert m, f"{name} has no example for {command!r}"
        return m.group(1).rstrip("\n").splitlines()


@pytest.fixture(scope="session")
def docs() -> Docs:
    """The README and ``docs/`` pages: ``docs.text(name)``, ``docs.section(name, heading)``,
    ``docs.example(name, command)``."""
    return Docs()
