"""Large builds write their exports in a child process while they validate: the same files, and
a failure on either side stops both and leaves the previous build as it was."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from kg_build.build import pipeline, writers
from kg_build.build.progress import Progress, peak_rss_mib
from kg_build.errors import ValidationFailure
from tests.build.test_store import quads_of_store

FORMATS = ("nquads", "turtle", "ntriples", "trig", "jsonld", "rdfxml")


def _listing(root: Path) -> list[str]:
    """The build's files; the store's own files are the database's to name (their numbers follow its
    background compactions), so the store is compared by what it holds."""
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.parent.name != "store")


def test_exports_written_beside_the_validation_are_the_same_files(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    here = pipeline.build(tmp_path / "here", FORMATS, reason=False)
    monkeypatch.setattr(pipeline, "PARALLEL_EXPORT_MIN", 0)
    progress = Progress(show=False)
    beside = pipeline.build(tmp_path / "beside", FORMATS, reason=False, progress=progress)
    # The second process reports its own peak memory, not the one it was started from.
    assert [name for name, _ in progress.beside] == ["merge", "split", "turtle", "trig", "jsonld", "rdfxml",
                                                 "digests"]
    assert 0 < progress.beside_peak < peak_rss_mib()
    assert beside.outputs == here.outputs
    assert beside.graphs == here.graphs
    assert beside.warnings == here.warnings
    assert _listing(tmp_path / "beside") == _listing(tmp_path / "here")
    assert quads_of_store(tmp_path / "beside") == quads_of_store(tmp_path / "here")


def test_a_failed_validation_stops_the_export_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "build"
    pipeline.build(out, ("nquads",), reason=False, with_store=False)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    jobs: list[writers.ExportJob] = []

    class Recorded(writers.ExportJob):
        def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
            super().__init__(*args, **kwargs)
            jobs.append(self)

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise ValidationFailure("the graph does not conform to its SHACL shapes")

    monkeypatch.setattr(pipeline, "PARALLEL_EXPORT_MIN", 0)
    monkeypatch.setattr(writers, "ExportJob", Recorded)
    monkeypatch.setattr(pipeline, "_validate", refuse)
    with pytest.raises(ValidationFailure):
        pipeline.build(out, FORMATS, reason=False)
    assert len(jobs) == 1
    assert jobs[0]._process.exitcode is not None  # stopped and reaped, not left running
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build"]


def test_an_error_in_the_export_process_is_raised_in_the_build(tmp_path: Path) -> None:
    missing = tmp_path / "missing.nq"
    job = writers.ExportJob([missing], tmp_path / "out.nq", ("nquads", "turtle"), {"ntrk-kg.ttl": tmp_path / "out.ttl"})
    with pytest.raises(OSError) as raised:
        job.result()
    assert raised.value.errno == errno.ENOENT
    assert raised.value.filename == str(missing)
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_the_validation_yields_to_the_export_process_only_while_it_runs(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from kg_build.shacl import oxigraph

    seen: list[bool] = []
    validate_store = oxigraph.validate_store

    def recording(*args, **kwargs):  # type: ignore[no-untyped-def]
        if kwargs.get("on_check") is not None:  # the validation, not the source rules
            seen.append(kwargs.get("background", False))
        return validate_store(*args, **kwargs)

    monkeypatch.setattr(oxigraph, "validate_store", recording)
    pipeline.build(tmp_path / "alone", ("nquads", "turtle"), reason=False, with_store=False)
    monkeypatch.setattr(pipeline, "PARALLEL_EXPORT_MIN", 0)
    pipeline.build(tmp_path / "beside", ("nquads", "turtle"), reason=False, with_store=False)
    assert seen == [False, True]
