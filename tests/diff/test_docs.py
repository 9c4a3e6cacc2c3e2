"""docs/diff.md: its examples are the real output, its tables and counts the real vocabulary."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pyoxigraph as ox

from kg_build.diff import kinds
from kg_build.resources import CHANGES_ONTOLOGY_FILE

ROOT = Path(__file__).resolve().parent.parent.parent
DOC = (ROOT / "docs" / "diff.md").read_text(encoding="utf-8")
GOLDEN = ROOT / "tests" / "golden" / "diff"


def blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", DOC, flags=re.S)


def test_the_console_example_is_the_real_output(cli, releases: Path, tmp_path: Path) -> None:
    (example,) = blocks("console")
    command, expected = example.split("\n", 1)
    (tmp_path / "build").symlink_to(releases / "old")
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        result = cli(*command.removeprefix("$ ntrk-kg ").split())
    finally:
        os.chdir(cwd)
    assert (result.exit_code, result.stdout) == (0, expected)


def test_excerpts_are_lines_of_the_golden_reports() -> None:
    (markdown,) = blocks("markdown")
    (turtle,) = blocks("turtle")
    golden_md = (GOLDEN / "changes.md").read_text(encoding="utf-8").splitlines()
    golden_ttl = (GOLDEN / "changes.ttl").read_text(encoding="utf-8")
    assert all(line in golden_md for line in markdown.splitlines())
    assert turtle in golden_ttl


def test_the_kinds_table_is_the_kinds() -> None:
    table = re.findall(r"^\| `([a-z-]+)` \|", DOC, flags=re.M)
    assert table == list(kinds.KINDS)


def test_the_vocabulary_has_the_terms_the_docs_count() -> None:
    store = ox.Store()
    store.load(path=str(CHANGES_ONTOLOGY_FILE), format=ox.RdfFormat.TURTLE)
    owl = "http://www.w3.org/2002/07/owl#"
    counts = {}
    for kind in ("Class", "ObjectProperty", "DatatypeProperty", "AnnotationProperty", "NamedIndividual"):
        rows = store.query(f"SELECT DISTINCT ?t WHERE {{ ?t a <{owl}{kind}> "
                           f"FILTER(STRSTARTS(STR(?t), '{kinds.CHANGES_NS}')) }}")
        counts[kind] = len(list(rows))
    properties = counts["ObjectProperty"] + counts["DatatypeProperty"] + counts["AnnotationProperty"]
    assert (counts["Class"], properties, counts["NamedIndividual"]) == (6, 31, len(kinds.KINDS))
    assert f"has 6 classes, 31 properties and the {len(kinds.KINDS)} kinds of change" in DOC
