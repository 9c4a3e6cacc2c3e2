"""``ntrk-kg diff``: what changed between two releases, as release notes, JSON or an RDF change set."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from kg_build.cli.options import errors_to_exit


def _fail_on(ctx: click.Context, param: click.Parameter, value: str | None) -> frozenset[str]:
    from kg_build.diff.kinds import parse_fail_on

    if value is None:
        return frozenset()
    try:
        return parse_fail_on(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@click.command("diff")
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["markdown", "json", "turtle", "ntriples"]), default="markdown",
              show_default=True, help="Release notes (markdown), JSON for scripts, or the RDF change set.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to FILE (replaced only when complete) instead of standard output.")
@click.option("--fail-on", "fail_on", metavar="KINDS", callback=_fail_on, default=None,
              help="Exit 1 when a change has one of these kinds (comma-separated), e.g. removed,changed-iri; "
                   "'any' for every change.")
@errors_to_exit
def command(old: Path, new: Path, fmt: str, output: Path | None, fail_on: frozenset[str]) -> None:
    """Compare two releases: OLD and NEW are build folders, release bundles or N-Quads files.

    Both N-Quads files are read once, in their sorted order, so memory does not grow with the
    graph. Changes are grouped by named graph and entity, with the graph's own labels: entities
    added, removed or given another IRI, values changed (old next to new), mapping predicates
    changed, findings opened and closed, ontology terms deprecated. Exit status: 0 (also when
    nothing changed), 1 when --fail-on matches a change, 2 for bad input or usage.
    """
    from kg_build.diff import output as out
    from kg_build.diff.compare import compare
    from kg_build.diff.sides import side
    from kg_build.errors import ValidationFailure

    with compare(side(old), side(new)) as result:
        if output is None:
            try:
                out.write(result, fmt, sys.stdout.buffer)
                sys.stdout.buffer.flush()
            except BrokenPipeError:  # the reader stopped early (| head): nothing more to write
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        else:
            out.write_file(result, fmt, output)
        refused = {k: n for k, n in result.kind_counts.items() if k in fail_on}
    if refused:
        counts = ", ".join(f"{k} {n}" for k, n in refused.items())
        raise ValidationFailure(f"{sum(refused.values())} changes of kinds --fail-on refuses ({counts}); "
                                f"see the report{f' in {output}' if output else ' above'}")
