"""Each compiled check runs in the faster of its two forms (plain join or ``LATERAL``) on the store
at hand; the form never changes a result."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from rdflib import URIRef
from rdflib.namespace import SH

from kg_build.shacl import oxigraph as shacl_oxigraph
from kg_build.shacl import validation
from kg_build.shacl.compile import scanned_predicates
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
