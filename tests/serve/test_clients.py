"""Real SPARQL clients against ``ntrk-kg serve``: SPARQLWrapper, rdflib's SPARQLStore, curl, and
Oxigraph querying it as a SERVICE."""

from __future__ import annotations

import json
import subprocess
from urllib.parse import urlencode

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, TURTLE, XML, SPARQLWrapper

GENES = """PREFIX ntrk: <https://w3id.org/ntrk-kg/ontology#>
SELECT ?gene ?symbol WHERE { GRAPH ?g { ?gene a ntrk:NTRKGene ; ntrk:symbol ?symbol } } ORDER BY ?symbol"""
CONSTRUCT = """PREFIX ntrk: <https://w3id.org/ntrk-kg/ontology#>
CONSTRUCT { ?gene ntrk:symbol ?symbol } WHERE { GRAPH ?g { ?gene a ntrk:NTRKGene ; ntrk:symbol ?symbol } }"""
NTRK = [("https://identifiers.org/hgnc:8031", "NTRK1"), ("https://identifiers.org/hgnc:8032", "NTRK2"),
        ("https://identifiers.org/hgnc:8033", "NTRK3")]


def test_sparqlwrapper(served) -> None:
    client = SPARQLWrapper(f"{served.url}/sparql")
    client.setQuery(GENES)
    client.setReturnFormat(JSON)
    doc = client.query().convert()
    assert [(b["gene"]["value"], b["symbol"]["value"]) for b in doc["results"]["bindings"]] == NTRK
    client.setReturnFormat(CSV)
    assert client.query().convert().decode().splitlines()[1:] == [f"{g},{s}" for g, s in NTRK]
    client.setMethod("POST")
    client.setQuery(CONSTRUCT)
    client.setReturnFormat(TURTLE)
    graph = Graph().parse(data=client.query().convert(), format="turtle")
    assert sorted((str(s), str(o)) for s, _, o in graph) == NTRK


def test_sparqlwrapper_xml_results(served) -> None:
    client = SPARQLWrapper(f"{served.url}/sparql")
    client.setQuery(GENES)
    client.setReturnFormat(XML)
    doc = client.query().convert()
    symbols = [n.firstChild.data for n in doc.getElementsByTagName("literal")]
    assert symbols == [s for _, s in NTRK]


def test_rdflib_sparqlstore(served) -> None:
    store = SPARQLStore(f"{served.url}/sparql", returnFormat="json")
    rows = [(str(r.gene), r.symbol) for r in store.query(GENES)]
    assert rows == [(g, Literal(s)) for g, s in NTRK]
    graph = Graph(store=store)
    label = URIRef("http://www.w3.org/2000/01/rdf-schema#label")
    assert graph.value(URIRef("https://w3id.org/ntrk-kg/id/fusion/ETV6--NTRK3"), label) == Literal("ETV6::NTRK3")


def test_curl(served) -> None:
    done = subprocess.run(["curl", "-sS", "--fail-with-body", "-H", "Accept: text/tab-separated-values",
                           "--data-urlencode", f"query={GENES}", f"{served.url}/sparql"],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["?gene\t?symbol"] + [f"<{g}>\t\"{s}\"" for g, s in NTRK]
    done = subprocess.run(["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--data-urlencode",
                           "update=CLEAR ALL", f"{served.url}/sparql"], capture_output=True, text=True, timeout=60, check=False)
    assert done.stdout == "403"


def test_oxigraph_uses_it_as_a_service(served) -> None:
    """Another engine (Oxigraph, embedded) federates with the server: SERVICE <.../sparql>."""
    local = ox.Store()
    for iri, _ in NTRK:
        local.add(ox.Quad(ox.NamedNode(iri), ox.NamedNode("urn:x:seen"), ox.Literal("yes")))
    query = f"""PREFIX ntrk: <https://w3id.org/ntrk-kg/ontology#>
    SELECT ?gene ?symbol WHERE {{ ?gene <urn:x:seen> "yes" SERVICE <{served.url}/sparql> {{ ?gene ntrk:symbol ?symbol }} }}
    ORDER BY ?symbol"""
    rows = [(s["gene"].value, s["symbol"].value) for s in local.query(query)]
    assert rows == NTRK


def test_the_oxigraph_command_uses_it_as_a_service(served, tmp_path) -> None:
    """The ``oxigraph`` command-line tool runs a federated query whose SERVICE is this server."""
    import shutil
    import sys
    from pathlib import Path

    exe = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which("oxigraph")
    assert exe, "the oxigraph command comes with the test extra (pip install -e '.[test]')"
    query = f"""PREFIX ntrk: <https://w3id.org/ntrk-kg/ontology#>
    SELECT ?symbol WHERE {{ SERVICE <{served.url}/sparql> {{ ?gene a ntrk:NTRKGene ; ntrk:symbol ?symbol }} }} ORDER BY ?symbol"""
    seed = tmp_path / "seed.nt"
    seed.write_text("<urn:x:a> <urn:x:b> <urn:x:c> .\n")
    subprocess.run([exe, "load", "--location", str(tmp_path / "db"), "--file", str(seed)], check=True, capture_output=True, timeout=120)
    done = subprocess.run([exe, "query", "--location", str(tmp_path / "db"), "--query", query, "--results-format", "tsv"],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["?symbol", '"NTRK1"', '"NTRK2"', '"NTRK3"']


def test_json_of_the_endpoint_and_of_the_api_agree(served, http) -> None:
    _, _, body = http(f"{served.url}/api/ntrk-genes", accept="application/sparql-results+json")
    api = {(b["gene"]["value"], b["symbol"]["value"]) for b in json.loads(body)["results"]["bindings"]}
    _, _, body = http(f"{served.url}/sparql?{urlencode({'query': GENES})}")
    assert api == {(b["gene"]["value"], b["symbol"]["value"]) for b in json.loads(body)["results"]["bindings"]}
