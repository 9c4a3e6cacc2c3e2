"""Read curated TSV tables with line numbers, checking their columns against a declared schema."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from kg_build.errors import Problem


class Row:
    """One data row: column -> stripped text (``row["symbol"]``), plus the file and 1-based line it
    came from. Compact (a tuple of cells and the table's shared column index), so that tables of
    millions of rows stay small in memory."""

    __slots__ = ("_columns", "_cells", "file", "line")

    def __init__(self, columns: dict[str, int], cells: tuple[str, ...], file: str, line: int) -> None:
        self._columns = columns
        self._cells = cells
        self.file = file
        self.line = line

    def __getitem__(self, column: str) -> str:
        return self._cells[self._columns[column]]

    def __contains__(self, column: object) -> bool:
        return column in self._columns

    def get(self, column: str, default: str | None = None) -> str | None:
        """The cell of ``column``, or ``default`` for a column the table does not have."""
        i = self._columns.get(column)
        return default if i is None else self._cells[i]

    def as_dict(self) -> dict[str, str]:
        """Column -> cell, in the table's column order."""
        return {c: self._cells[i] for c, i in self._columns.items()}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Row) and self.as_dict() == other.as_dict()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Row({self.as_dict()!r}, {self.file}:{self.line})"

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


def _cell(text: str) -> str:
    """Short cells (keys, codes, statuses) repeat across rows: keep one copy of each."""
    return sys.intern(text) if len(text) <= 16 else text


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
    columns = {c: i for i, c in enumerate(spec.columns)}
    take: list[int] = []  # for each spec column, its position in the file's header (-1: absent)
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
            take = [header.index(c) if c in header else -1 for c in spec.columns]
            continue
        if not raw.strip():
            continue
        cells = raw.split("\t")
        if len(cells) != len(header):
            problems.append(
                Problem(shown, lineno, "(row)", f"has {len(cells)} tab-separated fields, the header has {len(header)}")
            )
            continue
        values = tuple(_cell(cells[i].strip()) if i >= 0 else "" for i in take)
        row = Row(columns, values, shown, lineno)
        for c in spec.required:
            if c in header and not row[c]:
                problems.append(row.problem(c, "is empty but required"))
        rows.append(row)
    if header is None:
        problems.append(Problem(shown, 0, "(file)", "has no header line"))
    return rows
