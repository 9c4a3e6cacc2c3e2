"""``ntrk-kg release --previous``: the release notes and change set in the bundle, linked from void.ttl."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pyoxigraph as ox


def test_release_with_previous_writes_notes_and_revises_it(cli, releases: Path) -> None:
    assert cli("release", "--out", "old", "--release-dir", "bundle-old", cwd=releases)[0] == 0
    code, out, err = cli("release", "--out", "new", "--release-dir", "bundle-new",
                         "--previous", "bundle-old", "--version", "0.2.0", cwd=releases)
    assert (code, err) == (0, "")
    assert "  CHANGES.md\n  changes.ttl\n" in out
    bundle = releases / "bundle-new"
    notes = (bundle / "CHANGES.md").read_text(encoding="utf-8")
    # The same notes as 'ntrk-kg diff' between the two bundles, under the names of the releases.
    diffed = cli("diff", "bundle-old", "bundle-new", cwd=releases)[1]
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


def test_a_release_cannot_revise_its_own_version(cli, releases: Path) -> None:
    assert cli("release", "--out", "old", "--release-dir", "bundle-same", cwd=releases)[0] == 0
    code, _, err = cli("release", "--out", "new", "--release-dir", "bundle-again", "--previous", "bundle-same", cwd=releases)
    assert (code, err) == (2, "ntrk-kg: error: --previous bundle-same is version 0.1.0 too; a release revises an "
                              "earlier version: name this one with --version\n")
    assert not (releases / "bundle-again").exists()
