"""The fact-check queries of the catalogue return their golden results on the real build.

Goldens are sorted TSV under tests/golden/; rewrite them only on request (NTRK_UPDATE_GOLDEN=1).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from rdflib import Dataset, Literal

from kg_build.paths import QUERIES_DIR
from kg_build.prefixes import compress

GOLDEN = Path(__file__).resolve().parent / "golden"
CASES = [
    pytest.param("quality-findings", {}, id="quality-findings"),
    pytest.param("statement-evidence", {"statement": "prevalence-soft-tissue-sarcoma"}, id="statement-evidence"),
]


def _columns(text: str) -> list[str]:
    m = re.search(r"^#\+ returns: \{form: select, columns: \[(.*)\]\}$", text, re.M)
    assert m, "no returns header"
    return [c.strip() for c in m.group(1).split(",")]


def _cell(value: object) -> str:
    if value is None:
        return ""
    text = str(value)
    return (compress(text) or text) if not isinstance(value, Literal) else text.replace("\t", " ").replace("\n", " ")


def run(dataset: Dataset, name: str, params: dict[str, str]) -> tuple[list[str], list[str]]:
    text = (QUERIES_DIR / f"{name}.rq").read_text(encoding="utf-8")
    result = dataset.query(text, initBindings={k: Literal(v) for k, v in params.items()})
    columns = [str(v) for v in result.vars]
    rows = sorted("\t".join(_cell(v) for v in row) for row in result)
    return columns, rows


@pytest.mark.parametrize(("name", "params"), CASES)
def test_query_matches_its_golden(dataset: Dataset, name: str, params: dict[str, str]) -> None:
    columns, rows = run(dataset, name, params)
    assert columns == _columns((QUERIES_DIR / f"{name}.rq").read_text(encoding="utf-8"))
    body = "\t".join(columns) + "\n" + "".join(r + "\n" for r in rows)
    golden = GOLDEN / f"{name}.tsv"
    if os.environ.get("NTRK_UPDATE_GOLDEN") == "1":
        golden.write_text(body, encoding="utf-8")
    assert body == golden.read_text(encoding="utf-8")


def test_quality_findings_lists_every_curated_problem(dataset: Dataset) -> None:
    _, rows = run(dataset, "quality-findings", {})
    findings = {r.split("\t")[0].removeprefix("ntrkkg:finding/") for r in rows}
    assert {
        "overall-prevalence-contradicted-by-ref-5", "soft-tissue-sarcoma-lower-bound-not-found",
        "thyroid-adult-upper-bound-not-found", "thyroid-adult-qualifier-not-found",
        "compound-of-interest-is-larotinib", "reference-2-unresolvable", "breast-lower-bound-unchecked",
        "most-common-partners-unchecked", "etv6-ntrk3-prevalent-unchecked", "normal-downstream-signalling-unchecked",
    } <= findings
    assert not [f for f in findings if f.endswith("-supported")]


def test_statement_evidence_takes_an_iri_or_a_key_and_injection_matches_nothing(dataset: Dataset) -> None:
    by_key = run(dataset, "statement-evidence", {"statement": "prevalence-soft-tissue-sarcoma"})
    by_iri = run(dataset, "statement-evidence", {"statement": "https://w3id.org/ntrk-kg/id/guide/ntrk-guide/statement/prevalence-soft-tissue-sarcoma"})
    assert by_key == by_iri and by_key[1]
    assert run(dataset, "statement-evidence", {"statement": 'x" } ; DROP ALL ; #'})[1] == []


def test_readme_rows_of_quality_findings_are_real(dataset: Dataset) -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    block = readme.split("The first rows of `quality-findings`", 1)[1].split("\n\n", 2)[1]
    shown = [[c.strip() for c in line.strip("|").split("|")] for line in block.splitlines()[2:]]
    assert len(shown) == 5
    _, rows = run(dataset, "quality-findings", {})
    real = {(c[1], c[2], c[0].removeprefix("ntrkkg:finding/"), c[6]) for c in (r.split("\t") for r in rows)}
    for severity, kind, finding, evidence in shown:
        assert (severity, kind, finding, evidence) in real, finding
