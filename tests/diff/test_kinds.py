"""The kinds of change on small hand-written N-Quads: IRI changes, ontology terms, findings, the walk."""

from __future__ import annotations

from pathlib import Path

from kg_build.diff.compare import Side, compare
from kg_build.diff.stream import Counts, blocks

G = "<https://w3id.org/ntrk-kg/graph/guide>"
ONTO = "<https://w3id.org/ntrk-kg/graph/ontology>"
F = "<https://w3id.org/ntrk-kg/graph/factcheck>"
NTRK = "https://w3id.org/ntrk-kg/ontology#"
TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
DEFINITION = "<http://www.w3.org/2004/02/skos/core#definition>"
DEPRECATED = "<http://www.w3.org/2002/07/owl#deprecated>"
TRUE = '"true"^^<http://www.w3.org/2001/XMLSchema#boolean>'


def nq(path: Path, *quads: str) -> Path:
    path.write_text("".join(sorted(f"{q} .\n" for q in quads)), encoding="utf-8")
    return path


def changes(old: Path, new: Path) -> list[tuple[str, str, str, list[str], str | None, str | None]]:
    with compare(Side(old, "old"), Side(new, "new")) as result:
        return [(c.graph.rsplit("/", 1)[1], c.entity.rsplit("/", 1)[1], c.status, c.kinds, c.replaced_by, c.replaces)
                for g in result.graphs for c in result.changes(g)]


def test_an_entity_under_another_iri_is_an_iri_change(tmp_path: Path) -> None:
    gene = f"{TYPE} <{NTRK}Gene> {G}"
    old = nq(tmp_path / "old.nq", f"<https://identifiers.org/hgnc:1> {gene}", f'<https://identifiers.org/hgnc:1> {LABEL} "ABC" {G}',
             f"<https://identifiers.org/hgnc:7> {gene}", f'<https://identifiers.org/hgnc:7> {LABEL} "XYZ" {G}')
    new = nq(tmp_path / "new.nq", f"<https://identifiers.org/hgnc:2> {gene}", f'<https://identifiers.org/hgnc:2> {LABEL} "ABC" {G}')
    assert changes(old, new) == [
        ("guide", "hgnc:7", "removed", ["removed"], None, None),
        ("guide", "hgnc:1", "changed-iri", ["changed-iri"], "https://identifiers.org/hgnc:2", None),
        ("guide", "hgnc:2", "changed-iri", ["changed-iri"], None, "https://identifiers.org/hgnc:1"),
    ]
    with compare(Side(old, "old"), Side(new, "new")) as result:
        assert result.kind_counts == {"removed": 1, "changed-iri": 1}


def test_ontology_terms_deprecated_and_redefined_findings_of_another_severity(tmp_path: Path) -> None:
    term, other = f"<{NTRK}Old>", f"<{NTRK}Other>"
    finding = "<https://w3id.org/ntrk-kg/id/finding/x>"
    old = nq(tmp_path / "old.nq", f'{term} {LABEL} "old"@en {ONTO}', f'{other} {DEFINITION} "A thing."@en {ONTO}',
             f"{finding} {TYPE} <{NTRK}Finding> {F}", f"{finding} <{NTRK}severity> <{NTRK}WarningSeverity> {F}")
    new = nq(tmp_path / "new.nq", f'{term} {LABEL} "old"@en {ONTO}', f"{term} {DEPRECATED} {TRUE} {ONTO}",
             f'{other} {DEFINITION} "A better thing."@en {ONTO}',
             f"{finding} {TYPE} <{NTRK}Finding> {F}", f"{finding} <{NTRK}severity> <{NTRK}ErrorSeverity> {F}")
    assert changes(old, new) == [
        ("factcheck", "x", "changed", ["finding-severity"], None, None),
        ("ontology", "ontology#Old", "changed", ["deprecated"], None, None),
        ("ontology", "ontology#Other", "changed", ["changed-definition"], None, None),
    ]


def test_the_walk_hands_over_only_subjects_that_differ_and_counts_every_graph(tmp_path: Path) -> None:
    old = nq(tmp_path / "old.nq", "<urn:a> <urn:p> <urn:o> <urn:g>", '<urn:b> <urn:p> "x <urn:g>"',
             '<urn:c> <urn:p> "a b" <urn:g>', "<urn:c> <urn:p> <urn:g>", "<urn:d> <urn:p> <urn:o> <urn:h>")
    text = (tmp_path / "old.nq").read_text(encoding="utf-8")
    new = tmp_path / "new.nq"
    new.write_text(text.replace('"a b"', '"a c"') + text.splitlines(keepends=True)[-1], encoding="utf-8")
    old_counts, new_counts = Counts(), Counts()
    found = [(b.subject, len(b.old.lines), len(b.new.lines), b.old.first_line)
             for b in blocks(old, new, old_counts, new_counts)]
    assert found == [(b"<urn:c>", 2, 2, 3)]
    assert dict(old_counts.graphs) == {"urn:g": 2, "": 2, "urn:h": 1}
    assert new_counts.graphs == old_counts.graphs  # the repeated last line counts once
