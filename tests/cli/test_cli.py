"""The command line: help, version, usage errors and the files a build writes."""

from __future__ import annotations

from pathlib import Path

from kg_build import __version__


def test_version_and_help(cli) -> None:
    assert cli("--version") == (0, f"ntrk-kg, version {__version__}\n", "")
    result = cli("--help")
    code, output = result.exit_code, result.output
    assert code == 0
    assert "Exit codes: 0 success; 1 the graph does not conform, a check failed, or a server refused; 2 bad input or usage." in " ".join(output.split())
    for command in ("build", "stats"):
        assert cli(command, "--help")[0] == 0


def test_build_reports_what_it_wrote(cli, tmp_path: Path) -> None:
    result = cli("build", "--out", str(tmp_path))
    code, output = result.exit_code, result.output
    assert code == 0
    warnings = [ln for ln in output.splitlines() if ln.startswith("warning: ")]
    assert len(warnings) == 3  # the guide's two band mismatches and its colorectal pair (see tests/test_validate_cli.py)
    lines = [ln for ln in output.splitlines() if not ln.startswith("warning: ")]
    assert lines[0].startswith("built ") and lines[0].endswith(" named graphs")
    assert lines[1:] == [f"  {tmp_path / n}" for n in sorted(p.name for p in tmp_path.iterdir() if p.name != "manifest.json")] + [f"  {tmp_path / 'manifest.json'}"]


def test_a_build_prints_at_most_fifty_warnings_and_where_the_rest_are() -> None:
    from kg_build.cli.build import warning_lines

    manifest = Path("out/manifest.json")
    assert warning_lines([f"w{i}" for i in range(50)], manifest) == [f"warning: w{i}" for i in range(50)]
    lines = warning_lines([f"w{i}" for i in range(1_052)], manifest)
    assert lines[:50] == [f"warning: w{i}" for i in range(50)]
    assert lines[50:] == ['warning: ... and 1,002 more; out/manifest.json lists every warning (under "validation", "warnings")']


def test_stats_counts_per_graph_and_class(cli, built_dir: Path) -> None:
    result = cli("stats", "--out", str(built_dir))
    code, output = result.exit_code, result.output
    assert code == 0
    classes = output.split("\n\n")[1].splitlines()
    assert classes[0] == "class\tinstances"
    counts = dict(line.split("\t") for line in classes[1:])
    assert {k: counts[k] for k in (
        "ntrk:Gene", "ntrk:NTRKGene", "ntrk:TRKReceptor", "ntrk:GeneFusion", "ntrk:FusionProtein",
        "ntrk:Pathway", "ntrk:TumourType", "ntrk:PrevalenceStatement", "ntrk:FusionPartnerStatement",
        "ntrk:Reference", "ntrk:PrevalenceBand", "ntrk:Guide",
    )} == {
        "ntrk:Gene": "12", "ntrk:NTRKGene": "3", "ntrk:TRKReceptor": "3", "ntrk:GeneFusion": "9",
        "ntrk:FusionProtein": "9", "ntrk:Pathway": "3", "ntrk:TumourType": "17",
        "ntrk:PrevalenceStatement": "22", "ntrk:FusionPartnerStatement": "9", "ntrk:Reference": "8",
        "ntrk:PrevalenceBand": "3", "ntrk:Guide": "1",
    }
    graphs = output.split("\n\n")[0].splitlines()
    assert graphs[0] == "named graph\ttriples"
    assert [g.split("\t")[0] for g in graphs[1:]] == [
        "https://w3id.org/ntrk-kg/graph/context", "https://w3id.org/ntrk-kg/graph/curation",
        "https://w3id.org/ntrk-kg/graph/factcheck", "https://w3id.org/ntrk-kg/graph/guide",
        "https://w3id.org/ntrk-kg/graph/inferred", "https://w3id.org/ntrk-kg/graph/metadata",
        "https://w3id.org/ntrk-kg/graph/ontology",
    ]


def test_stats_without_a_build_is_a_usage_error(cli, tmp_path: Path) -> None:
    result = cli("stats", "--out", str(tmp_path / "nothing"))
    code, output = result.exit_code, result.output
    assert code == 2
    assert "run 'ntrk-kg build" in output


def test_stats_on_a_file_with_a_syntax_error(cli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:d ex:e .\n", encoding="utf-8")
    result = cli("stats", str(bad))
    code, output = result.exit_code, result.output
    assert code == 2
    assert output.startswith(f"ntrk-kg: error: {bad}: not valid turtle: line 3")


def test_a_rebuild_with_fewer_formats_leaves_no_stale_export(cli, tmp_path: Path) -> None:
    assert cli("build", "--out", str(tmp_path), "--no-reason")[0] == 0
    assert (tmp_path / "ntrk-kg.trig").is_file()
    assert cli("build", "--out", str(tmp_path), "--no-reason", "--format", "turtle")[0] == 0
    import json

    manifest = json.loads((tmp_path / "manifest.json").read_text())
    files = sorted(p.name for p in tmp_path.iterdir() if p.is_file())
    assert files == sorted([*manifest["outputs"], "manifest.json"])
    assert files == ["manifest.json", "ntrk-kg-ontology.ttl", "ntrk-kg.nq", "ntrk-kg.sssom.tsv", "ntrk-kg.ttl"]


def test_an_output_directory_that_cannot_be_written_is_a_usage_error(cli, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    result = cli("build", "--out", str(blocker / "build"), "--no-reason")
    code, output = result.exit_code, result.output
    assert (code, output) == (
        2, f"ntrk-kg: error: {blocker}: a file is where a folder should be; move the file away or choose another folder\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


def test_load_refuses_an_endpoint_that_is_not_a_url_and_a_negative_timeout(cli, built_dir: Path) -> None:
    result = cli("load", "--out", str(built_dir), "--endpoint", "notaurl")
    code, output = result.exit_code, result.output
    assert (code, output) == (2, "ntrk-kg: error: --endpoint 'notaurl' must be an http:// or https:// URL\n")
    result = cli("load", "--out", str(built_dir), "--endpoint", "http://127.0.0.1:1/", "--timeout", "-1")
    code, output = result.exit_code, result.output
    assert code == 2 and "Invalid value for '--timeout'" in output


def test_release_refuses_a_relative_base_url_and_files_the_manifest_does_not_describe(cli, tmp_path: Path) -> None:
    assert cli("build", "--out", str(tmp_path), "--no-reason", "--format", "turtle")[0] == 0
    result = cli("release", "--out", str(tmp_path), "--base-url", "notaurl")
    code, output = result.exit_code, result.output
    assert (code, output) == (2, "ntrk-kg: error: --base-url 'notaurl' must be an absolute http:// or https:// URL\n")
    (tmp_path / "ntrk-kg.trig").write_text("# left here by hand\n")
    result = cli("release", "--out", str(tmp_path))
    code, output = result.exit_code, result.output
    assert code == 2 and f"{tmp_path / 'ntrk-kg.trig'} is not the file" in output
