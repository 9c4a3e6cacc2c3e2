"""Two versions of the curated data, built: the packaged data and a copy with six curator edits."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg_build.build import pipeline
from kg_build.rdf import vocab
from kg_build.resources import DATA_DIR, ONTOLOGY_FILE

ADDED_TERM = """
ntrk:FusionBreakpoint a owl:Class ;
    rdfs:label "fusion breakpoint"@en ;
    skos:definition "The position in each partner gene at which a gene fusion joins the two genes."@en .
"""


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, (path.name, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


def new_version(data: Path, ontology: Path) -> None:
    """The curator's edits: a prevalence value, a fusion, a mapping predicate, a finding, a label, a term."""
    edit(data / "prevalence.tsv", "\tlow\t0.57% - 3.0%\t", "\tlow\t0.9% - 3.0%\t")
    edit(data / "fusions.tsv", "ntrk-guide\tEML4\tNTRK3\ttable-2\t3\t3\t\n",
         "ntrk-guide\tEML4\tNTRK3\ttable-2\t3\t3\t\nntrk-guide\tETV6\tNTRK1\ttable-2\t1\t4\t\n")
    edit(data / "mappings.sssom.tsv", "Soft Tissue Sarcoma\tskos:exactMatch\tNCIT:C9306",
         "Soft Tissue Sarcoma\tskos:closeMatch\tNCIT:C9306")
    for name in ("findings.tsv", "finding_evidence.tsv"):
        path = data / name
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        kept = [line for line in lines if "\tthyroid-adult-qualifier-not-found\t" not in line]
        assert len(kept) == len(lines) - 1
        path.write_text("".join(kept), encoding="utf-8")
    edit(data / "tumour_types.tsv", "glioblastoma\tGlioblastoma\t", "glioblastoma\tGlioblastoma (GBM)\t")
    ontology.write_text(ONTOLOGY_FILE.read_text(encoding="utf-8") + ADDED_TERM, encoding="utf-8")


def _build(out: Path, data: Path | None = None) -> Path:
    pipeline.build(out, ("nquads",), data, reason=False, with_store=False)
    return out


@pytest.fixture(scope="session")
def releases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A folder holding ``old/`` (the packaged data, built), ``new/`` (the edited copy, built with
    the ontology that has one term more) and ``same/`` (the packaged data built again)."""
    root = tmp_path_factory.mktemp("releases")
    _build(root / "old")
    _build(root / "same")
    data = root / "data"
    shutil.copytree(DATA_DIR, data, ignore=shutil.ignore_patterns("*.md", "__pycache__"))
    ontology = root / "ntrk.ttl"
    new_version(data, ontology)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(vocab, "ONTOLOGY_FILE", ontology)
        vocab.ontology_graph.cache_clear()
        vocab.declared_terms.cache_clear()
        try:
            _build(root / "new", data)
        finally:
            vocab.ontology_graph.cache_clear()
            vocab.declared_terms.cache_clear()
    yield root
