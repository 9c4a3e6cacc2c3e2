"""``ntrk-kg validate --endpoint``: the shapes compiled to SPARQL run on a real Oxigraph server and a
real Virtuoso, loaded with the build and with a mutated copy; the report is the embedded one, row
for row (the embedded store's report of the same N-Quads)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from kg_build.publish import gsp

MUTATED_GRAPH = "https://w3id.org/ntrk-kg/graph/test-mutated"
NTRK1 = "<https://identifiers.org/hgnc:8031>"
GUIDE = "<https://w3id.org/ntrk-kg/id/guide/ntrk-guide>"
GUIDE_GRAPH = "<https://w3id.org/ntrk-kg/graph/guide>"
XSD = "http://www.w3.org/2001/XMLSchema#"


def load(cli, server, out: Path, *args: str) -> None:  # type: ignore[no-untyped-def]
    env = {gsp.USER_ENV: "", gsp.PASSWORD_ENV: "", "NETRC": "/nonexistent", **server.env}
    result = cli("load", "--out", str(out), *server.load_args(), "--replace", *args, env=env)
    assert result.exit_code == 0, result.stderr


def report(cli, *args: str) -> tuple[int, dict]:
    result = cli("validate", "--format", "json", *args)
    assert result.exit_code in (0, 1) and result.stdout, result.stderr
    return result.exit_code, json.loads(result.stdout)


@pytest.fixture(scope="module")
def mutated(built_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the build with mistakes: a gene without its label, an undeclared property, an
    impossible date on the guide, a percentage above 100."""
    out = tmp_path_factory.mktemp("mutated")
    lines = (built_dir / "ntrk-kg.nq").read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [ln for ln in lines if not ln.startswith(f"{NTRK1} <http://www.w3.org/2000/01/rdf-schema#label> ")]
    assert len(kept) == len(lines) - 1
    kept += [
        f"{NTRK1} <https://w3id.org/ntrk-kg/ontology#mispelled> \"x\" {GUIDE_GRAPH} .\n",
        f"{GUIDE} <http://purl.org/dc/terms/date> \"2025-13-45\"^^<{XSD}date> {GUIDE_GRAPH} .\n",
    ]
    (out / "ntrk-kg.nq").write_text("".join(kept), encoding="utf-8")
    shutil.copy(built_dir / "manifest.json", out / "manifest.json")
    return out


def test_the_build_on_a_server_gives_the_embedded_report(cli, server, built_dir: Path) -> None:
    load(cli, server, built_dir)
    graphs = sorted(json.loads((built_dir / "manifest.json").read_text())["graphs"])
    code, remote = report(cli, "--endpoint", server.endpoint, *[a for g in graphs for a in ("--graph", g)])
    embedded_code, embedded = report(cli, "--out", str(built_dir))
    assert (code, remote["results"]) == (embedded_code, embedded["results"])
    assert (remote["conforms"], remote["violations"], remote["warnings"]) == (False, 0, 3)
    assert remote["triples"] == embedded["triples"]


def test_a_mutated_copy_on_a_server_gives_the_embedded_report(cli, server, mutated: Path) -> None:
    load(cli, server, mutated, "--graph", MUTATED_GRAPH)
    code, remote = report(cli, "--endpoint", server.endpoint, "--graph", MUTATED_GRAPH)
    embedded_code, embedded = report(cli, "--out", str(mutated))
    assert code == embedded_code == 1
    assert [r for r in remote["results"] if r not in embedded["results"]] == [r for r in embedded["results"] if r not in remote["results"]]
    assert remote["results"] == embedded["results"]
    found = sorted((r["source_shape"].rsplit("#", 1)[1], r["focus_node"], r["constraint_component"].rsplit("#", 1)[1],
                    r["value"]) for r in remote["results"] if r["severity"] == "Violation")
    assert found == [
        ("DeclaredTermShape", "https://identifiers.org/hgnc:8031", "SPARQLConstraintComponent",
         "https://w3id.org/ntrk-kg/ontology#mispelled"),
        ("Guide-date", "https://w3id.org/ntrk-kg/id/guide/ntrk-guide", "MaxCountConstraintComponent", None),
        ("Guide-date", "https://w3id.org/ntrk-kg/id/guide/ntrk-guide", "OrConstraintComponent",
         {"@value": "2025-13-45", "@type": XSD + "date"}),  # sh:datatype inside sh:or catches the impossible date
        ("SOGene-label", "https://identifiers.org/hgnc:8031", "MinCountConstraintComponent", None),
    ]


def test_shapes_it_cannot_compile_are_refused_before_any_query(cli, oxigraph_server, tmp_path: Path) -> None:
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "<urn:s> a sh:NodeShape ; sh:targetNode <urn:x> ; sh:sparql [ sh:select \"SELECT $this WHERE { MINUS { $this ?p ?o } }\" ] .\n",
        encoding="utf-8",
    )
    result = cli("validate", "--endpoint", "http://127.0.0.1:9/nothing-listens-here", "--shapes", str(shapes))
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == "ntrk-kg: error: a SPARQL constraint using MINUS is not supported\n"
