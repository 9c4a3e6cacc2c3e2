"""Run a catalogue query by name: bind its parameters, resolve its lookups, page it, check its columns."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from kg_build.errors import KgError, UsageError
from kg_build.query import catalogue, params
from kg_build.query.catalogue import CatalogueQuery, fill_value_markers, paged
from kg_build.sparql import results
from kg_build.sparql.engines import Result, Term, normalise
from kg_build.sparql.sources import Engine, engine_for, has_named_graphs
from kg_build.sparql.text import with_constants, with_value_set

Echo = Callable[..., None]
"""Writes text as given (no newline added); ``err=True`` writes to standard error."""
NO_NAMED_GRAPHS = (
    "warning: the graph holds no named graphs; catalogue queries read the named graphs "
    "(guide, curation, metadata, ontology), so load N-Quads or TriG\n"
)


def looked_up(engine: Engine, query: CatalogueQuery, bindings: dict[str, Term]) -> str:
    """The query's text with the answer of each bound parameter's lookup as inline data.

    A parameter whose header names lookups (``queries/lookup/NAME.rq``) is first resolved, with
    those small queries, to the values of one variable of the query (say the IRIs whose label is
    the name given); the query then opens with ``VALUES ?var { ... }`` and starts from them.
    A ``#+ values ?var ...`` line (in a sub-select, which the top-level block does not reach) is
    replaced by the same inline data for each variable it names that a lookup found or a bound
    parameter gives, so that sub-select too starts from the few values (see docs/queries.md).
    """
    found_sets: dict[str, list[str]] = {}
    for p in query.params:
        if not p.lookup or p.name not in bindings:
            continue
        terms: set[str] = set()
        for lookup in p.lookup:
            text_of_lookup = with_constants(lookup.body, {"value": str(bindings[p.name])})
            found = engine.run(text_of_lookup, name=f"{query.name} (lookup {lookup.name})")
            terms.update(str(row[0]) for row in found.rows if row and row[0] is not None)
        found_sets[p.lookup[0].variable] = sorted(terms)
    marked = {**{k: [str(v)] for k, v in bindings.items()}, **found_sets}
    text = fill_value_markers(query.body, marked)
    for var, terms_of_var in found_sets.items():
        text = with_value_set(text, var, terms_of_var)
    return text


def run_catalogue_query(engine: Engine, query: CatalogueQuery, bindings: dict[str, Term], page: int = 1) -> Result:
    """Run a catalogue query, normalise it, and check it returns exactly its declared columns.

    A paged query (``#+ pagination: N``) gives page ``page`` (from 1): the N subjects its marked
    sub-select lists at that place of its order, with their rows (see ``catalogue.paged``).
    """
    if page < 1:
        raise UsageError(f"the page number must be 1 or more, not {page}")
    text = paged(query, looked_up(engine, query, bindings), page)
    result = normalise(engine.run(text, bindings, name=query.name), query.lists)
    if query.form == "select" and result.variables != query.columns:
        raise KgError(
            f"{query.path}: the query returns columns {list(result.variables)} but its header declares {list(query.columns)}"
        )
    return result


def emit(result: Result, fmt: str, echo: Echo, max_width: int | None = None) -> None:
    """Write a result to ``echo`` in ``fmt`` (one of :data:`kg_build.sparql.results.FORMATS`),
    a table wrapped to ``max_width`` characters if given."""
    echo(results.render(result, fmt, max_width))


def warn_if_no_named_graphs(engine: Engine, echo: Echo) -> None:
    """Warn on stderr when the local data holds no named graph (catalogue queries read them)."""
    if not has_named_graphs(engine):
        echo(NO_NAMED_GRAPHS, err=True)


def run_named(name: str, assignments: Sequence[str], fmt: str, out_dir: Path,
              graph_files: Sequence[Path], engine: str, endpoint: str | None,
              echo: Echo, page: int = 1, max_width: int | None = None) -> None:
    """Run the catalogue query ``name`` with ``name=value`` parameters and write its result.

    A paged query gives its page ``page``; when that page is full, a note on stderr says how to
    ask for the next one.
    """
    q = catalogue.find(name)
    bindings = q.bind(params.parse_assignments(assignments))
    eng = engine_for(engine, out_dir, graph_files, endpoint)
    warn_if_no_named_graphs(eng, echo)
    result = run_catalogue_query(eng, q, bindings, page)
    emit(result, fmt, echo, max_width)
    if q.pagination is not None and len(result.rows) >= q.pagination:
        echo(f"note: page {page} of {q.name} is full ({q.pagination} subjects a page); "
             f"the next page may hold more: add --page {page + 1}\n", err=True)
