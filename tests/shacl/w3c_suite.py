"""The W3C SHACL test suite (vendored in ``w3c/``): reading its manifests and judging a report.

A test names a data graph, a shapes graph and either the expected validation report or
``sht:Failure`` (the engine must refuse the shapes). A report is judged as the suite defines it and as
pySHACL's own runner does: the same ``sh:conforms`` and the same multiset of results, each result
being (focus node, path, value, source shape, constraint component, severity); messages are not
compared. Literals are compared as terms (lexical form, datatype, language). Blank nodes are matched
by structure: a blank node stands for the description it has (its triples, nested blank nodes and
lists followed) in the graph it comes from, so the report must carry the description of every blank
node it names (the project's report graph does).

Used by ``tests/shacl/test_w3c.py`` and by ``benchmarks/shacl_engines.py``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from rdflib import RDF, BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH
from rdflib.term import Node

SUITE = Path(__file__).parent / "w3c"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SHT = Namespace("http://www.w3.org/ns/shacl-test#")

# What a run of one test came to.
EXACT = "exact"  # the expected report (or, for a test that must fail, a refusal)
REFUSED = "refused"  # refused before any data was read, with one line naming the feature
WRONG = "wrong"  # a report other than the expected one: a silent wrong verdict
CRASH = "crash"  # a traceback, or a refusal that is not one clear line


@dataclass(frozen=True)
class Case:
    """One test of the suite."""

    name: str  # e.g. "core/node/datatype-002"
    label: str
    data: Path
    shapes: Path
    graph: Graph  # the test file's graph (holds the expected report)
    expected: Node | None  # the expected sh:ValidationReport node; None: the engine must refuse

    @property
    def suite(self) -> str:
        return self.name.split("/", 1)[0]


def _local(uri: Node) -> Path:
    text = str(uri)
    assert text.startswith("file://"), text
    return Path(text[len("file://"):])


def cases(root: Path = SUITE) -> list[Case]:
    """Every test of the manifest at ``root`` (following ``mf:include``), in manifest order."""
    out: list[Case] = []

    def read(manifest: Path) -> None:
        g = parse(manifest)
        for m in g.subjects(RDF.type, MF.Manifest):
            for included in g.objects(m, MF.include):
                read(_local(included))
            for entries in g.objects(m, MF.entries):
                for entry in Collection(g, entries):
                    out.append(_case(g, entry))

    read(root / "manifest.ttl")
    return out


def parse(path: Path) -> Graph:
    """A Turtle file of the suite, every literal as written (rdflib would rewrite ``"01"^^xsd:integer``)."""
    import rdflib

    before = rdflib.NORMALIZE_LITERALS
    rdflib.NORMALIZE_LITERALS = False
    try:
        return Graph().parse(path, format="turtle", publicID=path.resolve().as_uri())
    finally:
        rdflib.NORMALIZE_LITERALS = before


def parse_text(text: str) -> Graph:
    """A report graph written as Turtle, every literal as written."""
    import rdflib

    before = rdflib.NORMALIZE_LITERALS
    rdflib.NORMALIZE_LITERALS = False
    try:
        return Graph().parse(data=text, format="turtle")
    finally:
        rdflib.NORMALIZE_LITERALS = before


def _case(g: Graph, entry: Node) -> Case:
    action = g.value(entry, MF.action)
    result = g.value(entry, MF.result)
    path = _local(entry)
    name = path.parent.relative_to(SUITE.resolve()).as_posix() + "/" + path.name
    return Case(
        name=name,
        label=str(g.value(entry, URIRef("http://www.w3.org/2000/01/rdf-schema#label")) or ""),
        data=_local(g.value(action, SHT.dataGraph)),
        shapes=_local(g.value(action, SHT.shapesGraph)),
        graph=g,
        expected=None if result == SHT.Failure else result,
    )


# ----------------------------------------------------------------------------- comparing reports

def term_key(g: Graph, node: Node | None, seen: frozenset[Node] = frozenset()) -> object:
    """A term as compared: IRIs and literals as themselves, blank nodes by their description in ``g``."""
    if not isinstance(node, BNode):
        return node
    if node in seen:
        return ("cycle",)
    seen = seen | {node}
    if (node, RDF.first, None) in g:
        return ("list", tuple(term_key(g, item, seen) for item in Collection(g, node)))
    return ("bnode", frozenset((p, term_key(g, o, seen)) for p, o in g.predicate_objects(node)))


Key = tuple[object, ...]


def result_keys(g: Graph, report: Node) -> Counter[Key]:
    """The multiset of (focus node, path, value, source shape, component, severity) of a report."""
    out: Counter[Key] = Counter()
    for r in g.objects(report, SH.result):
        out[tuple(term_key(g, g.value(r, p)) for p in (
            SH.focusNode, SH.resultPath, SH.value, SH.sourceShape, SH.sourceConstraintComponent, SH.resultSeverity,
        ))] += 1
    return out


def conforms(g: Graph, report: Node) -> bool | None:
    value = g.value(report, SH.conforms)
    return bool(value.toPython()) if isinstance(value, Literal) else None


def report_node(g: Graph) -> Node:
    reports = list(g.subjects(RDF.type, SH.ValidationReport))
    if len(reports) != 1:
        raise AssertionError(f"a report graph needs one sh:ValidationReport, this one has {len(reports)}")
    return reports[0]


def matches(case: Case, actual: Graph) -> bool:
    """Whether the report graph ``actual`` is the report ``case`` expects."""
    assert case.expected is not None
    node = report_node(actual)
    return (
        conforms(actual, node) == conforms(case.graph, case.expected)
        and result_keys(actual, node) == result_keys(case.graph, case.expected)
    )


def differences(case: Case, actual: Graph) -> str:
    """What differs, for a failing test's message."""
    assert case.expected is not None
    node = report_node(actual)
    want, got = result_keys(case.graph, case.expected), result_keys(actual, node)
    lines = [f"conforms: expected {conforms(case.graph, case.expected)}, got {conforms(actual, node)}"]
    lines += [f"missing: {k}" for k in (want - got)]
    lines += [f"extra: {k}" for k in (got - want)]
    return "\n".join(lines)


def tally(verdicts: dict[str, str]) -> str:
    """One line per suite: how many tests gave each verdict."""
    lines = []
    for suite in ("core", "sparql"):
        counts = Counter(v for name, v in verdicts.items() if name.startswith(suite + "/"))
        total = sum(counts.values())
        parts = ", ".join(f"{counts[v]} {v}" for v in (EXACT, REFUSED, WRONG, CRASH))
        lines.append(f"{suite}: {total} tests: {parts}")
    return "\n".join(lines)


