"""``ntrk-kg report``: render the graph into one self-contained HTML review page."""

from __future__ import annotations

from pathlib import Path

import click

from kg_build.cli.options import errors_to_exit, out_option


@click.command("report")
@out_option
@click.option(
    "--html", "html_file", type=click.Path(dir_okay=False, path_type=Path), default=Path("report.html"),
    show_default=True, help="The HTML file to write.",
)
@click.option("--build", "old_build", hidden=True, default=None, help="Replaced by --out.")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@errors_to_exit
def command(out_dir: Path, html_file: Path, old_build: str | None, files: tuple[Path, ...]) -> None:
    """Write a review report of the graph as one HTML page that needs no network to open.

    Reads FILES (RDF with the named graphs, e.g. N-Quads or TriG) if given, otherwise the
    build in OUT, as every other command does; the page goes to --html. The page shows genes and
    proteins, the fusions as a network, Table 1 with a log-scale chart, pathways, references,
    curated context and every fact-check finding beside the statement it concerns.
    """
    from kg_build.build.staging import Output, write_atomically
    from kg_build.errors import UsageError
    from kg_build.publish import report
    from kg_build.rdf import io as rdfio

    if old_build is not None:
        raise UsageError(f"report --build is now --out, as for every other command: ntrk-kg report --out {old_build}")
    if out_dir.suffix.lower() in (".html", ".htm") or out_dir.is_file():
        raise UsageError(
            f"report --out is the build folder, as for every other command, and {out_dir} looks like the page "
            f"to write: use ntrk-kg report --html {out_dir} (and --out BUILD for the build to read)"
        )
    ds = rdfio.load_dataset(list(files) or [rdfio.built_file(out_dir)])
    html = report.render(ds)
    html_file = html_file.resolve()
    write_atomically(html_file.parent, [Output(html_file.name, html.encode("utf-8"))])
    click.echo(f"wrote {html_file}")
