"""OWL reasoning over the ontology and the data: HermiT through owlready2, or an OWL 2 RL fallback.

The reasoner fills the ontology's defined classes (``ntrk:FusionPartnerGene``, ``ntrk:NTRKFusion``,
``ntrk:HighPrevalenceTumourType``...). Only the NEW, non-trivial types of the graph's own
individuals are kept: a type is new when it is neither asserted nor a told superclass of an
asserted type. They go into their own named graph (``iris.INFERRED_GRAPH``).

Two engines:

- ``hermit``: the full OWL 2 DL reasoner HermiT (bundled with owlready2; needs ``java``). It is
  complete for the ontology's defined classes, including the datatype restriction of
  ``ntrk:HighPrevalenceBand`` (a lower bound of at least 90).
- ``owlrl``: the OWL 2 RL rules in Python (``owlrl``), used when Java is missing. RL fills a
  defined class from intersections, existentials over (inverse) properties and ``owl:hasValue``,
  but has no datatype restrictions (facets such as ``xsd:minInclusive``), so it cannot infer
  ``ntrk:HighPrevalenceBand`` nor the two classes defined on top of it.

An inconsistent graph raises ``InconsistentGraph`` (a ``ValidationFailure``, exit 1) whose message
names the individuals and the disjoint classes they were given, in words.
"""

from __future__ import annotations

import io
import shutil
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from rdflib import OWL, RDF, RDFS, Dataset, Graph, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from kg_build.errors import KgError, ValidationFailure
from kg_build.rdf import iris
from kg_build.rdf.prefixes import compress
from kg_build.rdf.vocab import ontology_graph

ENGINES = ("auto", "hermit", "owlrl")
REASONED_GRAPHS = (iris.ONTOLOGY_GRAPH, iris.GUIDE_GRAPH, iris.CURATION_GRAPH)
"""The graphs a reasoner reads; the metadata graph describes the dataset, not the domain."""
JAVA_MEMORY_MB = 1000

OBJECT_PROPERTY_DECLARATIONS = (OWL.ObjectProperty, OWL.FunctionalProperty, OWL.InverseFunctionalProperty,
                                OWL.TransitiveProperty, OWL.SymmetricProperty)


class InconsistentGraph(ValidationFailure):
    """The ontology and the data contradict each other (exit 1)."""


class ReasonerUnavailable(KgError):
    """HermiT was asked for explicitly, but Java cannot be run (exit 2)."""


@dataclass
class Reasoning:
    """What a reasoner inferred: new ``(individual, class)`` types, sorted, and any notes for the user."""

    engine: str
    types: list[tuple[URIRef, URIRef]]
    notes: list[str] = field(default_factory=list)
    checked_by: list[str] = field(default_factory=list)
    """The engines that checked the graph's consistency."""

    def graph(self) -> Graph:
        g = Graph()
        for s, c in self.types:
            g.add((s, RDF.type, c))
        return g


def java() -> str | None:
    """The ``java`` executable on PATH, or ``None``."""
    return shutil.which("java")


def reasoning_input(ds: Dataset) -> Graph:
    """The full ontology (with its class expressions) and the guide and curation graphs, merged into
    one graph, as a reasoner reads them."""
    g = Graph()
    for t in ontology_graph():
        g.add(t)
    for gid in REASONED_GRAPHS:
        if gid == iris.ONTOLOGY_GRAPH:
            continue
        for t in ds.graph(gid):
            g.add(t)
    return g


# ----------------------------------------------------------------------------- ontology facts
def _named_classes(g: Graph) -> set[URIRef]:
    return {c for c in g.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef)}


def _object_properties(g: Graph) -> set[URIRef]:
    return {p for t in OBJECT_PROPERTY_DECLARATIONS for p in g.subjects(RDF.type, t) if isinstance(p, URIRef)}


def _ancestors(g: Graph, cls: URIRef, via: Iterable[URIRef] = (RDFS.subClassOf,)) -> set[URIRef]:
    """``cls`` and its told named superclasses."""
    seen, todo = {cls}, [cls]
    while todo:
        c = todo.pop()
        for p in via:
            for sup in g.objects(c, p):
                if isinstance(sup, URIRef) and sup not in seen:
                    seen.add(sup)
                    todo.append(sup)
    return seen


def _super_properties(g: Graph, prop: URIRef) -> set[URIRef]:
    return _ancestors(g, prop, (RDFS.subPropertyOf,))


def individuals(g: Graph) -> set[URIRef]:
    """The graph's individuals: IRIs typed with a named class, or linked by an object property."""
    classes, props = _named_classes(g), _object_properties(g)
    out = {s for s, c in g.subject_objects(RDF.type) if c in classes and isinstance(s, URIRef)}
    for p in props:
        for s, o in g.subject_objects(p):
            out.update(x for x in (s, o) if isinstance(x, URIRef))
    return out - classes - props


def asserted_closure(g: Graph, individual: URIRef) -> set[URIRef]:
    """The asserted types of an individual and all their told superclasses (the trivial types)."""
    out: set[URIRef] = set()
    for c in g.objects(individual, RDF.type):
        if isinstance(c, URIRef):
            out |= _ancestors(g, c)
    return out


def new_types(g: Graph, entailed: Iterable[tuple[URIRef, URIRef]]) -> list[tuple[URIRef, URIRef]]:
    """Keep entailed types of the graph's individuals that are declared classes and not trivial."""
    classes, inds = _named_classes(g), individuals(g)
    closure: dict[URIRef, set[URIRef]] = {}
    out = set()
    for s, c in entailed:
        if s not in inds or c not in classes:
            continue
        if s not in closure:
            closure[s] = asserted_closure(g, s)
        if c not in closure[s]:
            out.add((s, c))
    return sorted(out, key=lambda t: (str(t[0]), str(t[1])))


# ----------------------------------------------------------------------------- disjointness
def disjoint_pairs(g: Graph) -> set[frozenset[URIRef]]:
    """Every pair of named classes the ontology declares disjoint."""
    pairs: set[frozenset[URIRef]] = set()
    for a, b in g.subject_objects(OWL.disjointWith):
        if isinstance(a, URIRef) and isinstance(b, URIRef):
            pairs.add(frozenset((a, b)))
    for node in g.subjects(RDF.type, OWL.AllDisjointClasses):
        head = g.value(node, OWL.members)
        members = [m for m in Collection(g, head) if isinstance(m, URIRef)] if head is not None else []
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                pairs.add(frozenset((a, b)))
    return pairs


def _name(g: Graph, node: Node) -> str:
    label = g.value(node, RDFS.label)
    short = compress(str(node)) or f"<{node}>"
    return f'{short} "{label}"' if label is not None else short


def _why(g: Graph, x: URIRef, cls: URIRef) -> str:
    """In words, why ``x`` is a ``cls``: an asserted type, or the domain or range of a property it uses."""
    asserted = [c for c in g.objects(x, RDF.type) if isinstance(c, URIRef)]
    if cls in asserted:
        return "asserted"
    for c in sorted(asserted, key=str):
        if cls in _ancestors(g, c):
            return f"asserted to be a {_name(g, c)}, a subclass"
    for p, o in sorted(g.predicate_objects(x), key=lambda t: (str(t[0]), str(t[1]))):
        for sp in sorted(_super_properties(g, p) if isinstance(p, URIRef) else (), key=str):
            for d in g.objects(sp, RDFS.domain):
                if isinstance(d, URIRef) and cls in _ancestors(g, d):
                    return f"subject of {_name(g, p)} {_name(g, o)}, whose domain is {_name(g, d)}"
    for s, p in sorted(g.subject_predicates(x), key=lambda t: (str(t[0]), str(t[1]))):
        for sp in sorted(_super_properties(g, p) if isinstance(p, URIRef) else (), key=str):
            for r in g.objects(sp, RDFS.range):
                if isinstance(r, URIRef) and cls in _ancestors(g, r):
                    return f"value of {_name(g, s)} {_name(g, p)}, whose range is {_name(g, r)}"
    return "the reasoner infers it"


def clashes(g: Graph, entailed: Iterable[tuple[URIRef, URIRef]] = ()) -> list[str]:
    """Sentences naming each individual that has two disjoint types, and why it has each.

    ``entailed`` adds types a reasoner derived (for example the OWL 2 RL closure); told types,
    superclasses and the domains and ranges of the properties used are always considered.
    """
    types: dict[URIRef, set[URIRef]] = defaultdict(set)
    for x in individuals(g):
        types[x] |= asserted_closure(g, x)
        for p, _ in g.predicate_objects(x):
            if isinstance(p, URIRef):
                for sp in _super_properties(g, p):
                    for d in g.objects(sp, RDFS.domain):
                        types[x] |= _ancestors(g, d) if isinstance(d, URIRef) else set()
        for _, p in g.subject_predicates(x):
            if isinstance(p, URIRef):
                for sp in _super_properties(g, p):
                    for r in g.objects(sp, RDFS.range):
                        types[x] |= _ancestors(g, r) if isinstance(r, URIRef) else set()
    for x, c in entailed:
        types[x] |= _ancestors(g, c)
    out = []
    pairs = disjoint_pairs(g)
    for x in sorted(types, key=str):
        for pair in sorted(pairs, key=lambda p: sorted(map(str, p))):
            a, b = sorted(pair, key=str)
            if a in types[x] and b in types[x]:
                out.append(
                    f"{_name(g, x)} is a {_name(g, a)} ({_why(g, x, a)}) and a {_name(g, b)} "
                    f"({_why(g, x, b)}), but the ontology declares these two classes disjoint"
                )
    return out


def inconsistent(engine: str, reasons: list[str]) -> InconsistentGraph:
    head = f"the ontology and the data are inconsistent ({engine})"
    if not reasons:
        return InconsistentGraph(
            head + ": no individual carries two disjoint types, so the contradiction lies in a "
            "combination of axioms (a functional property, an inverse or a datatype restriction); "
            "check the rows changed last"
        )
    return InconsistentGraph(head + ":\n" + "\n".join(f"  {r}" for r in reasons))


# ----------------------------------------------------------------------------- engines
def _declare_individuals(g: Graph) -> Graph:
    """A copy of ``g`` where every individual is declared ``owl:NamedIndividual`` (OWL 2 DL wants it)."""
    out = Graph()
    for t in g:
        out.add(t)
    for x in individuals(g):
        out.add((x, RDF.type, OWL.NamedIndividual))
    return out


def hermit_types(g: Graph) -> list[tuple[URIRef, URIRef]]:
    """Every type HermiT entails for the individuals of ``g`` (direct types and their superclasses)."""
    import owlready2
    from owlready2 import OwlReadyInconsistentOntologyError, OwlReadyJavaError, ThingClass, World

    exe = java()
    if exe is None:
        raise ReasonerUnavailable("HermiT needs Java, and 'java' is not on PATH; install Java 11+ or use --reasoner owlrl")
    owlready2.JAVA_EXE = exe
    owlready2.reasoning.JAVA_MEMORY = JAVA_MEMORY_MB
    # owlready2 reads no Turtle: hand it N-Triples, in a fresh World so nothing leaks between builds.
    data = _declare_individuals(g).serialize(format="nt", encoding="utf-8")
    world = World()
    try:
        world.get_ontology(iris.BASE + "reasoning-input").load(fileobj=io.BytesIO(data), format="ntriples")
        try:
            owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
        except OwlReadyInconsistentOntologyError:
            raise inconsistent("HermiT", clashes(g, owlrl_entailed(g))) from None
        except OwlReadyJavaError as exc:
            first = str(exc).strip().splitlines()[-1] if str(exc).strip() else "no message"
            raise ValidationFailure(f"HermiT failed to run: {first}") from None
        unsat = sorted(c.iri for c in world.inconsistent_classes() if hasattr(c, "iri"))
        if unsat:
            raise InconsistentGraph(
                "the ontology has unsatisfiable classes (no individual can ever belong to them): "
                + ", ".join(_name(g, URIRef(c)) for c in unsat)
            )
        out = []
        for x in individuals(g):
            ind = world[str(x)]
            if ind is None:
                continue
            for c in ind.INDIRECT_is_a:
                if isinstance(c, ThingClass) and c is not owlready2.Thing:
                    out.append((x, URIRef(c.iri)))
        return out
    finally:
        world.close()


def owlrl_entailed(g: Graph) -> list[tuple[URIRef, URIRef]]:
    """Every type the OWL 2 RL closure (``owlrl``) entails for the individuals of ``g``."""
    import owlrl

    closed = Graph()
    for t in g:
        closed.add(t)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(closed)
    inds = individuals(g)
    return [(s, c) for s, c in closed.subject_objects(RDF.type)
            if isinstance(s, URIRef) and s in inds and isinstance(c, URIRef)]


def owlrl_types(g: Graph) -> list[tuple[URIRef, URIRef]]:
    """The OWL 2 RL fallback: its entailed types, after checking the closure for disjoint types."""
    entailed = owlrl_entailed(g)
    reasons = clashes(g, entailed)
    if reasons:
        raise inconsistent("OWL 2 RL closure", reasons)
    return entailed


def reason(ds: Dataset, engine: str = "auto") -> Reasoning:
    """Run a reasoner over the dataset's ontology, guide and curation graphs; return the new types.

    ``engine`` is ``hermit``, ``owlrl`` or ``auto`` (HermiT when ``java`` is on PATH, else the
    OWL 2 RL fallback, with a note saying so).
    """
    if engine not in ENGINES:
        raise ValueError(f"unknown reasoner {engine!r}; choose one of {', '.join(ENGINES)}")
    g = reasoning_input(ds)
    notes = []
    if engine == "auto":
        if java() is None:
            engine = "owlrl"
            notes.append(
                "java is not on PATH, so HermiT cannot run: falling back to the OWL 2 RL closure (owlrl), "
                "which infers no high-prevalence bands, statements or tumour types"
            )
        else:
            engine = "hermit"
    entailed = hermit_types(g) if engine == "hermit" else owlrl_types(g)
    return Reasoning(engine, new_types(g, entailed), notes, [engine])


def inferred_lines(result: Reasoning) -> list[str]:
    """The inferred types as N-Quads lines of the inferred graph, sorted."""
    rdf_type = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
    return sorted(f"<{s}> {rdf_type} <{c}> <{iris.INFERRED_GRAPH}> .\n" for s, c in set(result.types))
