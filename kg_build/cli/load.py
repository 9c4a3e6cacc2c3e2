"""``ntrk-kg load``: upload the build to a SPARQL server through the Graph Store Protocol."""

from __future__ import annotations

from pathlib import Path

import click

from kg_build.cli.options import errors_to_exit, out_option


@click.command("load")
@out_option
@click.option("--endpoint", required=True, metavar="URL",
              help="The server's SPARQL query endpoint, used to count the triples before and after.")
@click.option("--gsp", metavar="URL", default=None,
              help="The server's Graph Store Protocol endpoint, if it differs from --endpoint "
                   "(Oxigraph /store, Fuseki /ds/data, Virtuoso /sparql-graph-crud-auth).")
@click.option("--graph", "target", metavar="IRI", default=None,
              help="Upload the union of all named graphs into this one graph.")
@click.option("--dataset", is_flag=True,
              help="Upload every quad in one N-Quads request to the graph store URL itself.")
@click.option("--replace/--append", default=False, show_default=True,
              help="--replace: PUT each graph so it holds exactly the build; --append: POST, adding to it.")
@click.option("--timeout", type=click.FloatRange(0, min_open=True), default=60.0, show_default=True, help="Seconds to wait for each response.")
@click.option("--retries", type=click.IntRange(0, 10), default=3, show_default=True,
              help="Retries of a request after a transient failure (timeout, 502, 503, 504, 429).")
@errors_to_exit
def command(out_dir: Path, endpoint: str, gsp: str | None, target: str | None, dataset: bool,
            replace: bool, timeout: float, retries: int) -> None:
    """Upload the build in OUT to a SPARQL 1.1 Graph Store Protocol server and check the counts.

    Each named graph goes to its own graph (?graph=IRI) unless --graph or --dataset says otherwise.
    Credentials come from NTRK_KG_USER and NTRK_KG_PASSWORD, or from the netrc entry of the
    server's host ($NETRC or ~/.netrc); basic and digest authentication are answered. After the
    upload every graph is counted through --endpoint; the load fails (exit 1) if any count is not
    what the upload must have produced.
    """
    from kg_build.errors import UsageError
    from kg_build.publish import gsp as g
    from kg_build.rdf.io import built_file

    if target and dataset:
        raise UsageError("--graph and --dataset exclude each other: choose one layout")
    layout = "graph" if target else "dataset" if dataset else "graphs"
    nquads = built_file(out_dir)
    for option, value in (("--endpoint", endpoint), ("--gsp", gsp)):
        if value is not None and not value.startswith(("http://", "https://")):
            raise UsageError(f"{option} {value!r} must be an http:// or https:// URL")
    url = gsp or endpoint
    client = g.Client(endpoint, gsp, g.credentials(url), timeout=timeout, retries=retries)
    report = g.load(client, nquads, layout, target, replace)
    for line in report.lines():
        click.echo(line)
