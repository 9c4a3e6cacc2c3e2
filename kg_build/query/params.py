"""Turn ``-p name=value`` strings into typed RDF terms (pyoxigraph) by the parameter's type.

Values are never pasted into query text: each becomes an RDF term (an IRI, or a literal with its
datatype) that the engines bind to the variable of the same name. CURIEs are expanded with the
project's one prefix map (:mod:`kg_build.rdf.prefixes`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

import pyoxigraph as ox

from kg_build.errors import UsageError
from kg_build.rdf.prefixes import expand
from kg_build.rdf.xsd import XSD, canonical_decimal

PARAM_TYPES = {
    "curie": "a CURIE with a prefix of the project's prefix map (HGNC:8033) or a full IRI; bound as an IRI",
    "iri": "an absolute IRI; bound as an IRI",
    "string": "any text; bound as an xsd:string literal",
    "label-or-iri": "a CURIE or IRI (bound as an IRI) or else a label or symbol (bound as an xsd:string literal)",
    "percent": "a number from 0 to 100, '%' allowed (80, 80%, 0.5); bound as an xsd:decimal literal",
    "decimal": "a decimal number; bound as an xsd:decimal literal",
    "integer": "a whole number; bound as an xsd:integer literal",
}
"""Parameter type -> what a value of it may be and how it is bound."""
_ABSOLUTE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s<>\"{}|\\^`]+")


def _iri(value: str) -> ox.NamedNode:
    if value.startswith("<") and value.endswith(">"):
        value = value[1:-1]
    if not _ABSOLUTE_IRI.fullmatch(value):
        raise ValueError(f"{value!r} is not an absolute IRI")
    return ox.NamedNode(value)


def _decimal(value: str, what: str) -> ox.Literal:
    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        raise ValueError(f"{value!r} is not {what}") from None
    if not number.is_finite():
        raise ValueError(f"{value!r} is not {what}")
    return ox.Literal(canonical_decimal(number), datatype=ox.NamedNode(XSD + "decimal"))


def to_term(ptype: str, value: str) -> ox.NamedNode | ox.Literal:
    """The RDF term for a parameter value of type ``ptype``; ``ValueError`` says what is wrong."""
    if ptype == "curie":
        iri = expand(value)
        if iri is not None:
            return ox.NamedNode(iri)
        if _ABSOLUTE_IRI.fullmatch(value.strip("<>")):
            return _iri(value)
        raise ValueError(f"{value!r} is not a CURIE with a known prefix (e.g. HGNC:8033) nor an absolute IRI")
    if ptype == "iri":
        return _iri(value)
    if ptype == "label-or-iri":
        iri = expand(value)
        if iri is not None:
            return ox.NamedNode(iri)
        if _ABSOLUTE_IRI.fullmatch(value.strip("<>")):
            return _iri(value)
        return ox.Literal(value)
    if ptype == "string":
        return ox.Literal(value)
    if ptype == "percent":
        term = _decimal(value.strip().removesuffix("%"), "a percentage")
        if not Decimal(0) <= Decimal(term.value) <= Decimal(100):
            raise ValueError(f"{value!r} is not a percentage from 0 to 100")
        return term
    if ptype == "decimal":
        return _decimal(value, "a decimal number")
    if ptype == "integer":
        if not re.fullmatch(r"[-+]?[0-9]+", value.strip()):
            raise ValueError(f"{value!r} is not a whole number")
        return ox.Literal(str(int(value)), datatype=ox.NamedNode(XSD + "integer"))
    raise ValueError(f"unknown parameter type {ptype!r} (known: {', '.join(PARAM_TYPES)})")


def parse_assignments(pairs: Sequence[str]) -> dict[str, str]:
    """``["a=1", "b=x=y"]`` -> ``{"a": "1", "b": "x=y"}``; a pair without ``=`` is a ``UsageError``."""
    out: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"parameter {pair!r} must be written name=value (e.g. -p threshold=80)")
        if name.strip() in out:
            raise UsageError(f"parameter {name.strip()!r} is given twice")
        out[name.strip()] = value
    return out
