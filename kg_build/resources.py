"""Where the project's shipped files are, in a checkout and in an installed wheel.

This module is the one owner of those paths. In a wheel, ``ontology/`` and ``queries/`` are mapped
into the package at build time (see ``pyproject.toml``); in a checkout they sit beside the package.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def _shipped(name: str) -> Path:
    inside = PACKAGE_DIR / name
    if inside.is_dir():
        return inside
    return PACKAGE_DIR.parent / name


DATA_DIR: Path = PACKAGE_DIR / "data"
"""The curated tables (and the dataset description, ``metadata.ttl``)."""
TEMPLATES_DIR: Path = PACKAGE_DIR / "templates"
STATIC_DIR: Path = PACKAGE_DIR / "static"
"""Files the server sends as they are: the query page's script and YASGUI (with its licences)."""
ONTOLOGY_DIR: Path = _shipped("ontology")
QUERIES_DIR: Path = _shipped("queries")
"""The query catalogue: one ``.rq`` per question; ``lookup/`` and ``internal/`` are not listed."""
LOOKUP_DIR: Path = QUERIES_DIR / "lookup"
INTERNAL_QUERIES_DIR: Path = QUERIES_DIR / "internal"
"""Queries the code itself runs (counting a graph on a server, reading statements back)."""
ONTOLOGY_FILE: Path = ONTOLOGY_DIR / "ntrk.ttl"
SHAPES_FILE: Path = ONTOLOGY_DIR / "shapes.ttl"
CHANGES_ONTOLOGY_FILE: Path = ONTOLOGY_DIR / "changes.ttl"
"""The change-set vocabulary (``ntrkch:``) that ``ntrk-kg diff`` writes change sets in."""
CHANGES_SHAPES_FILE: Path = ONTOLOGY_DIR / "changes-shapes.ttl"
"""The SHACL shapes of a change set."""
APPLY_CHANGES_FILE: Path = INTERNAL_QUERIES_DIR / "apply-changes.ru"
"""The SPARQL Update that applies a change set to the old version of the graph."""
PREFIXES_FILE: Path = DATA_DIR / "prefixes.tsv"
METADATA_FILE: Path = DATA_DIR / "metadata.ttl"
CURATION_SCHEMA_FILE: Path = PACKAGE_DIR / "curation" / "schema.yaml"
"""The columns of the curated tables and the checks each gets."""


def internal_query(name: str) -> str:
    """The text of ``queries/internal/NAME.rq``."""
    return (INTERNAL_QUERIES_DIR / f"{name}.rq").read_text(encoding="utf-8")
