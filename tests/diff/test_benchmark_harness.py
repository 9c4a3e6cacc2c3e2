"""benchmarks/diff.py works end to end on a small graph (nothing here is timed)."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent.parent / "benchmarks" / "diff.py"


def test_quick_run_writes_its_table(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, str(BENCH), "--sizes", "4e3", "--work", str(tmp_path)],
                          capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "4e3: edited {'prevalence': 1, 'mappings': 1, 'genes': 1, 'fusions removed': 1, 'fusions added': 1}" \
        in proc.stderr
    with open(tmp_path / "diff-benchmarks.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["tool"] for r in rows] == ["comm -3", "ntrk-kg diff --format markdown", "ntrk-kg diff --format json",
                                         "ntrk-kg diff --format ntriples"]
    changed = {r["changed_lines"] for r in rows}
    assert len(changed) == 1 and int(changed.pop()) > 0
    assert all(float(r["peak_rss_mib"]) > 0 for r in rows)
    assert all(float(r["seconds"]) > 0 for r in rows[1:])  # one process each, never instantaneous
