"""Stage timings and a progress line for long builds.

A :class:`Progress` times each stage of a build. On a terminal it redraws one status line on
standard error (the stage, and how far it is when the stage reports counts); otherwise it is
silent. With ``profile`` it prints the time of every stage once the build ends, with the process's
peak resident memory so far at the end of each stage (so the stage that raised the peak shows).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO


class Progress:
    """Times the stages of a run; shows a status line on a terminal; prints a profile on request."""

    def __init__(self, stream: TextIO | None = None, show: bool | None = None, profile: bool = False) -> None:
        self.stream = stream or sys.stderr
        self.show = self.stream.isatty() if show is None else show
        self.profile = profile
        self.timings: list[tuple[str, float]] = []
        self.peaks: list[float] = []
        """The process's peak resident memory (MiB) at the end of each stage of :attr:`timings`."""
        self.threaded: list[tuple[str, float, str]] = []
        """Stages run on a thread beside one of :attr:`timings` (name, seconds, that stage's name):
        not part of the total."""
        self.beside: list[tuple[str, float]] = []
        """Stages run by another process at the same time as these (not part of the total)."""
        self.beside_peak = 0.0
        """That process's peak resident memory (MiB)."""
        self._stage = ""
        self._total: int | None = None
        self._done = 0
        self._last = 0.0

    @contextmanager
    def stage(self, name: str, total: int | None = None) -> Iterator[Progress]:
        """Time the block as stage ``name``; ``total`` is how many items it will :meth:`advance`."""
        self._stage, self._total, self._done = name, total, 0
        self._draw(force=True)
        start = time.perf_counter()
        try:
            yield self
        finally:
            self.timings.append((name, time.perf_counter() - start))
            self.peaks.append(peak_rss_mib())
            if self.show:
                self.stream.write("\r\033[K")
                self.stream.flush()

    @contextmanager
    def on_thread(self, name: str) -> Iterator[None]:
        """Time the block, run on a thread beside the current stage, as stage ``name`` (listed
        after that stage, not part of the total)."""
        host, start = self._stage, time.perf_counter()
        try:
            yield
        finally:
            self.threaded.append((name, time.perf_counter() - start, host))

    def stage_times(self) -> dict[str, float]:
        """Every stage's time, in order: each stage of this process followed by those run on a
        thread beside it, then the stages of the other process."""
        times: dict[str, float] = {}
        for name, seconds in self.timings:
            times[name] = seconds
            times.update((n, s) for n, s, host in self.threaded if host == name)
        return {**times, **dict(self.beside)}

    def advance(self, n: int = 1) -> None:
        """Count ``n`` more items done in the current stage."""
        self._done += n
        if self.show:
            self._draw()

    def _draw(self, force: bool = False) -> None:
        if not self.show:
            return
        now = time.monotonic()
        if not force and now - self._last < 0.1:
            return
        self._last = now
        if self._total:
            frac = min(1.0, self._done / self._total)
            bar = "#" * int(frac * 30)
            line = f"{self._stage:<10} [{bar:<30}] {frac:4.0%} {self._done:,}/{self._total:,}"
        elif self._done:
            line = f"{self._stage:<10} {self._done:,}"
        else:
            line = f"{self._stage} ..."
        self.stream.write("\r\033[K" + line)
        self.stream.flush()

    def report(self) -> str:
        """Each stage's time and the peak memory after it, one per line, and the total."""
        width = max([len(n) for n, _ in self.timings + self.beside] + [len(n) for n, _, _ in self.threaded] + [5])
        lines = []
        for (n, s), m in zip(self.timings, self.peaks, strict=True):
            lines.append(f"  {n:<{width}}  {s:8.3f} s  {m:7,.0f} MiB")
            lines.extend(f"  {t:<{width}}  {ts:8.3f} s  on a thread, beside {n} (not in the total)"
                         for t, ts, host in self.threaded if host == n)
        lines.append(f"  {'total':<{width}}  {sum(s for _, s in self.timings):8.3f} s")
        if self.beside:
            lines.append(f"in a second process, beside validate (peak {self.beside_peak:,.0f} MiB):")
            lines.extend(f"  {n:<{width}}  {s:8.3f} s" for n, s in self.beside)
        return "stage timings (and the peak resident memory so far):\n" + "\n".join(lines) + "\n"

    def finish(self) -> None:
        """Print the stage timings if profiling was asked for."""
        if self.profile:
            self.stream.write(self.report())
            self.stream.flush()


def peak_rss_mib() -> float:
    """This process's peak resident memory so far, in MiB (0 where unknown).

    Linux's ``VmHWM``, which starts afresh in a process started by ``spawn`` (``ru_maxrss`` keeps
    the parent's peak across ``exec``); ``ru_maxrss`` elsewhere.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    try:
        import resource
    except ImportError:  # not POSIX
        return 0.0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024  # bytes on macOS, KiB elsewhere
