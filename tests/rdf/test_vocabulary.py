"""Code and ontology agree: the builder uses only declared terms, and every declared term is used."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
from rdflib import OWL, RDF, RDFS, Dataset, URIRef

from kg_build.rdf import vocab
from kg_build.rdf.iris import ONTOLOGY_GRAPH
from kg_build.rdf.vocab import NTRK, T, UndeclaredTerm, declared_terms, ontology_graph
from kg_build.resources import PACKAGE_DIR


def used_in_code() -> set[str]:
    names: set[str] = set()
    for path in PACKAGE_DIR.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        names |= set(re.findall(r"\bT\.([A-Za-z]\w*)", text))
        names |= set(re.findall(r'\bT\["([A-Za-z]\w*)"\]', text))
    return names


def test_every_term_the_code_names_is_declared() -> None:
    declared = {str(t).removeprefix(NTRK) for t in declared_terms() if str(t).startswith(NTRK)}
    assert used_in_code() - declared == set()


def test_an_undeclared_term_cannot_be_used() -> None:
    with pytest.raises(UndeclaredTerm, match="ntrk:Gnee is not declared"):
        _ = T.Gnee


def test_every_declared_term_is_used_by_the_data_or_is_a_parent_of_a_used_term(dataset: Dataset) -> None:
    used: set[URIRef] = set()
    individuals = set(ontology_graph().subjects(RDF.type, OWL.NamedIndividual))
    for _s, p, o, g in dataset.quads((None, None, None, None)):
        if g == ONTOLOGY_GRAPH:
            continue
        used.add(p)
        if p == RDF.type or o in individuals:
            used.add(o)
    onto = ontology_graph()
    used |= {c for i in used & individuals for c in onto.objects(i, RDF.type)}
    # An inverse property is used by the defined classes' restrictions, never written as data.
    used |= {s for s, o in onto.subject_objects(OWL.inverseOf) if o in used}
    parents = {o for s in used for o in onto.transitive_objects(s, RDFS.subClassOf)}
    parents |= {o for s in used for o in onto.transitive_objects(s, RDFS.subPropertyOf)}
    ours = {t for t in declared_terms() if str(t).startswith(NTRK)}
    if importlib.util.find_spec("kg_build.shacl.validation") is None:
        # used only by findings that the validation rules derive; strict once the rules are installed
        used |= {URIRef(NTRK + "InternalInconsistency"), URIRef(NTRK + "sourceShape")}
    assert sorted(str(t) for t in ours - used - parents) == []


def test_every_term_has_a_label_and_a_definition() -> None:
    from rdflib.namespace import SKOS

    onto = ontology_graph()
    missing = [
        str(t) for t in declared_terms()
        if str(t).startswith(NTRK) and not (onto.value(t, RDFS.label) and onto.value(t, SKOS.definition))
    ]
    assert missing == []


def test_ontology_metadata() -> None:
    onto = ontology_graph()
    o = URIRef("https://w3id.org/ntrk-kg/ontology")
    assert (o, RDF.type, OWL.Ontology) in onto
    assert str(onto.value(o, OWL.versionIRI)) == "https://w3id.org/ntrk-kg/ontology/0.1.0"
    assert str(onto.value(o, URIRef("http://purl.org/dc/terms/license"))) == "https://creativecommons.org/licenses/by/4.0/"


def test_vocabulary_comes_from_the_shipped_ontology_file() -> None:
    assert Path(vocab.ONTOLOGY_FILE).name == "ntrk.ttl" and Path(vocab.ONTOLOGY_FILE).is_file()
