"""The project's one prefix map (``data/prefixes.tsv``), in both directions: CURIE <-> IRI.

Each record has a preferred prefix, its namespace, synonyms, and (where the identifiers have a
known form) a regular expression ``pattern`` for the local identifiers, as ``curies.Record`` and
Bioregistry have. The expansion and compression here are plain lookups, so the query path stays
light; :func:`converter` gives the same map as a ``curies.Converter`` for tools that want one.
"""

from __future__ import annotations

import csv
import re
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple

from kg_build.resources import PREFIXES_FILE
from kg_build.tsv import split_list

if TYPE_CHECKING:
    import curies

_CURIE = re.compile(r"([A-Za-z_][A-Za-z0-9_.-]*):([^\s<>\"{}|\\^`]*)")


class PrefixRecord(NamedTuple):
    """One row of the prefix map."""

    prefix: str
    uri_prefix: str
    synonyms: tuple[str, ...]
    pattern: str | None
    """A regular expression every local identifier under this prefix matches, or ``None``."""


@lru_cache(maxsize=1)
def records() -> tuple[PrefixRecord, ...]:
    """The prefix map, in file order."""
    with PREFIXES_FILE.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    return tuple(
        PrefixRecord(r["prefix"], r["uri_prefix"], tuple(split_list(r.get("synonyms") or "")),
                     r.get("pattern") or None)
        for r in rows
    )


def namespaces() -> dict[str, str]:
    """Prefix -> namespace IRI, for binding in serialisations and for SPARQL PREFIX lines."""
    return {r.prefix: r.uri_prefix for r in records()}


@lru_cache(maxsize=1)
def _expansions() -> dict[str, str]:
    """Prefix or synonym -> namespace IRI."""
    out: dict[str, str] = {}
    for r in records():
        for name in (r.prefix, *r.synonyms):
            out.setdefault(name, r.uri_prefix)
    return out


@lru_cache(maxsize=1)
def _by_name() -> dict[str, PrefixRecord]:
    return {name: r for r in records() for name in (r.prefix, *r.synonyms)}


def record(prefix: str) -> PrefixRecord | None:
    """The record of a prefix or one of its synonyms."""
    return _by_name().get(prefix)


def expand(curie: str) -> str | None:
    """Expand a CURIE (preferred prefix or a synonym) to an IRI; ``None`` when it is not one.

    >>> expand("HGNC:8031"), expand("hgnc:8031")
    ('https://identifiers.org/hgnc:8031', 'https://identifiers.org/hgnc:8031')
    >>> expand("UNKNOWN:1") is None, expand("ETV6::NTRK3") is None
    (True, True)
    """
    m = _CURIE.fullmatch(curie)
    if not m:
        return None
    base = _expansions().get(m.group(1))
    return None if base is None else base + m.group(2)


@lru_cache(maxsize=1)
def _longest_first() -> tuple[PrefixRecord, ...]:
    return tuple(sorted(records(), key=lambda r: -len(r.uri_prefix)))


def compress(iri: str) -> str | None:
    """Compress an IRI to a CURIE with the preferred prefix of the longest matching namespace.

    >>> compress("http://purl.uniprot.org/uniprot/P04629"), compress("http://purl.obolibrary.org/obo/HP_0410280")
    ('uniprot:P04629', 'HP:0410280')
    >>> compress("urn:x") is None
    True
    """
    for r in _longest_first():
        if iri.startswith(r.uri_prefix):
            return f"{r.prefix}:{iri[len(r.uri_prefix):]}"
    return None


def shorten(iri: str) -> str:
    """The CURIE of ``iri`` where the prefix map knows its namespace, else the IRI itself."""
    return compress(iri) or iri


GEN_DELIMS = (":", "/", "?", "#", "[", "]", "@")
"""RFC 3986 gen-delims: a JSON-LD 1.1 term whose IRI ends in one is a prefix without saying so."""


def jsonld_context() -> dict[str, object]:
    """The prefix map as a JSON-LD 1.1 context, every prefix usable in compact IRIs both ways.

    JSON-LD 1.1 uses a term as the prefix of a compact IRI (``MONDO:0018078``) only when its IRI
    ends in a gen-delim character or its definition says ``"@prefix": true``; the OBO PURL
    prefixes end in ``_``, so they are written as ``{"@id": ..., "@prefix": true}``. A JSON-LD 1.0
    processor cannot read that keyword; ``"@version": 1.1`` makes it say so instead of guessing.

    >>> ctx = jsonld_context()["@context"]
    >>> ctx["MONDO"], ctx["HGNC"]
    ({'@id': 'http://purl.obolibrary.org/obo/MONDO_', '@prefix': True}, 'https://identifiers.org/hgnc:')
    """
    terms: dict[str, object] = {"@version": 1.1}
    for prefix, ns in sorted(namespaces().items()):
        terms[prefix] = ns if ns.endswith(GEN_DELIMS) else {"@id": ns, "@prefix": True}
    return {"@context": terms}


def pattern_problem(curie: str) -> str | None:
    """What is wrong with the local identifier of ``curie`` under its prefix's ``pattern``, or ``None``.

    >>> pattern_problem("HGNC:0123")
    "'HGNC:0123' is not a valid HGNC identifier (expected ^[1-9][0-9]*$ after 'HGNC:')"
    >>> pattern_problem("HGNC:8031") is None
    True
    """
    prefix, _, local = curie.partition(":")
    r = record(prefix)
    if r is None or r.pattern is None or re.fullmatch(r.pattern, local):
        return None
    return f"{curie!r} is not a valid {r.prefix} identifier (expected {r.pattern} after '{prefix}:')"


@lru_cache(maxsize=1)
def converter() -> curies.Converter:
    """A ``curies.Converter`` over the prefix map, synonyms and patterns included."""
    import curies

    return curies.Converter([
        curies.Record(prefix=r.prefix, uri_prefix=r.uri_prefix, prefix_synonyms=list(r.synonyms), pattern=r.pattern)
        for r in records()
    ])
