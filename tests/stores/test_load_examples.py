"""The examples of docs/stores.md are real: ``ntrk-kg load`` re-run against a real Oxigraph server,
and ``ntrk-kg release``, each compared with what the page shows."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest

from kg_build.build import pipeline
from kg_build.publish import gsp

SHOWN_SERVER = "http://127.0.0.1:7878"
NO_CREDENTIALS = {gsp.USER_ENV: "", gsp.PASSWORD_ENV: "", "NETRC": "/nonexistent"}


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    """A folder with a fresh build in ./build, as after the README's first command."""
    pipeline.build(tmp_path / "build")
    return tmp_path


def run_shown(cli, command: str, server_url: str, cwd: Path) -> list[str]:  # type: ignore[no-untyped-def]
    """The output of a command the page shows, run against ``server_url`` and written as the page writes it."""
    result = cli(*shlex.split(command.replace(SHOWN_SERVER, server_url))[1:], env=NO_CREDENTIALS, cwd=cwd)
    assert result.exit_code == 0, result.output
    return result.stdout.replace(server_url, SHOWN_SERVER).splitlines()


def test_load_and_reload_examples(docs, cli, oxigraph_server, project: Path) -> None:
    url = oxigraph_server.endpoint.rsplit("/", 1)[0]
    client = gsp.Client(oxigraph_server.endpoint, oxigraph_server.gsp)
    manifest = json.loads((project / "build" / "manifest.json").read_text())
    for graph in manifest["graphs"]:  # the example starts from an empty server
        client.delete_graph(graph)
    for command in (
        f"ntrk-kg load --endpoint {SHOWN_SERVER}/query --gsp {SHOWN_SERVER}/store --replace",
        f"ntrk-kg load --endpoint {SHOWN_SERVER}/query --gsp {SHOWN_SERVER}/store --append",
    ):
        assert run_shown(cli, command, url, project) == docs.example("stores.md", command)


def test_release_example(docs, cli, project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert run_shown(cli, "ntrk-kg release", "unused", project) == docs.example("stores.md", "ntrk-kg release")
