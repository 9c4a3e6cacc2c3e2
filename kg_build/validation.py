"""Validate RDF against SHACL shapes (by default the project's ``ontology/shapes.ttl``).

``validate`` returns a :class:`~kg_build.shacl.report.Report`, a plain value: every result
(severity, focus node, path, value, shape, constraint component, message); the graph conforms when
there is none. Not being able to validate at all (unreadable shapes, or shapes an engine does not
support) is an exception, :class:`CouldNotValidate`, raised before any data is read.

The data validated is the union of every graph given, exactly as given: ``with_ontology`` adds the
packaged ontology (so that ``sh:targetClass`` and ``sh:class`` follow its ``rdfs:subClassOf``).
This module holds the pySHACL engine; the compiled-SPARQL engine is :mod:`kg_build.shacl_oxigraph`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Union

from rdflib import RDF, XSD, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.graph import ConjunctiveGraph
from rdflib.namespace import OWL, SH
from rdflib.term import Node

from kg_build.errors import UsageError
from kg_build.paths import SHAPES_FILE
from kg_build.shacl.report import (  # noqa: F401 - re-exported: the report model's public names
    SEVERITIES, Report, Result, Rule, describe, read_path, rules_of, severity_name, show,
)
from kg_build.vocab import ontology_graph

ONTOLOGY_IRI = URIRef("https://w3id.org/ntrk-kg/ontology")
DataInput = Union[Graph, ConjunctiveGraph]


class CouldNotValidate(UsageError):
    """The shapes or the data could not be used for validation at all (exit status 2)."""


# ----------------------------------------------------------------------------- inputs

@contextmanager
def literals_as_written() -> Iterator[None]:
    """Parse RDF keeping every literal's lexical form as written.

    rdflib rewrites some literals while parsing (``"01"^^xsd:integer`` becomes ``"1"``,
    ``"none"^^xsd:boolean`` becomes ``"false"``); SHACL checks the literal as written (its
    pattern, its length, whether it is well formed), so data and shapes are read without that.
    """
    import rdflib

    before = rdflib.NORMALIZE_LITERALS
    rdflib.NORMALIZE_LITERALS = False
    try:
        yield
    finally:
        rdflib.NORMALIZE_LITERALS = before


def load_shapes(path: Path | None = None) -> Graph:
    """The shapes graph: the packaged ``ontology/shapes.ttl`` or another file of shapes."""
    if path is None:
        return _packaged_shapes()
    from kg_build import rdfio

    try:
        with literals_as_written():
            ds = rdfio.load_dataset([path])
    except UsageError as exc:
        raise CouldNotValidate(f"cannot read the shapes: {exc}") from exc
    shapes = union(ds)
    problems = shape_problems(shapes, ontology_terms=False)
    if problems:
        raise CouldNotValidate(f"{path}: the shapes have mistakes that would check nothing: " + "; ".join(problems))
    return shapes


@lru_cache(maxsize=1)
def _packaged_shapes() -> Graph:
    try:
        return Graph().parse(SHAPES_FILE, format="turtle")
    except Exception as exc:  # a broken shipped file is a bug, but still say where
        raise CouldNotValidate(f"{SHAPES_FILE}: not valid Turtle: {exc}") from exc


class _PreparedQueryGraph(Graph):
    """A graph that parses each SPARQL text once.

    pySHACL runs a SPARQL constraint's query once per focus node, as text; parsing dominates the
    cost (tens of milliseconds per parse against about one to evaluate), so parsed queries are kept.
    """

    def query(self, query_object, *args, **kwargs):  # type: ignore[no-untyped-def, override]
        if isinstance(query_object, str):
            query_object = _prepared(query_object)
        return super().query(query_object, *args, **kwargs)


@lru_cache(maxsize=512)
def _prepared(text: str):  # type: ignore[no-untyped-def]
    from rdflib.plugins.sparql import prepareQuery

    return prepareQuery(text)


def union(data: DataInput) -> Graph:
    """One graph holding every triple of ``data`` (all named graphs and the default graph)."""
    g = _PreparedQueryGraph()
    if isinstance(data, ConjunctiveGraph):
        for s, p, o, _ in data.quads((None, None, None, None)):
            g.add((s, p, o))
    else:
        for t in data:
            g.add(t)
    return g


def data_graph(data: DataInput, with_ontology: bool = False) -> Graph:
    """The graph that is validated: the union of ``data`` and, with ``with_ontology``, the
    packaged ontology (unless ``data`` holds it already)."""
    g = union(data)
    if with_ontology and (ONTOLOGY_IRI, RDF.type, OWL.Ontology) not in g:
        for t in ontology_graph():
            g.add(t)
    return g


# ----------------------------------------------------------------------------- validation

ENGINES = ("oxigraph", "pyshacl")


def source_rules(shapes: Graph | None = None) -> list[URIRef]:
    """The shapes whose results are doubts about the source (severity warning or info), sorted."""
    sg = shapes if shapes is not None else _packaged_shapes()
    return sorted(
        s for sev in (SH.Warning, SH.Info) for s in sg.subjects(SH.severity, sev) if isinstance(s, URIRef)
    )


def validate(
    data: DataInput,
    shapes: Graph | Path | None = None,
    use_shapes: Iterable[Node] | None = None,
    focus_nodes: Iterable[Node] | None = None,
    engine: str = "pyshacl",
    with_ontology: bool = False,
) -> Report:
    """Validate ``data`` (a graph or a dataset) against the shapes; the result is a :class:`Report`.

    ``shapes`` defaults to the packaged shapes. ``use_shapes`` and ``focus_nodes`` restrict the run to
    some shapes or nodes (used by the tests to check one shape at a time). ``engine`` is
    ``"pyshacl"`` (the reference) or ``"oxigraph"`` (the shapes compiled to SPARQL and run on a
    pyoxigraph store, :mod:`kg_build.shacl_oxigraph`; the same report, much faster on large graphs).
    ``with_ontology`` validates the data together with the packaged ontology.
    Raises :class:`CouldNotValidate` when the shapes cannot be applied at all (before reading the data).
    """
    if engine not in ENGINES:
        raise UsageError(f"unknown validation engine {engine!r}: use 'oxigraph' or 'pyshacl'")
    sg = shapes if isinstance(shapes, Graph) else load_shapes(shapes)
    if engine == "oxigraph":
        from kg_build import shacl_oxigraph

        checks = shacl_oxigraph.checks_for(sg, use_shapes)  # refuses unsupported shapes first
        dg = data_graph(data, with_ontology)
        store = shacl_oxigraph.store_of(dg)
        report = shacl_oxigraph.run_checks(store, sg, checks, focus_nodes, triples=len(dg))
        # The store keeps typed literals by value ("150.0"^^xsd:decimal comes back as "150"):
        # report values as the data writes them.
        report = shacl_oxigraph.restore_lexical(report, dg, sg)
        return Report.of(report.results, sg, report.triples, describe(dg + sg, report.results))
    from pyshacl import validate as pyshacl_validate
    from pyparsing import ParseException
    from pyshacl.errors import ConstraintLoadError, ReportableRuntimeError, ShapeLoadError

    logging.getLogger("pyshacl-validate").setLevel(logging.ERROR)  # its warnings are not results

    dg = data_graph(data, with_ontology)
    kwargs: dict[str, object] = {}
    if use_shapes is not None:
        # pySHACL runs exactly the shapes listed: list each node shape's property shapes with it.
        chosen = list(use_shapes)
        kwargs["use_shapes"] = chosen + [p for s in chosen for p in sg.objects(s, SH.property) if p not in chosen]
    # Focus nodes are filtered here, not by pySHACL, which would also skip the value nodes that
    # sh:node, sh:or and qualified shapes check, and so miss results.
    only: set[Node] | None = set(focus_nodes) if focus_nodes is not None else None
    triples = len(dg)
    try:
        _, results_graph, _ = pyshacl_validate(
            dg, shacl_graph=sg, inference="none", advanced=True, allow_warnings=True,
            allow_infos=True, inplace=True, **kwargs,
        )
    except (ReportableRuntimeError, ShapeLoadError, ConstraintLoadError, ParseException, NotImplementedError) as exc:
        raise CouldNotValidate(f"the shapes could not be applied: {_one_line(exc)}") from exc
    except Exception as exc:  # pySHACL raises plain exceptions for some shapes it cannot load
        raise CouldNotValidate(f"pySHACL could not apply the shapes: {_one_line(exc)}") from exc
    if isinstance(results_graph, Exception):  # pySHACL returns, not raises, some failures
        raise CouldNotValidate(f"the shapes could not be applied: {_one_line(results_graph)}")
    results = [r for r in _results(results_graph) if only is None or r.focus_node in only]
    return Report.of(results, sg, triples, describe(dg + sg, results))


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


def _results(rg: Graph) -> Iterable[Result]:
    """The top-level results of a report (not the nested ``sh:detail`` results of sh:node etc.)."""
    for report in rg.subjects(RDF.type, SH.ValidationReport):
        for node in rg.objects(report, SH.result):
            path = rg.value(node, SH.resultPath)
            messages = sorted(str(m) for m in rg.objects(node, SH.resultMessage))
            yield Result(
                severity=severity_name(rg.value(node, SH.resultSeverity)),
                focus_node=rg.value(node, SH.focusNode),  # type: ignore[arg-type]
                result_path=read_path(rg, path) if path is not None else None,
                value=rg.value(node, SH.value),
                source_shape=rg.value(node, SH.sourceShape),  # type: ignore[arg-type]
                constraint_component=rg.value(node, SH.sourceConstraintComponent),  # type: ignore[arg-type]
                message=" ".join(messages),
            )


# ----------------------------------------------------------------------------- checking the shapes

# Parameters whose values name classes, properties or datatypes of the data.
_CLASS_PARAMETERS = (SH.targetClass, SH["class"])
_PROPERTY_PARAMETERS = (
    SH.targetSubjectsOf, SH.targetObjectsOf, SH.equals, SH.disjoint, SH.lessThan, SH.lessThanOrEquals,
)
_PATH_PARAMETERS = (SH.path, SH.inversePath, SH.alternativePath, SH.zeroOrMorePath, SH.oneOrMorePath,
                    SH.zeroOrOnePath)


# The built-in datatypes of XML Schema 1.1 Part 2 (section 3), as RDF 1.1 and OWL 2 use them.
XSD_DATATYPES = (
    "anyURI", "base64Binary", "boolean", "byte", "date", "dateTime", "dateTimeStamp", "dayTimeDuration",
    "decimal", "double", "duration", "float", "gDay", "gMonth", "gMonthDay", "gYear", "gYearMonth",
    "hexBinary", "int", "integer", "language", "long", "Name", "NCName", "negativeInteger", "NMTOKEN",
    "nonNegativeInteger", "nonPositiveInteger", "normalizedString", "positiveInteger", "short", "string",
    "time", "token", "unsignedByte", "unsignedInt", "unsignedLong", "unsignedShort", "yearMonthDuration",
)


def known_datatypes() -> frozenset[URIRef]:
    """Datatypes a ``sh:datatype`` may name: XSD's built-in datatypes and RDF's own."""
    rdf_types = (RDF.langString, RDF.HTML, RDF.XMLLiteral, RDF.JSON, RDF.PlainLiteral)
    return frozenset([XSD[name] for name in XSD_DATATYPES] + [URIRef(t) for t in rdf_types])


def _external_term(iri: URIRef) -> bool:
    """Whether ``iri`` is a term of a W3C or DCMI vocabulary that rdflib defines (closed namespaces)."""
    from rdflib.namespace import DCTERMS, RDFS as _RDFS, SKOS, VOID, XSD as _XSD

    for ns in (RDF, _RDFS, OWL, _XSD, SKOS, DCTERMS, VOID, SH):
        if str(iri).startswith(str(ns)):
            return iri in ns
    return False


def _path_properties(g: Graph, node: Node) -> Iterable[URIRef]:
    if isinstance(node, URIRef):
        yield node
        return
    for p in _PATH_PARAMETERS[1:]:
        for inner in g.objects(node, p):
            yield from _path_properties(g, inner)
    if (node, RDF.first, None) in g:
        for item in Collection(g, node):
            yield from _path_properties(g, item)


def sparql_terms(shapes: Graph) -> dict[Node, set[URIRef]]:
    """IRIs each SPARQL constraint's query uses (parsed with the shapes' ``sh:declare`` prefixes)."""
    from rdflib.plugins.sparql import prepareQuery

    out: dict[Node, set[URIRef]] = {}
    for shape, constraint in shapes.subject_objects(SH.sparql):
        select = shapes.value(constraint, SH.select)
        prefixes: dict[str, str] = {}
        hosts = list(shapes.objects(constraint, SH.prefixes))
        for host in hosts:  # a node's declarations and those of the nodes it owl:imports
            hosts.extend(h for h in shapes.objects(host, OWL.imports) if h not in hosts)
            for decl in shapes.objects(host, SH.declare):
                prefixes[str(shapes.value(decl, SH.prefix))] = str(shapes.value(decl, SH.namespace))
        try:
            query = prepareQuery(str(select), initNs=prefixes)
        except Exception as exc:  # pyparsing and rdflib raise many types for a bad query
            raise CouldNotValidate(f"a SPARQL constraint of {show(shape)} is not valid SPARQL: {_one_line(exc)}") from exc
        found: set[URIRef] = set()

        def walk(x: object) -> None:
            if isinstance(x, URIRef):
                found.add(x)
            elif isinstance(x, dict):
                for v in x.values():
                    walk(v)
            elif isinstance(x, (list, tuple, set)):
                for v in x:
                    walk(v)
            elif hasattr(x, "__dict__") and not isinstance(x, (str, bytes, Literal)):
                walk(vars(x))

        walk(query.algebra)
        out.setdefault(shape, set()).update(found)
    return out


def shape_problems(
    shapes: Graph, declared: frozenset[URIRef] | None = None, ontology_terms: bool = True
) -> list[str]:
    """Mistakes SHACL itself does not catch: unknown ``sh:`` terms (``sh:minCont``), datatypes that
    are not XSD/RDF datatypes, and classes or properties the ontology does not declare.

    A shapes graph with such a mistake silently checks nothing; the tests require none. With
    ``ontology_terms=False`` (shapes written for other vocabularies) only the first two are checked,
    and unknown ``sh:`` terms are left alone: SHACL ignores them (the W3C suite itself has one).
    """
    from kg_build.vocab import declared_terms

    declared = declared if declared is not None else declared_terms()
    problems: set[str] = set()
    for triple in shapes:
        for term in triple if ontology_terms else ():
            if isinstance(term, URIRef) and str(term).startswith(str(SH)) and term not in SH:
                problems.add(f"{show(term)} is not a term of the SHACL vocabulary")
    datatypes = known_datatypes()
    for dt in shapes.objects(None, SH.datatype):
        if dt not in datatypes:
            problems.add(f"sh:datatype {show(dt)} is not an XSD or RDF datatype")

    def check(iri: Node, what: str) -> None:
        if ontology_terms and isinstance(iri, URIRef) and iri not in declared and not _external_term(iri):
            problems.add(f"{what} {show(iri)} is neither declared in the ontology nor a W3C/DCMI term")

    for p in _CLASS_PARAMETERS:
        for c in shapes.objects(None, p):
            check(c, "class")
    for p in _PROPERTY_PARAMETERS:
        for prop in shapes.objects(None, p):
            check(prop, "property")
    for path in shapes.objects(None, SH.path):
        for prop in _path_properties(shapes, path):
            check(prop, "property")
    for terms in sparql_terms(shapes).values():
        for iri in terms:
            check(iri, "term in a SPARQL constraint")
    return sorted(problems)
