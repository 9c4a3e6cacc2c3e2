"""Every query of the catalogue gives the same rows on each real server as on the embedded store.

The graph is loaded into each server with ``ntrk-kg load --replace``; then ``ntrk-kg query NAME
--endpoint URL`` runs every catalogue query (with its header's example parameters) against the
server's SPARQL endpoint, and ``ntrk-kg query NAME`` against the embedded store of the same build.

Rows are compared as sorted TSV lines with one header line (CONSTRUCT results as sorted N-Triples): the order of rows a query leaves open
(ties of its ORDER BY, or no ORDER BY) is not part of its answer. The only other normalisation is
the one ``ntrk-kg query`` applies to every engine (canonical xsd:decimal/integer/boolean forms,
sorted GROUP_CONCAT lists), because servers return the same values in different lexical forms:
Virtuoso canonicalises decimals and answers SPARQL JSON ``typed-literal`` cells.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kg_build.publish import gsp
from kg_build.query import catalogue

NAMES = [p.stem for p in catalogue.query_files()]  # parsed in each test, so one bad header fails one test


NO_CREDENTIALS = {gsp.USER_ENV: "", gsp.PASSWORD_ENV: "", "NETRC": "/nonexistent"}


def rows(tsv: str) -> tuple[str, list[str]]:
    lines = tsv.splitlines()
    return lines[0], sorted(lines[1:])


def test_the_catalogue_is_not_empty() -> None:
    assert len(NAMES) >= 10


@pytest.fixture(scope="module")
def loaded(request: pytest.FixtureRequest, built_dir: Path, cli) -> dict[str, object]:
    """Each server, with the build loaded by ``ntrk-kg load --replace``."""
    servers = {}
    for name in ("oxigraph", "virtuoso"):
        try:
            server = request.getfixturevalue(f"{name}_server")
        except pytest.skip.Exception:
            continue
        result = cli("load", "--out", str(built_dir), *server.load_args(), "--replace",
                     env={"NETRC": "/nonexistent", **server.env})
        assert result.exit_code == 0, result.output
        servers[name] = server
    return servers


@pytest.mark.parametrize("server_name", ["oxigraph", "virtuoso"])
@pytest.mark.parametrize("name", NAMES)
def test_query_gives_the_same_rows_on_the_server_as_on_the_embedded_store(
    name: str, server_name: str, request: pytest.FixtureRequest, loaded, built_dir: Path, example_values, cli
) -> None:
    server = request.getfixturevalue(f"{server_name}_server")  # skips (or fails under CI) without it
    query = catalogue.find(name)
    # federated queries reach the local stand-ins of UniProt's and Wikidata's endpoints, never the network
    params = [a for k, v in sorted(example_values(query).items()) for a in ("-p", f"{k}={v}")]
    fmt = {"select": "tsv", "ask": "json"}.get(query.form, "ntriples")
    code, embedded, err = cli("query", query.name, "--format", fmt, "--out", str(built_dir), *params, env=NO_CREDENTIALS)
    assert code == 0, err
    code, remote, err = cli("query", query.name, "--format", fmt, "--endpoint", server.endpoint, *params,
                            env=NO_CREDENTIALS)
    assert code == 0, err
    if fmt == "json":  # an ASK: the same boolean
        assert remote == embedded
    elif fmt == "tsv":
        assert rows(remote) == rows(embedded)
        assert len(embedded.splitlines()) > 1, f"{query.name} returns no rows with its example parameters"
    else:  # a CONSTRUCT: the same set of triples (N-Triples lines)
        assert sorted(remote.splitlines()) == sorted(embedded.splitlines())
        assert embedded.strip(), f"{query.name} constructs no triples with its example parameters"
