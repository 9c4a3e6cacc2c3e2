"""Exports: every format holds the same graph, rebuilds are byte-identical, no blank nodes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import OWL, BNode, Dataset, Graph
from rdflib.compare import isomorphic

from kg_build.build import pipeline
from kg_build.build.digest import sha256_file

TRIPLE_FILES = {"ntrk-kg.ttl": "turtle", "ntrk-kg.nt": "nt", "ntrk-kg.rdf": "xml"}
QUAD_FILES = {"ntrk-kg.nq": "nquads", "ntrk-kg.trig": "trig", "ntrk-kg.jsonld": "json-ld"}
GRAPHS = {
    "https://w3id.org/ntrk-kg/graph/context",
    "https://w3id.org/ntrk-kg/graph/curation",
    "https://w3id.org/ntrk-kg/graph/factcheck",
    "https://w3id.org/ntrk-kg/graph/guide",
    "https://w3id.org/ntrk-kg/graph/metadata",
    "https://w3id.org/ntrk-kg/graph/ontology",
    "https://w3id.org/ntrk-kg/graph/inferred",
}
ONTOLOGY_GRAPH = "https://w3id.org/ntrk-kg/graph/ontology"


def _graphs(path: Path, fmt: str) -> dict[str, Graph]:
    ds = Dataset()
    ds.parse(path, format=fmt)
    return {str(g.identifier): g for g in ds.graphs() if len(g)}


@pytest.fixture(scope="module")
def turtle(built_dir: Path) -> Graph:
    return Graph().parse(built_dir / "ntrk-kg.ttl", format="turtle")


@pytest.mark.parametrize("name", sorted(TRIPLE_FILES))
def test_triple_formats_are_isomorphic_to_the_turtle(built_dir: Path, turtle: Graph, name: str) -> None:
    g = Graph().parse(built_dir / name, format=TRIPLE_FILES[name])
    assert len(g) == len(turtle)
    assert isomorphic(g, turtle)


@pytest.mark.parametrize("name", sorted(QUAD_FILES))
def test_quad_formats_keep_the_named_graphs_and_their_union_is_the_turtle(
    built_dir: Path, turtle: Graph, name: str
) -> None:
    graphs = _graphs(built_dir / name, QUAD_FILES[name])
    assert set(graphs) == GRAPHS
    reference = _graphs(built_dir / "ntrk-kg.nq", "nquads")
    for iri, g in graphs.items():
        assert isomorphic(g, reference[iri]), iri
    union = Graph()
    for g in graphs.values():
        for t in g:
            union.add(t)
    assert isomorphic(union, turtle)


def test_jsonld_uses_the_shipped_context(built_dir: Path) -> None:
    doc = json.loads((built_dir / "ntrk-kg.jsonld").read_text(encoding="utf-8"))
    context = json.loads((built_dir / "context.jsonld").read_text(encoding="utf-8"))["@context"]
    assert doc["@context"] == context
    assert context["HGNC"] == "https://identifiers.org/hgnc:"
    assert context["ntrk"] == "https://w3id.org/ntrk-kg/ontology#"


def test_no_blank_nodes_in_any_export(built_dir: Path) -> None:
    """No blank node anywhere in the dataset, so a reload into a store never duplicates triples."""
    for name, fmt in {**TRIPLE_FILES, **QUAD_FILES}.items():
        ds = Dataset()
        ds.parse(built_dir / name, format=fmt)
        assert not [q for q in ds.quads((None, None, None, None)) if any(isinstance(t, BNode) for t in q[:3])], name


def test_the_full_ontology_is_written_beside_the_graph(built_dir: Path) -> None:
    """The OWL class expressions (blank nodes by the OWL 2 RDF mapping) live in the ontology file only."""
    from kg_build.resources import ONTOLOGY_FILE

    assert (built_dir / "ntrk-kg-ontology.ttl").read_bytes() == ONTOLOGY_FILE.read_bytes()
    full = Graph().parse(built_dir / "ntrk-kg-ontology.ttl", format="turtle")
    in_dataset = _graphs(built_dir / "ntrk-kg.nq", "nquads")[ONTOLOGY_GRAPH]
    assert set(in_dataset) == {t for t in full if not any(isinstance(x, BNode) for x in t)}
    assert any(isinstance(o, BNode) for _, _, o in full.triples((None, OWL.equivalentClass, None)))

def test_rebuild_is_byte_identical_even_with_another_hash_seed(built_dir: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run([sys.executable, "-m", "kg_build", "build", "--out", str(again)], check=True, env=env,
                   capture_output=True)
    names = sorted(p.name for p in built_dir.iterdir() if p.is_file())
    assert names == sorted(p.name for p in again.iterdir() if p.is_file())
    for name in names:
        assert (built_dir / name).read_bytes() == (again / name).read_bytes(), name


def test_manifest_counts_and_checksums(built_dir: Path) -> None:
    manifest = json.loads((built_dir / "manifest.json").read_text(encoding="utf-8"))
    ds = Dataset()
    ds.parse(built_dir / "ntrk-kg.nq", format="nquads")
    counts = {str(g.identifier): len(g) for g in ds.graphs() if len(g)}
    assert manifest["graphs"] == counts
    assert manifest["quads"] == sum(counts.values())
    assert manifest["triples_in_union"] == len(Graph().parse(built_dir / "ntrk-kg.ttl"))
    for name, digest in manifest["outputs"].items():
        assert sha256_file(built_dir / name) == digest, name
    assert set(manifest["outputs"]) == {p.name for p in built_dir.iterdir() if p.is_file()} - {"manifest.json"}
    assert "data/prevalence.tsv" in manifest["inputs"] and "ontology/ntrk.ttl" in manifest["inputs"]
    assert all(len(d) == 64 for d in manifest["inputs"].values())


def test_format_option_writes_only_the_chosen_formats(tmp_path: Path) -> None:
    pipeline.build(tmp_path, ("turtle", "nquads"))
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "manifest.json", "ntrk-kg-ontology.ttl", "ntrk-kg.nq", "ntrk-kg.sssom.tsv", "ntrk-kg.ttl", "store"]
