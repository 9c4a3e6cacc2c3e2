"""A sink for quads as N-Quads lines that sorts and de-duplicates them in bounded memory.

The builder writes every quad as one line of text (``kg_build.rdf.ntriples``). Lines are kept in
memory up to ``chunk_lines``; beyond that each full chunk is sorted, de-duplicated and spilled
to a temporary file, and the sorted runs are merged lazily at the end. The result is the
canonical order of the graph (lines sorted by their text: subject, predicate, object, graph), the
same whatever the order the quads were added in, so outputs are byte-identical across runs.
"""

from __future__ import annotations

import heapq
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

DEFAULT_CHUNK_LINES = 1_000_000
TAP_LINES = 100_000
"""Lines handed to a sink's tap at a time."""


class GraphWriter:
    """Adds triples to one named graph of a :class:`QuadSink`; terms are N-Triples text."""

    __slots__ = ("_sink", "_suffix")

    def __init__(self, sink: QuadSink, graph_iri: str) -> None:
        self._sink = sink
        self._suffix = f" <{graph_iri}> .\n"

    def add(self, s: str, p: str, o: str) -> None:
        """Add the triple ``s p o`` (each N-Triples text) to this graph."""
        sink = self._sink
        sink._lines.append(f"{s} {p} {o}{self._suffix}")
        if len(sink._lines) >= sink._mark:
            sink._reached()


class QuadSink:
    """Collects N-Quads lines; :meth:`sorted_lines` yields them sorted and de-duplicated."""

    def __init__(
        self, chunk_lines: int | None = None, tmp_dir: Path | None = None,
        tap: Callable[[list[str]], None] | None = None, tap_lines: int = TAP_LINES,
    ) -> None:
        self.chunk_lines = chunk_lines or DEFAULT_CHUNK_LINES
        self.tap = tap
        """Called with the lines added, in the order added, :data:`TAP_LINES` at a time (the rest
        at :meth:`flush_tap`), before they are sorted: the build loads them into its in-memory
        store meanwhile."""
        self._tap_lines = tap_lines
        self._tapped = 0  # lines of _lines already handed to the tap
        self._lines: list[str] = []
        self._runs: list[Path] = []
        self._spilled_lines = 0
        self._tmp = tmp_dir
        self._dir: tempfile.TemporaryDirectory[str] | None = None
        self._mark = self._next_mark()

    def _next_mark(self) -> int:
        """The length of ``_lines`` at which :meth:`_reached` is due: a tap or a spill."""
        return min(self.chunk_lines, self._tapped + self._tap_lines) if self.tap is not None else self.chunk_lines

    def _reached(self) -> None:
        if self.tap is not None and len(self._lines) > self._tapped:
            self.flush_tap()
        if len(self._lines) >= self.chunk_lines:
            self._spill()
        self._mark = self._next_mark()

    def flush_tap(self) -> None:
        """Hand the lines not yet handed to :attr:`tap` (if any) to it."""
        if self.tap is not None and len(self._lines) > self._tapped:
            self.tap(self._lines[self._tapped :])
            self._tapped = len(self._lines)

    def graph(self, graph_iri: str) -> GraphWriter:
        """A writer for the named graph ``graph_iri`` (an IRI, not N-Triples text)."""
        return GraphWriter(self, graph_iri)

    def add_lines(self, lines: Iterable[str]) -> None:
        """Add ready-made N-Quads lines (each ending in a newline)."""
        for line in lines:
            self._lines.append(line)
            if len(self._lines) >= self._mark:
                self._reached()

    def _spill(self) -> None:
        if self._dir is None:
            self._dir = tempfile.TemporaryDirectory(prefix="ntrk-kg-quads-", dir=self._tmp)
        path = Path(self._dir.name) / f"run-{len(self._runs):05d}.nq"
        with open(path, "w", encoding="utf-8", newline="\n") as fh:
            fh.writelines(_unique(sorted(self._lines)))
        self._runs.append(path)
        self._spilled_lines += len(self._lines)
        self._lines = []
        self._tapped = 0

    @property
    def added(self) -> int:
        """How many lines were added so far (duplicates included)."""
        return self._spilled_lines + len(self._lines)

    @property
    def spilled_runs(self) -> int:
        """How many sorted runs went to disk (0: everything stayed in memory)."""
        return len(self._runs)

    def sorted_lines(self) -> Iterator[str]:
        """Every line added, sorted and without duplicates; the sink is empty afterwards (the lines
        not yet handed to :attr:`tap` are handed to it first)."""
        self.flush_tap()
        self._lines.sort()
        if not self._runs:
            lines, self._lines = self._lines, []
            yield from _unique(lines)
            return
        files = [open(p, encoding="utf-8", newline="\n") for p in self._runs]
        try:
            last = self._lines
            self._lines = []
            yield from _unique(heapq.merge(*files, iter(last)))
        finally:
            for fh in files:
                fh.close()
            self.close()

    def close(self) -> None:
        """Remove the spilled runs."""
        if self._dir is not None:
            self._dir.cleanup()
            self._dir = None
        self._runs = []


def _unique(lines: Iterable[str]) -> Iterator[str]:
    """Drop adjacent duplicates of sorted lines."""
    prev = None
    for line in lines:
        if line != prev:
            yield line
            prev = line


def merge_sorted(*runs: Iterable[str]) -> Iterator[str]:
    """Merge sorted runs of lines into one sorted run without duplicates."""
    return _unique(heapq.merge(*runs))


def graph_of(line: str) -> str:
    """The graph IRI of an N-Quads line written by a :class:`GraphWriter` (``<...>`` text).

    >>> graph_of('<a> <b> "c d" <https://w3id.org/ntrk-kg/graph/guide> .\\n')
    '<https://w3id.org/ntrk-kg/graph/guide>'
    """
    end = line.rindex(">")
    return line[line.rindex(" <", 0, end) + 1 : end + 1]


def triple_of(line: str) -> str:
    """The N-Triples line of an N-Quads line (its graph dropped).

    >>> triple_of('<a> <b> "c" <g> .\\n')
    '<a> <b> "c" .\\n'
    """
    end = line.rindex(">")
    return line[: line.rindex(" <", 0, end)] + " .\n"


def path_lines(path: os.PathLike[str] | str) -> Iterator[str]:
    """The lines of a text file, streamed."""
    with open(path, encoding="utf-8", newline="\n") as fh:
        yield from fh


def merge_files(parts: list[Path], out: Path) -> int:
    """Merge the sorted N-Quads files ``parts`` into ``out`` (sorted, without duplicates) and
    return its number of lines; a single part is moved there as it is."""
    if len(parts) == 1:
        os.replace(parts[0], out)
        with open(out, "rb") as fh:
            return sum(block.count(b"\n") for block in iter(lambda: fh.read(1 << 20), b""))
    count = 0
    with open(out, "w", encoding="utf-8", newline="\n") as fh:
        for line in merge_sorted(*map(path_lines, parts)):
            fh.write(line)
            count += 1
    return count
