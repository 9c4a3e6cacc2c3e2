"""Publish the query catalogue as RDF: one SHACL SPARQL executable per query, in the metadata graph.

This follows the SIB ``sparql-examples`` collection (as it publishes UniProt's queries): each query
is a ``sh:SPARQLExecutable`` and ``sh:SPARQLSelectExecutable`` (or ``...ConstructExecutable``) with
its text in ``sh:select`` (``sh:construct``), its question in ``rdfs:comment``, its keywords in
``schema:keywords``, what it runs on in ``schema:target`` and the endpoints it reaches through
``SERVICE`` in ``spex:federatesWith``; so a store that holds the graph also holds its queries.
The text is the published one (``kg_build.query.publish``): PREFIX declarations kept, parameters bound
to their defaults or examples, federated endpoints to the public endpoints, so it runs as is.

No public SPARQL endpoint serves this graph, so ``schema:target`` is the dataset itself
(``https://w3id.org/ntrk-kg/dataset``): any store that holds its named graphs runs the queries.
"""

from __future__ import annotations

from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS

from kg_build.query.catalogue import CatalogueQuery
from kg_build.query.publish import federated_endpoints, published_text
from kg_build.rdf import iris

SH = Namespace("http://www.w3.org/ns/shacl#")
SCHEMA = Namespace("https://schema.org/")
SPEX = Namespace("https://purl.expasy.org/sparql-examples/ontology#")
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
        text = published_text(q)
        g.add((node, RDF.type, SH.SPARQLExecutable))
        g.add((node, RDF.type, kind))
        g.add((node, RDFS.label, Literal(q.name)))
        g.add((node, RDFS.comment, Literal(q.summary, lang="en")))
        g.add((node, DCTERMS.description, Literal(q.description, lang="en")))
        g.add((node, DCTERMS.isPartOf, iris.DATASET))
        g.add((node, SCHEMA.target, iris.DATASET))
        g.add((node, text_property, Literal(text)))
        for endpoint in federated_endpoints(text):
            g.add((node, SPEX.federatesWith, URIRef(endpoint)))
        for keyword in q.keywords:
            g.add((node, SCHEMA.keywords, Literal(keyword)))
