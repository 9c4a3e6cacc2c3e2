"""The build: curated tables -> checked, streamed quads -> store and every export format, atomically.

The whole build is written into the next generation of the build folder and swapped in at once
(:mod:`kg_build.build.generation`), under the folder's lock (:mod:`kg_build.build.lock`).

The graph is never held in an rdflib graph on the way: the builder streams N-Quads lines into a
sorting sink (``kg_build.build.quads``), the sorted lines are written once and bulk-loaded into the
embedded Oxigraph store, the checks run on that store, and the exports are streamed from the
sorted file (``kg_build.build.writers``). The rule reasoner runs on the store too; only the guide-size
tools that need rdflib (HermiT, owlrl and the pySHACL engine) parse the graph into a ``Dataset``,
and only when they run.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kg_build import layout, memory
from kg_build.build import staging, store, writers
from kg_build.build.builder import build_dataset, build_quads
from kg_build.build.checks import check_terms
from kg_build.build.derived import derive
from kg_build.build.digest import sha256_file
from kg_build.build.generation import Generation, Swept, resolve_folder, sweep
from kg_build.build.layers import factcheck
from kg_build.build.lock import FolderLock, Holder
from kg_build.build.progress import Progress
from kg_build.build.quads import QuadSink, merge_files
from kg_build.curation import curated as curation
from kg_build.errors import FileSystemError, ValidationFailure
from kg_build.query import catalogue
from kg_build.rdf import formats as rdf_formats
from kg_build.resources import METADATA_FILE, ONTOLOGY_FILE, SHAPES_FILE
from kg_build.shacl import validation

if TYPE_CHECKING:
    from pyoxigraph import Store
    from rdflib import Dataset


DEFAULT_OUT = layout.DEFAULT_OUT
PARALLEL_EXPORT_MIN = 100_000
"""From this many quads the exports are written by a child process while the build validates
(below it, starting a process costs more than it saves)."""
MEMORY_CHECK_LIMIT = 2_000_000
"""Up to this many quads the rules, the reasoner and the validation run on an in-memory copy of
the graph (about 500 bytes a quad; the checks run several times faster than on the on-disk
store) and the on-disk store is written on a thread beside them; above it they run on the
on-disk store."""
INPUT_BYTES_PER_QUAD = 25
"""Above this many bytes of input tables per quad of :data:`MEMORY_CHECK_LIMIT`, the graph is
taken to be too large for the checks in memory from the start, and the in-memory store is not
loaded while the lines are made (it would be let go at the limit, having raised the peak). The
packaged tables give a quad per 17 bytes, the generated ones a quad per 8 (50 MB of them at
most, about 6 million quads: past 2 million lines the store is let go). Whatever this guesses, the
checks run on the same store: a graph that fits but was taken to be too large is loaded after the
sort instead."""


@dataclass
class BuildResult:
    """What a build produced: quads per named graph and the files written (name -> sha256)."""

    graphs: dict[str, int]
    out_dir: Path
    outputs: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    swept: Swept = field(default_factory=Swept)
    """What the build removed of interrupted builds' temporary files."""


def input_files(cur: curation.Curated) -> dict[str, Path]:
    """The inputs a build reads, keyed by a stable name (recorded with their sha256)."""
    files = {f"data/{p.name}": p for p in cur.files()}
    files["data/metadata.ttl"] = METADATA_FILE
    files["ontology/ntrk.ttl"] = ONTOLOGY_FILE
    files["ontology/shapes.ttl"] = SHAPES_FILE
    files.update({f"queries/{p.name}": p for p in catalogue.query_files()})
    return files


def add_rule_findings(ds: Dataset) -> None:
    """Add the findings the validation rules derive (a value outside its band) to the fact-check
    graph of ``ds`` (the rdflib path of :func:`assemble`; ``build`` runs the rules on its store)."""
    report = validation.validate(ds, use_shapes=validation.source_rules())
    factcheck.add_rule_findings(ds, factcheck.rule_results(report.results))


def assemble(data_dir: Path | None = None) -> tuple[curation.Curated, Dataset]:
    """Load and check the curated tables and build the graph, rule findings included, as an rdflib
    ``Dataset`` (for guide-size tools and tests; ``build`` streams instead)."""
    cur = curation.load(data_dir)
    ds = build_dataset(cur)
    add_rule_findings(ds)
    check_terms(ds)
    return cur, ds


def build(
    out_dir: Path = DEFAULT_OUT,
    formats: tuple[str, ...] = rdf_formats.NAMES,
    data_dir: Path | None = None,
    reason: bool | None = True,
    reasoner: str = "auto",
    with_store: bool = True,
    progress: Progress | None = None,
    wait: bool = False,
    on_wait: Callable[[Holder | None], None] | None = None,
) -> BuildResult:
    """Build the graph and write the chosen formats, the JSON-LD context and the manifest to ``out_dir``.

    With ``reason`` (``None`` means yes), a reasoner (``reasoner``: ``auto``, ``rules``, ``hermit`` or
    ``owlrl``, see ``kg_build.reasoning.engines``) checks consistency and adds the inferred-types
    graph; an inconsistent graph stops the build. The graph is then validated against the SHACL shapes: a violation stops
    the build; warnings (doubts about the source) are returned and kept in the manifest.
    With ``with_store``, also write the embedded Oxigraph store to ``out_dir/store/``.

    The build holds the folder's lock throughout (another writer raises ``FolderLocked``, or
    with ``wait`` is waited for, ``on_wait`` told who holds it), removes what interrupted builds
    left (:attr:`BuildResult.swept`), writes the new build into a folder beside ``out_dir`` and
    swaps it in as a whole (:mod:`kg_build.build.generation`): a failed or killed build leaves
    ``out_dir`` as it was. An ``OSError`` becomes a ``FileSystemError`` naming ``out_dir``.
    ``progress`` times the stages (and shows them on a terminal).
    """
    progress = progress or Progress(show=False)
    folder = _folder(out_dir)
    with progress.stage("read"), memory.no_cyclic_gc():
        cur = curation.load(data_dir)
    made = _make_parents(folder, out_dir)
    lock = FolderLock(folder.parent / layout.lock_name(folder.name), out_dir, "build", wait, on_wait)
    try:
        lock.acquire()
    except OSError as exc:
        _remove_made(made)
        raise FileSystemError.wrap(exc, out_dir, "cannot write the new build") from exc
    try:
        try:
            swept = sweep(folder)
            gen = Generation(folder)
            try:
                # Handed over in a list that _write empties: the tables are let go before the load.
                tables = [cur]
                del cur
                result = _write(gen, tables, tuple(formats), reason, reasoner, with_store, progress)
                with progress.stage("write"):
                    gen.commit(owned=_owned_names())
            except BaseException:
                gen.discard()
                raise
        finally:
            lock.release()
    except OSError as exc:
        _remove_made(made)
        raise FileSystemError.wrap(exc, out_dir, "cannot write the new build") from exc
    except BaseException:
        _remove_made(made)
        raise
    progress.finish()
    result.out_dir, result.swept = out_dir, swept
    return result


def _owned_names() -> list[str]:
    """Every name a build writes in its folder (all else there is carried to the next build)."""
    return [*staging.export_file_names(), layout.STORE_DIR, layout.WORK_DIR]


def _folder(out_dir: Path) -> Path:
    """The build folder's real path; a file in its place (or in a parent's) is a ``FileSystemError``."""
    import errno

    folder = resolve_folder(out_dir)
    for path in (folder, *folder.parents):
        if path.exists() and not path.is_dir():
            where = out_dir if path == folder else path
            raise FileSystemError.wrap(OSError(errno.ENOTDIR, "Not a directory", str(where)))
    return folder


def _make_parents(folder: Path, out_dir: Path) -> list[Path]:
    """Create the folders above the build folder that are missing; returns those it made."""
    missing = [p for p in (folder.parent, *folder.parent.parents) if not p.exists()]
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FileSystemError.wrap(exc, out_dir, "cannot write the new build") from exc
    return missing


def _remove_made(made: list[Path]) -> None:
    """Remove the folders a failed build made above the build folder (nearest first)."""
    for path in made:
        try:
            path.rmdir()
        except OSError:
            return


def _write(
    gen: Generation, tables: list[curation.Curated], formats: tuple[str, ...], reason: bool | None, reasoner: str,
    with_store: bool, progress: Progress,
) -> BuildResult:
    """Write the whole build into the generation folder ``gen`` (not yet visible), from the curated
    tables in ``tables`` (taken out of the list, so that nothing holds them once they are read)."""
    work = gen.path(layout.WORK_DIR)
    work.mkdir()
    cur = tables.pop()
    # The store the checks run on when the graph is small enough to hold in memory is loaded on a
    # thread while the lines are made and sorted (let go once they are too many).
    early = store.MemoryLoader(MEMORY_CHECK_LIMIT) if _may_fit_in_memory(cur) else None
    staged_store: store.StagedStore | None = None
    job: writers.ExportJob | None = None
    loader: store.BackgroundStore | None = None
    try:
        with progress.stage("build"), memory.no_cyclic_gc():
            sink = build_quads(cur, QuadSink(tmp_dir=work, tap=early.add if early is not None else None))
            # What the manifest needs of the tables, so that they can be let go before the load.
            small = _small_outputs(cur, formats)
            inputs = {name: sha256_file(path) for name, path in input_files(cur).items()}
            del cur
        base = work / "base.nq"
        with progress.stage("sort", total=sink.added):
            quads = 0
            with open(base, "w", encoding="utf-8", newline="\n") as fh:
                for line in sink.sorted_lines():
                    fh.write(line)
                    quads += 1
                    if not quads & 0xFFFF:
                        progress.advance(0x10000)
            del sink
            memory.release()
        in_memory = quads <= MEMORY_CHECK_LIMIT
        # Below MEMORY_CHECK_LIMIT the checks run on an in-memory copy and the on-disk store is
        # written on a thread meanwhile, from the same file (the rules, in Python, leave a core to
        # it); the lines the rules and the reasoner add are handed to it once known.
        loader = store.BackgroundStore(gen.path(layout.STORE_DIR), base) if in_memory and with_store else None
        with progress.stage("load", total=quads):
            if in_memory:
                loaded = early.result() if early is not None else None
                checked = loaded if loaded is not None else store.memory_store(base)
            else:
                if early is not None:
                    early.cancel()
                staged_store = store.StagedStore(gen.path(layout.STORE_DIR), path=base, on_chunk=progress.advance)
                assert staged_store.store is not None
                checked = staged_store.store
        derived = derive(checked, base, work, reason is not False, reasoner, progress, quads, in_memory,
                         loader.add if loader is not None else None)
        added, notes, extra = derived.added, derived.notes, derived.extra
        del derived
        if loader is not None:
            loader.finish([iter(added.inferred)])
        lines_added = added.lines
        final = gen.path(layout.NQUADS_FILE)
        parts = added.files(base, work)
        del added
        formats = tuple(dict.fromkeys(("nquads", *formats)))
        paths = {writers.file_name(fmt): gen.path(writers.file_name(fmt)) for fmt in formats}
        total = quads + lines_added
        # Above PARALLEL_EXPORT_MIN quads a child process merges the added lines into the N-Quads
        # file and writes the exports while this one validates (the graph is final once the rules
        # and the reasoner have run).
        if total >= PARALLEL_EXPORT_MIN:
            job = writers.ExportJob(parts, final, formats, paths)
        else:
            with progress.stage("merge"):
                total = merge_files(parts, final)
        # The exports' process ends last unless it has a core to itself: the validation takes the rest.
        warnings, extra["validation"] = _validate(checked, progress, background=job is not None, in_memory=in_memory)
        warnings = notes + warnings
        del checked
        if staged_store is not None:
            if with_store:
                staged_store.close()
            else:
                staged_store.discard()
        if job is not None:
            with progress.stage("exports"):
                graphs, union, digests, timings, progress.beside_peak = job.result()
            progress.beside.extend(timings)
        else:
            graphs, union = writers.write_exports(final, formats, paths, progress, total)
            digests = {}
        if loader is not None:
            with progress.stage("store"):
                loader.join()
    except BaseException:
        if early is not None:
            early.cancel()
        if job is not None:
            job.cancel()
        if staged_store is not None:
            staged_store.discard()
        if loader is not None:
            loader.cancel()  # the first error is the one to report; the generation is discarded
        raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    with progress.stage("manifest"):
        for name, data in small.items():
            gen.path(name).write_bytes(data)
            paths[name] = gen.path(name)
        digests = {name: digests.get(name) or sha256_file(path) for name, path in sorted(paths.items())}
        gen.path(layout.MANIFEST_FILE).write_bytes(staging.manifest(graphs, union, inputs, digests, extra))
    return BuildResult(graphs, gen.dir, digests, warnings)


def _may_fit_in_memory(cur: curation.Curated) -> bool:
    """Whether the tables of ``cur`` are few enough for the graph to be checked in memory
    (:data:`INPUT_BYTES_PER_QUAD`); an error reading their size answers no."""
    try:
        size = sum(path.stat().st_size for path in cur.files())
    except OSError:
        return False
    return size <= INPUT_BYTES_PER_QUAD * MEMORY_CHECK_LIMIT


def _validate(
    st: Store, progress: Progress, background: bool = False, in_memory: bool = False
) -> tuple[list[str], dict[str, object]]:
    """Validate the store against the shapes: stop on a violation; the warnings and what the
    manifest records of the validation. With ``background`` (the exports are being written by the
    second process meanwhile), its queries run at a lower priority than that process;
    ``in_memory`` says that the store is held in memory (more checks run merged there)."""
    from kg_build.shacl.oxigraph import checks_for, validate_store

    with progress.stage("validate", total=len(checks_for(validation.load_shapes()))):
        report = validate_store(st, triples=0, on_check=progress.advance, background=background,
                                in_memory=in_memory)
        if report.violations:
            from dataclasses import replace

            from kg_build.shacl.oxigraph import count_triples

            _stop_unless_conforms(replace(report, triples=count_triples(st)))
    return [r.line() for r in report.warnings], validation_summary(report)


def _small_outputs(cur: curation.Curated, formats: tuple[str, ...]) -> dict[str, bytes]:
    """The JSON-LD context, the SSSOM mapping set and the full ontology, written beside the graph."""
    import json

    from kg_build.build import sssom

    out: dict[str, bytes] = {}
    if "jsonld" in formats:
        ctx = json.dumps(staging.jsonld_context(), indent=1, sort_keys=True) + "\n"
        out[layout.CONTEXT_FILE] = ctx.encode("utf-8")
    out[layout.SSSOM_FILE] = sssom.render(sssom.all_rows(cur))
    out[layout.ONTOLOGY_FILE] = ONTOLOGY_FILE.read_bytes()
    return out


def _stop_unless_conforms(report: validation.Report) -> None:
    """Stop the build on a violation (warnings and infos are doubts about the source: kept, not fatal)."""
    if report.violations:
        raise ValidationFailure(
            "the graph does not conform to its SHACL shapes (ontology/shapes.ttl); nothing was written.\n"
            + report.text().rstrip("\n")
        )


def validation_summary(report: validation.Report) -> dict[str, object]:
    """What the manifest records of the validation: the verdict and every warning, sorted."""
    return {
        "shapes": "ontology/shapes.ttl",
        "conforms": report.conforms,
        "violations": len(report.violations),
        "warnings": [r.as_dict() for r in report.warnings],
    }
