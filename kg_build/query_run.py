"""Run one catalogue query by name and write its result: the body of ``ntrk-kg query NAME``.

This module does not import click, so the entry point (``kg_build.entry``) can run the query path
without loading it; ``kg_build.commands.query`` calls the same functions with ``click.echo``.
Output goes through ``echo(text, err=False)``, which writes ``text`` as given (no newline added).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

Echo = Callable[..., None]
FORMATS = ("table", "csv", "tsv", "json", "xml", "turtle", "ntriples")
ENGINES = ("oxigraph", "rdflib")


def terminal_width() -> int | None:
    """The width tables wrap to by default: the terminal's when stdout is one, else none."""
    import shutil
    import sys

    try:
        return shutil.get_terminal_size().columns if sys.stdout.isatty() else None
    except (AttributeError, ValueError, OSError):
        return None


def emit(result, fmt: str, echo: Echo, max_width: int | None = None) -> None:  # type: ignore[no-untyped-def]
    """Write a result to stdout in ``fmt`` (a table wrapped to ``max_width`` characters, if given)."""
    from kg_build import results

    if result.form in ("construct", "describe") and fmt not in ("table", "turtle", "ntriples"):
        raise_usage(f"--format {fmt} is for SELECT results; a {result.form.upper()} query gives RDF: use turtle or ntriples")
    if result.form not in ("construct", "describe") and fmt in ("turtle", "ntriples"):
        raise_usage(f"--format {fmt} is for CONSTRUCT results; use table, csv, tsv, json or xml")
    echo(results.render(result, fmt, max_width))


def no_graph_hint(text: str, result, engine) -> str | None:  # type: ignore[no-untyped-def]
    """A note for a query that matched nothing because it reads the embedded store's empty default
    graph: it has no GRAPH clause and the local engine does not query the union of the graphs."""
    from kg_build.sparql_text import tokens

    empty = (result.form == "select" and not result.rows) or (result.form in ("construct", "describe") and not result.triples)
    if not empty or any(kind == "word" and tok.upper() == "GRAPH" for kind, tok, _ in tokens(text)):
        return None
    union = getattr(engine, "union", None) if engine.name == "oxigraph" else (
        getattr(getattr(engine, "dataset", None), "default_union", None) if engine.name == "rdflib" else True)
    if union:
        return None
    return ("note: the query matched nothing, and it has no GRAPH clause: the graph's triples are in named "
            "graphs and the default graph of the local store is empty. Match them with GRAPH ?g { ... } "
            "(or GRAPH <https://w3id.org/ntrk-kg/graph/guide> { ... }), or pass --union-default-graph.\n")


def raise_usage(message: str) -> None:
    """Raise a ``UsageError`` (exit status 2) with ``message``."""
    from kg_build.errors import UsageError

    raise UsageError(message)


def warn_if_no_named_graphs(engine, echo: Echo) -> None:  # type: ignore[no-untyped-def]
    """Warn on stderr when the local data holds no named graph (catalogue queries read them)."""
    from kg_build.query import has_named_graphs

    if not has_named_graphs(engine):
        echo("warning: the graph holds no named graphs; catalogue queries read the named graphs "
             "(guide, curation, metadata, ontology), so load N-Quads or TriG\n", err=True)


def run_named(name: str, assignments: tuple[str, ...] | list[str], fmt: str, out_dir: Path,
              graph_files: tuple[Path, ...] | list[Path], engine: str, endpoint: str | None,
              echo: Echo, page: int = 1, max_width: int | None = None) -> None:
    """Run the catalogue query ``name`` with ``name=value`` parameters and write its result.

    A paged query gives its page ``page``; when that page is full, a note on stderr says how to
    ask for the next one.
    """
    from kg_build import catalogue, params
    from kg_build.query import engine_for, run_catalogue_query

    q = catalogue.find(name)
    bindings = params.bind(q, params.parse_assignments(assignments))
    eng = engine_for(engine, out_dir, graph_files, endpoint)
    warn_if_no_named_graphs(eng, echo)
    result = run_catalogue_query(eng, q, bindings, page)
    emit(result, fmt, echo, max_width)
    if q.pagination is not None and len(result.rows) >= q.pagination:
        echo(f"note: page {page} of {q.name} is full ({q.pagination} subjects a page); "
             f"the next page may hold more: add --page {page + 1}\n", err=True)
