"""``ntrk-kg validate`` on inputs that hold nothing to validate, or terms RDF does not allow."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.mark.parametrize(("name", "text"), [
    ("empty.ttl", ""),
    ("prefixes-only.ttl", "# a comment\n@prefix ntrk: <https://w3id.org/ntrk-kg/ontology#> .\n"),
    ("empty.nq", "\n\n"),
    ("empty.jsonld", "{}"),
])
def test_a_file_without_triples_is_not_validated(cli, tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text)
    result = cli("validate", str(path))
    assert (result.exit_code, result.stdout, result.stderr) == (
        2, "", f"ntrk-kg: error: {path}: holds no triple; there is nothing to validate\n")


def test_an_iri_rdf_does_not_allow_is_one_line(cli, tmp_path: Path) -> None:
    path = tmp_path / "bad.nq"
    path.write_text('<<https://w3id.org/ntrk-kg/gene/NTRK1> <http://www.w3.org/2000/01/rdf-schema#label> "x" '
                    "<https://w3id.org/ntrk-kg/graph/guide> .\n")
    result = cli("validate", str(path))
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("ntrk-kg: error: the data holds a term that is not valid RDF: '<https://w3id.org/ntrk-kg/gene/NTRK1': ")
    assert result.stderr.count("\n") == 1
