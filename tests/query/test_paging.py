"""Paged catalogue queries (``#+ pagination: N`` and ``--page K``): each page is exactly its slice
of the whole ordered answer, on a synthetic graph large enough for many pages."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from benchmarks.generate import generate
from kg_build.build import pipeline
from kg_build.errors import UsageError
from kg_build.query import catalogue
from kg_build.query import run as query_run
from kg_build.sparql import engines as query
from kg_build.sparql import sources

PAGED = ["fusion-partners", "gene-card", "partner-genes", "prevalence-by-tumour-type", "references", "uncited-statements"]


def paged_queries() -> list[catalogue.CatalogueQuery]:
    found = [q for q in catalogue.load() if q.pagination is not None]
    assert [q.name for q in found] == PAGED
    return found


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> query.OxigraphEngine:
    """The curated tables plus synthetic rows for about 30,000 triples, in an in-memory store."""
    data = tmp_path_factory.mktemp("paging") / "data"
    generate(data, 3e4)
    _, dataset = pipeline.assemble(data)
    store = ox.Store()
    store.load(dataset.serialize(format="nquads").encode("utf-8"), format=ox.RdfFormat.N_QUADS)
    return query.OxigraphEngine(store)


def items(result: query.Result) -> list:
    """A SELECT's rows, or a CONSTRUCT's triples (each page's sorted on its own)."""
    return result.rows if result.form == "select" else result.triples


def whole_answer(result: query.Result) -> list:
    """What the pages put together are compared with: the rows, or the triples in sorted order."""
    return result.rows if result.form == "select" else sorted(result.triples, key=str)


def all_pages(engine, q: catalogue.CatalogueQuery) -> tuple[list, int]:  # type: ignore[no-untyped-def]
    """Every page in turn, up to a short one (a SELECT) or an empty one (a CONSTRUCT, whose pages
    hold the triples of N subjects each)."""
    got_all, page = [], 1
    while True:
        got = items(query_run.run_catalogue_query(engine, q, q.bind(q.examples()), page))
        got_all += got
        if (len(got) < q.pagination) if q.form == "select" else not got:
            return (got_all if q.form == "select" else sorted(got_all, key=str)), page
        page += 1


@pytest.mark.parametrize("q", paged_queries(), ids=lambda q: q.name)
def test_the_pages_put_together_are_the_whole_ordered_answer(synthetic: query.OxigraphEngine,
                                                              q: catalogue.CatalogueQuery) -> None:
    whole = whole_answer(query_run.run_catalogue_query(synthetic, dataclasses.replace(q, pagination=None), q.bind(q.examples())))
    small = dataclasses.replace(q, pagination=23)
    rows, pages = all_pages(synthetic, small)
    assert len(whole) > 5 * 23 and pages > 5
    assert rows == whole
    assert all_pages(synthetic, q)[0] == whole


def test_rdflib_gives_the_same_page(built_dir: Path) -> None:
    ox_engine = sources.engine_for("oxigraph", built_dir)
    rdf_engine = sources.engine_for("rdflib", built_dir)
    for q in paged_queries():
        small = dataclasses.replace(q, pagination=3)
        given = q.bind(q.examples()) if q.form == "construct" else {}
        for page in (1, 2, 3):
            assert (query_run.run_catalogue_query(rdf_engine, small, given, page)
                    == query_run.run_catalogue_query(ox_engine, small, given, page)), (q.name, page)


def test_the_guide_fits_on_the_first_page(oxigraph: query.OxigraphEngine) -> None:
    for q in paged_queries():
        given = q.bind(q.examples()) if q.form == "construct" else {}
        first = items(query_run.run_catalogue_query(oxigraph, q, given))
        assert 0 < len(first) and (len(first) < q.pagination or q.form == "construct")
        assert items(query_run.run_catalogue_query(oxigraph, q, given, 2)) == []
        assert first == items(query_run.run_catalogue_query(oxigraph, dataclasses.replace(q, pagination=None), given))


def test_a_full_page_says_how_to_get_the_next(built_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    references = catalogue.find("references")
    monkeypatch.setattr(catalogue, "find", lambda name: dataclasses.replace(references, pagination=3))
    out: list[tuple[str, bool]] = []
    query_run.run_named("references", (), "tsv", built_dir, (), "oxigraph", None,
                        lambda text, err=False: out.append((text, err)), page=2)
    table, note = out
    assert [line.split("\t")[1] for line in table[0].splitlines()[1:]] == ["4", "5", "6"]
    assert note == ("note: page 2 of references is full (3 subjects a page); the next page may hold more: "
                    "add --page 3\n", True)


@pytest.mark.parametrize("value", ["0", "-1", "two", "1.5"])
def test_a_bad_page_number_is_a_usage_error(built_dir: Path, value: str) -> None:
    proc = subprocess.run([sys.executable, "-m", "kg_build", "query", "references", "--page", value,
                           "--out", str(built_dir)], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "--page" in proc.stderr and "Traceback" not in proc.stderr


def test_the_header_declares_the_page_size_and_marks_the_page(tmp_path: Path) -> None:
    text = catalogue.find("references").path.read_text(encoding="utf-8")
    cases = {
        "pagination: 0": (text.replace("pagination: 100", "pagination: 0"), "must be the page size, a positive whole number, not 0"),
        "no marker": (text.replace("    #+ page\n", ""), "a paged query must have exactly one '#+ page' line"),
        "no size": (text.replace("#+ pagination: 100\n", ""), "the query has a '#+ page' line but no 'pagination: N' page size"),
    }
    for body, message in cases.values():
        path = tmp_path / "references.rq"
        path.write_text(body, encoding="utf-8")
        with pytest.raises(UsageError, match=r"references\.rq:\d+: pagination: " + re.escape(message)):
            catalogue.parse_query(path)


def test_a_page_number_below_one_is_refused(oxigraph: query.OxigraphEngine) -> None:
    with pytest.raises(UsageError, match="the page number must be 1 or more, not 0"):
        query_run.run_catalogue_query(oxigraph, catalogue.find("references"), {}, 0)
