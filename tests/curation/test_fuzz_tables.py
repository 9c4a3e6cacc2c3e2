"""Fuzzing the curated-table reader: any bytes in any table give checked records or a
``KgError`` naming the problems, never another exception (docs/guarantees.md)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kg_build.curation import curated as curation
from kg_build.curation.tables import read_table
from kg_build.errors import CurationError, KgError, UsageError
from kg_build.resources import DATA_DIR

TABLES = sorted(curation.SPECS)
LINES = {name: (DATA_DIR / spec.name).read_bytes().splitlines(keepends=True) for name, spec in curation.SPECS.items()}

# Cells and lines that break things: tabs, line ends, a byte-order mark, bytes that are not UTF-8,
# lone surrogates' UTF-8 forms, very long keys, spaces in keys.
NASTY = st.sampled_from([b"", b"\t", b"\r", b"\r\n", b"\n", b"\xef\xbb\xbf", b"\xff", b"\xe9", b"\xed\xa0\x80",
                         b"#", b" ", b"a b", b"x" * 300, b"\x00", "\u00e9".encode(), "\u2028".encode()])
CELL = st.one_of(NASTY, st.binary(max_size=12), st.text(max_size=12).map(str.encode))


def mutated(name: str) -> st.SearchStrategy[bytes]:
    """The real table's lines, some dropped, repeated or rewritten cell by cell, plus nasty bytes."""
    real = LINES[name]
    line = st.one_of(
        st.sampled_from(real),
        st.tuples(st.sampled_from(real), st.integers(0, 20), CELL).map(
            lambda t: b"\t".join(c if i != t[1] else t[2] for i, c in enumerate(t[0].rstrip(b"\n").split(b"\t"))) + b"\n"),
        st.lists(CELL, max_size=12).map(lambda cells: b"\t".join(cells) + b"\n"),
    )
    return st.one_of(st.binary(max_size=400), st.lists(line, max_size=25).map(b"".join))


@st.composite
def broken_table(draw: st.DrawFn) -> tuple[str, bytes]:
    name = draw(st.sampled_from(TABLES))
    return name, draw(mutated(name))


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("fuzz-data")
    for f in DATA_DIR.iterdir():
        if f.is_file():
            (target / f.name).write_bytes(f.read_bytes())
    return target


@given(broken_table())
def test_the_table_reader_returns_rows_and_problems_for_any_bytes(data_dir: Path, table: tuple[str, bytes]) -> None:
    name, content = table
    spec = curation.SPECS[name]
    (data_dir / spec.name).write_bytes(content)
    try:
        problems: list = []
        rows = read_table(data_dir, spec, problems)
        assert all(set(r.as_dict()) == set(spec.columns) for r in rows)
        assert all(isinstance(p.line, int) and p.line >= 0 for p in problems)
    finally:
        (data_dir / spec.name).write_bytes(DATA_DIR.joinpath(spec.name).read_bytes())


@given(broken_table())
def test_loading_a_broken_table_gives_records_or_a_curation_error(data_dir: Path, table: tuple[str, bytes]) -> None:
    name, content = table
    spec = curation.SPECS[name]
    (data_dir / spec.name).write_bytes(content)
    try:
        cur = curation.load(data_dir)
    except CurationError as exc:
        assert exc.problems
        assert str(exc).splitlines()[1:len(exc.problems) + 1] == [f"  {p}" for p in exc.problems]
    except KgError as exc:  # pragma: no cover - any other user error is acceptable too
        assert isinstance(exc, UsageError)
    else:
        assert cur.tables[name] is not None
    finally:
        (data_dir / spec.name).write_bytes(DATA_DIR.joinpath(spec.name).read_bytes())
