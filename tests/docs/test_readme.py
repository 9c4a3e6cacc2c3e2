"""The README's commands and outputs are real: each example block is re-run and compared."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg_build.cli import main
from kg_build.resources import DATA_DIR

README = Path(__file__).resolve().parents[2] / "README.md"


def example(command: str) -> list[str]:
    """The lines printed under ``$ <command>`` in a README code block."""
    text = README.read_text(encoding="utf-8")
    m = re.search(r"^\$ " + re.escape(command) + r"\n(.*?)^```", text, re.S | re.M)
    assert m, f"README has no example for {command!r}"
    return m.group(1).rstrip("\n").splitlines()


def test_first_lines_are_the_two_commands() -> None:
    lines = README.read_text(encoding="utf-8").splitlines()
    assert lines[2:6] == [
        "```bash",
        "python3 -m venv .venv && . .venv/bin/activate && pip install . && ntrk-kg build",
        "python3 -m venv .venv && . .venv/bin/activate && pip install -e '.[test,lint]' && pytest",
        "```",
    ]


def test_ci_runs_the_readme_test_command() -> None:
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert "pip install -e '.[test,lint]'" in ci and "\npytest\n" in ci + "\n"  # the README's test extra, plus the linters


def test_stats_example(built_dir: Path) -> None:
    shown = example("ntrk-kg stats")
    result = CliRunner().invoke(main, ["stats", "--out", str(built_dir)])
    real = result.output.splitlines()
    assert shown[-1] == "..."
    assert real[: len(shown) - 1] == shown[:-1]


def test_bad_input_example(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "my-data"
    data.mkdir()
    for f in DATA_DIR.iterdir():
        if f.is_file():
            (data / f.name).write_bytes(f.read_bytes())
    fusions = data / "fusions.tsv"
    fusions.write_text(fusions.read_text().replace("\tTPR\t", "\tTPRX\t"))
    prevalence = data / "prevalence.tsv"
    prevalence.write_text(prevalence.read_text().replace("\t0.19%\t7", "\t0.19%\t12"))
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["build", "--data", "my-data"])
    assert result.exit_code == 2
    assert result.output.splitlines() == example("ntrk-kg build --data my-data")
    assert not os.path.exists(tmp_path / "build")


def test_fact_check_examples_show_real_output(built_dir: Path) -> None:
    """Each example of the fact-check section is real: all of its output, or its first lines and '...'."""
    section = README.read_text(encoding="utf-8").split("## Fact check", 1)[1].split("\n## ", 1)[0]
    examples = re.findall(r"```console\n\$ ntrk-kg (query [^\n]*)\n(.*?)```", section, re.S)
    assert len(examples) == 2
    for command, shown in examples:
        result = CliRunner().invoke(main, command.split() + ["--out", str(built_dir)])
        assert result.exit_code == 0, result.output
        lines, real = shown.rstrip("\n").splitlines(), result.output.splitlines()
        if lines[-1] == "...":
            lines = lines[:-1]
            real = real[: len(lines)]
        assert real == lines, command


def test_model_example_query_shows_real_output(built_dir: Path) -> None:
    """The ad-hoc SPARQL example of 'The model' section, re-run on a build."""
    import shlex

    section = README.read_text(encoding="utf-8").split("\n## The model", 1)[1].split("\n## ", 1)[0]
    [(command, shown)] = re.findall(r"```console\n\$ (ntrk-kg sparql [^\n]*)\n(.*?)```", section, re.S)
    result = CliRunner().invoke(main, shlex.split(command)[1:] + ["--out", str(built_dir)])
    assert result.exit_code == 0
    assert result.output == shown
