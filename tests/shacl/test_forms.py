"""Each compiled check runs in the faster of its two forms (plain join or ``LATERAL``) on the store
at hand, or merged with the other checks of its focus nodes into one query; the form never changes
a result."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SH

from kg_build.shacl import oxigraph as shacl_oxigraph
from kg_build.shacl import validation
from kg_build.shacl.compile import merged_form, per_focus_select, scanned_predicates
from kg_build.shacl.report import Report

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "shapes" / "invalid"
S = lambda name: URIRef("https://w3id.org/ntrk-kg/shapes#" + name)  # noqa: E731


def _store(dataset) -> ox.Store:  # type: ignore[no-untyped-def]
    """The built graph and every invalid shape fixture: a graph with results of most components."""
    g = validation.union(dataset)
    for path in sorted(FIXTURES.glob("*.ttl")):
        g.parse(path, format="turtle")
    return shacl_oxigraph.store_of(g)


def _form(chosen: list, checks: tuple, shape: str, component: URIRef) -> str:  # type: ignore[type-arg]
    [form] = {"lateral" if c.query != k.query else "join" for c, k in zip(chosen, checks, strict=True)
              if k.shape == S(shape) and k.component == component}
    return form


def test_the_form_goes_both_ways_and_changes_no_result(dataset) -> None:  # type: ignore[no-untyped-def]
    store = _store(dataset)
    sg = validation.load_shapes()
    checks = shacl_oxigraph.checks_for(sg)
    chosen = shacl_oxigraph.choose_forms(store, checks)
    # Three pathways among every label of the graph: each pathway's own labels are read.
    assert _form(chosen, checks, "Pathway-label", SH.DatatypeConstraintComponent) == "lateral"
    # Every statement has its row number: the row numbers are read once, all together.
    assert _form(chosen, checks, "Statement-rowNumber", SH.DatatypeConstraintComponent) == "join"
    # Nothing outside FILTER NOT EXISTS to read over the graph: the plain join.
    assert _form(chosen, checks, "Statement-label", SH.MinCountConstraintComponent) == "join"
    # SPARQL-based constraints: a variable predicate reads the whole graph in a join; the band
    # check's labels outnumber the prevalence statements it tests.
    assert _form(chosen, checks, "DeclaredTermShape", SH.SPARQLConstraintComponent) == "lateral"
    assert _form(chosen, checks, "BandConsistencyShape", SH.SPARQLConstraintComponent) == "lateral"
    assert _form(chosen, checks, "TumourTypeMappingShape", SH.SPARQLConstraintComponent) == "join"

    def report(forms: list) -> Report:  # type: ignore[type-arg]
        return Report.of([r for c in forms for r in shacl_oxigraph.run_check(store, sg, c)], sg, 0)

    lateral = [shacl_oxigraph.forms_of(c).lateral or c for c in checks]
    assert sum(c.query != k.query for c, k in zip(lateral, checks, strict=True)) > sum(
        c.query != k.query for c, k in zip(chosen, checks, strict=True)) > 0
    every = report(list(checks))
    assert (len(every.violations), len(every.warnings)) == (90, 5)
    assert report(lateral) == every == report(chosen)
    assert shacl_oxigraph.validate_store(store, sg, triples=0) == every


def test_the_predicates_a_join_reads_are_those_outside_nested_groups() -> None:
    tests = ('?this <urn:p> ?value . ?this <urn:q> ?_other . FILTER (?value != "<urn:in-a-string>" && '
             'NOT EXISTS { ?value <urn:nested> ?x }) FILTER (?value IN (<urn:a>))')
    assert scanned_predicates(tests) == ("urn:a", "urn:p", "urn:q")


def test_a_join_that_would_read_too_many_triples_runs_lateral(dataset, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A plain join holds what it reads in memory: above JOIN_MAX triples a check gets LATERAL
    however many focus nodes it has."""
    store = _store(dataset)
    checks = shacl_oxigraph.checks_for(validation.load_shapes())
    assert _form(shacl_oxigraph.choose_forms(store, checks), checks, "Statement-rowNumber",
                 SH.DatatypeConstraintComponent) == "join"
    monkeypatch.setattr(shacl_oxigraph, "JOIN_MAX", 10)
    chosen = shacl_oxigraph.choose_forms(store, checks)
    assert _form(chosen, checks, "Statement-rowNumber", SH.DatatypeConstraintComponent) == "lateral"
    # Nothing read over the graph (FILTER NOT EXISTS only): still the plain join.
    assert _form(chosen, checks, "Statement-label", SH.MinCountConstraintComponent) == "join"


def test_the_examples_in_the_compiler_hold() -> None:
    """The docstring examples of the compiler and the pre-binding (what counts as a variable
    predicate, prefixed names written out, the SELECT that LATERAL runs) are checked here."""
    import doctest

    from kg_build.shacl import compile as compiler
    from kg_build.shacl import prebinding

    for module in (compiler, prebinding):
        failed, tried = doctest.testmod(module)
        assert failed == 0 and tried > 0, module.__name__


def test_checks_of_the_same_focus_nodes_run_as_one_query(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    sg = Graph().parse(format="turtle", data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <urn:ex:> .
        @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:minCount 1 ; sh:datatype xsd:string ] .
    """)
    checks = shacl_oxigraph.checks_for(sg)
    focus = ("{ SELECT DISTINCT ?this WHERE { { ?this <http://www.w3.org/1999/02/22-rdf-syntax-ns#type>/"
             "<http://www.w3.org/2000/01/rdf-schema#subClassOf>* <urn:ex:C> . } } }")
    datatype = ("SELECT DISTINCT ?this ?value WHERE { ?this <urn:ex:p> ?value . FILTER (!(isLiteral(?value) && "
                "DATATYPE(?value) = <http://www.w3.org/2001/XMLSchema#string>)) }")
    min_count = "SELECT DISTINCT ?this WHERE { FILTER NOT EXISTS { ?this <urn:ex:p> ?_x } }"
    assert [per_focus_select(c) for c in checks] == [datatype, min_count]
    assert merged_form(checks) == (
        f"SELECT * WHERE {{ {focus} LATERAL {{ {{ {{ {datatype}}} BIND (0 AS ?_check) }} UNION "
        f"{{ {{ {min_count}}} BIND (1 AS ?_check) }} }} }}", "_check")
    # The tag is a variable no check uses.
    renamed = [replace(c, query=c.query.replace("?value", "?_check")) for c in checks]
    assert merged_form(renamed)[1] == "_check1"
    # Three focus nodes, six values of ex:p: a plain join of ex:p, and the minCount check alone.
    data = Graph().parse(format="turtle", data="""
        @prefix ex: <urn:ex:> . ex:a a ex:C . ex:b a ex:C ; ex:p 1, "x", "x2", "x3", "x4" . ex:c a ex:C ; ex:p "y" .
    """)
    store = shacl_oxigraph.store_of(data)
    assert [(b.checks, b.tag) for b in shacl_oxigraph.batches(store, checks)] == [((checks[0],), ""), ((checks[1],), "")]
    # In memory, the plain join is merged too: a lookup per focus node costs little there.
    assert [(b.checks, b.tag) for b in shacl_oxigraph.batches(store, checks, in_memory=True)] == [(checks, "_check")]
    # A seventh value: more than two per focus node, the datatype check tests them node by node,
    # as the minCount check does; the two run as one query.
    store.add(ox.Quad(ox.NamedNode("urn:ex:b"), ox.NamedNode("urn:ex:p"), ox.Literal("x5")))
    assert [(b.checks, b.tag) for b in shacl_oxigraph.batches(store, checks)] == [(checks, "_check")]
    # Given a pool of two threads, that one query would leave a thread idle: the two run apart.
    monkeypatch.setattr(shacl_oxigraph, "STORE_THREADS", 2)
    with ThreadPoolExecutor(max_workers=2) as pool:
        apart = shacl_oxigraph.batches(store, checks, pool)
    assert [(b.checks[0].shape, b.checks[0].component, b.tag) for b in apart] == [
        (c.shape, c.component, "") for c in checks]
    assert [b.query for b in apart] == [c.query for c in shacl_oxigraph.choose_forms(store, checks)]
    assert "LATERAL" in apart[0].query  # more than two values per focus node: node by node
    report = shacl_oxigraph.validate_store(store, sg, triples=0)
    assert [(str(r.focus_node), r.constraint_component, r.value) for r in report.results] == [
        ("urn:ex:a", SH.MinCountConstraintComponent, None),
        ("urn:ex:b", SH.DatatypeConstraintComponent, Literal(1)),
    ]


def test_the_packaged_checks_run_as_294_queries(dataset, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """On the built graph and every invalid fixture the 501 checks run as 294 queries: 246 checks
    merged into 39 (those of a focus subquery that test its nodes one by one), the others alone;
    the report is the one of every check alone."""
    store = _store(dataset)
    sg = validation.load_shapes()
    checks = shacl_oxigraph.checks_for(sg)
    todo = shacl_oxigraph.batches(store, checks)
    merged = [b for b in todo if b.tag]
    assert (len(checks), len(todo), len(merged), sum(len(b.checks) for b in merged)) == (501, 294, 39, 246)
    key = lambda c: (str(c.shape), str(c.component), str(c.path), str(c.parameter), str(c.constraint))  # noqa: E731
    assert sorted(key(c) for b in todo for c in b.checks) == sorted(key(c) for c in checks)
    alone = Report.of([r for c in checks for r in shacl_oxigraph.run_check(store, sg, c)], sg, 0)
    batched = Report.of([r for b in todo for r in shacl_oxigraph.run_batch(store, sg, b)], sg, 0)
    assert batched == alone
    assert (len(alone.violations), len(alone.warnings)) == (90, 5)
    # In memory, every check with a LATERAL form is merged with those of its focus subquery:
    # 498 checks in 44 queries, 3 alone; the same report. Only the 3 alone have a form chosen
    # (the others run LATERAL, merged, whatever the counts say).
    asked: list[int] = []
    choose_forms = shacl_oxigraph.choose_forms

    def counting(store, checks, pool=None):  # type: ignore[no-untyped-def]
        asked.append(len(checks))
        return choose_forms(store, checks, pool)

    monkeypatch.setattr(shacl_oxigraph, "choose_forms", counting)
    todo = shacl_oxigraph.batches(store, checks, in_memory=True)
    assert asked == [3]
    merged = [b for b in todo if b.tag]
    assert (len(todo), len(merged), sum(len(b.checks) for b in merged)) == (47, 44, 498)
    assert sorted(key(c) for b in todo for c in b.checks) == sorted(key(c) for c in checks)
    assert Report.of([r for b in todo for r in shacl_oxigraph.run_batch(store, sg, b)], sg, 0) == alone
