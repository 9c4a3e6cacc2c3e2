"""Structural checks of a built dataset: a closed vocabulary and no blank nodes."""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import RDF, BNode, Dataset, URIRef
from rdflib.term import Node

from kg_build.errors import ValidationFailure
from kg_build.rdf.iris import ONTOLOGY_GRAPH
from kg_build.rdf.vocab import NTRK, declared_terms


def undeclared_terms(ds: Dataset) -> list[str]:
    """``ntrk:`` IRIs used as a class or property in the data that the ontology does not declare."""
    declared = declared_terms()
    used: set[URIRef] = set()
    for _s, p, o, g in ds.quads((None, None, None, None)):
        if g == ONTOLOGY_GRAPH:
            continue
        if isinstance(p, URIRef):
            used.add(p)
        if p == RDF.type and isinstance(o, URIRef):
            used.add(o)
    return sorted(str(t) for t in used if str(t).startswith(NTRK) and t not in declared)


def blank_nodes(ds: Dataset, skip_graphs: Iterable[URIRef] = ()) -> list[tuple[Node, Node, Node]]:
    """Triples that hold a blank node (the dataset must have none), outside ``skip_graphs``."""
    skip = set(skip_graphs)
    return [
        (s, p, o) for s, p, o, g in ds.quads((None, None, None, None))
        if g not in skip and (isinstance(s, BNode) or isinstance(o, BNode))
    ]


def check_terms(ds: Dataset) -> None:
    """Stop when ``ds`` uses an ``ntrk:`` term the ontology does not declare, or a blank node.

    The per-row tables are written with the closed vocabulary (``NT``), which cannot name an
    undeclared term, and as IRIs and literals only; the fixed layers are checked here.
    """
    bad = undeclared_terms(ds)
    if bad:
        raise ValidationFailure("the graph uses terms the ontology does not declare: " + ", ".join(bad))
    bnodes = blank_nodes(ds)
    if bnodes:
        raise ValidationFailure(f"the graph holds {len(bnodes)} triples with blank nodes; it must hold none")
