"""The ``ntrk-kg`` command line: one entry point, one subcommand per job.

Exit codes: 0 success, 1 the graph does not conform (validation failure), 2 bad input or usage.
Library code raises; only this module prints and exits.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from kg_build import __version__
from kg_build.errors import KgError

F = TypeVar("F", bound=Callable[..., Any])


def _errors_to_exit(func: F) -> F:
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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ntrk-kg")
def main() -> None:
    """Build, check and query the NTRK gene fusion knowledge graph.

    Exit codes: 0 success; 1 the graph does not conform; 2 bad input or usage.
    """


@main.command()
@out_option
@data_option
@click.option(
    "--format", "formats", multiple=True,
    type=click.Choice(["turtle", "ntriples", "nquads", "trig", "jsonld", "rdfxml"]),
    help="Export format; repeat for several (default: all).",
)
@_errors_to_exit
def build(out_dir: Path, data_dir: Path | None, formats: tuple[str, ...]) -> None:
    """Build the graph from the curated tables and write every export to OUT.

    Outputs are written only if the whole build succeeds, so a failed build leaves the
    previous one untouched.
    """
    from kg_build import export, pipeline

    chosen = formats or tuple(export.FORMATS)
    result = pipeline.build(out_dir, chosen, data_dir)
    for w in result.warnings:
        click.echo(f"warning: {w}", err=True)
    graphs = {str(g.identifier): len(g) for g in result.dataset.graphs() if len(g)}
    click.echo(f"built {sum(graphs.values())} quads in {len(graphs)} named graphs")
    for name in sorted(result.outputs):
        click.echo(f"  {out_dir / name}")
    click.echo(f"  {out_dir / export.MANIFEST_FILE}")


@main.command()
@out_option
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@_errors_to_exit
def stats(out_dir: Path, files: tuple[Path, ...]) -> None:
    """Count instances per class and triples per named graph.

    Reads FILES (any RDF syntax) if given, otherwise the build in OUT.
    """
    from kg_build import rdfio, stats as st

    ds = rdfio.load_dataset(list(files) or [rdfio.built_file(out_dir)])
    click.echo("named graph\ttriples")
    for g, n in st.graph_counts(ds):
        click.echo(f"{g}\t{n}")
    click.echo("\nclass\tinstances")
    for c, n in st.class_counts(ds):
        click.echo(f"{c}\t{n}")
