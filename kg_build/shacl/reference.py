"""The pySHACL engine: the reference the compiled-SPARQL engine is tested against.

It validates an rdflib graph in memory (about 3,000 triples in a second or two; it does not scale
like the SPARQL engine) and gives the same :class:`~kg_build.shacl.report.Report`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from rdflib import RDF, Graph, URIRef
from rdflib.namespace import SH
from rdflib.plugins.sparql.sparql import Query
from rdflib.query import Result as QueryResult
from rdflib.term import Identifier, Node

from kg_build.shacl.report import Report, Result, describe, read_path, severity_name
from kg_build.shacl.shapes import CouldNotValidate, one_line


class _PreparedQueryGraph(Graph):
    """A graph that parses each SPARQL text once.

    pySHACL runs a SPARQL constraint's query once per focus node, as text; parsing dominates the
    cost (tens of milliseconds per parse against about one to evaluate), so parsed queries are kept.
    """

    def query(self, query_object: str | Query, *args: Any, **kwargs: Any) -> QueryResult:
        if isinstance(query_object, str):
            query_object = _prepared(query_object)
        return super().query(query_object, *args, **kwargs)


@lru_cache(maxsize=512)
def _prepared(text: str) -> Query:
    from rdflib.plugins.sparql import prepareQuery

    return prepareQuery(text)


def prepared_graph() -> Graph:
    """An empty graph to put the data in, whose SPARQL queries are parsed once each."""
    return _PreparedQueryGraph()


def validate_graph(
    dg: Graph, sg: Graph, use_shapes: Iterable[Node] | None = None, focus_nodes: Iterable[Node] | None = None,
) -> Report:
    """Validate the data graph ``dg`` against the shapes graph ``sg`` with pySHACL."""
    from pyparsing import ParseException
    from pyshacl import validate as pyshacl_validate
    from pyshacl.errors import ConstraintLoadError, ReportableRuntimeError, ShapeLoadError

    logging.getLogger("pyshacl-validate").setLevel(logging.ERROR)  # its warnings are not results

    shapes: list[URIRef | str] | None = None
    if use_shapes is not None:
        # pySHACL runs exactly the shapes listed: list each node shape's property shapes with it.
        chosen = list(use_shapes)
        shapes = _terms(chosen + [p for s in chosen for p in sg.objects(s, SH.property) if p not in chosen])
    # Focus nodes are filtered here, not by pySHACL, which would also skip the value nodes that
    # sh:node, sh:or and qualified shapes check, and so miss results.
    only: set[Node] | None = set(focus_nodes) if focus_nodes is not None else None
    triples = len(dg)
    try:
        _, results_graph, _ = pyshacl_validate(
            dg, shacl_graph=sg, inference="none", advanced=True, allow_warnings=True,
            allow_infos=True, inplace=True, use_shapes=shapes,
        )
    except (ReportableRuntimeError, ShapeLoadError, ConstraintLoadError, ParseException, NotImplementedError) as exc:
        raise CouldNotValidate(f"the shapes could not be applied: {one_line(exc)}") from exc
    except Exception as exc:  # pySHACL raises plain exceptions for some shapes it cannot load
        raise CouldNotValidate(f"pySHACL could not apply the shapes: {one_line(exc)}") from exc
    if isinstance(results_graph, Exception):  # pySHACL returns, not raises, some failures
        raise CouldNotValidate(f"the shapes could not be applied: {one_line(results_graph)}")
    results = [r for r in _results(results_graph) if only is None or r.focus_node in only]
    return Report.of(results, sg, triples, describe(dg + sg, results))


def _terms(nodes: Iterable[Node]) -> list[URIRef | str]:
    """Shape nodes as pySHACL takes them (IRIs and blank nodes, both RDF terms)."""
    out: list[URIRef | str] = []
    for node in nodes:
        assert isinstance(node, Identifier)  # a node of a parsed graph is an RDF term
        out.append(node)
    return out


def _one(rg: Graph, node: Node, prop: URIRef) -> Node:
    """The value of ``prop`` that SHACL requires of every result of a validation report."""
    value = rg.value(node, prop)
    assert value is not None, f"pySHACL gave a result without {prop}"
    return value


def _results(rg: Graph) -> Iterable[Result]:
    """The top-level results of a report (not the nested ``sh:detail`` results of sh:node etc.)."""
    for report in rg.subjects(RDF.type, SH.ValidationReport):
        for node in rg.objects(report, SH.result):
            path = rg.value(node, SH.resultPath)
            messages = sorted(str(m) for m in rg.objects(node, SH.resultMessage))
            yield Result(
                severity=severity_name(rg.value(node, SH.resultSeverity)),
                focus_node=_one(rg, node, SH.focusNode),
                result_path=read_path(rg, path) if path is not None else None,
                value=rg.value(node, SH.value),
                source_shape=_one(rg, node, SH.sourceShape),
                constraint_component=_one(rg, node, SH.sourceConstraintComponent),
                message=" ".join(messages),
            )
