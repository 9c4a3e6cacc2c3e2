"""One prefix map (kg_build/data/prefixes.tsv): Bioregistry-consistent, and total over the data and the graph."""

from __future__ import annotations

import re
from pathlib import Path

import bioregistry
import pytest
from rdflib import OWL, RDFS, Dataset, Literal, URIRef
from rdflib.namespace import DCTERMS

from kg_build.curation import curated as curation
from kg_build.rdf import iris
from kg_build.rdf.prefixes import compress, expand, records

LOCAL = {"ntrk", "ntrkkg", "ntrkgraph", "ntrksh"}
"""This project's own namespaces; Bioregistry has no entry for them (and must not: a test checks)."""
OUTSIDE_BIOREGISTRY = {"wdt", "spex"}
"""Wikidata's direct-property namespace, which the federated queries use, and the SIB sparql-examples
vocabulary of the published queries: Bioregistry lists neither."""
CASE_ONLY = {"HGNC": "hgnc", "cito": "CiTO"}
"""Prefixes whose case differs from Bioregistry's preferred prefix: HGNC writes its identifiers
HGNC:8031, and the SPAR ontologies write CiTO terms cito:citesAsEvidence."""
LINK_PREDICATES = {
    URIRef("https://schema.org/url"), RDFS.seeAlso, DCTERMS.license, OWL.versionIRI, DCTERMS.source,
    URIRef("https://w3id.org/ntrk-kg/ontology#confirmedAt"),
    URIRef("https://purl.expasy.org/sparql-examples/ontology#federatesWith"),
}
"""A web page (a guide's URL, a landing page, a licence, where a fact was confirmed) or a public
SPARQL endpoint a published query reaches may be linked only by these."""
NAMED_DOCUMENTS = {URIRef("https://w3id.org/ntrk-kg/ontology"), iris.DATASET}
"""The ontology and the dataset: documents named by a full IRI, not instance data."""
CURIE_COLUMNS = {
    "genes": ("hgnc_id", "ncbigene_id", "ensembl_id", "uniprot_id"),
    "proteins": ("uniprot_id",),
    "references": ("doi", "pmid", "pmcid"),
    "populations": ("curie",),
    "prevalence": ("population",),
    "statements": ("populations",),
    "mappings": ("subject_id", "predicate_id", "object_id", "mapping_justification"),
}

RECORDS = [pytest.param(r.prefix, r.uri_prefix, r.synonyms, id=r.prefix) for r in records() if r.prefix not in LOCAL | OUTSIDE_BIOREGISTRY]


def test_the_map_has_the_local_prefixes_and_they_are_unknown_to_bioregistry():
    assert LOCAL <= {r.prefix for r in records()}
    assert [p for p in LOCAL | OUTSIDE_BIOREGISTRY if bioregistry.normalize_prefix(p)] == []


@pytest.mark.parametrize("prefix, uri_prefix, synonyms", RECORDS)
def test_prefix_is_bioregistry_preferred(prefix, uri_prefix, synonyms):
    resource = bioregistry.get_resource(bioregistry.normalize_prefix(prefix) or "")
    assert resource is not None, f"{prefix} is not a Bioregistry prefix or synonym"
    preferred = resource.get_preferred_prefix() or resource.prefix
    assert prefix == preferred or CASE_ONLY.get(prefix) == preferred


@pytest.mark.parametrize("prefix, uri_prefix, synonyms", RECORDS)
def test_synonyms_and_uri_prefix_belong_to_the_same_bioregistry_resource(prefix, uri_prefix, synonyms):
    norm = bioregistry.normalize_prefix(prefix)
    assert {s: bioregistry.normalize_prefix(s) for s in synonyms} == {s: norm for s in synonyms}
    assert uri_prefix in bioregistry.get_resource(norm).get_uri_prefixes()


def test_every_curie_in_the_curated_data_expands():
    cur = curation.load()
    seen, bad = 0, []
    for table, cols in CURIE_COLUMNS.items():
        for r in cur[table]:
            for col in cols:
                for value in r[col].split():
                    seen += 1
                    if expand(value) is None:
                        bad.append(f"{table}:{r.line}: {col}: {value}")
    assert seen > 150 and bad == []


def test_identifier_literals_expand_to_their_node(dataset: Dataset):
    pairs = [(s, o) for s, _, o, _ in dataset.quads((None, DCTERMS.identifier, None, None)) if isinstance(o, Literal)]
    assert len(pairs) > 100
    assert [(str(s), str(o)) for s, o in pairs if expand(str(o)) != str(s)] == []


def test_every_iri_in_the_graph_compresses_to_a_known_prefix(dataset: Dataset):
    """Except web pages (only as objects of LINK_PREDICATES) and the two NAMED_DOCUMENTS."""
    bad, pages = set(), set()
    for s, p, o, g in dataset.quads((None, None, None, None)):
        for term in (s, p, g):
            if isinstance(term, URIRef) and term not in NAMED_DOCUMENTS and compress(str(term)) is None:
                bad.add(str(term))
        if isinstance(o, URIRef) and o not in NAMED_DOCUMENTS and compress(str(o)) is None:
            (pages if p in LINK_PREDICATES else bad).add(str(o))
    assert sorted(bad) == []
    assert {
        "https://creativecommons.org/licenses/by/4.0/",
        "https://pathologica.it/article/view/787",
        "https://w3id.org/ntrk-kg/ontology/0.1.0",
        "https://www.benchchem.com/product/b12401492#the-significance-of-ntrk-gene-fusions-as-an-oncogenic-driver",
    } <= pages
    assert all(p.startswith(("http://", "https://")) for p in pages)


def test_no_placeholder_iris_or_prefixes(dataset: Dataset):
    text = "\n".join(str(t) for q in dataset.quads((None, None, None, None)) for t in q)
    assert not re.search(r"example\.(org|com)|UNKNOWN|localhost", text)


PATTERNED = [pytest.param(r.prefix, r.pattern, id=r.prefix) for r in records() if r.pattern]


def test_patterns_are_given_for_the_identifier_prefixes():
    assert [r.prefix for r in records() if r.pattern] == [
        "HGNC", "NCBIGene", "ensembl", "uniprot", "GO", "SO", "MONDO", "NCIT", "DOID", "HP", "OBI", "CHEBI",
        "oncotree", "reactome", "kegg.pathway", "pubmed", "pmc", "doi", "drugbank", "chembl.compound",
        "pubchem.compound", "wikidata", "RO",
    ]


@pytest.mark.parametrize("prefix, pattern", PATTERNED)
def test_pattern_accepts_bioregistry_example_of_the_same_kind(prefix, pattern):
    """Each pattern accepts Bioregistry's own example identifier (ensembl's pattern admits genes only,
    the one kind of Ensembl identifier the graph uses, so its example is a gene)."""
    import re

    example = {"ensembl": "ENSG00000139618"}.get(prefix) or bioregistry.get_example(bioregistry.normalize_prefix(prefix))
    assert example is not None
    assert re.fullmatch(pattern, example), f"{prefix}: {example!r} does not match {pattern}"


def test_every_curie_of_the_graph_matches_its_prefix_pattern(built_dir: Path):
    from kg_build.rdf.prefixes import pattern_problem

    text = (built_dir / "ntrk-kg.nq").read_text(encoding="utf-8")
    curies = set(re.findall(r'<http://purl\.org/dc/terms/identifier> "([^"]+)"', text))
    assert len(curies) > 100
    assert [p for c in sorted(curies) if (p := pattern_problem(c))] == []


def test_the_curies_converter_agrees_with_the_light_lookups():
    from kg_build.rdf.prefixes import converter

    conv = converter()
    for r in records():
        local = "0000001" if r.pattern is None or re.fullmatch(r.pattern, "0000001") else None
        if local is None:
            continue
        iri = r.uri_prefix + local
        assert conv.expand(f"{r.prefix}:{local}") == expand(f"{r.prefix}:{local}") == iri
        assert conv.compress(iri) == compress(iri)
    assert conv.expand("hgnc:8031") == "https://identifiers.org/hgnc:8031"
