"""``ntrk-kg sparql``: run an ad-hoc SPARQL query (text or ``.rq`` file) on the built graph."""

from __future__ import annotations

from pathlib import Path

import click

from kg_build.cli.options import errors_to_exit, run_options
from kg_build.cli.query import emit, warn_if_no_named_graphs


@click.command("sparql")
@click.argument("query_text", required=False, metavar="'QUERY'")
@click.option("-f", "--file", "query_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Read the query from this .rq file (a '#+' header, if any, declares its parameters).")
@click.option("--union-default-graph", is_flag=True,
              help="Let patterns outside GRAPH match the union of all named graphs (local engines only; "
                   "with --endpoint the server decides what its default graph holds).")
@run_options
@errors_to_exit
def command(query_text: str | None, query_file: Path | None, union_default_graph: bool,
            assignments: tuple[str, ...], fmt: str, max_width: int | None, out_dir: Path,
            graph_files: tuple[Path, ...], engine: str, endpoint: str | None) -> None:
    """Run an ad-hoc SPARQL query (SELECT, CONSTRUCT, ASK, DESCRIBE) on the built graph.

    The graph keeps its named graphs: match them with GRAPH <https://w3id.org/ntrk-kg/graph/guide>
    { ... } (or GRAPH ?g), or pass --union-default-graph. A query without GRAPH that matches
    nothing on the local store ends with a note saying so. Updates are refused.
    """
    from kg_build.errors import UsageError
    from kg_build.query import catalogue, params
    from kg_build.sparql.engines import Term, normalise
    from kg_build.sparql.sources import engine_for, no_graph_note

    if (query_text is None) == (query_file is None):
        raise UsageError("give the query either as an argument or with -f FILE.rq (not both)")
    if union_default_graph and endpoint:
        raise UsageError(
            "--union-default-graph applies to the local store; with --endpoint the server decides what its "
            "default graph holds (Virtuoso: every graph; Oxigraph server and Fuseki: only when started that way). "
            "Match the named graphs with GRAPH ?g { ... } in the query instead"
        )
    bindings: dict[str, Term] = {}
    if query_file is not None:
        if not query_file.is_file():
            raise UsageError(f"{query_file}: no such file")
        text = query_file.read_text(encoding="utf-8")
        header, _ = catalogue.split_header(text)
        if header:
            q = catalogue.parse_query(query_file, name=None if catalogue.is_query_name(query_file.stem) else "adhoc")
            bindings, text = q.bind(params.parse_assignments(assignments)), q.body
        elif assignments:
            raise UsageError(f"{query_file} has no '#+' header declaring parameters, so -p cannot be used")
        name = str(query_file)
    else:
        if assignments:
            raise UsageError("-p needs a query file whose '#+' header declares the parameters (-f FILE.rq)")
        text, name = query_text or "", "query"
    eng = engine_for(engine, out_dir, graph_files, endpoint, union_default_graph)
    if not union_default_graph:
        warn_if_no_named_graphs(eng)
    result = normalise(eng.run(text, bindings, name=name))
    emit(result, fmt, max_width)
    note = no_graph_note(text, result, eng)
    if note:
        click.echo(note, nl=False, err=True)
