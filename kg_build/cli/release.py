"""``ntrk-kg release``: the release bundle of a build, with its VoID/DCAT/PROV description."""

from __future__ import annotations

from pathlib import Path

import click

from kg_build.cli.options import errors_to_exit, out_option


@click.command("release")
@out_option
@click.option("--release-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where to write the bundle (default: OUT/release).")
@click.option("--issued", metavar="YYYY-MM-DD", default=None,
              help="Release date (default: SOURCE_DATE_EPOCH, else the newest guide's date).")
@click.option("--base-url", metavar="URL", default=None,
              help="Where the bundle will be published; adds dcat:downloadURL to each file.")
@errors_to_exit
def command(out_dir: Path, release_dir: Path | None, issued: str | None, base_url: str | None) -> None:
    """Write the release bundle of the build in OUT: data files, queries, SSSOM, void.ttl.

    void.ttl describes the release (VoID statistics with class and property partitions, DCAT
    distributions with media types and sha256 checksums, version, PROV of the build). The bundle
    is byte-identical for the same build, and replaces the previous bundle only once complete.
    """
    from kg_build.publish import release as rel

    target, files = rel.release(out_dir, release_dir, issued, base_url)
    click.echo(f"wrote the release bundle to {target}")
    queries = [n for n in files if n.startswith("queries/")]
    for name in sorted(set(files) - set(queries)):
        click.echo(f"  {name}")
    if queries:
        click.echo(f"  queries/ ({len(queries)} SPARQL queries)")
