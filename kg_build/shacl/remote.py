"""Validate the graph a SPARQL endpoint serves: the compiled shapes run as SPARQL on any store.

The checks are those :mod:`kg_build.shacl.compile` makes for the embedded store, sent through the
SPARQL 1.1 Protocol; their solutions become results exactly as on the embedded store, so the report
is the same row for row. With ``graphs``, each query reads the merge of those named graphs (the
protocol's ``default-graph-uri``, which servers honour where some ignore ``FROM``); without, the
endpoint's default graph (for Oxigraph's server, start it with ``--union-default-graph`` or name
the graphs).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from rdflib import Graph
from rdflib.term import Node

from kg_build.rdf.bridge import to_rdflib
from kg_build.shacl.compile import classes_of, compile_shapes, results_of
from kg_build.shacl.components import sparql_term
from kg_build.shacl.report import Report, Result
from kg_build.shacl.shapes import load_shapes
from kg_build.sparql.engines import RemoteEngine


def validate_endpoint(
    endpoint: str,
    graphs: Iterable[str] = (),
    shapes: Graph | Path | None = None,
    timeout: float = 600.0,
) -> Report:
    """Validate what ``endpoint`` serves (the merge of ``graphs``, or its default graph).

    Raises :class:`~kg_build.shacl.components.NotCompilable` before sending anything when a shape
    cannot be compiled, and ``EndpointError`` when the endpoint cannot be reached or refuses a query.
    """
    sg = shapes if isinstance(shapes, Graph) else load_shapes(shapes)
    compile_shapes(sg)  # refuse shapes that cannot be compiled before sending anything
    engine = RemoteEngine(endpoint, timeout=timeout, default_graphs=tuple(graphs))
    # The subclasses of each class, asked first: Virtuoso loses solutions of rdf:type/rdfs:subClassOf*
    # joined with other patterns, so the checks name the classes instead of following the path.
    subclasses = {c: _subclasses(engine, c) for c in classes_of(sg)}
    checks = compile_shapes(sg, subclasses=subclasses)
    results: list[Result] = []
    for check in checks:
        answer = engine.run(check.query, name="a compiled SHACL check")
        rows = ({v: t for v, t in zip(answer.variables, row, strict=True) if t is not None} for row in answer.rows)
        results.extend(results_of(check, sg, rows))
    count = "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"
    answer = engine.run(count, name="counting the triples")
    triples = int(answer.rows[0][0].value) if answer.rows and answer.rows[0][0] is not None else 0
    return Report.of(results, sg, triples)



def _subclasses(engine: RemoteEngine, c: Node) -> list[Node]:
    """``c`` and every class the endpoint's data says is a subclass of it, sorted."""
    query = f"SELECT DISTINCT ?c WHERE {{ ?c <http://www.w3.org/2000/01/rdf-schema#subClassOf>+ {sparql_term(c)} }}"
    answer = engine.run(query, name="the subclasses of a class")
    found = {to_rdflib(row[0]) for row in answer.rows if row[0] is not None} | {c}
    return sorted(found, key=str)
