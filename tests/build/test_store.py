"""The embedded Oxigraph store that ``ntrk-kg build`` writes to ``build/store/``."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from pyoxigraph import Literal, Quad, RdfFormat, parse

from kg_build import layout
from kg_build.build import generation, pipeline
from kg_build.errors import CurationError, FileSystemError, UsageError
from kg_build.sparql.sources import read_only_store

XSD_DECIMAL = "http://www.w3.org/2001/XMLSchema#decimal"


def key(q: Quad) -> tuple[str, str, object, str]:
    """A quad with xsd:decimal objects compared by value: Oxigraph stores decimals in their
    XSD 1.1 canonical form ("3" for the export's "3.0"), the same value in another spelling."""
    o = q.object
    obj: object = str(o)
    if isinstance(o, Literal) and o.datatype.value == XSD_DECIMAL:
        obj = ("decimal", Decimal(o.value))
    return (str(q.subject), str(q.predicate), obj, str(q.graph_name))


def quads_of_store(out: Path) -> set[tuple[str, str, object, str]]:
    st = read_only_store(out)
    try:
        return {key(q) for q in st.quads_for_pattern(None, None, None, None)}
    finally:
        del st


def quads_of_file(path: Path) -> set[tuple[str, str, object, str]]:
    with path.open("rb") as fh:
        return {key(q) for q in parse(fh, format=RdfFormat.N_QUADS)}


def store_files(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in (out / "store").rglob("*") if p.is_file()}


def test_the_store_holds_exactly_the_quads_of_the_nquads_export(built_dir: Path) -> None:
    in_store = quads_of_store(built_dir)
    assert in_store == quads_of_file(built_dir / "ntrk-kg.nq")
    assert len(in_store) == json.loads((built_dir / layout.MANIFEST_FILE).read_text())["quads"]


def test_the_store_keeps_every_named_graph_with_its_count(built_dir: Path) -> None:
    st = read_only_store(built_dir)
    counts = {g.value: sum(1 for _ in st.quads_for_pattern(None, None, None, g)) for g in st.named_graphs()}
    del st
    manifest = json.loads((built_dir / layout.MANIFEST_FILE).read_text())
    assert counts == manifest["graphs"]
    assert {"https://w3id.org/ntrk-kg/graph/curation", "https://w3id.org/ntrk-kg/graph/guide",
            "https://w3id.org/ntrk-kg/graph/metadata", "https://w3id.org/ntrk-kg/graph/ontology"} <= set(counts)


def test_the_store_answers_sparql_over_the_union_of_graphs(built_dir: Path) -> None:
    st = read_only_store(built_dir)
    rows = st.query(
        "SELECT ?label WHERE { ?f a <https://w3id.org/ntrk-kg/ontology#GeneFusion> ; "
        "<http://www.w3.org/2000/01/rdf-schema#label> ?label } ORDER BY ?label",
        use_default_graph_as_union=True,
    )
    labels = [r["label"].value for r in rows]
    del st
    assert labels == ["AFAP1::NTRK2", "BTBD1::NTRK3", "EML4::NTRK3", "ETV6::NTRK3", "LMNA::NTRK1",
                      "PAN3::NTRK2", "TPM3::NTRK1", "TPR::NTRK1", "TRIM24::NTRK2"]


def test_a_rebuild_swaps_the_store_and_leaves_no_temporary_directory(tmp_path: Path) -> None:
    pipeline.build(tmp_path, ("nquads",))
    pipeline.build(tmp_path, ("nquads",))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["manifest.json", "ntrk-kg-ontology.ttl", "ntrk-kg.nq", "ntrk-kg.sssom.tsv", "store"]
    assert quads_of_store(tmp_path) == quads_of_file(tmp_path / "ntrk-kg.nq")


def test_a_failed_build_leaves_the_previous_store_intact(data_copy: Path, tmp_path: Path) -> None:
    pipeline.build(tmp_path, ("nquads",), data_copy)
    before = store_files(tmp_path)
    prevalence = data_copy / "prevalence.tsv"
    prevalence.write_text(prevalence.read_text().replace("~26%", "~126%"))
    with pytest.raises(CurationError):
        pipeline.build(tmp_path, ("nquads",), data_copy)
    assert store_files(tmp_path) == before


def test_a_build_failing_while_writing_files_discards_the_new_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pipeline.build(tmp_path, ("nquads",))
    before = store_files(tmp_path)

    def disk_full(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(generation, "sync_tree", disk_full)
    with pytest.raises(FileSystemError, match=f"^{tmp_path}: cannot write the new build: no space left on the device"):
        pipeline.build(tmp_path, ("nquads",))
    assert store_files(tmp_path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["manifest.json", "ntrk-kg-ontology.ttl", "ntrk-kg.nq", "ntrk-kg.sssom.tsv", "store"]
    assert [p.name for p in tmp_path.parent.iterdir() if p.name.startswith(f".{tmp_path.name}.")] == []


def test_opening_the_store_of_a_missing_build_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"store does not exist; run 'ntrk-kg build --out .*' first"):
        read_only_store(tmp_path)


# -- the store written on a thread beside the checks (builds of up to MEMORY_CHECK_LIMIT quads) ------------
_LINES = [f"<https://example.org/s{i}> <https://example.org/p> \"{i}\" <https://example.org/g> .\n" for i in range(5)]


def test_a_store_written_beside_the_build_holds_the_file_then_the_added_lines(tmp_path: Path) -> None:
    from kg_build.build import store

    (tmp_path / "base.nq").write_text("".join(_LINES[:3]), encoding="utf-8")
    loader = store.BackgroundStore(tmp_path / "store", tmp_path / "base.nq")
    (tmp_path / "base.nq").rename(tmp_path / "moved.nq")  # the file is open once the constructor returns
    loader.add(iter(_LINES[3:4]))  # handed over while the file may still be loading
    loader.finish([iter(_LINES[4:])])
    loader.join()
    st = read_only_store(tmp_path)
    try:
        assert sorted(str(q.subject) for q in st.quads_for_pattern(None, None, None, None)) == [
            f"<https://example.org/s{i}>" for i in range(5)]
    finally:
        del st


def test_a_store_cancelled_after_lines_were_handed_over_is_removed(tmp_path: Path) -> None:
    from kg_build.build import store

    (tmp_path / "base.nq").write_text("".join(_LINES[:3]), encoding="utf-8")
    loader = store.BackgroundStore(tmp_path / "store", tmp_path / "base.nq")
    loader.add(iter(_LINES[3:]))
    loader.cancel()
    assert not loader.thread.is_alive()
    assert not (tmp_path / "store").exists()


def test_a_cancelled_store_is_removed(tmp_path: Path) -> None:
    from kg_build.build import store

    (tmp_path / "base.nq").write_text("".join(_LINES), encoding="utf-8")
    loader = store.BackgroundStore(tmp_path / "store", tmp_path / "base.nq")
    loader.cancel()
    assert not loader.thread.is_alive()
    assert not (tmp_path / "store").exists()


def test_the_error_of_a_store_written_beside_the_build_is_raised_as_soon_as_it_is_handed_more(tmp_path: Path) -> None:
    from kg_build.build import store

    (tmp_path / "base.nq").write_text(_LINES[0] + "<not an IRI> .\n", encoding="utf-8")
    loader = store.BackgroundStore(tmp_path / "store", tmp_path / "base.nq")
    loader.thread.join()
    with pytest.raises(SyntaxError, match="line 2"):
        loader.finish([iter(_LINES[1:])])
    assert not (tmp_path / "store").exists()


def test_a_line_with_an_invalid_iri_stops_the_build_though_the_on_disk_store_reads_leniently(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The on-disk store's thread reads the sorted lines without the IRI checks, the store the
    checks run on with them: a bad IRI still fails the build, and nothing is left."""
    build_quads = pipeline.build_quads

    def with_bad_iri(cur, sink):  # type: ignore[no-untyped-def]
        sink.add_lines(['<https://example.org/a b> <https://example.org/p> "x" <https://example.org/g> .\n'])
        return build_quads(cur, sink)

    monkeypatch.setattr(pipeline, "build_quads", with_bad_iri)
    with pytest.raises(SyntaxError, match="Invalid IRI code point ' '"):
        pipeline.build(tmp_path / "out", ("nquads",), reason=False)
    assert list(tmp_path.iterdir()) == []


def test_a_build_that_fails_before_its_store_is_complete_stops_the_thread_writing_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    def fail(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device", str(tmp_path / "x"))

    monkeypatch.setattr(pipeline, "derive", fail)
    with pytest.raises(FileSystemError, match="no space left on the device"):
        pipeline.build(tmp_path / "out", ("nquads",))
    assert "ntrk-kg store load" not in [t.name for t in threading.enumerate()]
    assert list(tmp_path.iterdir()) == []


def test_a_build_checked_on_the_on_disk_store_writes_what_one_checked_in_memory_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above MEMORY_CHECK_LIMIT quads the rules, the reasoner and the validation run on the on-disk
    store itself, which the findings and the inferred types are added to and compacted after."""
    in_memory = pipeline.build(tmp_path / "memory", ("nquads",))
    monkeypatch.setattr(pipeline, "MEMORY_CHECK_LIMIT", 0)
    on_disk = pipeline.build(tmp_path / "disk", ("nquads",))
    assert on_disk.outputs == in_memory.outputs
    assert on_disk.warnings == in_memory.warnings
    assert quads_of_store(tmp_path / "disk") == quads_of_file(tmp_path / "disk" / "ntrk-kg.nq")


def test_the_store_loaded_while_the_lines_are_made_holds_them_once(tmp_path: Path) -> None:
    from kg_build.build import store

    loader = store.MemoryLoader(limit=10)
    loader.add(_LINES[3:])
    loader.add(_LINES[:4])  # a duplicate, and out of order: the store holds each quad once
    st = loader.result()
    assert st is not None
    assert sorted(str(q) + " .\n" for q in st) == sorted(_LINES)
    assert loader.thread.name == "ntrk-kg memory load" and not loader.thread.is_alive()


def test_the_store_loaded_while_the_lines_are_made_is_let_go_past_its_limit() -> None:
    from kg_build.build import store

    loader = store.MemoryLoader(limit=4)
    loader.add(_LINES[:3])
    loader.add(_LINES[3:])  # 5 lines: more than the limit
    assert not loader.thread.is_alive()
    loader.add(_LINES[:1])  # ignored once let go
    assert loader.result() is None


def test_the_store_loaded_while_the_lines_are_made_parses_strictly_and_raises_at_the_result() -> None:
    from kg_build.build import store

    loader = store.MemoryLoader(limit=10)
    loader.add(_LINES[:2])
    loader.add(['<https://example.org/a b> <https://example.org/p> "x" <https://example.org/g> .\n'])
    loader.add(_LINES[2:])
    with pytest.raises(SyntaxError, match="Invalid IRI code point ' '"):
        loader.result()
    assert not loader.thread.is_alive()


def test_a_build_failing_while_its_lines_are_made_stops_the_memory_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    build_quads = pipeline.build_quads

    def fail_after(cur, sink):  # type: ignore[no-untyped-def]
        build_quads(cur, sink)
        raise OSError(28, "No space left on device", str(tmp_path / "x"))

    monkeypatch.setattr(pipeline, "build_quads", fail_after)
    with pytest.raises(FileSystemError, match="no space left on the device"):
        pipeline.build(tmp_path / "out", ("nquads",))
    assert "ntrk-kg memory load" not in [t.name for t in threading.enumerate()]
    assert list(tmp_path.iterdir()) == []


def test_tables_too_large_for_the_checks_in_memory_are_not_loaded_while_the_lines_are_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kg_build.build import store

    early = pipeline.build(tmp_path / "early", ("nquads",), reason=False)

    def refused(limit: int) -> None:
        raise AssertionError("no store is loaded while the lines are made")

    monkeypatch.setattr(pipeline, "INPUT_BYTES_PER_QUAD", 0)  # every input taken to be too large
    monkeypatch.setattr(store, "MemoryLoader", refused)
    late = pipeline.build(tmp_path / "late", ("nquads",), reason=False)  # loaded after the sort
    assert late.outputs == early.outputs
