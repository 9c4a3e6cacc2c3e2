"""``ntrk-kg validate``: check the built graph, RDF files or a SPARQL endpoint against SHACL shapes."""

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
    "--with-ontology", is_flag=True, default=False,
    help="Validate FILES together with the packaged ontology (so that classes follow its rdfs:subClassOf).",
)
@click.option(
    "--engine", type=click.Choice(("oxigraph", "pyshacl")), default="oxigraph", show_default=True,
    help="oxigraph: the shapes compiled to SPARQL on an embedded store (fast); pyshacl: the reference engine.",
)
@click.option(
    "--endpoint", default=None, metavar="URL",
    help="Validate what this SPARQL endpoint serves instead (the shapes run there as SPARQL queries).",
)
@click.option(
    "--graph", "graphs", multiple=True, metavar="IRI",
    help="With --endpoint: validate the merge of these named graphs (repeatable; default: the endpoint's default graph).",
)
@errors_to_exit
def command(
    out_dir: Path, files: tuple[Path, ...], report_format: str, input_format: str | None,
    shapes_file: Path | None, with_ontology: bool, engine: str, endpoint: str | None, graphs: tuple[str, ...],
) -> None:
    """Validate RDF against SHACL shapes and report what breaks which rule.

    Reads FILES (Turtle, N-Triples, N-Quads, TriG, JSON-LD or RDF/XML; all files are validated
    together, exactly as given), or the build in OUT, or the graph a SPARQL --endpoint serves.
    Shapes an engine cannot check are refused before any data is read.

    Exit status: 0 no violation (warnings and infos are printed; the report says whether the graph
    conforms, that is has no result at all); 1 it has violations; 2 the shapes or an input cannot
    be used.
    """
    import logging
    import warnings

    from kg_build.errors import UsageError, ValidationFailure
    from kg_build.rdf import io as rdfio
    from kg_build.shacl import oxigraph as shacl_oxigraph
    from kg_build.shacl import validation

    # rdflib logs a traceback for each ill-typed literal it reads: the report names them instead.
    logging.getLogger("rdflib").setLevel(logging.CRITICAL)
    warnings.filterwarnings("ignore", module="rdflib")
    if endpoint is not None and files:
        raise UsageError("give either FILES or --endpoint, not both")
    if graphs and endpoint is None:
        raise UsageError("--graph names graphs of an --endpoint")
    shapes = validation.load_shapes(shapes_file)
    if engine == "oxigraph":
        shacl_oxigraph.checks_for(shapes)  # refuse shapes it cannot check before reading any data
    if endpoint is not None:
        if engine != "oxigraph":
            raise UsageError("--endpoint runs the shapes as SPARQL: it needs --engine oxigraph")
        from kg_build.shacl.remote import validate_endpoint

        report = validate_endpoint(endpoint, graphs, shapes)
        where = endpoint
    elif not files and engine == "oxigraph":
        path = rdfio.built_file(out_dir)
        report = shacl_oxigraph.validate_nquads(path, shapes)
        where = str(path)
    else:
        paths = list(files) or [rdfio.built_file(out_dir)]
        with validation.literals_as_written():
            ds = rdfio.load_dataset(paths, input_format)
        if next(iter(ds.quads((None, None, None, None))), None) is None:
            raise UsageError(f"{', '.join(map(str, paths))}: holds no triple; there is nothing to validate")
        report = validation.validate(ds, shapes, engine=engine, with_ontology=with_ontology)
        where = ", ".join(map(str, paths))
    if report_format == "turtle":
        click.echo(report.turtle(), nl=False)
    elif report_format == "json":
        click.echo(report.json(), nl=False)
    else:
        click.echo(report.text(), nl=False)
    if report.violations:
        n = len(report.violations)
        raise ValidationFailure(f"{n} violation{'s' if n != 1 else ''} in {where} (report above)")
