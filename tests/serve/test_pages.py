"""Dereferenceable IRIs: every IRI the graph mints answers with a page or its RDF; others 404."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pyoxigraph as ox

BASE = "https://w3id.org/ntrk-kg/"
FUSION = BASE + "id/fusion/ETV6--NTRK3"
STATEMENT = BASE + "id/guide/ntrk-guide/statement/prevalence-glioblastoma"


def _store(built_dir: Path) -> ox.Store:
    store = ox.Store()
    store.load(path=str(built_dir / "ntrk-kg.nq"), format=ox.RdfFormat.N_QUADS)
    return store


def _minted(store: ox.Store) -> set[str]:
    found = set()
    for q in store:
        for t in (q.subject, q.predicate, q.object, q.graph_name):
            if isinstance(t, ox.NamedNode) and t.value.startswith(BASE):
                found.add(t.value.split("#", 1)[0])
    return found


def _text(page: bytes) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page.decode("utf-8"))))


def test_every_minted_iri_answers_with_a_page_and_rdf(served, http, built_dir: Path) -> None:
    minted = _minted(_store(built_dir))
    assert len(minted) > 200
    failures = []
    for iri in sorted(minted):
        path = served.url + "/" + iri[len(BASE):]
        status, headers, body = http(path, accept="text/html")
        turtle = http(path, accept="text/turtle")
        if (status, turtle[0]) != (200, 200) or not headers["content-type"].startswith("text/html"):
            failures.append((iri, status, turtle[0]))
    assert failures == []


def test_the_rdf_of_an_iri_is_its_description_in_the_store(served, http, built_dir: Path) -> None:
    store = _store(built_dir)
    for iri in (FUSION, STATEMENT, BASE + "dataset"):
        expected = {ox.Triple(q.subject, q.predicate, q.object) for q in store.quads_for_pattern(ox.NamedNode(iri), None, None)}
        assert len(expected) > 5
        for accept, fmt in (("text/turtle", ox.RdfFormat.TURTLE), ("application/n-triples", ox.RdfFormat.N_TRIPLES),
                            ("application/ld+json", ox.RdfFormat.JSON_LD)):
            status, headers, body = http(served.url + "/" + iri[len(BASE):], accept=accept)
            assert status == 200 and headers["vary"] == "Accept"
            assert {q.triple for q in ox.parse(body, format=fmt)} == expected, (iri, accept)


def test_format_links_and_the_accept_header_agree(served, http) -> None:
    path = served.url + "/id/fusion/ETV6--NTRK3"
    for short, accept in (("ttl", "text/turtle"), ("nt", "application/n-triples"), ("jsonld", "application/ld+json")):
        assert http(f"{path}?format={short}")[2] == http(path, accept=accept)[2]
    assert http(f"{path}?format=xml")[0] == 406


def test_a_fusion_page_shows_its_statements_provenance_and_links(served, http) -> None:
    status, _, page = http(served.url + "/id/fusion/ETV6--NTRK3", accept="text/html")
    text = _text(page)
    assert status == 200 and "<title>ETV6::NTRK3 · ntrk-kg</title>" in page.decode()
    assert "A gene fusion , NTRK gene fusion" in text
    for words in ("In the graph ntrkgraph:curation", "has exact match ETV6/NTRK3 Fusion Gene", "Where the guide says it",
                  "The ETV6::NTRK3 fusion is particularly prevalent in both adult and paediatric cancers.",
                  "Prevalence of NTRK Gene Fusions in Solid Tumors",
                  "[8] NTRK gene fusions in solid tumors: agnostic relevance, prevalence and diagnostic strategies",
                  "Table 2: Common NTRK Fusion Partners", "What refers to it"):
        assert words in text, words
    assert 'href="/id/guide/ntrk-guide/reference/8"' in page.decode()
    assert 'href="/ontology#GeneFusion"' in page.decode()
    assert 'href="https://identifiers.org/hgnc:3495"' in page.decode()


def test_a_statement_page_shows_the_fact_check(served, http) -> None:
    _, _, page = http(served.url + "/id/guide/ntrk-guide/statement/prevalence-glioblastoma", accept="text/html")
    text = _text(page)
    assert "What the fact check found" in text
    assert "Glioblastoma 1.91% is reported by [7] info Reference [7]'s abstract reports 1.91% for glioblastoma." in text


def test_a_graph_iri_is_described_with_its_size(served, http, built_dir: Path) -> None:
    import json

    n = json.loads((built_dir / "manifest.json").read_text())["graphs"][BASE + "graph/guide"]
    _, _, page = http(served.url + "/graph/guide")
    assert f"A named graph of the dataset, holding {n:,} triples." in _text(page)


def test_iris_the_graph_does_not_hold_are_404(served, http) -> None:
    for path in ("/id/fusion/NOPE--NTRK3", "/id/", "/nothing", "/id/fusion/ETV6--NTRK3/more", "/graph/none"):
        status, headers, body = http(served.url + path, accept="text/turtle")
        assert status == 404 and headers["content-type"] == "text/plain; charset=utf-8", path
        assert body == f"the graph holds nothing about <{BASE}{path[1:]}>\n".encode()


def test_ontology_terms_resolve_to_the_ontology_page(served, http) -> None:
    from kg_build.resources import ONTOLOGY_FILE

    ontology = ox.Store()
    ontology.load(path=str(ONTOLOGY_FILE), format=ox.RdfFormat.TURTLE)
    terms = {q.subject.value.split("#", 1)[1] for q in ontology.quads_for_pattern(None, ox.NamedNode(
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), None)
        if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(BASE + "ontology#")}
    assert len(terms) > 100
    for path in ("/ontology", "/ontology/0.1.0"):
        status, _, page = http(served.url + path, accept="text/html")
        anchors = set(re.findall(r'<dt id="([^"]+)">', page.decode()))
        assert status == 200 and anchors == terms
    assert "<dt id=\"GeneFusion\">gene fusion <span class=\"iri\">ntrk:GeneFusion</span></dt>" in page.decode()
    status, _, body = http(served.url + "/ontology", accept="text/turtle")
    served_terms = {q.subject.value.split("#", 1)[1] for q in ox.parse(body, format=ox.RdfFormat.TURTLE)
                    if q.subject.value.startswith(BASE + "ontology#")}
    assert status == 200 and terms <= served_terms


def test_shapes_resolve_to_the_shapes_page(served, http, built_dir: Path) -> None:
    used = {q.object.value.split("#", 1)[1] for q in _store(built_dir) if isinstance(q.object, ox.NamedNode)
            and q.object.value.startswith(BASE + "shapes#")}
    _, _, page = http(served.url + "/shapes")
    anchors = set(re.findall(r'<dt id="([^"]+)">', page.decode()))
    assert used and used <= anchors
    status, _, body = http(served.url + "/shapes", accept="application/n-triples")
    assert status == 200 and len(list(ox.parse(body, format=ox.RdfFormat.N_TRIPLES))) > 200


def test_the_home_page_links_every_catalogue_query(served, http) -> None:
    from kg_build.query import catalogue

    status, _, page = http(served.url + "/")
    links = re.findall(r'<a href="/api/([a-z0-9-]+)[?"]', page.decode())
    assert status == 200 and links == catalogue.names()


def test_behind_a_proxy_the_pages_link_under_the_root_path(start_server, http, built_dir: Path) -> None:
    server = start_server("--out", str(built_dir), "--root-path", "/kg")
    status, _, page = http(server.url + "/id/fusion/ETV6--NTRK3")
    assert status == 200
    assert 'href="/kg/ontology#GeneFusion"' in page.decode() and 'href="/kg/id/guide/ntrk-guide/reference/8"' in page.decode()
    _, _, listing = http(server.url + "/api")
    assert all(q["url"] == f"/kg/api/{q['name']}" for q in __import__("json").loads(listing))
    _, _, page = http(server.url + "/query")
    assert 'src="/kg/static/yasgui/yasgui.min.js"' in page.decode() and '"endpoint": "/kg/sparql"' in page.decode()
