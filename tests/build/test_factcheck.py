"""The fact-check layer: curated findings as data, kept apart from what the guide states."""

from __future__ import annotations

from pathlib import Path

from rdflib import RDF, RDFS, Dataset, URIRef
from rdflib.compare import to_isomorphic

from kg_build.build import pipeline
from kg_build.build.builder import build_dataset
from kg_build.build.layers import factcheck
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
        ("overall-prevalence-contradicted-by-ref-5", "ContradictedBySource", "WarningSeverity", "statement/prevalence-overall-solid-tumours"),
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


def test_overstated_common_partners_concern_all_nine_table_2_rows(dataset: Dataset) -> None:
    g = dataset.graph(FC)
    node = _finding(dataset, "fusion-partners-called-common")
    assert g.value(node, T.findingKind) == T.OverstatedClaim
    assert g.value(node, T.severity) == T.WarningSeverity
    assert str(g.value(node, T.statedValue)) == "Common Fusion Partners"
    concerned = sorted(str(c).rsplit("/", 1)[-1] for c in g.objects(node, T.concerns))
    assert concerned == sorted(f"fusion-partner-{p}--{n}" for p, n in (
        ("TPM3", "NTRK1"), ("LMNA", "NTRK1"), ("TPR", "NTRK1"), ("TRIM24", "NTRK2"), ("PAN3", "NTRK2"),
        ("AFAP1", "NTRK2"), ("ETV6", "NTRK3"), ("BTBD1", "NTRK3"), ("EML4", "NTRK3")))
    evidence = sorted((int(g.value(e, T.order)), str(g.value(e, T.reportedValue)), sorted(map(str, g.objects(e, T.confirmedAt))))
                      for e in g.objects(node, T.hasEvidence))
    assert evidence == [
        (1, "ETV6, TPM3, LMNA", ["https://stage.medifind.com/articles/publication/561939084"]),
        (2, "EML4::NTRK3", ["https://academiccommons.columbia.edu/doi/10.7916/d8-qx0f-xz33"]),
    ]
    assert g.value(iris.evidence("fusion-partners-called-common", "1"), T.readIn) == iris.reference(DOC, "7")
    assert "names only ETV6, TPM3 and LMNA as the most common" in str(g.value(node, T.explanation))


def test_reworded_findings_say_what_was_checked(dataset: Dataset) -> None:
    g = dataset.graph(FC)
    overall = _finding(dataset, "overall-prevalence-contradicted-by-ref-5")
    assert str(g.value(overall, RDFS.label)) == "Overall prevalence ~0.3% is below the figure of reference [5] (0.39%)"
    assert "rounding-level misattribution" in str(g.value(overall, T.explanation))
    sts = _finding(dataset, "soft-tissue-sarcoma-lower-bound-not-found")
    assert str(g.value(sts, RDFS.label)) == "Soft tissue sarcoma lower bound 0.57% is not in the abstracts of [5] or [6]"
    assert "Only the abstracts were checked" in str(g.value(sts, T.explanation))
    pathways = _finding(dataset, "normal-downstream-signalling-unchecked")
    assert str(g.value(pathways, T.statedValue)) == (
        "mitogen-activated protein kinase (MAPK), phosphoinositide 3-kinase (PI3K), and phospholipase C-gamma (PLCy)")


def test_prose_and_table_colorectal_statements_that_cannot_both_hold_are_a_rule_finding(dataset: Dataset) -> None:
    """Derived by ntrksh:PrevalenceStatementsAgreeShape from the guide's own statements, not curated."""
    g = dataset.graph(FC)
    table, prose = iris.statement(DOC, "prevalence-colorectal-cancer"), iris.statement(DOC, "prevalence-common-colorectal")
    key = "rule-prevalence-statements-agree-shape--prevalence-colorectal-cancer--prevalence-common-colorectal"
    node = _finding(dataset, key)
    pairs = [f for f in g.subjects(T.sourceShape, URIRef("https://w3id.org/ntrk-kg/shapes#PrevalenceStatementsAgreeShape"))]
    assert pairs == [node]
    assert g.value(node, T.findingKind) == T.InternalInconsistency
    assert g.value(node, T.severity) == T.WarningSeverity
    assert set(g.objects(node, T.concerns)) == {table, prose}
    assert str(g.value(node, T.statedValue)) == "0.7% - 1.5%"
    assert str(g.value(node, RDFS.label)) == "Colorectal Cancer: 0.7% - 1.5% and colorectal: less than 1%: the two cannot both hold"
    assert str(g.value(node, T.explanation)).endswith("relying on either. Both cite reference [1].")
    ev = g.value(node, T.hasEvidence)
    assert g.value(ev, T.refersTo) == prose
    assert (str(g.value(ev, T.reportedValue)), str(g.value(ev, T.upperBound)), str(g.value(ev, T.upperBoundInclusive))) == (
        "less than 1%", "1.0", "false")
    assert str(g.value(ev, T.reportedFor)) == "colorectal (Prevalence of NTRK Gene Fusions in Solid Tumors, citing [1])"


def test_a_rule_result_naming_a_second_statement_gets_its_own_key() -> None:
    warning = URIRef("http://www.w3.org/ns/shacl#Warning")
    shape = URIRef("https://w3id.org/ntrk-kg/shapes#PrevalenceStatementsAgreeShape")
    a, b, c = (iris.statement(DOC, k) for k in ("prevalence-breast-cancer", "prevalence-common-breast", "prevalence-common-lung"))
    keys = {factcheck.rule_finding_key(factcheck.RuleResult(warning, a, shape, "m", v)) for v in (b, c, a, None)}
    assert keys == {
        "rule-prevalence-statements-agree-shape--prevalence-breast-cancer--prevalence-common-breast",
        "rule-prevalence-statements-agree-shape--prevalence-breast-cancer--prevalence-common-lung",
        "rule-prevalence-statements-agree-shape--prevalence-breast-cancer",
    }


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
    ("drugs.tsv", "newdrug\tnew drug\ttrk-inhibitor\t\t\tdrugbank:DB1\t\t\thttps://example.org/x\t\ttertiary",
     "drugs.tsv:{line}: identifiers: 'drugbank:DB1' is not a valid drugbank identifier"),
    ("drugs.tsv", "egfr-drug\tan EGFR drug\tother\t\t\t\tTRKA\t\thttps://example.org/x\t\ttertiary",
     "drugs.tsv:{line}: inhibits: only a trk-inhibitor may be linked to TRK proteins"),
    ("drugs.tsv", "hearsay\ta drug\tother\t\t\t\t\t\thttps://example.org/x\t\trumour",
     "drugs.tsv:{line}: source_level: 'rumour' is not one of primary, secondary, tertiary"),
    ("findings.tsv", "ntrk-guide\ttwo-concerns\tstatement:fusion-partner-TPM3--NTRK1|statement:nope\toverstated\twarning\tx\t\t\tx",
     "findings.tsv:{line}: concerns: 'statement:nope' names no statement of 'ntrk-guide'"),
]


def test_bad_fact_check_and_context_rows_are_reported_with_file_line_and_field(cli, data_copy: Path) -> None:
    expected = []
    for name, row, message in BAD_ROWS:
        path = data_copy / name
        text = path.read_text(encoding="utf-8").rstrip("\n") + "\n" + row + "\n"
        path.write_text(text, encoding="utf-8")
        expected.append(message.format(line=len(text.splitlines())))
    result = cli("build", "--data", str(data_copy), "--out", str(data_copy.parent / "out"))
    assert result.exit_code == 2, result.output
    for message in expected:
        assert message in result.output, message
    assert "Traceback" not in result.output
    assert not (data_copy.parent / "out").exists()


def test_the_documented_query_gives_the_documented_counts(dataset: Dataset) -> None:
    """docs/factcheck.md: its SPARQL example, run on the built graph, gives the table beside it."""
    import re

    text = (Path(__file__).resolve().parents[2] / "docs" / "factcheck.md").read_text(encoding="utf-8")
    sparql = re.search(r"```sparql\n(.*?)```", text, re.S)
    table = re.search(r"\| kind \| severity \| findings \|\n\|---\|---\|---\|\n((?:\|.*\|\n)+)", text)
    assert sparql and table
    documented = [tuple(c.strip() for c in line.strip("|").split("|")) for line in table.group(1).splitlines()]
    got = [(str(k), str(s), str(n)) for k, s, n in dataset.query(sparql.group(1))]
    assert got == documented
