"""Read RDF files in any common syntax, with errors that name the file and line."""

from __future__ import annotations

import re
from pathlib import Path

from rdflib import Dataset

from kg_build.errors import UsageError

SYNTAX_BY_SUFFIX = {
    ".ttl": "turtle",
    ".nt": "nt",
    ".nq": "nquads",
    ".trig": "trig",
    ".jsonld": "json-ld",
    ".json": "json-ld",
    ".rdf": "xml",
    ".owl": "xml",
    ".xml": "xml",
}
INPUT_FORMATS = ("turtle", "nt", "nquads", "trig", "json-ld", "xml")
QUAD_SYNTAXES = ("nquads", "trig", "json-ld")


def built_file(out_dir: Path) -> Path:
    """The N-Quads file of a build in ``out_dir``; a usage error if there is no build there."""
    path = out_dir / "ntrk-kg.nq"
    if not path.is_file():
        raise UsageError(f"{path} does not exist; run 'ntrk-kg build --out {out_dir}' first")
    return path


def guess_syntax(path: Path) -> str:
    """The rdflib parser name for a file, from its extension."""
    syntax = SYNTAX_BY_SUFFIX.get(path.suffix.lower())
    if syntax is None:
        known = ", ".join(sorted(SYNTAX_BY_SUFFIX))
        raise UsageError(f"{path}: cannot tell the RDF syntax from the extension {path.suffix!r} (known: {known}); pass --input-format")
    return syntax


def _where(exc: Exception) -> str:
    text = str(exc)
    m = re.search(r"line[ :]*(\d+)", text, re.I)
    col = re.search(r"col(?:umn)?[ :]*(\d+)", text, re.I)
    where = f"line {m.group(1)}" if m else ""
    if col:
        where += f", column {col.group(1)}"
    first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    return (where + ": " if where else "") + first


def load_dataset(files: list[Path], syntax: str | None = None) -> Dataset:
    """Parse files into one dataset (triples of triple-only syntaxes go to the default graph)."""
    ds = Dataset()
    for path in files:
        if not path.is_file():
            raise UsageError(f"{path}: no such file")
        fmt = syntax or guess_syntax(path)
        try:
            ds.parse(path, format=fmt)
        except Exception as exc:  # rdflib raises many unrelated types for syntax errors
            raise UsageError(f"{path}: not valid {fmt}: {_where(exc)}") from exc
    return ds
