"""The README is a short overview that stays true: its two commands, its commands table (one row per
subcommand), its exit codes (the CLI's table), its model example (re-run on a build) and the version
its citation file gives."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import click

from kg_build import __version__
from kg_build.cli import main
from kg_build.errors import EXIT_CODES


def test_first_lines_are_the_two_commands(docs) -> None:
    lines = docs.text("README.md").splitlines()
    assert lines[2:6] == [
        "```bash",
        "python3 -m venv .venv && . .venv/bin/activate && pip install . && ntrk-kg build",
        "python3 -m venv .venv && . .venv/bin/activate && pip install -e '.[test,lint]' && pytest",
        "```",
    ]


def test_ci_runs_the_readme_test_command(docs) -> None:
    ci = (docs.root / ".ci" / "run").read_text(encoding="utf-8")
    assert "pip install -e '.[test,lint]'" in ci and "\npytest\n" in ci + "\n"  # the README's test extra, plus the linters


def test_readme_is_at_most_250_lines(docs) -> None:
    assert len(docs.text("README.md").splitlines()) <= 250


def test_the_commands_table_has_one_row_per_subcommand(docs) -> None:
    assert isinstance(main, click.Group)
    rows = re.findall(r"^\| `ntrk-kg ([a-z]+)[^`]*` \|", docs.section("README.md", "## Commands"), re.M)
    assert rows == sorted(main.commands)


def test_the_exit_codes_are_the_cli_table(docs) -> None:
    rows = re.findall(r"^\| (\d) \| (.+) \|$", docs.section("README.md", "## Exit codes"), re.M)
    assert {int(code): meaning for code, meaning in rows} == EXIT_CODES


def test_model_example_query_shows_real_output(docs, cli, built_dir: Path) -> None:
    """The ad-hoc SPARQL example of the README's 'The model' section, re-run on a build."""
    [(command, shown)] = re.findall(r"```console\n\$ (ntrk-kg sparql [^\n]*)\n(.*?)```",
                                    docs.section("README.md", "## The model"), re.S)
    code, out, _ = cli(*shlex.split(command)[1:], "--out", str(built_dir))
    assert code == 0
    assert out == shown


def test_the_citation_gives_the_package_version(docs) -> None:
    """CITATION.cff names the version of the package it describes, and no DOI the project has not got."""
    cff = (docs.root / "CITATION.cff").read_text(encoding="utf-8")
    assert re.findall(r"^version: (\S+)$", cff, re.M) == [__version__]
    assert "doi" not in cff.lower()
