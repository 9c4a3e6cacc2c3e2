"""``ntrk-kg load --atomic`` into real servers: staging graphs, counted, put in place by one update
request; a server killed during the load keeps its previous graphs (docs/guarantees.md)."""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path

import pytest

from kg_build.build import pipeline
from kg_build.publish import gsp
from kg_build.resources import DATA_DIR

ATOMIC_LINE = {
    "oxigraph": "every graph was uploaded to a staging graph, counted there, and put in place by one SPARQL Update "
                "request; Oxigraph runs an update request as one transaction, so no reader saw some graphs replaced "
                "and others not",
    "virtuoso": "every graph was uploaded to a staging graph, counted there, and put in place by one SPARQL Update "
                "request; Virtuoso does not promise to run an update request as one transaction, so a reader may have "
                "seen some graphs replaced and others not while it ran",
}


def load(cli, server, built_dir: Path, *args: str):  # type: ignore[no-untyped-def]
    """``ntrk-kg load`` of the build into ``server``, with its update endpoint, without credentials."""
    env = {gsp.USER_ENV: "", gsp.PASSWORD_ENV: "", "NETRC": "/nonexistent", **server.env}
    return cli("load", "--out", str(built_dir), *server.load_args(), "--update", server.update, *args, env=env)


def graph_counts(built_dir: Path) -> dict[str, int]:
    return json.loads((built_dir / "manifest.json").read_text())["graphs"]


def contents(server) -> dict[str, set[str]]:
    """Every named graph on the server with its triples (as N-Triples lines), staging graphs included."""
    client = gsp.Client(server.endpoint, server.gsp, gsp.credentials(server.gsp, server.env))
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    import urllib.parse
    resp = client.request("GET", f"{server.endpoint}?{urllib.parse.urlencode({'query': query})}",
                          accept="application/sparql-results+json")
    graphs = [b["g"]["value"] for b in json.loads(resp.body)["results"]["bindings"]]
    out = {}
    for g in graphs:
        body = client.request("GET", f"{server.gsp}?{urllib.parse.urlencode({'graph': g})}", accept="application/n-triples").body
        out[g] = {ln for ln in body.decode("utf-8").splitlines() if ln.strip()}
    return out


@pytest.fixture(scope="module")
def other_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A second build, of the packaged data with one gene's name changed."""
    root = tmp_path_factory.mktemp("other-build")
    data = root / "data"
    shutil.copytree(DATA_DIR, data)
    genes = data / "genes.tsv"
    genes.write_text(genes.read_text().replace("neurotrophic receptor tyrosine kinase 1", "NTRK1 edited", 1))
    pipeline.build(root / "build", ("nquads",), data)
    return root / "build"


def test_an_atomic_load_puts_every_graph_in_place_and_says_what_readers_saw(cli, server, built_dir: Path) -> None:
    counts = graph_counts(built_dir)
    assert load(cli, server, built_dir, "--replace")[0] == 0
    code, out, err = load(cli, server, built_dir, "--replace", "--atomic")
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        f"loaded into {server.gsp} (replace, layout graphs); counts checked at {server.endpoint}",
        *(f"  replaced <{g}> via staging graph + MOVE: now holds the {n} uploaded triples (server count {n} -> {n})"
          for g, n in sorted(counts.items())),
        f"  {ATOMIC_LINE[server.name]}",
    ]
    staging = [g for g in contents(server) if g.startswith(gsp.STAGING_PREFIX)]
    assert staging == []


def test_an_atomic_append_adds_and_leaves_no_staging_graph(cli, oxigraph_server, built_dir: Path) -> None:
    counts = graph_counts(built_dir)
    assert load(cli, oxigraph_server, built_dir, "--replace")[0] == 0
    code, out, err = load(cli, oxigraph_server, built_dir, "--append", "--atomic")
    assert (code, err) == (0, "")
    assert out.splitlines()[1:-1] == [
        f"  appended to <{g}> via staging graph + ADD: no-op, the graph already held all {n} triples (server count {n} -> {n})"
        for g, n in sorted(counts.items())]
    assert [g for g in contents(oxigraph_server) if g.startswith(gsp.STAGING_PREFIX)] == []


def test_atomic_needs_an_update_endpoint(cli, built_dir: Path) -> None:
    result = cli("load", "--out", str(built_dir), "--endpoint", "http://127.0.0.1:9/q", "--atomic")
    assert (result.exit_code, result.stderr) == (2, (
        "ntrk-kg: error: --atomic needs --update URL, the server's SPARQL Update endpoint "
        "(Oxigraph /update, Virtuoso /sparql-auth, Fuseki /ds/update)\n"))


@pytest.mark.parametrize("killed_before_upload", [1, 3, 7])
def test_a_server_killed_during_an_atomic_load_keeps_its_previous_graphs(cli,
    restartable_oxigraph, built_dir: Path, other_build: Path, monkeypatch: pytest.MonkeyPatch, killed_before_upload: int,
) -> None:
    """Killed before the first, third or last staging upload: after a restart the server holds
    exactly the previous load; the next atomic load then succeeds and leaves no staging graph."""
    server = restartable_oxigraph.server
    assert load(cli, server, built_dir, "--replace")[0] == 0
    previous = contents(server)
    assert len(previous) == len(graph_counts(built_dir)) == 7
    uploads = {"n": 0}
    put = gsp.Client.put_graph

    def killing_put(self, graph: str, ntriples: bytes):
        uploads["n"] += 1
        if uploads["n"] == killed_before_upload:
            restartable_oxigraph.kill()
        return put(self, graph, ntriples)

    monkeypatch.setattr(gsp.Client, "put_graph", killing_put)
    code, out, err = load(cli, server, other_build, "--replace", "--atomic", "--retries", "0")
    assert (code, out) == (1, "")
    assert err.startswith(f"ntrk-kg: error: PUT {server.gsp}?graph=urn%3Antrk-kg%3Astaging%3A")
    assert err.endswith("; no graph of the server was changed (the staging graphs are replaced by the next --atomic load)\n")
    monkeypatch.undo()
    restartable_oxigraph.start()
    after = contents(server)
    assert {g: t for g, t in after.items() if not g.startswith(gsp.STAGING_PREFIX)} == previous
    code, out, err = load(cli, server, other_build, "--replace", "--atomic")
    assert (code, err) == (0, "")
    assert sorted(contents(server)) == sorted(graph_counts(other_build))


def test_a_server_killed_while_it_moves_the_graphs_shows_all_old_or_all_new(cli,
    restartable_oxigraph, built_dir: Path, other_build: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Killed the moment the update request is sent: after a restart every graph is the previous
    load's or every graph is the new one's, never some of each."""
    server = restartable_oxigraph.server
    assert load(cli, server, built_dir, "--replace")[0] == 0
    previous = contents(server)
    update = gsp.Client.update

    def killed_update(self, text: str):
        threading.Thread(target=restartable_oxigraph.kill).start()
        return update(self, text)

    monkeypatch.setattr(gsp.Client, "update", killed_update)
    load(cli, server, other_build, "--replace", "--atomic", "--retries", "0")
    monkeypatch.undo()
    restartable_oxigraph.kill()
    restartable_oxigraph.start()
    live = {g: t for g, t in contents(server).items() if not g.startswith(gsp.STAGING_PREFIX)}
    if live != previous:  # the move happened: then every graph is the new build's
        assert load(cli, server, other_build, "--replace")[0] == 0
        assert live == {g: t for g, t in contents(server).items() if not g.startswith(gsp.STAGING_PREFIX)}
