"""The rule reasoner infers exactly HermiT's types (guide, edge cases, generated data at 10^4 quads),
refuses ontologies outside its fragment, and stops on contradictions with the same explanation."""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
from collections import Counter
from pathlib import Path

import pytest
from rdflib import RDF, Dataset, Graph, URIRef

from kg_build.build import pipeline
from kg_build.rdf import iris
from kg_build.rdf.prefixes import compress
from kg_build.rdf.vocab import T, ontology_graph
from kg_build.reasoning import engines, owl, rules
from kg_build.reasoning.tbox import NotInFragment, read_tbox

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
BENCH = Path(__file__).resolve().parents[2] / "benchmarks"
NEEDS_JAVA = pytest.mark.skipif(shutil.which("java") is None, reason="HermiT needs java on PATH")


def with_fixture(ds: Dataset, name: str) -> Dataset:
    out = Dataset()
    for s, p, o, g in ds.quads((None, None, None, None)):
        out.graph(g).add((s, p, o))
    out.graph(iris.GUIDE_GRAPH).parse(FIXTURES / name, format="turtle")
    return out


@pytest.fixture(scope="module")
def assembled() -> Dataset:
    return pipeline.assemble()[1]


@pytest.fixture(scope="module")
def generated_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Curated tables generated for 10^4 quads (benchmarks/generate.py)."""
    spec = importlib.util.spec_from_file_location("bench_generate", BENCH / "generate.py")
    assert spec and spec.loader
    gen = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = gen
    spec.loader.exec_module(gen)
    data = tmp_path_factory.mktemp("data-1e4")
    gen.generate(data, 10_000, seed=0)
    return data


@pytest.fixture(scope="module")
def generated(generated_data: Path) -> Dataset:
    """The graph of the generated tables, as the build makes it."""
    return pipeline.assemble(generated_data)[1]


@pytest.fixture(scope="module")
def hermit_generated(generated: Dataset) -> list[tuple[URIRef, URIRef]]:
    if shutil.which("java") is None:
        pytest.skip("HermiT needs java on PATH")
    return owl.reason(generated, "hermit").types


@NEEDS_JAVA
def test_the_rules_infer_hermits_types_on_the_guide(assembled, golden):
    ours = engines.reason(assembled, "rules")
    assert ours.engine == "rules" and ours.checked_by == ["rules"]
    assert ours.types == owl.reason(assembled, "hermit").types
    golden("inferred-types-hermit.tsv", [f"{compress(str(s))}\t{compress(str(c))}" for s, c in ours.types])


EDGE_CASE_TYPES = [
    ("band-boundary", "ntrk:HighPrevalenceBand"), ("band-integer", "ntrk:HighPrevalenceBand"),
    ("fusion-a", "ntrk:NTRKFusion"), ("gene-by-inverse", "ntrk:FusionPartnerGene"),
    ("other-untyped-gene", "SO:0000704"), ("other-untyped-gene", "ntrk:Gene"),
    ("statement-boundary", "ntrk:HighPrevalenceStatement"), ("statement-untyped", "ntrk:HighPrevalenceStatement"),
    ("statement-untyped", "ntrk:PrevalenceStatement"), ("statement-untyped", "ntrk:Statement"),
    ("tumour-boundary", "ntrk:HighPrevalenceTumourType"), ("tumour-by-inverse", "ntrk:HighPrevalenceTumourType"),
    ("tumour-untyped", "ntrk:HighPrevalenceTumourType"), ("tumour-untyped", "ntrk:TumourType"),
    ("untyped-fusion", "SO:0000287"), ("untyped-fusion", "SO:0000704"), ("untyped-fusion", "ntrk:GeneFusion"),
    ("untyped-fusion", "ntrk:NTRKFusion"),
    ("untyped-gene", "SO:0000704"), ("untyped-gene", "ntrk:FusionPartnerGene"), ("untyped-gene", "ntrk:Gene"),
]
"""What the edge cases add: types only a domain, a range, an inverse or a super-property gives, and
the datatype restriction met by an integer and by the boundary (89.99 is below it; a band known
only by its lower bound is no individual of the reasoner's input, as for HermiT)."""


@NEEDS_JAVA
def test_the_rules_infer_hermits_types_on_every_edge_case(assembled):
    ds = with_fixture(assembled, "reasoning/edge-cases.ttl")
    ours = engines.reason(ds, "rules").types
    assert ours == owl.reason(ds, "hermit").types
    test = "https://w3id.org/ntrk-kg/id/test/"
    assert [(str(s)[len(test):], compress(str(c))) for s, c in ours if str(s).startswith(test)] == EDGE_CASE_TYPES


def test_the_rules_infer_hermits_types_on_generated_data_of_10_000_quads(generated, hermit_generated):
    assert 10_000 <= len(generated) <= 14_000
    ours = engines.reason(generated, "rules")
    assert ours.types == hermit_generated
    assert Counter(compress(str(c)) for _, c in ours.types) == {
        "ntrk:NTRKFusion": 107, "ntrk:FusionPartnerGene": 64, "ntrk:HighPrevalenceStatement": 19,
        "ntrk:HighPrevalenceTumourType": 18, "ntrk:ThreePrimePartnerGene": 3, "ntrk:HighPrevalenceBand": 1,
    }


def test_the_rules_run_two_at_a_time_where_none_reads_what_another_adds() -> None:
    """A wave of rules runs at once on two threads: it ends before the first rule that reads a
    class (or a superclass of one) an earlier rule of the wave adds."""
    tbox = read_tbox(ontology_graph())
    compiled = rules.compile_rules(tbox)
    due, waves = list(range(len(compiled))), []
    while due:
        wave = rules._wave(compiled, due, tbox)
        waves.append([compress(str(compiled[i].cls)) for i in wave])
        due = [i for i in due if i not in wave]
    assert waves == [
        ["ntrk:ActivationStep", "ntrk:Assay", "ntrk:CellularOutcome", "ntrk:Drug", "ntrk:Evidence", "ntrk:Finding",
         "ntrk:FindingKind", "ntrk:FusionProtein", "ntrk:Gene", "ntrk:GeneFusion", "ntrk:Guide", "ntrk:GuideSection"],
        ["ntrk:Pathway", "ntrk:PrevalenceBand", "ntrk:PrevalenceStatement", "ntrk:Protein", "ntrk:Reference",
         "ntrk:RegulatoryApproval", "ntrk:Severity", "ntrk:SourceLevel", "ntrk:Statement", "ntrk:TumourType"],
        ["ntrk:HighPrevalenceBand"], ["ntrk:HighPrevalenceStatement"], ["ntrk:HighPrevalenceTumourType", "ntrk:NTRKFusion"],
        ["ntrk:FusionPartnerGene"], ["ntrk:ThreePrimePartnerGene"],
    ]
    # Pathway's rule reads FusionProtein, which the first wave adds: Pathway starts the second.
    assert URIRef(T.FusionProtein) in compiled[12].reads and compiled[12].cls == URIRef(T.Pathway)


def test_the_datatype_restriction_classes_come_from_the_rules_alone(assembled):
    ours = set(engines.reason(assembled, "rules").types)
    rl = set(owl.reason(assembled, "owlrl").types)
    assert {c for _, c in ours - rl} == {T.HighPrevalenceBand, T.HighPrevalenceStatement, T.HighPrevalenceTumourType}
    assert rl < ours




def test_a_build_above_hermits_size_writes_the_rules_types_from_its_store(cli, generated_data, hermit_generated, tmp_path):
    out = tmp_path / "build"
    result = cli("build", "--data", str(generated_data), "--out", str(out), "--format", "nquads")
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["reasoner"] == "rules" and manifest["consistency_checked_by"] == ["rules"]
    ds = Dataset()
    ds.parse(out / "ntrk-kg.nq", format="nquads")
    assert sorted(ds.graph(iris.INFERRED_GRAPH).subject_objects(RDF.type)) == hermit_generated
    assert str(iris.REASONING_WORK_GRAPH) not in manifest["graphs"]


def test_the_build_checks_with_hermit_only_where_it_fits(cli, tmp_path, monkeypatch):
    if shutil.which("java") is None:
        pytest.skip("HermiT needs java on PATH")
    small = cli("build", "--out", str(tmp_path / "a"), "--format", "nquads")
    assert small.exit_code == 0, small.output
    assert json.loads((tmp_path / "a" / "manifest.json").read_text())["consistency_checked_by"] == ["rules", "hermit"]
    monkeypatch.setattr(engines, "HERMIT_CHECK_LIMIT", 1000)
    large = cli("build", "--out", str(tmp_path / "b"), "--format", "nquads")
    assert large.exit_code == 0, large.output
    assert json.loads((tmp_path / "b" / "manifest.json").read_text())["consistency_checked_by"] == ["rules"]
    assert (tmp_path / "a" / "ntrk-kg.nq").read_bytes() == (tmp_path / "b" / "ntrk-kg.nq").read_bytes()


def test_a_seeded_contradiction_is_explained_as_hermit_explains_it(assembled):
    with pytest.raises(owl.InconsistentGraph) as err:
        engines.reason(with_fixture(assembled, "contradiction.ttl"), "rules")
    lines = str(err.value).splitlines()
    assert lines[0] == "the ontology and the data are inconsistent (the ontology's rules):"
    assert lines[1:] == [
        '  HGNC:8033 "NTRK3" is a ntrk:Gene "gene" (asserted) and a ntrk:Pathway "signalling pathway" (asserted),'
        " but the ontology declares these two classes disjoint",
        '  ntrkkg:pathway/mapk "MAPK pathway" is a ntrk:Gene "gene" (subject of ntrk:encodes "encodes"'
        ' uniprot:P04629 "TRKA", whose domain is ntrk:Gene "gene") and a ntrk:Pathway "signalling pathway"'
        " (asserted), but the ontology declares these two classes disjoint",
    ]
    assert err.value.exit_code == 1


def test_two_values_of_a_functional_property_stop_the_rules(assembled):
    with pytest.raises(rules.AmbiguousIdentity) as err:
        engines.reason(with_fixture(assembled, "reasoning/two-partners.ttl"), "rules")
    assert str(err.value) == (
        "ntrkkg:test/fusion-two has two values of the functional property ntrk:threePrimePartner, HGNC:8031 and "
        "HGNC:8032: OWL would make them one node, which the graph's IRIs never mean; give ntrkkg:test/fusion-two "
        "one value"
    )
    assert err.value.exit_code == 1


def test_the_scratch_graph_is_gone_after_a_run_and_after_a_failure(assembled):
    import pyoxigraph as ox

    from kg_build.rdf.bridge import from_rdflib

    for name, fails in (("reasoning/edge-cases.ttl", False), ("contradiction.ttl", True)):
        st = ox.Store()
        st.extend(ox.Quad(from_rdflib(s), from_rdflib(p), from_rdflib(o), from_rdflib(g))  # type: ignore[arg-type]
                  for s, p, o, g in with_fixture(assembled, name).quads((None, None, None, None)))
        before = len(st)
        if fails:
            with pytest.raises(owl.InconsistentGraph):
                rules.infer(st)
        else:
            assert rules.infer(st).types
        assert len(st) == before
        assert not st.contains_named_graph(ox.NamedNode(str(iris.REASONING_WORK_GRAPH)))


def ontology_with(extra: str) -> Graph:
    g = Graph()
    for t in ontology_graph():
        g.add(t)
    g.parse(data="@prefix ntrk: <https://w3id.org/ntrk-kg/ontology#> . @prefix owl: <http://www.w3.org/2002/07/owl#> . "
                 "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . " + extra, format="turtle")
    return g


@pytest.mark.parametrize("extra, message", [
    ("ntrk:Odd a owl:Class ; owl:equivalentClass [ a owl:Class ; owl:unionOf ( ntrk:Gene ntrk:Protein ) ] .",
     "the ontology says ntrk:Odd owl:unionOf a blank node, which the rule reasoner cannot evaluate exactly "
     "(only intersections and someValuesFrom restrictions define a class)"),
    ("ntrk:Gene rdfs:subClassOf [ a owl:Restriction ; owl:onProperty ntrk:encodes ; owl:allValuesFrom ntrk:Protein ] .",
     "the ontology says ntrk:Gene owl:allValuesFrom ntrk:Protein, which the rule reasoner cannot evaluate exactly "
     "(a superclass must be a named class or an owl:hasValue restriction)"),
    ("ntrk:involvesGene a owl:TransitiveProperty .",
     "the ontology says ntrk:involvesGene rdf:type owl:TransitiveProperty, which the rule reasoner cannot evaluate "
     "exactly (property characteristics other than functional, inverse functional and symmetric)"),
    ("ntrk:about owl:propertyChainAxiom ( ntrk:tumourType ntrk:about ) .",
     "the ontology says ntrk:about owl:propertyChainAxiom a blank node, which the rule reasoner cannot evaluate "
     "exactly (an OWL, RDF or RDFS term outside the fragment)"),
])
def test_an_axiom_outside_the_fragment_is_refused_by_name(extra, message):
    read_tbox(ontology_graph())  # the project's ontology is inside the fragment
    with pytest.raises(NotInFragment) as err:
        read_tbox(ontology_with(extra))
    assert str(err.value).startswith(message + "; reason with --reasoner hermit")
    assert err.value.exit_code == 2


def test_the_rules_stop_before_their_next_wave_once_told(assembled):
    import threading

    import pyoxigraph as ox

    from kg_build.rdf.bridge import from_rdflib

    st = ox.Store()
    st.extend(ox.Quad(from_rdflib(s), from_rdflib(p), from_rdflib(o), from_rdflib(g))  # type: ignore[arg-type]
              for s, p, o, g in assembled.quads((None, None, None, None)))
    before = len(st)
    stop = threading.Event()
    stop.set()
    with pytest.raises(InterruptedError, match="the rule reasoner was stopped"):
        rules.infer(st, stop=stop)
    assert len(st) == before  # the scratch graph is gone
