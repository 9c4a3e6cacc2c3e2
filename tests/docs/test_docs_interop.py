"""The examples of docs/linked-data.md, docs/queries.md and docs/stores.md are real.

Each ``$ ntrk-kg ...`` line of a ``console`` block is run (in a folder whose ./build is a fresh
build with its release) and its output compared with the lines shown under it (a last line
``...`` shows only the beginning); each ``pycon`` block runs as a doctest there. Examples that need
a SPARQL server are run against a real one by tests/stores/test_docs_stores.py.
"""

from __future__ import annotations

import doctest
import re
import shlex
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg_build.cli import main

DOCS = Path(__file__).resolve().parents[2] / "docs"
FILES = ("linked-data.md", "queries.md", "stores.md")
SERVER = "http://127.0.0.1:7878"


def blocks(kind: str) -> list[tuple[str, str]]:
    """``(file, text)`` of every fenced block of ``kind`` in the docs this test covers."""
    out = []
    for name in FILES:
        text = (DOCS / name).read_text(encoding="utf-8")
        out += [(name, m.group(1)) for m in re.finditer(rf"^```{kind}\n(.*?)^```", text, re.S | re.M)]
    return out


def console_examples() -> list[tuple[str, str, list[str]]]:
    """``(file, command, shown output lines)`` of every ``$ ntrk-kg`` line of a console block."""
    out = []
    for name, text in blocks("console"):
        for m in re.finditer(r"^\$ (ntrk-kg .*)\n((?:(?!\$ ).*\n)*)", text, re.M):
            out.append((name, m.group(1), m.group(2).rstrip("\n").splitlines()))
    return out


def matches(shown: list[str], real: list[str]) -> bool:
    if shown and shown[-1] == "...":
        return real[: len(shown) - 1] == shown[:-1]
    return real == shown


@pytest.fixture(scope="module")
def project(built_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder whose ./build is the session's build, with its release bundle."""
    root = tmp_path_factory.mktemp("docs-project")
    shutil.copytree(built_dir, root / "build")
    assert CliRunner().invoke(main, ["release", "--out", str(root / "build")]).exit_code == 0
    return root


def test_the_docs_have_examples() -> None:
    assert len([e for e in console_examples() if SERVER not in e[1]]) >= 5
    assert len(blocks("pycon")) >= 1


@pytest.mark.parametrize(("doc", "command", "shown"),
                         [e for e in console_examples() if SERVER not in e[1]], ids=lambda v: str(v)[:60])
def test_console_example(doc: str, command: str, shown: list[str], project: Path,
                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project)
    result = CliRunner().invoke(main, shlex.split(command)[1:])
    assert matches(shown, result.output.rstrip("\n").splitlines()), f"{doc}: {command}\n{result.output}"


@pytest.mark.parametrize(("doc", "text"), blocks("pycon"), ids=lambda v: str(v)[:40])
def test_python_example(doc: str, text: str, project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project)
    test = doctest.DocTestParser().get_doctest(text, {}, doc, doc, 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    assert runner.failures == 0, f"{doc}: a Python example does not give the output shown"


def test_the_tests_the_docs_name_exist() -> None:
    named = {m for name in FILES for m in re.findall(r"tests/[a-z_/]+\.py", (DOCS / name).read_text(encoding="utf-8"))}
    assert named and [n for n in sorted(named) if not (DOCS.parent / n).is_file()] == []
