"""Publish the query catalogue as RDF: one SHACL SPARQL executable per query, in the metadata graph.

This follows the SIB ``sparql-examples`` collection (as it publishes UniProt's queries): each query
is a ``sh:SPARQLExecutable`` and ``sh:SPARQLSelectExecutable`` (or ``...ConstructExecutable``) with
its text in ``sh:select`` (``sh:construct``), its question in ``rdfs:comment`` and its keywords in
``schema:keywords``; so a store that holds the graph also holds its queries. The query text keeps
its PREFIX declarations, so it runs as is.
"""

from __future__ import annotations

from rdflib import RDF, RDFS, Graph, Literal, Namespace
from rdflib.namespace import DCTERMS

from kg_build.query.catalogue import CatalogueQuery
from kg_build.rdf import iris

SH = Namespace("http://www.w3.org/ns/shacl#")
SCHEMA = Namespace("http://schema.org/")
_KINDS = {
    "select": (SH.SPARQLSelectExecutable, SH.select),
    "construct": (SH.SPARQLConstructExecutable, SH.construct),
    "ask": (SH.SPARQLAskExecutable, SH.ask),
}


def add_catalogue(g: Graph, queries: list[CatalogueQuery]) -> None:
    """Add one SPARQL executable per catalogue query to ``g`` (IRIs ``id/query/<name>``)."""
    for q in queries:
        node = iris.mint("query", q.name)
        kind, text_property = _KINDS[q.form]
        g.add((node, RDF.type, SH.SPARQLExecutable))
        g.add((node, RDF.type, kind))
        g.add((node, RDFS.label, Literal(q.name)))
        g.add((node, RDFS.comment, Literal(q.summary, lang="en")))
        g.add((node, DCTERMS.description, Literal(q.description, lang="en")))
        g.add((node, DCTERMS.isPartOf, iris.DATASET))
        g.add((node, text_property, Literal(q.body)))
        for keyword in q.keywords:
            g.add((node, SCHEMA.keywords, Literal(keyword)))
