"""Where queries read from: a small build's N-Quads in memory, a large build's persisted store."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from kg_build import layout
from kg_build.query import catalogue
from kg_build.query.run import run_catalogue_query
from kg_build.sparql import sources
from kg_build.sparql.engines import OxigraphEngine

QUAD = ox.Quad(ox.NamedNode("http://example.org/s"), ox.NamedNode("http://example.org/p"), ox.Literal("o"))


def test_a_small_build_is_read_from_its_nquads_with_the_answers_of_the_store(
    built_dir: Path, monkeypatch: pytest.MonkeyPatch, example_values
) -> None:
    """The guide's N-Quads load in memory (a writable store) faster than the persisted store opens;
    every catalogue query answers the same on both."""
    assert (built_dir / layout.NQUADS_FILE).stat().st_size <= sources.SMALL_NQUADS_BYTES
    memory = sources.open_store(built_dir)
    memory.add(QUAD)
    memory.remove(QUAD)
    monkeypatch.setattr(sources, "SMALL_NQUADS_BYTES", 0)
    persisted = sources.open_store(built_dir)
    with pytest.raises(RuntimeError, match="read-write"):
        persisted.add(QUAD)
    compared = 0
    for q in catalogue.load():
        if "federated" in q.keywords:
            continue
        bindings = q.bind(example_values(q))
        a = run_catalogue_query(OxigraphEngine(memory), q, bindings)
        b = run_catalogue_query(OxigraphEngine(persisted), q, bindings)
        assert (a.variables, a.rows, a.triples, a.boolean) == (b.variables, b.rows, b.triples, b.boolean), q.name
        assert a.rows or a.triples or a.boolean is not None, q.name
        compared += 1
    assert compared == 22


def test_a_missing_build_names_the_command_that_makes_it(tmp_path: Path) -> None:
    with pytest.raises(Exception, match=r"ntrk-kg\.nq does not exist; run 'ntrk-kg build --out .*' first, or pass --graph FILE"):
        sources.open_store(tmp_path)
    with pytest.raises(Exception, match=r"store does not exist; run 'ntrk-kg build --out .*' first"):
        sources.read_only_store(tmp_path)
