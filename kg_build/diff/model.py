"""What a diff finds: the changes of one entity in one named graph, and a summary per graph.

RDF terms are kept as in the SPARQL 1.1 Query Results JSON Format (``{"type": "uri", "value":
...}``, ``{"type": "literal", "value": ..., "datatype": ...}`` or ``"xml:lang"``), with the lexical
form as the graph writes it, so a change can be written back to RDF exactly.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

Term = dict[str, str]
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


@dataclass
class ValueChange:
    """The values of one property of an entity that a named graph lost and gained."""

    property: str
    removed: list[Term] = field(default_factory=list)
    added: list[Term] = field(default_factory=list)


@dataclass
class MappingChange:
    """A mapping target kept under another SKOS mapping property."""

    target: str
    old_predicate: str
    new_predicate: str


@dataclass
class EntityChange:
    """What changed about one entity (a subject) in one named graph.

    ``status`` is ``added`` (the graph had nothing about it), ``removed`` (it has nothing left),
    ``changed``, or ``changed-iri`` (removed or added, and paired with an entity of the same types
    and label that took its place: ``replaced_by`` / ``replaces``).
    """

    graph: str
    entity: str
    status: str
    kinds: list[str]
    label: Term | None = None
    types: list[str] = field(default_factory=list)
    values: list[ValueChange] = field(default_factory=list)
    mappings: list[MappingChange] = field(default_factory=list)
    replaced_by: str | None = None
    replaces: str | None = None
    kept: list[ValueChange] = field(default_factory=list)
    """For a changed value as stated, the parsed values, band and citations that stayed (as ``added``)."""

    @property
    def triples_removed(self) -> int:
        return sum(len(v.removed) for v in self.values) + len(self.mappings)

    @property
    def triples_added(self) -> int:
        return sum(len(v.added) for v in self.values) + len(self.mappings)

    def to_json(self) -> dict[str, Any]:
        """The change as plain JSON data (the JSON report's record, and the spool's)."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> EntityChange:
        data = dict(data)
        data["values"] = [ValueChange(**v) for v in data["values"]]
        data["mappings"] = [MappingChange(**m) for m in data["mappings"]]
        data["kept"] = [ValueChange(**v) for v in data["kept"]]
        return cls(**data)

    def dumps(self) -> str:
        return json.dumps(self.to_json(), ensure_ascii=False, separators=(",", ":")) + "\n"


@dataclass
class GraphSummary:
    """The size of one named graph on each side, and what changed in it."""

    graph: str
    triples_before: int = 0
    triples_after: int = 0
    triples_added: int = 0
    triples_removed: int = 0
    entities_added: int = 0
    entities_removed: int = 0
    entities_changed: int = 0

    def count(self, change: EntityChange) -> None:
        self.triples_added += change.triples_added
        self.triples_removed += change.triples_removed
        if change.status == "added":
            self.entities_added += 1
        elif change.status == "removed":
            self.entities_removed += 1
        else:
            self.entities_changed += 1


def term_sort_key(term: Term) -> tuple[str, str, str, str]:
    return (term["type"], term["value"], term.get("datatype", ""), term.get("xml:lang", ""))
