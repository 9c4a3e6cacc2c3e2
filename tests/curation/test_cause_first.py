"""The cause first: a file that cannot be read as a table is reported first and alone, with the
line of a decoding error; a missing --data folder is one line; statement keys are checked."""

from __future__ import annotations

from pathlib import Path

from kg_build.curation import curated as curation

COLUMNS = ", ".join(curation.SPECS["prevalence"].columns)
NOT_CHECKED = "  (the tables are checked against each other once every file can be read)"


def build(cli, data: Path, out: Path) -> tuple[int, str, str]:
    result = cli("build", "--data", str(data), "--out", str(out), "--no-reason")
    return result.exit_code, result.stdout, result.stderr


def test_an_empty_table_is_the_one_problem_reported(cli, data_copy: Path, tmp_path: Path) -> None:
    (data_copy / "prevalence.tsv").write_bytes(b"")
    assert build(cli, data_copy, tmp_path / "out") == (2, "", (
        "ntrk-kg: error: the curated data has 1 problem; nothing was written:\n"
        f"  {data_copy / 'prevalence.tsv'}:0: (file): is empty; the first line must name the columns: {COLUMNS}\n"
        f"{NOT_CHECKED}\n"))
    assert not (tmp_path / "out").exists()


def test_a_table_in_latin_1_names_the_line_and_column_of_the_first_byte_that_is_not_utf_8(cli, data_copy: Path, tmp_path: Path) -> None:
    path = data_copy / "prevalence.tsv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[11] = lines[11].replace("\t", "\tNéphroma ", 1)
    path.write_bytes("".join(lines).encode("latin-1"))
    column = lines[11].index("é") + 1
    assert build(cli, data_copy, tmp_path / "out") == (2, "", (
        "ntrk-kg: error: the curated data has 1 problem; nothing was written:\n"
        f"  {path}:12: (file): byte 0xe9 at column {column} is not UTF-8 (the file is in another encoding); save it as UTF-8\n"
        f"{NOT_CHECKED}\n"))


def test_file_problems_come_first_and_alone(cli, data_copy: Path, tmp_path: Path) -> None:
    """A missing table and a table of comments only: those two problems, and the one problem
    another file has on its own (a short row), with nothing that follows from them."""
    (data_copy / "bands.tsv").unlink()
    (data_copy / "findings.tsv").write_text("# only a comment\n\n")
    genes = data_copy / "genes.tsv"
    lines = genes.read_text().splitlines(keepends=True)
    lines[3] = lines[3].rsplit("\t", 1)[0] + "\n"
    genes.write_text("".join(lines))
    findings = ", ".join(curation.SPECS["findings"].columns)
    code, out, err = build(cli, data_copy, tmp_path / "out")
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        "ntrk-kg: error: the curated data has 3 problems; nothing was written:",
        f"  {data_copy / 'bands.tsv'}:0: (file): file not found",
        f"  {data_copy / 'findings.tsv'}:0: (file): has no header line; the first line must name the columns: {findings}",
        f"  {genes}:4: (row): has 12 tab-separated fields, the header has 13",
        NOT_CHECKED,
    ]


def test_a_missing_data_folder_is_one_line(cli, tmp_path: Path) -> None:
    assert build(cli, tmp_path / "nowhere", tmp_path / "out") == (
        2, "", f"ntrk-kg: error: {tmp_path / 'nowhere'}: no such folder; --data names the folder of curated tables "
               "(genes.tsv, ...)\n")


def test_a_statement_key_with_a_space_is_caught_by_the_table_check(cli, data_copy: Path, tmp_path: Path) -> None:
    path = data_copy / "prevalence.tsv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    cells = lines[2].split("\t")
    key, cells[1] = cells[1], cells[1].replace("-", " ", 1)
    lines[2] = "\t".join(cells)
    path.write_text("".join(lines), encoding="utf-8")
    code, out, err = build(cli, data_copy, tmp_path / "out")
    assert (code, out) == (2, "")
    assert f"  {path}:3: key: {cells[1]!r} must be lower-case words joined by '-'\n" in err
    assert key != cells[1]
