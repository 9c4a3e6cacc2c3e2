"""Typed rdflib literals, written the same way by every layer of the build."""

from __future__ import annotations

from decimal import Decimal

from rdflib import XSD, Literal

from kg_build.rdf.xsd import canonical_decimal, date_datatype


def boolean(value: bool) -> Literal:
    """An ``xsd:boolean``."""
    return Literal(value, datatype=XSD.boolean)


def integer(value: str) -> Literal:
    """An ``xsd:integer`` from its text."""
    return Literal(int(value), datatype=XSD.integer)


def decimal(value: Decimal) -> Literal:
    """An ``xsd:decimal`` in canonical form, so every RDF syntax writes the same lexical value."""
    return Literal(canonical_decimal(value), datatype=XSD.decimal)


def date(value: str) -> Literal:
    """``xsd:gYear``, ``xsd:gYearMonth`` or ``xsd:date`` by the precision of ``value``."""
    return Literal(value, datatype=XSD[date_datatype(value)])
