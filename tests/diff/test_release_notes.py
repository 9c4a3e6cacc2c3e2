"""``ntrk-kg release --previous``: the release notes and change set in the bundle, linked from void.ttl."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pyoxigraph as ox
from click.testing import CliRunner

from kg_build.cli import main


def run(root: Path, *args: str) -> tuple[int, str, str]:
    cwd = os.getcwd()
    os.chdir(root)
    try:
        result = CliRunner().invoke(main, list(args))
    finally:
        os.chdir(cwd)
    return result.exit_code, result.stdout, result.stderr


def test_release_with_previous_writes_notes_and_revises_it(releases: Path) -> None:
    assert run(releases, "release", "--out", "old", "--release-dir", "bundle-old")[0] == 0
    code, out, err = run(releases, "release", "--out", "new", "--release-dir", "bundle-new",
                         "--previous", "bundle-old", "--version", "0.2.0")
    assert (code, err) == (0, "")
    assert "  CHANGES.md\n  changes.ttl\n" in out
    bundle = releases / "bundle-new"
    notes = (bundle / "CHANGES.md").read_text(encoding="utf-8")
    # The same notes as 'ntrk-kg diff' between the two bundles, under the names of the releases.
    diffed = run(releases, "diff", "bundle-old", "bundle-new")[1]
    assert notes.splitlines()[0] == "# Changes from ntrk-kg 0.1.0 to ntrk-kg 0.2.0"
    assert notes.splitlines()[1:] == diffed.splitlines()[1:]
    void = ox.Store()
    void.load(path=str(bundle / "void.ttl"), format=ox.RdfFormat.TURTLE)
    ver = "https://w3id.org/ntrk-kg/dataset/0.2.0"
    rows = void.query(f"""
        PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX spdx: <http://spdx.org/rdf/terms#>
        PREFIX prov: <http://www.w3.org/ns/prov#>
        SELECT ?previous ?name ?sha WHERE {{
            <{ver}> prov:wasRevisionOf ?previous ; dcterms:hasPart ?part .
            ?part spdx:fileName ?name ; spdx:checksum/spdx:checksumValue ?sha .
            FILTER (?name IN ("CHANGES.md", "changes.ttl")) }} ORDER BY ?name""")
    found = [(r["previous"].value, r["name"].value, r["sha"].value) for r in rows]
    assert found == [
        ("https://w3id.org/ntrk-kg/dataset/0.1.0", name, hashlib.sha256((bundle / name).read_bytes()).hexdigest())
        for name in ("CHANGES.md", "changes.ttl")
    ]
    # The change set names both releases.
    cs = ox.Store()
    cs.load(path=str(bundle / "changes.ttl"), format=ox.RdfFormat.TURTLE)
    rows = cs.query("PREFIX ntrkch: <https://w3id.org/ntrk-kg/changes#> "
                    "SELECT ?old ?new WHERE { ?set ntrkch:oldVersion ?old ; ntrkch:newVersion ?new }")
    assert [(r["old"].value, r["new"].value) for r in rows] == [("https://w3id.org/ntrk-kg/dataset/0.1.0", ver)]


def test_a_release_cannot_revise_its_own_version(releases: Path) -> None:
    assert run(releases, "release", "--out", "old", "--release-dir", "bundle-same")[0] == 0
    code, _, err = run(releases, "release", "--out", "new", "--release-dir", "bundle-again", "--previous", "bundle-same")
    assert (code, err) == (2, "ntrk-kg: error: --previous bundle-same is version 0.1.0 too; a release revises an "
                              "earlier version: name this one with --version\n")
    assert not (releases / "bundle-again").exists()
