"""``ntrk-kg serve --endpoint``: the same pages and API in front of a real Oxigraph server and Virtuoso."""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

import pyoxigraph as ox
from click.testing import CliRunner

from kg_build.cli import main
from kg_build.publish import gsp
from tests.serve.conftest import Served

FUSION = "https://w3id.org/ntrk-kg/id/fusion/ETV6--NTRK3"


def _get(url: str, accept: str) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Accept": accept})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def test_the_pages_and_api_in_front_of_a_store(cli, server, built_dir: Path) -> None:
    env = {gsp.USER_ENV: "", gsp.PASSWORD_ENV: "", "NETRC": "/nonexistent", **server.env}
    loaded = cli("load", "--out", str(built_dir), *server.load_args(), "--replace", env=env)
    assert loaded.exit_code == 0, loaded.output
    served = Served("--endpoint", server.endpoint)
    url = served.url
    try:
        local = CliRunner().invoke(main, ["query", "ntrk-genes", "--format", "tsv", "--out", str(built_dir)])
        assert _get(f"{url}/api/ntrk-genes", "text/tab-separated-values") == (200, local.stdout_bytes)
        local = CliRunner().invoke(main, ["query", "tumour-types-above-threshold", "-p", "threshold=80", "--format", "tsv",
                                          "--out", str(built_dir)])
        assert _get(f"{url}/api/tumour-types-above-threshold?threshold=80", "text/tab-separated-values") == (200, local.stdout_bytes)
        store = ox.Store()
        store.load(path=str(built_dir / "ntrk-kg.nq"), format=ox.RdfFormat.N_QUADS)
        expected = {ox.Triple(q.subject, q.predicate, q.object) for q in store.quads_for_pattern(ox.NamedNode(FUSION), None, None)}
        status, body = _get(f"{url}/id/fusion/ETV6--NTRK3", "application/n-triples")
        assert status == 200 and {q.triple for q in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)} == expected
        status, page = _get(f"{url}/id/fusion/ETV6--NTRK3", "text/html")
        assert status == 200 and b"<title>ETV6::NTRK3" in page and b"Where the guide says it" in page
        assert _get(f"{url}/id/fusion/NOPE", "text/turtle")[0] == 404
        query = "PREFIX ntrk: <https://w3id.org/ntrk-kg/ontology#> SELECT ?s WHERE { GRAPH ?g { ?g2 ntrk:symbol \"NTRK1\" BIND(?g2 AS ?s) } }"
        status, body = _get(f"{url}/sparql?{urlencode({'query': query})}", "text/csv")
        assert (status, body) == (200, b"s\r\nhttps://identifiers.org/hgnc:8031\r\n")
        refused = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
        assert _get(f"{url}/sparql?{urlencode({'query': refused})}", "text/csv")[0] == 403
    finally:
        served.stop()
