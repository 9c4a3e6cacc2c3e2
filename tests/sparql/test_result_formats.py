"""Result formats and the table for people: SPARQL XML results, wrapping, and the notes and errors
that keep a user from being silently wrong (no GRAPH on the local store, a union flag an endpoint
cannot honour)."""

from __future__ import annotations

import io
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib.query import Result as RdflibResult

from kg_build.sparql.engines import RemoteEngine, normalise
from kg_build.sparql.sources import NO_GRAPH_NOTE, engine_for


def test_xml_results_are_the_json_results(cli, built_dir: Path) -> None:
    """--format xml is SPARQL XML results: rdflib's and pyoxigraph's parsers read the rows of --format json."""
    code, xml, _ = cli("query", "ntrk-genes", "--format", "xml", "--out", str(built_dir))
    assert code == 0
    assert xml.startswith('<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#">')
    _, as_json, _ = cli("query", "ntrk-genes", "--format", "json", "--out", str(built_dir))
    expected = list(ox.parse_query_results(as_json, ox.QueryResultsFormat.JSON))
    assert list(ox.parse_query_results(xml, ox.QueryResultsFormat.XML)) == expected
    by_rdflib = RdflibResult.parse(io.BytesIO(xml.encode("utf-8")), format="xml")
    by_rdflib_json = RdflibResult.parse(io.BytesIO(as_json.encode("utf-8")), format="json")
    assert [tuple(r) for r in by_rdflib] == [tuple(r) for r in by_rdflib_json]
    assert len(expected) == 3


def test_xml_results_of_an_ask_query(cli, built_dir: Path) -> None:
    code, xml, _ = cli("sparql", "ASK { GRAPH ?g { ?s ?p ?o } }", "--format", "xml", "--out", str(built_dir))
    assert code == 0
    assert xml == ('<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#"><head></head>'
                   "<boolean>true</boolean></sparql>\n")


def without_rule(table: str) -> str:
    """A table's text without the line of dashes under its header (its length follows the widths)."""
    return "\n".join(line for i, line in enumerate(table.splitlines()) if i != 1)


def test_tables_wrap_to_the_width_asked(cli, built_dir: Path) -> None:
    code, wide, _ = cli("query", "quality-findings", "--out", str(built_dir), "--max-width", "0")
    assert code == 0
    assert max(map(len, wide.splitlines())) > 700  # the findings' messages are long
    code, narrow, _ = cli("query", "quality-findings", "--out", str(built_dir), "--max-width", "100")
    assert code == 0
    lines = narrow.splitlines()
    assert max(map(len, lines)) <= 100
    assert lines[0].split() == ["finding", "severity", "kind", "statement", "subject_label", "message", "evidence"]
    assert lines[-1] == wide.splitlines()[-1] == "(60 rows)"
    # every word of the wide table is still there once the wrapped cells are read back
    assert sorted("".join(without_rule(wide).split())) == sorted("".join(without_rule(narrow).split()))


def test_a_table_is_not_wrapped_when_not_writing_to_a_terminal(cli, built_dir: Path) -> None:
    _, default, _ = cli("query", "quality-findings", "--out", str(built_dir))
    _, unwrapped, _ = cli("query", "quality-findings", "--out", str(built_dir), "--max-width", "0")
    assert default == unwrapped


def test_a_query_without_graph_that_matches_nothing_gets_a_note(cli, built_dir: Path) -> None:
    code, out, err = cli("sparql", "SELECT ?s WHERE { ?s a ?c }", "--out", str(built_dir))
    assert code == 0 and out == "s\n-\n(0 rows)\n"
    assert err == NO_GRAPH_NOTE
    code, out, err = cli("sparql", "SELECT ?s WHERE { ?s a ?c } LIMIT 1", "--union-default-graph", "--out", str(built_dir))
    assert code == 0 and out.endswith("(1 row)\n") and err == ""
    code, out, err = cli("sparql", "SELECT ?s WHERE { GRAPH ?g { ?s a <urn:none> } }", "--out", str(built_dir))
    assert code == 0 and err == ""  # it reads the named graphs: an empty answer is the answer


def test_union_default_graph_with_an_endpoint_is_a_usage_error(cli) -> None:
    code, out, err = cli("sparql", "ASK {}", "--endpoint", "http://127.0.0.1:9/sparql", "--union-default-graph")
    assert code == 2 and out == ""
    assert err == (
        "ntrk-kg: error: --union-default-graph applies to the local store; with --endpoint the server decides "
        "what its default graph holds (Virtuoso: every graph; Oxigraph server and Fuseki: only when started that "
        "way). Match the named graphs with GRAPH ?g { ... } in the query instead\n"
    )


def test_query_show_quotes_its_examples_for_the_shell(cli) -> None:
    code, out, _ = cli("query", "show", "evidence-for-tumour-type")
    assert code == 0
    assert "e.g. -p 'tumour=Soft Tissue Sarcoma'\n" in out


@pytest.mark.parametrize("fmt", ["JSON", "XML", "TSV"])
def test_an_endpoint_answering_any_results_format_gives_the_same_result(built_dir: Path, sparql_endpoint, fmt: str) -> None:
    store = ox.Store()
    store.load(path=str(built_dir / "ntrk-kg.nq"), format=ox.RdfFormat.N_QUADS)
    text = ("SELECT ?gene ?symbol ?label WHERE { GRAPH <https://w3id.org/ntrk-kg/graph/guide> { "
            "?gene a <https://w3id.org/ntrk-kg/ontology#NTRKGene> ; <https://w3id.org/ntrk-kg/ontology#symbol> ?symbol ; "
            "<http://www.w3.org/2000/01/rdf-schema#label> ?label } OPTIONAL { ?gene <urn:none> ?none } } ORDER BY ?symbol")
    expected = normalise(engine_for("oxigraph", built_dir).run(text))
    with sparql_endpoint(store, results_format=getattr(ox.QueryResultsFormat, fmt)) as endpoint:
        assert normalise(RemoteEngine(endpoint.url).run(text)) == expected
        assert RemoteEngine(endpoint.url).run("ASK { GRAPH ?g { ?s ?p ?o } }").boolean is True
    assert len(expected.rows) == 3
