"""Release notes: the diff between a previous release and the build being released, as files."""

from __future__ import annotations

import io
from pathlib import Path
from urllib.parse import unquote

from kg_build.diff import output
from kg_build.diff.compare import Side, compare
from kg_build.diff.sides import side
from kg_build.layout import CHANGES_MD, CHANGES_RDF


def release_notes(previous: Path, current: Side) -> tuple[Side, dict[str, bytes]]:
    """The previous release as a side, and ``CHANGES.md`` and ``changes.ttl`` comparing it with
    ``current`` (each as bytes)."""
    old = side(previous)
    if old.version:
        old.name = "ntrk-kg " + unquote(old.version.rsplit("/", 1)[-1])
    files = {}
    with compare(old, current) as result:
        for name, fmt in ((CHANGES_MD, "markdown"), (CHANGES_RDF, "turtle")):
            buf = io.BytesIO()
            output.write(result, fmt, buf)
            files[name] = buf.getvalue()
    return old, files
