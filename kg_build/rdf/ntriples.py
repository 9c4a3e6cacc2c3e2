"""RDF terms as N-Triples text: how the streaming build writes IRIs and literals.

The text is exactly what rdflib's N-Quads serialiser writes for the same term, so the graph the
builder streams is byte-for-byte the graph an rdflib ``Dataset`` would export.
"""

from __future__ import annotations

from rdflib import Literal, URIRef
from rdflib.term import Node

XSD = "http://www.w3.org/2001/XMLSchema#"


def iri(value: str) -> str:
    """An IRI as N-Triples text.

    >>> iri("https://identifiers.org/hgnc:8031")
    '<https://identifiers.org/hgnc:8031>'
    """
    return f"<{value}>"


def _quote(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"').replace("\r", "\\r")


def literal(text: str) -> str:
    """A plain (``xsd:string``) literal.

    >>> print(literal('the "ETV6" gene\\nfused'))
    "the \\"ETV6\\" gene\\nfused"
    """
    return f'"{_quote(text)}"'


def typed(lexical: str, datatype: str) -> str:
    """A literal of an XSD datatype given by its local name (``decimal``, ``integer``...).

    >>> typed("0.57", "decimal")
    '"0.57"^^<http://www.w3.org/2001/XMLSchema#decimal>'
    """
    return f'"{_quote(lexical)}"^^<{XSD}{datatype}>'


TRUE = typed("true", "boolean")
FALSE = typed("false", "boolean")


def boolean(value: bool) -> str:
    """An ``xsd:boolean``."""
    return TRUE if value else FALSE


def rdflib_term(node: Node) -> str:
    """An rdflib IRI or literal as N-Triples text, exactly as rdflib's N-Quads serialiser writes it.

    >>> from rdflib import XSD, Literal, URIRef
    >>> rdflib_term(URIRef("https://w3id.org/ntrk-kg/id/x")), rdflib_term(Literal("a\\nb"))
    ('<https://w3id.org/ntrk-kg/id/x>', '"a\\\\nb"')
    >>> rdflib_term(Literal("1.5", datatype=XSD.decimal)), rdflib_term(Literal("chat", lang="fr"))
    ('"1.5"^^<http://www.w3.org/2001/XMLSchema#decimal>', '"chat"@fr')
    """
    if type(node) is URIRef or not isinstance(node, Literal):
        return f"<{node}>"
    text = literal(node)
    if node.language:
        return f"{text}@{node.language}"
    return f"{text}^^<{node.datatype}>" if node.datatype else text
