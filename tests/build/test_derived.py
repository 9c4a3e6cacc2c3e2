"""What the build derives on its store: the rule findings, and the reasoner's types made on a
thread beside them when the reasoner reads the store alone."""

from __future__ import annotations

import io
import threading
from pathlib import Path

import pytest

from kg_build.build import derived, pipeline
from kg_build.build.progress import Progress
from kg_build.errors import FileSystemError, ValidationFailure
from kg_build.reasoning import engines


def test_the_reasoner_reads_the_store_alone_only_without_hermit_or_owlrl() -> None:
    limit = engines.HERMIT_CHECK_LIMIT
    assert engines.reads_store_only("rules", 10)
    assert engines.reads_store_only("auto", limit + 1)
    assert not engines.reads_store_only("auto", limit)  # HermiT checks the graph there
    assert not engines.reads_store_only("hermit", 10 * limit)
    assert not engines.reads_store_only("owlrl", 10 * limit)


def test_the_types_reasoned_beside_the_findings_are_those_reasoned_after_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    beside = Progress(show=False)
    first = pipeline.build(tmp_path / "beside", ("nquads", "turtle"), reasoner="rules", progress=beside)
    assert [(name, host) for name, _, host in beside.threaded] == [("reason", "rules")]
    assert "reason" not in [name for name, _ in beside.timings]
    assert list(beside.stage_times())[:6] == ["read", "build", "sort", "load", "rules", "reason"]
    monkeypatch.setattr(engines, "reads_store_only", lambda engine, quads: False)
    after = Progress(show=False)
    second = pipeline.build(tmp_path / "after", ("nquads", "turtle"), reasoner="rules", progress=after)
    assert after.threaded == [] and [name for name, _ in after.timings][4:6] == ["rules", "reason"]
    assert first.outputs == second.outputs
    assert first.warnings == second.warnings


def test_a_failure_while_the_reasoner_runs_beside_waits_for_it_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = threading.Event()
    reason = derived._reason

    def reason_then_tell(*args: object) -> object:
        started.set()
        return reason(*args)  # type: ignore[arg-type]

    def fail(*args: object) -> None:
        started.wait(10)
        raise OSError(28, "No space left on device", str(tmp_path / "x"))

    monkeypatch.setattr(derived, "_reason", reason_then_tell)
    monkeypatch.setattr(derived, "_findings", fail)
    with pytest.raises(FileSystemError, match="no space left on the device"):
        pipeline.build(tmp_path / "out", ("nquads",), reasoner="rules")
    assert started.is_set()
    assert not [t.name for t in threading.enumerate() if t.name.startswith("ntrk-kg reasoner")]
    assert list(tmp_path.iterdir()) == []


def test_the_reasoners_own_failure_on_its_thread_stops_the_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def inconsistent(*args: object, **kwargs: object) -> None:
        raise ValidationFailure("the graph is inconsistent: x")

    monkeypatch.setattr(engines, "reason_store", inconsistent)
    with pytest.raises(ValidationFailure, match="the graph is inconsistent: x"):
        pipeline.build(tmp_path / "out", ("nquads",), reasoner="rules")
    assert list(tmp_path.iterdir()) == []


def test_a_stage_run_on_a_thread_is_listed_after_the_stage_it_ran_beside_and_not_in_the_total() -> None:
    out = io.StringIO()
    progress = Progress(stream=out, profile=True)
    with progress.stage("rules"):
        with progress.on_thread("reason"):
            pass
    with progress.stage("validate"):
        pass
    progress.finish()
    lines = out.getvalue().splitlines()
    assert [line.split()[0] for line in lines[1:]] == ["rules", "reason", "validate", "total"]
    assert lines[2].endswith("s  on a thread, beside rules (not in the total)")
    total = sum(seconds for _, seconds in progress.timings)
    assert lines[4] == f"  total     {total:8.3f} s"
