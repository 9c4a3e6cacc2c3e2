"""The fast validation engine (the shapes compiled to SPARQL, run on a pyoxigraph store) gives the
same report as pySHACL: on the built graph, the shape fixtures, mutations of the built graph and a
mid-size synthetic graph with injected violations.

The reports are compared whole (severity, focus node, path, value, source shape, constraint
component, message, conformance, triple count), exactly. A pyoxigraph store keeps typed literals by
value ("150.0"^^xsd:decimal comes back as "150"); ``validate(..., engine="oxigraph")`` reports
values as the data writes them, ``validate_store`` (no rdflib graph to look them up in) in the
store's form, which ``shacl_oxigraph.store_form`` gives of a pySHACL report."""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import SH, XSD

from kg_build.resources import SHAPES_FILE
from kg_build.shacl import oxigraph as shacl_oxigraph
from kg_build.shacl import validation
from kg_build.shacl.compile import NotCompilable

HERE = Path(__file__).resolve().parents[1]
T = lambda name: URIRef("https://w3id.org/ntrk-kg/ontology#" + name)  # noqa: E731
S = lambda name: URIRef("https://w3id.org/ntrk-kg/shapes#" + name)  # noqa: E731


def _shape_tests():  # type: ignore[no-untyped-def]
    """tests/test_shapes.py as a module: its fixtures and mutations are reused here."""
    spec = importlib.util.spec_from_file_location("shape_tests", HERE / "shacl" / "test_shapes.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["shape_tests"] = module
    spec.loader.exec_module(module)
    return module


shape_tests = _shape_tests()


def same_report(data, **kwargs) -> validation.Report:  # type: ignore[no-untyped-def]
    """Validate with both engines, assert identical reports, return the fast engine's."""
    reference = validation.validate(data, engine="pyshacl", **kwargs)
    fast = validation.validate(data, engine="oxigraph", **kwargs)
    assert [r for r in fast.results if r not in reference.results] == []
    assert [r for r in reference.results if r not in fast.results] == []
    assert fast == reference
    assert fast.text() == reference.text()
    return fast


def keys(report: validation.Report) -> set[tuple[object, object, object]]:
    return {(r.focus_node, r.source_shape, r.constraint_component) for r in report.results}


@pytest.fixture(scope="module")
def built_graph(dataset) -> Graph:
    return validation.union(dataset)


def test_built_graph(dataset, built_dir: Path) -> None:
    report = same_report(dataset)
    assert report.violations == () and not report.conforms
    assert [(r.severity, r.source_shape, str(r.value)) for r in report.results] == [
        ("Warning", S("BandConsistencyShape"), ">83%"), ("Warning", S("BandConsistencyShape"), "~26%"),
        ("Warning", S("PrevalenceStatementsAgreeShape"), "https://w3id.org/ntrk-kg/id/guide/ntrk-guide/statement/prevalence-common-colorectal"),
    ]
    # The N-Quads file itself, loaded into a store without rdflib: the same report.
    assert shacl_oxigraph.validate_nquads(built_dir / "ntrk-kg.nq") == report


def test_store_form_is_the_only_difference_of_validate_store(built_graph: Graph) -> None:
    g = shape_tests.extended(built_graph, Graph().parse(shape_tests.FIXTURES / "invalid" / "percent-150.ttl"))
    reference = validation.validate(g, engine="pyshacl")
    direct = shacl_oxigraph.validate_store(shacl_oxigraph.store_of(g))
    assert direct == shacl_oxigraph.store_form(reference) != reference
    assert {str(r.value) for r in reference.results} - {str(r.value) for r in direct.results} == {"150.0"}


def test_invalid_fixtures(built_graph: Graph) -> None:
    extra = Graph()
    for path in shape_tests.INVALID:
        extra.parse(path, format="turtle")
    report = same_report(shape_tests.extended(built_graph, extra))
    expected = set().union(*(shape_tests.expectations(p) for p in shape_tests.INVALID))
    base = {(r.focus_node, r.source_shape, r.constraint_component) for r in validation.validate(built_graph, engine="oxigraph").results}
    assert keys(report) == expected | base
    assert (len(report.violations), len(report.warnings)) == (90, 5)


def test_valid_fixtures(built_graph: Graph) -> None:
    extra = Graph()
    for path in shape_tests.VALID:
        extra.parse(path, format="turtle")
    assert len(same_report(shape_tests.extended(built_graph, extra)).violations) == 0


def test_mutations_of_the_built_graph(built_graph: Graph) -> None:
    """Every required triple test_shapes deletes one shape at a time, deleted all at once."""
    deleted: set[tuple[object, object, object]] = set()
    expected: set[tuple[object, object, object]] = set()
    for shape in shape_tests.targeted_shapes():
        if shape in shape_tests.NO_REQUIRED_TRIPLE:
            continue
        make = shape_tests.SPARQL_MUTATIONS.get(shape)
        mutations = make(built_graph) if make else shape_tests.core_mutations(built_graph, shape)
        for gone, due in mutations:
            deleted |= gone
            expected |= due
    report = same_report(shape_tests.extended(built_graph, Graph(), deleted))
    assert (len(deleted), len(report.violations)) == (1327, 1167)


def test_one_shape_at_a_time(built_graph: Graph) -> None:
    """``use_shapes`` and ``focus_nodes`` restrict the fast engine as they restrict pySHACL."""
    mutated = shape_tests.extended(built_graph, Graph(), {t for t in built_graph.triples((None, T("inBand"), None))})
    report = same_report(mutated, use_shapes=[S("BandConsistencyShape"), S("PrevalenceStatementShape")])
    assert report.results == ()
    cmn = URIRef("https://w3id.org/ntrk-kg/id/guide/ntrk-guide/statement/prevalence-congenital-mesoblastic-nephroma")
    report = same_report(built_graph, focus_nodes=[cmn])
    assert [r.focus_node for r in report.results] == [cmn]


def test_mid_size_synthetic_graph_with_injected_violations(tmp_path: Path) -> None:
    sys.path.insert(0, str(HERE.parent / "benchmarks"))
    try:
        import generate  # type: ignore[import-not-found]
    finally:
        sys.path.pop(0)
    from kg_build.build import pipeline

    generate.generate(tmp_path, 2e4, seed=3)
    _, ds = pipeline.assemble(tmp_path)
    g = validation.union(ds)
    gene = URIRef("https://identifiers.org/hgnc:900001")
    fusion = URIRef("https://w3id.org/ntrk-kg/id/fusion/SYN00001--NTRK1")
    statements = sorted(s for s in g.subjects(RDF.type, T("PrevalenceStatement")) if "synthetic" in str(s))
    assert (gene, RDF.type, T("Gene")) in g and (fusion, RDF.type, T("GeneFusion")) in g and len(statements) > 100
    for t in list(g.triples((gene, RDFS.label, None))) + list(g.triples((fusion, T("threePrimePartner"), None))):
        g.remove(t)
    g.set((statements[0], T("pointEstimate"), Literal("150.0", datatype=XSD.decimal)))
    g.set((statements[1], T("rowNumber"), Literal("five")))
    g.add((statements[2], T("citesReference"), URIRef("https://w3id.org/ntrk-kg/id/guide/ntrk-guide/reference/999")))
    g.add((statements[3], T("mispelled"), Literal("x")))
    report = same_report(g)
    assert report.triples > 20_000
    violations = keys(validation.Report(report.violations))
    assert violations == {
        (gene, S("SOGene-label"), SH.MinCountConstraintComponent),
        (fusion, S("FusionPartnersShape"), SH.SPARQLConstraintComponent),
        (statements[0], S("PercentRange-pointEstimate"), SH.MaxInclusiveConstraintComponent),
        (statements[1], S("Statement-rowNumber"), SH.DatatypeConstraintComponent),
        (statements[1], S("Statement-rowNumber"), SH.MinInclusiveConstraintComponent),
        (statements[2], S("CitedReferenceShape"), SH.SPARQLConstraintComponent),
        (statements[3], S("DeclaredTermShape"), SH.SPARQLConstraintComponent),
    }


def test_default_messages_are_pyshacls(built_graph: Graph) -> None:
    """Shapes without sh:message: the fast engine writes pySHACL's generic messages.

    Two generic messages are compared without their message text: pySHACL lists sh:in members and
    sh:lessThanOrEquals properties in set order (it changes with PYTHONHASHSEED) and writes the value
    literal's original lexical form, which the store does not keep."""
    shapes = Graph().parse(SHAPES_FILE, format="turtle")
    shapes.remove((None, SH.message, None))
    extra = Graph()
    for path in shape_tests.INVALID:
        extra.parse(path, format="turtle")
    data = shape_tests.extended(built_graph, extra)
    unordered = {SH.InConstraintComponent, SH.LessThanOrEqualsConstraintComponent}

    def comparable(report: validation.Report) -> set[validation.Result]:
        return {replace(r, message="") if r.constraint_component in unordered else r for r in report.results}

    reference = validation.validate(data, shapes, engine="pyshacl")
    fast = validation.validate(data, shapes, engine="oxigraph")
    assert comparable(fast) == comparable(reference)
    assert len(fast.results) == len(reference.results) == 95
    assert "Value does not conform to Shape ntrksh:HPRecord. See details for more information." in {
        r.message for r in fast.results}


@pytest.mark.parametrize(
    ("original", "replacement", "problem"),
    [
        ("sh:minCount 1 ;", "sh:minCont 1 ;", "uses <http://www.w3.org/ns/shacl#minCont>, which the SPARQL compiler does not support"),
        ("SELECT $this ?value WHERE {\n                $this ntrk:citesReference ?value .",
         "SELECT $this ?value WHERE {\n                VALUES ?x { 1 } $this ntrk:citesReference ?value .",
         "a SPARQL constraint using VALUES is not supported"),
        ("SELECT $this ?value WHERE {\n                $this ntrk:citesReference ?value .",
         "SELECT $this ?value WHERE {\n                GRAPH ?g { $this ntrk:citesReference ?value }",
         "a SPARQL constraint using GRAPH is not supported"),
    ],
    ids=["unknown-term", "values", "graph"],
)
def test_a_construct_it_cannot_compile_fails_loudly(tmp_path: Path, built_graph: Graph, original: str,
                                                    replacement: str, problem: str) -> None:
    text = SHAPES_FILE.read_text(encoding="utf-8")
    assert original in text
    path = tmp_path / "shapes.ttl"
    path.write_text(text.replace(original, replacement, 1), encoding="utf-8")
    shapes = Graph().parse(path, format="turtle")
    with pytest.raises(NotCompilable, match=problem):
        validation.validate(built_graph, shapes, engine="oxigraph")


def test_cli_engines_print_the_same_report(cli, built_dir: Path) -> None:
    outputs = {}
    for engine in ("oxigraph", "pyshacl"):
        result = cli("validate", "--out", str(built_dir), "--engine", engine, "--format", "json")
        assert result.exit_code == 0, result.output
        outputs[engine] = result.output
    assert outputs["oxigraph"] == outputs["pyshacl"]
    assert '"warnings": 3' in outputs["oxigraph"]
