"""Swap two directories in one atomic step, where the operating system can.

Linux (``renameat2`` with ``RENAME_EXCHANGE``, since 3.15, on ext4, XFS, Btrfs, tmpfs and most
local file systems) and macOS (``renamex_np`` with ``RENAME_SWAP``, APFS) exchange two names in
one step: any process that looks up either name sees the old directory or the new one, and a
crash leaves one of the two states. Elsewhere :func:`exchange` raises :class:`SwapUnsupported`
and the caller falls back to two renames.
"""

from __future__ import annotations

import ctypes
import errno
import os
import sys
from pathlib import Path

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2  # linux/fs.h
_RENAME_SWAP = 2  # macOS sys/stdio.h


class SwapUnsupported(OSError):
    """The system or the file system cannot exchange two names atomically."""


def _libc() -> ctypes.CDLL | None:
    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:  # no C library to call into
        return None


_LIBC = _libc()


def exchange(a: Path, b: Path) -> None:
    """Atomically give ``a``'s directory the name ``b`` and ``b``'s the name ``a``.

    Both must exist on the same file system. Raises :class:`SwapUnsupported` where the system
    has no atomic exchange, and ``OSError`` (with the path) for any other failure.
    """
    fa, fb = os.fsencode(a), os.fsencode(b)
    if _LIBC is not None and sys.platform.startswith("linux") and hasattr(_LIBC, "renameat2"):
        result = _LIBC.renameat2(_AT_FDCWD, fa, _AT_FDCWD, fb, _RENAME_EXCHANGE)
    elif _LIBC is not None and sys.platform == "darwin" and hasattr(_LIBC, "renamex_np"):
        result = _LIBC.renamex_np(fa, fb, _RENAME_SWAP)
    else:
        raise SwapUnsupported(errno.ENOSYS, "no atomic exchange of two names on this system", str(b))
    if result == 0:
        return
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        raise SwapUnsupported(code, "this file system cannot exchange two names atomically", str(b))
    raise OSError(code, os.strerror(code), str(b))
