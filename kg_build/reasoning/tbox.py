"""The ontology's axioms, read into what the rule engine (:mod:`kg_build.reasoning.rules`) evaluates.

The rule engine is exact for one fragment of OWL 2, the one ``ontology/ntrk.ttl`` is written in;
:func:`read_tbox` refuses every axiom outside it (:class:`NotInFragment`, naming the triple) rather
than skipping it, so the engine never gives fewer types than an OWL 2 DL reasoner silently:

- named classes with ``rdfs:subClassOf`` and ``owl:equivalentClass`` between named classes;
- ``C rdfs:subClassOf [ owl:onProperty p ; owl:hasValue v ]`` (every C has the value v of p);
- defined classes: ``C owl:equivalentClass E``, ``E`` an ``owl:intersectionOf`` of named classes and
  ``owl:someValuesFrom`` restrictions (or one such restriction), whose filler is a named class,
  ``owl:Thing``, a datatype of :data:`VALUE_SPACES`, ``rdfs:Literal``, or a datatype restriction
  (``owl:onDatatype`` with the facets ``xsd:minInclusive``, ``xsd:minExclusive``,
  ``xsd:maxInclusive``, ``xsd:maxExclusive``);
- ``owl:disjointWith`` and ``owl:AllDisjointClasses`` between named classes;
- object and datatype properties with ``rdfs:subPropertyOf``, ``owl:equivalentProperty``,
  ``owl:inverseOf``, ``owl:SymmetricProperty``, ``owl:FunctionalProperty``,
  ``owl:InverseFunctionalProperty``, ``rdfs:domain`` and ``rdfs:range`` (a named class; for a
  datatype property the range is a datatype and constrains literals only);
- annotations, and the ontology's own individuals with their types and property values.

From the ontology alone it computes once: every named class each class entails (:attr:`TBox.ent`),
the properties whose triples entail each property (:attr:`TBox.implied_by`), which triples put a
node into a class through a domain or a range (:attr:`TBox.evidence`), and which classes each class
entails by structural subsumption between definitions.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from rdflib import OWL, RDF, RDFS, XSD, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from kg_build.errors import KgError
from kg_build.rdf.prefixes import compress

FACETS = {XSD.minInclusive: ">=", XSD.minExclusive: ">", XSD.maxInclusive: "<=", XSD.maxExclusive: "<"}
"""The datatype facets a restriction may use, as SPARQL comparison operators."""

_INTEGERS = ("integer", "nonNegativeInteger", "nonPositiveInteger", "positiveInteger", "negativeInteger",
             "long", "int", "short", "byte", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte")
VALUE_SPACES: dict[URIRef, frozenset[URIRef]] = {
    XSD.decimal: frozenset({XSD.decimal, *(XSD[n] for n in _INTEGERS)}),
    XSD.integer: frozenset(XSD[n] for n in _INTEGERS),
    XSD.double: frozenset({XSD.double}),
    XSD.float: frozenset({XSD.float}),
    XSD.string: frozenset({XSD.string}),
    XSD.boolean: frozenset({XSD.boolean}),
    XSD.dateTime: frozenset({XSD.dateTime, XSD.dateTimeStamp}),
}
"""The datatypes a restriction may name, each with the datatypes of the OWL 2 datatype map whose
literals lie in its value space (an ``xsd:int`` literal is an ``xsd:decimal``; a double is not)."""

_TYPES = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, OWL.NamedIndividual,
          OWL.Ontology, RDFS.Datatype, OWL.Restriction, OWL.FunctionalProperty, OWL.InverseFunctionalProperty,
          OWL.SymmetricProperty, OWL.AllDisjointClasses}
_ANNOTATIONS = {RDFS.label, RDFS.comment, RDFS.seeAlso, RDFS.isDefinedBy, OWL.versionIRI, OWL.versionInfo,
                OWL.deprecated, OWL.priorVersion, OWL.backwardCompatibleWith, OWL.incompatibleWith}


class NotInFragment(KgError):
    """The ontology uses an axiom the rule engine cannot evaluate exactly (exit 2)."""


@dataclass(frozen=True)
class DataRange:
    """A datatype's value space (``datatypes``: the literal datatypes in it; empty: every literal),
    optionally narrowed by facets ``(operator, lexical form, datatype)``."""

    datatypes: frozenset[URIRef]
    facets: tuple[tuple[str, str, URIRef], ...] = ()


@dataclass(frozen=True)
class Existential:
    """``owl:someValuesFrom``: some value of ``prop`` is in ``filler`` (a named class or a data range)."""

    prop: URIRef
    filler: URIRef | DataRange


@dataclass(frozen=True)
class Definition:
    """A defined class ``cls``: the members of every class in ``named`` that meet every restriction in ``some``."""

    cls: URIRef
    named: tuple[URIRef, ...]
    some: tuple[Existential, ...]


@dataclass(frozen=True)
class HasValue:
    """``cls rdfs:subClassOf [ owl:onProperty prop ; owl:hasValue value ]``."""

    cls: URIRef
    prop: URIRef
    value: URIRef | Literal


@dataclass(frozen=True)
class TBox:
    """What the rule engine needs to know of an ontology (see the module's docstring)."""

    classes: frozenset[URIRef]
    """The declared named classes (the only types a reasoner's answer keeps)."""
    properties: frozenset[URIRef]
    """The declared object and datatype properties."""
    object_properties: frozenset[URIRef]
    told: dict[URIRef, frozenset[URIRef]]
    """Each class and its superclasses through ``rdfs:subClassOf`` alone (its trivial types)."""
    ent: dict[URIRef, frozenset[URIRef]]
    """Each class and every named class it entails."""
    subs: dict[URIRef, frozenset[URIRef]]
    """Each class and every named class that entails it (the inverse of :attr:`ent`)."""
    definitions: tuple[Definition, ...]
    values: tuple[HasValue, ...]
    implied_by: dict[URIRef, tuple[tuple[URIRef, bool], ...]]
    """For each property p, every ``(q, inverse)`` such that ``q(x, y)`` (``q(y, x)`` when ``inverse``)
    entails ``p(x, y)``, p itself included."""
    evidence: dict[URIRef, tuple[tuple[URIRef, str], ...]]
    """For each class that is a domain or a range, every ``(q, position)`` such that the subject
    (``"s"``) or the object (``"o"``) of a ``q`` triple is in the class."""
    disjoint: frozenset[frozenset[URIRef]]
    functional: tuple[tuple[URIRef, bool], ...]
    """Properties with at most one value per subject (``inverse``: at most one subject per value)."""

    def entailing(self, cls: URIRef) -> frozenset[URIRef]:
        """The named classes whose members are members of ``cls`` (``cls`` included)."""
        return self.subs.get(cls, frozenset({cls}))

    def entailed(self, classes: Iterable[URIRef]) -> set[URIRef]:
        """Every named class the members of all of ``classes`` belong to."""
        out: set[URIRef] = set()
        for c in classes:
            out |= self.ent.get(c, {c})
        return out

    def trivial(self, classes: Iterable[URIRef]) -> set[URIRef]:
        """``classes`` and their told superclasses."""
        out: set[URIRef] = set()
        for c in classes:
            out |= self.told.get(c, {c})
        return out

    def edges(self, prop: URIRef) -> tuple[tuple[URIRef, bool], ...]:
        """The signed properties whose triples entail ``prop`` triples."""
        return self.implied_by.get(prop, ((prop, False),))


def _name(node: Node | None) -> str:
    if isinstance(node, URIRef):
        return compress(str(node)) or f"<{node}>"
    return "a blank node" if isinstance(node, BNode) or node is None else repr(str(node))


def _refuse(subject: Node | None, predicate: Node, obj: Node | None, why: str) -> NotInFragment:
    return NotInFragment(
        f"the ontology says {_name(subject)} {_name(predicate)} {_name(obj)}, which the rule reasoner "
        f"cannot evaluate exactly ({why}); reason with --reasoner hermit, or keep the ontology within "
        "the fragment the rule reasoner supports (docs/reasoning.md)"
    )


class _Reader:
    """Reads one ontology graph, remembering which blank nodes its class expressions used."""

    def __init__(self, g: Graph) -> None:
        self.g = g
        self.used: set[Node] = set()
        self.data_props = frozenset(p for p in g.subjects(RDF.type, OWL.DatatypeProperty) if isinstance(p, URIRef))

    def members(self, head: Node | None, owner: Node, predicate: URIRef) -> list[Node]:
        if head is None:
            raise _refuse(owner, predicate, head, "an RDF list is missing")
        node: Node = head
        try:
            items = list(Collection(self.g, head))
        except Exception:  # a malformed RDF list
            raise _refuse(owner, predicate, head, "not a well-formed RDF list") from None
        while node != RDF.nil:
            self.used.add(node)
            nxt = self.g.value(node, RDF.rest)
            if nxt is None:
                raise _refuse(owner, predicate, head, "not a well-formed RDF list")
            node = nxt
        return items

    def only(self, node: Node, allowed: set[URIRef], owner: Node, why: str) -> None:
        """Refuse ``node`` (an anonymous expression) if it has any predicate beyond ``allowed``."""
        self.used.add(node)
        for p, o in self.g.predicate_objects(node):
            if p == RDF.type and o in _TYPES:
                continue
            if p not in allowed:
                raise _refuse(owner, p, o, why)

    def data_range(self, node: Node, owner: Node) -> DataRange:
        if node == RDFS.Literal:
            return DataRange(frozenset())
        if isinstance(node, URIRef):
            if node not in VALUE_SPACES:
                raise _refuse(owner, OWL.someValuesFrom, node,
                              f"the datatypes supported are {', '.join(map(_name, VALUE_SPACES))}")
            return DataRange(VALUE_SPACES[node])
        self.only(node, {OWL.onDatatype, OWL.withRestrictions}, owner, "a data range other than a datatype restriction")
        base = self.g.value(node, OWL.onDatatype)
        if not isinstance(base, URIRef) or base not in VALUE_SPACES:
            raise _refuse(owner, OWL.onDatatype, base, "an unsupported datatype")
        facets = []
        for item in self.members(self.g.value(node, OWL.withRestrictions), node, OWL.withRestrictions):
            self.used.add(item)
            pairs = list(self.g.predicate_objects(item))
            if len(pairs) != 1 or pairs[0][0] not in FACETS or not isinstance(pairs[0][1], Literal):
                raise _refuse(node, OWL.withRestrictions, item, f"the facets supported are {', '.join(map(_name, FACETS))}")
            facet, value = pairs[0]
            assert isinstance(facet, URIRef) and isinstance(value, Literal)
            facets.append((FACETS[facet], str(value), URIRef(value.datatype or XSD.string)))
        return DataRange(VALUE_SPACES[base], tuple(facets))

    def conjuncts(self, node: Node, owner: URIRef) -> tuple[list[URIRef], list[Existential]]:
        """A class expression as named classes and existential restrictions, or refused."""
        if isinstance(node, URIRef):
            return [node], []
        g = self.g
        if g.value(node, OWL.intersectionOf) is not None:
            self.only(node, {OWL.intersectionOf}, owner, "only intersections and someValuesFrom restrictions define a class")
            named: list[URIRef] = []
            some: list[Existential] = []
            for part in self.members(g.value(node, OWL.intersectionOf), owner, OWL.intersectionOf):
                n, s = self.conjuncts(part, owner)
                named += n
                some += s
            return named, some
        self.only(node, {OWL.onProperty, OWL.someValuesFrom}, owner,
                  "only intersections and someValuesFrom restrictions define a class")
        prop, filler = g.value(node, OWL.onProperty), g.value(node, OWL.someValuesFrom)
        if not isinstance(prop, URIRef):
            raise _refuse(owner, OWL.onProperty, prop, "an inverse property expression; declare and name the inverse")
        if filler is None:
            raise _refuse(owner, OWL.equivalentClass, node, "a restriction without owl:someValuesFrom")
        if prop in self.data_props:
            return [], [Existential(prop, self.data_range(filler, owner))]
        if not isinstance(filler, URIRef):
            raise _refuse(owner, OWL.someValuesFrom, filler, "the filler of an object restriction must be a named class")
        return [], [Existential(prop, filler)]

    def has_value(self, cls: URIRef, node: Node) -> HasValue:
        self.only(node, {OWL.onProperty, OWL.hasValue}, cls,
                  "a superclass must be a named class or an owl:hasValue restriction")
        prop, value = self.g.value(node, OWL.onProperty), self.g.value(node, OWL.hasValue)
        if not isinstance(prop, URIRef) or not isinstance(value, (URIRef, Literal)):
            raise _refuse(cls, RDFS.subClassOf, node, "an owl:hasValue restriction needs a named property and a value")
        return HasValue(cls, prop, value)


def _closure(direct: dict[URIRef, set[URIRef]], nodes: Iterable[URIRef]) -> dict[URIRef, set[URIRef]]:
    out = {}
    for n in nodes:
        seen, todo = {n}, [n]
        while todo:
            for m in direct.get(todo.pop(), ()):
                if m not in seen:
                    seen.add(m)
                    todo.append(m)
        out[n] = seen
    return out


def read_tbox(g: Graph) -> TBox:
    """Read the axioms of the ontology ``g``; refuse any outside the fragment (:class:`NotInFragment`)."""
    r = _Reader(g)
    classes = frozenset(c for c in g.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef)) - {OWL.Thing}
    obj_props = frozenset(p for p in g.subjects(RDF.type, OWL.ObjectProperty) if isinstance(p, URIRef))
    annotation = frozenset(p for p in g.subjects(RDF.type, OWL.AnnotationProperty) if isinstance(p, URIRef))
    props = obj_props | r.data_props

    subclass: dict[URIRef, set[URIRef]] = defaultdict(set)
    definitions: list[Definition] = []
    values: list[HasValue] = []
    subprop: dict[URIRef, set[tuple[URIRef, bool]]] = defaultdict(set)
    domains: list[tuple[URIRef, URIRef]] = []
    ranges: list[tuple[URIRef, URIRef]] = []
    disjoint: set[frozenset[URIRef]] = set()
    functional: set[tuple[URIRef, bool]] = set()

    def named(s: Node, p: Node, o: Node) -> URIRef:
        if not isinstance(o, URIRef):
            raise _refuse(s, p, o, "only a named class or property is supported here")
        return o

    for s, p, o in sorted(g, key=lambda t: tuple(map(str, t))):
        if not isinstance(s, URIRef):
            continue  # the parts of class expressions, read where they are used
        if p in _ANNOTATIONS or p in annotation:
            continue
        if p == RDF.type:
            if o in (OWL.TransitiveProperty, OWL.ReflexiveProperty, OWL.IrreflexiveProperty, OWL.AsymmetricProperty):
                raise _refuse(s, p, o, "property characteristics other than functional, inverse functional and symmetric")
            if o in (OWL.FunctionalProperty, OWL.InverseFunctionalProperty):
                functional.add((s, o == OWL.InverseFunctionalProperty))
            elif o == OWL.SymmetricProperty:
                subprop[s].add((s, True))
            elif o not in _TYPES and str(o).startswith((str(OWL), str(RDFS), str(RDF))):
                raise _refuse(s, p, o, "a declaration outside the fragment")
            continue
        if p == RDFS.subClassOf:
            if isinstance(o, URIRef):
                subclass[s].add(o)
            else:
                values.append(r.has_value(s, o))
        elif p == OWL.equivalentClass:
            if isinstance(o, URIRef):
                subclass[s].add(o)
                subclass[o].add(s)
            else:
                n, some = r.conjuncts(o, s)
                definitions.append(Definition(s, tuple(n), tuple(some)))
        elif p == OWL.disjointWith:
            disjoint.add(frozenset((s, named(s, p, o))))
        elif p == RDFS.subPropertyOf:
            subprop[s].add((named(s, p, o), False))
        elif p == OWL.equivalentProperty:
            subprop[s].add((named(s, p, o), False))
            subprop[named(s, p, o)].add((s, False))
        elif p == OWL.inverseOf:
            subprop[s].add((named(s, p, o), True))
            subprop[named(s, p, o)].add((s, True))
        elif p == RDFS.domain:
            domains.append((s, named(s, p, o)))
        elif p == RDFS.range:
            if s not in r.data_props:
                ranges.append((s, named(s, p, o)))
        elif p in props or (p == OWL.members and (s, RDF.type, OWL.AllDisjointClasses) in g):
            continue  # a property value of one of the ontology's own individuals: data
        elif str(p).startswith((str(OWL), str(RDFS), str(RDF))):
            raise _refuse(s, p, o, "an OWL, RDF or RDFS term outside the fragment")
    for node in g.subjects(RDF.type, OWL.AllDisjointClasses):
        r.used.add(node)
        members = r.members(g.value(node, OWL.members), node, OWL.members)
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                disjoint.add(frozenset((named(node, OWL.members, a), named(node, OWL.members, b))))
    for s, p, o in g:
        if isinstance(s, BNode) and s not in r.used:
            raise _refuse(s, p, o, "an anonymous axiom outside the fragment")

    implied_by = _implied_by(subprop, props)
    # p(x, y) puts x into dom_of[p] and y into rng_of[p], through sub-properties and inverses.
    dom_of: dict[URIRef, set[URIRef]] = defaultdict(set)
    rng_of: dict[URIRef, set[URIRef]] = defaultdict(set)
    for prop, cls in domains:
        for q, inverse in implied_by.get(prop, ((prop, False),)):
            (rng_of if inverse else dom_of)[q].add(cls)
    for prop, cls in ranges:
        for q, inverse in implied_by.get(prop, ((prop, False),)):
            (dom_of if inverse else rng_of)[q].add(cls)
    evidence: dict[URIRef, set[tuple[URIRef, str]]] = defaultdict(set)
    for q, cs in dom_of.items():
        for c in cs:
            evidence[c].add((q, "s"))
    for q, cs in rng_of.items():
        for c in cs:
            evidence[c].add((q, "o"))

    def subject_classes(prop: URIRef) -> set[URIRef]:
        """The classes every node with some value of ``prop`` belongs to."""
        return {c for q, inverse in implied_by.get(prop, ((prop, False),)) for c in (rng_of if inverse else dom_of)[q]}

    every = set(classes) | set(subclass) | {c for cs in subclass.values() for c in cs}
    every |= {c for _, c in domains + ranges} | {c for pair in disjoint for c in pair} | {v.cls for v in values}
    for d in definitions:
        every |= {d.cls, *d.named, *(e.filler for e in d.some if isinstance(e.filler, URIRef))}
    every.discard(OWL.Thing)
    told = _closure(subclass, every)
    direct = {c: set(sups) for c, sups in subclass.items()}
    for d in definitions:
        direct.setdefault(d.cls, set()).update(d.named)
        for e in d.some:
            direct[d.cls] |= subject_classes(e.prop)
    for v in values:
        direct.setdefault(v.cls, set()).update(subject_classes(v.prop))
    ent = _subsume(definitions, _closure(direct, every), implied_by)
    subs: dict[URIRef, set[URIRef]] = defaultdict(set)
    for c, sups in ent.items():
        for x in sups:
            subs[x].add(c)
    return TBox(
        classes=classes, properties=props, object_properties=obj_props,
        told={c: frozenset(v) for c, v in told.items()},
        ent={c: frozenset(v) for c, v in ent.items()},
        subs={c: frozenset(v) for c, v in subs.items()},
        definitions=tuple(definitions), values=tuple(values), implied_by=implied_by,
        evidence={c: tuple(sorted(ev, key=lambda e: (str(e[0]), e[1]))) for c, ev in evidence.items()},
        disjoint=frozenset(disjoint),
        functional=tuple(sorted(functional, key=lambda f: (str(f[0]), f[1]))),
    )


def _implied_by(subprop: dict[URIRef, set[tuple[URIRef, bool]]], props: Iterable[URIRef],
                ) -> dict[URIRef, tuple[tuple[URIRef, bool], ...]]:
    """Invert the closure of ``p => (q, inverse)``: for each q, the signed properties that entail it."""
    out: dict[URIRef, set[tuple[URIRef, bool]]] = defaultdict(set)
    for p in set(props) | set(subprop):
        seen, todo = {(p, False)}, [(p, False)]
        while todo:
            q, inv = todo.pop()
            for r, r_inv in subprop.get(q, ()):
                step = (r, inv != r_inv)
                if step not in seen:
                    seen.add(step)
                    todo.append(step)
        for q, inverse in seen:
            out[q].add((p, inverse))
    return {q: tuple(sorted(src, key=lambda t: (str(t[0]), t[1]))) for q, src in out.items()}


def _subsume(definitions: list[Definition], ent: dict[URIRef, set[URIRef]],
             implied_by: dict[URIRef, tuple[tuple[URIRef, bool], ...]]) -> dict[URIRef, set[URIRef]]:
    """Add to each class the defined classes it falls under by the restrictions of the defined
    classes it entails (structural subsumption), until nothing changes."""
    some_of = {d.cls: d.some for d in definitions}

    def covers(have: Existential, want: Existential) -> bool:
        if (have.prop, False) not in implied_by.get(want.prop, ((want.prop, False),)):
            return False
        if isinstance(have.filler, DataRange) or isinstance(want.filler, DataRange):
            return have.filler == want.filler or (isinstance(want.filler, DataRange) and not want.filler.datatypes
                                                  and isinstance(have.filler, DataRange))
        return want.filler == OWL.Thing or want.filler in ent.get(have.filler, {have.filler})

    changed = True
    while changed:
        changed = False
        for d in definitions:
            for sups in ent.values():
                if d.cls in sups or not set(d.named) <= sups:
                    continue
                mine = [e for x in sups for e in some_of.get(x, ())]
                if all(any(covers(e, want) for e in mine) for want in d.some):
                    sups |= ent[d.cls]
                    changed = True
    return ent


@lru_cache(maxsize=1)
def project_tbox() -> TBox:
    """The TBox of the project's ontology (``ontology/ntrk.ttl``)."""
    from kg_build.rdf.vocab import ontology_graph

    return read_tbox(ontology_graph())
