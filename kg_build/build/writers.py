"""Write the sorted quads of a build to every export format, streaming, into staged files.

The input is the build's N-Quads file, sorted by line (subject, predicate, object, graph) and
without duplicates, every line of it already parsed strictly when it was loaded into the store the
build checks. One pass writes the N-Triples (the union graph: lines with their graph
dropped, duplicates merged) and, when a graph-major format is asked for, one run per named graph.
The Turtle, RDF/XML, TriG and JSON-LD writers are pyoxigraph's, fed in that order, so every
file is a function of the graph alone: byte-identical across rebuilds, at any size, in bounded
memory.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox

from kg_build import layout
from kg_build.build.digest import sha256_file
from kg_build.build.progress import Progress, peak_rss_mib
from kg_build.build.quads import merge_files
from kg_build.rdf import formats
from kg_build.rdf.prefixes import jsonld_context, namespaces


def file_name(fmt: str) -> str:
    """The file a build writes format ``fmt`` to (``ntrk-kg.ttl``...).

    >>> file_name("rdfxml")
    'ntrk-kg.rdf'
    """
    return layout.export_file(formats.suffix(fmt))


def file_names() -> list[str]:
    """The data files of every format, in the registry's order."""
    return [file_name(fmt) for fmt in formats.NAMES]



_TICK = 1 << 16
_TICK_MASK = _TICK - 1


# The files read here are the build's own lines, each already parsed strictly when it was loaded
# into the store the build checks: they are read again leniently (pyoxigraph skips the IRI
# checks, which are most of the reading; at 10^6 quads, 0.9 s against 1.7-2.2 s per pass).


def _triples(nt_path: Path) -> Iterator[ox.Quad]:
    """The triples of an N-Triples file (as quads of the default graph), read in native code."""
    return ox.parse(path=str(nt_path), format=ox.RdfFormat.N_TRIPLES, lenient=True)


def _quads(graph_files: list[Path]) -> Iterator[ox.Quad]:
    """The quads of the files in turn, read in native code."""
    return itertools.chain.from_iterable(ox.parse(path=str(p), format=ox.RdfFormat.N_QUADS, lenient=True)
                                         for p in graph_files)


def write_exports(
    nquads: Path, fmts: tuple[str, ...], staged: dict[str, Path], progress: Progress, total: int | None = None
) -> tuple[dict[str, int], int]:
    """Write each format of ``fmts`` from the sorted ``nquads`` file to ``staged[name]``; return
    the quads per named graph and the number of triples of the union graph.

    ``staged`` maps each format's file name to the temporary path to write (renamed into place
    by the caller). The N-Quads file itself is the caller's; ``total`` is its number of lines, if
    known (for the progress bar).
    """
    prefixes = dict(sorted(namespaces().items()))
    graph_major = [f for f in fmts if formats.holds_graphs(f) and f != "nquads"]
    union_needed = any(not formats.holds_graphs(f) for f in fmts)
    counts: dict[str, int] = {}
    union = 0
    work = Path(tempfile.mkdtemp(prefix=".ntrk-kg-export-", dir=nquads.parent))
    try:
        nt_path = staged[file_name("ntriples")] if "ntriples" in fmts else work / "union.nt"
        graph_files: dict[str, tuple[Path, object]] = {}
        with progress.stage("split", total):
            nt_out = open(nt_path, "w", encoding="utf-8", newline="\n") if union_needed else None
            try:
                # One pass, the loop kept tight (it runs once per quad): the graph is the last
                # "<...>" of the line, the triple what comes before it.
                prev, n = "", 0
                write_nt = nt_out.write if nt_out is not None else None
                with open(nquads, encoding="utf-8", newline="\n") as lines:
                    for line in lines:
                        n += 1
                        if not n & _TICK_MASK:
                            progress.advance(_TICK)
                        cut = line.rindex(" <", 0, -3)
                        triple = line[:cut]
                        if triple != prev:
                            union += 1
                            if write_nt is not None:
                                write_nt(triple + " .\n")
                            prev = triple
                        g = line[cut + 1 : -3]
                        counts[g] = counts.get(g, 0) + 1
                        if graph_major:
                            entry = graph_files.get(g)
                            if entry is None:
                                path = work / f"graph-{len(graph_files):03d}.nq"
                                entry = graph_files[g] = (path, open(path, "w", encoding="utf-8", newline="\n"))
                            entry[1].write(line)  # type: ignore[attr-defined]
            finally:
                if nt_out is not None:
                    nt_out.close()
                for _, fh in graph_files.values():
                    fh.close()  # type: ignore[attr-defined]
        by_graph = [graph_files[g][0] for g in sorted(graph_files)]
        for fmt in fmts:
            if fmt in ("nquads", "ntriples"):
                continue
            name = file_name(fmt)
            with progress.stage(fmt):
                ox_format = formats.FORMATS[fmt]
                with open(staged[name], "wb") as out:
                    if fmt == "jsonld":
                        context = json.dumps(jsonld_context()["@context"], indent=1, sort_keys=True, ensure_ascii=False)
                        out.write(b'{"@context": ' + context.encode("utf-8") + b',\n"@graph": ')
                        ox.serialize(_quads(by_graph), out, ox_format)
                        out.write(b"}\n")
                    elif formats.holds_graphs(fmt):
                        ox.serialize(_quads(by_graph), out, ox_format, prefixes=prefixes)
                    else:
                        ox.serialize(_triples(nt_path), out, ox_format, prefixes=prefixes)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {g[1:-1]: n for g, n in sorted(counts.items())}, union



class ExportJob:
    """The sorted N-Quads files ``parts`` merged into ``nquads``
    (:func:`~kg_build.build.quads.merge_files`), then :func:`write_exports` from it, in a child
    process: the merge and the exports (interpreted: pyoxigraph's serialisers fed quad by quad)
    run on one core while the build validates on the other.

    :meth:`result` waits for the child and returns what :func:`write_exports` returns, with the
    child's stage timings; an error in the child is raised again here. :meth:`cancel` stops it.
    The child dies with the build (``PR_SET_PDEATHSIG`` on Linux), so a killed build leaves no
    writer behind.
    """

    def __init__(
        self, parts: list[Path], nquads: Path, fmts: tuple[str, ...], staged: dict[str, Path]
    ) -> None:
        import multiprocessing

        ctx = multiprocessing.get_context("spawn")
        self._receive, send = ctx.Pipe(duplex=False)
        self._process = ctx.Process(target=_export_child, args=(send, parts, nquads, fmts, staged),
                                    name="ntrk-kg exports", daemon=True)
        self._process.start()
        send.close()

    def result(self) -> tuple[dict[str, int], int, dict[str, str], list[tuple[str, float]], float]:
        """The quads per named graph, the union's triples, the sha256 of every file of ``staged``
        (by name), the child's stage timings and its peak resident memory (MiB)."""
        try:
            outcome = self._receive.recv()
        except EOFError:
            self._process.join()
            raise OSError(f"the process writing the exports stopped (exit code {self._process.exitcode})") from None
        finally:
            self._receive.close()
        self._process.join()
        if isinstance(outcome, BaseException):
            raise outcome
        graphs, union, digests, timings, peak = outcome
        return graphs, union, digests, timings, peak

    def cancel(self) -> None:
        """Stop the child (the build failed elsewhere); what it wrote is the caller's to discard."""
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()
        self._receive.close()


def _export_child(
    send: object, parts: list[Path], nquads: Path, fmts: tuple[str, ...], staged: dict[str, Path]
) -> None:
    _die_with_parent()
    outcome: object
    try:
        progress = Progress(show=False)
        with progress.stage("merge"):
            total = merge_files(parts, nquads)
        graphs, union = write_exports(nquads, fmts, staged, progress, total)
        with progress.stage("digests"):
            digests = {name: sha256_file(path) for name, path in staged.items()}
        outcome = (graphs, union, digests, progress.timings, peak_rss_mib())
    except BaseException as exc:  # handed to the parent, which reports it
        outcome = exc if isinstance(exc, OSError) else OSError(f"writing the exports failed: {exc}")
    send.send(outcome)  # type: ignore[attr-defined]
    send.close()  # type: ignore[attr-defined]


def _die_with_parent() -> None:
    """Have the kernel kill this process when its parent dies (Linux; elsewhere nothing)."""
    import ctypes
    import signal

    try:
        ctypes.CDLL("libc.so.6").prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() == 1:  # the parent died before the call
        os._exit(1)
