"""Curated context beyond the guide: assays, TRK inhibitors and approvals, each with its source."""

from __future__ import annotations

from pathlib import Path

from rdflib import RDF, Dataset, Literal, URIRef
from rdflib.namespace import DCTERMS, SKOS

from kg_build.rdf import iris
from kg_build.rdf.vocab import T

CTX = iris.CONTEXT_GRAPH
TRK = {URIRef("http://purl.uniprot.org/uniprot/" + a) for a in ("P04629", "Q16620", "Q16288")}


def _ids(g, node: URIRef) -> set[str]:
    return {str(g.value(x, DCTERMS.identifier)) for x in g.objects(node, SKOS.exactMatch)}


def test_trk_inhibitors_have_only_verified_identifiers_and_trk_targets(dataset: Dataset) -> None:
    g = dataset.graph(CTX)
    assert set(g.subjects(RDF.type, T.TRKInhibitor)) == {iris.drug(k) for k in ("larotrectinib", "entrectinib", "repotrectinib")}
    assert _ids(g, iris.drug("larotrectinib")) == {"drugbank:DB14723", "chembl.compound:CHEMBL3889654"}
    assert _ids(g, iris.drug("entrectinib")) == {"CHEBI:195558", "pubchem.compound:25141092", "drugbank:DB11986", "chembl.compound:CHEMBL1983268"}
    assert _ids(g, iris.drug("repotrectinib")) == set()
    assert _ids(g, iris.drug("larotinib-mesylate")) == {"NCIT:C172062"}
    for key in ("larotrectinib", "entrectinib", "repotrectinib"):
        assert set(g.objects(iris.drug(key), T.inhibits)) == TRK
        assert list(g.objects(iris.drug(key), DCTERMS.source)), key


def test_fda_approval_dates(dataset: Dataset) -> None:
    g = dataset.graph(CTX)
    dates = {str(g.value(a, T.approvedDrug)).rsplit("/", 1)[-1]: str(g.value(a, T.approvalDate))
             for a in g.subjects(RDF.type, T.RegulatoryApproval)}
    assert dates == {"larotrectinib": "2018-11-26", "entrectinib": "2019-08-15", "repotrectinib": "2024-06-13"}
    for a in g.subjects(RDF.type, T.RegulatoryApproval):
        assert g.value(a, T.indication) == URIRef("http://purl.obolibrary.org/obo/MONDO_0700215")
        assert g.value(a, T.isTissueAgnostic) == Literal(True)


def test_assays_listed_by_reference_3_with_obi_and_ncit_terms(dataset: Dataset) -> None:
    g = dataset.graph(CTX)
    terms = {}
    for a in g.subjects(RDF.type, T.Assay):
        assert g.value(a, T.listedBy) == iris.reference("ntrk-guide", "3")
        terms[str(a).rsplit("/", 1)[-1]] = {
            (p.split("#")[-1], str(g.value(x, DCTERMS.identifier)))
            for p in (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch) for x in g.objects(a, p)
        }
    assert terms == {
        "pan-trk-ihc": {("broadMatch", "OBI:0001986"), ("broadMatch", "NCIT:C23020")},
        "fish": {("exactMatch", "OBI:0003094"), ("exactMatch", "NCIT:C17563")},
        "rt-pcr": {("exactMatch", "OBI:0001170"), ("exactMatch", "NCIT:C18136")},
        "dna-ngs": {("broadMatch", "OBI:0000626"), ("closeMatch", "NCIT:C130177")},
        "rna-ngs": {("broadMatch", "OBI:0001177")},
    }
    assert set(g.objects(iris.assay("pan-trk-ihc"), T.detectsProtein)) == TRK


def test_no_unverified_identifier_reaches_the_build(built_dir: Path) -> None:
    text = (built_dir / "ntrk-kg.nq").read_text(encoding="utf-8")
    for unverified in ("46188928", "135565923", "DB16826", "C102564", "129103609", "C101293", "DB14896", "35860155"):
        assert unverified not in text, unverified
