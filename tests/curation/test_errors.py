"""Bad curated input stops the build with one message listing every bad row, exit 2, nothing written."""

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
    result = cli("build", "--data", str(data), "--out", str(out))
    return result.exit_code, result.output


CASES = {
    "malformed row": ("fusions.tsv", "ntrk-guide\tLMNA\tNTRK1\ttable-2\t1\t2\t", "ntrk-guide\tLMNA\tNTRK1\ttable-2\t1", "(row)", "has 5 tab-separated fields, the header has 7"),
    "unknown column": ("genes.tsv", "\tsource\n", "\tsource\tcolour\n", "colour", "unknown column"),
    "unknown gene in a fusion": ("fusions.tsv", "ntrk-guide\tPAN3\t", "ntrk-guide\tPAN33\t", "five_prime", "unknown gene 'PAN33'"),
    "percent above 100": ("prevalence.tsv", "Spitzoid Neoplasms\tintermediate\t~16%", "Spitzoid Neoplasms\tintermediate\t150%", "value_verbatim", "150% is above 100%"),
    "lower bound above upper": ("prevalence.tsv", "0.2% - 0.3%", "0.3% - 0.2%", "value_verbatim", "lower bound 0.3% is above upper bound 0.2%"),
    "unknown reference number": ("prevalence.tsv", "\t1.91%\t7", "\t1.91%\t9", "references", "reference 9 does not exist"),
    "CURIE with an unknown prefix": ("mappings.sssom.tsv", "DOID:3068", "DOIDX:3068", "object_id", "'DOIDX:3068' is not a CURIE with a known prefix"),
    "malformed HGNC identifier": ("genes.tsv", "HGNC:8033", "HGNC:80X3", "hgnc_id", "'HGNC:80X3' is not a valid HGNC identifier (expected ^[1-9][0-9]*$ after 'HGNC:')"),
    "identifier of another authority": ("genes.tsv", "HGNC:8033", "NCBIGene:8033", "hgnc_id", "'NCBIGene:8033' must be a CURIE with the prefix HGNC (HGNC:...)"),
    "a prefix synonym where the preferred prefix is required": ("genes.tsv", "ensembl:ENSG00000", "ENSEMBL:ENSX00000", "ensembl_id", "must be a CURIE with the prefix ensembl (ensembl:...)"),
    "3' partner not an NTRK gene": ("fusions.tsv", "ETV6\tNTRK3", "ETV6\tTPM3", "three_prime", "the 3' partner 'TPM3' is not an NTRK gene"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_is_reported_with_file_line_and_field(cli, data_copy: Path, tmp_path: Path, case: str) -> None:
    name, old, new, field, message = CASES[case]
    line = edit(data_copy / name, old, new)
    code, output = build(cli, data_copy, tmp_path / "out")
    assert code == 2
    assert f"{data_copy / name}:{line}: {field}: " in output
    assert message in output
    assert "Traceback" not in output
    assert not (tmp_path / "out").exists()


def test_every_bad_row_is_listed_in_one_message(cli, data_copy: Path, tmp_path: Path) -> None:
    l1 = edit(data_copy / "fusions.tsv", "ntrk-guide\tTPR\t", "ntrk-guide\tTPRX\t")
    l2 = edit(data_copy / "prevalence.tsv", "\t0.19%\t7", "\t0.19%\t12")
    l3 = edit(data_copy / "genes.tsv", "NCBIGene:4000", "NCBI:4000")
    code, output = build(cli, data_copy, tmp_path / "out")
    assert code == 2
    assert output.startswith("ntrk-kg: error: the curated data has 4 problems; nothing was written:")
    # the finding about Table 2's rows names the TPR row, which no longer exists
    findings_line = next(n for n, ln in enumerate((data_copy / "findings.tsv").read_text().splitlines(), 1)
                         if "\tfusion-partners-called-common\t" in ln)
    assert [ln.strip() for ln in output.splitlines()[1:]] == sorted([
        f"{data_copy / 'findings.tsv'}:{findings_line}: concerns: 'statement:fusion-partner-TPR--NTRK1' names no statement of "
        "'ntrk-guide' (prevalence-<key>, fusion-partner-<5'>--<3'> or a key of statements.tsv)",
        f"{data_copy / 'fusions.tsv'}:{l1}: five_prime: unknown gene 'TPRX' (see genes.tsv)",
        f"{data_copy / 'genes.tsv'}:{l3}: ncbigene_id: 'NCBI:4000' is not a CURIE with a known prefix (see prefixes.tsv)",
        f"{data_copy / 'prevalence.tsv'}:{l2}: references: reference 12 does not exist in references.tsv for 'ntrk-guide'",
    ])


def test_a_failed_build_leaves_the_previous_build_untouched(cli, data_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert build(cli, data_copy, out)[0] == 0
    files = [p for p in out.rglob("*") if p.is_file()]  # the exports and the embedded store's files
    before = {str(p.relative_to(out)): (p.read_bytes(), p.stat().st_mtime_ns) for p in files}
    edit(data_copy / "prevalence.tsv", "~26%", "~126%")
    assert build(cli, data_copy, out)[0] == 2
    after = {str(p.relative_to(out)): (p.read_bytes(), p.stat().st_mtime_ns) for p in out.rglob("*") if p.is_file()}
    assert after == before


def test_missing_curated_file(cli, data_copy: Path, tmp_path: Path) -> None:
    (data_copy / "bands.tsv").unlink()
    code, output = build(cli, data_copy, tmp_path / "out")
    assert code == 2
    assert f"{data_copy / 'bands.tsv'}:0: (file): file not found" in output


def test_the_data_readme_is_written_from_the_schema() -> None:
    from kg_build.curation import schema
    from kg_build.resources import DATA_DIR

    assert (DATA_DIR / "README.md").read_text(encoding="utf-8") == schema.readme(), \
        "kg_build/data/README.md is stale: python -m kg_build.curation.schema > kg_build/data/README.md"


@pytest.mark.parametrize(("table", "column", "value", "message"), [
    ("documents", "date", "2025-13-45", "'2025-13-45' is not a date of the calendar"),
    ("documents", "date", "2025-02-30", "'2025-02-30' is not a date of the calendar"),
    ("approvals", "date", "2018-11", "'2018-11' is not YYYY-MM-DD"),
    ("approvals", "date", "2018-11-31", "'2018-11-31' is not a date of the calendar"),
    ("references", "year", "18", "'18' is not a four-digit year"),
    ("statements", "kind", "gossip", "'gossip' is not one of encoding, mechanism, signalling, partner-frequency, clinical"),
    ("fusions", "references", "1| x", "'x' is not a reference number"),
    ("assays", "sources", "https://a.example|ftp://b", "'ftp://b' is not an http(s) URL"),
])
def test_every_typed_column_checks_its_cells(table: str, column: str, value: str, message: str) -> None:
    from kg_build.curation import schema

    assert schema.cell_problem(schema.tables()[table].column(column), value) == message
