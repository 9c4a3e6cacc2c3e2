"""The outcome of a SHACL validation: results, the report for people, JSON and the report graph.

A :class:`Report` is a plain value every engine returns. As the SHACL specification defines it, a
graph *conforms* when the validation gives no result at all, whatever its severity; the command
line still treats warnings and infos as non-fatal (exit status 0) and only violations as failures.
Identical results are all kept (two shapes, or one shape reached twice, may report the same thing)
and a shape's own severity IRI is kept as it is written.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from typing import Literal as Only

from rdflib import RDF, RDFS, XSD, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH
from rdflib.paths import AlternativePath, InvPath, MulPath, SequencePath
from rdflib.paths import Path as RDFPath
from rdflib.term import Node

from kg_build.rdf.prefixes import compress, namespaces

if TYPE_CHECKING:
    import pyoxigraph as ox

SEVERITIES = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}
_SEVERITY_RANK = {"Violation": 0, "Warning": 1, "Info": 2}

ResultPath = URIRef | RDFPath
Triple = tuple[Node, Node, Node]
Multiplicity = Only["*", "+", "?"]
MULTIPLICITIES: tuple[tuple[URIRef, Multiplicity], ...] = (
    (SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?"),
)
"""SHACL's paths with a multiplicity and the SPARQL modifier of each."""


def severity_name(iri: Node | None) -> str:
    """``Violation``, ``Warning`` or ``Info`` for SHACL's severities, the IRI itself for any other.

    >>> severity_name(SH.Warning), severity_name(URIRef("http://example.org/Minor"))
    ('Warning', 'http://example.org/Minor')
    """
    if iri is None:
        return "Violation"
    known = SEVERITIES.get(iri) if isinstance(iri, URIRef) else None
    return known if known is not None else str(iri)


def severity_iri(name: str) -> URIRef:
    """The IRI of a severity named by :func:`severity_name`."""
    return SH[name] if name in _SEVERITY_RANK else URIRef(name)


@dataclass(frozen=True)
class Result:
    """One SHACL validation result, with the terms it names (IRIs and literals of the data)."""

    severity: str  # "Violation", "Warning", "Info" or the IRI of a shape's own severity
    focus_node: Node
    result_path: ResultPath | None
    value: Node | None
    source_shape: Node
    constraint_component: Node
    message: str

    def sort_key(self) -> tuple[object, ...]:
        return (
            _SEVERITY_RANK.get(self.severity, 3),
            self.severity,
            str(self.source_shape),
            str(self.focus_node),
            path_text(self.result_path, full=True),
            self.value.n3() if self.value is not None else "",
            self.message,
            str(self.constraint_component),  # a value may break two constraints of one shape
        )

    def line(self) -> str:
        """The result on one line: focus node, message and shape, with CURIEs."""
        return f"{show(self.focus_node)}: {self.message} [{show(self.source_shape)}]"

    def as_dict(self) -> dict[str, object]:
        """The result as JSON-ready data: full IRIs, literals as ``{"@value", "@type"|"@language"}``."""
        return {
            "severity": self.severity,
            "focus_node": _term_json(self.focus_node),
            "result_path": path_text(self.result_path, full=True) or None,
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


def rules_of(shapes: Graph, nodes: Iterable[Node]) -> dict[Node, Rule]:
    """The name (``sh:name``) and rule (``rdfs:comment``) of each shape of ``nodes``."""
    out = {}
    for shape in nodes:
        name = shapes.value(shape, SH.name)
        comment = shapes.value(shape, RDFS.comment)
        out[shape] = Rule(str(name) if name is not None else show(shape), str(comment or ""))
    return out


@dataclass(frozen=True)
class Report:
    """The outcome of a validation: every result, sorted; ``conforms`` when there is none.

    ``described`` holds the triples that describe the blank nodes the results name (a shape
    written inline with its ``sh:in`` list, a blank focus node), so that the report graph
    identifies them. Its text, JSON and graph name those blank nodes by labels made from what the
    report says of them (see :meth:`stable`), the same in every run.
    """

    results: tuple[Result, ...]
    rules: dict[Node, Rule] = field(default_factory=dict, compare=False)
    triples: int = 0
    described: tuple[Triple, ...] = field(default=(), compare=False, repr=False)
    labelled: bool = field(default=False, compare=False, repr=False)

    @classmethod
    def of(
        cls, results: Iterable[Result], shapes: Graph, triples: int,
        described: Iterable[Triple] = (),
    ) -> Report:
        """A report of ``results`` (sorted, duplicates kept), with the rules of their shapes."""
        ordered = tuple(sorted(results, key=Result.sort_key))
        return cls(ordered, rules_of(shapes, {r.source_shape for r in ordered}), triples, tuple(described))

    @property
    def conforms(self) -> bool:
        """No result at all (SHACL's definition)."""
        return not self.results

    @property
    def violations(self) -> tuple[Result, ...]:
        return tuple(r for r in self.results if r.severity == "Violation")

    @property
    def warnings(self) -> tuple[Result, ...]:
        """The results that are not violations (warnings, infos and any other severity)."""
        return tuple(r for r in self.results if r.severity != "Violation")

    def summary(self) -> str:
        """One line: conforms or not, with the number of violations and of other results."""
        v, w = len(self.violations), len(self.warnings)
        state = "conforms" if self.conforms else "does not conform"
        return (
            f"The graph {state}: {v} violation{'s' if v != 1 else ''}, {w} warning{'s' if w != 1 else ''}"
            f" ({self.triples} triples checked)."
        )

    def stable(self) -> Report:
        """The report with each blank node of the data or the shapes that it names relabelled from
        what the report says of it, and its results sorted again.

        A parser labels blank nodes afresh in each run, so a shape written inline, its ``sh:in``
        list or a blank focus node would otherwise carry a new label, and sort in a new place, each
        time. The labels come from RDF canonicalisation (pyoxigraph's) of the described triples
        together with each result's link to the node; a result takes part through a name made of
        what it says, blank nodes aside, so the labels depend on no run's order. Without such a
        blank node the report is returned as it is.
        """
        named = {n for r in self.results for n in (r.focus_node, r.value, r.source_shape) if isinstance(n, BNode)}
        if self.labelled or not named:
            return self
        import pyoxigraph as ox

        from kg_build.rdf.bridge import from_rdflib, to_rdflib

        signature = _signatures(self.described, named)
        anchors: list[URIRef] = []
        taken: dict[str, int] = {}
        quads = [ox.Quad(*(from_rdflib(x) for x in t)) for t in self.described]  # type: ignore[arg-type]
        for r in self.results:
            fields = (r.focus_node, r.value, r.source_shape)
            words = [r.severity, path_text(r.result_path, full=True), str(r.constraint_component), r.message]
            words += [signature.get(n, "_:") if isinstance(n, BNode) else (n.n3() if n is not None else "") for n in fields]
            digest = hashlib.sha256("\n".join(words).encode("utf-8")).hexdigest()
            anchor = URIRef(f"urn:x-result:{digest}:{taken.setdefault(digest, 0)}")
            taken[digest] += 1
            anchors.append(anchor)
            for prop, node in zip(_NAMED_BY_RESULT, fields, strict=True):
                if isinstance(node, BNode):
                    quads.append(ox.Quad(ox.NamedNode(anchor), ox.NamedNode(prop), ox.BlankNode(node)))
        dataset = ox.Dataset(quads)
        dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
        linked: dict[tuple[Node, Node], Node] = {}
        described: list[Triple] = []
        for q in dataset:
            s, p, o = to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)
            if isinstance(s, URIRef) and s.startswith("urn:x-result:"):
                linked[(s, p)] = o
            else:
                described.append((s, p, o))
        relabel: dict[Node, Node] = {}

        def label(node: Node | None, anchor: URIRef, prop: URIRef) -> Node | None:
            if not isinstance(node, BNode):
                return node
            relabel[node] = linked[(anchor, prop)]
            return relabel[node]

        results = []
        for r, anchor in zip(self.results, anchors, strict=True):
            focus, shape = label(r.focus_node, anchor, SH.focusNode), label(r.source_shape, anchor, SH.sourceShape)
            assert focus is not None and shape is not None  # a result always names both
            value = label(r.value, anchor, SH.value)
            results.append(Result(r.severity, focus, r.result_path, value, shape, r.constraint_component, r.message))
        rules = {relabel.get(shape, shape): Rule(show(relabel[shape]), rule.comment)
                 if shape in relabel and rule.name == show(shape) else rule for shape, rule in self.rules.items()}
        ordered = tuple(sorted(results, key=Result.sort_key))
        return Report(ordered, rules, self.triples, tuple(sorted(described, key=_triple_key)), labelled=True)

    def text(self) -> str:
        """A report for people: grouped by severity and shape, then by focus node."""
        stable = self.stable()
        if stable is not self:
            return stable.text()
        lines = [self.summary()]
        groups: dict[tuple[str, Node], list[Result]] = {}
        for r in self.results:
            groups.setdefault((r.severity, r.source_shape), []).append(r)
        for (severity, shape), results in groups.items():
            rule = self.rules.get(shape, Rule(show(shape), ""))
            nodes = len({r.focus_node for r in results})
            lines.append("")
            label = severity if severity in _SEVERITY_RANK else show(URIRef(severity))
            lines.append(f"{label}: {rule.name} [{show(shape)}], {nodes} node{'s' if nodes != 1 else ''}")
            if rule.comment:
                lines.append(f"  rule: {rule.comment}")
            by_node: dict[Node, list[Result]] = {}
            for r in results:
                by_node.setdefault(r.focus_node, []).append(r)
            for node, node_results in by_node.items():
                lines.append(f"  {show(node)}")
                for r in node_results:
                    where = []
                    if r.result_path is not None:
                        where.append(f"path {path_text(r.result_path)}")
                    if r.value is None:
                        where.append("value (none)")
                    elif r.value != r.focus_node:  # SHACL reports the node itself for node-level rules
                        where.append(f"value {show(r.value)}")
                    where.append(f"check {show(r.constraint_component)}")
                    lines.append(f"    - {'; '.join(where)}")
                    lines.append(f"      {r.message}")
        return "\n".join(lines) + "\n"

    def json(self) -> str:
        """The report as JSON (stable key order, results sorted)."""
        stable = self.stable()
        if stable is not self:
            return stable.json()
        body = {
            "conforms": self.conforms,
            "violations": len(self.violations),
            "warnings": len(self.warnings),
            "triples": self.triples,
            "results": [r.as_dict() for r in self.results],
        }
        return json.dumps(body, indent=1, ensure_ascii=False) + "\n"

    def graph(self) -> Graph:
        """The SHACL validation report graph (``sh:ValidationReport``), results in sorted order,
        with the description of each blank node a result names."""
        stable = self.stable()
        if stable is not self:
            return stable.graph()
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
            g.add((node, SH.resultSeverity, severity_iri(r.severity)))
            g.add((node, SH.focusNode, r.focus_node))
            g.add((node, SH.sourceShape, r.source_shape))
            g.add((node, SH.sourceConstraintComponent, r.constraint_component))
            if r.message:
                g.add((node, SH.resultMessage, Literal(r.message)))
            if r.value is not None:
                g.add((node, SH.value, r.value))
            if r.result_path is not None:
                g.add((node, SH.resultPath, path_node(g, r.result_path, f"result{i:05d}")))
        for t in self.described:
            g.add(t)
        return g

    def turtle(self) -> str:
        """The report graph as Turtle, triples sorted (every literal written as valid Turtle, even an
        ill-formed one such as ``"none"^^xsd:boolean``, which rdflib's writer would leave bare)."""
        import pyoxigraph as ox

        triples = sorted(self.graph(), key=_triple_key)
        body = ox.serialize([_ox_triple(t) for t in triples], format=ox.RdfFormat.TURTLE,
                            prefixes={p: str(ns) for p, ns in namespaces().items()})
        assert body is not None  # serialize returns the bytes when given no output
        return body.decode("utf-8")


_NAMED_BY_RESULT = (SH.focusNode, SH.value, SH.sourceShape)
"""The properties by which a result names a node of the data or the shapes."""


def _triple_key(t: Triple) -> tuple[str, ...]:
    return tuple(x.n3() for x in t)


def _signatures(described: Iterable[Triple], nodes: Iterable[Node]) -> dict[Node, str]:
    """For each of ``nodes``, its description in ``described`` as text (nested blank nodes written
    out the same way, a node met again on the way as ``_:``): the same in every run."""
    about: dict[Node, list[tuple[Node, Node]]] = {}
    for s, p, o in described:
        about.setdefault(s, []).append((p, o))

    def text(node: Node, path: frozenset[Node]) -> str:
        if not isinstance(node, BNode):
            return node.n3()
        if node in path or node not in about:
            return "_:"
        inner = path | {node}
        return "[" + " ; ".join(sorted(f"{p.n3()} {text(o, inner)}" for p, o in about[node])) + "]"

    return {node: text(node, frozenset()) for node in nodes}


def describe(graph: Graph, results: Iterable[Result]) -> list[Triple]:
    """The triples of ``graph`` that describe the blank nodes ``results`` name (followed through
    nested blank nodes and lists), for :attr:`Report.described`."""
    todo = [n for r in results for n in (r.focus_node, r.value, r.source_shape) if isinstance(n, BNode)]
    seen: set[Node] = set()
    out: list[Triple] = []
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for p, o in graph.predicate_objects(node):
            out.append((node, p, o))
            if isinstance(o, BNode):
                todo.append(o)
    return out


# ----------------------------------------------------------------------------- rendering helpers

def show(node: Node | None) -> str:
    """A compact, readable form of a term: a CURIE where the prefix map knows the IRI.

    >>> show(URIRef("https://w3id.org/ntrk-kg/id/fusion/ETV6--NTRK3"))
    'ntrkkg:fusion/ETV6--NTRK3'
    >>> show(Literal("150.0", datatype=XSD.decimal))
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
            return f"{text}^^{show(node.datatype)}"
        return text
    return node.n3()


def _ox_triple(t: Triple) -> ox.Triple:
    import pyoxigraph as ox

    from kg_build.rdf.bridge import from_rdflib

    s, p, o = (from_rdflib(x) for x in t)
    assert not isinstance(s, ox.Literal) and isinstance(p, ox.NamedNode)  # the report graph is plain RDF
    return ox.Triple(s, p, o)


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
    if isinstance(node, BNode):
        return f"_:{node}"
    return str(node)


def path_text(path: ResultPath | None, full: bool = False) -> str:
    """A SHACL path in SPARQL property-path syntax (CURIEs unless ``full``)."""
    if path is None:
        return ""
    if isinstance(path, URIRef):
        return f"<{path}>" if full else show(path)
    if isinstance(path, InvPath):
        return "^" + path_text(path.arg, full)
    if isinstance(path, SequencePath):
        return "/".join(path_text(p, full) for p in path.args)
    if isinstance(path, AlternativePath):
        return "(" + "|".join(path_text(p, full) for p in path.args) + ")"
    if isinstance(path, MulPath):
        return path_text(path.path, full) + path.mod
    return str(path)  # pragma: no cover - no other path kinds exist


def path_node(g: Graph, path: ResultPath, key: str) -> Node:
    """Write a path back as SHACL path triples (predicate paths and inverse paths as in the shapes)."""
    if isinstance(path, URIRef):
        return path
    node = BNode(f"{key}path")
    if isinstance(path, InvPath):
        g.add((node, SH.inversePath, path_node(g, path.arg, key + "i")))
    elif isinstance(path, MulPath):
        prop = next(p for p, mod in MULTIPLICITIES if mod == path.mod)
        g.add((node, prop, path_node(g, path.path, key + "m")))
    else:
        assert isinstance(path, (SequencePath, AlternativePath))  # read_path makes no other kind
        args = [path_node(g, p, f"{key}{i}") for i, p in enumerate(path.args)]
        head = BNode(f"{key}list")
        Collection(g, head, args)
        if isinstance(path, AlternativePath):
            g.add((node, SH.alternativePath, head))
        else:
            return head
    return node


def read_path(g: Graph, node: Node) -> ResultPath:
    """A SHACL path node of a shapes or results graph as an rdflib path object."""
    if isinstance(node, URIRef):
        return node
    if (node, RDF.first, None) in g:  # a list is a sequence path, whatever else the node says
        return SequencePath(*[read_path(g, p) for p in Collection(g, node)])
    inverse = g.value(node, SH.inversePath)
    if inverse is not None:
        return InvPath(read_path(g, inverse))
    alternative = g.value(node, SH.alternativePath)
    if alternative is not None:
        return AlternativePath(*[read_path(g, p) for p in Collection(g, alternative)])
    for prop, mod in MULTIPLICITIES:
        inner = g.value(node, prop)
        if inner is not None:
            return MulPath(read_path(g, inner), mod)
    return SequencePath(*[read_path(g, p) for p in Collection(g, node)])
