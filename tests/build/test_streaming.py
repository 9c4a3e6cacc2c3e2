"""The streaming build: sorted quads in bounded memory, the same graph however it is chunked,
stage timings on request and a status line only on a terminal."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from kg_build.build import builder, derived, pipeline, quads
from kg_build.build.progress import Progress
from kg_build.build.quads import QuadSink
from kg_build.curation import curated as curation

STAGES = ["read", "build", "sort", "load", "rules", "merge", "validate", "split", "store", "manifest", "write"]


def _build_lines(chunk: int | None) -> list[str]:
    return list(builder.build_quads(curation.load(), QuadSink(chunk_lines=chunk)).sorted_lines())


def test_spilled_runs_merge_to_the_same_sorted_lines() -> None:
    sink = builder.build_quads(curation.load(), QuadSink(chunk_lines=500))
    assert sink.spilled_runs == 6
    spilled = list(sink.sorted_lines())
    in_memory = _build_lines(None)
    assert spilled == in_memory
    assert in_memory == sorted(set(in_memory))
    assert len(in_memory) == 3384


def test_sorted_files_merge_into_one_without_duplicates_and_a_single_file_is_moved(tmp_path: Path) -> None:
    a, b, c = tmp_path / "a.nq", tmp_path / "b.nq", tmp_path / "c.nq"
    a.write_text("<s1> <p> <o> <g> .\n<s3> <p> <o> <g> .\n", encoding="utf-8")
    b.write_text("<s2> <p> <o> <g> .\n<s3> <p> <o> <g> .\n", encoding="utf-8")
    c.write_text("", encoding="utf-8")
    assert quads.merge_files([a, b, c], tmp_path / "out.nq") == 3
    assert (tmp_path / "out.nq").read_text(encoding="utf-8") == (
        "<s1> <p> <o> <g> .\n<s2> <p> <o> <g> .\n<s3> <p> <o> <g> .\n")
    assert quads.merge_files([a], tmp_path / "moved.nq") == 2
    assert not a.exists()
    assert (tmp_path / "moved.nq").read_text(encoding="utf-8") == "<s1> <p> <o> <g> .\n<s3> <p> <o> <g> .\n"


def test_the_build_nquads_are_the_streamed_lines_plus_the_checks(built_dir: Path) -> None:
    """What the build writes is the builder's lines, merged with the rule findings and inferred types."""
    written = (built_dir / "ntrk-kg.nq").read_text(encoding="utf-8").splitlines(keepends=True)
    streamed = _build_lines(None)
    added = sorted(set(written) - set(streamed))
    assert set(streamed) <= set(written)
    graphs = {quads.graph_of(line) for line in added}
    assert graphs == {"<https://w3id.org/ntrk-kg/graph/factcheck>", "<https://w3id.org/ntrk-kg/graph/inferred>"}
    assert len(added) == 87  # the three rule findings with their evidence, and the inferred types


def test_a_build_spilling_to_disk_writes_the_same_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = pipeline.build(tmp_path / "a", ("nquads", "turtle", "trig"), reason=False)
    monkeypatch.setattr(quads, "DEFAULT_CHUNK_LINES", 700)
    second = pipeline.build(tmp_path / "b", ("nquads", "turtle", "trig"), reason=False)
    assert first.outputs == second.outputs
    assert first.graphs == second.graphs


def test_profile_prints_every_stage_as_the_docs_show(docs, cli, tmp_path: Path) -> None:
    """docs/building.md shows a --profile build: the same stages, then the same lines (the timings differ)."""
    result = cli("build", "--no-reason", "--format", "nquads", "--profile", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    stage = re.compile(r"^  (\w+) +[\d.]+ s(?:  +[\d,]+ MiB)?$", re.M)
    assert stage.findall(result.output) == STAGES + ["total"]
    memory = re.compile(r"^  \w+ +[\d.]+ s  +([\d,]+) MiB$", re.M)
    peaks = [int(m.replace(",", "")) for m in memory.findall(result.output)]
    assert len(peaks) == len(STAGES) and peaks == sorted(peaks) and peaks[0] > 0  # a running peak
    shown = docs.example("building.md", "ntrk-kg build --no-reason --format nquads --profile")
    assert stage.findall("\n".join(shown)) == STAGES + ["total"]
    timing = re.compile(r"^(stage timings \(and the peak resident memory so far\):|  \w+ +[\d.]+ s(?:  +[\d,]+ MiB)?)$")
    assert [line for line in result.output.splitlines() if not timing.match(line)] == \
        [line for line in shown if not timing.match(line)]


def test_the_status_line_is_drawn_only_on_a_terminal() -> None:
    out = io.StringIO()
    quiet = Progress(stream=out)  # a StringIO is not a terminal
    with quiet.stage("sort", total=10):
        quiet.advance(10)
    assert out.getvalue() == ""
    assert [name for name, _ in quiet.timings] == ["sort"]
    shown = Progress(stream=out, show=True)
    with shown.stage("sort", total=4):
        shown.advance(4)
    text = out.getvalue()
    assert "sort" in text and "[" in text and text.endswith("\r\033[K")


def _graphs(out: Path) -> int:
    lines = (out / "ntrk-kg.nq").read_text(encoding="utf-8").splitlines(keepends=True)
    return len({quads.graph_of(line) for line in lines})


def test_rule_findings_made_a_few_at_a_time_give_the_same_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Large graphs turn their rule results into findings in batches (flat memory): one result
    at a time gives the same graph as all at once."""
    whole = pipeline.build(tmp_path / "whole", ("nquads", "trig"), reason=False, with_store=False)
    monkeypatch.setattr(derived, "RULE_BATCH", 1)
    batched = pipeline.build(tmp_path / "batched", ("nquads", "trig"), reason=False, with_store=False)
    assert batched.outputs == whole.outputs
    assert batched.graphs["https://w3id.org/ntrk-kg/graph/factcheck"] == whole.graphs["https://w3id.org/ntrk-kg/graph/factcheck"]


def test_the_curated_tables_are_let_go_before_the_load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing holds the tables once the quads are written: at 10^7 quads they are a gigabyte."""
    import gc
    import weakref

    from kg_build.build import store

    seen: dict[str, object] = {}
    build_quads, result = pipeline.build_quads, store.MemoryLoader.result

    def building(cur, sink):  # type: ignore[no-untyped-def]
        seen["tables"] = weakref.ref(cur)
        return build_quads(cur, sink)

    def loading(self):  # type: ignore[no-untyped-def]
        gc.collect()
        seen["held at the load"] = seen["tables"]() is not None  # type: ignore[operator]
        return result(self)

    monkeypatch.setattr(pipeline, "build_quads", building)
    monkeypatch.setattr(store.MemoryLoader, "result", loading)
    pipeline.build(tmp_path / "out", ("nquads",), reason=False)
    assert seen["held at the load"] is False


def test_the_tap_is_handed_every_line_in_the_order_added_across_spills(tmp_path: Path) -> None:
    handed: list[list[str]] = []
    sink = QuadSink(chunk_lines=7, tmp_dir=tmp_path, tap=handed.append, tap_lines=3)
    g = sink.graph("https://example.org/g")
    lines = [f"<https://example.org/s{i % 11}> <https://example.org/p> \"{i}\"" for i in range(25)]
    for i, text in enumerate(lines):
        s, p, o = text.split(" ", 2)
        g.add(s, p, o)
        if i == 9:
            sink.add_lines(["<https://example.org/x> <https://example.org/p> \"x\" <https://example.org/g> .\n"])
    assert sink.spilled_runs == 3
    sorted_lines = list(sink.sorted_lines())  # hands the rest first
    expected = [f"{t} <https://example.org/g> .\n" for t in lines]
    expected.insert(10, "<https://example.org/x> <https://example.org/p> \"x\" <https://example.org/g> .\n")
    assert [line for chunk in handed for line in chunk] == expected
    assert [len(chunk) for chunk in handed] == [3, 3, 1, 3, 3, 1, 3, 3, 1, 3, 2]  # up to each spill, then the rest
    assert sorted_lines == sorted(expected)
