"""``ntrk-kg load`` into real SPARQL servers (Oxigraph and Virtuoso), as docs/loading.md shows it."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlencode

from click.testing import CliRunner

from kg_build.cli import main
from kg_build.publish import gsp

UNION_GRAPH = "https://w3id.org/ntrk-kg/graph/test-union"


def load(server, built_dir: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    base = {gsp.USER_ENV: "", gsp.PASSWORD_ENV: "", "NETRC": "/nonexistent", **server.env, **(env or {})}
    result = CliRunner().invoke(main, ["load", "--out", str(built_dir), *server.load_args(), *args], env=base)
    return result.exit_code, result.stdout, result.stderr


def graph_counts(built_dir: Path) -> dict[str, int]:
    return json.loads((built_dir / "manifest.json").read_text())["graphs"]


def head(server, mode: str, layout: str = "graphs") -> str:
    return f"loaded into {server.gsp} ({mode}, layout {layout}); counts checked at {server.endpoint}"


def test_replace_twice_leaves_the_same_counts(server, built_dir: Path) -> None:
    counts = graph_counts(built_dir)
    assert load(server, built_dir, "--replace")[0] == 0
    code, out, err = load(server, built_dir, "--replace")
    assert (code, err) == (0, "")
    assert out.splitlines() == [head(server, "replace")] + [
        f"  replaced <{g}> via PUT: now holds the {n} uploaded triples (server count {n} -> {n})"
        for g, n in sorted(counts.items())
    ]


def test_append_twice_of_identical_data_is_reported_as_a_no_op(server, built_dir: Path) -> None:
    counts = graph_counts(built_dir)
    assert load(server, built_dir, "--replace")[0] == 0
    for _ in range(2):
        code, out, err = load(server, built_dir, "--append")
        assert (code, err) == (0, "")
        assert out.splitlines() == [head(server, "append")] + [
            f"  appended to <{g}> via POST: no-op, the graph already held all {n} triples (server count {n} -> {n})"
            for g, n in sorted(counts.items())
        ]


def test_the_union_goes_into_one_graph(server, built_dir: Path) -> None:
    union = json.loads((built_dir / "manifest.json").read_text())["triples_in_union"]
    client = gsp.Client(server.endpoint, server.gsp, gsp.credentials(server.gsp, server.env))
    client.delete_graph(UNION_GRAPH)
    try:
        code, out, err = load(server, built_dir, "--graph", UNION_GRAPH, "--append")
        assert (code, err) == (0, "")
        assert out.splitlines() == [
            head(server, "append", "graph"),
            f"  appended to <{UNION_GRAPH}> via POST: {union} new triples of {union} (server count 0 -> {union})",
        ]
        code, out, _ = load(server, built_dir, "--graph", UNION_GRAPH, "--replace")
        assert (code, out.splitlines()[1]) == (
            0, f"  replaced <{UNION_GRAPH}> via PUT: now holds the {union} uploaded triples (server count {union} -> {union})")
    finally:
        client.delete_graph(UNION_GRAPH)
    assert client.count(UNION_GRAPH) == 0


def test_a_dataset_upload_on_oxigraph_replaces_each_graph(oxigraph_server, built_dir: Path) -> None:
    counts = graph_counts(built_dir)
    code, out, err = load(oxigraph_server, built_dir, "--dataset", "--replace")
    assert (code, err) == (0, "")
    assert out.splitlines()[1:] == [
        f"  replaced <{g}> via DELETE + POST (N-Quads): now holds the {n} uploaded triples (server count {n} -> {n})"
        for g, n in sorted(counts.items())
    ]


def test_virtuoso_refuses_a_dataset_upload_and_nothing_is_reported_loaded(virtuoso_server, built_dir: Path) -> None:
    code, out, err = load(virtuoso_server, built_dir, "--dataset", "--append")
    assert (code, out) == (1, "")
    assert err == (
        f"ntrk-kg: error: POST {virtuoso_server.gsp} answered HTTP 200 with an HTML page instead of accepting "
        "the N-Quads: this URL does not take datasets; use the default per-graph layout; nothing was written\n"
    )


def test_a_wrong_password_is_a_one_line_error_with_endpoint_and_status(virtuoso_server, built_dir: Path) -> None:
    code, out, err = load(virtuoso_server, built_dir, "--replace", env={gsp.PASSWORD_ENV: "wrong"})
    assert (code, out) == (1, "")
    first = f"{virtuoso_server.gsp}?{urlencode({'graph': sorted(graph_counts(built_dir))[0]})}"
    assert err == (
        f"ntrk-kg: error: PUT {first} failed: HTTP 401 digest auth failed "
        f"(check {gsp.USER_ENV}/{gsp.PASSWORD_ENV} or the netrc entry for this host); nothing was written\n"
    )


def test_without_credentials_virtuoso_answers_401(virtuoso_server, built_dir: Path) -> None:
    code, out, err = load(virtuoso_server, built_dir, "--append", env={gsp.USER_ENV: "", gsp.PASSWORD_ENV: ""})
    assert (code, out) == (1, "")
    assert err.startswith(f"ntrk-kg: error: POST {virtuoso_server.gsp}?graph=") and " HTTP 401 " in err
    assert err.count("\n") == 1
