"""Real SPARQL servers for the integration tests: an Oxigraph server and a Virtuoso server.

Each is started once per test session on free loopback ports, with its database and log in a
temporary folder, and stopped at the end. On a machine without the server the tests that need it
skip with the reason; under ``CI=true`` that skip is a failure, because CI installs both
(``.ci/install-servers.sh`` for Virtuoso, the ``test`` extra for Oxigraph).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

STARTUP_SECONDS = 60


def require(available: bool, reason: str) -> None:
    """Skip when a server is missing, except in CI, where a skipped integration test is a failure."""
    if available:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true but {reason}; .ci/install-servers.sh and the test extra must install it", pytrace=False)
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    """A running SPARQL server: its query endpoint, graph store endpoint and credentials."""

    name: str
    endpoint: str
    gsp: str
    env: dict[str, str] = field(default_factory=dict)
    log: Path | None = None

    def load_args(self) -> list[str]:
        return ["--endpoint", self.endpoint, "--gsp", self.gsp]


def _wait_until_up(proc: subprocess.Popen, url: str, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode}; its log:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.3)
    raise RuntimeError(f"the server did not answer {url} within {STARTUP_SECONDS} s; its log:\n{log.read_text()[-3000:]}")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _oxigraph_binary() -> str | None:
    beside = Path(sys.executable).parent / "oxigraph"
    return str(beside) if beside.is_file() else shutil.which("oxigraph")


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``oxigraph serve`` (from the PyPI package ``oxigraph``), queries over the union of graphs."""
    exe = _oxigraph_binary()
    require(exe is not None, "the Oxigraph server is not installed (pip install -e '.[test]' installs it)")
    root = tmp_path_factory.mktemp("oxigraph")
    port, log = free_port(), root / "oxigraph.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(exe), "serve", "--location", str(root / "db"), "--bind", f"127.0.0.1:{port}", "--union-default-graph"],
            stdout=out, stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(proc, f"{base}/query?query=ASK%7B%7D", log)
        yield Server("oxigraph", f"{base}/query", f"{base}/store", log=log)
    finally:
        _stop(proc)


VIRTUOSO_INI = """\
[Database]
DatabaseFile = {db}/virtuoso.db
ErrorLogFile = {db}/virtuoso.log
LockFile = {db}/virtuoso.lck
TransactionFile = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {db}/virtuoso-temp.db
TransactionFile = {db}/virtuoso-temp.trx

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
CheckpointInterval = 0
DirsAllowed = .
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
ThreadsPerQuery = 2

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {db}
ServerThreads = 4
Charset = UTF-8

[SPARQL]
ResultSetMaxRows = 100000
MaxQueryExecutionTime = 60
"""


FEDERATION_GRANTS = ('GRANT SPARQL_SELECT_FED TO "SPARQL"; GRANT SELECT ON DB.DBA.SPARQL_SINV_2 TO "SPARQL"; '
                     'GRANT EXECUTE ON DB.DBA.SPARQL_SINV_IMP TO "SPARQL";')
"""What lets Virtuoso's anonymous /sparql endpoint run SERVICE clauses (docs/stores.md shows it)."""


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``virtuoso-t`` (Debian ``virtuoso-opensource-7-bin``) in the foreground on a fresh database.

    Writes go to ``/sparql-graph-crud-auth`` with digest authentication as the built-in ``dba``
    user (password ``dba`` on a fresh database); queries to ``/sparql``.
    """
    exe = shutil.which("virtuoso-t")
    require(exe is not None, "Virtuoso is not installed (virtuoso-t not on PATH; run .ci/install-servers.sh)")
    root = tmp_path_factory.mktemp("virtuoso")
    http_port, sql_port = free_port(), free_port()
    ini = root / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(db=root, sql_port=sql_port, http_port=http_port))
    log = root / "virtuoso-t.out"
    with log.open("wb") as out:
        proc = subprocess.Popen([str(exe), "+foreground", "+configfile", str(ini)], cwd=root,
                                stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{http_port}"
    try:
        _wait_until_up(proc, f"{base}/sparql?query=ASK%7B%7D", log)
        isql = shutil.which("isql-vt") or shutil.which("isql")
        require(isql is not None, "Virtuoso's isql client is not installed (isql-vt; run .ci/install-servers.sh)")
        subprocess.run([isql, f"127.0.0.1:{sql_port}", "dba", "dba", f"exec={FEDERATION_GRANTS}"],
                       check=True, capture_output=True, timeout=60)
        yield Server("virtuoso", f"{base}/sparql", f"{base}/sparql-graph-crud-auth",
                     env={"NTRK_KG_USER": "dba", "NTRK_KG_PASSWORD": "dba"}, log=log)
    finally:
        _stop(proc)


@pytest.fixture(params=["oxigraph", "virtuoso"])
def server(request: pytest.FixtureRequest) -> Server:
    """Each real server in turn."""
    return request.getfixturevalue(f"{request.param}_server")
