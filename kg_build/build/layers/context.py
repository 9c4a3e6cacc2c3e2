"""Curated context beyond the guide's text: detection assays, TRK inhibitors and their approvals.

It goes into its own named graph (``graph/context``), apart from what the guide states
(``graph/guide``) and from the identifiers of the entities the guide names (``graph/curation``):
the guide's Diagnostic Assays section is empty and it names no approved drug, so these facts
come from other sources, each item carrying its own (``dcterms:source``, ``ntrk:listedBy``).
Only verified drug identifiers are used; drug targets link to the TRK proteins' UniProt IRIs.
"""

from __future__ import annotations

from rdflib import RDF, RDFS, Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

from kg_build.build.sssom import context_mapping_rows
from kg_build.curation.curated import Curated, labelled_curies
from kg_build.rdf import iris
from kg_build.rdf.literals import boolean, date
from kg_build.rdf.vocab import T
from kg_build.tsv import split_list


def _xref(g: Graph, curie: str, label: str = "") -> URIRef:
    target = iris.curie(curie)
    g.add((target, DCTERMS.identifier, Literal(curie)))
    if label:
        g.add((target, RDFS.label, Literal(label)))
    return target


def _sources(g: Graph, node: URIRef, cell: str) -> None:
    for url in split_list(cell):
        g.add((node, DCTERMS.source, URIRef(url)))


def add_context(ds: Dataset, cur: Curated) -> Graph:
    """Write assays, drugs and approvals into the context graph."""
    g = ds.graph(iris.CONTEXT_GRAPH)
    doc = cur["documents"][0]["key"] if cur["documents"] else ""
    proteins = {r["symbol"]: iris.curie(r["uniprot_id"]) for r in cur["proteins"]}
    for r in cur["assays"]:
        node = iris.assay(r["key"])
        g.add((node, RDF.type, T.Assay))
        g.add((node, RDFS.label, Literal(r["label"])))
        for n in split_list(r["listed_by"]):
            g.add((node, T.listedBy, iris.reference(doc, n)))
        for p in split_list(r["detects"]):
            g.add((node, T.detectsProtein, proteins[p]))
        _sources(g, node, r["sources"])
        if r["note"]:
            g.add((node, RDFS.comment, Literal(r["note"])))
    for r in cur["drugs"]:
        node = iris.drug(r["key"])
        g.add((node, RDF.type, T.TRKInhibitor if r["kind"] == "trk-inhibitor" else T.Drug))
        g.add((node, RDFS.label, Literal(r["label"])))
        for col, prop in (("brand", T.brandName), ("development_code", T.developmentCode), ("other_targets", T.otherTargetsVerbatim)):
            if r[col]:
                g.add((node, prop, Literal(r[col])))
        for p in split_list(r["inhibits"]):
            g.add((node, T.inhibits, proteins[p]))
        _sources(g, node, r["sources"])
        if r["note"]:
            g.add((node, RDFS.comment, Literal(r["note"])))
    # Drug identifiers and assay terms: the same rows as the SSSOM mapping set writes.
    for m in context_mapping_rows(cur):
        g.add((iris.curie(m.subject_id), iris.curie(m.predicate_id), _xref(g, m.object_id, m.object_label)))
    for r in cur["approvals"]:
        node = iris.approval(r["key"])
        g.add((node, RDF.type, T.RegulatoryApproval))
        g.add((node, RDFS.label, Literal(f"{r['agency']} {r['action']} of {r['drug']}, {r['date']}")))
        g.add((node, T.approvedDrug, iris.drug(r["drug"])))
        g.add((node, T.agency, Literal(r["agency"])))
        g.add((node, T.approvalAction, Literal(r["action"])))
        g.add((node, T.approvalDate, date(r["date"])))
        for c, label in labelled_curies(r["indication"]):
            g.add((node, T.indication, _xref(g, c, label)))
        if r["population"]:
            g.add((node, T.approvedPopulation, Literal(r["population"])))
        if r["tissue_agnostic"]:
            g.add((node, T.isTissueAgnostic, boolean(r["tissue_agnostic"] == "true")))
        _sources(g, node, r["sources"])
    return g
