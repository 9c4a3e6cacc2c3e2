"""The project's one prefix map (``data/prefixes.tsv``), in both directions: CURIE <-> IRI."""

from __future__ import annotations

import csv
from functools import lru_cache

import curies

from kg_build.paths import PREFIXES_FILE


@lru_cache(maxsize=1)
def prefix_records() -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """Return ``(prefix, uri_prefix, synonyms)`` rows of the prefix map, in file order."""
    with PREFIXES_FILE.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    return tuple(
        (r["prefix"], r["uri_prefix"], tuple(s for s in r["synonyms"].split("|") if s)) for r in rows
    )


@lru_cache(maxsize=1)
def converter() -> curies.Converter:
    """A ``curies.Converter`` over the prefix map, synonyms included."""
    records = [
        curies.Record(prefix=p, uri_prefix=u, prefix_synonyms=list(s)) for p, u, s in prefix_records()
    ]
    return curies.Converter(records)


def namespaces() -> dict[str, str]:
    """Prefix -> namespace IRI, for binding in serialisations and for SPARQL PREFIX lines."""
    return {p: u for p, u, _ in prefix_records()}


def expand(curie: str) -> str | None:
    """Expand a CURIE to an IRI; ``None`` when its prefix is unknown or it is not a CURIE.

    >>> expand("HGNC:8031")
    'https://identifiers.org/hgnc:8031'
    >>> expand("UNKNOWN:1") is None
    True
    """
    prefix, sep, local = curie.partition(":")
    base = _expansions().get(prefix) if sep else None
    return None if base is None else base + local


@lru_cache(maxsize=1)
def _expansions() -> dict[str, str]:
    """Prefix or synonym -> namespace IRI (what ``curies`` expands with, as a plain lookup)."""
    out: dict[str, str] = {}
    for p, u, synonyms in prefix_records():
        for name in (p, *synonyms):
            out.setdefault(name, u)
    return out


def compress(iri: str) -> str | None:
    """Compress an IRI to a CURIE with the preferred prefix; ``None`` when no prefix matches.

    >>> compress("http://purl.uniprot.org/uniprot/P04629")
    'uniprot:P04629'
    """
    return converter().compress(iri, strict=False)


def standardize(curie: str) -> str | None:
    """Rewrite a CURIE with a synonym prefix to the preferred prefix (``hgnc:1`` -> ``HGNC:1``)."""
    return converter().standardize_curie(curie, strict=False)
