"""Giving freed memory back to the system.

glibc keeps freed blocks for reuse, in one arena per thread that allocated them: after a stage
that allocated much (or queries run on two threads), the process keeps that memory unless asked
to return it, and what comes next allocates more on top.
"""

from __future__ import annotations


def trim() -> None:
    """Return the free memory of every malloc arena to the system (glibc's ``malloc_trim``); with
    another C library, nothing."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to trim
        pass
