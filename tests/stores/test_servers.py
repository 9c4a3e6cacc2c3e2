"""``ntrk-kg load`` into real SPARQL servers (Oxigraph and Virtuoso), as docs/stores.md shows it."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlencode

from kg_build.publish import gsp

UNION_GRAPH = "https://w3id.org/ntrk-kg/graph/test-union"


def load(cli, server, built_dir: Path, *args: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    """``ntrk-kg load`` of the build into ``server``, without credentials unless ``env`` gives them."""
    base = {gsp.USER_ENV: "", gsp.PASSWORD_ENV: "", "NETRC": "/nonexistent", **server.env, **(env or {})}
    return cli("load", "--out", str(built_dir), *server.load_args(), *args, env=base)


def graph_counts(built_dir: Path) -> dict[str, int]:
    return json.loads((built_dir / "manifest.json").read_text())["graphs"]


def head(server, mode: str, layout: str = "graphs") -> str:
    return f"loaded into {server.gsp} ({mode}, layout {layout}); counts checked at {server.endpoint}"


def test_replace_twice_leaves_the_same_counts(cli, server, built_dir: Path) -> None:
    counts = graph_counts(built_dir)
    assert load(cli, server, built_dir, "--replace")[0] == 0
    code, out, err = load(cli, server, built_dir, "--replace")
    assert (code, err) == (0, "")
    assert out.splitlines() == [head(server, "replace")] + [
        f"  replaced <{g}> via PUT: now holds the {n} uploaded triples (server count {n} -> {n})"
        for g, n in sorted(counts.items())
    ]


def test_append_twice_of_identical_data_is_reported_as_a_no_op(cli, server, built_dir: Path) -> None:
    counts = graph_counts(built_dir)
    assert load(cli, server, built_dir, "--replace")[0] == 0
    for _ in range(2):
        code, out, err = load(cli, server, built_dir, "--append")
        assert (code, err) == (0, "")
        assert out.splitlines() == [head(server, "append")] + [
            f"  appended to <{g}> via POST: no-op, the graph already held all {n} triples (server count {n} -> {n})"
            for g, n in sorted(counts.items())
        ]


def test_the_union_goes_into_one_graph(cli, server, built_dir: Path) -> None:
    union = json.loads((built_dir / "manifest.json").read_text())["triples_in_union"]
    client = gsp.Client(server.endpoint, server.gsp, gsp.credentials(server.gsp, server.env))
    client.delete_graph(UNION_GRAPH)
    try:
        code, out, err = load(cli, server, built_dir, "--graph", UNION_GRAPH, "--append")
        assert (code, err) == (0, "")
        assert out.splitlines() == [
            head(server, "append", "graph"),
            f"  appended to <{UNION_GRAPH}> via POST: {union} new triples of {union} (server count 0 -> {union})",
        ]
        code, out, _ = load(cli, server, built_dir, "--graph", UNION_GRAPH, "--replace")
        assert (code, out.splitlines()[1]) == (
            0, f"  replaced <{UNION_GRAPH}> via PUT: now holds the {union} uploaded triples (server count {union} -> {union})")
    finally:
        client.delete_graph(UNION_GRAPH)
    assert client.count(UNION_GRAPH) == 0


def test_a_dataset_upload_on_oxigraph_replaces_each_graph(cli, oxigraph_server, built_dir: Path) -> None:
    counts = graph_counts(built_dir)
    code, out, err = load(cli, oxigraph_server, built_dir, "--dataset", "--replace")
    assert (code, err) == (0, "")
    assert out.splitlines()[1:] == [
        f"  replaced <{g}> via DELETE + POST (N-Quads): now holds the {n} uploaded triples (server count {n} -> {n})"
        for g, n in sorted(counts.items())
    ]


def test_virtuoso_refuses_a_dataset_upload_and_nothing_is_reported_loaded(cli, virtuoso_server, built_dir: Path) -> None:
    code, out, err = load(cli, virtuoso_server, built_dir, "--dataset", "--append")
    assert (code, out) == (1, "")
    assert err == (
        f"ntrk-kg: error: POST {virtuoso_server.gsp} answered HTTP 200 with an HTML page instead of accepting "
        "the N-Quads: this URL does not take datasets; use the default per-graph layout; nothing was written\n"
    )


def test_a_wrong_password_is_a_one_line_error_with_endpoint_and_status(docs, cli, virtuoso_server, built_dir: Path) -> None:
    code, out, err = load(cli, virtuoso_server, built_dir, "--replace", env={gsp.PASSWORD_ENV: "wrong"})
    assert (code, out) == (1, "")
    first = f"{virtuoso_server.gsp}?{urlencode({'graph': sorted(graph_counts(built_dir))[0]})}"
    assert err == (
        f"ntrk-kg: error: PUT {first} failed: HTTP 401 digest auth failed "
        f"(check {gsp.USER_ENV}/{gsp.PASSWORD_ENV} or the netrc entry for this host); nothing was written\n"
    )
    shown = err.replace(virtuoso_server.gsp, "http://localhost:8890/sparql-graph-crud-auth").rstrip("\n")
    assert shown in docs.text("stores.md").splitlines(), "docs/stores.md shows another error for a wrong password"


def test_without_credentials_virtuoso_answers_401(cli, virtuoso_server, built_dir: Path) -> None:
    code, out, err = load(cli, virtuoso_server, built_dir, "--append", env={gsp.USER_ENV: "", gsp.PASSWORD_ENV: ""})
    assert (code, out) == (1, "")
    assert err.startswith(f"ntrk-kg: error: POST {virtuoso_server.gsp}?graph=") and " HTTP 401 " in err
    assert err.count("\n") == 1


def test_a_large_upload_to_virtuoso_is_signed_before_its_body_is_sent(virtuoso_server) -> None:
    """Virtuoso answers an unsigned request with 401 and closes the connection while a large body
    is still arriving, which breaks the client's send. After one request without a body has drawn
    the digest challenge, every upload is signed up front: no retry is needed."""
    graph = "https://w3id.org/ntrk-kg/graph/test-large"
    client = gsp.Client(virtuoso_server.endpoint, virtuoso_server.gsp,
                        gsp.credentials(virtuoso_server.gsp, virtuoso_server.env), retries=0)
    client.authenticate(virtuoso_server.gsp)
    body = "".join(f"<urn:ntrk-kg:test:s{i}> <urn:ntrk-kg:test:p> \"{i}\" .\n" for i in range(20_000)).encode()
    try:
        for _ in range(3):
            assert client.put_graph(graph, body).status in (200, 201, 204)
        assert client.count(graph) == 20_000
    finally:
        client.delete_graph(graph)
