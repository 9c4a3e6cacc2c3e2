"""Fuzzing the RDF inputs of ``ntrk-kg validate``: any file in any syntax gives a report (exit 0
or 1) or one error line (exit 2), never a traceback (docs/guarantees.md)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from kg_build.cli import main

SYNTAXES = {".ttl": "turtle", ".nt": "nt", ".nq": "nquads", ".trig": "trig", ".jsonld": "json-ld", ".rdf": "xml"}
SEEDS = {
    ".ttl": b'@prefix ntrk: <https://w3id.org/ntrk-kg/ontology#> .\n<https://w3id.org/ntrk-kg/gene/NTRK1> a ntrk:Gene ;\n'
            b'  <http://www.w3.org/2000/01/rdf-schema#label> "NTRK1"@en ; ntrk:approvalDate "2018-11-26"^^<http://www.w3.org/2001/XMLSchema#date> .\n',
    ".nt": b'<https://w3id.org/ntrk-kg/gene/NTRK1> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/ntrk-kg/ontology#Gene> .\n',
    ".nq": b'<https://w3id.org/ntrk-kg/gene/NTRK1> <http://www.w3.org/2000/01/rdf-schema#label> "x" <https://w3id.org/ntrk-kg/graph/guide> .\n',
    ".trig": b'<https://w3id.org/ntrk-kg/graph/guide> { <https://w3id.org/ntrk-kg/gene/NTRK1> a <https://w3id.org/ntrk-kg/ontology#Gene> . }\n',
    ".jsonld": b'{"@id": "https://w3id.org/ntrk-kg/gene/NTRK1", "@type": "https://w3id.org/ntrk-kg/ontology#Gene",'
               b' "http://www.w3.org/2000/01/rdf-schema#label": {"@value": "2024-13-45", "@type": "http://www.w3.org/2001/XMLSchema#date"}}\n',
    ".rdf": b'<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
            b'<rdf:Description rdf:about="https://w3id.org/ntrk-kg/gene/NTRK1"/></rdf:RDF>\n',
}
BITS = st.sampled_from([b"<", b">", b'"', b"@", b"{", b"}", b"[", b"]", b".", b";", b"\\u", b"\\U0000", b"^^", b"_:b", b"\n",
                        b"\xff", b"\x00", b"#", b"@prefix x: <> .", b'"2024-13-45"^^<http://www.w3.org/2001/XMLSchema#date>',
                        b'"abc"^^<http://www.w3.org/2001/XMLSchema#integer>', b"<!DOCTYPE x [<!ENTITY a 'b'>]>", b"&a;"])


@st.composite
def rdf_file(draw: st.DrawFn) -> tuple[str, bytes]:
    suffix = draw(st.sampled_from(sorted(SYNTAXES)))
    data = draw(st.one_of(st.just(SEEDS[suffix]), st.just(b""), st.binary(max_size=200)))
    for _ in range(draw(st.integers(0, 5))):
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.one_of(BITS, st.binary(max_size=6))) + data[at + draw(st.integers(0, 6)):]
    return suffix, data


@given(rdf_file())
def test_validate_reports_or_says_what_is_wrong_for_any_file(tmp_path_factory: pytest.TempPathFactory,
                                                             case: tuple[str, bytes]) -> None:
    suffix, data = case
    path = tmp_path_factory.mktemp("rdf") / f"input{suffix}"
    path.write_bytes(data)
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code in (0, 1, 2)
    if result.exit_code == 2:
        assert result.stderr.startswith("ntrk-kg: error: ") and "Traceback" not in result.stderr
    assert "Traceback" not in result.output
