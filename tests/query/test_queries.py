"""The shipped query catalogue: headers, prefixes, golden answers, engines that agree, safe binding."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from kg_build.errors import UsageError
from kg_build.query import catalogue, params
from kg_build.query import run as query_run
from kg_build.query.publish import federated_endpoints, published_text
from kg_build.rdf import prefixes
from kg_build.resources import QUERIES_DIR
from kg_build.sparql import engines as query
from kg_build.sparql import results, sources
from kg_build.sparql import text as sparql_text

GOLDEN_DIR = Path(__file__).resolve().parents[1] / "golden"
QUERY_FILES = catalogue.query_files()
CONTRACT = {
    "ntrk-genes": ["gene", "symbol", "hgnc_id", "ncbigene_id", "ensembl_id", "protein", "protein_symbol", "uniprot_id"],
    "fusion-partners": ["ntrk_symbol", "partner_symbol", "fusion", "fusion_label"],
    "prevalence-by-tumour-type": ["tumour_type", "tumour_label", "population", "band", "stated_value",
                                  "lower_bound", "upper_bound", "approximate", "references"],
    "tumour-types-above-threshold": ["tumour_type", "tumour_label", "stated_value", "lower_bound", "upper_bound"],
    "pathways": ["pathway", "pathway_label", "go_id", "reactome_id", "kegg_id", "references"],
    "evidence-for-tumour-type": ["reference", "number", "title", "doi", "pmid", "pmcid"],
    "references": ["reference", "number", "title", "doi", "pmid", "pmcid", "statements"],
    "fusions-with-gene": ["fusion", "fusion_label", "role", "partner_symbol"],
    "tumour-type-mappings": ["tumour_label", "predicate", "target", "target_label"],
    "dataset-summary": ["graph", "class", "instances"],
    "quality-findings": ["finding", "severity", "kind", "statement", "subject_label", "message", "evidence"],
    "statement-evidence": ["statement_label", "reference", "reference_label", "verification_status",
                           "finding", "kind", "severity", "message"],
}
PER_FILE = [pytest.param(p, id=p.stem) for p in QUERY_FILES]


def _sorted_tsv(text: str) -> str:
    header, *rows = text.rstrip("\n").split("\n")
    return "\n".join([header, *sorted(r for r in rows if r)]) + "\n"


def run(engine: object, name: str, **values: str) -> query.Result:
    q = catalogue.find(name)
    return query_run.run_catalogue_query(engine, q, q.bind(values))


def rows(result: query.Result) -> list[tuple[str, ...]]:
    return [tuple("" if t is None else t.value for t in row) for row in result.rows]


# -- the catalogue itself ----------------------------------------------------------------------
def test_catalogue_has_at_least_15_queries_and_the_contract_ones() -> None:
    names = [p.stem for p in QUERY_FILES]
    assert len(names) >= 15, f"only {len(names)} queries in {QUERIES_DIR}"
    assert set(CONTRACT) <= set(names)


@pytest.mark.parametrize("name", sorted(CONTRACT))
def test_contract_columns(name: str) -> None:
    assert list(catalogue.find(name).columns) == CONTRACT[name]


@pytest.mark.parametrize("path", PER_FILE)
def test_header_is_valid(path: Path) -> None:
    q = catalogue.parse_query(path)
    assert q.summary.endswith("?") and q.description and q.keywords
    assert all(p.description for p in q.params)


@pytest.mark.parametrize("path", PER_FILE)
def test_prefixes_agree_with_the_project_prefix_map(path: Path) -> None:
    namespaces = prefixes.namespaces()
    declared = declared_prefixes(path.read_text(encoding="utf-8"))
    assert declared, f"{path.name} declares no PREFIX"
    for prefix, ns in declared.items():
        assert namespaces.get(prefix) == ns, f"{path.name}: PREFIX {prefix}: <{ns}> is not in prefixes.tsv"
    used = set(re.findall(r"(?<![\w?$<])([A-Za-z][\w.-]*):(?=[A-Za-z_\d])", catalogue.parse_query(path).body))
    assert used <= set(declared) | {"http", "https"}, f"{path.name} uses undeclared prefixes {used - set(declared)}"


@pytest.mark.parametrize("path", PER_FILE)
def test_every_query_names_the_graphs_it_reads(path: Path) -> None:
    """Portability: patterns sit inside GRAPH, so no store's default-graph policy changes the answer."""
    body = catalogue.parse_query(path).body
    assert "GRAPH" in body and "FROM" not in body


# -- golden answers ----------------------------------------------------------------------------
@pytest.mark.parametrize("path", PER_FILE)
def test_golden(path: Path, oxigraph: query.OxigraphEngine, update_golden: bool, example_values) -> None:
    q = catalogue.parse_query(path)
    result = query_run.run_catalogue_query(oxigraph, q, q.bind(example_values(q)))
    if q.form == "construct":
        golden = GOLDEN_DIR / f"{q.name}.nt"
        text = results.render(result, "ntriples")
        if update_golden:
            golden.write_text(text, encoding="utf-8")
        assert golden.is_file(), f"no golden {golden}; run pytest --update-golden"
        expected = Graph().parse(data=golden.read_text(encoding="utf-8"), format="nt")
        assert len(expected) > 0
        assert isomorphic(Graph().parse(data=text, format="nt"), expected)
        return
    assert result.variables == q.columns
    text = _sorted_tsv(results.to_tsv(result))
    golden = GOLDEN_DIR / f"{q.name}.tsv"
    if update_golden:
        golden.write_text(text, encoding="utf-8")
    assert golden.is_file(), f"no golden {golden}; run pytest --update-golden"
    assert text == golden.read_text(encoding="utf-8")
    assert len(text.splitlines()) > 1, "a golden must hold at least one row"


@pytest.mark.parametrize("path", PER_FILE)
def test_rdflib_and_oxigraph_agree(
    path: Path, oxigraph: query.OxigraphEngine, rdflib_engine: query.RdflibEngine, example_values
) -> None:
    """Same rows in the same order (ORDER BY), same triples: native initBindings vs inline VALUES."""
    q = catalogue.parse_query(path)
    bindings = q.bind(example_values(q))
    a = query_run.run_catalogue_query(oxigraph, q, bindings)
    b = query_run.run_catalogue_query(rdflib_engine, q, bindings)
    assert (a.variables, a.rows, a.triples) == (b.variables, b.rows, b.triples)
    if q.form == "select":
        assert re.search(r"\bORDER BY\b", q.body), f"{q.name} needs ORDER BY for a stable row order"
    # optional parameters: the query also answers, identically, without them (a federated
    # query's optional endpoint defaults to a public endpoint, which tests never call)
    if any(not p.required for p in q.params) and "federated" not in q.keywords:
        a = query_run.run_catalogue_query(oxigraph, q, q.bind({}))
        b = query_run.run_catalogue_query(rdflib_engine, q, q.bind({}))
        assert a.rows == b.rows and len(a.rows) > len(query_run.run_catalogue_query(oxigraph, q, bindings).rows)


# -- acceptance answers, spelled out -------------------------------------------------------------
TABLE_1 = [
    ("Infantile Fibrosarcoma", "", "High Prevalence (>90%)", ">90%", "90.0", "", "false", "1"),
    ("Secretory Carcinoma of the Breast", "", "High Prevalence (>90%)", ">90%", "90.0", "", "false", "1"),
    ("Mammary Analogue Secretory Carcinoma (MASC) of the Salivary Gland", "", "High Prevalence (>90%)", ">90%", "90.0", "", "false", "1"),
    ("Congenital Mesoblastic Nephroma", "", "High Prevalence (>90%)", ">83%", "83.0", "", "false", "1"),
    ("Papillary Thyroid Cancer (pediatric)", "http://purl.obolibrary.org/obo/HP_0410280", "Intermediate Prevalence (5-25%)", "~26%", "26.0", "26.0", "true", "1"),
    ("Spitzoid Neoplasms", "", "Intermediate Prevalence (5-25%)", "~16%", "16.0", "16.0", "true", "1"),
    ("Soft Tissue Sarcoma", "", "Low Prevalence (<5%)", "0.57% - 3.0%", "0.57", "3.0", "false", "5|6"),
    ("Head and Neck Cancer", "", "Low Prevalence (<5%)", "0.95% - 1.31%", "0.95", "1.31", "false", "6|7"),
    ("Thyroid Cancer (adult)", "http://purl.obolibrary.org/obo/HP_0003581", "Low Prevalence (<5%)", "1.31% - 1.32%", "1.31", "1.32", "false", "6"),
    ("Glioblastoma", "", "Low Prevalence (<5%)", "1.91%", "1.91", "1.91", "false", "7"),
    ("Small Intestine Cancer", "", "Low Prevalence (<5%)", "1.32%", "1.32", "1.32", "false", "7"),
    ("Colorectal Cancer", "", "Low Prevalence (<5%)", "0.7% - 1.5%", "0.7", "1.5", "false", "1"),
    ("Non-Small Cell Lung Cancer (NSCLC)", "", "Low Prevalence (<5%)", "0.2% - 0.3%", "0.2", "0.3", "false", "1"),
    ("Breast Cancer", "", "Low Prevalence (<5%)", "0.13% - 0.63%", "0.13", "0.63", "false", "7|8"),
    ("Uterine Cancer", "", "Low Prevalence (<5%)", "0.19%", "0.19", "0.19", "false", "7"),
]


def test_prevalence_by_tumour_type_is_table_1(oxigraph: query.OxigraphEngine) -> None:
    got = [r[1:] for r in rows(run(oxigraph, "prevalence-by-tumour-type"))]
    assert got == TABLE_1


def test_fusion_partners_are_the_nine_pairs_of_table_2(oxigraph: query.OxigraphEngine) -> None:
    got = {(r[0], r[1], r[3]) for r in rows(run(oxigraph, "fusion-partners"))}
    assert got == {
        ("NTRK1", "TPM3", "TPM3::NTRK1"), ("NTRK1", "LMNA", "LMNA::NTRK1"), ("NTRK1", "TPR", "TPR::NTRK1"),
        ("NTRK2", "TRIM24", "TRIM24::NTRK2"), ("NTRK2", "PAN3", "PAN3::NTRK2"), ("NTRK2", "AFAP1", "AFAP1::NTRK2"),
        ("NTRK3", "ETV6", "ETV6::NTRK3"), ("NTRK3", "BTBD1", "BTBD1::NTRK3"), ("NTRK3", "EML4", "EML4::NTRK3"),
    }


@pytest.mark.parametrize("gene", ["NTRK1", "ntrk1", "HGNC:8031", "https://identifiers.org/hgnc:8031"])
def test_fusion_partners_of_one_gene_by_symbol_or_curie(oxigraph: query.OxigraphEngine, gene: str) -> None:
    assert [r[1] for r in rows(run(oxigraph, "fusion-partners", gene=gene))] == ["LMNA", "TPM3", "TPR"]


def test_threshold_80_gives_the_four_rows_above_80_percent(oxigraph: query.OxigraphEngine) -> None:
    assert [r[1:] for r in rows(run(oxigraph, "tumour-types-above-threshold", threshold="80"))] == [
        ("Infantile Fibrosarcoma", ">90%", "90.0", ""),
        ("Secretory Carcinoma of the Breast", ">90%", "90.0", ""),
        ("Mammary Analogue Secretory Carcinoma (MASC) of the Salivary Gland", ">90%", "90.0", ""),
        ("Congenital Mesoblastic Nephroma", ">83%", "83.0", ""),
    ]


@pytest.mark.parametrize(("threshold", "count"), [("90", 3), ("83.5", 3), ("16%", 6), ("1.91", 7), ("0", 15), ("100", 0)])
def test_threshold_uses_lower_bound_or_point(oxigraph: query.OxigraphEngine, rdflib_engine: query.RdflibEngine,
                                             threshold: str, count: int) -> None:
    assert len(run(oxigraph, "tumour-types-above-threshold", threshold=threshold).rows) == count
    assert len(run(rdflib_engine, "tumour-types-above-threshold", threshold=threshold).rows) == count


@pytest.mark.parametrize("tumour", ["Soft Tissue Sarcoma", "soft tissue sarcoma", "MONDO:0018078",
                                    "https://w3id.org/ntrk-kg/id/tumour-type/soft-tissue-sarcoma"])
def test_evidence_for_a_tumour_type_by_label_iri_or_mapping(oxigraph: query.OxigraphEngine, tumour: str) -> None:
    assert [r[1] for r in rows(run(oxigraph, "evidence-for-tumour-type", tumour=tumour))] == ["5", "6"]


def test_fusions_with_gene_gives_the_role(oxigraph: query.OxigraphEngine) -> None:
    assert rows(run(oxigraph, "fusions-with-gene", gene="ETV6"))[0][1:] == ("ETV6::NTRK3", "5'", "NTRK3")


@pytest.mark.parametrize("gene", ["ntrk3", "HGNC:8033", "https://identifiers.org/hgnc:8033"])
def test_gene_card_by_any_case_of_the_symbol_or_by_iri(oxigraph: query.OxigraphEngine, gene: str) -> None:
    """The card looks the gene up by IRI or symbol; every way of naming NTRK3 gives its card."""
    expected = run(oxigraph, "gene-card", gene="NTRK3").triples
    assert len(expected) == 45
    assert run(oxigraph, "gene-card", gene=gene).triples == expected


def test_gene_card_of_a_protein_symbol_is_empty(oxigraph: query.OxigraphEngine) -> None:
    assert run(oxigraph, "gene-card", gene="TRKC").triples == []


@pytest.mark.parametrize("statement", [
    "prevalence-soft-tissue-sarcoma",
    "https://w3id.org/ntrk-kg/id/guide/ntrk-guide/statement/prevalence-soft-tissue-sarcoma",
])
def test_statement_evidence_by_key_or_iri(oxigraph: query.OxigraphEngine, statement: str) -> None:
    got = rows(run(oxigraph, "statement-evidence", statement=statement))
    assert [r[1].rsplit("/", 1)[-1] for r in got] == ["5", "5", "6"]


def test_statement_evidence_of_an_unknown_key_is_empty(oxigraph: query.OxigraphEngine) -> None:
    assert run(oxigraph, "statement-evidence", statement="no such statement").rows == []


# -- binding is safe -----------------------------------------------------------------------------
INJECTION = 'x" } ; DROP ALL ; #'


@pytest.mark.parametrize("name,param", [("fusion-partners", "gene"), ("fusions-with-gene", "gene"),
                                        ("evidence-for-tumour-type", "tumour"), ("statements-about", "subject"),
                                        ("statement-evidence", "statement")])
def test_injection_is_just_a_value_that_matches_nothing(oxigraph: query.OxigraphEngine, rdflib_engine: query.RdflibEngine,
                                                        name: str, param: str) -> None:
    before = len(oxigraph.store)
    assert run(oxigraph, name, **{param: INJECTION}).rows == []
    assert run(rdflib_engine, name, **{param: INJECTION}).rows == []
    assert len(oxigraph.store) == before
    text = sparql_text.with_values(catalogue.find(name).body, {param: str(ox.Literal(INJECTION))})
    assert '"x\\" } ; DROP ALL ; #"' in text


@pytest.mark.parametrize(("values", "message"), [
    ({}, "missing required parameter 'threshold'"),
    ({"threshold": "abc"}, "'abc' is not a percentage"),
    ({"threshold": "150"}, "not a percentage from 0 to 100"),
    ({"threshold": "80", "gene": "NTRK1"}, "unknown parameter 'gene'"),
])
def test_bad_parameters_are_usage_errors(values: dict[str, str], message: str) -> None:
    with pytest.raises(UsageError, match=re.escape(message)):
        catalogue.find("tumour-types-above-threshold").bind(values)


@pytest.mark.parametrize(("ptype", "value", "term"), [
    ("curie", "HGNC:8033", "<https://identifiers.org/hgnc:8033>"),
    ("curie", "uniprotkb:Q16288", "<http://purl.uniprot.org/uniprot/Q16288>"),
    ("iri", "<http://example.org/x>", "<http://example.org/x>"),
    ("string", 'a "b"', '"a \\"b\\""'),
    ("label-or-iri", "ETV6::NTRK3", '"ETV6::NTRK3"'),
    ("label-or-iri", "MONDO:0004557", "<http://purl.obolibrary.org/obo/MONDO_0004557>"),
    ("percent", "80%", '"80.0"^^<http://www.w3.org/2001/XMLSchema#decimal>'),
    ("decimal", "-1.50", '"-1.5"^^<http://www.w3.org/2001/XMLSchema#decimal>'),
    ("integer", "007", '"7"^^<http://www.w3.org/2001/XMLSchema#integer>'),
])
def test_parameter_types_give_typed_terms(ptype: str, value: str, term: str) -> None:
    assert str(params.to_term(ptype, value)) == term


@pytest.mark.parametrize(("ptype", "value"), [("curie", "NOPE:1"), ("iri", "not an iri"), ("integer", "1.5"), ("decimal", "1e"), ("percent", "-1")])
def test_parameter_types_reject_bad_values(ptype: str, value: str) -> None:
    with pytest.raises(ValueError):
        params.to_term(ptype, value)


# -- the remote engine, against a local SPARQL 1.1 endpoint -----------------------------------------
def test_remote_endpoint_gives_the_same_answers(
    built_dir: Path, oxigraph: query.OxigraphEngine, sparql_endpoint, example_values
) -> None:
    with sparql_endpoint(sources.open_store(built_dir)) as server:
        remote = query.RemoteEngine(server.url)
        for path in QUERY_FILES:
            q = catalogue.parse_query(path)
            b = q.bind(example_values(q))
            a, r = query_run.run_catalogue_query(oxigraph, q, b), query_run.run_catalogue_query(remote, q, b)
            assert (a.variables, a.rows, a.triples) == (r.variables, r.rows, r.triples), q.name


def test_remote_endpoint_failure_is_one_line_with_status(built_dir: Path, sparql_endpoint) -> None:
    with sparql_endpoint(ox.Store(), fail_with=500) as server:
        with pytest.raises(query.EndpointError, match=r"answered HTTP 500") as info:
            query.RemoteEngine(server.url).run("ASK {}")
    assert info.value.exit_code == 1 and server.url in str(info.value)


# -- the catalogue in the metadata graph ----------------------------------------------------------
def test_catalogue_is_published_as_sparql_executables(oxigraph: query.OxigraphEngine) -> None:
    res = oxigraph.run("""PREFIX sh: <http://www.w3.org/ns/shacl#>
        SELECT ?name ?text WHERE { GRAPH <https://w3id.org/ntrk-kg/graph/metadata> {
          ?q a sh:SPARQLExecutable ; <http://www.w3.org/2000/01/rdf-schema#label> ?name ; sh:select|sh:construct ?text } }
        ORDER BY ?name""")
    published = {r[0].value: r[1].value for r in res.rows}
    assert published == {q.name: published_text(q) for q in catalogue.load()}
    for name, text in published.items():  # the published text runs as is (SERVICE ones: tests/stores)
        q = catalogue.find(name)
        if q.form == "select" and not federated_endpoints(text):
            result = oxigraph.run(text)
            assert result.variables == q.columns and result.rows, name


# -- lookups: a parameter resolved before the query runs gives the same answer ----------------
LOOKUP_VALUES = {
    "gene": ["NTRK3", "etv6", "HGNC:8031", "https://identifiers.org/hgnc:3495", "nothing-here"],
    "subject": ["ETV6::NTRK3", "ntrk1", "TRKA", "MAPK pathway", "Glioblastoma", "HGNC:8031", "nope"],
    "tumour": ["Soft Tissue Sarcoma", "soft tissue sarcoma", "MONDO:0018078", "Spitzoid Neoplasms",
               "https://w3id.org/ntrk-kg/id/tumour-type/soft-tissue-sarcoma", "nope"],
}
LOOKUP_CASES = [
    pytest.param(q.name, p.name, value, id=f"{q.name}-{value}")
    for q in catalogue.load() for p in q.params if p.lookup for value in LOOKUP_VALUES[p.name]
]


def test_every_label_or_iri_parameter_with_a_lookup_is_covered() -> None:
    assert {name for name, _, _ in (c.values for c in LOOKUP_CASES)} == {
        "evidence-for-tumour-type", "fusions-with-gene", "gene-card", "statements-about", "tumour-type-mappings"}


@pytest.mark.parametrize(("name", "param", "value"), LOOKUP_CASES)
def test_a_lookup_never_changes_the_answer(oxigraph: query.OxigraphEngine, rdflib_engine: query.RdflibEngine,
                                           name: str, param: str, value: str) -> None:
    """The query run from the lookup's values equals the query that tests every candidate itself."""
    q = catalogue.find(name)
    bindings = q.bind({**q.examples(), param: value})
    for engine in (oxigraph, rdflib_engine):
        plain = query.normalise(engine.run(q.body, bindings, name=name), q.lists)
        assert query_run.looked_up(engine, q, bindings) != q.body
        assert query_run.run_catalogue_query(engine, q, bindings) == plain
    # tumour-type-mappings takes a tumour type's own IRI or label, not the IRI it is mapped to
    empty = value in ("nope", "nothing-here") or (name, value) == ("tumour-type-mappings", "MONDO:0018078")
    assert (len(plain.rows) + len(plain.triples) == 0) == empty


def declared_prefixes(text: str) -> dict[str, str]:
    """``PREFIX name: <iri>`` declarations of the prologue, name -> namespace.

    >>> declared_prefixes("PREFIX ntrk: <https://w3id.org/ntrk-kg/ontology#>\\nSELECT * {}")
    {'ntrk': 'https://w3id.org/ntrk-kg/ontology#'}
    """
    out: dict[str, str] = {}
    toks = [t for t in sparql_text.tokens(text) if t[0] != "comment"]
    for i, (kind, tok, _) in enumerate(toks[:-2]):
        if kind == "word" and tok.upper() == "PREFIX" and toks[i + 2][0] == "iri":
            out[toks[i + 1][1].rstrip(":")] = toks[i + 2][1][1:-1]
    return out
