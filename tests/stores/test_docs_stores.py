"""docs/stores.md is real: its server example runs against a real Oxigraph server, and the Virtuoso
grants it shows are the ones the tests' Virtuoso runs."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from tests.docs.test_examples import SERVER, console_examples, matches
from tests.stores.conftest import FEDERATION_GRANTS

DOC = Path(__file__).resolve().parents[2] / "docs" / "stores.md"


def test_the_grants_shown_are_the_ones_the_tests_run() -> None:
    shown = re.search(r"^```sql\n(.*?)\n```", DOC.read_text(encoding="utf-8"), re.S | re.M)
    assert shown and shown.group(1) == FEDERATION_GRANTS


@pytest.mark.parametrize(("doc", "command", "shown"), [e for e in console_examples() if SERVER in e[1]],
                         ids=lambda v: str(v)[:60])
def test_server_example(cli, doc: str, command: str, shown: list[str], oxigraph_server, built_dir: Path,
                        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    base = oxigraph_server.endpoint.rsplit("/", 1)[0]
    load = cli("load", "--out", str(built_dir), *oxigraph_server.load_args(), "--replace",
               env={"NETRC": "/nonexistent"})
    assert load.exit_code == 0, load.output
    release = cli("release", "--out", str(built_dir), "--release-dir", str(tmp_path / "build" / "release"))
    assert release.exit_code == 0, release.output
    monkeypatch.chdir(tmp_path)
    result = cli(*shlex.split(command.replace(SERVER, base))[1:])
    assert result.exit_code == 0, result.output
    assert matches(shown, result.output.replace(base, SERVER).rstrip("\n").splitlines()), result.output
