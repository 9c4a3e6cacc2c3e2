"""The graph's mapping set in SSSOM: every ``skos:*Match`` and ``oboInOwl:hasDbXref`` it states.

Three sources, each row saying where it came from:

- the curated mappings (``data/mappings.sssom.tsv``: tumour types, pathways, fusions), curated
  here (``semapv:ManualMappingCuration``);
- each gene's cross-references as HGNC records them (``genes.tsv``): imported, not curated here,
  so ``semapv:UnspecifiedMatching`` (HGNC does not say per record how it made each link) with
  HGNC as the ``mapping_provider``;
- the drug identifiers and assay mappings of the context graph (``drugs.tsv``, ``assays.tsv``),
  curated here.

One list of rows per graph (``mapping_rows`` for the curation graph, ``context_mapping_rows`` for
the context graph) feeds both the triples and the exported ``ntrk-kg.sssom.tsv``, so they agree.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from kg_build import __version__, layout
from kg_build.curation.curated import Curated
from kg_build.rdf import iris
from kg_build.rdf.prefixes import compress, namespaces
from kg_build.tsv import split_list

MAPPING_SET_ID = f"https://w3id.org/ntrk-kg/mappings/{layout.SSSOM_FILE}"
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
COLUMNS = ("subject_id", "subject_label", "predicate_id", "object_id", "object_label",
           "mapping_justification", "mapping_provider", "comment")
GENE_XREFS = (
    ("ncbigene_id", "skos:exactMatch"),
    ("ensembl_id", "skos:exactMatch"),
    ("uniprot_id", "oboInOwl:hasDbXref"),
)
HGNC_PROVIDER = "https://www.genenames.org"
CURATED = "semapv:ManualMappingCuration"
IMPORTED = "semapv:UnspecifiedMatching"
ASSAY_MATCHES = (("exact_match", "skos:exactMatch"), ("close_match", "skos:closeMatch"), ("broad_match", "skos:broadMatch"))


@dataclass(frozen=True, order=True)
class Mapping:
    """One SSSOM row (the mandatory elements first)."""

    subject_id: str
    predicate_id: str
    object_id: str
    mapping_justification: str
    subject_label: str = ""
    object_label: str = ""
    mapping_provider: str = ""
    comment: str = ""


def mapping_rows(cur: Curated) -> list[Mapping]:
    """The mappings of the curation graph, sorted: curated rows and HGNC's cross-references of each gene.

    Gene rows come from genes.tsv, whose identifiers are HGNC's cross-references (NCBI Gene and
    Ensembl as exact matches; UniProt, a protein, as a database cross-reference), imported as HGNC
    records them.
    """
    rows = [
        Mapping(r["subject_id"], r["predicate_id"], r["object_id"], r["mapping_justification"],
                r["subject_label"], r["object_label"], "", r["comment"])
        for r in cur["mappings"]
    ]
    proteins = {r["uniprot_id"]: r["symbol"] for r in cur["proteins"]}
    for r in cur["genes"]:
        for col, predicate in GENE_XREFS:
            if r[col]:
                rows.append(Mapping(
                    r["hgnc_id"], predicate, r[col], IMPORTED,
                    r["symbol"], proteins.get(r[col], ""), HGNC_PROVIDER,
                    f"HGNC's cross-reference, imported from its record ({r['source']}); not curated here",
                ))
    return sorted(set(rows))


def _own(iri: object) -> str:
    """The CURIE of one of the graph's own IRIs (``ntrkkg:drug/larotrectinib``)."""
    return compress(str(iri)) or str(iri)


def context_mapping_rows(cur: Curated) -> list[Mapping]:
    """The mappings of the context graph, sorted: each drug's verified identifiers (exact
    matches, ``drugs.tsv``) and each assay's OBI and NCIt terms (``assays.tsv``), curated here."""
    from kg_build.curation.curated import labelled_curies

    rows = []
    for r in cur["drugs"]:
        for c in split_list(r["identifiers"]):
            rows.append(Mapping(_own(iris.drug(r["key"])), "skos:exactMatch", c, CURATED, r["label"], "", "",
                                "verified drug identifier of the context graph (drugs.tsv)"))
    for r in cur["assays"]:
        for col, predicate in ASSAY_MATCHES:
            for c, label in labelled_curies(r[col]):
                rows.append(Mapping(_own(iris.assay(r["key"])), predicate, c, CURATED, r["label"], label, "",
                                    "assay term chosen for the context graph (assays.tsv)"))
    return sorted(set(rows))


def all_rows(cur: Curated) -> list[Mapping]:
    """Every mapping the graph states (curation and context graphs), sorted: the SSSOM file's rows."""
    return sorted(set(mapping_rows(cur)) | set(context_mapping_rows(cur)))


def _prefixes_used(rows: list[Mapping]) -> list[str]:
    used = {"semapv", "skos", "oboInOwl"}
    for m in rows:
        for curie in (m.subject_id, m.predicate_id, m.object_id, m.mapping_justification):
            used.add(curie.split(":", 1)[0])
    return sorted(used, key=str.lower)


def _yaml_str(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def render(rows: list[Mapping]) -> bytes:
    """The SSSOM TSV: YAML metadata block (``#``-prefixed), then one row per mapping."""
    ns = namespaces()
    header = ["curie_map:"]
    header += [f"  {p}: {_yaml_str(ns[p])}" for p in _prefixes_used(rows)]
    header += [
        f"mapping_set_id: {_yaml_str(MAPPING_SET_ID)}",
        f"mapping_set_version: {_yaml_str(__version__)}",
        "mapping_set_title: " + _yaml_str("Mappings of the NTRK fusion knowledge graph"),
        "mapping_set_description: " + _yaml_str(
            "Tumour types, pathways and fusions of the NTRK guide mapped to MONDO, NCIt, DOID, OncoTree, GO, "
            "Reactome and KEGG (curated), the guide's genes cross-referenced to NCBI Gene, Ensembl and "
            "UniProt as HGNC records them (imported), and the context graph's TRK inhibitors and detection "
            "assays mapped to ChEBI, PubChem, DrugBank, ChEMBL, OBI and NCIt (curated)."),
        f"license: {_yaml_str(LICENSE)}",
    ]
    lines = [f"#{h}" for h in header]
    lines.append("\t".join(COLUMNS))
    for m in rows:
        lines.append("\t".join(getattr(m, c) for c in COLUMNS))
    return ("\n".join(lines) + "\n").encode("utf-8")
