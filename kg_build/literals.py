"""Typed literals and parsed ranges, written the same way by every layer of the build."""

from __future__ import annotations

from decimal import Decimal

from rdflib import XSD, Graph, Literal, URIRef

from kg_build.values import Range, canonical_decimal
from kg_build.vocab import T


def boolean(value: bool) -> Literal:
    """An ``xsd:boolean``."""
    return Literal(value, datatype=XSD.boolean)


def integer(value: str) -> Literal:
    """An ``xsd:integer`` from its text."""
    return Literal(int(value), datatype=XSD.integer)


def decimal(value: Decimal) -> Literal:
    """An ``xsd:decimal`` in canonical form, so every RDF syntax writes the same lexical value."""
    return Literal(canonical_decimal(value), datatype=XSD.decimal)


def date_datatype(value: str) -> str:
    """The local name of the XSD date type for the precision of ``value``.

    >>> date_datatype("2019"), date_datatype("2019-05"), date_datatype("2019-05-03")
    ('gYear', 'gYearMonth', 'date')
    """
    return {4: "gYear", 7: "gYearMonth", 10: "date"}[len(value)]


def date(value: str) -> Literal:
    """``xsd:gYear``, ``xsd:gYearMonth`` or ``xsd:date`` by the precision of ``value``."""
    return Literal(value, datatype=XSD[date_datatype(value)])


def add_range(g: Graph, node: URIRef, value: Range) -> None:
    """The parsed bounds, point estimate and approximate flag of a range (percent of cases)."""
    if value.lower is not None:
        g.add((node, T.lowerBound, decimal(value.lower)))
        g.add((node, T.lowerBoundInclusive, boolean(bool(value.lower_inclusive))))
    if value.upper is not None:
        g.add((node, T.upperBound, decimal(value.upper)))
        g.add((node, T.upperBoundInclusive, boolean(bool(value.upper_inclusive))))
    if value.point is not None:
        g.add((node, T.pointEstimate, decimal(value.point)))
    g.add((node, T.isApproximate, boolean(value.approximate)))
