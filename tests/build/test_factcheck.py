"""The fact-check layer: curated findings as data, kept apart from what the guide states."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from rdflib import RDF, RDFS, Dataset, URIRef
from rdflib.compare import to_isomorphic

from kg_build.build import pipeline
from kg_build.build.builder import build_dataset
from kg_build.build.layers import factcheck
from kg_build.cli import main
from kg_build.curation import curated as curation
from kg_build.rdf import iris
from kg_build.rdf.vocab import T

DOC = "ntrk-guide"
FC = iris.FACTCHECK_GRAPH


def _finding(ds: Dataset, key: str) -> URIRef:
    node = iris.finding(key)
    assert (node, RDF.type, T.Finding) in ds.graph(FC), f"no finding {key}"
    return node


def test_every_curated_finding_is_in_the_factcheck_graph(dataset: Dataset) -> None:
    g = dataset.graph(FC)
    expected = {
        ("overall-prevalence-contradicted-by-ref-5", "ContradictedBySource", "ErrorSeverity", "statement/prevalence-overall-solid-tumours"),
        ("soft-tissue-sarcoma-lower-bound-not-found", "NotFoundInSource", "WarningSeverity", "statement/prevalence-soft-tissue-sarcoma"),
        ("thyroid-adult-upper-bound-not-found", "NotFoundInSource", "WarningSeverity", "statement/prevalence-thyroid-cancer-adult"),
        ("thyroid-adult-qualifier-not-found", "NotFoundInSource", "WarningSeverity", "statement/prevalence-thyroid-cancer-adult"),
        ("compound-of-interest-is-larotinib", "MisnamedEntity", "ErrorSeverity", ""),
        ("reference-2-unresolvable", "UnresolvableReference", "WarningSeverity", "reference/2"),
        ("breast-lower-bound-unchecked", "UncheckedClaim", "InfoSeverity", "statement/prevalence-breast-cancer"),
        ("most-common-partners-unchecked", "UncheckedClaim", "InfoSeverity", "statement/most-common-partners"),
        ("etv6-ntrk3-prevalent-unchecked", "UncheckedClaim", "InfoSeverity", "statement/etv6-ntrk3-prevalent"),
        ("normal-downstream-signalling-unchecked", "UncheckedClaim", "InfoSeverity", "statement/normal-downstream-signalling"),
        ("glioblastoma-supported", "SupportedBySource", "InfoSeverity", "statement/prevalence-glioblastoma"),
    }
    prefix = str(iris.guide(DOC))
    for key, kind, severity, concerns in expected:
        node = _finding(dataset, key)
        assert g.value(node, T.findingKind) == T[kind]
        assert g.value(node, T.severity) == T[severity]
        assert str(g.value(node, T.concerns)) == (prefix + "/" + concerns if concerns else prefix)


def test_everything_cited_to_reference_1_is_unchecked_not_supported(dataset: Dataset) -> None:
    guide, g = dataset.graph(iris.GUIDE_GRAPH), dataset.graph(FC)
    ref1 = iris.reference(DOC, "1")
    cited = set(guide.subjects(T.citesReference, ref1))
    assert len(cited) == 19
    for st in cited:
        kinds = {g.value(f, T.findingKind) for f in g.subjects(T.concerns, st)}
        assert T.UncheckedClaim in kinds, st
        assert T.SupportedBySource not in kinds, st


def test_contradicted_finding_carries_what_reference_5_says(dataset: Dataset) -> None:
    g = dataset.graph(FC)
    ev = iris.evidence("overall-prevalence-contradicted-by-ref-5", "1")
    assert g.value(ev, T.readIn) == iris.reference(DOC, "5")
    assert str(g.value(ev, T.reportedValue)) == "approximately 0.4%"
    assert str(g.value(ev, T.pointEstimate)) == "0.4"
    assert str(g.value(ev, T.isApproximate)) == "true"
    assert str(g.value(ev, T.quotation)) == "we identified approximately 0.4% (40/10,194) of Chinese solid tumor patients with NTRK fusion."
    assert set(g.objects(ev, T.confirmedAt)) == {URIRef("https://ouci.dntb.gov.ua/en/works/9ZmQpmrl")}


def test_soft_tissue_and_thyroid_evidence(dataset: Dataset) -> None:
    g = dataset.graph(FC)
    sts = iris.evidence("soft-tissue-sarcoma-lower-bound-not-found", "1")
    assert (str(g.value(sts, T.reportedValue)), g.value(sts, T.readIn)) == ("0.91%", iris.reference(DOC, "6"))
    assert str(g.value(iris.finding("soft-tissue-sarcoma-lower-bound-not-found"), T.statedValue)) == "0.57%"
    small = iris.evidence("thyroid-adult-upper-bound-not-found", "2")
    assert (str(g.value(small, T.pointEstimate)), str(g.value(small, T.reportedFor))) == ("1.32", "small intestine")
    assert g.value(small, T.readIn) == iris.reference(DOC, "7")


def test_removing_the_factcheck_graph_leaves_the_guide_unchanged(data_copy: Path) -> None:
    _, full = pipeline.assemble()
    for name in ("findings.tsv", "finding_evidence.tsv"):
        path = data_copy / name
        path.write_text(path.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    without = build_dataset(curation.load(data_copy))
    assert len(without.graph(FC)) == 0
    assert len(full.graph(FC)) > 500
    for graph in (iris.GUIDE_GRAPH, iris.CURATION_GRAPH, iris.CONTEXT_GRAPH):
        assert to_isomorphic(full.graph(graph)) == to_isomorphic(without.graph(graph)), graph
    # findings point at the guide, never the other way round
    guide_nodes = set(full.graph(iris.GUIDE_GRAPH).subjects())
    assert not [s for s in full.graph(FC).subjects() if s in guide_nodes]


def test_larotinib_has_no_edge_to_any_ntrk_entity(dataset: Dataset) -> None:
    guide = dataset.graph(iris.GUIDE_GRAPH)
    ntrk_entities = set()
    for cls in (T.Gene, T.Protein, T.TRKReceptor, T.GeneFusion, T.FusionProtein, T.TumourType, T.Pathway, T.Statement):
        ntrk_entities |= set(guide.subjects(RDF.type, cls))
    assert len(ntrk_entities) > 60
    larotinib = {iris.curie("NCIT:C172062"), iris.drug("larotinib-mesylate")}
    larotinib |= {s for s, _, o, _ in dataset.quads((None, RDFS.label, None, None)) if "larotinib" in str(o).lower()
                  and "finding" not in str(s)}
    touching = [(s, p, o) for s, p, o, _ in dataset.quads((None, None, None, None)) if s in larotinib or o in larotinib]
    assert touching
    for s, p, o in touching:
        other = o if s in larotinib else s
        assert other not in ntrk_entities, (s, p, o)
    assert not list(dataset.quads((iris.drug("larotinib-mesylate"), T.inhibits, None, None)))
    assert (iris.drug("larotinib-mesylate"), RDF.type, T.TRKInhibitor) not in dataset.graph(iris.CONTEXT_GRAPH)


def test_rule_results_become_findings_with_deterministic_keys() -> None:
    _, ds = pipeline.assemble()
    st = iris.statement(DOC, "prevalence-congenital-mesoblastic-nephroma")
    shape = URIRef("https://w3id.org/ntrk-kg/shapes#PrevalenceWithinBandShape")
    res = factcheck.RuleResult(URIRef("http://www.w3.org/ns/shacl#Warning"), st, shape, ">83% is outside the band High Prevalence (>90%)")
    added = factcheck.add_rule_findings(ds, [res, res])
    key = "rule-prevalence-within-band-shape--prevalence-congenital-mesoblastic-nephroma"
    assert added == [iris.finding(key)]
    g = ds.graph(FC)
    node = added[0]
    assert g.value(node, T.findingKind) == T.InternalInconsistency
    assert g.value(node, T.severity) == T.WarningSeverity
    assert g.value(node, T.concerns) == st
    assert str(g.value(node, T.statedValue)) == ">83%"
    ev = g.value(node, T.hasEvidence)
    assert (str(g.value(ev, T.reportedValue)), str(g.value(ev, T.lowerBound))) == (">90%", "90.0")
    assert g.value(ev, T.refersTo) == iris.band(DOC, "high")


BAD_ROWS = [
    ("findings.tsv", "ntrk-guide\tbad-statement\tstatement:nope\tunchecked\tinfo\tx\t\t1\tx",
     "findings.tsv:{line}: concerns: 'statement:nope' names no statement of 'ntrk-guide'"),
    ("findings.tsv", "ntrk-guide\tbad-kind\treference:2\twrong\tinfo\tx\t\t\tx",
     "findings.tsv:{line}: kind: 'wrong' is not one of contradicted"),
    ("findings.tsv", "ntrk-guide\tbad-ref\treference:2\tunchecked\tinfo\tx\t\t9\tx",
     "findings.tsv:{line}: checked_against: reference 9 does not exist in references.tsv"),
    ("findings.tsv", "ntrk-guide\tno-evidence\treference:2\tcontradicted\terror\tx\t\t2\tx",
     "findings.tsv:{line}: key: a 'contradicted' finding needs evidence rows"),
    ("finding_evidence.tsv", "ntrk-guide\treference-2-unresolvable\t1\t\t0.5%\tx\t\t\t\t",
     "finding_evidence.tsv:{line}: urls: evidence must say where it was read"),
    ("finding_evidence.tsv", "ntrk-guide\treference-2-unresolvable\t2\t5\t150%\tx\t\t\t\t",
     "finding_evidence.tsv:{line}: value: 150% is above 100%"),
    ("drugs.tsv", "newdrug\tnew drug\ttrk-inhibitor\t\t\tdrugbank:DB1\t\t\thttps://example.org/x\t",
     "drugs.tsv:{line}: identifiers: 'drugbank:DB1' is not a valid drugbank identifier"),
    ("drugs.tsv", "egfr-drug\tan EGFR drug\tother\t\t\t\tTRKA\t\thttps://example.org/x\t",
     "drugs.tsv:{line}: inhibits: only a trk-inhibitor may be linked to TRK proteins"),
]


def test_bad_fact_check_and_context_rows_are_reported_with_file_line_and_field(data_copy: Path) -> None:
    expected = []
    for name, row, message in BAD_ROWS:
        path = data_copy / name
        text = path.read_text(encoding="utf-8").rstrip("\n") + "\n" + row + "\n"
        path.write_text(text, encoding="utf-8")
        expected.append(message.format(line=len(text.splitlines())))
    result = CliRunner().invoke(main, ["build", "--data", str(data_copy), "--out", str(data_copy.parent / "out")])
    assert result.exit_code == 2, result.output
    for message in expected:
        assert message in result.output, message
    assert "Traceback" not in result.output
    assert not (data_copy.parent / "out").exists()
