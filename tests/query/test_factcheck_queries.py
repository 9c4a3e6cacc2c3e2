"""The fact-check queries of the catalogue, spelled out: what the review of the guide found.

Their golden results, columns and engine agreement are checked with every other catalogue query
(tests/test_queries.py); this file states the answers that matter in words.
"""

from __future__ import annotations

import pytest

from kg_build.query import catalogue
from kg_build.query import run as query_run
from kg_build.sparql import engines as query

GUIDE = "https://w3id.org/ntrk-kg/id/guide/ntrk-guide"
FINDING = "https://w3id.org/ntrk-kg/id/finding/"


def run(engine: query.OxigraphEngine, name: str, **values: str) -> list[tuple[str, ...]]:
    q = catalogue.find(name)
    result = query_run.run_catalogue_query(engine, q, q.bind(values))
    return [tuple("" if t is None else t.value for t in row) for row in result.rows]


# (finding key, severity, kind, what it concerns, evidence): every error and warning, with each
# piece of evidence, most severe first
PROBLEMS = [
    ("compound-of-interest-is-larotinib", "error", "misnamed entity", "",
     "another source reports EGFR tyrosine kinase inhibitor for larotinib, phase 1b in EGFR-overexpressing oesophageal squamous cell carcinoma"),
    ("compound-of-interest-is-larotinib", "error", "misnamed entity", "",
     "another source reports ErbB family inhibitor for larotinib mesylate, phase I"),
    ("compound-of-interest-is-larotinib", "error", "misnamed entity", "",
     "another source reports Larotinib Mesylate for NCIt concept C172062 (NCIt 20.10d, through the GDC data dictionary)"),
    ("overall-prevalence-contradicted-by-ref-5", "error", "contradicted by the cited source", "/statement/prevalence-overall-solid-tumours",
     "[5] reports approximately 0.4% for Chinese solid tumour patients (40/10,194)"),
    ("overall-prevalence-contradicted-by-ref-5", "error", "contradicted by the cited source", "/statement/prevalence-overall-solid-tumours",
     "[6] reports 0.20% for solid tumours (Japan)"),
    ("overall-prevalence-contradicted-by-ref-5", "error", "contradicted by the cited source", "/statement/prevalence-overall-solid-tumours",
     "[7] reports 0.35% for solid tumours"),
    ("overall-prevalence-contradicted-by-ref-5", "error", "contradicted by the cited source", "/statement/prevalence-overall-solid-tumours",
     "another source reports 0.30% for solid tumours in FoundationCORE (889/295,676), a study the guide does not cite; for context only"),
    ("reference-2-unresolvable", "warning", "unresolvable reference", "/reference/2", ""),
    # derived by the validation rule BandConsistencyShape, not curated
    ("rule-band-consistency-shape--prevalence-congenital-mesoblastic-nephroma", "warning", "internal inconsistency",
     "/statement/prevalence-congenital-mesoblastic-nephroma", "the guide's own band: High Prevalence (>90%)"),
    ("rule-band-consistency-shape--prevalence-papillary-thyroid-cancer-pediatric", "warning", "internal inconsistency",
     "/statement/prevalence-papillary-thyroid-cancer-pediatric", "the guide's own band: Intermediate Prevalence (5-25%)"),
    ("soft-tissue-sarcoma-lower-bound-not-found", "warning", "not found in the cited source", "/statement/prevalence-soft-tissue-sarcoma",
     "[5] reports 3.0% for soft tissue sarcoma"),
    ("soft-tissue-sarcoma-lower-bound-not-found", "warning", "not found in the cited source", "/statement/prevalence-soft-tissue-sarcoma",
     "[6] reports 0.91% for soft tissue sarcoma (19/2077)"),
    ("thyroid-adult-qualifier-not-found", "warning", "not found in the cited source", "/statement/prevalence-thyroid-cancer-adult",
     "[6] reports 1.31% for thyroid cancer, no age qualifier (7/534)"),
    ("thyroid-adult-upper-bound-not-found", "warning", "not found in the cited source", "/statement/prevalence-thyroid-cancer-adult",
     "[6] reports 1.31% for thyroid cancer (7/534)"),
    ("thyroid-adult-upper-bound-not-found", "warning", "not found in the cited source", "/statement/prevalence-thyroid-cancer-adult",
     "[7] reports 1.32% for small intestine"),
]


def _short(row: tuple[str, ...]) -> tuple[str, ...]:
    finding, severity, kind, concerns, _, _, evidence = row
    return (finding.removeprefix(FINDING), severity, kind, concerns.removeprefix(GUIDE), evidence)


def test_quality_findings_are_the_curated_problems_most_severe_first(oxigraph: query.OxigraphEngine) -> None:
    got = [_short(r) for r in run(oxigraph, "quality-findings")]
    assert got[: len(PROBLEMS)] == PROBLEMS
    # the rest are claims whose cited paper could not be checked, never marked supported
    rest = got[len(PROBLEMS):]
    assert {(r[1], r[2]) for r in rest} == {("info", "unchecked")}
    assert {"breast-lower-bound-unchecked", "most-common-partners-unchecked", "etv6-ntrk3-prevalent-unchecked",
            "normal-downstream-signalling-unchecked"} <= {r[0] for r in rest}
    assert not [r for r in got if r[0].endswith("-supported")]


@pytest.mark.parametrize("statement", [
    "prevalence-soft-tissue-sarcoma",
    "ntrkkg:guide/ntrk-guide/statement/prevalence-soft-tissue-sarcoma",
    GUIDE + "/statement/prevalence-soft-tissue-sarcoma",
])
def test_statement_evidence_by_key_curie_or_iri(oxigraph: query.OxigraphEngine, rdflib_engine: query.RdflibEngine,
                                                 statement: str) -> None:
    expected = [
        ("5", "partly-verified", "soft-tissue-sarcoma-lower-bound-not-found", "not found in the cited source", "warning"),
        ("5", "partly-verified", "soft-tissue-sarcoma-upper-bound-supported", "supported by the cited source", "info"),
        ("6", "partly-verified", "soft-tissue-sarcoma-lower-bound-not-found", "not found in the cited source", "warning"),
    ]
    for engine in (oxigraph, rdflib_engine):
        got = run(engine, "statement-evidence", statement=statement)
        assert {r[0] for r in got} == {"Soft Tissue Sarcoma: 0.57% - 3.0%"}
        assert [(r[1].rsplit("/", 1)[1], r[3], r[4].removeprefix(FINDING), r[5], r[6]) for r in got] == expected


def test_statement_evidence_of_a_reference_without_findings_and_a_finding_about_a_reference(
        oxigraph: query.OxigraphEngine) -> None:
    got = [(r[1].rsplit("/", 1)[-1], r[4].removeprefix(FINDING), r[5])
           for r in run(oxigraph, "statement-evidence", statement="fusion-protein-activity")]
    assert got == [("2", "reference-2-unresolvable", "unresolvable reference"), ("4", "", "")]
