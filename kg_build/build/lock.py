"""One writer at a time per build folder: an advisory lock on a file beside the folder.

The lock is ``fcntl.flock`` on ``.<folder>.lock`` in the folder's parent (beside it, not in it,
because a build replaces the folder itself). The kernel releases a ``flock`` when its holder
exits in any way, SIGKILL included, so a lock of a dead process is never mistaken for a live one:
the next writer simply gets it. The holder writes its pid, host, command and start time into the
file, so a writer that finds the folder locked can say who holds it. The file is removed when the
lock is released; a writer that locked a file which was removed meanwhile tries again, so two
writers never hold locks on two different files of the same name.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from kg_build.errors import UsageError


@dataclass(frozen=True)
class Holder:
    """Who holds a build folder's lock, as it wrote itself into the lock file."""

    pid: int
    host: str
    command: str
    started: str

    def describe(self) -> str:
        """``'ntrk-kg build' (pid 123 on host, started 2026-12-05 12:30:01 UTC)'``"""
        return f"'ntrk-kg {self.command}' (pid {self.pid} on {self.host}, started {self.started})"


def who(holder: Holder | None) -> str:
    """The holder as a message names it; ``'another ntrk-kg process'`` when the lock file records none."""
    return holder.describe() if holder is not None else "another ntrk-kg process"


class FolderLocked(UsageError):
    """Another ``ntrk-kg`` process is writing to the build folder."""


def read_holder(path: Path) -> Holder | None:
    """The holder recorded in the lock file ``path``, or None if it records none (yet)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Holder(int(data["pid"]), str(data["host"]), str(data["command"]), str(data["started"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


class FolderLock:
    """The exclusive lock of one build folder, held from :meth:`acquire` to :meth:`release`.

    ``wait``: when another process holds the lock, wait for it (calling ``on_wait`` with the
    holder once) instead of raising :class:`FolderLocked`.
    """

    def __init__(
        self, path: Path, folder: Path, command: str = "build", wait: bool = False,
        on_wait: Callable[[Holder | None], None] | None = None,
    ) -> None:
        self.path = path
        self.folder = folder
        self.command = command
        self.wait = wait
        self.on_wait = on_wait
        self._fd: int | None = None

    def acquire(self) -> FolderLock:
        """Take the lock (waiting or failing as configured) and record this process as its holder."""
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
            try:
                self._lock(fd)
                if self._same_file(fd):
                    break
            except BaseException:
                os.close(fd)
                raise
            os.close(fd)  # the holder removed the file between our open and our lock: try again
        self._fd = fd
        record = {
            "pid": os.getpid(), "host": socket.gethostname(), "command": self.command,
            "started": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
        }
        os.ftruncate(fd, 0)
        os.pwrite(fd, (json.dumps(record) + "\n").encode("utf-8"), 0)
        return self

    def _lock(self, fd: int) -> None:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EWOULDBLOCK, errno.EACCES):
                raise
        holder = read_holder(self.path)
        if not self.wait:
            raise FolderLocked(
                f"{self.folder}: {who(holder)} is writing to this build folder; wait for it to finish, "
                f"or pass --wait to start when it has"
            )
        if self.on_wait is not None:
            self.on_wait(holder)
        fcntl.flock(fd, fcntl.LOCK_EX)

    def _same_file(self, fd: int) -> bool:
        try:
            now = os.stat(self.path)
        except FileNotFoundError:
            return False
        mine = os.fstat(fd)
        return (now.st_dev, now.st_ino) == (mine.st_dev, mine.st_ino)

    def release(self) -> None:
        """Remove the lock file and let the lock go (the kernel would on exit anyway)."""
        if self._fd is None:
            return
        try:
            self.path.unlink(missing_ok=True)
        finally:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> FolderLock:
        return self.acquire()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()
