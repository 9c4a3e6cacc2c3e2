"""Federated queries: joined with UniProt's and Wikidata's endpoints, tested against local stand-ins.

The stand-ins are Oxigraph servers (``federation_endpoints`` in conftest.py) holding small fixtures
in UniProt's core vocabulary and Wikidata's direct properties; no test reaches the internet.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kg_build.query import catalogue

FEDERATED = ["gene-wikidata-items", "trk-protein-function"]


def test_the_federated_queries_are_in_the_catalogue_with_the_public_endpoints_as_defaults():
    found = {q.name: q for q in catalogue.load() if "federated" in q.keywords}
    assert sorted(found) == FEDERATED
    defaults = {name: q.param("endpoint").default for name, q in found.items()}
    assert defaults == {
        "gene-wikidata-items": "https://query.wikidata.org/sparql",
        "trk-protein-function": "https://sparql.uniprot.org/sparql",
    }
    assert all(not q.param("endpoint").required and q.param("endpoint").type == "iri" for q in found.values())


def test_trk_protein_function_from_the_uniprot_stand_in(cli, built_dir: Path, federation_endpoints):
    endpoint = federation_endpoints["https://sparql.uniprot.org/sparql"]
    result = cli("query", "trk-protein-function", "-p", f"endpoint={endpoint}", "--format", "tsv",
                 "--out", str(built_dir))
    code, out = result.exit_code, result.output
    assert code == 0, out
    assert out.splitlines() == [
        "?protein\t?protein_symbol\t?function",
        '<http://purl.uniprot.org/uniprot/P04629>\t"TRKA"\t"Fixture function text of TRKA."',
        '<http://purl.uniprot.org/uniprot/Q16620>\t"TRKB"\t"Fixture function text of TRKB."',
        '<http://purl.uniprot.org/uniprot/Q16288>\t"TRKC"\t"Fixture function text of TRKC."',
        '<http://purl.uniprot.org/uniprot/Q16288>\t"TRKC"\t"Fixture second function text of TRKC."',
    ]


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_gene_wikidata_items_join_on_both_identifiers(cli, built_dir: Path, federation_endpoints, engine):
    """NTRK2's decoy item has its HGNC ID but another NCBI Gene ID: it must not match."""
    endpoint = federation_endpoints["https://query.wikidata.org/sparql"]
    result = cli("query", "gene-wikidata-items", "-p", f"endpoint={endpoint}", "--format", "tsv",
                 "--engine", engine, "--out", str(built_dir))
    code, out = result.exit_code, result.output
    assert code == 0, out
    assert out.splitlines() == [
        "?gene\t?symbol\t?hgnc_id\t?ncbigene_id\t?item\t?wikidata_symbol",
        '<https://identifiers.org/hgnc:3495>\t"ETV6"\t"HGNC:3495"\t"NCBIGene:2120"\t<http://www.wikidata.org/entity/Qfixture-ETV6>\t"ETV6"',
        '<https://identifiers.org/hgnc:8031>\t"NTRK1"\t"HGNC:8031"\t"NCBIGene:4914"\t<http://www.wikidata.org/entity/Qfixture-NTRK1>\t"NTRK1"',
        '<https://identifiers.org/hgnc:8033>\t"NTRK3"\t"HGNC:8033"\t"NCBIGene:4916"\t<http://www.wikidata.org/entity/Qfixture-NTRK3>\t"NTRK3"',
    ]


def test_an_endpoint_that_is_not_an_iri_is_refused(cli, built_dir: Path):
    result = cli("query", "trk-protein-function", "-p", "endpoint=http://x> } ; DROP ALL ; #", "--out", str(built_dir))
    code, out = result.exit_code, result.output
    assert code == 2
    assert out.startswith("ntrk-kg: error: query trk-protein-function: parameter 'endpoint':")


def test_an_unreachable_endpoint_is_one_line_exit_1(cli, built_dir: Path):
    result = cli("query", "trk-protein-function", "-p", "endpoint=http://127.0.0.1:9/query", "--out", str(built_dir))
    code, out = result.exit_code, result.output
    assert code == 1
    assert out.startswith("ntrk-kg: error: trk-protein-function: a SERVICE endpoint of the query could not be queried:")
    assert len(out.strip().splitlines()) == 1
