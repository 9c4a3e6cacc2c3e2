"""Giving freed memory back to the system.

glibc keeps freed blocks for reuse, in one arena per thread that allocated them: after a stage
that allocated much (or queries run on two threads), the process keeps that memory unless asked
to return it, and what comes next allocates more on top.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


def trim() -> None:
    """Return the free memory of every malloc arena to the system (glibc's ``malloc_trim``); with
    another C library, nothing."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to trim
        pass


def release() -> None:
    """Collect garbage and give the freed memory back to the system: between the stages of a
    build (the tables and sorted lines before the load, the rule results and the reasoner's rows
    before the validation), so that what comes next does not raise the peak."""
    gc.collect()
    trim()


@contextmanager
def no_cyclic_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector: reading and building allocate millions of objects and
    no cycles, and each full collection would walk them all (time growing faster than the data)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
