"""The fact-check layer: findings about the guide's statements, in their own named graph.

Curated findings come from ``findings.tsv`` and ``finding_evidence.tsv``; findings a rule can
derive (a prevalence value outside the band the guide lists it under) come from the validation
report. Findings point at the statement, reference or guide they concern; nothing is ever added
to the guide graph, so removing the fact-check graph leaves the guide's statements as they were.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from rdflib import RDF, RDFS, XSD, Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, SH
from rdflib.term import Node

from kg_build.curation.curated import FINDING_KINDS, SEVERITIES, Curated
from kg_build.curation.values import Range, ValueSyntaxError, parse_percent
from kg_build.rdf import iris
from kg_build.rdf import ntriples as nt
from kg_build.rdf.literals import integer
from kg_build.rdf.vocab import NT, T
from kg_build.rdf.xsd import canonical_decimal
from kg_build.tsv import split_list

RULE_SEVERITIES = {SH.Violation: "ErrorSeverity", SH.Warning: "WarningSeverity", SH.Info: "InfoSeverity"}


@dataclass(frozen=True)
class RuleResult:
    """The parts of one validation result that become a finding."""

    severity: URIRef
    focus_node: URIRef
    source_shape: URIRef
    message: str
    value: URIRef | None = None  # the other node a rule names (e.g. a second statement), if any



class TripleSink(Protocol):
    """Where findings are added: an rdflib ``Graph``, or anything with its ``add``."""

    def add(self, triple: tuple[Node, Node, Node], /) -> object: ...


class TextSink(Protocol):
    """Where rule findings are added as N-Triples text: a graph of a
    :class:`~kg_build.build.quads.QuadSink`, or anything with its ``add``."""

    def add(self, s: str, p: str, o: str, /) -> None: ...


class GuideFacts(Protocol):
    """What the rule findings read of the guide graph, every node named by its IRI: the lexical
    form of a literal value, the IRIs a node points to, and whether a node has a type."""

    def literal(self, subject: str, predicate: str) -> str | None: ...
    def iris(self, subject: str, predicate: str) -> list[str]: ...
    def has_type(self, subject: str, cls: str) -> bool: ...


def add_percent(g: TripleSink, node: URIRef, text: str) -> None:
    """Add the parsed range of ``text`` to ``node`` when it is a percentage (other values stay text)."""
    value = percent_range(text)
    if value is not None:
        add_range(g, node, value)


def percent_range(text: str) -> Range | None:
    """The parsed range of ``text`` when it is a percentage, else ``None`` (the value stays text).

    >>> percent_range("about 40"), percent_range(">90%").lower
    (None, Decimal('90'))
    """
    if "%" not in text:
        return None
    try:
        return parse_percent(text)
    except ValueSyntaxError:
        return None


def concerned_node(document: str, concerns: str) -> URIRef:
    """The IRI a ``concerns`` cell names (``statement:<key>``, ``reference:<n>``, ``guide:<doc>``).

    >>> str(concerned_node("ntrk-guide", "reference:2"))
    'https://w3id.org/ntrk-kg/id/guide/ntrk-guide/reference/2'
    """
    kind, _, key = concerns.partition(":")
    if kind == "statement":
        return iris.statement(document, key)
    if kind == "reference":
        return iris.reference(document, key)
    return iris.guide(key)


def add_curated_findings(ds: Dataset, cur: Curated) -> Graph:
    """Write every curated finding and its evidence into the fact-check graph."""
    g = ds.graph(iris.FACTCHECK_GRAPH)
    for r in cur["findings"]:
        doc, node = r["document"], iris.finding(r["key"])
        g.add((node, RDF.type, T.Finding))
        g.add((node, RDFS.label, Literal(r["label"])))
        g.add((node, T.findingKind, T[FINDING_KINDS[r["kind"]]]))
        g.add((node, T.severity, T[SEVERITIES[r["severity"]]]))
        for concern in split_list(r["concerns"]):
            g.add((node, T.concerns, concerned_node(doc, concern)))
        g.add((node, T.explanation, Literal(r["explanation"])))
        if r["stated_value"]:
            g.add((node, T.statedValue, Literal(r["stated_value"])))
        for n in split_list(r["checked_against"]):
            g.add((node, T.checkedAgainst, iris.reference(doc, n)))
    for r in cur["finding_evidence"]:
        doc, node = r["document"], iris.evidence(r["finding"], r["order"])
        g.add((iris.finding(r["finding"]), T.hasEvidence, node))
        g.add((node, RDF.type, T.Evidence))
        g.add((node, RDFS.label, Literal(evidence_label(r["reference"], r["value"], r["reported_for"]))))
        g.add((node, T.order, integer(r["order"])))
        if r["reference"]:
            g.add((node, T.readIn, iris.reference(doc, r["reference"])))
        for url in split_list(r["urls"]):
            g.add((node, T.confirmedAt, URIRef(url)))
        if r["value"]:
            g.add((node, T.reportedValue, Literal(r["value"])))
            add_percent(g, node, r["value"])
        if r["reported_for"]:
            g.add((node, T.reportedFor, Literal(r["reported_for"])))
        if r["quote"]:
            g.add((node, T.quotation, Literal(r["quote"])))
        if r["refers_to"]:
            target = iris.curie(r["refers_to"])
            g.add((node, T.refersTo, target))
            g.add((target, DCTERMS.identifier, Literal(r["refers_to"])))
            if r["refers_to_label"]:
                g.add((target, RDFS.label, Literal(r["refers_to_label"])))
    return g


def evidence_label(reference: str, value: str, reported_for: str) -> str:
    """A one-line summary of a piece of evidence, for tables and the report.

    >>> evidence_label("6", "0.91%", "soft tissue sarcoma (19/2077)")
    '[6] reports 0.91% for soft tissue sarcoma (19/2077)'
    >>> evidence_label("8", "", "no breast figure in the abstract")
    '[8]: no breast figure in the abstract'
    """
    who = f"[{reference}]" if reference else "another source"
    if value:
        return f"{who} reports {value} for {reported_for}" if reported_for else f"{who} reports {value}"
    return f"{who}: {reported_for}"


_SEGMENT = re.compile(r"[#/]")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_NOT_KEY = re.compile(r"[^a-z0-9]+")


@lru_cache(maxsize=1 << 16)
def _local_key(iri: str) -> str:
    """The last segment of an IRI as a lower-case, hyphenated key.

    >>> _local_key("https://w3id.org/ntrk-kg/shapes#PrevalenceWithinBandShape")
    'prevalence-within-band-shape'
    """
    tail = _SEGMENT.split(iri.rstrip("/#"))[-1]
    tail = _CAMEL.sub("-", tail)
    return _NOT_KEY.sub("-", tail.lower()).strip("-")


def rule_finding_key(result: RuleResult) -> str:
    """A deterministic key for a finding derived by a rule: the shape and the focus node.

    >>> rule_finding_key(RuleResult(URIRef("http://www.w3.org/ns/shacl#Warning"),
    ...     URIRef("https://w3id.org/ntrk-kg/id/guide/ntrk-guide/statement/prevalence-glioblastoma"),
    ...     URIRef("https://w3id.org/ntrk-kg/shapes#ValueInBandShape"), "m"))
    'rule-value-in-band-shape--prevalence-glioblastoma'

    A rule that names a second node (a pair of statements) adds it, so each pair has its own key.
    """
    key = f"rule-{_local_key(str(result.source_shape))}--{_local_key(str(result.focus_node))}"
    if result.value is not None and result.value != result.focus_node:
        key += f"--{_local_key(str(result.value))}"
    return key


class ValidationResult(Protocol):
    """What the fact-check layer reads of a SHACL validation result."""

    @property
    def severity(self) -> object: ...
    @property
    def focus_node(self) -> Node: ...
    @property
    def source_shape(self) -> Node: ...
    @property
    def message(self) -> str: ...


def rule_results(results: Iterable[ValidationResult]) -> list[RuleResult]:
    """The warnings and notes of a validation report, as rule results (violations fail the build instead).

    Accepts results whose ``severity`` is a SHACL severity IRI or its local name ("Warning").
    """
    out = []
    for r in results:
        severity = r.severity
        if not isinstance(severity, URIRef):
            severity = SH[str(severity)]
        if severity in (SH.Warning, SH.Info):
            assert isinstance(r.focus_node, URIRef) and isinstance(r.source_shape, URIRef)
            value = getattr(r, "value", None)
            out.append(RuleResult(severity, r.focus_node, r.source_shape, str(r.message),
                                  value if isinstance(value, URIRef) else None))
    return out


def add_rule_findings(ds: Dataset, results: Iterable[RuleResult]) -> list[URIRef]:
    """Turn validation results about guide statements into findings of kind internal inconsistency.

    The evidence of each is the guide itself: the band the guide lists the statement under, or,
    for a rule that names a second statement (two statements that cannot both hold), that other
    statement, which the finding then concerns too. Returns the findings added, in key order.
    (The rdflib form of :func:`add_rule_findings_to`, which the build uses on its store.)
    """
    from kg_build.build.quads import QuadSink

    sink = QuadSink()
    added = add_rule_findings_to(sink.graph(str(iris.FACTCHECK_GRAPH)), GraphFacts(ds.graph(iris.GUIDE_GRAPH)), results)
    ds.parse(data="".join(sink.sorted_lines()), format="nquads")
    return [URIRef(iri) for iri in added]


class GraphFacts:
    """:class:`GuideFacts` read from an rdflib graph."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    def literal(self, subject: str, predicate: str) -> str | None:
        for o in self.graph.objects(URIRef(subject), URIRef(predicate)):
            return str(o) if isinstance(o, Literal) else None
        return None

    def iris(self, subject: str, predicate: str) -> list[str]:
        return [str(o) for o in self.graph.objects(URIRef(subject), URIRef(predicate)) if isinstance(o, URIRef)]

    def has_type(self, subject: str, cls: str) -> bool:
        return (URIRef(subject), RDF.type, URIRef(cls)) in self.graph


_TYPE, _LABEL = f"<{RDF.type}>", f"<{RDFS.label}>"
_RDFS_LABEL, _STATEMENT = str(RDFS.label), str(T.Statement)
_VERBATIM_VALUE, _VERBATIM_LABEL = str(T.verbatimValue), str(T.verbatimLabel)
_IN_BAND, _IN_SECTION = str(T.inBand), str(T.inSection)
_CITES, _NUMBER = str(T.citesReference), str(T.referenceNumber)
_ONE = nt.typed("1", "integer")


def add_rule_findings_to(g: TextSink, guide: GuideFacts, results: Iterable[RuleResult]) -> list[str]:
    """:func:`add_rule_findings` as N-Triples text: the findings go to ``g``, the statements they
    quote are read from ``guide`` (the statements' types, labels, values, bands, sections and
    cited references suffice). Returns the IRIs of the findings added, in key order."""
    added: list[str] = []
    keys = {res: rule_finding_key(res) for res in set(results)}
    for res in sorted(keys, key=keys.__getitem__):
        focus = str(res.focus_node)
        if res.severity not in RULE_SEVERITIES or not guide.has_type(focus, _STATEMENT):
            continue
        key = keys[res]
        finding = iris.mint_text("finding", key)
        node = f"<{finding}>"
        label = guide.literal(focus, _RDFS_LABEL)
        other = str(res.value) if res.value is not None and guide.has_type(str(res.value), _STATEMENT) else None
        add = g.add
        add(node, _TYPE, NT.Finding)
        add(node, NT.findingKind, NT.InternalInconsistency)
        add(node, NT.severity, NT[RULE_SEVERITIES[res.severity]])
        add(node, NT.concerns, f"<{focus}>")
        add(node, NT.sourceShape, f"<{res.source_shape}>")
        stated = guide.literal(focus, _VERBATIM_VALUE)
        if stated is not None:
            add(node, NT.statedValue, nt.literal(stated))
        if other is not None:
            other_label = guide.literal(other, _RDFS_LABEL)
            add(node, _LABEL, nt.literal(f"{label} and {other_label}: the two cannot both hold"))
            add(node, NT.concerns, f"<{other}>")
            add(node, NT.explanation, nt.literal(res.message + _shared_references(guide, focus, other)))
            _evidence_from_statement(g, guide, key, other)
        else:
            add(node, _LABEL, nt.literal(f"{label}: {res.message}" if label else res.message))
            add(node, NT.explanation, nt.literal(res.message))
            bands = guide.iris(focus, _IN_BAND)
            if bands:
                _evidence_from_band(g, guide, key, bands[0])
        added.append(finding)
    return added


def _reference_numbers(guide: GuideFacts, statement: str) -> list[int]:
    numbers = (guide.literal(r, _NUMBER) for r in guide.iris(statement, _CITES))
    return sorted(int(n) for n in numbers if n is not None)


def _shared_references(guide: GuideFacts, a: str, b: str) -> str:
    """A sentence naming the references two statements both cite ('' when they share none).

    The two then rest on the same source, so they cannot both be that source's figure.
    """
    shared = sorted(set(_reference_numbers(guide, a)) & set(_reference_numbers(guide, b)))
    if not shared:
        return ""
    cited = ", ".join(f"[{n}]" for n in shared)
    return f" Both cite {'reference' if len(shared) == 1 else 'references'} {cited}."


def _evidence(g: TextSink, key: str, label: str, value: str, reported_for: str, refers_to: str) -> None:
    """The one piece of evidence of a rule finding: the guide's own band or other statement."""
    ev = f"<{iris.mint_text('finding', key, 'evidence', '1')}>"
    add = g.add
    add(f"<{iris.mint_text('finding', key)}>", NT.hasEvidence, ev)
    add(ev, _TYPE, NT.Evidence)
    add(ev, _LABEL, nt.literal(label))
    add(ev, NT.order, _ONE)
    add(ev, NT.reportedValue, nt.literal(value))
    add(ev, NT.reportedFor, nt.literal(reported_for))
    add(ev, NT.refersTo, f"<{refers_to}>")
    parsed = percent_range(value)
    if parsed is not None:
        add_range_text(add, ev, parsed)


def _evidence_from_band(g: TextSink, guide: GuideFacts, key: str, band: str) -> None:
    band_label = str(guide.literal(band, _RDFS_LABEL))
    band_value = str(guide.literal(band, _VERBATIM_VALUE))
    _evidence(g, key, f"the guide's own band: {band_label}", band_value, f"the band heading {band_label}", band)


def _evidence_from_statement(g: TextSink, guide: GuideFacts, key: str, other: str) -> None:
    other_label = str(guide.literal(other, _RDFS_LABEL))
    value = str(guide.literal(other, _VERBATIM_VALUE))
    sections = guide.iris(other, _IN_SECTION)
    heading = str(guide.literal(sections[0], _RDFS_LABEL)) if sections else ""
    refs = _reference_numbers(guide, other)
    cited = f", citing {''.join(f'[{n}]' for n in refs)}" if refs else ", citing nothing"
    as_written = guide.literal(other, _VERBATIM_LABEL) or other_label
    _evidence(g, key, f"the guide's own other statement: {other_label}", value,
              f"{as_written} ({heading}{cited})", other)


def range_parts(value: Range) -> list[tuple[str, str, str]]:
    """The parsed bounds, point estimate and approximate flag of a range (percent of cases), each
    as its ``ntrk:`` property, lexical form and XSD datatype.

    >>> range_parts(parse_percent("5-25%"))  # doctest: +NORMALIZE_WHITESPACE
    [('lowerBound', '5.0', 'decimal'), ('lowerBoundInclusive', 'true', 'boolean'),
     ('upperBound', '25.0', 'decimal'), ('upperBoundInclusive', 'true', 'boolean'),
     ('isApproximate', 'false', 'boolean')]
    """
    parts = []
    if value.lower is not None:
        parts += [("lowerBound", canonical_decimal(value.lower), "decimal"),
                  ("lowerBoundInclusive", _boolean(bool(value.lower_inclusive)), "boolean")]
    if value.upper is not None:
        parts += [("upperBound", canonical_decimal(value.upper), "decimal"),
                  ("upperBoundInclusive", _boolean(bool(value.upper_inclusive)), "boolean")]
    if value.point is not None:
        parts.append(("pointEstimate", canonical_decimal(value.point), "decimal"))
    parts.append(("isApproximate", _boolean(value.approximate), "boolean"))
    return parts


def _boolean(value: bool) -> str:
    return "true" if value else "false"


def add_range(g: TripleSink, node: URIRef, value: Range) -> None:
    """The parts of a range (:func:`range_parts`) as triples of ``node``."""
    for prop, lexical, datatype in range_parts(value):
        g.add((node, T[prop], Literal(lexical, datatype=XSD[datatype])))


def add_range_text(add: Callable[[str, str, str], None], node: str, value: Range) -> None:
    """:func:`add_range` as N-Triples text: ``add(node, predicate, object)`` for each part."""
    for prop, lexical, datatype in range_parts(value):
        add(node, NT[prop], nt.typed(lexical, datatype))
