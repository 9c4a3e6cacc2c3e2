"""The README's triple-store examples are real: re-run against a real Oxigraph server and compared."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg_build.build import pipeline
from kg_build.cli import main
from kg_build.publish import gsp

README = Path(__file__).resolve().parents[2] / "README.md"
SHOWN_SERVER = "http://127.0.0.1:7878"


def example(command: str) -> list[str]:
    """The lines printed under ``$ <command>`` in a README code block."""
    m = re.search(r"^\$ " + re.escape(command) + r"\n(.*?)^```", README.read_text(encoding="utf-8"), re.S | re.M)
    assert m, f"README has no example for {command!r}"
    return m.group(1).rstrip("\n").splitlines()


def run_shown(command: str, server_url: str, cwd: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.chdir(cwd)
    args = shlex.split(command.replace(SHOWN_SERVER, server_url))[1:]
    result = CliRunner().invoke(main, args, env={gsp.USER_ENV: "", gsp.PASSWORD_ENV: "", "NETRC": "/nonexistent"})
    assert result.exit_code == 0, result.output
    return result.stdout.replace(server_url, SHOWN_SERVER).splitlines()


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    """A folder with a fresh build in ./build, as after the README's first command."""
    pipeline.build(tmp_path / "build")
    return tmp_path


def test_load_and_reload_examples(oxigraph_server, project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = oxigraph_server.endpoint.rsplit("/", 1)[0]
    client = gsp.Client(oxigraph_server.endpoint, oxigraph_server.gsp)
    manifest = json.loads((project / "build" / "manifest.json").read_text())
    for graph in manifest["graphs"]:  # the example starts from an empty server
        client.delete_graph(graph)
    for command in (
        f"ntrk-kg load --endpoint {SHOWN_SERVER}/query --gsp {SHOWN_SERVER}/store --replace",
        f"ntrk-kg load --endpoint {SHOWN_SERVER}/query --gsp {SHOWN_SERVER}/store --append",
    ):
        assert run_shown(command, url, project, monkeypatch) == example(command)


def test_release_example(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert run_shown("ntrk-kg release", "unused", project, monkeypatch) == example("ntrk-kg release")
