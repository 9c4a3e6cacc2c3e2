"""Read curated TSV tables with line numbers, checking their columns against a declared schema."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kg_build.errors import Problem


class Row(dict[str, str]):
    """One data row: column -> stripped text, plus the file and 1-based line it came from."""

    file: str
    line: int

    def problem(self, field: str, message: str) -> Problem:
        """A problem located at this row and field."""
        return Problem(self.file, self.line, field, message)


@dataclass(frozen=True)
class TableSpec:
    """The columns of one curated file: which must be present and non-empty, which may be."""

    name: str
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional


def read_table(directory: Path, spec: TableSpec, problems: list[Problem]) -> list[Row]:
    """Read ``directory/spec.name``; append every problem found to ``problems``.

    Lines starting with ``#`` before the header (SSSOM metadata) and blank lines are skipped.
    Rows with problems are still returned where they can be read, so later checks can report more.
    """
    path = directory / spec.name
    shown = str(path)
    if not path.is_file():
        problems.append(Problem(shown, 0, "(file)", "file not found"))
        return []
    try:
        text = path.read_text(encoding="utf-8-sig")  # a spreadsheet's byte-order mark is not a column name
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(Problem(shown, 0, "(file)", f"cannot be read as UTF-8 text: {exc}"))
        return []
    header: list[str] | None = None
    rows: list[Row] = []
    for lineno, raw in enumerate(text.splitlines(), start=1):
        if header is None and (raw.startswith("#") or not raw.strip()):
            continue
        if header is None:
            header = raw.split("\t")
            unknown = [c for c in header if c not in spec.columns]
            for c in unknown:
                problems.append(
                    Problem(shown, lineno, c, f"unknown column; expected columns: {', '.join(spec.columns)}")
                )
            for c in spec.required:
                if c not in header:
                    problems.append(Problem(shown, lineno, c, "required column is missing"))
            continue
        if not raw.strip():
            continue
        cells = raw.split("\t")
        if len(cells) != len(header):
            problems.append(
                Problem(shown, lineno, "(row)", f"has {len(cells)} tab-separated fields, the header has {len(header)}")
            )
            continue
        row = Row({c: v.strip() for c, v in zip(header, cells) if c in spec.columns})
        for c in spec.columns:
            row.setdefault(c, "")
        row.file, row.line = shown, lineno
        for c in spec.required:
            if c in header and not row[c]:
                problems.append(row.problem(c, "is empty but required"))
        rows.append(row)
    if header is None:
        problems.append(Problem(shown, 0, "(file)", "has no header line"))
    return rows
