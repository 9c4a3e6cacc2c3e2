"""benchmarks/serve.py works (nothing here is timed): it builds, serves, queries both ways, loads with wrk."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "serve.py"


def test_the_serve_benchmark_writes_its_tables(tmp_path: Path) -> None:
    import os
    import shutil

    import pytest

    if shutil.which("wrk") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("wrk is not installed, and under CI=true this test must run (.ci/install-servers.sh installs it)")
        pytest.skip("wrk is not installed (Debian package 'wrk')")
    done = subprocess.run([sys.executable, str(BENCH), "--sizes", "guide", "--duration", "1", "--connections", "2",
                           "--repeat", "3", "--out", str(tmp_path)], capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads((tmp_path / "serve.json").read_text())
    guide = report["sizes"]["guide"]
    assert [r["query"] for r in guide["queries"]] == ["ntrk-genes", "tumour-types-above-threshold", "statements-about",
                                                       "fusion-partners", "prevalence-by-tumour-type"]
    assert [r["path"] for r in guide["load"]] == ["/api/tumour-types-above-threshold?threshold=80", "/id/fusion/ETV6--NTRK3"]
    assert all(r["errors"] == 0 and r["requests"] > 0 for r in guide["load"])
    assert "in-process p50 ms" in done.stdout and "req/s" in done.stdout and "load average" in done.stdout
