"""Read RDF files in any common syntax, with errors that name the file and line."""

from __future__ import annotations

import re
from pathlib import Path

from rdflib import Dataset

from kg_build.errors import UsageError
from kg_build.layout import BuildLayout
from kg_build.rdf import formats


def built_file(out_dir: Path) -> Path:
    """The N-Quads file of a build in ``out_dir``; a usage error if there is no build there."""
    layout = BuildLayout(out_dir)
    if not layout.nquads.is_file():
        raise UsageError(layout.missing_build())
    return layout.nquads


def _where(exc: Exception) -> str:
    text = str(exc)
    m = re.search(r"line[ :]*(\d+)", text, re.I)
    col = re.search(r"col(?:umn)?[ :]*(\d+)", text, re.I)
    where = f"line {m.group(1)}" if m else ""
    if col:
        where += f", column {col.group(1)}"
    first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    return (where + ": " if where else "") + first


def _position(data: bytes, index: int) -> tuple[int, int]:
    r"""1-based line and column of a byte offset.

    >>> _position(b"a b c .\nx y", 9)
    (2, 2)
    """
    line = data.count(b"\n", 0, index) + 1
    column = index - (data.rfind(b"\n", 0, index) + 1) + 1
    return line, column


def _first_bad_line(path: Path, fmt: str) -> tuple[int, str] | None:
    """For line-based syntaxes (N-Triples, N-Quads): the first line that does not parse on its own."""
    for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            Dataset().parse(data=line + "\n", format=fmt)
        except Exception as exc:
            return number, str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return None


def describe_syntax_error(path: Path, fmt: str, exc: Exception) -> str:
    """Where a syntax error is (line and column when the parser tells) and what the parser said."""
    from xml.sax import SAXParseException

    from rdflib.plugins.parsers.notation3 import BadSyntax

    if isinstance(exc, BadSyntax):
        line, column = _position(exc._str, exc._i)  # the parser keeps the document and the offset
        return f"line {line}, column {column}: {exc._why}"
    if isinstance(exc, SAXParseException):
        return f"line {exc.getLineNumber()}, column {exc.getColumnNumber()}: {exc.getMessage()}"
    if fmt in ("nt", "nquads"):
        bad = _first_bad_line(path, fmt)
        if bad is not None:
            return f"line {bad[0]}: {bad[1]}"
    return _where(exc)


def load_dataset(files: list[Path], syntax: str | None = None) -> Dataset:
    """Parse files into one dataset (triples of triple-only syntaxes go to the default graph).

    ``syntax`` is a name of the format registry (:data:`kg_build.rdf.formats.NAMES`); by default
    each file's syntax is told from its suffix.
    """
    ds = Dataset()
    for path in files:
        if not path.is_file():
            raise UsageError(f"{path}: no such file")
        fmt = formats.rdflib_name(syntax or formats.from_path(path))
        try:
            ds.parse(path, format=fmt)
        except Exception as exc:  # rdflib raises many unrelated types for syntax errors
            raise UsageError(f"{path}: not valid {fmt}: {describe_syntax_error(path, fmt, exc)}") from exc
    return ds


def dataset_from_nquads(text: str) -> Dataset:
    """An rdflib dataset of N-Quads text the build wrote, with the project's prefixes bound."""
    from kg_build.rdf.prefixes import namespaces

    ds = Dataset()
    for prefix, ns in namespaces().items():
        ds.bind(prefix, ns, override=True, replace=True)
    ds.parse(data=text, format="nquads")
    return ds
