"""Where the project's files are, in a checkout and in an installed wheel.

In a wheel, ``ontology/`` and ``queries/`` are mapped into the package at build time
(see ``pyproject.toml``); in a checkout they sit beside the package.
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
ONTOLOGY_DIR: Path = _shipped("ontology")
QUERIES_DIR: Path = _shipped("queries")
ONTOLOGY_FILE: Path = ONTOLOGY_DIR / "ntrk.ttl"
SHAPES_FILE: Path = ONTOLOGY_DIR / "shapes.ttl"
PREFIXES_FILE: Path = DATA_DIR / "prefixes.tsv"
