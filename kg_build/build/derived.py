"""What the build derives on its loaded store: the findings of the source rules and the types the
reasoner infers, as the sorted lines they add to the graph (and to the store).

The source rules run first, on the graph as built. Their findings are made from their results
and from the guide graph alone (:class:`GuideReader`), in Python; the rule reasoner reads the
ontology, guide and curation graphs only (and a scratch graph of its own), in the store's native
code. So, when the reasoner reads the store alone (the rule reasoner, with no HermiT check: see
:func:`kg_build.reasoning.engines.reads_store_only`), it runs on a thread while the findings are
made, and both are added to the store at the end, in one load (on the on-disk store, followed by
one compaction). Otherwise it runs after the findings are added, as its own stage.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg_build import memory
from kg_build.build import store
from kg_build.build.layers import factcheck
from kg_build.build.progress import Progress
from kg_build.build.quads import QuadSink, merge_sorted, path_lines
from kg_build.rdf import iris
from kg_build.rdf.vocab import NTRK
from kg_build.resources import internal_query
from kg_build.shacl import validation

if TYPE_CHECKING:
    from pyoxigraph import Store
    from rdflib import Dataset

    from kg_build.reasoning.owl import Reasoning


RULE_BATCH = 5_000
"""Rule results turned into findings at a time: what the findings quote of the guide is read for
one batch, so that memory stays flat however many findings a large graph gives."""


@dataclass
class Added:
    """The lines the rules and the reasoner add to the graph: the findings (sorted, in a file of
    the work folder) and the inferred types (sorted)."""

    findings: Path | None = None
    inferred: list[str] = field(default_factory=list)
    lines: int = 0

    def runs(self) -> list[Iterator[str]]:
        """Each part as a sorted run of lines (read again from the start at each call)."""
        runs = [path_lines(self.findings)] if self.findings is not None else []
        return [*runs, iter(self.inferred)]

    def files(self, base: Path, work: Path) -> list[Path]:
        """The sorted files to merge into the graph's N-Quads: ``base``, the findings and the
        inferred types (written to ``work``)."""
        files = [base] if self.findings is None else [base, self.findings]
        if self.inferred:
            files.append(work / "inferred.nq")
            with open(files[-1], "w", encoding="utf-8", newline="\n") as fh:
                fh.writelines(self.inferred)
        return files


@dataclass
class Derived:
    """What :func:`derive` gives: the lines added, the reasoner's notes and what the manifest
    records of the reasoner."""

    added: Added
    notes: list[str] = field(default_factory=list)
    extra: dict[str, object] = field(default_factory=dict)


def derive(
    st: Store, base: Path, work: Path, reason: bool, reasoner: str, progress: Progress, quads: int,
    in_memory: bool = False, hand_over: Callable[[Iterator[str]], None] | None = None,
) -> Derived:
    """Rule findings and reasoning on the store ``st`` loaded from ``base`` (``quads`` quads;
    ``in_memory``: held in memory), the findings' lines kept in ``work``: the lines they add (also
    added to the store). The findings' lines are handed to ``hand_over`` as soon as they are known
    (the on-disk store written beside the checks loads them meanwhile).

    Stages: ``rules``; ``reason`` either on a thread beside it (:meth:`Progress.on_thread`) or after it.
    """
    from kg_build.reasoning import engines

    def dataset() -> Dataset:
        from kg_build.rdf.io import dataset_from_nquads

        return dataset_from_nquads("".join(merge_sorted(path_lines(base), *added.runs())))

    beside = reason and engines.reads_store_only(reasoner, quads)
    stop = threading.Event()
    with progress.stage("rules"), memory.no_cyclic_gc(), ThreadPoolExecutor(1, "ntrk-kg reasoner") as pool:
        results = _source_rule_results(st, in_memory)
        reasoning = None
        if beside:
            def timed() -> tuple[Reasoning, list[str]]:
                with progress.on_thread("reason"):
                    return _reason(st, reasoner, quads, dataset, stop)

            reasoning = pool.submit(timed)
        try:
            added = _findings(st, results, work)
            del results
            if hand_over is not None and added.findings is not None:
                hand_over(path_lines(added.findings))
            derived = Derived(added)
            if reasoning is not None:
                derived = _with_types(derived, *reasoning.result())
        except BaseException:
            stop.set()  # the reasoner stops at its next query; the pool waits for it
            raise
        load_lines(st, [added.findings, added.inferred], in_memory)
        memory.release()
    if reason and not beside:
        with progress.stage("reason"):
            derived = _with_types(derived, *_reason(st, reasoner, quads + added.lines, dataset))
            load_lines(st, [added.inferred], in_memory)
            memory.release()
    return derived


def _reason(
    st: Store, reasoner: str, quads: int, dataset: Callable[[], Dataset], stop: threading.Event | None = None
) -> tuple[Reasoning, list[str]]:
    """The reasoner's result on ``st`` and its inferred types as sorted N-Quads lines."""
    from kg_build.reasoning import engines

    inferred = engines.reason_store(st, reasoner, quads, dataset, stop)
    return inferred, sorted(set(engines.inferred_lines(inferred)))


def _with_types(derived: Derived, inferred: Reasoning, lines: list[str]) -> Derived:
    added = derived.added
    added.inferred, added.lines = lines, added.lines + len(lines)
    derived.notes.extend(inferred.notes)
    derived.extra["reasoner"] = inferred.engine
    derived.extra["consistency_checked_by"] = inferred.checked_by
    return derived


def _source_rule_results(st: Store, in_memory: bool) -> list[factcheck.RuleResult]:
    """The results of the source rules on the graph as built."""
    from kg_build.shacl.oxigraph import validate_store

    report = validate_store(st, use_shapes=validation.source_rules(), triples=0, in_memory=in_memory)
    return factcheck.rule_results(report.results)


def _findings(st: Store, results: list[factcheck.RuleResult], work: Path) -> Added:
    """The findings of the rule ``results``, made :data:`RULE_BATCH` at a time, their lines kept
    sorted in a file of ``work`` (not yet added to the store)."""
    if not results:
        return Added()
    reader = GuideReader(st)

    def context(batch: list[factcheck.RuleResult]) -> GuideContext:
        return reader.context({r.focus_node for r in batch} | {r.value for r in batch if r.value is not None})

    sink = QuadSink(chunk_lines=store.LOAD_CHUNK_LINES, tmp_dir=work)
    findings = sink.graph(str(iris.FACTCHECK_GRAPH))
    batches = [results[start : start + RULE_BATCH] for start in range(0, len(results), RULE_BATCH)]
    # The next batch's context is queried on a thread (in the store's native code) while this one
    # turns the current batch into lines (Python).
    with ThreadPoolExecutor(max_workers=1) as pool:
        ahead = pool.submit(context, batches[0])
        for i, batch in enumerate(batches):
            guide = ahead.result()
            if i + 1 < len(batches):
                ahead = pool.submit(context, batches[i + 1])
            factcheck.add_rule_findings_to(findings, guide, batch)
    path, count = work / "findings.nq", 0
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        for line in sink.sorted_lines():
            fh.write(line)
            count += 1
    return Added(findings=path, lines=count)


def load_lines(st: Store, parts: list[list[str] | Path | None], in_memory: bool = False) -> None:
    """Add the N-Quads of ``parts`` (lists of lines, or N-Quads files; empty ones skipped) to the store.

    On the on-disk store they are bulk-loaded a slice at a time (a transactional load holds all of
    it in memory: several GiB for the millions of lines of a large build), then the store is
    compacted once: each bulk load is a set of new files that every later query reads until they
    are compacted. A store held in memory (``in_memory``) holds them anyway: there each part is
    added in one transactional load (at 10^6 quads, the 346,059 lines of the rule findings in
    1.07 s against 1.34 s bulk-loaded, the slicing not counted)."""
    present = [lines for lines in parts if isinstance(lines, Path) or lines]
    if not present:
        return
    for lines in present:
        if in_memory:
            if isinstance(lines, Path):
                st.load(path=str(lines), format=ox.RdfFormat.N_QUADS)
            else:
                st.load("".join(lines).encode("utf-8"), format=ox.RdfFormat.N_QUADS)
        elif isinstance(lines, Path):
            with open(lines, "rb") as fh:
                store.load_slices(st, fh)
        else:
            store.load_slices(st, lines)
    if not in_memory:
        st.optimize()


class GuideReader:
    """Reads what the guide graph says of batches of nodes that the rule findings quote (types,
    labels, values, bands, section headings, reference numbers), and of the bands, sections and
    references they link to.

    Those linked nodes are few and shared by many statements: what was read of them is kept for
    the next batches. At 10^7 quads on disk, 10,000 statements took 1.9 s in one query that
    followed the links for each, and 1.3 s read in two (0.8 s for the statements), before keeping.
    """

    LINKS = frozenset(NTRK + name for name in ("inBand", "inSection", "citesReference"))

    def __init__(self, st: Store) -> None:
        self.st = st
        self.linked: dict[str, list[tuple[str, object]]] = {}

    def _read(self, nodes: Iterable[str]) -> dict[str, list[tuple[str, object]]]:
        from kg_build.sparql.text import with_value_set

        query = with_value_set(internal_query("guide-context"), "x", [f"<{n}>" for n in sorted(nodes)])
        solutions = self.st.query(query)
        assert isinstance(solutions, ox.QuerySolutions)
        read: dict[str, list[tuple[str, object]]] = {}
        for x, p, o in solutions:
            read.setdefault(x.value, []).append((p.value, o))
        return read

    def context(self, nodes: set[object]) -> GuideContext:
        """The context of ``nodes`` (IRIs, or terms whose string is one): what the guide graph says
        of them and of the bands, sections and references they link to."""
        guide = GuideContext()
        if not nodes:
            return guide
        own = self._read({str(n) for n in nodes})
        links = {o.value for pos in own.values() for p, o in pos if p in self.LINKS and isinstance(o, ox.NamedNode)}
        missing = links - self.linked.keys() - own.keys()
        if missing:
            read = self._read(missing)
            for node in missing:
                self.linked[node] = read.get(node, [])
        for node in links - own.keys():
            own[node] = self.linked[node]
        spo = guide.spo
        for s, pos in own.items():
            for p, o in pos:
                spo.setdefault((s, p), []).append(o)
        return guide


class GuideContext:
    """Triples of the guide graph held by subject and predicate IRI, as the store gives them: the
    little the rule findings read (:class:`kg_build.build.layers.factcheck.GuideFacts`), without
    an rdflib graph's indexes."""

    def __init__(self) -> None:
        self.spo: dict[tuple[str, str], list[object]] = {}

    def literal(self, subject: str, predicate: str) -> str | None:
        objects = self.spo.get((subject, predicate))
        return objects[0].value if objects and isinstance(objects[0], ox.Literal) else None

    def iris(self, subject: str, predicate: str) -> list[str]:
        return [o.value for o in self.spo.get((subject, predicate), ()) if isinstance(o, ox.NamedNode)]

    def has_type(self, subject: str, cls: str) -> bool:
        return cls in self.iris(subject, _RDF_TYPE)


_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
