"""docs/guarantees.md names, for every guarantee, the test that proves it: each named test exists."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
DOC = ROOT / "docs" / "guarantees.md"


def _tests_in(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {n.name for n in tree.body if isinstance(n, ast.FunctionDef) and n.name.startswith("test_")}


def test_every_test_the_guarantees_name_exists() -> None:
    text = DOC.read_text(encoding="utf-8")
    named = re.findall(r"`(tests/[\w/]+\.py)(?:::(\w+))?`", text)
    assert len(named) > 30
    for file, test in named:
        path = ROOT / file
        assert path.is_file(), f"docs/guarantees.md names {file}, which does not exist"
        if test:
            assert test in _tests_in(path), f"docs/guarantees.md names {file}::{test}, which does not exist"


def test_the_long_fuzz_run_uses_the_variable_the_tests_read() -> None:
    text = DOC.read_text(encoding="utf-8")
    command = re.search(r"^(NTRK_KG_FUZZ_EXAMPLES=\d+ pytest .+)$", text, re.M)
    assert command, "docs/guarantees.md shows no long fuzz run"
    assert "NTRK_KG_FUZZ_EXAMPLES" in (ROOT / "tests" / "conftest.py").read_text(encoding="utf-8")
    for file in command.group(1).split()[2:]:
        assert (ROOT / file).is_file(), file
