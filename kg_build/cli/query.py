"""``ntrk-kg query``: list and run the ready-made queries of the catalogue (``queries/*.rq``).

``ntrk-kg query NAME ...`` is short for ``ntrk-kg query run NAME ...``. This path is kept light:
it imports neither rdflib nor pyshacl unless ``--engine rdflib`` asks for it.
"""

from __future__ import annotations

from pathlib import Path

import click

from kg_build.cli.options import errors_to_exit, run_options, table_width
from kg_build.query import run as query_run
from kg_build.sparql.engines import Result
from kg_build.sparql.sources import Engine


class _DefaultToRun(click.Group):
    """A group whose unknown subcommand names are query names for ``run``."""

    def resolve_command(self, ctx: click.Context, args: list[str]):  # type: ignore[no-untyped-def]
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["run", *args]
        return super().resolve_command(ctx, args)

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write_usage(ctx.command_path, "[list | show NAME | [run] NAME [-p name=value]... [OPTIONS]]")


@click.group("query", cls=_DefaultToRun, context_settings={"help_option_names": ["-h", "--help"]})
def command() -> None:
    """Run a ready-made query of the catalogue on the built graph.

    \b
    ntrk-kg query list                          the queries and the question each answers
    ntrk-kg query show NAME                     the query's parameters, columns and SPARQL
    ntrk-kg query NAME [-p name=value]...       run it (see 'ntrk-kg query run --help')

    Exit codes: 0 success; 2 unknown query, bad parameter or missing build; 1 the endpoint failed.
    """


@command.command("list")
@click.option("--markdown", is_flag=True, help="Print the catalogue as the Markdown table of docs/queries.md.")
@errors_to_exit
def list_command(markdown: bool) -> None:
    """List the catalogue's queries with the question each answers."""
    from kg_build.query import catalogue

    queries = catalogue.load()
    if markdown:
        click.echo(catalogue.markdown_table(queries), nl=False)
        return
    width = max(len(q.name) for q in queries)
    for q in queries:
        click.echo(f"{q.name.ljust(width)}  {q.summary}")


@command.command("show")
@click.argument("name")
@errors_to_exit
def show_command(name: str) -> None:
    """Show a query's question, parameters, result columns and SPARQL text."""
    import shlex

    from kg_build.query import catalogue

    q = catalogue.find(name)
    click.echo(f"{q.name}: {q.summary}\n\n{q.description}\n")
    for p in q.params:
        need = "required" if p.required else "optional"
        example = f", e.g. -p {shlex.quote(f'{p.name}={p.example}')}" if p.example is not None else ""
        click.echo(f"  -p {p.name}=...  {p.type}, {need}: {p.description}{example}")
    if q.columns:
        click.echo(f"\ncolumns: {', '.join(q.columns)}")
    click.echo(f"file: {q.path}\n\n{q.body}", nl=False)


def _echo(text: str, err: bool = False) -> None:
    click.echo(text, nl=False, err=err)


def emit(result: Result, fmt: str, max_width: int | None = None) -> None:
    """Write a result to stdout in ``fmt``."""
    query_run.emit(result, fmt, _echo, table_width(max_width))


def warn_if_no_named_graphs(engine: Engine) -> None:
    """Warn on stderr when the local data holds no named graph."""
    query_run.warn_if_no_named_graphs(engine, _echo)


@command.command("run")
@click.argument("name")
@run_options
@click.option("--page", type=click.IntRange(min=1), default=1, show_default=True, metavar="K",
              help="Page K of a paged query (one whose header has 'pagination: N'); other queries have one page.")
@errors_to_exit
def run_command(name: str, assignments: tuple[str, ...], fmt: str, max_width: int | None, out_dir: Path,
                graph_files: tuple[Path, ...], engine: str, endpoint: str | None, page: int) -> None:
    """Run the catalogue query NAME with parameters given as -p name=value.

    Parameters are bound as typed RDF terms (IRIs, literals), never pasted into the query text.
    A paged query gives its first page unless --page says which; a full page ends with a note
    on stderr naming the next.
    """
    query_run.run_named(name, assignments, fmt, out_dir, graph_files, engine, endpoint, _echo, page,
                        table_width(max_width))
