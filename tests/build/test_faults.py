"""Faults of the file system: each is one line on stderr and exit 2, naming the path and what to
do, and the previous build is left exactly as it was, with nothing written beside it."""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

ARGS = ("--no-reason",)


def snapshot(root: Path) -> dict[str, str]:
    """Every file under ``root`` (and beside the build folder) with its sha256."""
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
            for p in sorted(root.rglob("*"))}


def build(cli, out: Path, *extra: str, env: dict[str, str] | None = None):
    return cli("build", "--out", str(out), *ARGS, *extra, env=env)


@pytest.fixture(scope="module")
def previous(cli, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("previous") / "build"
    assert build(cli, out).exit_code == 0
    return out


@pytest.fixture()
def old_build(tmp_path: Path, previous: Path) -> Path:
    out = tmp_path / "build"
    shutil.copytree(previous, out)
    return out


def one_line(result, start: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr.startswith(start), result.stderr
    assert result.stderr.count("\n") == 1, result.stderr


# -- simulated faults: run anywhere ------------------------------------------------------------------
@pytest.mark.parametrize(("code", "says"), [
    (errno.ENOSPC, "no space left on the device"),
    (errno.EROFS, "the file system is read-only"),
    (errno.EACCES, "permission denied"),
    (errno.EIO, "input/output error"),
])
def test_a_write_that_fails_leaves_the_previous_build(cli, old_build: Path, monkeypatch: pytest.MonkeyPatch,
                                                      code: int, says: str) -> None:
    from kg_build.build import writers

    def fail(*args: object, **kwargs: object) -> None:
        raise OSError(code, os.strerror(code), str(old_build.parent / f".build.new-{os.getpid()}" / "ntrk-kg.ttl"))

    monkeypatch.setattr(writers, "write_exports", fail)
    before = snapshot(old_build.parent)
    result = build(cli, old_build)
    one_line(result, f"ntrk-kg: error: {old_build}: cannot write the new build: {says}")
    assert snapshot(old_build.parent) == before


def test_a_store_that_runs_out_of_space_leaves_the_previous_build(cli, old_build: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """pyoxigraph reports RocksDB's I/O errors as an OSError without errno: recognised by its text."""
    from kg_build.build import store

    def fail(self, *args: object, **kwargs: object) -> None:
        raise OSError("IO error: No space left on device: While appending to file: /x/store/000012.sst")

    monkeypatch.setattr(store.StagedStore, "__init__", fail)
    before = snapshot(old_build.parent)
    one_line(build(cli, old_build), f"ntrk-kg: error: {old_build}: cannot write the new build: no space left on the device")
    assert snapshot(old_build.parent) == before


def test_a_failed_first_build_leaves_no_folder_behind(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kg_build.build import writers

    def fail(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), "x")

    monkeypatch.setattr(writers, "write_exports", fail)
    out = tmp_path / "a" / "b" / "build"
    one_line(build(cli, out), f"ntrk-kg: error: {out}: cannot write the new build: no space left on the device")
    assert list(tmp_path.iterdir()) == []


# -- real faults ---------------------------------------------------------------------------------------
def test_a_file_where_the_build_folder_should_be(cli, tmp_path: Path) -> None:
    (tmp_path / "build").write_text("not a folder\n")
    one_line(build(cli, tmp_path / "build"), f"ntrk-kg: error: {tmp_path / 'build'}: a file is where a folder should be")
    assert (tmp_path / "build").read_text() == "not a folder\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build"]


needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="mounting a tmpfs needs root (CI runs as root)")


@pytest.fixture()
def tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A 6 MiB tmpfs: room for one build of the guide (about 4 MB), not for a second."""
    mount = tmp_path / "tmpfs"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", str(mount)], capture_output=True, text=True)
    if done.returncode != 0:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true but a tmpfs cannot be mounted: {done.stderr.strip()}")
        pytest.skip(f"a tmpfs cannot be mounted here: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


@needs_root
def test_a_full_disk_leaves_the_previous_build(cli, tmpfs: Path, previous: Path) -> None:
    out = tmpfs / "build"
    shutil.copytree(previous, out)
    before = snapshot(tmpfs)
    result = build(cli, out)
    one_line(result, f"ntrk-kg: error: {out}: cannot write the new build: no space left on the device")
    assert snapshot(tmpfs) == before


@needs_root
def test_a_read_only_folder_leaves_the_previous_build(cli, tmpfs: Path, previous: Path) -> None:
    out = tmpfs / "build"
    shutil.copytree(previous, out)
    before = snapshot(tmpfs)
    subprocess.run(["mount", "-o", "remount,ro", str(tmpfs)], check=True)
    one_line(build(cli, out), f"ntrk-kg: error: {out}: cannot write the new build: the file system is read-only")
    one_line(cli("release", "--out", str(out)),
             f"ntrk-kg: error: {out / 'release'}: cannot write the release: the file system is read-only")
    assert snapshot(tmpfs) == before


def test_rdflib_warnings_never_reach_the_terminal(data_copy: Path, tmp_path: Path) -> None:
    """An impossible date is a validation failure, reported once, without rdflib's conversion tracebacks."""
    approvals = data_copy / "approvals.tsv"
    lines = approvals.read_text().splitlines(keepends=True)
    cells = lines[1].split("\t")
    cells[4] = "2018-13-45"
    approvals.write_text(lines[0] + "\t".join(cells) + "".join(lines[2:]))
    out = tmp_path / "build"
    proc = subprocess.run(["ntrk-kg", "build", "--out", str(out), "--data", str(data_copy), *ARGS],
                          capture_output=True, text=True, env={**os.environ, "PATH": os.path.dirname(shutil.which("ntrk-kg") or "") + os.pathsep + os.environ["PATH"]})
    assert proc.returncode in (1, 2), proc.stderr
    assert "Traceback" not in proc.stderr and "Failed to convert" not in proc.stderr
    assert "2018-13-45" in proc.stderr
    assert not out.exists()
