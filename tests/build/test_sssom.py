"""The exported mapping set is valid SSSOM, agrees with the graph's triples, and covers Table 1."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest
import yaml
from rdflib import Dataset, URIRef

from kg_build.curation import curated as curation
from kg_build.layout import SSSOM_FILE
from kg_build.rdf import iris
from kg_build.rdf.prefixes import compress, namespaces

KNOWN_PREDICATES = {
    "skos:exactMatch", "skos:closeMatch", "skos:broadMatch", "skos:narrowMatch", "skos:relatedMatch",
    "oboInOwl:hasDbXref",
}


def read_sssom(path: Path) -> tuple[dict, list[dict[str, str]]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    meta = yaml.safe_load("\n".join(line[1:] for line in lines if line.startswith("#")))
    body = [line for line in lines if not line.startswith("#")]
    header = body[0].split("\t")
    rows = [dict(zip(header, line.split("\t"), strict=False)) for line in body[1:]]
    assert all(len(line.split("\t")) == len(header) for line in body[1:])
    return meta, rows


@pytest.fixture(scope="module")
def exported(built_dir: Path) -> tuple[dict, list[dict[str, str]]]:
    path = built_dir / SSSOM_FILE
    assert path.is_file()
    return read_sssom(path)


@pytest.fixture(scope="module")
def schema():
    import sssom_schema
    from linkml_runtime.utils.schemaview import SchemaView

    return SchemaView(os.path.join(os.path.dirname(sssom_schema.__file__), "schema", "sssom_schema.yaml"))


def test_metadata_has_every_required_element(exported, schema):
    meta, _ = exported
    required = [s.name for s in schema.class_induced_slots("mapping set") if s.required]
    assert sorted(required) == ["license", "mapping_set_id"]
    assert all(meta.get(k) for k in required)
    assert meta["mapping_set_id"] == "https://w3id.org/ntrk-kg/mappings/ntrk-kg.sssom.tsv"
    assert meta["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert meta["mapping_set_version"] == __import__("kg_build").__version__
    known = {s.name for s in schema.class_induced_slots("mapping set")}
    assert set(meta) <= known  # no non-standard metadata


def test_every_row_has_the_required_columns_known_predicates_and_semapv_justifications(exported, schema):
    _, rows = exported
    required = [s.name for s in schema.class_induced_slots("mapping") if s.required]
    justification = schema.get_slot("mapping_justification").pattern
    assert rows
    for r in rows:
        for col in ("subject_id", "object_id", *required):
            assert r[col], f"{r['subject_id']} -> {r['object_id']}: empty {col}"
        assert r["predicate_id"] in KNOWN_PREDICATES
        assert __import__("re").match(justification, r["mapping_justification"])


def test_every_curie_has_a_declared_prefix_that_agrees_with_the_project_map(exported):
    meta, rows = exported
    curie_map = meta["curie_map"]
    assert {p: namespaces()[p] for p in curie_map} == curie_map
    for r in rows:
        for col in ("subject_id", "predicate_id", "object_id", "mapping_justification"):
            prefix, _, local = r[col].partition(":")
            assert prefix in curie_map and local, f"{col} {r[col]!r}"


def test_sssom_py_validates_the_mapping_set(built_dir, caplog):
    from sssom.constants import SchemaValidationType
    from sssom.parsers import parse_sssom_table
    from sssom.validators import validate

    with caplog.at_level(logging.WARNING):
        msdf = parse_sssom_table(built_dir / SSSOM_FILE)
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    kinds = [SchemaValidationType.JsonSchema, SchemaValidationType.PrefixMapCompleteness,
             SchemaValidationType.StrictCurieFormat]
    reports = validate(msdf, validation_types=kinds, fail_on_error=False)
    assert {k.value: r.results for k, r in reports.items()} == {k.value: [] for k in kinds}
    assert len(msdf.df) == len(read_sssom(built_dir / SSSOM_FILE)[1])


def test_the_exported_mappings_are_exactly_the_mapping_triples_of_the_graph(exported, dataset: Dataset):
    _, rows = exported
    in_file = {(r["subject_id"], r["predicate_id"], r["object_id"]) for r in rows}
    predicates = {URIRef(iris.curie(p)) for p in KNOWN_PREDICATES}
    in_graph = {
        (compress(str(s)), compress(str(p)), compress(str(o)))
        for g in (iris.CURATION_GRAPH, iris.CONTEXT_GRAPH) for s, p, o in dataset.graph(g) if p in predicates
    }
    assert in_file == in_graph
    assert len([r for r in rows if r["subject_id"].startswith(("ntrkkg:drug/", "ntrkkg:assay/"))]) == 16
    assert not any(p in predicates for g in (iris.GUIDE_GRAPH, iris.METADATA_GRAPH) for _, p, _ in dataset.graph(g))


def test_mapping_set_is_the_golden_one(exported, golden):
    _, rows = exported
    golden("mappings.tsv", ["\t".join((r["subject_id"], r["predicate_id"], r["object_id"], r["object_label"])) for r in rows])


def test_every_table_1_tumour_type_has_a_mapping(exported):
    _, rows = exported
    cur = curation.load()
    table1 = {r["tumour_type"] for r in cur["prevalence"] if r["section"] == "table-1"}
    assert len(table1) == 15
    mapped = {r["subject_id"] for r in rows}
    assert sorted(t for t in table1 if f"ntrkkg:tumour-type/{t}" not in mapped) == []


def test_gene_cross_references_come_from_genes_tsv_and_none_from_wikidata(exported):
    _, rows = exported
    cur = curation.load()
    expected = set()
    for g in cur["genes"]:
        expected |= {(g["hgnc_id"], "skos:exactMatch", g["ncbigene_id"]), (g["hgnc_id"], "skos:exactMatch", g["ensembl_id"]),
                     (g["hgnc_id"], "oboInOwl:hasDbXref", g["uniprot_id"])}
    assert len(expected) == 36
    assert {(r["subject_id"], r["predicate_id"], r["object_id"]) for r in rows if r["subject_id"].startswith("HGNC:")} == expected
    assert [r for r in rows if r["object_id"].startswith("wikidata:")] == []


def test_every_row_says_where_it_came_from(exported):
    """Curated rows are manual curation; HGNC's cross-references are imported, with HGNC as provider."""
    _, rows = exported
    kinds = {}
    for r in rows:
        source = "hgnc" if r["subject_id"].startswith("HGNC:") else "curated"
        kinds.setdefault(source, set()).add((r["mapping_justification"], r["mapping_provider"]))
    assert kinds == {
        "hgnc": {("semapv:UnspecifiedMatching", "https://www.genenames.org")},
        "curated": {("semapv:ManualMappingCuration", "")},
    }
    assert len([r for r in rows if r["subject_id"].startswith("HGNC:")]) == 36


def test_oncotree_objects_are_entity_iris_not_a_resolver(exported):
    """OncoTree codes expand to the IRIs Bioregistry's URI format and MONDO's equivalence axioms
    give OncoTree classes, never to a resolver (bioregistry.io, identifiers.org) URL."""
    import bioregistry

    meta, rows = exported
    oncotree = [r["object_id"] for r in rows if r["object_id"].startswith("oncotree:")]
    assert len(oncotree) == 15
    assert iris.curie("oncotree:IFS") == URIRef("http://oncotree.mskcc.org/api/tumorTypes/search/code/IFS")
    assert bioregistry.get_iri("oncotree", "IFS") == str(iris.curie("oncotree:IFS"))
    assert meta["curie_map"]["oncotree"] == "http://oncotree.mskcc.org/api/tumorTypes/search/code/"
