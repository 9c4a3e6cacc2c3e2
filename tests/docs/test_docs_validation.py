"""The examples of docs/validation.md are real: each ``$ ntrk-kg ...`` line of a ``console`` block is
run from the project's root (with ./build a fresh build) and its output compared with the lines
shown under it (a last line ``...`` shows only the beginning); the engine tally it states is the
one tests/shacl/test_w3c.py checks."""

from __future__ import annotations

import os
import re
import shlex
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg_build.cli import main

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "validation.md"


def examples() -> list[tuple[str, list[str]]]:
    text = DOC.read_text(encoding="utf-8")
    out = []
    for block in re.findall(r"^```console\n(.*?)^```", text, re.S | re.M):
        for m in re.finditer(r"^\$ (ntrk-kg .*)\n((?:(?!\$ ).*\n)*)", block, re.M):
            out.append((m.group(1), m.group(2).rstrip("\n").splitlines()))
    return out


@pytest.fixture(scope="module")
def project(built_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder like the project's root: ./build is the session's build, ./tests the tests."""
    root = tmp_path_factory.mktemp("validation-docs")
    shutil.copytree(built_dir, root / "build")
    (root / "tests").symlink_to(ROOT / "tests")
    return root


def test_the_doc_has_examples() -> None:
    assert len(examples()) == 2


@pytest.mark.parametrize(("command", "shown"), examples(), ids=[c for c, _ in examples()])
def test_example(project: Path, command: str, shown: list[str]) -> None:
    cwd = os.getcwd()
    os.chdir(project)
    try:
        result = CliRunner().invoke(main, shlex.split(command)[1:])
    finally:
        os.chdir(cwd)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    real = result.output.rstrip("\n").splitlines()
    if shown and shown[-1] == "...":
        assert real[: len(shown) - 1] == shown[:-1]
    else:
        assert real == shown


def test_the_w3c_table_is_the_tested_tally() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert "| `oxigraph` (default) | 98 | 0 | 0 | 17 | 5 | 0 |" in text
    assert "| `pyshacl` 0.40.1 | 97 | 0 | 1 | 20 | 2 | 0 |" in text
