"""The JSON-LD context works as the project's prefix map, in PyLD (JSON-LD 1.1) and in rdflib.

For every prefix of ``data/prefixes.tsv``: a compact IRI ``PREFIX:X1`` in a user's JSON-LD expands
to the prefix's namespace + ``X1``, and compacting that IRI gives ``PREFIX:X1`` back. The nine OBO
prefixes (IRIs ending in ``_``) are the ones that need ``"@prefix": true`` (JSON-LD 1.1); without
it ``MONDO:0018078`` stayed the IRI ``MONDO:0018078``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pyld import jsonld
from rdflib import Graph, URIRef

from kg_build.rdf.prefixes import jsonld_context, namespaces

SEE_ALSO = "http://www.w3.org/2000/01/rdf-schema#seeAlso"
SUBJECT = "https://w3id.org/ntrk-kg/id/x"
PREFIXES = sorted(namespaces().items())
OBO = sorted(p for p, ns in PREFIXES if ns.endswith("_"))


def context() -> dict[str, object]:
    return jsonld_context()["@context"]  # type: ignore[return-value]


def user_document(curie: str) -> dict[str, object]:
    return {"@context": context(), "@id": "ntrkkg:x", "rdfs:seeAlso": {"@id": curie}}


def test_the_obo_prefixes_are_declared_prefixes() -> None:
    assert OBO == ["CHEBI", "DOID", "GO", "HP", "MONDO", "NCIT", "OBI", "RO", "SO"]
    ctx = context()
    assert ctx["@version"] == 1.1
    assert ctx["MONDO"] == {"@id": "http://purl.obolibrary.org/obo/MONDO_", "@prefix": True}
    assert ctx["HGNC"] == "https://identifiers.org/hgnc:"


@pytest.mark.parametrize(("prefix", "ns"), PREFIXES, ids=[p for p, _ in PREFIXES])
def test_pyld_expands_and_compacts_every_prefix(prefix: str, ns: str) -> None:
    expanded = jsonld.expand(user_document(f"{prefix}:X1"))
    assert expanded == [{"@id": SUBJECT, SEE_ALSO: [{"@id": ns + "X1"}]}]
    compacted = jsonld.compact({"@id": SUBJECT, SEE_ALSO: {"@id": ns + "X1"}}, {"@context": context()})
    assert compacted["rdfs:seeAlso"] == {"@id": f"{prefix}:X1"}
    assert compacted["@id"] == "ntrkkg:x"


@pytest.mark.parametrize(("prefix", "ns"), PREFIXES, ids=[p for p, _ in PREFIXES])
def test_rdflib_expands_and_compacts_every_prefix(prefix: str, ns: str) -> None:
    g = Graph().parse(data=json.dumps(user_document(f"{prefix}:X1")), format="json-ld")
    assert set(g) == {(URIRef(SUBJECT), URIRef(SEE_ALSO), URIRef(ns + "X1"))}
    out = json.loads(g.serialize(format="json-ld", context=context()))
    # rdflib's serializer splits an IRI at its last '#', else its last '/', and compacts only when
    # the part before is a prefix: so a namespace ending in '#' or '/' compacts to itself, an OBO
    # IRI to obo:MONDO_X1 (the same IRI), and one ending in ':' (identifiers.org) stays whole.
    if ns.endswith(("#", "/")):
        expected = f"{prefix}:X1"
    elif prefix in OBO:
        expected = f"obo:{ns.rsplit('/', 1)[1]}X1"
    else:
        expected = ns + "X1"
    assert out["rdfs:seeAlso"] == {"@id": expected}
    back = Graph().parse(data=json.dumps(out), format="json-ld")
    assert set(back) == set(g)
    assert jsonld.to_rdf(out, {"format": "application/n-quads"}) == (
        f"<{SUBJECT}> <{SEE_ALSO}> <{ns}X1> .\n"
    )


def test_a_json_ld_1_0_processor_is_told_the_context_needs_1_1() -> None:
    with pytest.raises(jsonld.JsonLdError):
        jsonld.expand(user_document("MONDO:0018078"), {"processingMode": "json-ld-1.0"})


def test_pyld_reads_the_jsonld_export_as_exactly_the_nquads(built_dir: Path) -> None:
    """The export with its embedded context: PyLD's RDF, canonicalised (URDNA2015), is the N-Quads'."""
    doc = json.loads((built_dir / "ntrk-kg.jsonld").read_text(encoding="utf-8"))
    options = {"algorithm": "URDNA2015", "format": "application/n-quads"}
    from_jsonld = jsonld.normalize(doc, options)
    nquads = (built_dir / "ntrk-kg.nq").read_text(encoding="utf-8")
    from_nquads = jsonld.normalize(jsonld.from_rdf(nquads, {"format": "application/n-quads"}), options)
    assert from_jsonld == from_nquads
    assert len(from_jsonld.splitlines()) == len(set(nquads.splitlines()))
