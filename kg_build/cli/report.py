"""``ntrk-kg report``: render the graph into one self-contained HTML review page."""

from __future__ import annotations

from pathlib import Path

import click

from kg_build.cli.options import errors_to_exit


@click.command("report")
@click.option(
    "--out", "out_file", type=click.Path(dir_okay=False, path_type=Path), default=Path("report.html"),
    show_default=True, help="HTML file to write.",
)
@click.option(
    "--build", "build_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("build"),
    show_default=True, help="Directory of a build to read (see 'ntrk-kg build --out').",
)
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@errors_to_exit
def command(out_file: Path, build_dir: Path, files: tuple[Path, ...]) -> None:
    """Write a review report of the graph as one HTML page that needs no network to open.

    Reads FILES (RDF with the named graphs, e.g. N-Quads or TriG) if given, otherwise the
    build in BUILD. The page shows genes and proteins, the fusions as a network, Table 1 with a
    log-scale chart, pathways, references, curated context and every fact-check finding beside
    the statement it concerns.
    """
    from kg_build.build.staging import Output, write_atomically
    from kg_build.publish import report
    from kg_build.rdf import io as rdfio

    ds = rdfio.load_dataset(list(files) or [rdfio.built_file(build_dir)])
    html = report.render(ds)
    out_file = out_file.resolve()
    write_atomically(out_file.parent, [Output(out_file.name, html.encode("utf-8"))])
    click.echo(f"wrote {out_file}")
