"""Turn ``-p name=value`` strings into typed RDF terms (pyoxigraph), checked against the header.

Values are never pasted into query text: each becomes an RDF term (an IRI, or a literal with its
datatype) that the engines bind to the variable of the same name. CURIEs are expanded with the
project's one prefix map, read straight from ``data/prefixes.tsv`` so this path stays light.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from functools import lru_cache

import pyoxigraph as ox

from kg_build.catalogue import PARAM_TYPES, CatalogueQuery
from kg_build.errors import UsageError
from kg_build.paths import PREFIXES_FILE

XSD = "http://www.w3.org/2001/XMLSchema#"
_ABSOLUTE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s<>\"{}|\\^`]+")
_CURIE = re.compile(r"([A-Za-z_][A-Za-z0-9_.-]*):([^\s<>\"{}|\\^`]*)")


@lru_cache(maxsize=1)
def prefix_map() -> tuple[dict[str, str], dict[str, str]]:
    """``(prefix -> namespace, synonym -> prefix)`` from the project's prefix map file."""
    namespaces: dict[str, str] = {}
    synonyms: dict[str, str] = {}
    with PREFIXES_FILE.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            namespaces[row["prefix"]] = row["uri_prefix"]
            for s in (row.get("synonyms") or "").split("|"):
                if s:
                    synonyms[s] = row["prefix"]
    return namespaces, synonyms


def expand_curie(value: str) -> str | None:
    """The IRI of a CURIE whose prefix (or a synonym) is in the prefix map, else ``None``.

    >>> expand_curie("HGNC:8033")
    'https://identifiers.org/hgnc:8033'
    >>> expand_curie("hgnc:8033")
    'https://identifiers.org/hgnc:8033'
    >>> expand_curie("ETV6::NTRK3") is None
    True
    """
    m = _CURIE.fullmatch(value)
    if not m:
        return None
    namespaces, synonyms = prefix_map()
    prefix = m.group(1) if m.group(1) in namespaces else synonyms.get(m.group(1))
    return None if prefix is None else namespaces[prefix] + m.group(2)


def compress_iri(iri: str) -> str:
    """The shortest CURIE for ``iri`` under the prefix map, or the IRI itself.

    >>> compress_iri("http://purl.obolibrary.org/obo/HP_0410280")
    'HP:0410280'
    """
    match = max(
        ((prefix, ns) for prefix, ns in prefix_map()[0].items() if iri.startswith(ns)),
        key=lambda pn: len(pn[1]), default=None,
    )
    return iri if match is None else f"{match[0]}:{iri[len(match[1]):]}"


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


def canonical_decimal(number: Decimal) -> str:
    """The canonical xsd:decimal form: no exponent, no trailing zeros, at least one digit after '.'.

    >>> canonical_decimal(Decimal("90")), canonical_decimal(Decimal("3.00")), canonical_decimal(Decimal("-0.570"))
    ('90.0', '3.0', '-0.57')
    """
    text = format(number.normalize() if number else Decimal(0), "f")
    if "." not in text:
        text += ".0"
    return text


def to_term(ptype: str, value: str) -> ox.NamedNode | ox.Literal:
    """The RDF term for a parameter value of type ``ptype``; ``ValueError`` says what is wrong."""
    if ptype == "curie":
        iri = expand_curie(value)
        if iri is not None:
            return ox.NamedNode(iri)
        if _ABSOLUTE_IRI.fullmatch(value.strip("<>")):
            return _iri(value)
        raise ValueError(f"{value!r} is not a CURIE with a known prefix (e.g. HGNC:8033) nor an absolute IRI")
    if ptype == "iri":
        return _iri(value)
    if ptype == "label-or-iri":
        iri = expand_curie(value)
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


def bind(query: CatalogueQuery, values: Mapping[str, str]) -> dict[str, ox.NamedNode | ox.Literal]:
    """Check ``values`` against the query's parameters and convert them to terms.

    Unknown names, missing required parameters and values of the wrong type are a ``UsageError``
    that names the query, the parameter and what it expects. Optional parameters without a value
    stay unbound (or take their default).
    """
    problems = []
    for name in values:
        if query.param(name) is None:
            known = ", ".join(p.name for p in query.params) or "none"
            problems.append(f"unknown parameter {name!r} (parameters of {query.name}: {known})")
    out: dict[str, ox.NamedNode | ox.Literal] = {}
    for p in query.params:
        raw = values.get(p.name, p.default)
        if raw is None:
            if p.required:
                problems.append(f"missing required parameter {p.name!r} ({p.type}; {p.description}), e.g. -p {p.name}={p.example}")
            continue
        try:
            out[p.name] = to_term(p.type, raw)
        except ValueError as exc:
            problems.append(f"parameter {p.name!r}: {exc}; expected {PARAM_TYPES[p.type]}")
    if problems:
        raise UsageError(f"query {query.name}: " + "; ".join(problems))
    return out


def parse_assignments(pairs: tuple[str, ...] | list[str]) -> dict[str, str]:
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
