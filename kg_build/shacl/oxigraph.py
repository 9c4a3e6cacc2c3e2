"""Validate a pyoxigraph store against the SHACL shapes with compiled SPARQL (the default engine).

:func:`validate_store` runs the checks :mod:`kg_build.shacl.compile` makes of the shapes on a
pyoxigraph ``Store`` (the union of its graphs, as :mod:`kg_build.shacl.validation` validates the
union of a dataset) and returns the same :class:`~kg_build.shacl.report.Report` pySHACL gives: the same results
(severity, focus node, path, value, source shape, constraint component, message). The data is never
held in an rdflib graph; only the shapes (a small file) are read with rdflib. The checks that
select the same focus nodes run as one query (:func:`batches`), the others each in the faster of
two forms (:func:`choose_forms`).

When the store lacks the ontology (``<https://w3id.org/ntrk-kg/ontology> a owl:Ontology``), the
packaged ontology is added to a temporary named graph for the run and removed afterwards, so that
``sh:targetClass`` and ``sh:class`` follow ``rdfs:subClassOf``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from kg_build.errors import UsageError
from kg_build.rdf.bridge import OxTerm, from_rdflib, to_rdflib
from kg_build.shacl.compile import (
    Check,
    compile_shapes,
    focus_and_tests,
    lateral_form,
    merged_form,
    reads_every_predicate,
    results_of,
    scanned_predicates,
)
from kg_build.shacl.report import Report, Result
from kg_build.shacl.shapes import load_shapes
from kg_build.sparql.engines import STORE_THREADS, store_threads

if TYPE_CHECKING:
    import pyoxigraph as ox



@lru_cache(maxsize=4)
def _compiled(shapes_key: int, use: tuple[Node, ...] | None) -> tuple[Check, ...]:
    checks = compile_shapes(_SHAPES[shapes_key], use)
    for check in checks:
        forms_of(check)  # both forms now, so that a LATERAL form that does not parse shows here
    return checks


_SHAPES: dict[int, Graph] = {}


def checks_for(shapes: Graph, use_shapes: Iterable[Node] | None = None) -> tuple[Check, ...]:
    """The compiled checks of ``shapes`` (cached per shapes graph)."""
    _SHAPES[id(shapes)] = shapes
    return _compiled(id(shapes), tuple(use_shapes) if use_shapes is not None else None)


def count_triples(store: ox.Store) -> int:
    """Distinct triples of the union of the store's graphs."""
    q = "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"
    return int(next(iter(store.query(q, use_default_graph_as_union=True)))["n"].value)


def validate_store(
    store: ox.Store,
    shapes: Graph | Path | None = None,
    use_shapes: Iterable[Node] | None = None,
    focus_nodes: Iterable[Node] | None = None,
    triples: int | None = None,
    on_check: Callable[[int], None] | None = None,
    background: bool = False,
    in_memory: bool = False,
) -> Report:
    """Validate the union of the graphs of ``store`` against the shapes (default: the packaged ones).

    The arguments mean what they mean for :func:`kg_build.shacl.validation.validate`; ``triples``, when
    given, is the size the report states instead of counting the store's distinct triples;
    ``on_check`` is called with the number of compiled checks each query finishes (for a progress bar);
    ``background`` runs the queries at a lower priority (see
    :func:`~kg_build.sparql.engines.store_threads`); ``in_memory`` says that the store is held in
    memory, where more checks run merged (see :func:`batches`). Raises
    :class:`~kg_build.shacl.components.NotCompilable`, before running anything, when a shape uses a
    construct the compiler cannot express (never skipping it).
    """
    sg = shapes if isinstance(shapes, Graph) else load_shapes(shapes)
    checks = checks_for(sg, use_shapes)
    return run_checks(store, sg, checks, focus_nodes, triples, on_check, background, in_memory)


def run_checks(
    store: ox.Store,
    sg: Graph,
    checks: tuple[Check, ...],
    focus_nodes: Iterable[Node] | None = None,
    triples: int | None = None,
    on_check: Callable[[int], None] | None = None,
    background: bool = False,
    in_memory: bool = False,
) -> Report:
    """The report of compiled ``checks`` (of the shapes ``sg``) on the union of ``store``'s graphs
    (``in_memory``: the store is held in memory, see :func:`batches`)."""
    results: list[Result] = []
    with store_threads(background) as pool:
        todo = batches(store, checks, pool, in_memory)
        for batch, found in zip(todo, pool.map(lambda batch: run_batch(store, sg, batch), todo), strict=True):
            results.extend(found)
            if on_check is not None:
                on_check(len(batch.checks))
    if triples is None:
        triples = count_triples(store)
    only = set(focus_nodes) if focus_nodes is not None else None
    return Report.of((r for r in results if only is None or r.focus_node in only), sg, triples)


def validate_nquads(path: Path, shapes: Graph | Path | None = None) -> Report:
    """Validate an N-Quads file (e.g. ``build/ntrk-kg.nq``), bulk-loaded into an in-memory store."""
    import pyoxigraph as ox

    store = ox.Store()
    store.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
    return validate_store(store, shapes, in_memory=True)


def store_of(triples: Iterable[tuple[Node, Node, Node]]) -> ox.Store:
    """An in-memory store holding ``triples`` (rdflib terms) in its default graph."""
    import pyoxigraph as ox

    def checked(node: Node) -> OxTerm:
        try:
            return from_rdflib(node)
        except ValueError as exc:  # rdflib reads terms that RDF does not allow, e.g. an IRI with '<'
            raise UsageError(f"the data holds a term that is not valid RDF: {str(node)!r}: {exc}") from None

    store = ox.Store()
    store.extend([ox.Quad(checked(s), checked(p), checked(o), ox.DefaultGraph()) for s, p, o in triples])
    return store


# ----------------------------------------------------------------------------- the form of each check

# A check runs in its LATERAL form when the plain join would read more than RATIO triples (of the
# predicates its tests match over the whole graph) per focus node, in its plain form otherwise.
RATIO = 2
# ...and always when the plain join would read more than JOIN_MAX triples: the join holds what it
# reads in memory, LATERAL what one focus node has, so memory does not grow with the graph.
JOIN_MAX = 1_000_000


@dataclass(frozen=True)
class Forms:
    """A compiled check in its two forms, and what choosing between them counts.

    ``lateral`` is ``None`` when the check has one form only (a SPARQL-based constraint, or a
    check that selects its focus nodes and tests nothing joined to them).
    """

    join: Check
    lateral: Check | None = None
    prefixes: str = ""  # the PREFIX lines of the check's query
    focus: str = ""  # its focus-node subquery
    scanned: tuple[str, ...] = ()  # the IRIs its tests match outside nested groups
    every: bool = False  # its tests match a triple of any predicate: a plain join reads the whole graph


@lru_cache(maxsize=8192)
def forms_of(check: Check) -> Forms:
    """``check`` in its plain form and, when it has one, in its ``LATERAL`` form
    (:func:`~kg_build.shacl.compile.lateral_form`: the same solutions)."""
    parts = focus_and_tests(check)
    if parts is None:
        return Forms(check)
    lateral = lateral_form(check)
    try:
        _parse(lateral.query)
    except SyntaxError:
        return Forms(check)  # never expected: the plain form is always right
    return Forms(check, lateral, parts.prefixes, parts.focus, scanned_predicates(parts.tests),
                 reads_every_predicate(parts.tests))


def _parse(query: str) -> None:
    import pyoxigraph as ox

    ox.Store().query(query)


def choose_forms(store: ox.Store, checks: Iterable[Check], pool: ThreadPoolExecutor | None = None) -> list[Check]:
    """Each check in the form that is faster on ``store``: both give the same solutions.

    ``LATERAL`` evaluates a check's tests once per focus node; the plain join lets Oxigraph
    evaluate them over the whole graph (every triple of the predicates they match) and join the
    result with the focus nodes. The first wins when the focus nodes are few beside those triples
    (the labels of a dozen pathways among 150,000 labels), the second when they are many (the
    row numbers of 40,000 statements). So the store is asked, once per predicate and once per
    distinct focus subquery, how many triples and how many focus nodes there are (the focus nodes
    counted up to the number that decides), and a check runs with ``LATERAL`` when its predicates
    have more than :data:`RATIO` triples per focus node, or more than :data:`JOIN_MAX` triples
    (a join holds what it reads in memory), or when they match triples of any predicate (a
    variable predicate: the join would read every triple of the graph). SPARQL-based constraints
    have both forms too: ``LATERAL`` runs their SELECT once per focus node with ``$this`` bound.
    """
    forms = [forms_of(c) for c in checks]
    open_ = [f for f in forms if f.lateral is not None and f.scanned]
    iris = sorted({iri for f in open_ for iri in f.scanned})
    queries = [f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s <{iri}> ?o }}" for iri in iris]
    sizes = dict(zip(iris, _counts(store, queries, pool), strict=True))
    scanned = [sum(sizes[iri] for iri in f.scanned) for f in open_]
    caps: dict[tuple[str, str], int] = {}
    for f, n in zip(open_, scanned, strict=True):
        if n > 0:
            key = (f.prefixes, f.focus)
            caps[key] = max(caps.get(key, 0), min(n, JOIN_MAX) // RATIO + 1)
    keys = sorted(caps)
    queries = [f"{p}SELECT (COUNT(*) AS ?n) WHERE {{ SELECT * WHERE {{ {focus} }} LIMIT {caps[p, focus]} }}" for p, focus in keys]
    focus_nodes = dict(zip(keys, _counts(store, queries, pool), strict=True))
    lateral = {f for f, n in zip(open_, scanned, strict=True)
               if n > JOIN_MAX or (n > 0 and n > RATIO * focus_nodes[f.prefixes, f.focus])}
    lateral.update(f for f in forms if f.every)
    return [f.lateral if f in lateral and f.lateral is not None else f.join for f in forms]


def _counts(store: ox.Store, queries: list[str], pool: ThreadPoolExecutor | None) -> list[int]:
    def count(query: str) -> int:
        return int(next(iter(store.query(query, use_default_graph_as_union=True)))["n"].value)

    return list(pool.map(count, queries)) if pool is not None else [count(q) for q in queries]


# ----------------------------------------------------------------------------- batches

MERGE_AT = 2
"""Checks sharing their focus-node subquery run as one query (:func:`~kg_build.shacl.compile.merged_form`)
when there are at least this many of them."""


SPREAD_LONE_GROUP = True
"""When the checks make one merged query and nothing else, they run apart instead, so that every
thread of the pool has a query (see :func:`batches`)."""


@dataclass(frozen=True)
class Batch:
    """Compiled checks run as one query: a check alone in the form :func:`choose_forms` chose (its
    ``query``), or the checks of one focus-node subquery merged, their solutions told apart by the
    variable ``tag``."""

    query: str
    checks: tuple[Check, ...]
    tag: str = ""


def batches(
    store: ox.Store, checks: Iterable[Check], pool: ThreadPoolExecutor | None = None, in_memory: bool = False
) -> list[Batch]:
    """``checks`` as the queries that run them on ``store``, the largest groups first.

    The checks of a shape (and of every shape with the same targets) select the same focus nodes;
    run apart, each query selects them again (a class's instances, ``rdfs:subClassOf`` followed),
    and on a store on disk reads them again. Each check gets the form :func:`choose_forms` picks;
    those that test their focus nodes one by one anyway (the ``LATERAL`` form, or tests that read
    nothing over the whole graph, such as ``FILTER NOT EXISTS``) run, at least :data:`MERGE_AT`
    of them sharing their focus subquery, as one query that selects the focus nodes once and
    tests each in turn with every check (:func:`~kg_build.shacl.compile.merged_form`). A plain
    join that reads a predicate's triples all at once stays alone: per focus node it would look
    them up one node at a time (on the on-disk store at 10^7 quads, merging those too made the
    validation a quarter slower).

    With ``in_memory`` (the store is held in memory), those are merged too: there a lookup per
    focus node costs little beside reading the focus nodes again for each check; and only the
    checks left alone have their form chosen (the store's counts cost 0.8 s at 10^6 quads). On the checks
    of a 10^6-quad build, one thread, the validation took 14-17 s merged against 22-24 s apart
    in memory, and 57-59 s against 43-48 s on the on-disk store.
    """
    checks = list(checks)
    if in_memory:
        # Every check with a LATERAL form is merged with the others of its focus subquery: only
        # those left alone need the store's counts to choose their form.
        sharing: dict[tuple[str, str], int] = {}
        for check in checks:
            forms = forms_of(check)
            if forms.lateral is not None:
                sharing[forms.prefixes, forms.focus] = sharing.get((forms.prefixes, forms.focus), 0) + 1
        lone = [c for c in checks if sharing.get((forms_of(c).prefixes, forms_of(c).focus), 0) < MERGE_AT
                or forms_of(c).lateral is None]
        chosen_lone = dict(zip(lone, choose_forms(store, lone, pool), strict=True))
        forms_chosen = [chosen_lone.get(c, c) for c in checks]
    else:
        forms_chosen = choose_forms(store, checks, pool)
    groups: dict[tuple[str, str], list[tuple[Check, Check]]] = {}
    alone: list[Check] = []
    for check, chosen in zip(checks, forms_chosen, strict=True):
        forms = forms_of(check)
        if forms.lateral is not None and (in_memory or chosen.query == forms.lateral.query or not forms.scanned):
            groups.setdefault((forms.prefixes, forms.focus), []).append((check, chosen))
        else:
            alone.append(chosen)
    merged: list[Batch] = []
    for group in groups.values():
        if len(group) < MERGE_AT:
            alone.extend(chosen for _, chosen in group)
        else:
            query, tag = merged_form([check for check, _ in group])
            merged.append(Batch(query, tuple(check for check, _ in group), tag))
    merged.sort(key=lambda b: -len(b.checks))
    if SPREAD_LONE_GROUP and len(merged) == 1 and not alone and pool is not None and STORE_THREADS > 1:
        # One query would leave the pool's other threads idle: its checks run apart instead, each
        # in its chosen form (the build's two source rules: 58 s merged against 45 s apart on two
        # threads at 10^7 quads on disk, 1.5 s against 1.0 s at 10^6 in memory).
        return [Batch(c.query, (c,)) for c in choose_forms(store, merged[0].checks, pool)]
    return merged + [Batch(c.query, (c,)) for c in alone]


def run_batch(store: ox.Store, sg: Graph, batch: Batch) -> list[Result]:
    """The results of the checks of ``batch`` on ``store`` (the union of its graphs)."""
    if not batch.tag:
        return run_check(store, sg, batch.checks[0])
    solutions = store.query(batch.query, use_default_graph_as_union=True)
    names = [v.value for v in solutions.variables]
    rows: list[list[dict[str, OxTerm]]] = [[] for _ in batch.checks]
    for sol in solutions:  # read here, in the thread that ran the query
        row = {n: t for n, t in zip(names, sol, strict=True) if t is not None}
        rows[int(row.pop(batch.tag).value)].append(row)
    return [r for check, found in zip(batch.checks, rows, strict=True) for r in results_of(check, sg, found)]


# ----------------------------------------------------------------------------- results

def run_check(store: ox.Store, sg: Graph, check: Check) -> list[Result]:
    """The results of one compiled check on ``store`` (the union of its graphs)."""
    solutions = store.query(check.query, use_default_graph_as_union=True)
    names = [v.value for v in solutions.variables]
    # The rows are read here, in the thread that ran the query (pyoxigraph's solutions stay in it).
    rows = [{n: t for n, t in zip(names, sol, strict=True) if t is not None} for sol in solutions]
    return results_of(check, sg, rows)


def store_form(report: Report) -> Report:
    """``report`` with each literal ``value`` in the form a pyoxigraph store gives it back.

    The store keeps typed literals by value, so it returns ``"150.0"^^xsd:decimal`` as
    ``"150"^^xsd:decimal`` and ``"01"^^xsd:integer`` as ``"1"``: the one field in which the two
    engines' reports differ. Comparing ``store_form(pyshacl_report)`` with the oxigraph engine's
    report compares everything else exactly.
    """
    literals = sorted({r.value for r in report.results if isinstance(r.value, Literal)}, key=lambda x: x.n3())
    store = store_of((URIRef(f"urn:x-value:{i}"), URIRef("urn:x-value"), v) for i, v in enumerate(literals))
    back = {int(str(q.subject.value).rsplit(":", 1)[1]): to_rdflib(q.object) for q in store.quads_for_pattern(None, None, None)}
    mapping = {v: back[i] for i, v in enumerate(literals)}
    results = sorted(
        (Result(r.severity, r.focus_node, r.result_path, mapping.get(r.value, r.value),  # type: ignore[arg-type]
                           r.source_shape, r.constraint_component, r.message) for r in report.results),
        key=Result.sort_key,
    )
    return Report(tuple(results), report.rules, report.triples, report.described)


def restore_lexical(report: Report, *graphs: Graph) -> Report:
    """``report`` with each literal focus node and value in the lexical form ``graphs`` (the data
    and the shapes, held by rdflib) write it, where the store gave back its canonical form
    (``"150"`` for ``"150.0"``) and only one written form has that canonical form."""
    written = sorted({o for g in graphs for o in g.objects() if isinstance(o, Literal) and o.datatype not in (None, XSD.string)},
                     key=lambda x: x.n3())
    if not written or not report.results:
        return report
    forms: dict[Node, set[Literal]] = {}
    for literal, stored in zip(written, _store_forms(written), strict=True):
        forms.setdefault(stored, set()).add(literal)
    back = {stored: next(iter(ls)) for stored, ls in forms.items() if len(ls) == 1}

    def restore(node: Node | None) -> Node | None:
        return back.get(node, node) if isinstance(node, Literal) else node  # type: ignore[arg-type]

    results = [Result(r.severity, restore(r.focus_node), r.result_path, restore(r.value),  # type: ignore[arg-type]
                                 r.source_shape, r.constraint_component, r.message) for r in report.results]
    ordered = sorted(results, key=Result.sort_key)
    return Report(tuple(ordered), report.rules, report.triples, report.described)


def _store_forms(literals: list[Literal]) -> list[Node]:
    store = store_of((URIRef(f"urn:x-value:{i}"), URIRef("urn:x-value"), v) for i, v in enumerate(literals))
    back = {int(str(q.subject.value).rsplit(":", 1)[1]): to_rdflib(q.object) for q in store.quads_for_pattern(None, None, None)}
    return [back[i] for i in range(len(literals))]
