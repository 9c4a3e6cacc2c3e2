"""``ntrk-kg build``: build the graph and write every export."""

from __future__ import annotations

from pathlib import Path

import click

from kg_build.cli.options import data_option, errors_to_exit, out_option, wait_option
from kg_build.rdf import formats as rdf_formats

WARNINGS_SHOWN = 50
"""Warnings a build prints at most; the manifest holds every one (a large build can have thousands)."""


def warning_lines(warnings: list[str], manifest: Path) -> list[str]:
    """The warning lines a build prints: the first :data:`WARNINGS_SHOWN`, then how many more the
    manifest at ``manifest`` holds.

    >>> warning_lines(["a", "b"], Path("build/manifest.json"))
    ['warning: a', 'warning: b']
    """
    lines = [f"warning: {w}" for w in warnings[:WARNINGS_SHOWN]]
    more = len(warnings) - WARNINGS_SHOWN
    if more > 0:
        lines.append(f"warning: ... and {more:,} more; {manifest} lists every warning (under \"validation\", "
                     "\"warnings\")")
    return lines


@click.command("build")
@out_option
@data_option
@click.option(
    "--format", "formats", multiple=True, type=click.Choice(rdf_formats.NAMES),
    help="Export format; repeat for several (default: all).",
)
@click.option(
    "--reason/--no-reason", default=True, show_default=True,
    help="Check the graph against the ontology and write the inferred types to their own named graph.",
)
@click.option(
    "--reasoner", type=click.Choice(("auto", "rules", "hermit", "owlrl")), default="auto", show_default=True,
    help="rules: the ontology's definitions compiled to SPARQL rules, at any size; auto: the rules, with "
         "HermiT as a second consistency check on graphs of at most 10,000 quads when java is on PATH; "
         "hermit: HermiT's types (slow on large graphs); owlrl: the OWL 2 RL closure (no datatype restrictions).",
)
@click.option(
    "--profile", "-v", "profile", is_flag=True,
    help="Print the time each stage of the build took (to standard error).",
)
@wait_option
@errors_to_exit
def command(
    out_dir: Path, data_dir: Path | None, formats: tuple[str, ...], reason: bool | None, reasoner: str, profile: bool,
    wait: bool,
) -> None:
    """Build the graph from the curated tables and write every export to OUT.

    On a terminal a status line shows the stage running; --profile prints each stage's time.
    The new build is written beside OUT and swapped in as a whole once complete, so a failed or
    killed build leaves the previous one untouched, and queries read the previous build until
    then. One build at a time writes to OUT: another stops with exit 2 naming the one running,
    or with --wait waits for it. What interrupted builds left is removed, and said.
    An inconsistent ontology or data stops the build (exit 1) with the individuals and disjoint
    classes at fault. Warnings (doubts about the source) are printed, at most 50; the manifest
    lists every one.
    """
    from kg_build.build import pipeline
    from kg_build.build.lock import Holder, who
    from kg_build.build.progress import Progress
    from kg_build.layout import BuildLayout

    def waiting(holder: Holder | None) -> None:
        click.echo(f"waiting for {who(holder)}, which is writing to {out_dir}", err=True)

    progress = Progress(profile=profile)
    result = pipeline.build(
        out_dir, formats or rdf_formats.NAMES, data_dir, reason=reason, reasoner=reasoner, progress=progress,
        wait=wait, on_wait=waiting,
    )
    if result.swept.paths:
        click.echo(result.swept.describe(), err=True)
    for line in warning_lines(result.warnings, BuildLayout(out_dir).manifest):
        click.echo(line, err=True)
    graphs = result.graphs
    click.echo(f"built {sum(graphs.values())} quads in {len(graphs)} named graphs")
    for name in sorted(result.outputs):
        click.echo(f"  {out_dir / name}")
    click.echo(f"  {BuildLayout(out_dir).store}")
    click.echo(f"  {BuildLayout(out_dir).manifest}")
