"""Benchmark ``ntrk-kg diff`` on two synthetic releases, beside ``comm`` on the same sorted files.

    python benchmarks/diff.py [--sizes 1e6,1e7] [--work DIR] [--seed N] [--out DIR]

For each size: synthetic curated data (``benchmarks/generate.py``) is the old release; the new one
is the same data with about 1% of its rows edited (``mutate``: prevalence values changed, mapping
predicates changed, gene names changed, fusions removed and added). Both are built with
``ntrk-kg build --data DIR --out OUT --no-reason --format nquads`` (a build found in ``--work``
for the same data is reused). Then, one new process each, timed with its peak resident memory:

- ``comm -3 OLD NEW`` (``LC_ALL=C``) on the two sorted N-Quads files: the floor, a line set
  difference that knows nothing of entities, graphs or labels;
- ``ntrk-kg diff OLD NEW`` with ``--format markdown``, ``json`` and ``ntriples``.

The table (also ``diff-benchmarks.csv`` and ``.json`` in ``--out``) gives seconds, peak memory and
the ratio to ``comm``, with the load average of the machine before each run.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

COLUMNS = ("size", "old_quads", "new_quads", "changed_lines", "tool", "seconds", "peak_rss_mib",
           "ratio_to_comm", "load_before")
EVERY = 100
"""One synthetic row in this many is edited."""


def _rows(path: Path) -> tuple[list[str], list[list[str]]]:
    """The comment and header lines, and the rows of a TSV table."""
    lines = path.read_text(encoding="utf-8").splitlines()
    n = next(i for i, line in enumerate(lines) if not line.startswith("#"))
    head, rows = lines[: n + 1], [line.split("\t") for line in lines[n + 1 :]]
    return head, rows


def _write(path: Path, head: list[str], rows: list[list[str]]) -> None:
    path.write_text("\n".join(head + ["\t".join(r) for r in rows]) + "\n", encoding="utf-8")


def _every(rows: list[list[str]], synthetic: Callable[[list[str]], bool]) -> list[list[str]]:
    """The first synthetic row and every ``EVERY``-th after it."""
    return [r for r in rows if synthetic(r)][::EVERY]


def mutate(data: Path, seed: int = 0) -> dict[str, int]:
    """Edit one synthetic row in ``EVERY`` of ``data`` in place, the way a curator edits a release.

    Prevalence values move to another value of the same band, mapping predicates change, gene
    names get a suffix, fusions are dropped, and new fusions pair existing synthetic genes with
    another NTRK gene. Returns how many rows of each kind were edited.
    """
    rng = random.Random(seed)
    counts = {"prevalence": 0, "mappings": 0, "genes": 0, "fusions removed": 0, "fusions added": 0}
    head, rows = _rows(data / "prevalence.tsv")
    new_value = {"high": ">95%", "intermediate": "12.5%", "low": "1.5%", "": "2.5%"}
    for r in _every(rows, lambda r: r[1].startswith("synthetic-tumour-")):
        r[8] = new_value[r[7]]
        counts["prevalence"] += 1
    _write(data / "prevalence.tsv", head, rows)
    head, rows = _rows(data / "mappings.sssom.tsv")
    for r in _every(rows, lambda r: r[0].startswith("ntrkkg:tumour-type/synthetic-")):
        r[2] = "skos:closeMatch" if r[2] == "skos:exactMatch" else "skos:exactMatch"
        counts["mappings"] += 1
    _write(data / "mappings.sssom.tsv", head, rows)
    head, rows = _rows(data / "genes.tsv")
    for r in _every(rows, lambda r: r[0].startswith("SYN")):
        r[6] += " (revised)"
        counts["genes"] += 1
    _write(data / "genes.tsv", head, rows)
    head, rows = _rows(data / "fusions.tsv")
    dropped = {id(r) for r in _every(rows, lambda r: r[1].startswith("SYN"))}
    kept, pairs, position = [], set(), {}
    for r in rows:
        position[r[2]] = max(position.get(r[2], 0), int(r[5]))
        if id(r) in dropped:
            counts["fusions removed"] += 1
            continue
        kept.append(r)
        pairs.add((r[1], r[2]))
    genes = sorted({r[1] for r in kept if r[1].startswith("SYN")})
    for symbol in genes[:: EVERY]:
        for ntrk in ("NTRK1", "NTRK2", "NTRK3"):
            if (symbol, ntrk) not in pairs:
                position[ntrk] += 1
                kept.append(["ntrk-guide", symbol, ntrk, "table-2", ntrk[-1],
                             str(position[ntrk]), str(rng.randint(1, 8))])
                counts["fusions added"] += 1
                break
    _write(data / "fusions.tsv", head, kept)
    return counts


def _label(size: float) -> str:
    return f"{size:.0e}".replace("e+0", "e")


def _cli() -> list[str]:
    script = Path(sys.executable).with_name("ntrk-kg")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "kg_build"]


def _recipe(side: str) -> str:
    """The sha256 of the code that makes a side's data (a build made by other code is not reused)."""
    import hashlib
    import inspect

    import generate

    code = inspect.getsource(generate) + (inspect.getsource(_every) + inspect.getsource(mutate) if side == "new" else "")
    return hashlib.sha256(code.encode("utf-8")).hexdigest()


def prepare(size: float, seed: int, work: Path) -> tuple[Path, Path]:
    """The old and new builds of about ``size`` quads (reused when ``work`` holds them already)."""
    from generate import generate

    label = _label(size)
    builds = []
    for side in ("old", "new"):
        data, out = work / f"data-{label}-{side}", work / f"build-{label}-{side}"
        stamp = out / ".benchmark-data"
        wanted = f"{size} {seed} {_recipe(side)}\n"
        if not (stamp.is_file() and stamp.read_text() == wanted and (out / "ntrk-kg.nq").is_file()):
            generate(data, size, seed)
            if side == "new":
                counts = mutate(data, seed)
                print(f"  {label}: edited {counts}", file=sys.stderr, flush=True)
            t = time.perf_counter()
            subprocess.run(_cli() + ["build", "--data", str(data), "--out", str(out), "--no-reason",
                                     "--format", "nquads"], check=True, stdout=subprocess.DEVNULL)
            print(f"  {label}: built {side} in {time.perf_counter() - t:.0f} s", file=sys.stderr, flush=True)
            stamp.write_text(wanted)
        builds.append(out / "ntrk-kg.nq")
    return builds[0], builds[1]


def _child(cmd: list[str]) -> None:
    """Run ``cmd`` with its output discarded; print its wall time and peak memory as JSON."""
    env = {**os.environ, "LC_ALL": "C"}
    t = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    seconds = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_rss_mib": peak, "returncode": proc.returncode,
                      "stderr": proc.stderr.decode("utf-8", "replace")[-2000:]}))


def measure(cmd: list[str], ok: tuple[int, ...] = (0,)) -> dict[str, object]:
    """Time ``cmd`` in a new process of its own (so that its peak memory is its own)."""
    load = os.getloadavg()[0]
    proc = subprocess.run([sys.executable, __file__, "--child", *cmd], capture_output=True, text=True, check=True)
    result = json.loads(proc.stdout)
    if result["returncode"] not in ok:
        raise SystemExit(f"{' '.join(cmd)} failed with exit {result['returncode']}:\n{result['stderr']}")
    return {**result, "load_before": round(load, 2)}


def _count_lines(path: Path) -> int:
    with open(path, "rb") as fh:
        return sum(block.count(b"\n") for block in iter(lambda: fh.read(1 << 20), b""))


def run(sizes: list[float], seed: int, work: Path) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for size in sizes:
        old, new = prepare(size, seed, work)
        label = _label(size)
        changed = subprocess.run(["comm", "-3", str(old), str(new)], capture_output=True, check=True,
                                 env={**os.environ, "LC_ALL": "C"}).stdout.count(b"\n")
        base = {"size": label, "old_quads": _count_lines(old), "new_quads": _count_lines(new),
                "changed_lines": changed}
        comm = measure(["comm", "-3", str(old), str(new)])
        rows.append({**base, "tool": "comm -3", "seconds": round(float(comm["seconds"]), 3),
                     "peak_rss_mib": round(float(comm["peak_rss_mib"]), 1), "ratio_to_comm": 1.0,
                     "load_before": comm["load_before"]})
        print(f"  {label} comm: {float(comm['seconds']):.1f} s", file=sys.stderr, flush=True)
        for fmt in ("markdown", "json", "ntriples"):
            r = measure(_cli() + ["diff", str(old), str(new), "--format", fmt])
            rows.append({**base, "tool": f"ntrk-kg diff --format {fmt}", "seconds": round(float(r["seconds"]), 3),
                         "peak_rss_mib": round(float(r["peak_rss_mib"]), 1),
                         "ratio_to_comm": round(float(r["seconds"]) / float(comm["seconds"]), 1),
                         "load_before": r["load_before"]})
            print(f"  {label} diff {fmt}: {float(r['seconds']):.1f} s", file=sys.stderr, flush=True)
    return rows


def table(rows: list[dict[str, object]]) -> str:
    widths = {c: max(len(c), *(len(str(r[c])) for r in rows)) for c in COLUMNS}
    lines = ["  ".join(c.ljust(widths[c]) for c in COLUMNS), "  ".join("-" * widths[c] for c in COLUMNS)]
    lines += ["  ".join(str(r[c]).ljust(widths[c]) for c in COLUMNS) for r in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    if argv is None and sys.argv[1:2] == ["--child"]:
        _child(sys.argv[2:])
        return
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1e6,1e7", help="comma-separated target sizes in triples")
    ap.add_argument("--work", type=Path, default=None, help="where the data and builds go (reused)")
    ap.add_argument("--out", type=Path, default=None, help="where the CSV and JSON go (default: --work)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    import tempfile

    work = args.work or Path(tempfile.mkdtemp(prefix="ntrk-kg-diff-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    out = args.out or work
    out.mkdir(parents=True, exist_ok=True)
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at the start",
          file=sys.stderr, flush=True)
    rows = run([float(s) for s in args.sizes.split(",")], args.seed, work)
    with open(out / "diff-benchmarks.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    (out / "diff-benchmarks.json").write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")
    print(table(rows))


if __name__ == "__main__":
    main()
