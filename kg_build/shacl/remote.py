"""Validate the graph a SPARQL endpoint serves: the compiled shapes run as SPARQL on any store.

The checks are those :mod:`kg_build.shacl_compile` makes for the embedded store, sent through the
SPARQL 1.1 Protocol; their solutions become results exactly as on the embedded store, so the report
is the same row for row. With ``graphs``, each query reads the merge of those named graphs (``FROM``
clauses); without, the endpoint's default graph (for Oxigraph's server, start it with
``--union-default-graph`` or name the graphs).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from rdflib import Graph

from kg_build.shacl.report import Report, Result

_FIRST_GROUP = re.compile(r"\bWHERE\s*\{|\{", re.I)


def with_graphs(query: str, graphs: Iterable[str]) -> str:
    """``query`` reading the merge of ``graphs``: ``FROM`` clauses before its top-level ``WHERE``.

    >>> with_graphs("PREFIX a: <x:>\\nSELECT ?this WHERE { ?this a ?c }", ["urn:g1", "urn:g2"])
    'PREFIX a: <x:>\\nSELECT ?this FROM <urn:g1> FROM <urn:g2> WHERE { ?this a ?c }'
    """
    froms = "".join(f"FROM <{g}> " for g in graphs)
    if not froms:
        return query
    select = re.search(r"\bSELECT\b", query, re.I)
    start = select.end() if select else 0
    match = _FIRST_GROUP.search(query, start)
    if match is None:  # pragma: no cover - every compiled check has a group
        return query
    return query[: match.start()] + froms + query[match.start():]


def validate_endpoint(
    endpoint: str,
    graphs: Iterable[str] = (),
    shapes: Graph | Path | None = None,
    timeout: float = 600.0,
) -> Report:
    """Validate what ``endpoint`` serves (the merge of ``graphs``, or its default graph).

    Raises :class:`kg_build.shacl_compile.NotCompilable` before sending anything when a shape
    cannot be compiled, and ``EndpointError`` when the endpoint cannot be reached or refuses a query.
    """
    from kg_build import shacl_oxigraph, validation
    from kg_build.query import RemoteEngine

    sg = shapes if isinstance(shapes, Graph) else validation.load_shapes(shapes)
    checks = shacl_oxigraph.checks_for(sg)
    engine = RemoteEngine(endpoint, timeout=timeout)
    names = list(graphs)
    results: list[Result] = []
    for check in checks:
        answer = engine.run(with_graphs(check.query, names), name="a compiled SHACL check")
        rows = ({v: t for v, t in zip(answer.variables, row) if t is not None} for row in answer.rows)
        results.extend(shacl_oxigraph.check_results(check, sg, rows))
    count = "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"
    answer = engine.run(with_graphs(count, names), name="counting the triples")
    triples = int(answer.rows[0][0].value) if answer.rows and answer.rows[0][0] is not None else 0
    return Report.of(results, sg, triples)

