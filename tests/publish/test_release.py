"""``ntrk-kg release``: the bundle and its self-description (void.ttl), checked against the data."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pyoxigraph import RdfFormat, Store

from kg_build.publish import release
from kg_build.query import catalogue
from kg_build.query.publish import published_file
from kg_build.resources import QUERIES_DIR

SPARQL = Path(__file__).resolve().parents[1] / "fixtures" / "sparql"
XSD = "http://www.w3.org/2001/XMLSchema#"


def rows(store: Store, name: str) -> list[tuple[str, ...]]:
    """Sorted rows of a query from tests/sparql, each value as its lexical form."""
    result = store.query((SPARQL / f"{name}.rq").read_text())
    return sorted(tuple(r[v.value].value for v in result.variables) for r in result)


def files_of(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


@pytest.fixture(scope="session")
def bundle(cli, built_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("release") / "release"
    args = ["release", "--out", str(built_dir), "--release-dir", str(target)]
    assert cli(*args, env={"SOURCE_DATE_EPOCH": ""}).exit_code == 0
    return target


@pytest.fixture(scope="session")
def data(built_dir: Path) -> Store:
    store = Store()
    store.bulk_load(path=str(built_dir / "ntrk-kg.nq"), format=RdfFormat.N_QUADS)
    return store


@pytest.fixture(scope="session")
def description(bundle: Path) -> Store:
    store = Store()
    store.load(path=str(bundle / "void.ttl"), format=RdfFormat.TURTLE)
    return store


def test_the_bundle_holds_the_data_queries_manifest_and_description(bundle: Path, built_dir: Path) -> None:
    queries = sorted(f"queries/{p.name}" for p in QUERIES_DIR.glob("*.rq"))
    sssom = ["ntrk-kg.sssom.tsv"] if (built_dir / "ntrk-kg.sssom.tsv").is_file() else []
    assert sorted(files_of(bundle)) == sorted(
        ["manifest.json", "ntrk-kg-ontology.ttl", "ntrk-kg.nq", "ntrk-kg.trig", "ntrk-kg.ttl", "void.ttl", *sssom, *queries]
    )
    for name, data in files_of(bundle).items():
        if name.startswith("queries/"):  # the published text: parameters bound (tests/stores runs each)
            assert data.decode("utf-8") == published_file(catalogue.find(Path(name).stem)), name
        elif name != "void.ttl":
            assert data == (built_dir / name).read_bytes(), name


def test_void_totals_equal_the_counts_sparql_finds_in_the_data(data: Store, description: Store) -> None:
    [(triples, subjects, objects)] = rows(data, "void-totals")
    [(entities, classes)] = rows(data, "void-entities")
    [(properties,)] = rows(data, "void-property-count")
    assert rows(description, "release-totals") == [(triples, subjects, objects, entities, classes, properties)]


def test_void_entities_are_those_of_its_uri_space(data: Store, description: Store) -> None:
    """418 typed subjects (the ontology's terms among them), but only the 219 under void:uriSpace are the dataset's own entities."""
    [(space,)] = [(t[0].value,) for t in description.query(
        "SELECT ?space WHERE { ?d <http://purl.org/pav/hasCurrentVersion> ?v . ?v <http://rdfs.org/ns/void#uriSpace> ?space }")]
    assert space == "https://w3id.org/ntrk-kg/id/"
    [(entities, _)] = rows(data, "void-entities")
    assert entities == "219"
    [(typed,)] = [(t[0].value,) for t in data.query("SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s a ?c } }")]
    assert typed == "418"


@pytest.mark.parametrize("engine", ["oxigraph", "pyshacl"])
def test_void_conforms_to_the_shapes(cli, bundle: Path, engine: str) -> None:
    """The release description passes the project's own shapes (it failed with 327 violations:
    partitions typed void:Dataset without a name or description, named graphs without either)."""
    result = cli("validate", "--engine", engine, str(bundle / "void.ttl"))
    assert result.exit_code == 0, result.output
    assert "0 violations" in result.output


def test_void_graph_sizes_equal_the_counts_per_named_graph(data: Store, description: Store, built_dir: Path) -> None:
    assert rows(description, "release-graphs") == rows(data, "void-graphs")
    manifest = json.loads((built_dir / "manifest.json").read_text())
    assert rows(description, "release-graphs") == sorted((g, str(n)) for g, n in manifest["graphs"].items())


def test_void_class_partitions_equal_the_instances_of_each_class(data: Store, description: Store) -> None:
    found = rows(data, "void-classes")
    assert rows(description, "release-classes") == found
    assert ("https://w3id.org/ntrk-kg/ontology#GeneFusion", "9") in found


def test_void_property_partitions_equal_the_triples_of_each_property(data: Store, description: Store) -> None:
    assert rows(description, "release-properties") == rows(data, "void-properties")


def test_every_file_of_the_bundle_is_described_with_its_true_checksum(bundle: Path, description: Store) -> None:
    described = rows(description, "release-checksums")
    files = files_of(bundle)
    assert sorted(name for name, *_ in described) == sorted(n for n in files if n != "void.ttl")
    for name, size, media, algorithm, sha256 in described:
        assert sha256 == hashlib.sha256(files[name]).hexdigest(), name
        assert int(size) == len(files[name]), name
        assert algorithm == "http://spdx.org/rdf/terms#checksumAlgorithm_sha256"
        assert media.startswith("https://www.iana.org/assignments/media-types/")
    media = {name: m.rsplit("media-types/", 1)[1] for name, _, m, _, _ in described}
    assert media["ntrk-kg.nq"] == "application/n-quads"
    assert media["ntrk-kg.trig"] == "application/trig"
    assert media["ntrk-kg.ttl"] == "text/turtle"


def test_the_provenance_names_every_input_with_its_sha256_and_the_software(description: Store, built_dir: Path) -> None:
    manifest = json.loads((built_dir / "manifest.json").read_text())
    version = manifest["generator"].split()[-1]
    assert rows(description, "release-inputs") == sorted(
        (name, sha, version, version) for name, sha in manifest["inputs"].items()
    )


def test_the_description_has_no_blank_nodes_and_a_date_from_the_inputs(bundle: Path, description: Store) -> None:
    from pyoxigraph import BlankNode

    quads = list(description.quads_for_pattern(None, None, None, None))
    assert not [q for q in quads if isinstance(q.subject, BlankNode) or isinstance(q.object, BlankNode)]
    issued = [q.object for q in quads if q.predicate.value == "http://purl.org/dc/terms/issued"]
    # the guide is dated December 2025; the release takes the newest guide's date, never the clock
    assert [(i.value, i.datatype.value) for i in issued] == [("2025-12", XSD + "gYearMonth")]


def test_the_release_date_can_be_given(cli, built_dir: Path) -> None:
    nq = built_dir / "ntrk-kg.nq"
    assert str(release.issued_date(nq, None, {"SOURCE_DATE_EPOCH": "1767225600"})) == "2026-01-01"
    assert str(release.issued_date(nq, "2026-02-03", {})) == "2026-02-03"
    result = cli("release", "--out", str(built_dir), "--release-dir",
                 str(built_dir / "unused"), "--issued", "tomorrow")
    assert (result.exit_code, result.stderr) == (2, "ntrk-kg: error: --issued: 'tomorrow' is not a date (YYYY-MM-DD)\n")


def test_the_release_is_byte_identical_across_rebuilds(bundle: Path, tmp_path: Path) -> None:
    """A second build and release in a fresh process with another hash seed gives the same bytes."""
    env = {**os.environ, "PYTHONHASHSEED": "12345", "SOURCE_DATE_EPOCH": ""}
    out = tmp_path / "again"
    for args in (["build", "--out", str(out)], ["release", "--out", str(out)]):
        subprocess.run([sys.executable, "-m", "kg_build", *args], check=True, env=env, capture_output=True)
    assert files_of(out / "release") == files_of(bundle)


def test_a_release_without_a_build_is_a_usage_error(cli, tmp_path: Path) -> None:
    result = cli("release", "--out", str(tmp_path))
    assert result.exit_code == 2
    assert result.stderr == f"ntrk-kg: error: {tmp_path / 'ntrk-kg.nq'} does not exist; run 'ntrk-kg build --out {tmp_path}' first\n"
