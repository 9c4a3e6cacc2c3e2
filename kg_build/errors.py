"""Exceptions the library raises, and the exit codes the command line maps them to."""

from __future__ import annotations

import errno
import os
from typing import NamedTuple

EXIT_CODES = {
    0: "success",
    1: "the graph does not conform, a check failed, or a server refused",
    2: "bad input or usage",
}
"""The documented exit codes of ``ntrk-kg``: the one table the CLI's help and the docs show."""


class Problem(NamedTuple):
    """One problem in a curated file: where it is, which field, and what is wrong.

    Ordered by file, line, field and message.

    >>> str(Problem("genes.tsv", 3, "symbol", "is empty"))
    'genes.tsv:3: symbol: is empty'
    """

    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.field}: {self.message}"


class KgError(Exception):
    """Base class of every error meant for a user, never shown as a traceback (exit status 2)."""

    exit_code = 2


class CurationError(KgError):
    """The curated source data is malformed; carries every problem found, not just the first.

    Problems with a whole file (field ``(file)``: missing, empty, not UTF-8, no header) come
    first; ``note`` is a last line saying what was not checked.
    """

    def __init__(self, problems: list[Problem], note: str = "") -> None:
        self.problems = sorted(set(problems), key=lambda p: (p.field != "(file)", p))
        lines = "\n".join(f"  {p}" for p in self.problems)
        n = len(self.problems)
        super().__init__(
            f"the curated data has {n} problem{'s' if n != 1 else ''}; nothing was written:\n{lines}"
            + (f"\n  ({note})" if note else "")
        )


class UsageError(KgError):
    """A command was called with wrong arguments or an unreadable input (exit status 2)."""


class ValidationFailure(KgError):
    """The graph does not conform to its shapes or its ontology (exit status 1)."""

    exit_code = 1


class FileSystemError(UsageError):
    """The operating system refused to read or write a file: one line naming the path and what to do."""

    @classmethod
    def wrap(cls, exc: OSError, path: object = None, doing: str = "") -> FileSystemError:
        """The error for ``exc`` at ``path`` (default: the path the OS named), while ``doing``.

        >>> import errno, os
        >>> str(FileSystemError.wrap(OSError(errno.EROFS, os.strerror(errno.EROFS), "/mnt/build"), doing="cannot write the new build"))
        '/mnt/build: cannot write the new build: the file system is read-only; choose a folder on a writable one'
        >>> str(FileSystemError.wrap(OSError("IO error: No space left on device: While appending to file: /x/000012.sst"), "build"))
        'build: no space left on the device; free some space or choose a folder on another device'
        """
        code = os_errno(exc)
        where = path if path is not None else exc.filename
        advice = _ADVICE.get(code) if code is not None else None
        if advice is None:
            advice = exc.strerror or str(exc) or type(exc).__name__
        text = f"{doing}: {advice}" if doing else advice
        return cls(f"{where}: {text}" if where is not None else text)


_ADVICE: dict[int, str] = {
    errno.EROFS: "the file system is read-only; choose a folder on a writable one",
    errno.EACCES: "permission denied; make it writable for you, or choose another folder",
    errno.EPERM: "operation not permitted; make it writable for you, or choose another folder",
    errno.ENOSPC: "no space left on the device; free some space or choose a folder on another device",
    errno.EDQUOT: "disk quota exceeded; free some space or choose a folder on another device",
    errno.ENOTDIR: "a file is where a folder should be; move the file away or choose another folder",
    errno.EISDIR: "a folder is where a file should be; move the folder away or choose another name",
    errno.ENOENT: "no such file or folder",
    errno.ENAMETOOLONG: "the name is too long for the file system; choose a shorter path",
    errno.EMFILE: "too many open files; raise the limit (ulimit -n) and try again",
    errno.EIO: "input/output error: the disk or the network file system failed; check the device",
    errno.EXDEV: "the folder and its parent are on different file systems (a mount point); choose a folder inside it",
    errno.EBUSY: "the folder is busy (a mount point?); choose a folder inside it",
}
"""What an error number means for the user, and what to do."""


def os_errno(exc: OSError) -> int | None:
    """The error number of ``exc``; for errors that carry only a text (pyoxigraph's storage
    errors), the number whose standard message the text holds.

    >>> import errno
    >>> os_errno(OSError("IO error: No space left on device: While appending")) == errno.ENOSPC
    True
    """
    if exc.errno is not None:
        return exc.errno
    text = str(exc).lower()
    for code in _ADVICE:
        if os.strerror(code).lower() in text:
            return code
    return None


def ending(exc: KgError | OSError) -> tuple[str, int]:
    """What an error that ends a command says (one paragraph) and the command's exit code: a
    library error as it is, a system error as :meth:`FileSystemError.wrap` says it (exit 2).

    >>> ending(UsageError("bad --format"))
    ('bad --format', 2)
    >>> import errno, os
    >>> ending(OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), "/out"))
    ('/out: no space left on the device; free some space or choose a folder on another device', 2)
    """
    if isinstance(exc, KgError):
        return str(exc), exc.exit_code
    return str(FileSystemError.wrap(exc)), FileSystemError.exit_code
