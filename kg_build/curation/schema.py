"""The schema of the curated tables (``schema.yaml``): their columns and the checks each column gets.

One source for three things: the columns :func:`kg_build.curation.tables.read_table` expects, the
checks every cell of a column gets (:func:`check_cells`), and the documentation of the data
(``kg_build/data/README.md``, written by :func:`readme`; run ``python -m kg_build.curation.schema``).
Rules that relate tables to each other are in :mod:`kg_build.curation.curated`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import yaml

from kg_build.curation.tables import Row, TableSpec
from kg_build.errors import Problem
from kg_build.rdf.prefixes import expand, pattern_problem
from kg_build.resources import CURATION_SCHEMA_FILE
from kg_build.tsv import split_list

TYPES = ("text", "key", "int", "symbol", "date", "day", "year", "url", "urls", "curie", "numbers", "percent", "enum")
KEY = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
SYMBOL = re.compile(r"[A-Z][A-Z0-9-]*")
NUMBER = re.compile(r"[1-9][0-9]*")
_DATE_FORMS = {4: "%Y", 7: "%Y-%m", 10: "%Y-%m-%d"}


@dataclass(frozen=True)
class Column:
    """One column: whether it must be filled, its type and what it holds."""

    name: str
    required: bool = False
    type: str = "text"
    prefix: str | None = None
    values: tuple[str, ...] = ()
    classes: tuple[str, ...] = ()
    """For an enum whose values name ontology classes: the class of each value, in order."""
    description: str = ""


@dataclass(frozen=True)
class Table:
    """One curated file."""

    name: str
    file: str
    row: str
    columns: tuple[Column, ...]

    @property
    def spec(self) -> TableSpec:
        """The columns the reader expects (required first, in schema order)."""
        return TableSpec(self.file, tuple(c.name for c in self.columns if c.required),
                         tuple(c.name for c in self.columns if not c.required))

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    def classes(self, column: str) -> dict[str, str]:
        """Value -> ontology class name of an enum column whose values name classes."""
        c = self.column(column)
        return dict(zip(c.values, c.classes, strict=True))


def _column(name: str, raw: dict[str, Any]) -> Column:
    given = raw.get("values") or ()
    classes: tuple[str, ...] = ()
    if isinstance(given, dict):
        classes = tuple(str(v) for v in given.values())
    values = tuple(str(v) for v in given)
    kind = str(raw.get("type", "text"))
    if kind not in TYPES:
        raise ValueError(f"{CURATION_SCHEMA_FILE}: column {name}: unknown type {kind!r}")
    prefix = str(raw["prefix"]) if raw.get("prefix") else None
    return Column(name, bool(raw.get("required", False)), kind, prefix, values, classes, str(raw.get("description", "")))


@lru_cache(maxsize=1)
def _document() -> dict[str, object]:
    with CURATION_SCHEMA_FILE.open(encoding="utf-8") as fh:
        doc = yaml.safe_load(fh)
    assert isinstance(doc, dict)
    return doc


@lru_cache(maxsize=1)
def tables() -> dict[str, Table]:
    """Every curated table, by name, in schema order."""
    raw = _document()["tables"]
    assert isinstance(raw, dict)
    return {
        name: Table(name, t["file"], t["row"], tuple(_column(c, spec or {}) for c, spec in t["columns"].items()))
        for name, t in raw.items()
    }


def _calendar_problem(value: str) -> str | None:
    form = _DATE_FORMS.get(len(value))
    if form is None or not re.fullmatch(r"\d{4}(?:-\d{2}(?:-\d{2})?)?", value):
        return f"{value!r} is not YYYY, YYYY-MM or YYYY-MM-DD"
    try:
        dt.datetime.strptime(value, form)
    except ValueError:
        return f"{value!r} is not a date of the calendar"
    return None


def cell_problem(column: Column, value: str) -> str | None:
    """What is wrong with a non-empty cell of ``column``, or ``None``.

    >>> cell_problem(Column("date", type="date"), "2025-13-45")
    "'2025-13-45' is not a date of the calendar"
    >>> cell_problem(Column("role", type="enum", values=("ntrk", "partner")), "other")
    "'other' is not one of ntrk, partner"
    """
    kind = column.type
    if kind == "key" and not KEY.fullmatch(value):
        return f"{value!r} must be lower-case words joined by '-'"
    if kind == "int" and not NUMBER.fullmatch(value):
        return f"{value!r} is not a positive whole number"
    if kind == "symbol" and not SYMBOL.fullmatch(value):
        return f"{value!r} is not an HGNC-style symbol"
    if kind == "enum" and value not in column.values:
        return f"{value!r} is not one of {', '.join(column.values)}"
    if kind == "date":
        return _calendar_problem(value)
    if kind == "day":
        return _calendar_problem(value) if len(value) == 10 else f"{value!r} is not YYYY-MM-DD"
    if kind == "year" and not re.fullmatch(r"\d{4}", value):
        return f"{value!r} is not a four-digit year"
    if kind in ("url", "urls"):
        for url in split_list(value) if kind == "urls" else [value]:
            if not url.startswith(("http://", "https://")) or any(ch.isspace() for ch in url):
                return f"{url!r} is not an http(s) URL"
    if kind == "numbers":
        for n in split_list(value):
            if not NUMBER.fullmatch(n):
                return f"{n!r} is not a reference number"
    if kind == "curie":
        if expand(value) is None:
            return f"{value!r} is not a CURIE with a known prefix (see prefixes.tsv)"
        if column.prefix is not None and value.partition(":")[0] != column.prefix:
            return f"{value!r} must be a CURIE with the prefix {column.prefix} ({column.prefix}:...)"
        return pattern_problem(value)
    return None


def check_cells(table: Table, rows: list[Row], problems: list[Problem]) -> None:
    """Append a problem for every filled cell of ``rows`` that its column's type rejects."""
    checked = [c for c in table.columns if c.type not in ("text", "percent")]
    for r in rows:
        for c in checked:
            value = r.get(c.name)
            if value:
                message = cell_problem(c, value)
                if message is not None:
                    problems.append(r.problem(c.name, message))


def _describe(c: Column) -> str:
    text = f"**{c.name}**" if c.required else c.name
    notes = []
    if c.type == "enum":
        notes.append(", ".join(f"`{v}`" for v in c.values))
    elif c.type == "curie" and c.prefix:
        notes.append(f"`{c.prefix}:`")
    elif c.type in ("date", "day", "year"):
        notes.append({"date": "YYYY, YYYY-MM or YYYY-MM-DD", "day": "YYYY-MM-DD", "year": "YYYY"}[c.type])
    elif c.type == "urls":
        notes.append("`|`-separated URLs")
    elif c.type == "numbers":
        notes.append("`|`-separated numbers")
    if c.description:
        notes.append(c.description)
    return text + (f" ({'; '.join(notes)})" if notes else "")


def readme() -> str:
    """``kg_build/data/README.md``: the conventions and one line per table, from the schema."""
    doc = _document()
    lines = [str(doc["preamble"]).rstrip("\n"), "", "| file | one row is | columns (required in **bold**) |", "|---|---|---|"]
    for t in tables().values():
        cols = ", ".join(_describe(c) for c in t.columns).replace("|`", "\\|`").replace("`|", "`\\|")
        lines.append(f"| `{t.file}` | {t.row} | {cols} |")
    lines += ["", str(doc["postscript"]).rstrip("\n")]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(readme(), end="")
