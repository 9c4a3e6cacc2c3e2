"""The graph's mapping set in SSSOM: the curated mappings plus gene cross-references from genes.tsv.

One list of rows (``mapping_rows``) feeds both the ``skos:*Match`` / ``oboInOwl:hasDbXref``
triples of the curation graph and the exported ``ntrk-kg.sssom.tsv``, so the two always agree.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from kg_build import __version__, layout
from kg_build.curation.curated import Curated
from kg_build.rdf.prefixes import namespaces

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
    """Every mapping of the graph, sorted: curated rows, then HGNC's cross-references of each gene.

    Gene rows come from genes.tsv, whose identifiers are the verified HGNC cross-references
    (NCBI Gene and Ensembl as exact matches; UniProt, a protein, as a database cross-reference).
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
                    r["hgnc_id"], predicate, r[col], "semapv:ManualMappingCuration",
                    r["symbol"], proteins.get(r[col], ""), HGNC_PROVIDER, f"HGNC cross-reference; {r['source']}",
                ))
    return sorted(set(rows))


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
            "Reactome and KEGG (curated), and the guide's genes cross-referenced to NCBI Gene, Ensembl and "
            "UniProt as HGNC records them."),
        f"license: {_yaml_str(LICENSE)}",
    ]
    lines = [f"#{h}" for h in header]
    lines.append("\t".join(COLUMNS))
    for m in rows:
        lines.append("\t".join(getattr(m, c) for c in COLUMNS))
    return ("\n".join(lines) + "\n").encode("utf-8")
