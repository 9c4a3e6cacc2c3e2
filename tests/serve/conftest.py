"""``ntrk-kg serve`` started for real, as a user starts it, on a free port of 127.0.0.1."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

READY_SECONDS = 120


class Served:
    """A running ``ntrk-kg serve``: its base URL and its process (stderr kept for the tests)."""

    def __init__(self, *args: str) -> None:
        cmd = [sys.executable, "-m", "kg_build", "serve", "--port", "0", "--no-access-log", *args]
        self.process = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.stderr: list[str] = []
        threading.Thread(target=lambda: self.stderr.extend(self.process.stderr), daemon=True).start()  # type: ignore[arg-type]
        line = self._first_line()
        if not line.startswith("serving "):
            self.stop()
            raise RuntimeError(f"ntrk-kg serve did not start: {line!r} {''.join(self.stderr)[-3000:]}")
        self.url = line.split(" on ", 1)[1].split("/ (", 1)[0]

    def _first_line(self) -> str:
        box: list[str] = []
        reader = threading.Thread(target=lambda: box.append(self.process.stdout.readline()), daemon=True)  # type: ignore[union-attr]
        reader.start()
        reader.join(READY_SECONDS)
        return box[0] if box else ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def get(url: str, accept: str | None = None, data: bytes | None = None, content_type: str | None = None,
        method: str | None = None) -> tuple[int, dict[str, str], bytes]:
    """``(status, headers, body)`` of one request, following no redirect."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    headers = {}
    if accept:
        headers["Accept"] = accept
    if content_type:
        headers["Content-Type"] = content_type
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=60) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read()


@pytest.fixture(scope="session")
def served(built_dir: Path) -> Iterator[Served]:
    """The server over the build of the packaged data, with the default limits but a 3 s timeout."""
    server = Served("--out", str(built_dir), "--timeout", "3", "--max-rows", "5000", "--max-request-bytes", "65536")
    yield server
    server.stop()


def require_tool(name: str, package: str) -> str:
    """The path of a program the test needs; skipped without it, except under CI=true."""
    found = shutil.which(name)
    if found:
        return found
    if os.environ.get("CI") == "true":
        pytest.fail(f"{name} is not installed, and under CI=true this test must run (apt-get install {package})")
    pytest.skip(f"{name} is not installed (Debian package '{package}')")


@pytest.fixture(scope="session")
def http():  # type: ignore[no-untyped-def]
    """``http(url, accept=None, data=None, content_type=None, method=None) -> (status, headers, body)``."""
    return get


@pytest.fixture()
def start_server() -> Iterator:  # type: ignore[type-arg]
    """``start_server(*args)``: a further ``ntrk-kg serve`` with these options, stopped after the test."""
    started: list[Served] = []

    def start(*args: str) -> Served:
        server = Served(*args)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
