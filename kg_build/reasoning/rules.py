"""The defined classes at any size: SPARQL rules compiled from the ontology, run on the build's store.

:func:`infer` gives the new types an OWL 2 DL reasoner (HermiT) entails for the individuals of the
reasoned graphs, for any ontology within the fragment of :mod:`kg_build.reasoning.tbox` (tests
compare the two, type for type, on the guide and on generated data). It never leaves the store:
each rule is one SPARQL query over the reasoned graphs and a scratch graph of derived types, so
time and memory grow with the graph, not faster.

- **Domain and range rules**: a node used by a property (through sub-properties and inverses, and
  the ``owl:hasValue`` values of a class's members) gets the property's domain or range, unless a
  type it has already entails it (normally it has: the builder types every node).
- **Definition rules**: a node gets a defined class when it is in each named class of the
  definition and, for each ``owl:someValuesFrom`` restriction, has a value of the property (or of
  a property that entails it, inverses included) in the filler: a class, or a literal of the
  filler's value space within its facets.

A rule runs again when a class it reads has gained members since it last ran, until no rule adds
a type; in the ontology's dependency order, each runs once. The new types are then, for every node
with a derived type or an asserted type that entails more than its told superclasses, the
entailed named classes that are neither asserted nor told superclasses of asserted types: the
filter of :func:`kg_build.reasoning.owl.new_types`.

Consistency, as far as the fragment goes: a node whose types entail two disjoint classes is an
:class:`~kg_build.reasoning.owl.InconsistentGraph`, explained in words as HermiT's is; a functional
property with two values for one node (OWL would make the two values one node) stops the run too.
Literals outside the value space of a datatype property's range are left to the SHACL shapes
(``sh:datatype``), which the build runs next.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import RDF, Graph, Literal, URIRef

from kg_build import memory
from kg_build.errors import ValidationFailure
from kg_build.rdf import iris
from kg_build.rdf.bridge import to_rdflib
from kg_build.rdf.prefixes import compress
from kg_build.reasoning.owl import REASONED_GRAPHS, Reasoning, clashes, inconsistent
from kg_build.reasoning.tbox import DataRange, Existential, TBox, project_tbox
from kg_build.sparql.engines import store_threads
from kg_build.sparql.text import hashed

ENGINE = "rules"
_A = f"<{RDF.type}>"


class AmbiguousIdentity(ValidationFailure):
    """A functional property has two values for one node: OWL would make them one node (exit 1)."""


def _term(node: URIRef | Literal) -> str:
    if isinstance(node, Literal):
        return node.n3()
    return f"<{node}>"


@dataclass(frozen=True)
class Rule:
    """One SPARQL ``SELECT ?x`` giving the nodes that gain ``cls``, with the classes it reads."""

    cls: URIRef
    query: str
    reads: frozenset[URIRef]


class _Compiler:
    def __init__(self, tbox: TBox) -> None:
        self.tbox = tbox
        self.fresh = 0
        self.reads: set[URIRef] = set()

    def var(self) -> str:
        self.fresh += 1
        return f"?v{self.fresh}"

    def typed(self, node: str, cls: URIRef) -> str:
        """A pattern: ``node`` has an asserted or derived type that entails ``cls`` (joined by
        hashing: see :func:`~kg_build.sparql.text.hashed`)."""
        classes = sorted(self.tbox.entailing(cls), key=str)
        self.reads.update(classes)
        t = self.var()
        return hashed(node, f"VALUES {t} {{ {' '.join(map(_term, classes))} }} {node} {_A} {t} .")

    def edge(self, s: str, prop: URIRef, o: str) -> str:
        """A pattern: ``prop(s, o)`` is entailed by a triple, or by the ``owl:hasValue`` of a class of ``s``."""
        branches = [f"{{ {o} <{q}> {s} }}" if inverse else f"{{ {s} <{q}> {o} }}" for q, inverse in self.tbox.edges(prop)]
        for v in self.tbox.values:
            for q, inverse in self.tbox.edges(prop):
                if q == v.prop and not inverse:
                    branches.append(f"{{ {self.typed(s, v.cls)} BIND({_term(v.value)} AS {o}) }}")
                elif q == v.prop and isinstance(v.value, URIRef):
                    branches.append(f"{{ {self.typed(o, v.cls)} BIND({_term(v.value)} AS {s}) }}")
        return " UNION ".join(branches)

    def data_filter(self, value: str, rng: DataRange) -> str:
        tests = [f"isLiteral({value})"]
        if rng.datatypes:
            tests.append(f"DATATYPE({value}) IN ({', '.join(map(_term, sorted(rng.datatypes, key=str)))})")
        tests += [f"{value} {op} {Literal(lexical, datatype=dt).n3()}" for op, lexical, dt in rng.facets]
        return f"FILTER({' && '.join(tests)})"

    def restriction(self, x: str, e: Existential) -> str:
        y = self.var()
        if isinstance(e.filler, DataRange):
            return hashed(x, f"{{ {self.edge(x, e.prop, y)} }} {self.data_filter(y, e.filler)}")
        test = "" if str(e.filler) == "http://www.w3.org/2002/07/owl#Thing" else self.typed(y, e.filler)
        return f"{hashed(f'{x} {y}', self.edge(x, e.prop, y))} {test}"

    def rule(self, cls: URIRef, body: str) -> Rule:
        """Nodes matching ``body`` (binding ``?x``) that have no type entailing ``cls`` yet.

        The IRI test comes after the ``MINUS``, outside the subquery: inside it, Oxigraph tests
        each solution of ``body`` before the ``MINUS`` (7.7 s against 1.7 s for the 926,955
        solutions of the ``ntrk:Statement`` domain rule, 10^7 quads on disk)."""
        reads = frozenset(self.reads)
        self.reads = set()
        already = self.typed("?x", cls)
        self.reads = set()
        query = f"SELECT DISTINCT ?x WHERE {{ {hashed('?x', f'{body} MINUS {{ {already} }}')} FILTER(isIRI(?x)) }}"
        return Rule(cls, query, reads)


def compile_rules(tbox: TBox) -> list[Rule]:
    """The domain and range rules, then the definition rules in dependency order."""
    c = _Compiler(tbox)
    rules = []
    for cls in sorted(tbox.evidence, key=str):
        branches = [f"{{ ?x <{q}> [] }}" if pos == "s" else f"{{ [] <{q}> ?x }}" for q, pos in tbox.evidence[cls]]
        for v in tbox.values:
            if isinstance(v.value, URIRef):
                for q, pos in tbox.evidence[cls]:
                    if q == v.prop and pos == "o":
                        branches.append(f"{{ {c.typed(c.var(), v.cls)} BIND({_term(v.value)} AS ?x) }}")
        rules.append(c.rule(cls, " UNION ".join(branches)))
    for d in tbox.definitions:
        parts = [c.typed("?x", n) for n in d.named] + [c.restriction("?x", e) for e in d.some]
        rules.append(c.rule(d.cls, " ".join(parts)))
    return _ordered(rules)


def _ordered(rules: list[Rule]) -> list[Rule]:
    """``rules`` so that each comes after the rules whose classes it reads, where that is possible."""
    out: list[Rule] = []
    todo = list(rules)
    while todo:
        writes = {r.cls for r in todo}
        ready = [r for r in todo if not (r.reads & (writes - {r.cls}))] or todo[:1]
        out.append(ready[0])
        todo.remove(ready[0])
    return out


def _solutions(st: ox.Store, query: str, graphs: Sequence[ox.NamedNode]) -> ox.QuerySolutions:
    result = st.query(query, default_graph=list(graphs))
    assert isinstance(result, ox.QuerySolutions)
    return result


def infer(st: ox.Store, tbox: TBox | None = None, stop: threading.Event | None = None) -> Reasoning:
    """The new types of the individuals of ``st``'s reasoned graphs (see the module's docstring).
    Once ``stop`` is set (the build failed elsewhere), it stops before its next wave of rules,
    raising ``InterruptedError``.

    Raises :class:`~kg_build.reasoning.owl.InconsistentGraph` or :class:`AmbiguousIdentity` when the
    graph contradicts the ontology. The scratch graph of derived types is removed whatever happens.
    """
    tbox = tbox or project_tbox()
    work = ox.NamedNode(str(iris.REASONING_WORK_GRAPH))
    graphs = [ox.NamedNode(str(g)) for g in REASONED_GRAPHS]
    everything = [*graphs, work]
    rdf_type = ox.NamedNode(str(RDF.type))
    _drop(st, work)
    try:
        rules = compile_rules(tbox)
        ran: dict[int, int] = {}
        grew: dict[URIRef, int] = defaultdict(int)
        step = 0
        with store_threads() as pool:
            while True:
                due = [i for i, rule in enumerate(rules) if i not in ran or any(grew[c] > ran[i] for c in rule.reads)]
                if not due:
                    break
                if stop is not None and stop.is_set():
                    raise InterruptedError("the rule reasoner was stopped")
                wave = _wave(rules, due, tbox)
                found = pool.map(lambda i: [row["x"] for row in _solutions(st, rules[i].query, everything)], wave)
                for i, nodes in zip(wave, list(found), strict=True):
                    step += 1
                    ran[i] = step
                    if nodes:
                        cls = ox.NamedNode(str(rules[i].cls))
                        st.extend(ox.Quad(x, rdf_type, cls, work) for x in nodes)
                        for sup in tbox.ent.get(rules[i].cls, {rules[i].cls}):
                            grew[sup] = step
            _check(st, tbox, everything, pool)
        # The queries' freed memory stays in the two threads' malloc arenas, which the Python
        # objects made next cannot reuse: returned first (at 10^7 quads, a peak of 1.1 GiB, not 1.5).
        memory.trim()
        types = _new_types(st, tbox, everything, work)
    finally:
        _drop(st, work)
        # The scratch graph was written and removed in transactions: an on-disk store keeps them
        # in its write buffers (hundreds of MiB at 10^7 quads) until they are flushed to its files.
        st.flush()
    return Reasoning(ENGINE, types)


def _wave(rules: list[Rule], due: list[int], tbox: TBox) -> list[int]:
    """The first rules of ``due`` (indices into ``rules``, in order) that can run at once: up to the
    first that reads a class another of them writes. Run at once and their results added in order,
    they give what they would give one after the other: none reads what another adds."""
    wave: list[int] = []
    written: set[URIRef] = set()
    for i in due:
        if rules[i].reads & written:
            break
        wave.append(i)
        written |= tbox.ent.get(rules[i].cls, {rules[i].cls})
    return wave


def _drop(st: ox.Store, graph: ox.NamedNode) -> None:
    if st.contains_named_graph(graph):
        st.remove_graph(graph)


def _new_types(st: ox.Store, tbox: TBox, graphs: list[ox.NamedNode], work: ox.NamedNode) -> list[tuple[URIRef, URIRef]]:
    """The entailed types that are new: for each node with a derived type, or with an asserted type
    that entails more than its told superclasses (read by index lookups, not a query: few nodes)."""
    rdf_type = ox.NamedNode(str(RDF.type))
    nodes = {q.subject for q in st.quads_for_pattern(None, rdf_type, None, work)}
    for c in sorted((c for c in tbox.ent if tbox.ent[c] - tbox.told.get(c, {c})), key=str):
        nodes |= {q.subject for q in st.quads_for_pattern(None, rdf_type, ox.NamedNode(str(c)), None)
                  if q.graph_name in graphs}
    out = set()
    for node in nodes:
        if not isinstance(node, ox.NamedNode):
            continue
        x = URIRef(node.value)
        asserted: set[URIRef] = set()
        derived: set[URIRef] = set()
        for q in st.quads_for_pattern(node, rdf_type, None, None):
            if isinstance(q.object, ox.NamedNode) and q.graph_name in graphs:
                (derived if q.graph_name == work else asserted).add(URIRef(q.object.value))
        if x in tbox.classes or x in tbox.properties or not _individual(st, x, asserted, tbox, graphs):
            continue
        trivial = tbox.trivial(asserted)
        out |= {(x, c) for c in tbox.entailed(asserted | derived) if c in tbox.classes and c not in trivial}
    return sorted(out, key=lambda t: (str(t[0]), str(t[1])))


def _individual(st: ox.Store, x: URIRef, asserted: set[URIRef], tbox: TBox, graphs: list[ox.NamedNode]) -> bool:
    """Whether ``x`` is one of the graph's individuals: typed with a named class, or linked by an
    object property (as :func:`kg_build.reasoning.owl.individuals` counts them)."""
    if asserted & tbox.classes:
        return True
    node = ox.NamedNode(str(x))
    links = (*st.quads_for_pattern(node, None, None, None), *st.quads_for_pattern(None, None, node, None))
    return any(q.graph_name in graphs[:-1] and URIRef(q.predicate.value) in tbox.object_properties for q in links)


def _check(st: ox.Store, tbox: TBox, graphs: list[ox.NamedNode], pool: ThreadPoolExecutor) -> None:
    """Stop on two disjoint types for one node, or two values of a functional property (the
    queries run on ``pool``; the first functional property in the ontology's order is reported)."""
    c = _Compiler(tbox)
    functional = []
    for prop, inverse in tbox.functional:
        s, o1, o2 = ("?y", "?x", "?z") if inverse else ("?x", "?y", "?z")
        first = c.edge(s, prop, o1) if not inverse else c.edge(o1, prop, s)
        second = c.edge(s, prop, o2) if not inverse else c.edge(o2, prop, s)
        functional.append(f"SELECT ?x ?y ?z WHERE {{ {hashed(f'{s} {o1}', first)} {hashed(f'{s} {o2}', second)} FILTER(?y != ?z) }} "
                          "ORDER BY ?x ?y ?z LIMIT 1")
    by_class: dict[URIRef, set[URIRef]] = defaultdict(set)
    for pair in tbox.disjoint:
        a, b = sorted(pair, key=str)
        by_class[a].add(b)
    disjoint = []
    for a in sorted(by_class, key=str):
        others = sorted({x for b in by_class[a] for x in tbox.entailing(b)}, key=str)
        typed_other = hashed("?x", f"VALUES ?o {{ {' '.join(map(_term, others))} }} ?x {_A} ?o")
        disjoint.append(f"SELECT DISTINCT ?x WHERE {{ {c.typed('?x', a)} {typed_other} }} LIMIT 20")
    # The rows are read in the thread that ran the query (pyoxigraph's solutions stay in it).
    found = list(pool.map(lambda q: [tuple(row) for row in _solutions(st, q, graphs)], functional + disjoint))
    for (prop, inverse), rows in zip(tbox.functional, found, strict=False):
        for row in rows:
            node, y, z = (compress(t.value) or t.value for t in row)
            if inverse:
                raise AmbiguousIdentity(
                    f"{y} and {z} both have the value {node} of the inverse functional property "
                    f"{compress(str(prop))}: OWL would make them one node, which the graph's IRIs never mean"
                )
            raise AmbiguousIdentity(
                f"{node} has two values of the functional property {compress(str(prop))}, {y} and {z}: OWL would "
                f"make them one node, which the graph's IRIs never mean; give {node} one value"
            )
    clashing = {URIRef(x.value) for rows in found[len(functional):] for (x,) in rows if isinstance(x, ox.NamedNode)}
    if clashing:
        raise inconsistent("the ontology's rules", clashes(_context(st, clashing, graphs), _derived(st, clashing)))


def _derived(st: ox.Store, nodes: Iterable[URIRef]) -> list[tuple[URIRef, URIRef]]:
    work = ox.NamedNode(str(iris.REASONING_WORK_GRAPH))
    out = []
    for x in nodes:
        for q in st.quads_for_pattern(ox.NamedNode(str(x)), ox.NamedNode(str(RDF.type)), None, work):
            if isinstance(q.object, ox.NamedNode):
                out.append((x, URIRef(q.object.value)))
    return out


def _context(st: ox.Store, nodes: Iterable[URIRef], graphs: list[ox.NamedNode]) -> Graph:
    """The ontology and every reasoned triple about ``nodes`` (and the labels of their neighbours),
    as an rdflib graph: what the explanation of a clash quotes."""
    from kg_build.rdf.vocab import ontology_graph

    g = Graph()
    for t in ontology_graph():
        g.add(t)
    data = graphs[:-1]
    neighbours = set()
    for x in nodes:
        node = ox.NamedNode(str(x))
        for q in (*st.quads_for_pattern(node, None, None, None), *st.quads_for_pattern(None, None, node, None)):
            if q.graph_name in data:
                _add(g, q)
                neighbours |= {q.subject, q.object} - {node}
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    for n in neighbours:
        if isinstance(n, ox.NamedNode):
            for q in st.quads_for_pattern(n, label, None, None):
                if q.graph_name in data:
                    _add(g, q)
    return g


def _add(g: Graph, q: ox.Quad) -> None:
    s, o = q.subject, q.object
    if not isinstance(s, ox.Triple) and not isinstance(o, ox.Triple):
        g.add((to_rdflib(s), to_rdflib(q.predicate), to_rdflib(o)))
