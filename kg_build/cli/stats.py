"""``ntrk-kg stats``: counts per named graph and per class."""

from __future__ import annotations

from pathlib import Path

import click

from kg_build.cli.options import errors_to_exit, out_option


@click.command("stats")
@out_option
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@errors_to_exit
def command(out_dir: Path, files: tuple[Path, ...]) -> None:
    """Count triples per named graph and instances per class.

    Reads FILES (any RDF syntax) if given, otherwise the build in OUT.
    """
    from kg_build.publish import stats as st
    from kg_build.rdf import io as rdfio

    ds = rdfio.load_dataset(list(files) or [rdfio.built_file(out_dir)])
    click.echo("named graph\ttriples")
    for g, n in st.graph_counts(ds):
        click.echo(f"{g}\t{n}")
    click.echo("\nclass\tinstances")
    for c, n in st.class_counts(ds):
        click.echo(f"{c}\t{n}")
