"""Typed rdflib literals, written the same way by every layer of the build."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from rdflib import XSD, Literal

from kg_build.rdf.xsd import canonical_decimal, date_datatype


@lru_cache(maxsize=2)
def boolean(value: bool) -> Literal:
    """An ``xsd:boolean`` (literals are immutable: each is made once)."""
    return Literal(value, datatype=XSD.boolean)


@lru_cache(maxsize=4096)
def integer(value: str) -> Literal:
    """An ``xsd:integer`` from its text."""
    return Literal(int(value), datatype=XSD.integer)


@lru_cache(maxsize=65536)
def decimal(value: Decimal) -> Literal:
    """An ``xsd:decimal`` in canonical form, so every RDF syntax writes the same lexical value."""
    return Literal(canonical_decimal(value), datatype=XSD.decimal)


def date(value: str) -> Literal:
    """``xsd:gYear``, ``xsd:gYearMonth`` or ``xsd:date`` by the precision of ``value``."""
    return Literal(value, datatype=XSD[date_datatype(value)])
