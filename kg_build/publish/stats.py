"""Counts of a built dataset: instances per class and triples per named graph."""

from __future__ import annotations

from collections import Counter

from rdflib import RDF, Dataset

from kg_build.rdf.iris import ONTOLOGY_GRAPH
from kg_build.rdf.prefixes import compress


def class_counts(ds: Dataset) -> list[tuple[str, int]]:
    """(class CURIE, number of distinct instances) over the data graphs, most frequent first."""
    instances: dict[str, set[object]] = {}
    for s, _, o, g in ds.quads((None, RDF.type, None, None)):
        if g == ONTOLOGY_GRAPH:
            continue
        instances.setdefault(compress(str(o)) or str(o), set()).add(s)
    counts = Counter({k: len(v) for k, v in instances.items()})
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def graph_counts(ds: Dataset) -> list[tuple[str, int]]:
    """(named graph IRI, number of triples), by IRI."""
    return sorted((str(g.identifier), len(g)) for g in ds.graphs() if len(g))
