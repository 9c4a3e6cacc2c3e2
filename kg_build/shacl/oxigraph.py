"""Validate a pyoxigraph store against the SHACL shapes with compiled SPARQL (the fast engine).

:func:`validate_store` runs the checks :mod:`kg_build.shacl.compile` makes of the shapes on a
pyoxigraph ``Store`` (the union of its graphs, as ``kg_build.shacl.validation`` validates the union of a
dataset) and returns the same :class:`kg_build.shacl.validation.Report` pySHACL gives: the same results
(severity, focus node, path, value, source shape, constraint component, message). The data is never
held in an rdflib graph; only the shapes (a small file) are read with rdflib.

When the store lacks the ontology (``<https://w3id.org/ntrk-kg/ontology> a owl:Ontology``), the
packaged ontology is added to a temporary named graph for the run and removed afterwards, so that
``sh:targetClass`` and ``sh:class`` follow ``rdfs:subClassOf``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import SH, XSD
from rdflib.term import Node

from kg_build.shacl.compile import Check, compile_shapes, ill_typed

if TYPE_CHECKING:
    import pyoxigraph as ox

    from kg_build.shacl.validation import Report, Result

TEMPORARY_ONTOLOGY_GRAPH = "urn:x-ntrk-kg:validation:ontology"
_XSD_STRING = str(XSD.string)


def to_rdflib(term: object) -> Node:
    """A pyoxigraph term as the rdflib term an rdflib parser would make of it."""
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        dt = term.datatype.value
        return Literal(term.value) if dt == _XSD_STRING else Literal(term.value, datatype=URIRef(dt))
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    raise TypeError(f"unexpected term {term!r}")  # pragma: no cover - RDF-star triples are not data here


@lru_cache(maxsize=4)
def _compiled(shapes_key: int, use: tuple[Node, ...] | None) -> tuple[Check, ...]:
    return compile_shapes(_SHAPES[shapes_key], use)


_SHAPES: dict[int, Graph] = {}


def checks_for(shapes: Graph, use_shapes: Iterable[Node] | None = None) -> tuple[Check, ...]:
    """The compiled checks of ``shapes`` (cached per shapes graph)."""
    _SHAPES[id(shapes)] = shapes
    return _compiled(id(shapes), tuple(use_shapes) if use_shapes is not None else None)


def _has_ontology(store: ox.Store) -> bool:
    from kg_build.shacl.validation import ONTOLOGY_IRI

    ask = f"ASK {{ <{ONTOLOGY_IRI}> a <http://www.w3.org/2002/07/owl#Ontology> }}"
    return bool(store.query(ask, use_default_graph_as_union=True))


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
    :class:`kg_build.shacl.compile.NotCompilable` when a shape uses a construct the compiler cannot
    express (never skipping it).
    """
    import pyoxigraph as ox

    from kg_build.resources import ONTOLOGY_DIR
    from kg_build.shacl import validation

    sg = shapes if isinstance(shapes, Graph) else validation.load_shapes(shapes)
    checks = checks_for(sg, use_shapes)
    added = None
    if not _has_ontology(store):
        added = ox.NamedNode(TEMPORARY_ONTOLOGY_GRAPH)
        store.load(path=str(ONTOLOGY_DIR / "ntrk.ttl"), format=ox.RdfFormat.TURTLE, to_graph=added)
    try:
        results: set[Result] = set()
        # Queries run in the store's native code: two threads keep two cores busy.
        with ThreadPoolExecutor(max_workers=min(2, os.cpu_count() or 1)) as pool:
            for found in pool.map(lambda check: run_check(store, sg, check), checks):
                results.update(found)
                if on_check is not None:
                    on_check(1)
        if triples is None:
            triples = count_triples(store)
    finally:
        if added is not None:
            store.remove_graph(added)
    only = set(focus_nodes) if focus_nodes is not None else None
    ordered = sorted((r for r in results if only is None or r.focus_node in only), key=validation.Result.sort_key)
    conforms = not any(r.severity == "Violation" for r in ordered)
    rules = validation._rules(sg, {r.source_shape for r in ordered})
    return validation.Report(conforms, tuple(ordered), rules, triples)


def validate_nquads(path: Path, shapes: Graph | Path | None = None) -> Report:
    """Validate an N-Quads file (e.g. ``build/ntrk-kg.nq``), bulk-loaded into an in-memory store."""
    import pyoxigraph as ox

    store = ox.Store()
    store.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
    return validate_store(store, shapes)


def store_of(triples: Iterable[tuple[Node, Node, Node]]) -> ox.Store:
    """An in-memory store holding ``triples`` (rdflib terms) in its default graph."""
    import pyoxigraph as ox

    def term(node: Node):  # type: ignore[no-untyped-def]
        if isinstance(node, URIRef):
            return ox.NamedNode(str(node))
        if isinstance(node, BNode):
            return ox.BlankNode(str(node))
        assert isinstance(node, Literal)
        if node.language:
            return ox.Literal(str(node), language=node.language)
        if node.datatype is not None:
            return ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype)))
        return ox.Literal(str(node))

    store = ox.Store()
    store.extend([ox.Quad(term(s), term(p), term(o), ox.DefaultGraph()) for s, p, o in triples])
    return store


# ----------------------------------------------------------------------------- results

def run_check(store: ox.Store, sg: Graph, check: Check) -> list[Result]:
    """The results of one compiled check on ``store``."""
    from kg_build.shacl import validation

    severity = validation.SEVERITIES.get(check.severity, "Violation")  # type: ignore[call-overload]
    path = validation._read_path(sg, check.path) if check.path is not None else None
    out = []
    solutions = store.query(check.query, use_default_graph_as_union=True)
    if check.kind == "sparql":
        names = [v.value for v in solutions.variables]
        for row in solutions:
            bound = {n: to_rdflib(row[n]) for n in names if row[n] is not None}
            this = bound.pop("this", None)
            value = bound.pop("value", None)
            if not check.projects_this:
                focus, this = this, None
            else:
                focus = this
            if this is None and value is None:
                continue  # pySHACL ignores a solution binding none of $this, ?path and ?value
            if value is None and check.node_shape:
                value = focus
            fields = {**{k: v for k, v in bound.items()}, **({"this": this} if this is not None else {})}
            if value is not None:
                fields["value"] = value
            message = _sparql_message(check, fields, focus, value, sg)
            out.append(validation.Result(severity, focus, path, value, check.shape, check.component, message))
        return out
    datatype_cache: dict[tuple[str, str], bool] = {}
    for row in solutions:
        if check.kind == "datatype":
            # Most candidates are well typed: decide on the store's term before converting anything.
            raw = row["value"]
            key = (raw.value, raw.datatype.value)
            bad = datatype_cache.get(key)
            if bad is None:
                literal = to_rdflib(raw)
                assert isinstance(literal, Literal)
                bad = datatype_cache[key] = ill_typed(literal, check.parameter)  # type: ignore[arg-type]
            if not bad:
                continue
        focus = to_rdflib(row["this"])
        value = to_rdflib(row["value"]) if check.kind != "focus" else None
        message = _message(check, sg, focus, value)
        out.append(validation.Result(severity, focus, path, value, check.shape, check.component, message))
    return out


def _format(text: str, fields: dict[str, Node]) -> str:
    """pySHACL's filling of ``{?var}``/``{$var}`` in a SPARQL constraint's message."""
    for var, val in fields.items():
        text = re.sub(f"{{[?$]{var}}}", str(val), text)
    return text


def _sparql_message(check: Check, fields: dict[str, Node], focus: Node, value: Node | None, sg: Graph) -> str:
    if not check.messages:
        return _default_message(check, sg, focus, value)
    return " ".join(sorted(_format(str(m), fields) for m in check.messages))


def _message(check: Check, sg: Graph, focus: Node, value: Node | None) -> str:
    if check.messages:
        return " ".join(sorted(str(m) for m in check.messages))
    return _default_message(check, sg, focus, value)


def _default_message(check: Check, sg: Graph, focus: Node, value: Node | None) -> str:
    """pySHACL's generic message for a result of a shape without ``sh:message``."""
    from pyshacl.rdfutil.stringify import stringify_node

    def data(node: Node) -> str:
        return stringify_node(Graph(), node)

    def shapes(node: Node) -> str:
        return stringify_node(sg, node)

    c, p = check.component, check.parameter
    params = lambda prop: sorted(sg.objects(check.shape, prop), key=str)  # noqa: E731
    if c == SH.MinCountConstraintComponent:
        return f"Less than {p} values on {data(focus)}->{shapes(check.path)}"
    if c == SH.MaxCountConstraintComponent:
        return f"More than {p} values on {data(focus)}->{shapes(check.path)}"
    if c == SH.ClassConstraintComponent:
        classes = params(SH["class"])
        if len(classes) < 2:
            return f"Value does not have class {shapes(p)}"
        return "Value class is not in classes ({})".format(", ".join(shapes(x) for x in classes))
    if c == SH.DatatypeConstraintComponent:
        return f"Value is not Literal with datatype {shapes(p)}"
    if c == SH.NodeKindConstraintComponent:
        return f"Value is not of Node Kind {shapes(p)}"
    if c == SH.PatternConstraintComponent:
        patterns = params(SH.pattern)
        if len(patterns) < 2:
            return f"Value does not match pattern '{p}'"
        return "Value does not match every pattern in ('{}')".format("', '".join(str(x) for x in patterns))
    if c == SH.InConstraintComponent:
        return f"Value {data(value)} not in list {[shapes(x) for x in sg.items(p)]}"
    ranges = {SH.MinInclusiveConstraintComponent: (SH.minInclusive, ">="),
              SH.MaxInclusiveConstraintComponent: (SH.maxInclusive, "<="),
              SH.MinExclusiveConstraintComponent: (SH.minExclusive, ">"),
              SH.MaxExclusiveConstraintComponent: (SH.maxExclusive, "<")}
    if c in ranges:
        prop, op = ranges[c]
        bounds = params(prop)
        if len(bounds) < 2:
            return f"Value is not {op} {shapes(p)}"
        return "Value is not {} in ({})".format(op, ", ".join(shapes(x) for x in bounds))
    # pySHACL writes "<" for sh:lessThanOrEquals and "<=" for sh:lessThan.
    pairs = {SH.LessThanOrEqualsConstraintComponent: (SH.lessThanOrEquals, "<"),
             SH.LessThanConstraintComponent: (SH.lessThan, "<=")}
    if c in pairs:
        prop, op = pairs[c]
        others = list(sg.objects(check.shape, prop))
        rule = shapes(others[0]) if len(others) < 2 else ", ".join(shapes(x) for x in others)
        return f"Value of {data(focus)}->{rule} {op} {data(value)}"
    if c == SH.NodeConstraintComponent:
        nodes = params(SH.node)
        if len(nodes) < 2:
            return f"Value does not conform to Shape {shapes(p)}. See details for more information."
        return "Value must conform to every Shape in ('{}'). See details for more information.".format(
            "', '".join(shapes(x) for x in nodes))
    if c in (SH.OrConstraintComponent, SH.AndConstraintComponent):
        prop, verb = (SH["or"], "one or more shapes") if c == SH.OrConstraintComponent else (SH["and"], "all shapes")
        lists = list(sg.objects(check.shape, prop))
        if len(lists) < 2:
            text = " , ".join(shapes(x) for x in sg.items(lists[0]))
        else:
            text = " and ".join("(" + " , ".join(shapes(x) for x in sg.items(lst)) + ")" for lst in lists)
        return f"Node {data(value)} must conform to {verb} in {text}"
    if c in (SH.QualifiedMinCountConstraintComponent, SH.QualifiedMaxCountConstraintComponent):
        counts = "".join(f" {name} {sg.value(check.shape, prop)}" for name, prop in (
            ("MinCount", SH.qualifiedMinCount), ("MaxCount", SH.qualifiedMaxCount)) if sg.value(check.shape, prop) is not None)
        value_shapes = list(sg.objects(check.shape, SH.qualifiedValueShape))
        text = ",".join(shapes(x) for x in value_shapes)
        if len(value_shapes) > 1:
            return f"Focus node does not conform to shapes{counts}: ({text})"
        return f"Focus node does not conform to shape{counts}: {text}"
    if c == SH.SPARQLConstraintComponent:
        return ""  # pySHACL has no generic message for SPARQL-based constraints
    from kg_build.shacl.compile import NotCompilable

    raise NotCompilable(
        f"shape {check.shape.n3()} has no sh:message, and the default message of {c.n3()} is not known"
    )


def store_form(report: Report) -> Report:
    """``report`` with each literal ``value`` in the form a pyoxigraph store gives it back.

    The store keeps typed literals by value, so it returns ``"150.0"^^xsd:decimal`` as
    ``"150"^^xsd:decimal`` and ``"01"^^xsd:integer`` as ``"1"``: the one field in which the two
    engines' reports differ. Comparing ``store_form(pyshacl_report)`` with the oxigraph engine's
    report compares everything else exactly.
    """
    from kg_build.shacl import validation

    literals = sorted({r.value for r in report.results if isinstance(r.value, Literal)}, key=lambda x: x.n3())
    store = store_of((URIRef(f"urn:x-value:{i}"), URIRef("urn:x-value"), v) for i, v in enumerate(literals))
    back = {int(str(q.subject.value).rsplit(":", 1)[1]): to_rdflib(q.object) for q in store.quads_for_pattern(None, None, None)}
    mapping = {v: back[i] for i, v in enumerate(literals)}
    results = sorted(
        (validation.Result(r.severity, r.focus_node, r.result_path, mapping.get(r.value, r.value),  # type: ignore[arg-type]
                           r.source_shape, r.constraint_component, r.message) for r in report.results),
        key=validation.Result.sort_key,
    )
    return validation.Report(report.conforms, tuple(dict.fromkeys(results)), report.rules, report.triples)


def restore_lexical(report: Report, graph: Graph) -> Report:
    """``report`` with each literal value in the lexical form ``graph`` (the validated data, held by
    rdflib) writes it, where the store gave back its canonical form (``"150"`` for ``"150.0"``)."""
    from rdflib.paths import InvPath

    from kg_build.shacl import validation

    pending = [r for r in report.results if isinstance(r.value, Literal) and r.value.datatype not in (None, XSD.string)]
    if not pending:
        return report
    candidates: dict[Result, list[Literal]] = {}
    for r in pending:
        if r.result_path is None:
            found = [r.focus_node]
        elif isinstance(r.result_path, URIRef):
            found = list(graph.objects(r.focus_node, r.result_path))
        elif isinstance(r.result_path, InvPath) and isinstance(r.result_path.arg, URIRef):
            found = list(graph.subjects(r.result_path.arg, r.focus_node))
        else:
            found = list(graph.objects(r.focus_node, r.result_path))  # type: ignore[arg-type]
        candidates[r] = [c for c in found if isinstance(c, Literal)]
    everything = sorted({c for cs in candidates.values() for c in cs}, key=lambda x: x.n3())
    canonical = dict(zip(everything, _store_forms(everything), strict=False))
    results = []
    for r in report.results:
        if r in candidates:
            matches = sorted({c for c in candidates[r] if canonical[c] == r.value}, key=lambda x: x.n3())
            if len(matches) == 1:
                r = validation.Result(r.severity, r.focus_node, r.result_path, matches[0], r.source_shape,
                                      r.constraint_component, r.message)
        results.append(r)
    ordered = sorted(dict.fromkeys(results), key=validation.Result.sort_key)
    return validation.Report(report.conforms, tuple(ordered), report.rules, report.triples)


def _store_forms(literals: list[Literal]) -> list[Node]:
    store = store_of((URIRef(f"urn:x-value:{i}"), URIRef("urn:x-value"), v) for i, v in enumerate(literals))
    back = {int(str(q.subject.value).rsplit(":", 1)[1]): to_rdflib(q.object) for q in store.quads_for_pattern(None, None, None)}
    return [back[i] for i in range(len(literals))]
