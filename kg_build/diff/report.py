"""The diff as JSON for scripts: both sides, a summary per named graph, the kinds, every change.

Written as it is read back from the comparison, one change a line, so memory does not grow with
the number of changes. RDF terms are written as in the SPARQL 1.1 Query Results JSON Format.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import IO, Any

from kg_build.diff.compare import Comparison, Side


def _dump(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(", ", ": "))


def _side(side: Side, digest: str, quads: int) -> dict[str, Any]:
    return {"name": side.name, "version": side.version, "sha256": digest, "quads": quads}


def write(result: Comparison, out: IO[str]) -> None:
    """Write the JSON report of ``result`` to ``out``."""
    before = sum(s.triples_before for s in result.graphs.values())
    after = sum(s.triples_after for s in result.graphs.values())
    out.write("{\n")
    out.write(f' "old": {_dump(_side(result.old, result.old_digest, before))},\n')
    out.write(f' "new": {_dump(_side(result.new, result.new_digest, after))},\n')
    out.write(f' "identical": {_dump(result.identical)},\n')
    out.write(' "graphs": [')
    for i, (graph, s) in enumerate(result.graphs.items()):
        pairs = result.iris_changed(graph)
        summary = {**asdict(s), "entities_added": s.entities_added - pairs,
                   "entities_removed": s.entities_removed - pairs, "iris_changed": pairs}
        out.write(("," if i else "") + "\n  " + _dump(summary))
    out.write("\n ],\n" if result.graphs else "],\n")
    out.write(f' "kinds": {_dump(result.kind_counts)},\n')
    out.write(' "changes": [')
    first = True
    for graph in result.graphs:
        for change in result.changes(graph):
            out.write(("\n  " if first else ",\n  ") + _dump(change.to_json()))
            first = False
    out.write("]\n}\n" if first else "\n ]\n}\n")
