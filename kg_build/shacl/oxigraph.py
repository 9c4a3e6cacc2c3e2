"""Validate a pyoxigraph store against the SHACL shapes with compiled SPARQL (the default engine).

:func:`validate_store` runs the checks :mod:`kg_build.shacl.compile` makes of the shapes on a
pyoxigraph ``Store`` (the union of its graphs, as :mod:`kg_build.shacl.validation` validates the
union of a dataset) and returns the same :class:`~kg_build.shacl.report.Report` pySHACL gives: the same results
(severity, focus node, path, value, source shape, constraint component, message). The data is never
held in an rdflib graph; only the shapes (a small file) are read with rdflib.

When the store lacks the ontology (``<https://w3id.org/ntrk-kg/ontology> a owl:Ontology``), the
packaged ontology is added to a temporary named graph for the run and removed afterwards, so that
``sh:targetClass`` and ``sh:class`` follow ``rdfs:subClassOf``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from kg_build.errors import UsageError
from kg_build.rdf.bridge import OxTerm, from_rdflib, to_rdflib
from kg_build.shacl.compile import Check, compile_shapes, results_of
from kg_build.shacl.report import Report, Result
from kg_build.shacl.shapes import load_shapes

if TYPE_CHECKING:
    import pyoxigraph as ox



@lru_cache(maxsize=4)
def _compiled(shapes_key: int, use: tuple[Node, ...] | None) -> tuple[Check, ...]:
    return compile_shapes(_SHAPES[shapes_key], use, lateral=True)


_SHAPES: dict[int, Graph] = {}


def checks_for(shapes: Graph, use_shapes: Iterable[Node] | None = None) -> tuple[Check, ...]:
    """The compiled checks of ``shapes`` (cached per shapes graph)."""
    _SHAPES[id(shapes)] = shapes
    return _compiled(id(shapes), tuple(use_shapes) if use_shapes is not None else None)


def count_triples(store: ox.Store) -> int:
    """Distinct triples of the union of the store's graphs."""
    q = "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"
    return int(next(iter(store.query(q, use_default_graph_as_union=True)))["n"].value)


def validate_store(
    store: ox.Store,
    shapes: Graph | Path | None = None,
    use_shapes: Iterable[Node] | None = None,
    focus_nodes: Iterable[Node] | None = None,
    triples: int | None = None,
    on_check: Callable[[int], None] | None = None,
) -> Report:
    """Validate the union of the graphs of ``store`` against the shapes (default: the packaged ones).

    The arguments mean what they mean for :func:`kg_build.shacl.validation.validate`; ``triples``, when
    given, is the size the report states instead of counting the store's distinct triples;
    ``on_check`` is called with 1 as each compiled check finishes (for a progress bar). Raises
    :class:`~kg_build.shacl.components.NotCompilable`, before running anything, when a shape uses a
    construct the compiler cannot express (never skipping it).
    """
    sg = shapes if isinstance(shapes, Graph) else load_shapes(shapes)
    checks = checks_for(sg, use_shapes)
    return run_checks(store, sg, checks, focus_nodes, triples, on_check)


def run_checks(
    store: ox.Store,
    sg: Graph,
    checks: tuple[Check, ...],
    focus_nodes: Iterable[Node] | None = None,
    triples: int | None = None,
    on_check: Callable[[int], None] | None = None,
) -> Report:
    """The report of compiled ``checks`` (of the shapes ``sg``) on the union of ``store``'s graphs."""
    results: list[Result] = []
    # Queries run in the store's native code: two threads keep two cores busy.
    with ThreadPoolExecutor(max_workers=min(2, os.cpu_count() or 1)) as pool:
        for found in pool.map(lambda check: run_check(store, sg, check), checks):
            results.extend(found)
            if on_check is not None:
                on_check(1)
    if triples is None:
        triples = count_triples(store)
    only = set(focus_nodes) if focus_nodes is not None else None
    return Report.of((r for r in results if only is None or r.focus_node in only), sg, triples)


def validate_nquads(path: Path, shapes: Graph | Path | None = None) -> Report:
    """Validate an N-Quads file (e.g. ``build/ntrk-kg.nq``), bulk-loaded into an in-memory store."""
    import pyoxigraph as ox

    store = ox.Store()
    store.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
    return validate_store(store, shapes)


def store_of(triples: Iterable[tuple[Node, Node, Node]]) -> ox.Store:
    """An in-memory store holding ``triples`` (rdflib terms) in its default graph."""
    import pyoxigraph as ox

    def checked(node: Node) -> OxTerm:
        try:
            return from_rdflib(node)
        except ValueError as exc:  # rdflib reads terms that RDF does not allow, e.g. an IRI with '<'
            raise UsageError(f"the data holds a term that is not valid RDF: {str(node)!r}: {exc}") from None

    store = ox.Store()
    store.extend([ox.Quad(checked(s), checked(p), checked(o), ox.DefaultGraph()) for s, p, o in triples])
    return store


# ----------------------------------------------------------------------------- results

def run_check(store: ox.Store, sg: Graph, check: Check) -> list[Result]:
    """The results of one compiled check on ``store`` (the union of its graphs)."""
    solutions = store.query(check.query, use_default_graph_as_union=True)
    names = [v.value for v in solutions.variables]
    # The rows are read here, in the thread that ran the query (pyoxigraph's solutions stay in it).
    rows = [{n: t for n, t in zip(names, sol, strict=True) if t is not None} for sol in solutions]
    return results_of(check, sg, rows)


def store_form(report: Report) -> Report:
    """``report`` with each literal ``value`` in the form a pyoxigraph store gives it back.

    The store keeps typed literals by value, so it returns ``"150.0"^^xsd:decimal`` as
    ``"150"^^xsd:decimal`` and ``"01"^^xsd:integer`` as ``"1"``: the one field in which the two
    engines' reports differ. Comparing ``store_form(pyshacl_report)`` with the oxigraph engine's
    report compares everything else exactly.
    """
    literals = sorted({r.value for r in report.results if isinstance(r.value, Literal)}, key=lambda x: x.n3())
    store = store_of((URIRef(f"urn:x-value:{i}"), URIRef("urn:x-value"), v) for i, v in enumerate(literals))
    back = {int(str(q.subject.value).rsplit(":", 1)[1]): to_rdflib(q.object) for q in store.quads_for_pattern(None, None, None)}
    mapping = {v: back[i] for i, v in enumerate(literals)}
    results = sorted(
        (Result(r.severity, r.focus_node, r.result_path, mapping.get(r.value, r.value),  # type: ignore[arg-type]
                           r.source_shape, r.constraint_component, r.message) for r in report.results),
        key=Result.sort_key,
    )
    return Report(tuple(results), report.rules, report.triples, report.described)


def restore_lexical(report: Report, *graphs: Graph) -> Report:
    """``report`` with each literal focus node and value in the lexical form ``graphs`` (the data
    and the shapes, held by rdflib) write it, where the store gave back its canonical form
    (``"150"`` for ``"150.0"``) and only one written form has that canonical form."""
    written = sorted({o for g in graphs for o in g.objects() if isinstance(o, Literal) and o.datatype not in (None, XSD.string)},
                     key=lambda x: x.n3())
    if not written or not report.results:
        return report
    forms: dict[Node, set[Literal]] = {}
    for literal, stored in zip(written, _store_forms(written), strict=True):
        forms.setdefault(stored, set()).add(literal)
    back = {stored: next(iter(ls)) for stored, ls in forms.items() if len(ls) == 1}

    def restore(node: Node | None) -> Node | None:
        return back.get(node, node) if isinstance(node, Literal) else node  # type: ignore[arg-type]

    results = [Result(r.severity, restore(r.focus_node), r.result_path, restore(r.value),  # type: ignore[arg-type]
                                 r.source_shape, r.constraint_component, r.message) for r in report.results]
    ordered = sorted(results, key=Result.sort_key)
    return Report(tuple(ordered), report.rules, report.triples, report.described)


def _store_forms(literals: list[Literal]) -> list[Node]:
    store = store_of((URIRef(f"urn:x-value:{i}"), URIRef("urn:x-value"), v) for i, v in enumerate(literals))
    back = {int(str(q.subject.value).rsplit(":", 1)[1]): to_rdflib(q.object) for q in store.quads_for_pattern(None, None, None)}
    return [back[i] for i in range(len(literals))]
