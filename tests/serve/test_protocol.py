"""The SPARQL 1.1 Protocol at /sparql: request forms, result formats, service description, and refusals."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import pyoxigraph as ox
import pytest

GENES = """PREFIX ntrk: <https://w3id.org/ntrk-kg/ontology#>
SELECT ?gene ?symbol WHERE { GRAPH ?g { ?gene a ntrk:NTRKGene ; ntrk:symbol ?symbol } } ORDER BY ?symbol"""
CONSTRUCT = """PREFIX ntrk: <https://w3id.org/ntrk-kg/ontology#>
CONSTRUCT { ?gene ntrk:symbol ?symbol } WHERE { GRAPH ?g { ?gene a ntrk:NTRKGene ; ntrk:symbol ?symbol } }"""
NTRK = [("https://identifiers.org/hgnc:8031", "NTRK1"), ("https://identifiers.org/hgnc:8032", "NTRK2"),
        ("https://identifiers.org/hgnc:8033", "NTRK3")]
# a query no store can finish in seconds: every triple of the guide graph, cubed
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def _rows(body: bytes) -> list[tuple[str, str]]:
    doc = json.loads(body)
    return [(b["gene"]["value"], b["symbol"]["value"]) for b in doc["results"]["bindings"]]


def _cli(cli, built_dir: Path, fmt: str, query: str = GENES) -> str:
    result = cli("sparql", query, "--format", fmt, "--out", str(built_dir))
    assert result.exit_code == 0, result.output
    return result.stdout


def test_get_post_form_and_post_direct_give_the_same_answer(served, http) -> None:
    url = f"{served.url}/sparql"
    answers = [
        http(f"{url}?{urlencode({'query': GENES})}"),
        http(url, data=urlencode({"query": GENES}).encode(), content_type="application/x-www-form-urlencoded"),
        http(url, data=GENES.encode(), content_type="application/sparql-query"),
    ]
    for status, headers, body in answers:
        assert status == 200
        assert headers["content-type"] == "application/sparql-results+json"
        assert _rows(body) == NTRK


def test_each_result_format_is_the_command_lines(cli, served, http, built_dir: Path) -> None:
    url = f"{served.url}/sparql?{urlencode({'query': GENES})}"
    for accept, media, fmt in (("application/sparql-results+json", "application/sparql-results+json", "json"),
                               ("text/csv", "text/csv; charset=utf-8", "csv"),
                               ("text/tab-separated-values", "text/tab-separated-values; charset=utf-8", "tsv"),
                               ("application/sparql-results+xml", "application/sparql-results+xml", "xml")):
        status, headers, body = http(url, accept=accept)
        assert (status, headers["content-type"]) == (200, media)
        assert body.decode("utf-8") == _cli(cli, built_dir, fmt)
        assert http(f"{url}&format={fmt}")[2] == body


def test_graph_results_in_turtle_ntriples_and_json_ld(served, http) -> None:
    url = f"{served.url}/sparql?{urlencode({'query': CONSTRUCT})}"
    expected = {(f"<{iri}>", "<https://w3id.org/ntrk-kg/ontology#symbol>", f'"{symbol}"') for iri, symbol in NTRK}
    for accept, fmt in (("text/turtle", ox.RdfFormat.TURTLE), ("application/n-triples", ox.RdfFormat.N_TRIPLES),
                        ("application/ld+json", ox.RdfFormat.JSON_LD)):
        status, headers, body = http(url, accept=accept)
        assert status == 200 and headers["content-type"].split(";")[0] == accept
        assert {(str(q.subject), str(q.predicate), str(q.object)) for q in ox.parse(body, format=fmt)} == expected


def test_ask_and_describe(served, http) -> None:
    status, _, body = http(f"{served.url}/sparql?{urlencode({'query': 'ASK { GRAPH ?g { ?s ?p ?o } }'})}")
    assert (status, json.loads(body)) == (200, {"head": {}, "boolean": True})
    describe = "DESCRIBE <https://w3id.org/ntrk-kg/id/fusion/ETV6--NTRK3>"
    status, _, body = http(f"{served.url}/sparql?{urlencode({'query': describe})}", accept="application/n-triples")
    labels = [q for q in ox.parse(body, format=ox.RdfFormat.N_TRIPLES) if q.predicate.value.endswith("#label")]
    assert status == 200 and [q.object.value for q in labels] == ["ETV6::NTRK3"]


def test_dataset_parameters_choose_the_graphs(served, http) -> None:
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    guide = "https://w3id.org/ntrk-kg/graph/guide"
    status, _, body = http(f"{served.url}/sparql?{urlencode({'query': count, 'default-graph-uri': guide})}")
    in_guide = int(json.loads(body)["results"]["bindings"][0]["n"]["value"])
    _, _, body = http(f"{served.url}/sparql?{urlencode({'query': f'SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{guide}> {{ ?s ?p ?o }} }}'})}")
    assert status == 200 and in_guide == int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) > 500


def test_service_description_without_a_query(served, http, built_dir: Path) -> None:
    status, headers, body = http(f"{served.url}/sparql", accept="text/turtle")
    assert status == 200 and headers["content-type"] == "text/turtle; charset=utf-8"
    store = ox.Store()
    store.load(body, format=ox.RdfFormat.TURTLE)
    sd = "http://www.w3.org/ns/sparql-service-description#"
    endpoint = ox.NamedNode(f"{served.url}/sparql")
    assert [q.object for q in store.quads_for_pattern(endpoint, ox.NamedNode(sd + "endpoint"), None)] == [endpoint]
    names = sorted(q.object.value for q in store.quads_for_pattern(None, ox.NamedNode(sd + "name"), None))
    manifest = json.loads((built_dir / "manifest.json").read_text())
    assert names == sorted(manifest["graphs"])
    formats = {q.object.value.rsplit("/", 1)[1] for q in store.quads_for_pattern(endpoint, ox.NamedNode(sd + "resultFormat"), None)}
    assert {"SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV", "Turtle", "N-Triples", "JSON-LD"} <= formats
    status, headers, _ = http(f"{served.url}/sparql", accept="text/html,*/*;q=0.8")
    assert (status, headers["location"]) == (303, "/query")


def test_updates_are_refused_and_change_nothing(served, http) -> None:
    url = f"{served.url}/sparql"
    insert = "INSERT DATA { GRAPH <urn:x> { <urn:a> <urn:b> <urn:c> } }"
    status, _, body = http(url, data=urlencode({"update": insert}).encode(), content_type="application/x-www-form-urlencoded")
    assert (status, body) == (403, b"this endpoint is read-only: it runs no update\n")
    assert http(url, data=insert.encode(), content_type="application/sparql-update")[0] == 403
    status, _, body = http(f"{url}?{urlencode({'query': insert})}")
    assert status == 400 and b"runs no update" in body
    _, _, body = http(f"{url}?{urlencode({'query': 'ASK { GRAPH <urn:x> { ?s ?p ?o } }'})}")
    assert json.loads(body)["boolean"] is False


def test_bad_requests_get_one_clear_line_and_no_traceback(served, http) -> None:
    url = f"{served.url}/sparql"
    cases = [
        (http(f"{url}?{urlencode({'query': 'SELECT * WHERE { ?s ?p }'})}"), 400, b"the SPARQL query is not valid"),
        (http(f"{url}?{urlencode({'query': GENES})}", accept="image/png"), 406, b"none of the accepted types (image/png)"),
        (http(f"{url}?query=a&query=b"), 400, b"give one query"),
        (http(url, data=b"x", content_type="text/plain"), 415, b"application/sparql-query"),
        (http(url, data=b"\xff\xfe", content_type="application/sparql-query"), 400, b"not UTF-8"),
        (http(f"{url}?{urlencode({'query': GENES, 'default-graph-uri': 'not an iri'})}"), 400, b"not valid"),
        (http(f"{url}?format=png&{urlencode({'query': GENES})}"), 406, b"format='png' is not offered"),
    ]
    for (status, headers, body), expected_status, words in cases:
        assert (status, headers["content-type"]) == (expected_status, "text/plain; charset=utf-8"), body
        assert words in body and b"Traceback" not in body and body.count(b"\n") == 1


def test_service_to_a_host_not_allowed_is_refused(served, http) -> None:
    for query in ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
                  "SELECT * WHERE { SERVICE SILENT <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
                  "SELECT * WHERE { \\u0053ERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
                  "SELECT * WHERE { SERVICE \\u003Chttp://127.0.0.1:9/sparql> { ?s ?p ?o } }",
                  "PREFIX e: <http://127.0.0.1:9/> SELECT * WHERE { SERVICE e:sparql { ?s ?p ?o } }",
                  "BASE <http://127.0.0.1:9/> SELECT * WHERE { SERVICE <sparql> { ?s ?p ?o } }",
                  "SELECT * WHERE { BIND(<http://127.0.0.1:9/> AS ?e) SERVICE ?e { ?s ?p ?o } }"):
        status, _, body = http(f"{served.url}/sparql?{urlencode({'query': query})}")
        assert status == 403, (query, body)
        assert body.startswith(b"SERVICE ")


def test_an_allowed_service_is_queried(start_server, http, built_dir: Path, federation_endpoints) -> None:
    uniprot = federation_endpoints["https://sparql.uniprot.org/sparql"]
    server = start_server("--out", str(built_dir), "--allow-service", uniprot)
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ SERVICE <{uniprot}> {{ ?s ?p ?o }} }}"
    status, _, body = http(f"{server.url}/sparql?{urlencode({'query': query})}")
    remote = ox.Store()
    remote.load(path=str(Path(__file__).parent.parent / "fixtures" / "federation" / "uniprot.ttl"), format=ox.RdfFormat.TURTLE)
    assert status == 200 and json.loads(body)["results"]["bindings"][0]["n"]["value"] == str(len(remote))


def test_a_query_past_the_timeout_is_stopped_while_others_are_answered(served, http) -> None:
    slow: list[tuple[int, bytes, float]] = []

    def run_slow() -> None:
        began = time.monotonic()
        status, _, body = http(f"{served.url}/sparql?{urlencode({'query': SLOW})}")
        slow.append((status, body, time.monotonic() - began))

    thread = threading.Thread(target=run_slow)
    thread.start()
    time.sleep(0.5)
    answered = []
    while thread.is_alive():
        status, _, body = http(f"{served.url}/sparql?{urlencode({'query': GENES})}")
        answered.append(status == 200 and _rows(body) == NTRK)
        time.sleep(0.2)
    thread.join()
    status, body, took = slow[0]
    assert status == 503 and body == b"the query ran longer than this server's limit of 3 s and was stopped\n"
    assert 3 <= took < 10
    assert len(answered) >= 5 and all(answered)
    # the stopped worker is replaced: the server goes on answering with both
    for _ in range(4):
        assert _rows(http(f"{served.url}/sparql?{urlencode({'query': GENES})}")[2]) == NTRK


def test_request_and_result_limits(served, http) -> None:
    url = f"{served.url}/sparql"
    big = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 70000
    status, _, body = http(url, data=big.encode(), content_type="application/sparql-query")
    assert status == 413 and b"65,536 bytes" in body
    many = "SELECT * WHERE { ?s ?p ?o . ?s ?q ?r }"
    status, _, body = http(f"{url}?{urlencode({'query': many})}")
    assert status == 400 and body.startswith(b"the result has more than 5,000 rows or triples")
    status, _, body = http(f"{url}?{urlencode({'query': many + ' LIMIT 5000'})}")
    assert status == 200 and len(json.loads(body)["results"]["bindings"]) == 5000


def test_no_path_outside_the_served_folders(served, http) -> None:
    for path in ("/static/../../pyproject.toml", "/static/%2e%2e/%2e%2e/pyproject.toml", "/static/..%2f..%2fpyproject.toml",
                 "/static/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd", "/static//etc/passwd", "/../../etc/passwd",
                 "/static/yasgui/../../templates/serve/base.html.j2"):
        status, _, body = http(served.url + path)
        assert status == 404, path
        assert b"root:" not in body and b"[project]" not in body and b"{%" not in body
    assert http(f"{served.url}/static/yasgui/LICENSES.txt")[0] == 200


def test_cors_only_for_the_origins_given(start_server, served, http, built_dir: Path) -> None:
    import urllib.request

    def origin_header(url: str) -> str | None:
        request = urllib.request.Request(f"{url}/sparql?{urlencode({'query': GENES})}", headers={"Origin": "https://example.org"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.headers.get("access-control-allow-origin")

    assert origin_header(served.url) is None
    server = start_server("--out", str(built_dir), "--cors-origin", "https://example.org")
    assert origin_header(server.url) == "https://example.org"


@pytest.mark.parametrize("args, message", [
    (["--write-htaccess", "x"], "--write-htaccess FILE and --public-url URL go together"),
    (["--root-path", "kg/"], "--root-path 'kg/' must start with '/'"),
])
def test_usage_errors(cli, args: list[str], message: str, tmp_path: Path) -> None:
    result = cli("serve", "--out", str(tmp_path), *args)
    assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output


def test_a_missing_build_or_a_busy_port_is_a_usage_error(cli, tmp_path: Path, served) -> None:
    result = cli("serve", "--out", str(tmp_path / "none"))
    assert result.exit_code == 2
    assert result.output == (f"ntrk-kg: error: {tmp_path / 'none' / 'ntrk-kg.nq'} does not exist; "
                             f"run 'ntrk-kg build --out {tmp_path / 'none'}' first, or pass --graph FILE\n")
    port = served.url.rsplit(":", 1)[1]
    result = cli("serve", "--out", str(Path(served.url) and tmp_path), "--port", port)
    assert result.exit_code == 2
