"""The embedded store: a persisted Oxigraph (pyoxigraph) database of the build, named graphs kept.

``ntrk-kg build`` writes it to ``build/store/`` beside the export files, so queries answer
without re-parsing them. The store is written into a temporary directory next to the final one
and swapped into place only once it is complete and closed, so a failed build leaves the
previous store as it was.
"""

from __future__ import annotations

import os
import shutil
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING

from kg_build.layout import BuildLayout

if TYPE_CHECKING:
    from collections.abc import Callable

    from pyoxigraph import Store

LOAD_CHUNK_LINES = 250_000
"""N-Quads lines per bulk load: Oxigraph's bulk loader holds a whole batch in memory, so a large
build is loaded in slices of this size to keep the build's peak memory flat as the graph grows
(about 300 MiB, against 2.6 GiB for 10^7 quads in one load)."""


class StagedStore:
    """A complete store written into a temporary directory, waiting to be swapped into place.

    The store is bulk-loaded from N-Quads (``nquads`` bytes or a file at ``path``, in slices, each
    reported to ``on_chunk`` with its number of lines) and stays open
    as :attr:`store` (the build checks and extends it) until :meth:`close` or :meth:`commit`.
    """

    def __init__(
        self, out_dir: Path, nquads: bytes | None = None, path: Path | None = None,
        on_chunk: Callable[[int], None] | None = None,
    ) -> None:
        from pyoxigraph import RdfFormat, Store

        out_dir.mkdir(parents=True, exist_ok=True)
        self.final = BuildLayout(out_dir).store
        self.tmp = out_dir / f".{self.final.name}.tmp-{os.getpid()}"
        shutil.rmtree(self.tmp, ignore_errors=True)
        self.store: Store | None = None
        try:
            self.store = Store(str(self.tmp))
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

    def commit(self) -> Path:
        """Swap the staged store into place; the previous store is removed only afterwards."""
        self.close()
        old = self.final.parent / f".{self.final.name}.old-{os.getpid()}"
        shutil.rmtree(old, ignore_errors=True)
        if self.final.exists():
            os.replace(self.final, old)
        try:
            os.replace(self.tmp, self.final)
        except BaseException:
            if old.exists():
                os.replace(old, self.final)  # put the previous store back
            self.discard()
            raise
        shutil.rmtree(old, ignore_errors=True)
        return self.final

    def discard(self) -> None:
        """Remove the staged store (the build failed after it was written)."""
        self.store = None
        shutil.rmtree(self.tmp, ignore_errors=True)
