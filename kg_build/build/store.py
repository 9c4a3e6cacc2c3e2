"""The embedded store: a persisted Oxigraph (pyoxigraph) database of the build, named graphs kept.

``ntrk-kg build`` writes it to ``build/store/`` beside the export files, so queries answer
without re-parsing them. It is written with the rest of the build into the folder's next
generation and swapped in with it (:mod:`kg_build.build.generation`), so a failed build leaves
the previous store as it was.
"""

from __future__ import annotations

import shutil
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator
    from typing import BinaryIO

    from pyoxigraph import Store

LOAD_CHUNK_LINES = 250_000
"""N-Quads lines per bulk load: Oxigraph's bulk loader holds a whole batch in memory, so a large
build is loaded in slices of this size to keep the build's peak memory flat as the graph grows
(about 300 MiB, against 2.6 GiB for 10^7 quads in one load)."""


class StagedStore:
    """A complete store written into the next generation of the build folder.

    The store is bulk-loaded into ``directory`` from N-Quads (``nquads`` bytes or a file at
    ``path``, in slices, each reported to ``on_chunk`` with its number of lines) and stays open as
    :attr:`store` (the build checks and extends it) until :meth:`close`. It becomes visible with
    the rest of the build, when the generation is swapped in (:mod:`kg_build.build.generation`).
    """

    def __init__(
        self, directory: Path, nquads: bytes | None = None, path: Path | None = None,
        on_chunk: Callable[[int], None] | None = None,
    ) -> None:
        from pyoxigraph import RdfFormat, Store

        self.directory = directory
        self.store: Store | None = None
        try:
            self.store = Store(str(directory))
            if path is not None:
                with open(path, "rb") as fh:
                    load_slices(self.store, fh, on_chunk)
                # Each slice is a set of overlapping files: compact them before anything reads.
                self.store.optimize()
            else:
                self.store.bulk_load(nquads or b"", format=RdfFormat.N_QUADS)
        except BaseException:
            self.discard()
            raise

    def close(self) -> None:
        """Flush, compact and close the store (it holds a lock on its directory while open)."""
        if self.store is not None:
            self.store.flush()
            self.store.optimize()
            self.store = None

    def discard(self) -> None:
        """Close and remove the store (the build failed, or wants no store)."""
        self.store = None
        shutil.rmtree(self.directory, ignore_errors=True)


def load_slices(
    st: Store, lines: Iterable[bytes] | Iterable[str], on_chunk: Callable[[int], None] | None = None,
    lenient: bool = False,
) -> None:
    """Bulk-load N-Quads ``lines`` (an open binary file, or lines of text) into ``st``,
    :data:`LOAD_CHUNK_LINES` at a time (each slice reported to ``on_chunk``): a bulk load holds its
    whole input in memory. ``lenient`` skips the IRI checks (for lines already parsed strictly)."""
    from pyoxigraph import RdfFormat

    it = iter(lines)
    while chunk := list(islice(it, LOAD_CHUNK_LINES)):
        data = chunk[0][:0].join(chunk)  # type: ignore[attr-defined]
        st.bulk_load(data.encode("utf-8") if isinstance(data, str) else data, format=RdfFormat.N_QUADS,
                     lenient=lenient)
        if on_chunk is not None:
            on_chunk(len(chunk))


class MemoryLoader:
    """An in-memory store loaded on a thread while the build makes its lines.

    :meth:`add` (a :class:`~kg_build.build.quads.QuadSink`'s tap) hands over lines in the order the
    builder makes them; the thread parses them strictly (the IRI checks included) and adds them, in
    native code without the interpreter lock, so the load runs beside the builder's Python (at 10^6
    quads the load is then done when the sort is). The store ignores duplicates and order: it
    ends holding the quads of the sorted file. Once more than ``limit`` lines have come, the build
    will check on the on-disk store: the thread stops and the store is let go, so memory stays
    bounded. :meth:`result` waits for the thread and gives the store (``None`` if let go) or raises
    what the thread raised; :meth:`cancel` (the build failed) stops it.
    """

    def __init__(self, limit: int) -> None:
        import queue
        import threading

        from pyoxigraph import Store

        self.limit = limit
        self.lines = 0
        self.error: BaseException | None = None
        self._store: Store | None = Store()
        self._more: queue.Queue[list[str] | None] = queue.Queue(maxsize=8)
        self._stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, name="ntrk-kg memory load", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        from pyoxigraph import RdfFormat

        while (lines := self._more.get()) is not None:
            if self._stopped.is_set() or self.error is not None or self._store is None:
                continue
            try:
                self._store.load("".join(lines).encode("utf-8"), format=RdfFormat.N_QUADS)
            except BaseException as exc:  # handed to the thread that asks for the result
                self.error = exc
        if self._stopped.is_set():
            self._store = None

    def add(self, lines: list[str]) -> None:
        """Hand over ``lines`` (N-Quads, each ending in a newline) to load."""
        if self._stopped.is_set():
            return
        self.lines += len(lines)
        if self.lines > self.limit:
            self.cancel()
            return
        self._more.put(lines)

    def result(self) -> Store | None:
        """The store holding every line handed over (``None`` once more than ``limit`` came, or
        after :meth:`cancel`); raise what the loading thread raised."""
        if not self._stopped.is_set():
            self._more.put(None)
        self.thread.join()
        if self.error is not None:
            raise self.error
        store, self._store = self._store, None
        return store

    def cancel(self) -> None:
        """Stop loading and let the store go."""
        if not self._stopped.is_set():
            self._stopped.set()
            self._more.put(None)
        self.thread.join()
        self._store = None


class BackgroundStore:
    """A :class:`StagedStore` written on a thread while the build goes on: bulk-loaded from the
    N-Quads file at ``path`` from the start (native code, without the interpreter lock), then
    extended with the lines the build adds to that file as :meth:`add` hands them over, and closed
    once :meth:`finish` has handed over the last.

    Every line it is given has already been parsed strictly into the store the build checks, so it
    reads them leniently (without the IRI checks). :meth:`join` waits for it and raises what it
    raised; :meth:`cancel` (the build failed) stops it before the lines not yet loaded and removes
    the store.
    """

    def __init__(self, directory: Path, path: Path) -> None:
        import queue
        import threading

        self.error: BaseException | None = None
        self._more: queue.Queue[Iterator[str] | None] = queue.Queue()  # runs to add, then None
        self._cancelled = threading.Event()
        fh = open(path, "rb")  # opened here: the caller may rename the file once this returns
        self.thread = threading.Thread(target=self._run, args=(directory, fh), name="ntrk-kg store load")
        self.thread.start()

    def _run(self, directory: Path, fh: BinaryIO) -> None:
        try:
            with fh:
                staged = StagedStore(directory)
                assert staged.store is not None
                try:
                    load_slices(staged.store, fh, lenient=True)  # compacted once, at the close
                except BaseException:
                    staged.discard()
                    raise
            while (run := self._more.get()) is not None and not self._cancelled.is_set():
                load_slices(staged.store, run, lenient=True)
            if self._cancelled.is_set():
                staged.discard()
                return
            staged.close()
        except BaseException as exc:  # handed to the thread that joins
            self.error = exc

    def add(self, run: Iterator[str]) -> None:
        """Hand over a sorted run of lines to add (read once, on the loading thread); raise at once
        what the thread raised if it has already stopped."""
        if not self.thread.is_alive() and self.error is not None:
            raise self.error
        self._more.put(run)

    def finish(self, runs: list[Iterator[str]]) -> None:
        """Hand over the last runs of lines to add (see :meth:`add`); the store is then closed."""
        for run in runs:
            self.add(run)
        self._more.put(None)

    def join(self) -> None:
        """Wait for the store to be complete and closed; raise what its thread raised."""
        self.thread.join()
        if self.error is not None:
            raise self.error

    def cancel(self) -> None:
        """Stop before the lines not yet loaded and remove the store (waits for a bulk load under way)."""
        self._cancelled.set()
        self._more.put(None)
        self.thread.join()


def memory_store(path: Path) -> Store:
    """An in-memory store bulk-loaded from the N-Quads file at ``path`` (for the build's checks)."""
    from pyoxigraph import RdfFormat, Store

    st = Store()
    st.bulk_load(path=str(path), format=RdfFormat.N_QUADS)
    return st
