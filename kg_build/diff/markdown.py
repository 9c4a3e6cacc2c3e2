"""The diff as Markdown release notes: a table per named graph, then each graph's changes in words."""

from __future__ import annotations

import json
from typing import IO

from kg_build.diff.compare import Comparison
from kg_build.diff.model import EntityChange, Term, ValueChange
from kg_build.rdf.prefixes import compress

XSD = "http://www.w3.org/2001/XMLSchema#"
BARE = {XSD + t for t in ("integer", "decimal", "double", "float", "boolean", "nonNegativeInteger")}
SECTIONS = {"added": "Added", "removed": "Removed", "changed-iri": "IRI changed", "changed": "Changed"}


def iri(value: str) -> str:
    """An IRI for people: its CURIE when a prefix of the project matches, else ``<iri>``.

    >>> iri("https://w3id.org/ntrk-kg/id/fusion/ETV6--NTRK3"), iri("urn:x")
    ('ntrkkg:fusion/ETV6--NTRK3', '<urn:x>')
    """
    return compress(value) or f"<{value}>"


def term(t: Term) -> str:
    """An RDF term for people, as a code span: numbers and booleans bare, strings quoted.

    >>> term({"type": "literal", "value": "0.57", "datatype": XSD + "decimal"})
    '`0.57`'
    >>> term({"type": "literal", "value": "fact-check finding", "xml:lang": "en"})
    '`"fact-check finding"@en`'
    """
    if t["type"] == "uri":
        text = iri(t["value"])
    else:
        datatype = t.get("datatype")
        if datatype in BARE:
            text = t["value"]
        else:
            text = json.dumps(t["value"], ensure_ascii=False)
            if "xml:lang" in t:
                text += "@" + t["xml:lang"]
            elif datatype:
                text += "^^" + iri(datatype)
    return _code(text)


def _code(text: str) -> str:
    fence = "``" if "`" in text else "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _plain(text: str) -> str:
    """Text with the characters Markdown would read escaped."""
    for ch in "\\`*_[]<>|#":
        text = text.replace(ch, "\\" + ch)
    return " ".join(text.split())


def _values(v: ValueChange, status: str) -> str:
    if status in ("added", "removed"):
        terms = v.added if status == "added" else v.removed
        return ", ".join(term(t) for t in terms)
    if len(v.removed) == 1 and len(v.added) == 1:
        return f"{term(v.removed[0])} → {term(v.added[0])}"
    parts = []
    if v.removed:
        parts.append("removed " + ", ".join(term(t) for t in v.removed))
    if v.added:
        parts.append("added " + ", ".join(term(t) for t in v.added))
    return "; ".join(parts)


def _headline(c: EntityChange, new_iri: str | None = None) -> str:
    name = f"**{_plain(c.label['value'])}** " if c.label else ""
    where = _code(iri(c.entity)) + (f" → {_code(iri(new_iri))}" if new_iri else "")
    types = f" ({', '.join(iri(t) for t in c.types)})" if c.types else ""
    return f"- {name}{where}{types}: *{', '.join(c.kinds)}*\n"


def _details(c: EntityChange, status: str) -> str:
    lines = [f"  - {_code(iri(v.property))}: {_values(v, status)}\n" for v in c.values]
    lines += [
        f"  - mapping to {_code(iri(m.target))}: {_code(iri(m.old_predicate))} → {_code(iri(m.new_predicate))}\n"
        for m in c.mappings
    ]
    if c.kept:
        kept = "; ".join(f"{_code(iri(v.property))} {', '.join(term(t) for t in v.added)}" for v in c.kept)
        lines.append(f"  - unchanged: {kept}\n")
    return "".join(lines)


def _pair_details(gone: EntityChange, came: EntityChange) -> str:
    """What differs between an entity and the one that took its place, besides the IRI."""
    before = {v.property: v.removed for v in gone.values}
    after = {v.property: v.added for v in came.values}
    diffs = []
    for prop in sorted(set(before) | set(after)):
        old, new = before.get(prop, []), after.get(prop, [])
        if old != new:
            diffs.append(ValueChange(prop, [t for t in old if t not in new], [t for t in new if t not in old]))
    return "".join(f"  - {_code(iri(v.property))}: {_values(v, 'changed')}\n" for v in diffs)


def _count(n: int, sign: str = "") -> str:
    return f"{sign}{n:,}" if n else "0"


def write(result: Comparison, out: IO[str]) -> None:
    """Write the Markdown release notes of ``result`` to ``out``."""
    out.write(f"# Changes from {result.old.name} to {result.new.name}\n\n")
    total_before = sum(s.triples_before for s in result.graphs.values())
    total_after = sum(s.triples_after for s in result.graphs.values())
    if result.identical:
        out.write(f"No changes: both hold the same {total_before:,} quads in {len(result.graphs)} named graphs.\n")
        return
    out.write(f"Old: sha256 `{result.old_digest[:12]}`, {total_before:,} quads; "
              f"new: sha256 `{result.new_digest[:12]}`, {total_after:,} quads.\n\n")
    out.write("| named graph | triples before | triples after | added | removed | entities added | "
              "entities removed | IRIs changed | entities changed |\n")
    out.write("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n")
    for graph, s in result.graphs.items():
        pairs = result.iris_changed(graph)
        out.write(
            f"| {_code(iri(graph)) if graph else 'default graph'} | {s.triples_before:,} | {s.triples_after:,} | "
            f"{_count(s.triples_added, '+')} | {_count(s.triples_removed, '−')} | {s.entities_added - pairs:,} | "
            f"{s.entities_removed - pairs:,} | {pairs:,} | {s.entities_changed:,} |\n"
        )
    kinds = ", ".join(f"{k} {n:,}" for k, n in result.kind_counts.items())
    out.write(f"\nChanges by kind: {kinds}.\n")
    for graph, s in result.graphs.items():
        if not (s.triples_added or s.triples_removed):
            continue
        out.write(f"\n## {_code(iri(graph)) if graph else 'Default graph'}\n")
        section = None
        changes = result.changes(graph)
        for c in changes:
            if c.status != section:
                section = c.status
                out.write(f"\n### {SECTIONS[section]}\n\n")
            if c.status == "changed-iri":
                came = next(changes)
                out.write(_headline(c, came.entity))
                out.write(_pair_details(c, came))
            else:
                out.write(_headline(c))
                out.write(_details(c, c.status))
