"""The RDF format registry: the one table of the syntaxes the project reads and writes.

Each format has a short name (the CLI's ``--format`` choices), the pyoxigraph format it is (which
gives its media type, file extension and whether it holds named graphs), and the name rdflib
knows it by. Suffixes and media types are derived from pyoxigraph, never written twice.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from kg_build.errors import UsageError

FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}
"""Short name -> format, in the order the CLI lists them."""
NAMES = tuple(FORMATS)
_RDFLIB = {"turtle": "turtle", "ntriples": "nt", "nquads": "nquads", "trig": "trig", "jsonld": "json-ld", "rdfxml": "xml"}
EXTRA_SUFFIXES = {"owl": "rdfxml", "xml": "rdfxml", "json": "jsonld"}
"""Suffixes common in the field that pyoxigraph does not map (``.owl`` is RDF/XML by convention)."""


def suffix(name: str) -> str:
    """The file extension a format is written with.

    >>> suffix("turtle"), suffix("rdfxml"), suffix("jsonld")
    ('ttl', 'rdf', 'jsonld')
    """
    return FORMATS[name].file_extension


def media_type(name: str) -> str:
    """The media type of a format.

    >>> media_type("nquads")
    'application/n-quads'
    """
    return FORMATS[name].media_type


def holds_graphs(name: str) -> bool:
    """Whether the format keeps named graphs (N-Quads, TriG, JSON-LD)."""
    return FORMATS[name].supports_datasets


def rdflib_name(name: str) -> str:
    """The name rdflib's parsers and serialisers know the format by."""
    return _RDFLIB[name]


def name_of(fmt: ox.RdfFormat) -> str:
    """The short name of a pyoxigraph format."""
    for name, f in FORMATS.items():
        if f == fmt:
            return name
    raise KeyError(fmt)


def known_suffixes() -> list[str]:
    """Every suffix a file can have to be read, sorted."""
    return sorted({f".{f.file_extension}" for f in FORMATS.values()} | {f".{s}" for s in EXTRA_SUFFIXES})


def from_path(path: Path) -> str:
    """The short name of the format of ``path``, from its suffix; a ``UsageError`` if unknown.

    >>> from_path(Path("x.owl")), from_path(Path("a/b.NQ"))
    ('rdfxml', 'nquads')
    """
    ext = path.suffix.lstrip(".").lower()
    if ext in EXTRA_SUFFIXES:
        return EXTRA_SUFFIXES[ext]
    fmt = ox.RdfFormat.from_extension(ext) if ext else None
    if fmt is None or fmt not in FORMATS.values():
        raise UsageError(
            f"{path}: cannot tell the RDF syntax from the extension {path.suffix!r} "
            f"(known: {', '.join(known_suffixes())}); pass --input-format"
        )
    return name_of(fmt)


def from_media_type(media: str) -> str | None:
    """The short name of the format with media type ``media`` (``text/plain`` is N-Triples), else ``None``."""
    fmt = ox.RdfFormat.from_media_type(media)
    return name_of(fmt) if fmt is not None and fmt in FORMATS.values() else None
