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
