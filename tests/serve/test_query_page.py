"""The query page (YASGUI, served from the package) run in headless Chromium against the server."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from kg_build.query import catalogue


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    if os.environ.get("CI") == "true":
        pytest.fail("chromium is not installed, and under CI=true the browser tests must run (apt-get install chromium)")
    pytest.skip("chromium is not installed (Debian package 'chromium'); the browser tests need it")


def _run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    profile = tmp_path / "profile"
    profile.mkdir(exist_ok=True)
    cmd = [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           f"--user-data-dir={profile}", "--virtual-time-budget=20000", *args]
    return subprocess.run(cmd, capture_output=True, timeout=180, check=False)


def test_the_page_loads_nothing_from_the_network(served, http) -> None:
    status, _, page = http(served.url + "/query")
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.decode())
    assert status == 200 and sources and all(s.startswith("/") for s in sources)
    for source in sources:
        assert http(served.url + source)[0] == 200, source
    js = http(served.url + "/static/yasgui/yasgui.min.js")[2]
    assert len(js) > 500_000


def test_the_editor_has_every_catalogue_query_and_runs_one(served, tmp_path: Path) -> None:
    done = _run(tmp_path, "--dump-dom", f"{served.url}/query?run=ntrk-genes")
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    dom = done.stdout.decode("utf-8")
    tabs = re.findall(r'<a [^>]*role="tab"[^>]*>\s*<span>([a-z0-9-]+)</span>', dom)
    assert tabs == catalogue.names()
    assert "3 results in" in dom
    cells = re.findall(r'<span class="nonIri">(NTRK[123]|TRK[ABC])</span>', dom)
    assert cells == ["NTRK1", "TRKA", "NTRK2", "TRKB", "NTRK3", "TRKC"]


def test_a_screenshot_shows_the_results(served, tmp_path: Path) -> None:
    shot = tmp_path / "query.png"
    done = _run(tmp_path, f"--screenshot={shot}", "--window-size=1280,1000", f"{served.url}/query?run=ntrk-genes")
    assert done.returncode == 0
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and int.from_bytes(data[16:20], "big") == 1280
    assert len(data) > 60_000  # the editor, the tabs and a result table; a blank page is a few kilobytes
