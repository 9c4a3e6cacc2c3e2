"""The one conversion between rdflib terms and pyoxigraph terms.

Both directions keep the term exactly: an IRI's text, a literal's lexical form, datatype and
language tag, a blank node's label. ``xsd:string`` literals become rdflib's plain literals, as an
rdflib parser would make them.
"""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def to_rdflib(term: OxTerm) -> Node:
    """A pyoxigraph term as the rdflib term an rdflib parser would make of it.

    >>> to_rdflib(ox.Literal("3.0", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")))
    rdflib.term.Literal('3.0', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#decimal'))
    """
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        dt = term.datatype.value
        return Literal(term.value) if dt == _XSD_STRING else Literal(term.value, datatype=URIRef(dt))
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    raise TypeError(f"not an RDF term of a graph: {term!r}")


def from_rdflib(term: Node) -> OxTerm:
    """An rdflib term as a pyoxigraph term.

    >>> from_rdflib(Literal("ETV6", lang="en"))
    <Literal value=ETV6 language=en>
    """
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"not an RDF term of a graph: {term!r}")
