"""Every published query runs unchanged on a real Oxigraph server and a real Virtuoso, with the rows
of the embedded store, in the same order.

The published text is what a user copies: the release's ``queries/NAME.rq`` and the ``sh:select``
(``sh:construct``) of the metadata graph. Its parameters are bound to their defaults (a required one
to its example) and a federated query's ``SERVICE`` names the public endpoint. Here, and only here,
the public endpoint's IRI is swapped for a local stand-in (``federation_endpoints``), so no test
needs the network; the text is otherwise sent as it stands, with no parameter and no engine help.
Before, the federated queries failed with ``SERVICE ?endpoint`` unbound (HTTP 400 on Virtuoso, an
error inside HTTP 200 on Oxigraph), and statement-evidence and gene-card answered differently on
the two servers without their parameter.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, RdfFormat, Store

from kg_build.query import catalogue
from kg_build.query.publish import federated_endpoints, published_text
from kg_build.sparql.engines import RemoteEngine, Result, normalise
from kg_build.sparql.sources import engine_for

NAMES = [p.stem for p in catalogue.query_files()]
SH = "http://www.w3.org/ns/shacl#"


@pytest.fixture(scope="module")
def loaded(cli, request: pytest.FixtureRequest, built_dir: Path) -> dict[str, str]:
    """Server name -> SPARQL endpoint, with the build loaded by ``ntrk-kg load --replace``."""
    endpoints = {}
    for name in ("oxigraph", "virtuoso"):
        server = request.getfixturevalue(f"{name}_server")  # skips (or fails under CI) without it
        result = cli("load", "--out", str(built_dir), *server.load_args(), "--replace",
                     env={"NETRC": "/nonexistent", **server.env})
        assert result.exit_code == 0, result.output
        endpoints[name] = server.endpoint
    return endpoints


def answer(result: Result) -> object:
    """Rows in order (SELECT), the set of triples (CONSTRUCT) or the boolean (ASK)."""
    if result.form == "select":
        return [result.variables, *([str(t) if t is not None else "" for t in row] for row in result.rows)]
    if result.form == "ask":
        return result.boolean
    return sorted(map(str, result.triples))


@pytest.mark.parametrize("name", NAMES)
def test_the_published_text_gives_the_same_rows_on_both_servers(
    name: str, loaded: dict[str, str], built_dir: Path, federation_endpoints: dict[str, str]
) -> None:
    query = catalogue.find(name)
    text = published_text(query)
    for public in federated_endpoints(text):
        text = text.replace(f"<{public}>", f"<{federation_endpoints[public]}>")
    embedded = answer(normalise(engine_for("oxigraph", built_dir).run(text, name=name), query.lists))
    assert embedded not in ([], [query.columns], False), f"{name} answers nothing as published"
    for server, endpoint in loaded.items():
        remote = answer(normalise(RemoteEngine(endpoint).run(text, name=name), query.lists))
        assert remote == embedded, f"{name} on {server}"


def test_the_metadata_graph_publishes_the_same_text(built_dir: Path) -> None:
    store = Store()
    store.load(path=str(built_dir / "ntrk-kg.nq"), format=RdfFormat.N_QUADS)
    for query in catalogue.load():
        node = NamedNode(f"https://w3id.org/ntrk-kg/id/query/{query.name}")
        texts = [q.object for q in store.quads_for_pattern(node, NamedNode(SH + query.form), None)]
        assert texts == [Literal(published_text(query))], query.name


def test_the_federated_queries_name_the_public_endpoints() -> None:
    found = {q.name: federated_endpoints(published_text(q)) for q in catalogue.load() if "federated" in q.keywords}
    assert found == {
        "gene-wikidata-items": ["https://query.wikidata.org/sparql"],
        "trk-protein-function": ["https://sparql.uniprot.org/sparql"],
    }
