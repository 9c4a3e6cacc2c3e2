"""OWL 2 DL discipline of ontology/ntrk.ttl: declared, unpunned, labelled and defined, no dangling IRIs.

Checked twice: with rdflib over the Turtle source, and with owlready2 over the same ontology
as owlready2 loads it (N-Triples in a fresh World).
"""

from __future__ import annotations

import contextlib
import io

import pytest
from rdflib import OWL, RDF, RDFS, XSD, BNode, Graph, Literal, URIRef
from rdflib.namespace import SKOS

from kg_build.build import pipeline
from kg_build.rdf import iris
from kg_build.rdf.vocab import NTRK, ontology_graph
from kg_build.resources import ONTOLOGY_FILE

DECLARATIONS = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty,
                OWL.NamedIndividual, RDFS.Datatype)
RESERVED = (str(RDF), str(RDFS), str(OWL), str(XSD))
BUILT_IN_ANNOTATIONS = {RDFS.label, RDFS.comment, RDFS.seeAlso, RDFS.isDefinedBy, OWL.versionInfo}
OWL2_DATATYPES = {XSD.string, XSD.boolean, XSD.decimal, XSD.integer, XSD.double, XSD.dateTime, RDF.langString}
ONTOLOGY_IRI = URIRef("https://w3id.org/ntrk-kg/ontology")


@pytest.fixture(scope="module")
def onto() -> Graph:
    g = ontology_graph()
    assert len(g) > 400, f"{ONTOLOGY_FILE} looks empty"
    return g


def declared(g: Graph) -> dict[URIRef, set[URIRef]]:
    out: dict[URIRef, set[URIRef]] = {}
    for t in DECLARATIONS:
        for s in g.subjects(RDF.type, t):
            if isinstance(s, URIRef):
                out.setdefault(s, set()).add(t)
    return out


def annotation_properties(g: Graph) -> set[URIRef]:
    return set(g.subjects(RDF.type, OWL.AnnotationProperty)) | BUILT_IN_ANNOTATIONS | {OWL.versionIRI}


def test_no_punning(onto):
    punned = {str(s): sorted(map(str, ts)) for s, ts in declared(onto).items() if len(ts) > 1}
    assert punned == {}


def test_no_dangling_references(onto):
    """Every IRI the ontology mentions is declared, reserved vocabulary, or an annotation's value."""
    known = set(declared(onto)) | {ONTOLOGY_IRI}
    annotations = annotation_properties(onto)
    dangling = set()
    for s, p, o in onto:
        for term, position in ((s, "subject"), (p, "predicate"), (o, "object")):
            if not isinstance(term, URIRef) or str(term).startswith(RESERVED) or term in known:
                continue
            if position == "object" and p in annotations:
                continue  # the value of an annotation (a licence page, a version IRI) is not an entity
            dangling.add(f"{term} ({position} of {p})")
    assert sorted(dangling) == []


def test_external_terms_are_declared(onto):
    for term in ("http://purl.obolibrary.org/obo/SO_0000287", "http://purl.obolibrary.org/obo/SO_0000704"):
        assert (URIRef(term), RDF.type, OWL.Class) in onto


@pytest.mark.parametrize("kind", ["label", "definition"])
def test_every_term_is_labelled_and_defined(onto, kind):
    prop = RDFS.label if kind == "label" else SKOS.definition
    missing = sorted(
        str(t) for t in declared(onto)
        if not str(t).startswith(RESERVED) and not any(isinstance(v, Literal) and str(v) for v in onto.objects(t, prop))
    )
    assert missing == []


def test_no_imports(onto):
    assert list(onto.objects(None, OWL.imports)) == []


def test_blank_nodes_are_only_class_expressions_and_lists(onto):
    allowed = {OWL.Class, OWL.Restriction, RDFS.Datatype, OWL.AllDisjointClasses}
    list_cells = {s for s in onto.subjects(RDF.first, None)}
    facets = {o for s, o in onto.subject_objects(RDF.first) if (o, XSD.minInclusive, None) in onto}
    bad = [
        b for b in {x for t in onto for x in t if isinstance(x, BNode)}
        if b not in list_cells and b not in facets and not set(onto.objects(b, RDF.type)) & allowed
    ]
    assert bad == []


def test_the_data_uses_only_declared_terms_and_owl2_datatypes():
    """The reasoner's input (guide and curation graphs): every predicate and class is declared,
    and every value of a datatype property has a datatype of the OWL 2 datatype map."""
    _, ds = pipeline.assemble()
    onto = ds.graph(iris.ONTOLOGY_GRAPH)
    known = set(declared(onto)) | BUILT_IN_ANNOTATIONS
    data_props = set(onto.subjects(RDF.type, OWL.DatatypeProperty))
    undeclared, bad_types = set(), set()
    for g in (iris.GUIDE_GRAPH, iris.CURATION_GRAPH):
        for _s, p, o in ds.graph(g):
            if p != RDF.type and p not in known:
                undeclared.add(str(p))
            if p == RDF.type and o not in known:
                undeclared.add(str(o))
            if p in data_props and (o.datatype or XSD.string) not in OWL2_DATATYPES:
                bad_types.add((str(p), str(o.datatype)))
    assert sorted(undeclared) == [] and sorted(bad_types) == []


def test_owlready2_loads_the_ontology_cleanly():
    """owlready2 reports no punning (it warns on stderr), and sees every term with label and definition."""
    import owlready2
    from owlready2 import World

    data = ontology_graph().serialize(format="nt", encoding="utf-8")
    world = World()
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        o = world.get_ontology(str(ONTOLOGY_IRI)).load(fileobj=io.BytesIO(data), format="ntriples")
    assert err.getvalue() == ""
    entities = [e for e in list(o.classes()) + list(o.properties()) if not e.iri.startswith(RESERVED)]
    ours = sorted(e.iri for e in entities if e.iri.startswith(NTRK))
    individuals = {str(i) for i in ontology_graph().subjects(RDF.type, OWL.NamedIndividual)}
    assert ours == sorted(str(t) for t in declared(ontology_graph()) if str(t).startswith(NTRK) and str(t) not in individuals)
    definition = world["http://www.w3.org/2004/02/skos/core#definition"]
    assert [e.iri for e in entities if not e.label] == []
    assert [e.iri for e in entities if not definition[e]] == []
    kinds = {e.iri: type(e).__name__ for e in entities}
    assert len(kinds) == len(entities)  # no IRI loaded as two kinds of entity
    # the only individuals are the declared value sets (finding kinds, severities)
    assert sorted(i.iri for i in o.individuals()) == sorted(individuals)
    assert o.imported_ontologies == []
    assert isinstance(owlready2.Thing, type)
    world.close()
