"""Reasoning: HermiT (and the OWL 2 RL fallback) fill the defined classes; contradictions stop the build."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import RDF, Dataset, URIRef

from kg_build.build import pipeline
from kg_build.cli import main
from kg_build.curation.curated import fusion_key
from kg_build.rdf import io as rdfio
from kg_build.rdf import iris
from kg_build.rdf.prefixes import compress
from kg_build.rdf.vocab import T
from kg_build.reasoning import owl as reasoning

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
NEEDS_JAVA = pytest.mark.skipif(shutil.which("java") is None, reason="HermiT needs java on PATH")


@pytest.fixture(scope="module")
def assembled() -> tuple:
    return pipeline.assemble()


@pytest.fixture(scope="module")
def hermit(assembled) -> reasoning.Reasoning:
    if shutil.which("java") is None:
        pytest.skip("HermiT needs java on PATH")
    return reasoning.reason(assembled[1], "hermit")


@pytest.fixture(scope="module")
def owlrl(assembled) -> reasoning.Reasoning:
    return reasoning.reason(assembled[1], "owlrl")


def as_lines(types: list[tuple[URIRef, URIRef]]) -> list[str]:
    return [f"{compress(str(s))}\t{compress(str(c))}" for s, c in types]


def test_hermit_inferred_types_are_the_golden_ones(hermit, golden):
    assert hermit.engine == "hermit" and hermit.notes == []
    golden("inferred-types-hermit.tsv", as_lines(hermit.types))


def test_owlrl_fallback_inferred_types_are_the_golden_ones(owlrl, golden):
    assert owlrl.engine == "owlrl"
    golden("inferred-types-owlrl.tsv", as_lines(owlrl.types))


def test_owlrl_misses_exactly_the_classes_built_on_a_datatype_restriction(hermit, owlrl):
    missing = {c for _, c in set(hermit.types) - set(owlrl.types)}
    assert missing == {T.HighPrevalenceBand, T.HighPrevalenceStatement, T.HighPrevalenceTumourType}
    assert set(owlrl.types) < set(hermit.types)


@pytest.mark.parametrize("engine", ["hermit", "owlrl"])
def test_every_partner_gene_and_every_fusion_is_classified(assembled, engine, request):
    cur, _ = assembled
    result = request.getfixturevalue(engine)
    types = set(result.types)
    genes = {r["symbol"]: iris.curie(r["hgnc_id"]) for r in cur["genes"]}
    assert len(cur["fusions"]) == 9
    for r in cur["fusions"]:
        assert (genes[r["five_prime"]], T.FusionPartnerGene) in types
        assert (genes[r["three_prime"]], T.ThreePrimePartnerGene) in types
        assert (iris.fusion(fusion_key(r["five_prime"], r["three_prime"])), T.NTRKFusion) in types
    # NTRK genes are 3' partners only; partners are never NTRK fusions' 3' ends.
    assert {s for s, c in types if c == T.FusionPartnerGene} == {genes[r["five_prime"]] for r in cur["fusions"]}


def test_high_prevalence_tumour_types_are_the_four_rows_of_the_high_band(hermit):
    high = sorted(compress(str(s)) for s, c in hermit.types if c == T.HighPrevalenceTumourType)
    assert high == [
        "ntrkkg:tumour-type/congenital-mesoblastic-nephroma",
        "ntrkkg:tumour-type/infantile-fibrosarcoma",
        "ntrkkg:tumour-type/masc-salivary-gland",
        "ntrkkg:tumour-type/secretory-breast-carcinoma",
    ]


def test_inferred_types_are_new_and_hold_no_blank_node(hermit, assembled):
    _, ds = assembled
    asserted = {(s, o) for g in (iris.GUIDE_GRAPH, iris.CURATION_GRAPH) for s, o in ds.graph(g).subject_objects(RDF.type)}
    assert hermit.types and not set(hermit.types) & asserted
    assert all(isinstance(s, URIRef) and isinstance(c, URIRef) for s, c in hermit.types)


def test_the_build_writes_the_inferred_graph_of_its_reasoner(built_dir: Path, dataset: Dataset, hermit, owlrl):
    manifest = json.loads((built_dir / "manifest.json").read_text())
    expected = {"hermit": hermit, "owlrl": owlrl, "rules": hermit}[manifest["reasoner"]]
    inferred = dataset.graph(iris.INFERRED_GRAPH)
    assert sorted(inferred.subject_objects(RDF.type)) == sorted(expected.types)
    assert len(inferred) == len(expected.types) == manifest["graphs"][str(iris.INFERRED_GRAPH)]


@NEEDS_JAVA
def test_hermit_finds_the_ontology_alone_consistent_with_no_unsatisfiable_class(assembled):
    ontology_only = Dataset()
    for t in assembled[1].graph(iris.ONTOLOGY_GRAPH):
        ontology_only.graph(iris.ONTOLOGY_GRAPH).add(t)
    assert reasoning.reason(ontology_only, "hermit").types == []


def seeded(assembled) -> Dataset:
    ds = Dataset()
    for s, p, o, g in assembled[1].quads((None, None, None, None)):
        ds.graph(g).add((s, p, o))
    ds.graph(iris.GUIDE_GRAPH).parse(FIXTURES / "contradiction.ttl", format="turtle")
    return ds


EXPECTED_EXPLANATION = [
    '  HGNC:8033 "NTRK3" is a ntrk:Gene "gene" (asserted) and a ntrk:Pathway "signalling pathway" (asserted),'
    " but the ontology declares these two classes disjoint",
    '  ntrkkg:pathway/mapk "MAPK pathway" is a ntrk:Gene "gene" (subject of ntrk:encodes "encodes"'
    ' uniprot:P04629 "TRKA", whose domain is ntrk:Gene "gene") and a ntrk:Pathway "signalling pathway"'
    " (asserted), but the ontology declares these two classes disjoint",
]


@pytest.mark.parametrize("engine, name", [("hermit", "HermiT"), ("owlrl", "OWL 2 RL closure")])
def test_a_seeded_contradiction_is_explained_in_words(assembled, engine, name):
    if engine == "hermit" and shutil.which("java") is None:
        pytest.skip("HermiT needs java on PATH")
    with pytest.raises(reasoning.InconsistentGraph) as err:
        reasoning.reason(seeded(assembled), engine)
    lines = str(err.value).splitlines()
    assert lines[0] == f"the ontology and the data are inconsistent ({name}):"
    assert lines[1:] == EXPECTED_EXPLANATION
    assert err.value.exit_code == 1


def test_an_inconsistent_build_exits_1_and_leaves_the_previous_build(assembled, tmp_path, monkeypatch):
    out = tmp_path / "build"
    runner = CliRunner()
    first = runner.invoke(main, ["build", "--out", str(out), "--format", "nquads", "--reasoner", "owlrl"])
    assert first.exit_code == 0, first.output
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    bad = seeded(assembled)
    monkeypatch.setattr(rdfio, "dataset_from_nquads", lambda text: bad)
    result = runner.invoke(main, ["build", "--out", str(out), "--format", "nquads", "--reasoner", "owlrl"])
    assert result.exit_code == 1
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)
    assert result.output.splitlines()[1:] == EXPECTED_EXPLANATION
    assert result.output.startswith("ntrk-kg: error: the ontology and the data are inconsistent (OWL 2 RL closure):")
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before


def test_without_java_the_build_says_hermits_check_was_skipped_and_infers_the_same_types(cli, tmp_path, golden):
    out = tmp_path / "build"
    no_java = str(Path(sys.executable).parent)  # the venv's bin: python, no java
    assert shutil.which("java", path=no_java) is None
    result = cli("build", "--out", str(out), "--format", "nquads", env={"PATH": no_java})
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.output.splitlines() if line.startswith("warning:")]
    assert warnings[0] == (
        "warning: java is not on PATH, so HermiT's consistency check was skipped; the rule reasoner's own checks"
        " (disjoint classes, functional properties) ran"
    )
    assert [w.rsplit(" [", 1)[1] for w in warnings[1:]] == ["ntrksh:BandConsistencyShape]"] * 2 + ["ntrksh:PrevalenceStatementsAgreeShape]"]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["reasoner"] == "rules" and manifest["consistency_checked_by"] == ["rules"]
    ds = Dataset()
    ds.parse(out / "ntrk-kg.nq", format="nquads")
    golden("inferred-types-hermit.tsv", as_lines(sorted(ds.graph(iris.INFERRED_GRAPH).subject_objects(RDF.type))))


def test_asking_for_hermit_without_java_is_a_usage_error(cli, tmp_path):
    no_java = str(Path(sys.executable).parent)
    result = cli("build", "--out", str(tmp_path / "b"), "--format", "nquads", "--reasoner", "hermit", env={"PATH": no_java})
    assert result.exit_code == 2
    assert result.output == (
        "ntrk-kg: error: HermiT needs Java, and 'java' is not on PATH; install Java 11+ or use --reasoner owlrl\n"
    )
    assert not (tmp_path / "b").exists()


def test_no_reason_writes_no_inferred_graph(cli, tmp_path):
    out = tmp_path / "build"
    result = cli("build", "--out", str(out), "--format", "nquads", "--no-reason")
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert str(iris.INFERRED_GRAPH) not in manifest["graphs"] and "reasoner" not in manifest
