"""The shapes graph: reading it, and the mistakes SHACL itself does not catch.

:func:`load_shapes` gives the packaged ``ontology/shapes.ttl`` or a file of shapes, read with every
literal as written; :func:`shape_problems` finds unknown ``sh:`` terms, unknown datatypes and
classes or properties the ontology does not declare (the project's tests require none in its own
shapes). Not being able to use the shapes at all is :class:`CouldNotValidate` (exit status 2).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from rdflib import RDF, XSD, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, SH
from rdflib.term import Node

from kg_build.errors import UsageError
from kg_build.resources import SHAPES_FILE
from kg_build.shacl.report import show


class CouldNotValidate(UsageError):
    """The shapes or the data could not be used for validation at all (exit status 2)."""


def one_line(exc: BaseException) -> str:
    """An exception's message on one line."""
    return " ".join(str(exc).split())


@contextmanager
def literals_as_written() -> Iterator[None]:
    """Parse RDF keeping every literal's lexical form as written.

    rdflib rewrites some literals while parsing (``"01"^^xsd:integer`` becomes ``"1"``,
    ``"none"^^xsd:boolean`` becomes ``"false"``); SHACL checks the literal as written (its
    pattern, its length, whether it is well formed), so data and shapes are read without that.
    """
    import rdflib

    before = rdflib.NORMALIZE_LITERALS
    rdflib.NORMALIZE_LITERALS = False
    try:
        yield
    finally:
        rdflib.NORMALIZE_LITERALS = before


def load_shapes(path: Path | None = None) -> Graph:
    """The shapes graph: the packaged ``ontology/shapes.ttl`` or another file of shapes."""
    if path is None:
        return packaged_shapes()
    from kg_build.rdf.io import load_dataset

    try:
        with literals_as_written():
            ds = load_dataset([path])
    except UsageError as exc:
        raise CouldNotValidate(f"cannot read the shapes: {exc}") from exc
    shapes = Graph()
    for s, p, o, _ in ds.quads((None, None, None, None)):
        shapes.add((s, p, o))
    problems = shape_problems(shapes, ontology_terms=False)
    if problems:
        raise CouldNotValidate(f"{path}: the shapes have mistakes that would check nothing: " + "; ".join(problems))
    return shapes


@lru_cache(maxsize=1)
def packaged_shapes() -> Graph:
    """``ontology/shapes.ttl``, read once."""
    try:
        return Graph().parse(SHAPES_FILE, format="turtle")
    except Exception as exc:  # a broken shipped file is a bug, but still say where
        raise CouldNotValidate(f"{SHAPES_FILE}: not valid Turtle: {exc}") from exc


def source_rules(shapes: Graph | None = None) -> list[URIRef]:
    """The shapes whose results are doubts about the source (severity warning or info), sorted."""
    sg = shapes if shapes is not None else packaged_shapes()
    return sorted(
        s for sev in (SH.Warning, SH.Info) for s in sg.subjects(SH.severity, sev) if isinstance(s, URIRef)
    )


# Parameters whose values name classes, properties or datatypes of the data.
_CLASS_PARAMETERS = (SH.targetClass, SH["class"])
_PROPERTY_PARAMETERS = (
    SH.targetSubjectsOf, SH.targetObjectsOf, SH.equals, SH.disjoint, SH.lessThan, SH.lessThanOrEquals,
)
_PATH_PARAMETERS = (SH.path, SH.inversePath, SH.alternativePath, SH.zeroOrMorePath, SH.oneOrMorePath,
                    SH.zeroOrOnePath)


# The built-in datatypes of XML Schema 1.1 Part 2 (section 3), as RDF 1.1 and OWL 2 use them.
XSD_DATATYPES = (
    "anyURI", "base64Binary", "boolean", "byte", "date", "dateTime", "dateTimeStamp", "dayTimeDuration",
    "decimal", "double", "duration", "float", "gDay", "gMonth", "gMonthDay", "gYear", "gYearMonth",
    "hexBinary", "int", "integer", "language", "long", "Name", "NCName", "negativeInteger", "NMTOKEN",
    "nonNegativeInteger", "nonPositiveInteger", "normalizedString", "positiveInteger", "short", "string",
    "time", "token", "unsignedByte", "unsignedInt", "unsignedLong", "unsignedShort", "yearMonthDuration",
)


def known_datatypes() -> frozenset[URIRef]:
    """Datatypes a ``sh:datatype`` may name: XSD's built-in datatypes and RDF's own."""
    rdf_types = (RDF.langString, RDF.HTML, RDF.XMLLiteral, RDF.JSON, RDF.PlainLiteral)
    return frozenset([XSD[name] for name in XSD_DATATYPES] + [URIRef(t) for t in rdf_types])


def _external_term(iri: URIRef) -> bool:
    """Whether ``iri`` is a term of a W3C or DCMI vocabulary that rdflib defines (closed namespaces)."""
    from rdflib.namespace import DCTERMS, SKOS, VOID
    from rdflib.namespace import RDFS as _RDFS
    from rdflib.namespace import XSD as _XSD

    for ns in (RDF, _RDFS, OWL, _XSD, SKOS, DCTERMS, VOID, SH):
        if str(iri).startswith(str(ns)):
            return iri in ns
    return False


def path_properties(g: Graph, node: Node) -> Iterable[URIRef]:
    if isinstance(node, URIRef):
        yield node
        return
    for p in _PATH_PARAMETERS[1:]:
        for inner in g.objects(node, p):
            yield from path_properties(g, inner)
    if (node, RDF.first, None) in g:
        for item in Collection(g, node):
            yield from path_properties(g, item)


def sparql_terms(shapes: Graph) -> dict[Node, set[URIRef]]:
    """IRIs each SPARQL constraint's query uses (parsed with the shapes' ``sh:declare`` prefixes)."""
    from rdflib.plugins.sparql import prepareQuery

    out: dict[Node, set[URIRef]] = {}
    for shape, constraint in shapes.subject_objects(SH.sparql):
        select = shapes.value(constraint, SH.select)
        prefixes: dict[str, str] = {}
        hosts = list(shapes.objects(constraint, SH.prefixes))
        for host in hosts:  # a node's declarations and those of the nodes it owl:imports
            hosts.extend(h for h in shapes.objects(host, OWL.imports) if h not in hosts)
            for decl in shapes.objects(host, SH.declare):
                prefixes[str(shapes.value(decl, SH.prefix))] = str(shapes.value(decl, SH.namespace))
        try:
            query = prepareQuery(str(select), initNs=prefixes)
        except Exception as exc:  # pyparsing and rdflib raise many types for a bad query
            raise CouldNotValidate(f"a SPARQL constraint of {show(shape)} is not valid SPARQL: {one_line(exc)}") from exc
        found: set[URIRef] = set()

        def walk(x: object, found: set[URIRef] = found) -> None:
            if isinstance(x, URIRef):
                found.add(x)
            elif isinstance(x, dict):
                for v in x.values():
                    walk(v)
            elif isinstance(x, (list, tuple, set)):
                for v in x:
                    walk(v)
            elif hasattr(x, "__dict__") and not isinstance(x, (str, bytes, Literal)):
                walk(vars(x))

        walk(query.algebra)
        out.setdefault(shape, set()).update(found)
    return out


def shape_problems(
    shapes: Graph, declared: frozenset[URIRef] | None = None, ontology_terms: bool = True
) -> list[str]:
    """Mistakes SHACL itself does not catch: unknown ``sh:`` terms (``sh:minCont``), datatypes that
    are not XSD/RDF datatypes, and classes or properties the ontology does not declare.

    A shapes graph with such a mistake silently checks nothing; the tests require none. With
    ``ontology_terms=False`` (shapes written for other vocabularies) only the first two are checked,
    and unknown ``sh:`` terms are left alone: SHACL ignores them (the W3C suite itself has one).
    """
    from kg_build.rdf.vocab import declared_terms

    declared = declared if declared is not None else declared_terms()
    problems: set[str] = set()
    for triple in shapes:
        for term in triple if ontology_terms else ():
            if isinstance(term, URIRef) and str(term).startswith(str(SH)) and term not in SH:
                problems.add(f"{show(term)} is not a term of the SHACL vocabulary")
    datatypes = known_datatypes()
    for dt in shapes.objects(None, SH.datatype):
        if dt not in datatypes:
            problems.add(f"sh:datatype {show(dt)} is not an XSD or RDF datatype")

    def check(iri: Node, what: str) -> None:
        if ontology_terms and isinstance(iri, URIRef) and iri not in declared and not _external_term(iri):
            problems.add(f"{what} {show(iri)} is neither declared in the ontology nor a W3C/DCMI term")

    for p in _CLASS_PARAMETERS:
        for c in shapes.objects(None, p):
            check(c, "class")
    for p in _PROPERTY_PARAMETERS:
        for prop in shapes.objects(None, p):
            check(prop, "property")
    for path in shapes.objects(None, SH.path):
        for prop in path_properties(shapes, path):
            check(prop, "property")
    for terms in sparql_terms(shapes).values():
        for iri in terms:
            check(iri, "term in a SPARQL constraint")
    return sorted(problems)
