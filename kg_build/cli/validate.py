"""``ntrk-kg validate``: check the built graph, or any RDF files, against the SHACL shapes."""

from __future__ import annotations

from pathlib import Path

import click

from kg_build.cli.options import errors_to_exit, out_option
from kg_build.rdf import formats as rdf_formats


@click.command("validate")
@out_option
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--format", "report_format", type=click.Choice(("text", "turtle", "json")), default="text",
    show_default=True, help="Report for people (text) or the SHACL report graph (turtle) or JSON.",
)
@click.option(
    "--input-format", type=click.Choice(rdf_formats.NAMES), default=None,
    help="RDF syntax of FILES (default: guessed from each file's extension).",
)
@click.option(
    "--shapes", "shapes_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="Validate against these shapes instead of the packaged ontology/shapes.ttl.",
)
@click.option(
    "--engine", type=click.Choice(("oxigraph", "pyshacl")), default="oxigraph", show_default=True,
    help="oxigraph: the shapes compiled to SPARQL on an embedded store (fast); pyshacl: the reference engine. "
    "Both give the same report.",
)
@errors_to_exit
def command(
    out_dir: Path, files: tuple[Path, ...], report_format: str, input_format: str | None,
    shapes_file: Path | None, engine: str,
) -> None:
    """Validate RDF against the graph's SHACL shapes and report what breaks which rule.

    Reads FILES (Turtle, N-Triples, N-Quads, TriG, JSON-LD or RDF/XML; all files are validated
    together, with the packaged ontology added when they lack it), or the build in OUT.

    Exit status: 0 the graph conforms (warnings are printed); 1 it has violations; 2 an input
    cannot be read.
    """
    from kg_build.errors import ValidationFailure
    from kg_build.rdf import io as rdfio
    from kg_build.shacl import validation

    paths = list(files) or [rdfio.built_file(out_dir)]
    if engine == "oxigraph" and not files:
        from kg_build.shacl import oxigraph as shacl_oxigraph

        report = shacl_oxigraph.validate_nquads(paths[0], shapes_file)
    else:
        ds = rdfio.load_dataset(paths, input_format)
        report = validation.validate(ds, shapes_file, engine=engine)
    if report_format == "turtle":
        click.echo(report.turtle(), nl=False)
    elif report_format == "json":
        click.echo(report.json(), nl=False)
    else:
        click.echo(report.text(), nl=False)
    if not report.conforms:
        n = len(report.violations)
        raise ValidationFailure(f"{n} violation{'s' if n != 1 else ''} in {', '.join(map(str, paths))} (report above)")
