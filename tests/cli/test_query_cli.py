"""``ntrk-kg query`` and ``ntrk-kg sparql`` as a user types them: formats, errors and exit codes."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from kg_build.query import catalogue


def test_query_list_shows_name_and_question(cli) -> None:
    code, out, _ = cli("query", "list")
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == len(catalogue.query_files())
    assert re.fullmatch(r"fusion-partners +Which partner genes form fusions with the NTRK genes\?",
                        next(line for line in lines if line.startswith("fusion-partners ")))


def test_formats(cli, built_dir: Path) -> None:
    base = ("query", "fusion-partners", "-p", "gene=NTRK2", "--out", str(built_dir))
    code, out, _ = cli(*base, "--format", "csv")
    assert code == 0 and out == (
        "ntrk_symbol,partner_symbol,fusion,fusion_label\r\n"
        "NTRK2,AFAP1,https://w3id.org/ntrk-kg/id/fusion/AFAP1--NTRK2,AFAP1::NTRK2\r\n"
        "NTRK2,PAN3,https://w3id.org/ntrk-kg/id/fusion/PAN3--NTRK2,PAN3::NTRK2\r\n"
        "NTRK2,TRIM24,https://w3id.org/ntrk-kg/id/fusion/TRIM24--NTRK2,TRIM24::NTRK2\r\n"
    )
    code, out, _ = cli(*base, "--format", "tsv")
    assert out.splitlines()[:2] == [
        "?ntrk_symbol\t?partner_symbol\t?fusion\t?fusion_label",
        '"NTRK2"\t"AFAP1"\t<https://w3id.org/ntrk-kg/id/fusion/AFAP1--NTRK2>\t"AFAP1::NTRK2"',
    ]
    code, out, _ = cli(*base, "--format", "json")
    doc = json.loads(out)
    assert doc["head"]["vars"] == ["ntrk_symbol", "partner_symbol", "fusion", "fusion_label"]
    assert doc["results"]["bindings"][0]["fusion"] == {"type": "uri", "value": "https://w3id.org/ntrk-kg/id/fusion/AFAP1--NTRK2"}
    assert doc["results"]["bindings"][0]["ntrk_symbol"] == {"type": "literal", "value": "NTRK2"}
    code, out, _ = cli(*base)
    assert out.splitlines()[2] == "NTRK2        AFAP1           ntrkkg:fusion/AFAP1--NTRK2   AFAP1::NTRK2"
    assert out.endswith("(3 rows)\n")


def test_rdflib_engine_from_the_cli_gives_the_same_output(cli, built_dir: Path) -> None:
    args = ("query", "prevalence-by-tumour-type", "--out", str(built_dir), "--format", "tsv")
    assert cli(*args)[1] == cli(*args, "--engine", "rdflib")[1]


def test_construct_query_writes_rdf(cli, built_dir: Path) -> None:
    code, out, _ = cli("query", "gene-card", "-p", "gene=NTRK1", "--out", str(built_dir), "--format", "ntriples")
    assert code == 0
    assert '<https://identifiers.org/hgnc:8031> <https://w3id.org/ntrk-kg/ontology#symbol> "NTRK1" .' in out.splitlines()
    code, _, err = cli("query", "gene-card", "-p", "gene=NTRK1", "--out", str(built_dir), "--format", "csv")
    assert code == 2 and "CONSTRUCT" in err


@pytest.mark.parametrize(("args", "message"), [
    (("query", "no-such-query"), "no query called 'no-such-query'"),
    (("query", "tumour-types-above-threshold"), "missing required parameter 'threshold'"),
    (("query", "tumour-types-above-threshold", "-p", "threshold=abc"), "parameter 'threshold': 'abc' is not a percentage"),
    (("query", "tumour-types-above-threshold", "-p", "threshold=80", "-p", "colour=red"), "unknown parameter 'colour'"),
    (("query", "tumour-types-above-threshold", "-p", "threshold"), "must be written name=value"),
    (("query", "ntrk-genes", "--out", "/nonexistent/build"), "does not exist; run 'ntrk-kg build"),
    (("sparql", "SELECT * WHERE { ?s ?p }"), "the SPARQL query is not valid"),
    (("sparql", "DROP ALL"), "updates are not run"),
    (("sparql",), "give the query either as an argument or with -f FILE.rq"),
])
def test_usage_errors_exit_2_with_one_clear_message(cli, built_dir: Path, args: tuple[str, ...], message: str) -> None:
    if "--out" not in args:
        args = (*args, "--out", str(built_dir))
    code, out, err = cli(*args)
    assert code == 2, out
    assert message in err and "Traceback" not in err
    assert err.startswith("ntrk-kg: error: ")


def test_sparql_adhoc_and_from_a_file_with_parameters(cli, built_dir: Path, tmp_path: Path) -> None:
    code, out, _ = cli("sparql", "SELECT (COUNT(*) AS ?genes) WHERE { GRAPH ?g { ?x a <https://w3id.org/ntrk-kg/ontology#Gene> } }",
                       "--out", str(built_dir), "--format", "csv")
    assert (code, out) == (0, "genes\r\n12\r\n")
    code, out, _ = cli("sparql", "--union-default-graph", "ASK { ?x a <https://w3id.org/ntrk-kg/ontology#NTRKGene> }", "--out", str(built_dir))
    assert (code, out) == (0, "true\n")
    rq = tmp_path / "my-query.rq"
    rq.write_text(catalogue.find("fusions-with-gene").text, encoding="utf-8")
    code, out, _ = cli("sparql", "-f", str(rq), "-p", "gene=ETV6", "--out", str(built_dir), "--format", "csv")
    assert (code, out.splitlines()[1]) == (0, "https://w3id.org/ntrk-kg/id/fusion/ETV6--NTRK3,ETV6::NTRK3,5',NTRK3")


def test_query_against_an_endpoint(cli, built_dir: Path, sparql_endpoint) -> None:
    from kg_build.sparql.sources import open_store

    local = cli("query", "pathways", "--out", str(built_dir), "--format", "json")[1]
    with sparql_endpoint(open_store(built_dir)) as server:
        assert cli("query", "pathways", "--endpoint", server.url, "--format", "json")[1] == local
    code, _, err = cli("query", "pathways", "--endpoint", server.url)  # the server is gone now
    assert code == 1 and f"cannot reach the SPARQL endpoint {server.url}" in err


def test_triples_only_file_gets_a_warning(cli, built_dir: Path, tmp_path: Path) -> None:
    ttl = tmp_path / "flat.ttl"
    ttl.write_text("<http://example.org/a> <http://example.org/b> <http://example.org/c> .\n", encoding="utf-8")
    code, out, err = cli("query", "ntrk-genes", "--graph", str(ttl))
    assert code == 0 and "(0 rows)" in out and "holds no named graphs" in err


def _imported(*args: str) -> tuple[set[str], str]:
    """The top-level modules ``python -X importtime ARGS`` imports, and what it printed."""
    proc = subprocess.run([sys.executable, "-X", "importtime", *args], capture_output=True, text=True, check=True)
    lines = proc.stderr.splitlines()
    return {line.split("|")[-1].strip().split(".")[0] for line in lines if line.startswith("import time:")}, proc.stdout


def test_query_path_imports_no_heavy_library(built_dir: Path) -> None:
    """`ntrk-kg query NAME` must not import rdflib, pyshacl, owlready2 or curies/pydantic: each costs
    more than the query itself on the guide graph."""
    imported, out = _imported("-m", "kg_build", "query", "tumour-types-above-threshold",
                              "-p", "threshold=80", "--out", str(built_dir))
    at_start, _ = _imported("-c", "pass")
    heavy = {"rdflib", "pyshacl", "owlready2", "curies", "pydantic"}
    assert (imported - at_start) & heavy == set()
    assert {"pyoxigraph", "kg_build"} <= imported
    assert "(4 rows)" in out


def test_the_catalogue_table_of_the_docs_is_fresh(docs) -> None:
    text = docs.text("queries.md")
    m = re.search(r"<!-- catalogue:start -->\n(.*?)<!-- catalogue:end -->", text, re.S)
    assert m, "docs/queries.md has no <!-- catalogue:start --> ... <!-- catalogue:end --> block"
    assert m.group(1) == catalogue.markdown_table(catalogue.load()), \
        "the query table of docs/queries.md is stale: regenerate it with 'ntrk-kg query list --markdown'"


def test_the_catalogue_examples_of_the_docs_show_real_output(docs, cli, built_dir: Path) -> None:
    examples = re.findall(r"```console\n\$ (ntrk-kg [^\n]*)\n(.*?)```", docs.section("queries.md", "## The catalogue"), re.S)
    assert len(examples) >= 2
    for command, shown in examples:
        args = command.split()[1:] + ["--out", str(built_dir)]
        code, out, _ = cli(*args)
        assert code == 0 and out.replace("\r\n", "\n") == shown, command
