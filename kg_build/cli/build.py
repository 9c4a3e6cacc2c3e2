"""``ntrk-kg build``: build the graph and write every export."""

from __future__ import annotations

from pathlib import Path

import click

from kg_build.cli.options import data_option, errors_to_exit, out_option
from kg_build.rdf import formats as rdf_formats


@click.command("build")
@out_option
@data_option
@click.option(
    "--format", "formats", multiple=True, type=click.Choice(rdf_formats.NAMES),
    help="Export format; repeat for several (default: all).",
)
@click.option(
    "--reason/--no-reason", default=None,
    help="Check the graph with an OWL reasoner and write the inferred types to their own named graph "
         "(default: reason when the graph has at most 200,000 quads).",
)
@click.option(
    "--reasoner", type=click.Choice(("auto", "hermit", "owlrl")), default="auto", show_default=True,
    help="auto: HermiT when java is on PATH, else the OWL 2 RL closure (owlrl).",
)
@click.option(
    "--profile", "-v", "profile", is_flag=True,
    help="Print the time each stage of the build took (to standard error).",
)
@errors_to_exit
def command(
    out_dir: Path, data_dir: Path | None, formats: tuple[str, ...], reason: bool | None, reasoner: str, profile: bool
) -> None:
    """Build the graph from the curated tables and write every export to OUT.

    On a terminal a status line shows the stage running; --profile prints each stage's time.
    Outputs are written only if the whole build succeeds, so a failed build leaves the
    previous one untouched. An inconsistent ontology or data stops the build (exit 1) with the
    individuals and disjoint classes at fault.
    """
    from kg_build.build import pipeline
    from kg_build.build.progress import Progress
    from kg_build.layout import BuildLayout

    progress = Progress(profile=profile)
    result = pipeline.build(
        out_dir, formats or rdf_formats.NAMES, data_dir, reason=reason, reasoner=reasoner, progress=progress
    )
    for w in result.warnings:
        click.echo(f"warning: {w}", err=True)
    graphs = result.graphs
    click.echo(f"built {sum(graphs.values())} quads in {len(graphs)} named graphs")
    for name in sorted(result.outputs):
        click.echo(f"  {out_dir / name}")
    click.echo(f"  {BuildLayout(out_dir).store}")
    click.echo(f"  {BuildLayout(out_dir).manifest}")
