"""The pool the validation and the reasoner run their store queries on."""

from __future__ import annotations

import os
import sys
import threading

import pytest

from kg_build.sparql.engines import BACKGROUND_NICE, store_threads


def _nice() -> int:
    return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a per-thread priority is Linux's")
def test_background_threads_run_at_a_lower_priority_and_leave_the_caller_as_it_was() -> None:
    before = _nice()
    with store_threads(background=True) as pool:
        assert pool.submit(_nice).result() == min(19, before + BACKGROUND_NICE)
    with store_threads() as pool:
        assert pool.submit(_nice).result() == before
    assert _nice() == before
