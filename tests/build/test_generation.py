"""A build folder replaced as a whole: the exchange, the files carried over, the sweep."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kg_build.build import generation, swap
from kg_build.build.generation import Generation, sweep


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def old_build(tmp_path: Path) -> Path:
    out = tmp_path / "build"
    (out / "store").mkdir(parents=True)
    (out / "ntrk-kg.nq").write_text("old\n")
    (out / "store" / "CURRENT").write_text("old store\n")
    (out / "release").mkdir()
    (out / "release" / "void.ttl").write_text("a release\n")
    (out / "notes.txt").write_text("mine\n")
    return out


def test_the_exchange_swaps_two_folders(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "f").write_text("A")
    (tmp_path / "b" / "f").write_text("B")
    swap.exchange(tmp_path / "a", tmp_path / "b")
    assert ((tmp_path / "a" / "f").read_text(), (tmp_path / "b" / "f").read_text()) == ("B", "A")


def test_a_commit_replaces_the_build_and_carries_what_the_build_does_not_own(tmp_path: Path) -> None:
    out = old_build(tmp_path)
    inode = (out / "release" / "void.ttl").stat().st_ino
    gen = Generation(out)
    assert gen.dir == tmp_path / f".build.new-{os.getpid()}"
    (gen.dir / "store").mkdir()
    gen.path("ntrk-kg.nq").write_text("new\n")
    (gen.dir / "store" / "CURRENT").write_text("new store\n")
    assert gen.commit(owned=("ntrk-kg.nq", "store")) == ["notes.txt", "release"]
    assert tree(out) == {"notes.txt": b"mine\n", "ntrk-kg.nq": b"new\n", "release/void.ttl": b"a release\n",
                         "store/CURRENT": b"new store\n"}
    assert (out / "release" / "void.ttl").stat().st_ino == inode  # linked, not copied
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build"]


def test_a_first_build_is_renamed_into_place(tmp_path: Path) -> None:
    gen = Generation(tmp_path / "build")
    gen.path("ntrk-kg.nq").write_text("new\n")
    gen.commit(owned=("ntrk-kg.nq",))
    assert tree(tmp_path / "build") == {"ntrk-kg.nq": b"new\n"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build"]


def test_without_an_atomic_exchange_two_renames_do_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def unsupported(a: Path, b: Path) -> None:
        raise swap.SwapUnsupported(95, "not here", str(b))

    monkeypatch.setattr(generation, "exchange", unsupported)
    out = old_build(tmp_path)
    gen = Generation(out)
    gen.path("ntrk-kg.nq").write_text("new\n")
    gen.commit(owned=("ntrk-kg.nq", "store"))
    assert tree(out) == {"notes.txt": b"mine\n", "ntrk-kg.nq": b"new\n", "release/void.ttl": b"a release\n"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build"]


def test_a_crash_between_the_two_renames_is_repaired_by_the_next_sweep(tmp_path: Path) -> None:
    out = old_build(tmp_path)
    before = tree(out)
    os.rename(out, tmp_path / ".build.old-999999")  # the first rename happened, then the crash
    (tmp_path / ".build.new-999999").mkdir()
    (tmp_path / ".build.new-999999" / "ntrk-kg.nq").write_text("new\n")
    swept = sweep(out)
    assert tree(out) == before
    assert swept.paths == [tmp_path / ".build.new-999999"] and swept.size == 4
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build"]


def test_the_sweep_removes_what_dead_builds_left_and_counts_it(tmp_path: Path) -> None:
    out = old_build(tmp_path)
    dead = 999999
    (tmp_path / f".build.new-{dead}" / "store").mkdir(parents=True)
    (tmp_path / f".build.new-{dead}" / "store" / "000009.sst").write_bytes(b"x" * 1000)
    (out / f".build-tmp-{dead}").mkdir()
    (out / f".build-tmp-{dead}" / "base.nq").write_bytes(b"y" * 500)
    (out / f".ntrk-kg.ttl.tmp-{dead}").write_bytes(b"z" * 20)
    (out / ".ntrk-kg-export-abc123").mkdir()
    (out / f".store.tmp-{os.getppid()}").mkdir()  # a live process's: kept
    (tmp_path / ".other.new-1").mkdir()  # another folder's: kept
    swept = sweep(out)
    assert [p.name for p in swept.paths] == [
        f".build.new-{dead}", f".build-tmp-{dead}", ".ntrk-kg-export-abc123", f".ntrk-kg.ttl.tmp-{dead}"]
    assert swept.size == 1000 + 500 + 20
    assert sum(1 for _ in out.iterdir()) == 5
    assert swept.describe() == (
        f"removed 1.5 KB of temporary files left by interrupted builds (4 entries: .build.new-{dead}, "
        f".build-tmp-{dead}, .ntrk-kg-export-abc123, .ntrk-kg.ttl.tmp-{dead})")
    assert sweep(out).paths == []
