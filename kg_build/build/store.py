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
    from collections.abc import Callable

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
                    while lines := list(islice(fh, LOAD_CHUNK_LINES)):
                        self.store.bulk_load(b"".join(lines), format=RdfFormat.N_QUADS)
                        if on_chunk is not None:
                            on_chunk(len(lines))
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


def memory_store(path: Path) -> Store:
    """An in-memory store bulk-loaded from the N-Quads file at ``path`` (for the build's checks)."""
    from pyoxigraph import RdfFormat, Store

    st = Store()
    st.bulk_load(path=str(path), format=RdfFormat.N_QUADS)
    return st
