"""Apply a change set to a store holding the old version: it then holds the new one.

The work is the SPARQL 1.1 Update ``queries/internal/apply-changes.ru``, which any store runs;
this module loads the change set into a named graph of its own, runs the update on a pyoxigraph
store and drops that graph again.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from kg_build.errors import UsageError
from kg_build.rdf.iris import GRAPH
from kg_build.resources import APPLY_CHANGES_FILE

APPLY_FILE = APPLY_CHANGES_FILE
CHANGES_GRAPH = GRAPH + "changes"
"""The named graph the change set is loaded into while it is applied."""
FORMATS = {".ttl": ox.RdfFormat.TURTLE, ".nt": ox.RdfFormat.N_TRIPLES}


def apply(store: ox.Store, change_set: Path) -> None:
    """Apply the change set in ``change_set`` (Turtle ``.ttl`` or N-Triples ``.nt``) to ``store``."""
    fmt = FORMATS.get(change_set.suffix)
    if fmt is None:
        raise UsageError(f"{change_set}: a change set is Turtle (.ttl) or N-Triples (.nt)")
    graph = ox.NamedNode(CHANGES_GRAPH)
    if store.contains_named_graph(graph):
        raise UsageError(f"the store already has a graph <{CHANGES_GRAPH}>; the change set is loaded into it")
    try:
        store.load(path=str(change_set), format=fmt, to_graph=graph)
    except (OSError, SyntaxError) as exc:
        raise UsageError(f"{change_set}: cannot be read as a change set: {exc}") from None
    try:
        store.update(APPLY_FILE.read_text(encoding="utf-8"))
    finally:
        store.remove_graph(graph)
