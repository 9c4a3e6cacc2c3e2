"""An OBO/FAIR-style check of the ontology, as FOOPS! and the OBO dashboard look at an ontology.

The header names its creator, dates, licence, version and the prefix and namespace its terms are
written with (matching the project's prefix map); every term of its namespace says where it is
defined; every predicate and class any graph of the dataset uses is declared; and the
disjointness axioms survive a round trip through py-horned-owl, which drops owl:AllDisjointClasses.
"""

from __future__ import annotations

import datetime as dt
from itertools import combinations

import pytest
from rdflib import OWL, RDF, RDFS, XSD, Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

from kg_build import __version__
from kg_build.rdf.prefixes import namespaces
from kg_build.rdf.vocab import NTRK, declared_terms, ontology_graph
from kg_build.reasoning.owl import disjoint_pairs

ONTOLOGY = URIRef("https://w3id.org/ntrk-kg/ontology")
VANN = "http://purl.org/vocab/vann/"
FIRST_VERSION = "0.1.0"
BUILT_IN = (str(RDF), str(RDFS), str(OWL), str(XSD))  # XSD: the facets of datatype restrictions


@pytest.fixture(scope="module")
def onto() -> Graph:
    return ontology_graph()


def one(g: Graph, p: URIRef) -> object:
    values = list(g.objects(ONTOLOGY, p))
    assert len(values) == 1, f"the ontology has {len(values)} {p}"
    return values[0]


def test_the_header_names_creator_dates_licence_and_version(onto: Graph) -> None:
    assert isinstance(one(onto, DCTERMS.title), Literal) and isinstance(one(onto, DCTERMS.description), Literal)
    assert isinstance(one(onto, DCTERMS.license), URIRef)
    assert [str(c) for c in onto.objects(ONTOLOGY, DCTERMS.creator)] == ["The ntrk-kg maintainers"]
    created, modified = one(onto, DCTERMS.created), one(onto, DCTERMS.modified)
    assert created.datatype == XSD.date and modified.datatype == XSD.date  # type: ignore[union-attr]
    assert dt.date.fromisoformat(str(created)) <= dt.date.fromisoformat(str(modified))
    version = str(one(onto, OWL.versionInfo))
    assert str(one(onto, OWL.versionIRI)) == f"{ONTOLOGY}/{version}"


def test_prior_version_where_there_is_one(onto: Graph) -> None:
    """owl:priorVersion names the previous release's version IRI; the first version has none."""
    version = str(one(onto, OWL.versionInfo))
    prior = list(onto.objects(ONTOLOGY, OWL.priorVersion))
    if version == FIRST_VERSION:
        assert prior == []
    else:
        assert len(prior) == 1 and str(prior[0]).startswith(f"{ONTOLOGY}/")
        earlier = tuple(map(int, str(prior[0]).rsplit("/", 1)[1].split(".")))
        assert earlier < tuple(map(int, version.split(".")))


def test_the_preferred_prefix_and_namespace_are_the_prefix_maps(onto: Graph) -> None:
    prefix = str(one(onto, URIRef(VANN + "preferredNamespacePrefix")))
    namespace = str(one(onto, URIRef(VANN + "preferredNamespaceUri")))
    assert (prefix, namespace) == ("ntrk", NTRK)
    assert namespaces()[prefix] == namespace


def test_every_term_of_the_namespace_is_defined_by_the_ontology(onto: Graph) -> None:
    ours = sorted(t for t in declared_terms() if str(t).startswith(NTRK))
    assert len(ours) == 128
    assert [str(t) for t in ours if list(onto.objects(t, RDFS.isDefinedBy)) != [ONTOLOGY]] == []


def test_every_predicate_and_class_of_every_graph_is_declared(dataset: Dataset, onto: Graph) -> None:
    """The metadata graph used 13 undeclared terms (VoID, SHACL, schema.org); no graph may use any."""
    declared = set(declared_terms())
    undeclared: dict[str, set[str]] = {}
    for _, p, o, g in dataset.quads((None, None, None, None)):
        terms = [p] + ([o] if p == RDF.type else [])
        for t in terms:
            if isinstance(t, URIRef) and t not in declared and not str(t).startswith(BUILT_IN):
                undeclared.setdefault(str(g.identifier if hasattr(g, "identifier") else g), set()).add(str(t))
    for p in set(onto.predicates()):
        if not str(p).startswith(BUILT_IN) and p not in declared:
            undeclared.setdefault("ontology source", set()).add(str(p))
    assert undeclared == {}


def test_disjointness_survives_py_horned_owl(onto: Graph) -> None:
    """Every pair of classes the ontology declares disjoint is a DisjointClasses axiom to py-horned-owl."""
    pyhornedowl = pytest.importorskip("pyhornedowl")
    declared = disjoint_pairs(onto)
    assert len(declared) == 55 + 1 + 1 + 21
    parsed = pyhornedowl.open_ontology_from_string(onto.serialize(format="xml"), "rdf")
    seen = set()
    for axiom in parsed.get_axioms():
        if type(axiom.component).__name__ == "DisjointClasses":
            members = [URIRef(str(c)) for c in axiom.component.first]
            seen |= {frozenset(pair) for pair in combinations(members, 2)}
    assert seen == declared
    assert list(onto.subjects(RDF.type, OWL.AllDisjointClasses)) == []


def test_the_version_is_the_packages(onto: Graph) -> None:
    assert str(one(onto, OWL.versionInfo)) == __version__
