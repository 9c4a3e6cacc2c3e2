"""Options and error handling shared by every ``ntrk-kg`` subcommand."""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from kg_build.errors import KgError
from kg_build.sparql.engines import ENGINES
from kg_build.sparql.results import FORMATS

F = TypeVar("F", bound=Callable[..., Any])


def errors_to_exit(func: F) -> F:
    """Turn library errors into a one-paragraph message on stderr and the documented exit code."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except KgError as exc:
            click.echo(f"ntrk-kg: error: {exc}", err=True)
            sys.exit(exc.exit_code)

    return wrapper  # type: ignore[return-value]


out_option = click.option(
    "--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("build"),
    show_default=True, help="Directory the build writes to and other commands read from.",
)
data_option = click.option(
    "--data", "data_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="Directory of curated tables to build from (default: the packaged curated data).",
)


def run_options(func: F) -> F:
    """Options shared by ``query run`` and ``sparql``."""
    for option in reversed([
        click.option("-p", "--param", "assignments", multiple=True, metavar="NAME=VALUE",
                     help="A parameter value; repeat for several."),
        click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
                     help="table, csv, tsv or json (SPARQL 1.1 results); CONSTRUCT results: turtle or ntriples."),
        out_option,
        click.option("--graph", "graph_files", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
                     help="Query these RDF files (N-Quads/TriG keep named graphs) instead of the build in OUT."),
        click.option("--engine", type=click.Choice(ENGINES), default="oxigraph", show_default=True,
                     help="The embedded engine."),
        click.option("--endpoint", metavar="URL", default=None,
                     help="Run on this SPARQL 1.1 endpoint instead of the local graph."),
    ]):
        func = option(func)
    return func
