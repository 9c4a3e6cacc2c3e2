"""``ntrk-kg query NAME`` runs without click: same output, messages and exit status as the click command."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
import pyoxigraph as ox
import pytest

from kg_build import catalogue, entry, params, query
from kg_build.cli import main

# Run the entry point and, for comparison, the click application itself, in a new process each
# under the same program name (so click's usage messages match).
ENTRY = "import sys; sys.argv[0] = 'ntrk-kg'; from kg_build.entry import main; main()"
CLICK = "import sys; sys.argv[0] = 'ntrk-kg'; from kg_build.cli import main; main()"


def run(code: str, args: list[str], cwd: Path) -> tuple[int, str, str]:
    proc = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=cwd)
    return proc.returncode, proc.stdout, proc.stderr


def fast_cases(build: str, flat: str) -> list[list[str]]:
    """Arguments the entry point runs itself."""
    return [
        ["query", "prevalence-by-tumour-type", "--out", build],
        ["query", "run", "fusion-partners", "-p", "gene=NTRK2", "--format=csv", "--out", build],
        ["query", "fusion-partners", "-pgene=NTRK2", "--format", "json", f"--out={build}"],
        ["query", "run", "--out", build, "--param=gene=NTRK1", "fusions-with-gene", "--format", "tsv"],
        ["query", "tumour-types-above-threshold", "-p", "threshold=80", "--format", "csv", "--format", "tsv", "--out", build],
        ["query", "gene-card", "-p", "gene=NTRK1", "--out", build, "--format", "turtle"],
        ["query", "gene-card", "-p", "gene=NTRK1", "--out", build, "--format", "csv"],
        ["query", "tumour-types-above-threshold", "--out", build],
        ["query", "tumour-types-above-threshold", "-p", "threshold=abc", "--out", build],
        ["query", "no-such-query", "--out", build],
        ["query", "ntrk-genes", "--out", "/nonexistent/build"],
        ["query", "ntrk-genes", "--graph", flat],
        ["query", "pathways", "--out", build, "--engine", "rdflib", "--format", "csv"],
        ["query", "references", "--page", "2", "--out", build],
        ["query", "references", "--page=1", "--format", "tsv", "--out", build],
    ]


def click_cases(build: str, flat: str) -> list[list[str]]:
    """Arguments the entry point leaves to click (help, other commands, anything click would refuse)."""
    return [
        ["--version"],
        ["query", "list"],
        ["query", "show", "pathways"],
        ["query", "pathways", "--help"],
        ["query", "pathways", "-h"],
        ["query", "pathways", "--format", "xml", "--out", build],
        ["query", "pathways", "extra", "--out", build],
        ["query", "pathways", "--out", flat],
        ["query", "pathways", "--graph", build],
        ["query", "pathways", "--out", build, "-p"],
        ["query", "pathways", "--colour", "red"],
        ["query", "pathways", "--", "--out"],
        ["query", "references", "--page", "0", "--out", build],
        ["query", "references", "--page", "two", "--out", build],
        ["query", "references", "--page", "-1", "--out", build],
        ["query", "run"],
        ["query"],
        ["stats", "--out", build],
    ]


@pytest.fixture(scope="module")
def flat_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    ttl = tmp_path_factory.mktemp("flat") / "flat.ttl"
    ttl.write_text("<http://example.org/a> <http://example.org/b> <http://example.org/c> .\n", encoding="utf-8")
    return ttl


def test_the_entry_point_reads_exactly_the_cases_it_can_run(built_dir: Path, flat_file: Path) -> None:
    for args in fast_cases(str(built_dir), str(flat_file)):
        assert entry.parse_query_run(args) is not None, args
    for args in click_cases(str(built_dir), str(flat_file)):
        assert entry.parse_query_run(args) is None, args


def test_parsed_values_are_those_click_gives(built_dir: Path) -> None:
    args = ["query", "run", "--out", str(built_dir), "-p", "gene=NTRK1", "fusions-with-gene", "--format", "tsv",
            "-pother=x=y", "--graph", "a.nq", "--graph=b.ttl", "--endpoint", "http://localhost:1/sparql", "--page", "3"]
    assert entry.parse_query_run(args) == {
        "name": "fusions-with-gene", "assignments": ("gene=NTRK1", "other=x=y"), "fmt": "tsv",
        "out_dir": built_dir, "graph_files": (Path("a.nq"), Path("b.ttl")), "engine": "oxigraph",
        "endpoint": "http://localhost:1/sparql", "page": 3,
    }
    run_command = main.get_command(click.Context(main), "query").get_command(click.Context(main), "run")
    assert run_command.make_context("run", args[2:]).params == entry.parse_query_run(args)


def test_the_option_table_matches_the_click_command() -> None:
    ctx = click.Context(main)
    run_command = main.get_command(ctx, "query").get_command(ctx, "run")
    options = [p for p in run_command.params if isinstance(p, click.Option)]
    assert {o: p.name for p in options for o in (*p.opts, *p.secondary_opts)} == entry.RUN_OPTIONS
    assert sorted(p.name for p in options if p.multiple) == sorted(entry.MULTIPLE)
    assert {p.name: tuple(p.type.choices) for p in options if isinstance(p.type, click.Choice)} == entry.CHOICES
    assert {p.name: p.default for p in options if not p.multiple} == {
        k: (Path(v) if k == "out_dir" else v) for k, v in entry.DEFAULTS.items()}
    paths = {p.name: p.type for p in options if isinstance(p.type, click.Path)}
    assert {n: "dir" if not t.file_okay else "file" for n, t in paths.items()} == entry.PATHS
    assert all(t.dir_okay != t.file_okay and not t.exists and t.readable and not t.allow_dash for t in paths.values())
    assert [p.name for p in run_command.params if isinstance(p, click.Argument)] == ["name"]
    assert not any(p.is_flag or p.envvar or p.callback for p in options)


def test_the_entry_point_and_click_give_the_same_output_and_status(built_dir: Path, flat_file: Path, tmp_path: Path) -> None:
    for args in fast_cases(str(built_dir), str(flat_file)) + click_cases(str(built_dir), str(flat_file)):
        assert run(ENTRY, args, tmp_path) == run(CLICK, args, tmp_path), args
    code, out, err = run(ENTRY, ["query", "prevalence-by-tumour-type", "--out", str(built_dir)], tmp_path)
    assert (code, err, out.splitlines()[-1]) == (0, "", "(15 rows)")


def test_a_small_build_is_read_from_its_nquads_with_the_answers_of_the_store(built_dir: Path, monkeypatch, example_values) -> None:
    """The guide's N-Quads load in memory (a writable store) faster than the persisted store opens;
    every catalogue query answers the same on both."""
    assert (built_dir / query.NQUADS_FILE).stat().st_size <= query.SMALL_NQUADS_BYTES
    memory = query.open_store(built_dir)
    memory.add(ox.Quad(ox.NamedNode("http://example.org/s"), ox.NamedNode("http://example.org/p"), ox.Literal("o")))
    memory.remove(ox.Quad(ox.NamedNode("http://example.org/s"), ox.NamedNode("http://example.org/p"), ox.Literal("o")))
    monkeypatch.setattr(query, "SMALL_NQUADS_BYTES", 0)
    persisted = query.open_store(built_dir)
    with pytest.raises(RuntimeError, match="read-write"):
        persisted.add(ox.Quad(ox.NamedNode("http://example.org/s"), ox.NamedNode("http://example.org/p"), ox.Literal("o")))
    compared = 0
    for q in catalogue.load():
        if "federated" in q.keywords:
            continue
        bindings = params.bind(q, example_values(q))
        a = query.run_catalogue_query(query.OxigraphEngine(memory), q, bindings)
        b = query.run_catalogue_query(query.OxigraphEngine(persisted), q, bindings)
        assert (a.variables, a.rows, a.triples, a.boolean) == (b.variables, b.rows, b.triples, b.boolean), q.name
        assert a.rows or a.triples or a.boolean is not None, q.name
        compared += 1
    assert compared >= 15
