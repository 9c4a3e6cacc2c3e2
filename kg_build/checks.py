"""Structural checks of a built dataset: closed vocabulary and no blank nodes."""

from __future__ import annotations

from rdflib import RDF, Dataset, URIRef

from kg_build.iris import ONTOLOGY_GRAPH
from kg_build.vocab import NTRK, declared_terms


def undeclared_terms(ds: Dataset) -> list[str]:
    """``ntrk:`` IRIs used as a class or property in the data that the ontology does not declare."""
    declared = declared_terms()
    used: set[URIRef] = set()
    for s, p, o, g in ds.quads((None, None, None, None)):
        if g == ONTOLOGY_GRAPH:
            continue
        used.add(p)
        if p == RDF.type and isinstance(o, URIRef):
            used.add(o)
    return sorted(str(t) for t in used if str(t).startswith(NTRK) and t not in declared)
