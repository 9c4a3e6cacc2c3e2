"""Options and error handling shared by every ``ntrk-kg`` subcommand."""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from kg_build.errors import KgError, ending
from kg_build.sparql.engines import ENGINES
from kg_build.sparql.results import FORMATS

F = TypeVar("F", bound=Callable[..., Any])


def quiet_libraries() -> None:
    """Keep the libraries' log records and warnings off the terminal.

    rdflib logs a warning with a traceback for every literal whose lexical form is not of its
    datatype (``"2018-13-45"^^xsd:date``); the command reports such problems itself (the SHACL
    datatype check names the node and value), so library records go nowhere. Python prints a
    record only when no handler is configured; one handler that drops everything is enough.
    """
    import logging

    root = logging.getLogger()
    if not any(isinstance(h, logging.NullHandler) for h in root.handlers):
        root.addHandler(logging.NullHandler())
    logging.captureWarnings(True)


def errors_to_exit(func: F) -> F:
    """Turn library errors into a one-paragraph message on stderr and the documented exit code.

    An ``OSError`` that reaches here (a file the command reads or writes) is one line naming
    the path and what to do, exit 2, like every usage error.
    """

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        quiet_libraries()
        try:
            return func(*args, **kwargs)
        except (KgError, OSError) as exc:
            text, code = ending(exc)
            click.echo(f"ntrk-kg: error: {text}", err=True)
            sys.exit(code)

    return wrapper  # type: ignore[return-value]


out_option = click.option(
    "--out", "out_dir", type=click.Path(path_type=Path), default=Path("build"),
    show_default=True, help="Directory the build writes to and other commands read from.",
)
wait_option = click.option(
    "--wait", is_flag=True,
    help="If another ntrk-kg process is writing to OUT, wait for it to finish instead of stopping (exit 2).",
)
data_option = click.option(
    "--data", "data_dir", type=click.Path(path_type=Path), default=None,
    help="Directory of curated tables to build from (default: the packaged curated data).",
)


def run_options(func: F) -> F:
    """Options shared by ``query run`` and ``sparql``."""
    for option in reversed([
        click.option("-p", "--param", "assignments", multiple=True, metavar="NAME=VALUE",
                     help="A parameter value; repeat for several."),
        click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
                     help="table, or the SPARQL 1.1 results formats csv, tsv, json and xml; CONSTRUCT results: turtle or ntriples."),
        click.option("--max-width", type=click.IntRange(min=0), default=None, metavar="COLUMNS",
                     help="Wrap table cells so rows fit COLUMNS characters (0: never wrap). "
                          "Default: the terminal's width when writing to one, else no wrapping."),
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


def table_width(max_width: int | None) -> int | None:
    """The width a table wraps to: ``--max-width`` (0: never), else the terminal's when stdout is one."""
    if max_width is not None:
        return max_width or None
    import shutil

    try:
        return shutil.get_terminal_size().columns if sys.stdout.isatty() else None
    except (AttributeError, ValueError, OSError):
        return None
