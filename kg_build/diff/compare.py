"""Compare two sorted N-Quads files: the changes of each entity in each named graph, streamed.

The walk (``stream.blocks``) hands over the subjects whose lines differ; each is parsed (by
pyoxigraph) and turned into one :class:`EntityChange` per named graph it changed in. Changes go
to temporary files, one per named graph and status (in memory up to a megabyte each, on disk
beyond), so memory holds one subject at a time plus, to pair an entity removed with one added in
its place (``changed-iri``), the types and label of the entities added and removed.
"""

from __future__ import annotations

import json
import tempfile
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from kg_build.diff import kinds as K
from kg_build.diff.model import XSD_STRING, EntityChange, GraphSummary, MappingChange, Term, ValueChange
from kg_build.diff.stream import Block, Counts, Digest, Run, blocks
from kg_build.errors import UsageError

SPOOL_BYTES = 1 << 20


def term_json(term: ox.NamedNode | ox.Literal | ox.BlankNode) -> Term:
    """An RDF term as SPARQL 1.1 results JSON (the lexical form kept as written).

    >>> term_json(ox.Literal("3.0", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")))
    {'type': 'literal', 'value': '3.0', 'datatype': 'http://www.w3.org/2001/XMLSchema#decimal'}
    """
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.Literal):
        if term.language:
            return {"type": "literal", "value": term.value, "xml:lang": term.language}
        if term.datatype.value == XSD_STRING:
            return {"type": "literal", "value": term.value}
        return {"type": "literal", "value": term.value, "datatype": term.datatype.value}
    raise TypeError(term)


@dataclass
class Side:
    """One side of a comparison: its N-Quads file, a name for reports, and what is known of it."""

    nquads: Path
    name: str
    version: str | None = None
    """The IRI of the release it is, when it says (a bundle's ``void.ttl``)."""


@dataclass
class Comparison:
    """The result of :func:`compare`: summaries per named graph and the changes, in report order.

    ``changes(graph)`` reads the changes back in the order reports give them: added, removed,
    IRIs changed (each removed entity followed by the one that took its place), changed; within
    each, by entity IRI. Call :meth:`close` (or use ``with``) to drop the temporary files.
    """

    old: Side
    new: Side
    old_digest: str
    new_digest: str
    graphs: dict[str, GraphSummary]
    kind_counts: dict[str, int]
    """How many changes (an IRI change counted once) have each kind."""
    _spools: dict[tuple[str, str], IO[str]] = field(repr=False)
    _replaced_by: dict[tuple[str, str], str] = field(repr=False)
    _replaces: dict[tuple[str, str], str] = field(repr=False)

    @property
    def identical(self) -> bool:
        return not any(s.triples_added or s.triples_removed for s in self.graphs.values())

    def iris_changed(self, graph: str) -> int:
        """How many entities of ``graph`` were paired as an IRI change."""
        return sum(1 for g, _ in self._replaced_by if g == graph)

    def changes(self, graph: str) -> Iterator[EntityChange]:
        """The changes in ``graph``, in report order."""
        yield from self._read(graph, "added", paired=False)
        yield from self._read(graph, "removed", paired=False)
        partners = {c.entity: c for c in self._read(graph, "added", paired=True)}
        for change in self._read(graph, "removed", paired=True):
            yield change
            yield partners[self._replaced_by[(graph, change.entity)]]
        yield from self._read(graph, "changed", paired=False)

    def _read(self, graph: str, status: str, paired: bool) -> Iterator[EntityChange]:
        spool = self._spools.get((graph, status))
        if spool is None:
            return
        spool.seek(0)
        index = self._replaced_by if status == "removed" else self._replaces
        for line in spool:
            change = EntityChange.from_json(json.loads(line))
            partner = index.get((graph, change.entity))
            if (partner is not None) != paired:
                continue
            if partner is not None:
                change.status = "changed-iri"
                if status == "removed":
                    change.replaced_by = partner
                else:
                    change.replaces = partner
                change.kinds = _paired_kinds(change.kinds)
            yield change

    def close(self) -> None:
        for spool in self._spools.values():
            spool.close()
        self._spools.clear()

    def __enter__(self) -> Comparison:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _paired_kinds(kinds: list[str]) -> list[str]:
    """The kinds of an entity removed or added as one side of an IRI change."""
    dropped = ("added", "removed", "finding-opened", "finding-closed")
    return ["changed-iri"] + [k for k in kinds if k not in dropped]


def compare(old: Side, new: Side) -> Comparison:
    """Compare the sorted N-Quads of ``old`` and ``new`` in one streamed pass over each."""
    digests = Digest(old.nquads), Digest(new.nquads)
    old_counts, new_counts = Counts(), Counts()
    spools: dict[tuple[str, str], IO[str]] = {}
    summaries: dict[str, GraphSummary] = {}
    kind_counts: dict[str, int] = defaultdict(int)
    # (graph, types, label) -> the entities added / removed with them, and their kinds
    candidates: dict[str, dict[tuple[str, tuple[str, ...], str], list[tuple[str, list[str]]]]] = {
        "added": defaultdict(list), "removed": defaultdict(list)}
    try:
        for block in blocks(old.nquads, new.nquads, old_counts, new_counts):
            for change in entity_changes(block, old.nquads, new.nquads):
                summary = summaries.get(change.graph) or summaries.setdefault(change.graph, GraphSummary(change.graph))
                summary.count(change)
                for kind in change.kinds:
                    kind_counts[kind] += 1
                spool = spools.get((change.graph, change.status))
                if spool is None:
                    spool = tempfile.SpooledTemporaryFile(SPOOL_BYTES, mode="w+", encoding="utf-8", newline="\n")
                    spools[(change.graph, change.status)] = spool
                spool.write(change.dumps())
                if change.status != "changed" and change.label is not None:
                    key = (change.graph, tuple(change.types), json.dumps(change.label, sort_keys=True))
                    candidates[change.status][key].append((change.entity, change.kinds))
    except BaseException:
        for spool in spools.values():
            spool.close()
        raise
    replaced_by: dict[tuple[str, str], str] = {}
    replaces: dict[tuple[str, str], str] = {}
    for key, gone in candidates["removed"].items():
        came = candidates["added"].get(key, [])
        if len(gone) == 1 and len(came) == 1:
            (old_iri, old_kinds), (new_iri, new_kinds) = gone[0], came[0]
            replaced_by[(key[0], old_iri)], replaces[(key[0], new_iri)] = new_iri, old_iri
            for kind in (*old_kinds, *new_kinds):
                kind_counts[kind] -= 1
            for kind in _paired_kinds(old_kinds):
                kind_counts[kind] += 1
    for graph in set(old_counts.graphs) | set(new_counts.graphs):
        summary = summaries.setdefault(graph, GraphSummary(graph))
        summary.triples_before, summary.triples_after = old_counts.graphs[graph], new_counts.graphs[graph]
    return Comparison(
        old, new, digests[0].hexdigest(), digests[1].hexdigest(),
        {g: summaries[g] for g in sorted(summaries)},
        {k: kind_counts[k] for k in K.KINDS if kind_counts.get(k)},
        spools, replaced_by, replaces,
    )


def _parse(run: Run, path: Path) -> list[ox.Quad]:
    if not run.lines:
        return []
    try:
        quads = list(ox.parse(b"".join(run.lines), format=ox.RdfFormat.N_QUADS))
    except SyntaxError as exc:
        line = run.first_line + (exc.lineno or 1) - 1
        message = str(exc.msg).split(": ", 1)[-1]
        raise UsageError(f"{path}:{line}: not valid N-Quads: {message}") from None
    for i, q in enumerate(quads):
        if not isinstance(q.subject, ox.NamedNode) or not isinstance(q.object, (ox.NamedNode, ox.Literal)) \
                or isinstance(q.graph_name, ox.BlankNode):
            raise UsageError(
                f"{path}:{run.first_line + i}: a blank node or a quoted triple; the diff compares graphs whose "
                "every node has an IRI, as the build writes them"
            )
    return quads


def entity_changes(block: Block, old_path: Path, new_path: Path) -> list[EntityChange]:
    """The changes of one subject, one per named graph it changed in (in graph order)."""
    old_quads, new_quads = _parse(block.old, old_path), _parse(block.new, new_path)
    entity = str((old_quads or new_quads)[0].subject)[1:-1]
    old_by_graph: dict[str, set[tuple[str, str]]] = defaultdict(set)
    new_by_graph: dict[str, set[tuple[str, str]]] = defaultdict(set)
    terms: dict[str, Term] = {}
    for quads, by_graph in ((old_quads, old_by_graph), (new_quads, new_by_graph)):
        for q in quads:
            text = str(q.object)
            if text not in terms:
                terms[text] = term_json(q.object)  # type: ignore[arg-type]  # checked by _parse
            graph = "" if isinstance(q.graph_name, ox.DefaultGraph) else q.graph_name.value
            by_graph[graph].add((q.predicate.value, text))
    new_label, new_types = _label(new_quads), _types(new_quads)
    old_label, old_types = _label(old_quads), _types(old_quads)
    out = []
    for graph in sorted(set(old_by_graph) | set(new_by_graph)):
        before, after = old_by_graph.get(graph, set()), new_by_graph.get(graph, set())
        removed, added = before - after, after - before
        if not removed and not added:
            continue
        status = "added" if not before else "removed" if not after else "changed"
        label, types = (old_label, old_types) if status == "removed" else (new_label or old_label, new_types or old_types)
        values, mappings = _value_changes(removed, added, terms, status)
        kept = []
        if status == "changed" and any(v.property == K.VERBATIM_VALUE for v in values):
            for prop in sorted(K.VALUE_CONTEXT):
                same = sorted(o for p, o in before & after if p == prop)
                if same:
                    kept.append(ValueChange(prop, [], [terms[o] for o in same]))
        out.append(EntityChange(graph, entity, status, _kinds(status, types, values, mappings, terms),
                                terms.get(label) if label else None, types, values, mappings, kept=kept))
    return out


def _types(quads: list[ox.Quad]) -> list[str]:
    return sorted({q.object.value for q in quads if q.predicate.value == K.RDF_TYPE and isinstance(q.object, ox.NamedNode)})


def _label(quads: list[ox.Quad]) -> str | None:
    """The N-Triples text of the literal that names the subject (English or untagged first)."""
    for prop in K.DISPLAY_LABELS:
        found = [q.object for q in quads if q.predicate.value == prop and isinstance(q.object, ox.Literal)]
        if found:
            return str(min(found, key=lambda lit: (lit.language not in (None, "en"), str(lit))))
    return None


def _value_changes(
    removed: set[tuple[str, str]], added: set[tuple[str, str]], terms: dict[str, Term], status: str
) -> tuple[list[ValueChange], list[MappingChange]]:
    mappings: list[MappingChange] = []
    if status == "changed":
        gone = defaultdict(list)
        came = defaultdict(list)
        for p, o in removed:
            if p in K.MAPPINGS:
                gone[o].append(p)
        for p, o in added:
            if p in K.MAPPINGS:
                came[o].append(p)
        for o in sorted(set(gone) & set(came)):
            if len(gone[o]) == 1 and len(came[o]) == 1 and terms[o]["type"] == "uri":
                mappings.append(MappingChange(terms[o]["value"], gone[o][0], came[o][0]))
                removed = removed - {(gone[o][0], o)}
                added = added - {(came[o][0], o)}
    by_prop: dict[str, ValueChange] = {}
    for p, o in sorted(removed):
        by_prop.setdefault(p, ValueChange(p)).removed.append(terms[o])
    for p, o in sorted(added):
        by_prop.setdefault(p, ValueChange(p)).added.append(terms[o])
    return [by_prop[p] for p in sorted(by_prop)], mappings


def _kinds(status: str, types: list[str], values: list[ValueChange], mappings: list[MappingChange],
           terms: dict[str, Term]) -> list[str]:
    finding = K.FINDING in types
    if status == "added":
        return ["added", "finding-opened"] if finding else ["added"]
    if status == "removed":
        return ["removed", "finding-closed"] if finding else ["removed"]
    found = {"changed-mapping"} if mappings else set()
    for v in values:
        kind = K.property_kind(v.property)
        if v.property == K.OWL_DEPRECATED and any(t.get("value") in ("true", "1") for t in v.added):
            kind = "deprecated"
        elif kind == "finding-severity" and not finding:
            kind = "changed-value"
        found.add(kind)
    return [k for k in K.KINDS if k in found]
