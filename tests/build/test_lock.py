"""The build folder's lock: one writer at a time, a dead holder's lock free at once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from kg_build.build.lock import FolderLock, FolderLocked, read_holder

HOLD = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from kg_build.build.lock import FolderLock
    lock = FolderLock(Path(sys.argv[1]), Path(sys.argv[2]), command="build").acquire()
    print("locked", flush=True)
    time.sleep(600)
""")


def hold(tmp_path: Path) -> subprocess.Popen[str]:
    """Another process holding the lock of ``tmp_path/build``, until killed."""
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(tmp_path / ".build.lock"), str(tmp_path / "build")],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline() == "locked\n"
    return proc


def test_a_second_writer_is_refused_with_one_line_naming_the_holder(tmp_path: Path) -> None:
    proc = hold(tmp_path)
    try:
        holder = read_holder(tmp_path / ".build.lock")
        assert holder is not None and holder.pid == proc.pid and holder.command == "build"
        with pytest.raises(FolderLocked) as err:
            FolderLock(tmp_path / ".build.lock", tmp_path / "build").acquire()
        assert str(err.value) == (
            f"{tmp_path / 'build'}: 'ntrk-kg build' (pid {proc.pid} on {holder.host}, started {holder.started}) "
            "is writing to this build folder; wait for it to finish, or pass --wait to start when it has"
        )
        assert err.value.exit_code == 2
    finally:
        proc.kill()
        proc.wait()


def test_the_lock_of_a_killed_holder_is_free_at_once(tmp_path: Path) -> None:
    proc = hold(tmp_path)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert (tmp_path / ".build.lock").exists()  # the dead holder could not remove it
    with FolderLock(tmp_path / ".build.lock", tmp_path / "build") as lock:
        holder = read_holder(lock.path)
        assert holder is not None and holder.pid == os.getpid()
    assert not (tmp_path / ".build.lock").exists()


def test_a_waiting_writer_gets_the_lock_when_the_holder_exits(tmp_path: Path) -> None:
    proc = hold(tmp_path)
    seen = []

    def on_wait(holder) -> None:
        seen.append(holder.pid)
        proc.terminate()

    start = time.monotonic()
    with FolderLock(tmp_path / ".build.lock", tmp_path / "build", wait=True, on_wait=on_wait):
        assert seen == [proc.pid]
    proc.wait()
    assert time.monotonic() - start < 60


def test_a_lock_file_removed_while_waiting_is_not_trusted(tmp_path: Path) -> None:
    """The holder removes the file on release; a writer that locked the removed file tries again
    on the new one, so two writers never both hold 'the' lock."""
    path = tmp_path / ".build.lock"
    first = FolderLock(path, tmp_path / "build").acquire()
    fd = os.open(path, os.O_RDWR)  # a second writer opened the file, and waits to lock it
    first.release()
    assert not path.exists()
    second = FolderLock(path, tmp_path / "build")
    assert not second._same_file(fd)
    os.close(fd)
    with second:
        assert second._same_file(second._fd)  # type: ignore[arg-type]
