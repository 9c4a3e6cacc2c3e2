"""Write a comparison in one of the diff's formats, to a stream or atomically to a file."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import IO

from kg_build.diff import markdown, rdf, report
from kg_build.diff.compare import Comparison
from kg_build.errors import UsageError

FORMATS = ("markdown", "json", "turtle", "ntriples")
SUFFIXES = {"markdown": ".md", "json": ".json", "turtle": ".ttl", "ntriples": ".nt"}


def write(result: Comparison, fmt: str, out: IO[bytes]) -> None:
    """Write ``result`` as ``fmt`` (one of ``FORMATS``) to the binary stream ``out``."""
    if fmt in rdf.FORMATS:
        rdf.write(result, out, fmt)
        return
    text = io.TextIOWrapper(out, encoding="utf-8", newline="\n", write_through=False)
    try:
        (markdown.write if fmt == "markdown" else report.write)(result, text)
        text.flush()
    finally:
        text.detach()


def write_file(result: Comparison, fmt: str, path: Path) -> None:
    """Write ``result`` to ``path`` through a temporary file beside it, renamed when complete."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with open(tmp, "wb") as fh:
            write(result, fmt, fh)
        os.replace(tmp, path)
    except OSError as exc:
        raise UsageError(f"{path}: cannot be written: {exc.strerror or exc}") from None
    finally:
        if tmp.exists():
            tmp.unlink()
