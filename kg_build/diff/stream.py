"""Walk two sorted N-Quads files side by side, one subject at a time, in memory of one subject.

A build writes its quads as N-Quads lines sorted by their text, so every line of one subject sits
in one run of lines (``<s> `` is a prefix of them all, and strings sharing a prefix are
contiguous in sorted order), and the runs of both files come in the same order. The walk reads
one subject's lines from each side, compares the two runs as text and hands over only the
subjects whose lines differ; it counts the quads of each named graph on the way. Memory holds the
lines of one subject, whatever the size of the files.
"""

from __future__ import annotations

import hashlib
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kg_build.errors import UsageError


@dataclass
class Run:
    """The lines of one subject on one side, in file order, and the number of the first."""

    lines: list[bytes]
    first_line: int


@dataclass
class Block:
    """A subject whose lines differ between the two sides (either run may be empty)."""

    subject: bytes
    old: Run
    new: Run


@dataclass
class Counts:
    """Distinct quads per named graph on one side (the graph's IRI, ``""`` for the default graph)."""

    graphs: Counter[str] = field(default_factory=Counter)


class _Side:
    """One sorted N-Quads file read as runs of lines of one subject."""

    def __init__(self, path: Path, counts: Counts) -> None:
        self.path = path
        self.counts = counts.graphs
        try:
            self._fh = open(path, "rb")
        except OSError as exc:
            raise UsageError(f"{path}: cannot be read: {exc.strerror or exc}") from None
        self._lines = iter(self._fh)
        self._lineno = 0
        self._graphs: dict[bytes, str] = {}  # b" <graph> .\n" -> graph IRI
        self._prev = b""
        self.pending: bytes | None = None
        self.pending_lineno = 0
        self._advance([])

    def close(self) -> None:
        self._fh.close()

    def _advance(self, lines: list[bytes]) -> None:
        """Read the rest of the pending subject's lines into ``lines`` and the next subject's first
        line into ``pending``; skip repeated lines, check the order, count each graph's quads."""
        prefix = self.pending[: self.pending.find(b" ") + 1] if self.pending is not None else None
        prev, counts, graphs, lineno = self._prev, self.counts, self._graphs, self._lineno
        self.pending = None
        try:
            for line in self._lines:
                lineno += 1
                if line == prev:
                    continue
                if line < prev:
                    raise UsageError(
                        f"{self.path}:{lineno}: the N-Quads lines are not sorted (this line sorts before "
                        "the one above it); the diff reads the sorted files a build writes. Sort another "
                        "file with 'LC_ALL=C sort -u FILE'."
                    )
                prev = line
                at = line.rfind(b" <")
                graph = graphs.get(line[at:]) if at > 0 else None
                if graph is not None and line.count(b" ", 0, at) >= 2:
                    counts[graph] += 1
                else:
                    counts[self._graph_of(line, lineno)] += 1
                if prefix is not None and line.startswith(prefix):
                    lines.append(line)
                else:
                    self.pending, self.pending_lineno = line, lineno
                    break
        except OSError as exc:
            raise UsageError(f"{self.path}: cannot be read: {exc.strerror or exc}") from None
        self._prev, self._lineno = prev, lineno
        if self.pending is not None and not self.pending.endswith(b"\n"):
            self.pending += b"\n"
        if lines and not lines[-1].endswith(b"\n"):
            lines[-1] += b"\n"

    def _graph_of(self, line: bytes, lineno: int) -> str:
        """The graph of a line the fast path did not recognise (``""`` for the default graph)."""
        body = line.rstrip()
        if not body.endswith(b"."):
            raise UsageError(f"{self.path}:{lineno}: not an N-Quads line (it does not end with ' .')")
        body = body[:-1].rstrip()
        if body.endswith(b">"):
            start = body.rfind(b" <")
            # A graph name follows the object only when three terms come before it. The last
            # " <...>" of a valid line is never inside a literal: a literal ends with its quote,
            # a language tag, or a datatype written right after "^^".
            if start > 0 and body.count(b" ", 0, start) >= 2:
                graph = body[start + 2 : -1].decode("utf-8", "replace")
                if line.endswith(b"> .\n"):
                    self._graphs[line[line.rfind(b" <") :]] = graph
                return graph
        return ""

    def run(self) -> Run:
        """The lines of the next subject (the caller checks ``pending`` first)."""
        line = self.pending
        assert line is not None
        if line.startswith(b"_:") or line.find(b" ") <= 0:
            what = "a blank node" if line.startswith(b"_:") else "missing"
            raise UsageError(
                f"{self.path}:{self.pending_lineno}: the subject is {what}; the diff compares graphs whose "
                "every node has an IRI, as the build writes them"
            )
        first = self.pending_lineno
        lines = [line]
        self._advance(lines)
        return Run(lines, first)

    def subject(self) -> bytes | None:
        line = self.pending
        return None if line is None else line[: line.find(b" ")]


def blocks(old: Path, new: Path, old_counts: Counts, new_counts: Counts) -> Iterator[Block]:
    """The subjects whose lines differ between the sorted N-Quads files ``old`` and ``new``.

    Both files are read once, in step; ``old_counts`` and ``new_counts`` are filled with the quads
    of each named graph as the walk goes (complete once the iterator is exhausted).
    """
    a = _Side(old, old_counts)
    try:
        b = _Side(new, new_counts)
    except BaseException:
        a.close()
        raise
    empty = Run([], 0)
    try:
        while a.pending is not None or b.pending is not None:
            sa, sb = a.subject(), b.subject()
            if sb is None or (sa is not None and sa < sb):
                yield Block(sa, a.run(), empty)  # type: ignore[arg-type]
            elif sa is None or sb < sa:
                yield Block(sb, empty, b.run())
            else:
                ra, rb = a.run(), b.run()
                if ra.lines != rb.lines:
                    yield Block(sa, ra, rb)
    finally:
        a.close()
        b.close()


class Digest:
    """The sha256 of a file, computed in a thread beside the walk (hashlib releases the GIL)."""

    def __init__(self, path: Path) -> None:
        self._hash = hashlib.sha256()
        self._error: OSError | None = None
        self._thread = threading.Thread(target=self._run, args=(path,), daemon=True)
        self._thread.start()

    def _run(self, path: Path) -> None:
        try:
            with open(path, "rb") as fh:
                for chunk in iter(lambda: fh.read(1 << 22), b""):
                    self._hash.update(chunk)
        except OSError as exc:
            self._error = exc

    def hexdigest(self) -> str:
        self._thread.join()
        if self._error is not None:
            raise UsageError(f"{self._error.filename}: cannot be read: {self._error.strerror}")
        return self._hash.hexdigest()
