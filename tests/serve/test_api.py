"""The catalogue as a web API: /api, /api/NAME with the command line's checks and pages, OpenAPI fuzzed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlencode

import pytest

from kg_build.query import catalogue

LOCAL_ONLY = ("gene-wikidata-items", "trk-protein-function")  # their SERVICE endpoint is not allowed here


def _cli(cli, built_dir: Path, *args: str) -> tuple[int, str, str]:
    result = cli("query", *args, "--out", str(built_dir))
    return result.exit_code, result.stdout, result.stderr


def test_the_list_is_the_catalogue(served, http) -> None:
    status, headers, body = http(served.url + "/api")
    listing = json.loads(body)
    assert status == 200 and headers["content-type"] == "application/json"
    assert [q["name"] for q in listing] == catalogue.names()
    card = next(q for q in listing if q["name"] == "tumour-types-above-threshold")
    assert card["params"] == [{"name": "threshold", "type": "percent", "required": True, "default": None, "example": "80",
                               "description": card["params"][0]["description"]}]
    assert card["example"] == "/api/tumour-types-above-threshold?threshold=80"


@pytest.mark.parametrize("name", [n for n in catalogue.names() if n not in LOCAL_ONLY])
def test_each_query_answers_as_the_command_line(cli, name: str, served, http, built_dir: Path) -> None:
    q = catalogue.find(name)
    args = [a for k, v in q.examples().items() for a in ("-p", f"{k}={v}")]
    fmt, accept = ("ntriples", "application/n-triples") if q.form == "construct" else ("tsv", "text/tab-separated-values")
    code, out, _ = _cli(cli, built_dir, name, *args, "--format", fmt)
    assert code == 0
    status, _, body = http(f"{served.url}/api/{name}?{urlencode(q.examples())}", accept=accept)
    assert (status, body.decode()) == (200, out)


def test_a_bad_parameter_is_400_with_the_command_lines_message(cli, served, http, built_dir: Path) -> None:
    cases = [("tumour-types-above-threshold", {"threshold": "abc"}), ("tumour-types-above-threshold", {}),
             ("statements-citing-reference", {"number": "two"}), ("ntrk-genes", {"gene": "NTRK1"}),
             ("tumour-types-above-threshold", {"threshold": "101"})]
    for name, values in cases:
        code, _, err = _cli(cli, built_dir, name, *[a for k, v in values.items() for a in ("-p", f"{k}={v}")])
        assert code == 2 and err.startswith("ntrk-kg: error: ")
        status, headers, body = http(f"{served.url}/api/{name}?{urlencode(values)}")
        assert (status, headers["content-type"]) == (400, "text/plain; charset=utf-8")
        assert body.decode() == err.removeprefix("ntrk-kg: error: ")
    status, _, body = http(f"{served.url}/api/ntrk-genes?gene=a&gene=b")
    assert status == 400 and body == b"query ntrk-genes: unknown parameter 'gene' (parameters of ntrk-genes: none)\n" or \
        body == b"parameter 'gene' is given twice\n"


def test_unknown_query_is_404_with_a_suggestion(served, http) -> None:
    status, _, body = http(f"{served.url}/api/ntrk-gene")
    assert status == 404
    assert body == b"no query called 'ntrk-gene' in the catalogue; did you mean ntrk-genes? (see 'ntrk-kg query list')\n"


def test_pages_as_the_command_line_with_a_link_to_the_next(cli, served, http, built_dir: Path) -> None:
    q = catalogue.find("fusion-partners")
    assert q.pagination is not None
    _, out, _ = _cli(cli, built_dir, "fusion-partners", "--format", "tsv", "--page", "1")
    status, headers, body = http(f"{served.url}/api/fusion-partners?page=1&format=tsv")
    assert (status, body.decode()) == (200, out)
    rows = len(out.splitlines()) - 1
    assert ("link" in headers) == (rows >= q.pagination)
    for page in ("0", "-1", "x", "1.5"):
        status, _, body = http(f"{served.url}/api/fusion-partners?page={page}")
        assert (status, body) == (400, f"page={page!r} is not a page number; give a whole number from 1\n".encode())


def test_a_query_needing_an_endpoint_not_allowed_is_403(served, http) -> None:
    status, _, body = http(f"{served.url}/api/trk-protein-function")
    assert status == 403 and body.startswith(b"SERVICE <https://sparql.uniprot.org/sparql>: this server does not query that endpoint")


def test_openapi_describes_every_query(served, http) -> None:
    status, _, body = http(served.url + "/openapi.json")
    doc = json.loads(body)
    assert status == 200 and doc["openapi"].startswith("3.")
    assert sorted(doc["paths"]) == sorted(["/api"] + [f"/api/{n}" for n in catalogue.names()])
    op = doc["paths"]["/api/tumour-types-above-threshold"]["get"]
    assert op["summary"] == catalogue.find("tumour-types-above-threshold").summary
    assert [p["name"] for p in op["parameters"]] == ["threshold", "format"]
    assert doc["paths"]["/api/fusion-partners"]["get"]["parameters"][1]["name"] == "page"


def test_schemathesis_finds_no_server_error(served, tmp_path: Path) -> None:
    st = Path(sys.executable).with_name("st")
    if not st.is_file():
        if os.environ.get("CI") == "true":
            pytest.fail("schemathesis is missing (pip install -e '.[test]')")
        pytest.skip("schemathesis is missing (pip install -e '.[test]')")
    done = subprocess.run(
        [str(st), "run", f"{served.url}/openapi.json", "--checks", "not_a_server_error,status_code_conformance",
         "--max-examples", "25", "--seed", "1", "--workers", "1", "--no-color",
         "--generation-database", "none", "--request-timeout", "30"],
        capture_output=True, text=True, timeout=900, check=False, cwd=tmp_path,
    )
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
    assert "No issues found" in done.stdout or "passed" in done.stdout, done.stdout[-3000:]
