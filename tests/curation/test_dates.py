"""Every date column of the curated tables holds a day of the calendar: ``2025-13-45`` or
``2019-02-30`` is refused with file, line and field (exit 2), before anything is written."""

from __future__ import annotations

from pathlib import Path

import pytest


def edit(path: Path, old: str, new: str) -> int:
    """Replace the first occurrence of ``old`` in a curated file; return its 1-based line."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    line = text[: text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return line


def build(cli, data: Path, out: Path) -> tuple[int, str]:
    result = cli("build", "--data", str(data), "--out", str(out), "--no-reason")
    return result.exit_code, result.output


CASES = {
    "month 13 in a document": ("documents.tsv", "\tDecember 2025\t2025-12\t", "\tDecember 2025\t2025-13\t", "date",
                               "'2025-13' is not a date of the calendar"),
    "day 45 in a document": ("documents.tsv", "\tDecember 2025\t2025-12\t", "\tDecember 2025\t2025-13-45\t", "date",
                             "'2025-13-45' is not a date of the calendar"),
    "30 February in an approval": ("approvals.tsv", "\t2018-11-26\t", "\t2019-02-30\t", "date",
                                   "'2019-02-30' is not a date of the calendar"),
    "29 February of a common year": ("approvals.tsv", "\t2018-11-26\t", "\t2019-02-29\t", "date",
                                     "'2019-02-29' is not a date of the calendar"),
    "year 0000 in a reference": ("references.tsv", "\t2020\t", "\t0000\t", "year", "'0000' is not a date of the calendar"),
    "two-digit year in a reference": ("references.tsv", "\t2020\t", "\t20\t", "year", "'20' is not a four-digit year"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_an_impossible_date_is_refused(cli, data_copy: Path, tmp_path: Path, case: str) -> None:
    name, old, new, field, message = CASES[case]
    line = edit(data_copy / name, old, new)
    code, output = build(cli, data_copy, tmp_path / "out")
    assert code == 2
    assert f"{data_copy / name}:{line}: {field}: {message}" in output
    assert "Traceback" not in output
    assert not (tmp_path / "out").exists()


def test_a_leap_day_is_a_date(cli, data_copy: Path, tmp_path: Path) -> None:
    edit(data_copy / "approvals.tsv", "\t2018-11-26\t", "\t2020-02-29\t")
    assert build(cli, data_copy, tmp_path / "out")[0] == 0


def test_the_previous_build_stays_intact(cli, data_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert build(cli, data_copy, out)[0] == 0
    before = {str(p.relative_to(out)): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    edit(data_copy / "documents.tsv", "\tDecember 2025\t2025-12\t", "\tDecember 2025\t2025-13-45\t")
    assert build(cli, data_copy, out)[0] == 2
    assert {str(p.relative_to(out)): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
