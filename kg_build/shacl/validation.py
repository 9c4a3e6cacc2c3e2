"""Validate RDF against the project's SHACL shapes (``ontology/shapes.ttl``) with pySHACL.

``validate`` returns a :class:`Report`, a plain value: whether the graph conforms and every result
(severity, focus node, path, value, shape, constraint component, message). A graph *conforms* when no
result is a violation; warnings report doubts about the source, not errors in the graph (pySHACL's
``allow_warnings`` semantics). Not being able to validate at all (unreadable or broken shapes) is an
exception, :class:`CouldNotValidate`.

The data validated is the union of every graph given, plus the packaged ontology when the data does
not hold it already, so that ``sh:targetClass`` and ``sh:class`` follow ``rdfs:subClassOf``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from rdflib import RDF, RDFS, XSD, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.graph import ConjunctiveGraph
from rdflib.namespace import OWL, SH
from rdflib.paths import AlternativePath, InvPath, MulPath, SequencePath
from rdflib.paths import Path as RDFPath
from rdflib.term import Node

from kg_build.errors import UsageError
from kg_build.rdf.prefixes import compress, namespaces
from kg_build.rdf.vocab import ontology_graph
from kg_build.resources import SHAPES_FILE

ONTOLOGY_IRI = URIRef("https://w3id.org/ntrk-kg/ontology")
SEVERITIES = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}
_SEVERITY_IRI = {v: k for k, v in SEVERITIES.items()}
_SEVERITY_RANK = {"Violation": 0, "Warning": 1, "Info": 2}

ResultPath = URIRef | RDFPath
DataInput = Graph | ConjunctiveGraph


class CouldNotValidate(UsageError):
    """The shapes or the data could not be used for validation at all (exit status 2)."""


@dataclass(frozen=True)
class Result:
    """One SHACL validation result, with the terms it names (IRIs and literals of the data)."""

    severity: str  # "Violation", "Warning" or "Info"
    focus_node: Node
    result_path: ResultPath | None
    value: Node | None
    source_shape: Node
    constraint_component: Node
    message: str

    def sort_key(self) -> tuple[object, ...]:
        return (
            _SEVERITY_RANK.get(self.severity, 9),
            str(self.source_shape),
            str(self.focus_node),
            _path_text(self.result_path, full=True),
            self.value.n3() if self.value is not None else "",
            self.message,
            str(self.constraint_component),  # a value may break two constraints of one shape
        )

    def line(self) -> str:
        """The result on one line: focus node, message and shape, with CURIEs."""
        return f"{_show(self.focus_node)}: {self.message} [{_show(self.source_shape)}]"

    def as_dict(self) -> dict[str, object]:
        """The result as JSON-ready data: full IRIs, literals as ``{"@value", "@type"|"@language"}``."""
        return {
            "severity": self.severity,
            "focus_node": _term_json(self.focus_node),
            "result_path": _path_text(self.result_path, full=True) or None,
            "value": _term_json(self.value),
            "source_shape": _term_json(self.source_shape),
            "constraint_component": _term_json(self.constraint_component),
            "message": self.message,
        }


@dataclass(frozen=True)
class Rule:
    """What a shape says in words: its name and the rule it states."""

    name: str
    comment: str


@dataclass(frozen=True)
class Report:
    """The outcome of a validation: conforms (no violation) and every result, sorted."""

    conforms: bool
    results: tuple[Result, ...]
    rules: dict[Node, Rule] = field(default_factory=dict, compare=False)
    triples: int = 0

    @property
    def violations(self) -> tuple[Result, ...]:
        return tuple(r for r in self.results if r.severity == "Violation")

    @property
    def warnings(self) -> tuple[Result, ...]:
        return tuple(r for r in self.results if r.severity != "Violation")

    def summary(self) -> str:
        """One line: conforms or not, with the number of violations and warnings."""
        v, w = len(self.violations), len(self.warnings)
        state = "conforms" if self.conforms else "does not conform"
        return (
            f"The graph {state}: {v} violation{'s' if v != 1 else ''}, {w} warning{'s' if w != 1 else ''}"
            f" ({self.triples} triples checked)."
        )

    def text(self) -> str:
        """A report for people: grouped by severity and shape, then by focus node."""
        lines = [self.summary()]
        groups: dict[tuple[str, Node], list[Result]] = {}
        for r in self.results:
            groups.setdefault((r.severity, r.source_shape), []).append(r)
        for (severity, shape), results in groups.items():
            rule = self.rules.get(shape, Rule(_show(shape), ""))
            nodes = len({r.focus_node for r in results})
            lines.append("")
            lines.append(f"{severity}: {rule.name} [{_show(shape)}], {nodes} node{'s' if nodes != 1 else ''}")
            if rule.comment:
                lines.append(f"  rule: {rule.comment}")
            by_node: dict[Node, list[Result]] = {}
            for r in results:
                by_node.setdefault(r.focus_node, []).append(r)
            for node, node_results in by_node.items():
                lines.append(f"  {_show(node)}")
                for r in node_results:
                    where = []
                    if r.result_path is not None:
                        where.append(f"path {_path_text(r.result_path)}")
                    if r.value is None:
                        where.append("value (none)")
                    elif r.value != r.focus_node:  # SHACL reports the node itself for node-level rules
                        where.append(f"value {_show(r.value)}")
                    where.append(f"check {_show(r.constraint_component)}")
                    lines.append(f"    - {'; '.join(where)}")
                    lines.append(f"      {r.message}")
        return "\n".join(lines) + "\n"

    def json(self) -> str:
        """The report as JSON (stable key order, results sorted)."""
        body = {
            "conforms": self.conforms,
            "violations": len(self.violations),
            "warnings": len(self.warnings),
            "triples": self.triples,
            "results": [r.as_dict() for r in self.results],
        }
        return json.dumps(body, indent=1, ensure_ascii=False) + "\n"

    def graph(self) -> Graph:
        """The SHACL validation report graph (``sh:ValidationReport``), results in sorted order."""
        g = Graph()
        for prefix, ns in namespaces().items():
            g.bind(prefix, ns, override=True, replace=True)
        report = BNode("report")
        g.add((report, RDF.type, SH.ValidationReport))
        g.add((report, SH.conforms, Literal(self.conforms)))
        for i, r in enumerate(self.results, 1):
            node = BNode(f"result{i:05d}")
            g.add((report, SH.result, node))
            g.add((node, RDF.type, SH.ValidationResult))
            g.add((node, SH.resultSeverity, _SEVERITY_IRI.get(r.severity, SH.Violation)))
            g.add((node, SH.focusNode, r.focus_node))
            g.add((node, SH.sourceShape, r.source_shape))
            g.add((node, SH.sourceConstraintComponent, r.constraint_component))
            g.add((node, SH.resultMessage, Literal(r.message)))
            if r.value is not None:
                g.add((node, SH.value, r.value))
            if r.result_path is not None:
                g.add((node, SH.resultPath, _path_node(g, r.result_path, f"result{i:05d}")))
        return g

    def turtle(self) -> str:
        return self.graph().serialize(format="turtle")


# ----------------------------------------------------------------------------- rendering helpers

def _show(node: Node | None) -> str:
    """A compact, readable form of a term: a CURIE where the prefix map knows the IRI.

    >>> _show(URIRef("https://w3id.org/ntrk-kg/id/fusion/ETV6--NTRK3"))
    'ntrkkg:fusion/ETV6--NTRK3'
    >>> _show(Literal("150.0", datatype=XSD.decimal))
    '"150.0"^^xsd:decimal'
    """
    if node is None:
        return ""
    if isinstance(node, URIRef):
        return compress(str(node)) or f"<{node}>"
    if isinstance(node, Literal):
        text = json.dumps(str(node), ensure_ascii=False)
        if node.language:
            return f"{text}@{node.language}"
        if node.datatype and node.datatype != XSD.string:
            return f"{text}^^{_show(node.datatype)}"
        return text
    return node.n3()


def _term_json(node: Node | None) -> object:
    if node is None:
        return None
    if isinstance(node, Literal):
        out: dict[str, str] = {"@value": str(node)}
        if node.language:
            out["@language"] = node.language
        else:
            out["@type"] = str(node.datatype or XSD.string)
        return out
    return str(node)


def _path_text(path: ResultPath | None, full: bool = False) -> str:
    """A SHACL path in SPARQL property-path syntax (CURIEs unless ``full``)."""
    if path is None:
        return ""
    if isinstance(path, URIRef):
        return f"<{path}>" if full else _show(path)
    if isinstance(path, InvPath):
        return "^" + _path_text(path.arg, full)
    if isinstance(path, SequencePath):
        return "/".join(_path_text(p, full) for p in path.args)
    if isinstance(path, AlternativePath):
        return "(" + "|".join(_path_text(p, full) for p in path.args) + ")"
    if isinstance(path, MulPath):
        return _path_text(path.path, full) + path.mod
    return str(path)  # pragma: no cover - no other path kinds exist


def _path_node(g: Graph, path: ResultPath, key: str) -> Node:
    """Write a path back as SHACL path triples (predicate paths and inverse paths as in the shapes)."""
    if isinstance(path, URIRef):
        return path
    node = BNode(f"{key}path")
    if isinstance(path, InvPath):
        g.add((node, SH.inversePath, _path_node(g, path.arg, key + "i")))
    elif isinstance(path, MulPath):
        prop = {"*": SH.zeroOrMorePath, "+": SH.oneOrMorePath, "?": SH.zeroOrOnePath}[path.mod]
        g.add((node, prop, _path_node(g, path.path, key + "m")))
    else:
        args = [_path_node(g, p, f"{key}{i}") for i, p in enumerate(path.args)]  # type: ignore[union-attr]
        head = BNode(f"{key}list")
        Collection(g, head, args)
        if isinstance(path, AlternativePath):
            g.add((node, SH.alternativePath, head))
        else:
            return head
    return node


def _read_path(g: Graph, node: Node) -> ResultPath:
    """A SHACL path node of a results graph as an rdflib path object."""
    if isinstance(node, URIRef):
        return node
    inverse = g.value(node, SH.inversePath)
    if inverse is not None:
        return InvPath(_read_path(g, inverse))
    alternative = g.value(node, SH.alternativePath)
    if alternative is not None:
        return AlternativePath(*[_read_path(g, p) for p in Collection(g, alternative)])
    for prop, mod in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
        inner = g.value(node, prop)
        if inner is not None:
            return MulPath(_read_path(g, inner), mod)
    return SequencePath(*[_read_path(g, p) for p in Collection(g, node)])


# ----------------------------------------------------------------------------- inputs

def load_shapes(path: Path | None = None) -> Graph:
    """The shapes graph: the packaged ``ontology/shapes.ttl`` or another file of shapes."""
    if path is None:
        return _packaged_shapes()
    from kg_build.rdf import io as rdfio

    try:
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


def data_graph(data: DataInput) -> Graph:
    """The graph that is validated: the union of ``data``, plus the packaged ontology if absent."""
    g = union(data)
    if (ONTOLOGY_IRI, RDF.type, OWL.Ontology) not in g:
        for t in ontology_graph():
            g.add(t)
    return g


def _rules(shapes: Graph, nodes: Iterable[Node]) -> dict[Node, Rule]:
    out = {}
    for shape in nodes:
        name = shapes.value(shape, SH.name)
        comment = shapes.value(shape, RDFS.comment)
        out[shape] = Rule(str(name) if name is not None else _show(shape), str(comment or ""))
    return out


# ----------------------------------------------------------------------------- validation

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
) -> Report:
    """Validate ``data`` (a graph or a dataset) against the shapes; the result is a :class:`Report`.

    ``shapes`` defaults to the packaged shapes. ``use_shapes`` and ``focus_nodes`` restrict the run to
    some shapes or nodes (used by the tests to check one shape at a time). ``engine`` is
    ``"pyshacl"`` (the reference) or ``"oxigraph"`` (the shapes compiled to SPARQL and run on a
    pyoxigraph store, :mod:`kg_build.shacl.oxigraph`; same report, much faster on large graphs).
    Raises :class:`CouldNotValidate` when the shapes cannot be applied at all.
    """
    if engine == "oxigraph":
        from kg_build.shacl import oxigraph as shacl_oxigraph

        sg = shapes if isinstance(shapes, Graph) else load_shapes(shapes)
        quads = data.quads((None, None, None, None)) if isinstance(data, ConjunctiveGraph) else iter(data)
        store = shacl_oxigraph.store_of((q[0], q[1], q[2]) for q in quads)
        report = shacl_oxigraph.validate_store(store, sg, use_shapes, focus_nodes)
        # The store keeps typed literals by value ("150.0"^^xsd:decimal comes back as "150"):
        # report values as the data writes them.
        return shacl_oxigraph.restore_lexical(report, data_graph(data))
    if engine != "pyshacl":
        raise UsageError(f"unknown validation engine {engine!r}: use 'oxigraph' or 'pyshacl'")
    from pyparsing import ParseException
    from pyshacl import validate as pyshacl_validate
    from pyshacl.errors import ConstraintLoadError, ReportableRuntimeError, ShapeLoadError

    sg = shapes if isinstance(shapes, Graph) else load_shapes(shapes)
    dg = data_graph(data)
    kwargs: dict[str, object] = {}
    if use_shapes is not None:
        # pySHACL runs exactly the shapes listed: list each node shape's property shapes with it.
        chosen = list(use_shapes)
        kwargs["use_shapes"] = chosen + [p for s in chosen for p in sg.objects(s, SH.property) if p not in chosen]
    # Focus nodes are filtered here, not by pySHACL, which would also skip the value nodes that
    # sh:node, sh:or and qualified shapes check, and so miss results.
    only: set[Node] | None = set(focus_nodes) if focus_nodes is not None else None
    try:
        _, results_graph, _ = pyshacl_validate(
            dg, shacl_graph=sg, inference="none", advanced=True, allow_warnings=True,
            allow_infos=True, inplace=True, **kwargs,
        )
    except (ReportableRuntimeError, ShapeLoadError, ConstraintLoadError, ParseException) as exc:
        raise CouldNotValidate(f"the shapes could not be applied: {exc}") from exc
    if isinstance(results_graph, Exception):  # pySHACL returns, not raises, some failures
        raise CouldNotValidate(f"the shapes could not be applied: {results_graph}")
    results = sorted(
        {r for r in _results(results_graph) if only is None or r.focus_node in only}, key=Result.sort_key
    )
    conforms = not any(r.severity == "Violation" for r in results)
    return Report(conforms, tuple(results), _rules(sg, {r.source_shape for r in results}), len(dg))


def _results(rg: Graph) -> Iterable[Result]:
    """The top-level results of a report (not the nested ``sh:detail`` results of sh:node etc.)."""
    for node in rg.objects(None, SH.result):
        path = rg.value(node, SH.resultPath)
        messages = sorted(str(m) for m in rg.objects(node, SH.resultMessage))
        yield Result(
            severity=SEVERITIES.get(rg.value(node, SH.resultSeverity), "Violation"),  # type: ignore[arg-type]
            focus_node=rg.value(node, SH.focusNode),  # type: ignore[arg-type]
            result_path=_read_path(rg, path) if path is not None else None,
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
    from rdflib.namespace import DCTERMS, SKOS, VOID
    from rdflib.namespace import RDFS as _RDFS
    from rdflib.namespace import XSD as _XSD

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
        for host in shapes.objects(constraint, SH.prefixes):
            for decl in shapes.objects(host, SH.declare):
                prefixes[str(shapes.value(decl, SH.prefix))] = str(shapes.value(decl, SH.namespace))
        query = prepareQuery(str(select), initNs=prefixes)
        found: set[URIRef] = set()

        def walk(x: object, found: set[URIRef] = found) -> None:
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
    ``ontology_terms=False`` (shapes written for other vocabularies) only the first two are checked.
    """
    from kg_build.rdf.vocab import declared_terms

    declared = declared if declared is not None else declared_terms()
    problems: set[str] = set()
    for triple in shapes:
        for term in triple:
            if isinstance(term, URIRef) and str(term).startswith(str(SH)) and term not in SH:
                problems.add(f"{_show(term)} is not a term of the SHACL vocabulary")
    datatypes = known_datatypes()
    for dt in shapes.objects(None, SH.datatype):
        if dt not in datatypes:
            problems.add(f"sh:datatype {_show(dt)} is not an XSD or RDF datatype")

    def check(iri: Node, what: str) -> None:
        if ontology_terms and isinstance(iri, URIRef) and iri not in declared and not _external_term(iri):
            problems.add(f"{what} {_show(iri)} is neither declared in the ontology nor a W3C/DCMI term")

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
