"""Benchmark ``ntrk-kg serve``: catalogue queries over HTTP against the same queries in-process, and wrk load.

    python benchmarks/serve.py [--sizes guide,1e6] [--duration 30] [--connections 16] [--repeat 200] [--out DIR]

For each size (``guide``: the packaged data; ``1e6``: synthetic data from ``benchmarks/generate.py``
built to about 10^6 quads) the script builds the graph, then

- times each query of ``QUERIES`` ``--repeat`` times in-process (``run_catalogue_query`` on the
  store, as ``ntrk-kg query`` runs it; the floor) and over HTTP against ``ntrk-kg serve`` (warm,
  one keep-alive connection, TSV), and prints both medians and their ratio (target: at most 2x);
- runs ``wrk`` (Debian package ``wrk``) from a second process with ``--connections`` connections for
  ``--duration`` seconds on an API query and on an IRI's page, and prints requests/s, p50/p99
  latency, errors (socket errors and non-2xx answers) and the server's memory (main process and
  query workers, resident) before and after.

Every table row carries the machine's load average when it was measured. Writes ``serve.json``
to ``--out`` (default: a new temporary directory).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

HERE = Path(__file__).resolve().parent
QUERIES = {
    "ntrk-genes": {},
    "tumour-types-above-threshold": {"threshold": "80"},
    "statements-about": {"subject": "ETV6::NTRK3"},
    "fusion-partners": {"gene": "NTRK3"},
    "prevalence-by-tumour-type": {},
}
LOAD_PATHS = {"/api/tumour-types-above-threshold?threshold=80": "text/tab-separated-values",
              "/id/fusion/ETV6--NTRK3": "text/html"}


def _cli() -> list[str]:
    script = Path(sys.executable).with_name("ntrk-kg")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "kg_build"]


def build(size: str, work: Path) -> Path:
    """Build the graph of ``size`` (``guide`` or a number of quads) and return its folder (kept from an earlier run)."""
    out = work / f"build-{size}"
    if (out / "manifest.json").is_file():
        return out
    cmd = [*_cli(), "build", "--out", str(out), "--no-reason"]
    if size != "guide":
        data = work / f"data-{size}"
        subprocess.run([sys.executable, str(HERE / "generate.py"), "--triples", size, "--out", str(data)],
                       check=True, stdout=subprocess.DEVNULL)
        cmd += ["--data", str(data)]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return out


def in_process(out: Path, repeat: int) -> dict[str, float]:
    """Median milliseconds of each query run in-process on the build's store (after 5 warm-up runs)."""
    from kg_build.query import catalogue
    from kg_build.query.run import run_catalogue_query
    from kg_build.sparql.sources import engine_for

    engine = engine_for("oxigraph", out)
    times = {}
    for name, values in QUERIES.items():
        q = catalogue.find(name)
        bindings = q.bind(values)
        runs = []
        for i in range(repeat + 5):
            began = time.perf_counter()
            run_catalogue_query(engine, q, bindings)
            if i >= 5:
                runs.append(time.perf_counter() - began)
        times[name] = statistics.median(runs) * 1000
    return times


class Server:
    """``ntrk-kg serve`` on a free port, in its own process."""

    def __init__(self, out: Path, workers: int) -> None:
        self.proc = subprocess.Popen([*_cli(), "serve", "--out", str(out), "--port", "0", "--no-access-log",
                                      "--workers", str(workers)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.proc.stdout.readline()  # type: ignore[union-attr]
        if not line.startswith("serving "):
            raise SystemExit(f"ntrk-kg serve did not start: {line!r}")
        self.url = line.split(" on ", 1)[1].split("/ (", 1)[0]

    def rss_mib(self) -> float:
        """Resident memory of the server and its query workers, MiB."""
        pids = [self.proc.pid] + [int(p) for p in subprocess.run(["pgrep", "-P", str(self.proc.pid)],
                                                                 capture_output=True, text=True).stdout.split()]
        total = 0
        for pid in pids:
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            except OSError:
                pass
        return total / 1024

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


def over_http(url: str, repeat: int) -> dict[str, float]:
    """Median milliseconds of each query through the web API, one keep-alive connection, after 5 warm-ups."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
    times = {}
    for name, values in QUERIES.items():
        path = f"/api/{name}" + (f"?{urlencode(values)}" if values else "")
        runs = []
        for i in range(repeat + 5):
            began = time.perf_counter()
            conn.request("GET", path, headers={"Accept": "text/tab-separated-values"})
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                raise SystemExit(f"{path} answered {response.status}")
            if i >= 5:
                runs.append(time.perf_counter() - began)
        times[name] = statistics.median(runs) * 1000
    conn.close()
    return times


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([0-9.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def load(server: Server, path: str, accept: str, connections: int, duration: int) -> dict[str, object]:
    """wrk on one path: requests/s, p50/p99 latency, errors, and the server's memory before, at peak and after."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("wrk is not installed (Debian package 'wrk')")
    before, peak = server.rss_mib(), [0.0]
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(0.5):
            peak[0] = max(peak[0], server.rss_mib())

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    load_avg = os.getloadavg()[0]
    done = subprocess.run([wrk, "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "30s",
                           "-H", f"Accept: {accept}", server.url + path], capture_output=True, text=True, check=True)
    stop.set()
    sampler.join()
    out = done.stdout
    if "Latency Distribution" not in out:
        raise SystemExit(f"wrk printed no latency distribution:\n{out}")
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", out, re.M))
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"path": path, "requests_per_s": float(re.search(r"Requests/sec:\s+([0-9.]+)", out).group(1)),  # type: ignore[union-attr]
            "requests": int(re.search(r"(\d+) requests in", out).group(1)),  # type: ignore[union-attr]
            "p50_ms": _ms(latency["50"]), "p99_ms": _ms(latency["99"]),
            "errors": errors + (int(non2xx.group(1)) if non2xx else 0),
            "rss_before_mib": round(before, 1), "rss_peak_mib": round(peak[0], 1), "rss_after_mib": round(server.rss_mib(), 1),
            "load_before": round(load_avg, 2)}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="guide,1e6")
    ap.add_argument("--duration", type=int, default=30)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--repeat", type=int, default=200)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args(argv)
    work = args.out or Path(tempfile.mkdtemp(prefix="ntrk-kg-serve-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    report: dict[str, object] = {"cpus": os.cpu_count(), "load_at_start": os.getloadavg(), "sizes": {}}
    print(f"machine: {os.cpu_count()} cores; load average at start {os.getloadavg()[0]:.2f}")
    for size in args.sizes.split(","):
        out = build(size, work)
        quads = sum(1 for _ in open(out / "ntrk-kg.nq", "rb"))
        local = in_process(out, args.repeat)
        server = Server(out, args.workers)
        try:
            remote = over_http(server.url, args.repeat)
            print(f"\n{size} ({quads:,} quads), load average {os.getloadavg()[0]:.2f}")
            print(f"{'query':32} {'in-process p50 ms':>18} {'HTTP p50 ms':>12} {'ratio':>6}  target <= 2x")
            rows = []
            for name in QUERIES:
                ratio = remote[name] / local[name]
                rows.append({"query": name, "in_process_ms": round(local[name], 3), "http_ms": round(remote[name], 3),
                             "ratio": round(ratio, 2), "met": ratio <= 2})
                print(f"{name:32} {local[name]:18.2f} {remote[name]:12.2f} {ratio:6.2f}  {'yes' if ratio <= 2 else 'no'}")
            loads = [load(server, path, accept, args.connections, args.duration) for path, accept in LOAD_PATHS.items()]
            print(f"wrk, {args.connections} connections, {args.duration} s:")
            print(f"{'path':48} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6} {'RSS MiB before/peak/after':>26} {'load':>5}")
            for r in loads:
                print(f"{r['path']:48} {r['requests_per_s']:8.1f} {r['p50_ms']:8.2f} {r['p99_ms']:8.2f} {r['errors']:6} "
                      f"{r['rss_before_mib']:>8}/{r['rss_peak_mib']}/{r['rss_after_mib']} {r['load_before']:5.2f}")
            report["sizes"][size] = {"quads": quads, "queries": rows, "load": loads}  # type: ignore[index]
        finally:
            server.stop()
    (work / "serve.json").write_text(json.dumps(report, indent=1))
    print(f"\nwrote {work / 'serve.json'}")


if __name__ == "__main__":
    main()
