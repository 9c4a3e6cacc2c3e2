"""The diff as RDF: a change set in the project's change-set vocabulary (``ontology/changes.ttl``).

Every IRI is minted from the sha256 of the two N-Quads files compared and from the graph,
entity, property or mapping target a node is about, so the same two files always give the same
change set, and no node is blank. The change set holds every quad removed and added, each term
exactly as written, so applying it (``kg_build.diff.apply``) to the old graph gives the new one.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO
from urllib.parse import quote

import pyoxigraph as ox

from kg_build.diff import kinds as K
from kg_build.diff.compare import Comparison
from kg_build.diff.model import EntityChange, Term
from kg_build.errors import UsageError
from kg_build.rdf.iris import mint_text
from kg_build.rdf.prefixes import compress, namespaces

NS = K.CHANGES_NS
RDF_TYPE = ox.NamedNode(K.RDF_TYPE)
RDFS_LABEL = ox.NamedNode(K.RDFS_LABEL)
XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
FORMATS = {"ntriples": ox.RdfFormat.N_TRIPLES, "turtle": ox.RdfFormat.TURTLE}


def _n(local: str) -> ox.NamedNode:
    return ox.NamedNode(NS + local)


def _key(iri: str) -> str:
    """A path segment naming ``iri``: its CURIE (or the IRI) with ``/`` and the like escaped.

    >>> _key("https://w3id.org/ntrk-kg/id/fusion/ETV6--NTRK3")
    'ntrkkg:fusion%2FETV6--NTRK3'
    """
    return quote(compress(iri) or iri, safe=":")


def change_set_iri(old_digest: str, new_digest: str) -> str:
    """The IRI of the change set between two N-Quads files, from their sha256.

    >>> change_set_iri("ab" * 32, "cd" * 32)
    'https://w3id.org/ntrk-kg/id/changes/abababababababab--cdcdcdcdcdcdcdcd'
    """
    return mint_text("changes", f"{old_digest[:16]}--{new_digest[:16]}")


def to_term(t: Term) -> ox.NamedNode | ox.Literal:
    """A term of the SPARQL results JSON form as a pyoxigraph term."""
    if t["type"] == "uri":
        return ox.NamedNode(t["value"])
    if "xml:lang" in t:
        return ox.Literal(t["value"], language=t["xml:lang"])
    if "datatype" in t:
        return ox.Literal(t["value"], datatype=ox.NamedNode(t["datatype"]))
    return ox.Literal(t["value"])


def _int(n: int) -> ox.Literal:
    return ox.Literal(str(n), datatype=XSD_INTEGER)


def entity_change_iri(change_set: str, change: EntityChange) -> str:
    return f"{change_set}/{_key(change.graph)}/{_key(change.entity)}"


def triples(result: Comparison) -> Iterator[ox.Triple]:
    """The change set of ``result`` as triples, in report order (deterministic)."""
    cs_iri = change_set_iri(result.old_digest, result.new_digest)
    cs = ox.NamedNode(cs_iri)
    yield ox.Triple(cs, RDF_TYPE, _n("ChangeSet"))
    yield ox.Triple(cs, RDFS_LABEL, ox.Literal(f"Changes from {result.old.name} to {result.new.name}"))
    yield ox.Triple(cs, _n("oldDigest"), ox.Literal(result.old_digest))
    yield ox.Triple(cs, _n("newDigest"), ox.Literal(result.new_digest))
    if result.old.version:
        yield ox.Triple(cs, _n("oldVersion"), ox.NamedNode(result.old.version))
    if result.new.version:
        yield ox.Triple(cs, _n("newVersion"), ox.NamedNode(result.new.version))
    summaries = {graph: ox.NamedNode(f"{cs_iri}/graph/{_key(graph)}") for graph in result.graphs}
    for graph, node in summaries.items():
        _named(graph, result)
        yield ox.Triple(cs, _n("hasGraphSummary"), node)
    for graph, s in result.graphs.items():
        node = summaries[graph]
        yield ox.Triple(node, RDF_TYPE, _n("GraphSummary"))
        yield ox.Triple(node, _n("namedGraph"), ox.NamedNode(graph))
        pairs = result.iris_changed(graph)
        for prop, n in (("triplesBefore", s.triples_before), ("triplesAfter", s.triples_after),
                        ("triplesAdded", s.triples_added), ("triplesRemoved", s.triples_removed),
                        ("entitiesAdded", s.entities_added - pairs), ("entitiesRemoved", s.entities_removed - pairs),
                        ("irisChanged", pairs), ("entitiesChanged", s.entities_changed)):
            yield ox.Triple(node, _n(prop), _int(n))
    for graph in result.graphs:
        for change in result.changes(graph):
            yield from _entity_change(cs, cs_iri, change)


def _named(graph: str, result: Comparison) -> None:
    if not graph:
        raise UsageError(
            f"{result.old.name} or {result.new.name} has quads in the default graph; the change set "
            "names the named graph of every change (use --format markdown or json for these files)"
        )


def _entity_change(cs: ox.NamedNode, cs_iri: str, c: EntityChange) -> Iterator[ox.Triple]:
    ec_iri = entity_change_iri(cs_iri, c)
    ec = ox.NamedNode(ec_iri)
    values = [(ox.NamedNode(f"{ec_iri}/{_key(v.property)}"), v) for v in c.values]
    mappings = [(ox.NamedNode(f"{ec_iri}/mapping/{_key(m.target)}"), m) for m in c.mappings]
    yield ox.Triple(ec, RDF_TYPE, _n("EntityChange"))
    yield ox.Triple(ec, _n("inChangeSet"), cs)
    yield ox.Triple(ec, _n("aboutEntity"), ox.NamedNode(c.entity))
    yield ox.Triple(ec, _n("inNamedGraph"), ox.NamedNode(c.graph))
    for kind in c.kinds:
        yield ox.Triple(ec, _n("kind"), ox.NamedNode(K.kind_iri(kind)))
    if c.label is not None:
        yield ox.Triple(ec, _n("entityLabel"), to_term(c.label))
    for cls in c.types:
        yield ox.Triple(ec, _n("entityType"), ox.NamedNode(cls))
    if c.replaced_by:
        yield ox.Triple(ec, _n("replacedBy"), ox.NamedNode(c.replaced_by))
    if c.replaces:
        yield ox.Triple(ec, _n("replaces"), ox.NamedNode(c.replaces))
    for vc, _ in values:
        yield ox.Triple(ec, _n("hasValueChange"), vc)
    for mc, _ in mappings:
        yield ox.Triple(ec, _n("hasMappingChange"), mc)
    for vc, v in values:
        yield ox.Triple(vc, RDF_TYPE, _n("ValueChange"))
        yield ox.Triple(vc, _n("onProperty"), ox.NamedNode(v.property))
        for t in v.removed:
            yield ox.Triple(vc, _n("removedValue"), to_term(t))
        for t in v.added:
            yield ox.Triple(vc, _n("addedValue"), to_term(t))
    for mc, m in mappings:
        yield ox.Triple(mc, RDF_TYPE, _n("MappingPredicateChange"))
        yield ox.Triple(mc, _n("mappingTarget"), ox.NamedNode(m.target))
        yield ox.Triple(mc, _n("oldPredicate"), ox.NamedNode(m.old_predicate))
        yield ox.Triple(mc, _n("newPredicate"), ox.NamedNode(m.new_predicate))


TURTLE_PREFIXES = ("rdf", "rdfs", "xsd", "owl", "skos", "dcterms", "ntrk", "ntrkgraph")


def prefixes() -> dict[str, str]:
    """The prefixes a Turtle change set declares: ``ntrkch:`` and a few of the project's."""
    ns = namespaces()
    return {"ntrkch": NS, **{p: ns[p] for p in TURTLE_PREFIXES}}


def write(result: Comparison, out: IO[bytes], fmt: str = "turtle") -> None:
    """Write the change set of ``result`` to the binary stream ``out`` (``turtle`` or ``ntriples``)."""
    ox.serialize(triples(result), out, FORMATS[fmt], prefixes=prefixes() if fmt == "turtle" else None)
