"""The reasoners behind one entry point: which engine gives the inferred types, and which checks consistency.

- ``rules`` (the default, any size): the SPARQL rules compiled from the ontology
  (:mod:`kg_build.reasoning.rules`) give the inferred types and check disjoint classes and
  functional properties, on the build's store.
- ``hermit``: the OWL 2 DL reasoner HermiT (:func:`kg_build.reasoning.owl.hermit_types`) gives the
  types; needs ``java``; its time grows much faster than the graph.
- ``owlrl``: the OWL 2 RL closure in Python; no datatype restrictions (see :mod:`kg_build.reasoning.owl`).
- ``auto``: the rules give the types; where HermiT fits (``java`` on PATH and at most
  :data:`HERMIT_CHECK_LIMIT` quads) HermiT also checks the graph's consistency and must infer the
  same types, or the build stops.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pyoxigraph as ox
from rdflib import Dataset

from kg_build.errors import ValidationFailure
from kg_build.rdf.bridge import from_rdflib
from kg_build.rdf.prefixes import compress
from kg_build.reasoning import owl, rules
from kg_build.reasoning.owl import REASONED_GRAPHS, Reasoning, inferred_lines

__all__ = ["ENGINES", "HERMIT_CHECK_LIMIT", "ReasonersDisagree", "inferred_lines", "reason", "reason_store",
           "reads_store_only"]

ENGINES = ("auto", "rules", "hermit", "owlrl")
HERMIT_CHECK_LIMIT = 10_000
"""Up to this many quads, ``auto`` also runs HermiT as a check (it takes seconds at this size)."""


class ReasonersDisagree(ValidationFailure):
    """HermiT and the rule reasoner inferred different types (exit 1): the ontology left the fragment
    the rules evaluate exactly, in a way the fragment check did not catch."""


def _store_of(ds: Dataset) -> ox.Store:
    st = ox.Store()
    st.extend(ox.Quad(from_rdflib(s), from_rdflib(p), from_rdflib(o), from_rdflib(g))  # type: ignore[arg-type]
              for s, p, o, g in ds.quads((None, None, None, None)) if g in REASONED_GRAPHS)
    return st


def reason(ds: Dataset, engine: str = "auto") -> Reasoning:
    """Reason over an rdflib dataset's ontology, guide and curation graphs (guide-size tools and tests)."""
    if engine in ("hermit", "owlrl"):
        return owl.reason(ds, engine)
    return reason_store(_store_of(ds), engine, len(ds), lambda: ds)


def reads_store_only(engine: str, quads: int) -> bool:
    """Whether :func:`reason_store` with ``engine`` on a graph of ``quads`` quads (or more) reads the
    store alone: the rule reasoner, with no HermiT check (HermiT and owlrl read the graph as an
    rdflib dataset)."""
    return engine == "rules" or (engine == "auto" and quads > HERMIT_CHECK_LIMIT)


def reason_store(
    st: ox.Store, engine: str, quads: int, dataset: Callable[[], Dataset], stop: threading.Event | None = None
) -> Reasoning:
    """Reason over the store ``st`` (``quads`` quads); ``dataset`` gives the same graph as an rdflib
    dataset, read only when HermiT or owlrl runs. Once ``stop`` is set, the rule reasoner stops
    before its next query (raising ``InterruptedError``)."""
    if engine not in ENGINES:
        raise ValueError(f"unknown reasoner {engine!r}; choose one of {', '.join(ENGINES)}")
    if engine in ("hermit", "owlrl"):
        return owl.reason(dataset(), engine)
    result = rules.infer(st, stop=stop)
    result.checked_by.append(rules.ENGINE)
    if engine == "auto":
        if owl.java() is None:
            result.notes.append("java is not on PATH, so HermiT's consistency check was skipped; the rule "
                                "reasoner's own checks (disjoint classes, functional properties) ran")
        elif quads <= HERMIT_CHECK_LIMIT:
            check = owl.reason(dataset(), "hermit")
            result.checked_by.append(check.engine)
            if check.types != result.types:
                raise ReasonersDisagree(_disagreement(result, check))
    return result


def _disagreement(ours: Reasoning, hermit: Reasoning) -> str:
    def lines(types: set) -> str:
        return "; ".join(f"{compress(str(s))} a {compress(str(c))}" for s, c in sorted(types, key=str)[:5])

    only_ours, only_hermit = set(ours.types) - set(hermit.types), set(hermit.types) - set(ours.types)
    return (
        "the rule reasoner and HermiT inferred different types"
        + (f"; only the rules: {lines(only_ours)}" if only_ours else "")
        + (f"; only HermiT: {lines(only_hermit)}" if only_hermit else "")
        + "; build with --reasoner hermit and report the ontology change that caused it"
    )
