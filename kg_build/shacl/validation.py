"""Validate RDF against SHACL shapes (by default the project's ``ontology/shapes.ttl``): the entry point.

``validate`` returns a :class:`~kg_build.shacl.report.Report`, a plain value: every result
(severity, focus node, path, value, shape, constraint component, message); the graph conforms when
there is none. Not being able to validate at all (unreadable shapes, or shapes an engine does not
support) is an exception, :class:`CouldNotValidate`, raised before any data is read.

The data validated is the union of every graph given, exactly as given: ``with_ontology`` adds the
packaged ontology (so that ``sh:targetClass`` and ``sh:class`` follow its ``rdfs:subClassOf``).
The engines are peers: :mod:`~kg_build.shacl.oxigraph` (the shapes compiled to SPARQL, the
default of the command line), :mod:`~kg_build.shacl.reference` (pySHACL) and, for a SPARQL
endpoint, :mod:`~kg_build.shacl.remote`.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from rdflib import RDF, Graph, URIRef
from rdflib.graph import ConjunctiveGraph
from rdflib.namespace import OWL
from rdflib.term import Node

from kg_build.errors import UsageError
from kg_build.rdf.vocab import ontology_graph
from kg_build.shacl import oxigraph, reference
from kg_build.shacl.report import (  # noqa: F401 - re-exported: the report model's public names
    SEVERITIES,
    Report,
    Result,
    Rule,
    describe,
    read_path,
    rules_of,
    severity_name,
    show,
)
from kg_build.shacl.shapes import (  # noqa: F401 - re-exported: reading and checking shapes
    CouldNotValidate,
    known_datatypes,
    literals_as_written,
    load_shapes,
    path_properties,
    shape_problems,
    source_rules,
    sparql_terms,
)

ONTOLOGY_IRI = URIRef("https://w3id.org/ntrk-kg/ontology")
ENGINES = ("oxigraph", "pyshacl")
DataInput = Graph | ConjunctiveGraph


def union(data: DataInput) -> Graph:
    """One graph holding every triple of ``data`` (all named graphs and the default graph)."""
    g = reference.prepared_graph()
    if isinstance(data, ConjunctiveGraph):
        for s, p, o, _ in data.quads((None, None, None, None)):
            g.add((s, p, o))
    else:
        for t in data:
            g.add(t)
    return g


def data_graph(data: DataInput, with_ontology: bool = False) -> Graph:
    """The graph that is validated: the union of ``data`` and, with ``with_ontology``, the
    packaged ontology (unless ``data`` holds it already)."""
    g = union(data)
    if with_ontology and (ONTOLOGY_IRI, RDF.type, OWL.Ontology) not in g:
        for t in ontology_graph():
            g.add(t)
    return g


def validate(
    data: DataInput,
    shapes: Graph | Path | None = None,
    use_shapes: Iterable[Node] | None = None,
    focus_nodes: Iterable[Node] | None = None,
    engine: str = "pyshacl",
    with_ontology: bool = False,
) -> Report:
    """Validate ``data`` (a graph or a dataset) against the shapes; the result is a :class:`Report`.

    ``shapes`` defaults to the packaged shapes. ``use_shapes`` and ``focus_nodes`` restrict the run to
    some shapes or nodes (used by the tests to check one shape at a time). ``engine`` is
    ``"pyshacl"`` (the reference) or ``"oxigraph"`` (the shapes compiled to SPARQL and run on a
    pyoxigraph store; the same report, much faster on large graphs).
    ``with_ontology`` validates the data together with the packaged ontology.
    Raises :class:`CouldNotValidate` when the shapes cannot be applied at all (before reading the data).
    """
    if engine not in ENGINES:
        raise UsageError(f"unknown validation engine {engine!r}: use 'oxigraph' or 'pyshacl'")
    sg = shapes if isinstance(shapes, Graph) else load_shapes(shapes)
    if engine == "pyshacl":
        return reference.validate_graph(data_graph(data, with_ontology), sg, use_shapes, focus_nodes)
    checks = oxigraph.checks_for(sg, use_shapes)  # refuses unsupported shapes first
    dg = data_graph(data, with_ontology)
    store = oxigraph.store_of(dg)
    report = oxigraph.run_checks(store, sg, checks, focus_nodes, triples=len(dg), in_memory=True)
    # The store keeps typed literals by value ("150.0"^^xsd:decimal comes back as "150"):
    # report values as the data writes them.
    report = oxigraph.restore_lexical(report, dg, sg)
    return Report.of(report.results, sg, report.triples, describe(dg + sg, report.results))
