"""Compare reasoners on the same graph: the rule reasoner, HermiT, owlrl and, where installed, reasonable.

    python benchmarks/reasoners.py DATA [DATA ...] [--engines rules,hermit,owlrl,reasonable]

DATA is a folder of curated tables (``kg_build/data``, or ``python benchmarks/generate.py --triples
1e4 --out DATA``). For each, the graph is assembled once (untimed); each engine then runs in its own
process on it and the table gives its time, the new types it infers (the filter of
``kg_build.reasoning.owl.new_types``) and how many differ from HermiT's (or, without Java, from the
rule reasoner's). The floor is the time to bulk-load the same graph into an in-memory pyoxigraph
store, measured in the same run. ``reasonable`` (PyPI, OWL 2 RL in Rust) is optional: when it is not
installed its row says so.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

ENGINES = ("rules", "hermit", "owlrl", "reasonable")


def _assemble(data: Path):  # type: ignore[no-untyped-def]
    from kg_build.build import pipeline

    return pipeline.assemble(data)[1]


def run_engine(engine: str, data: Path) -> dict[str, object]:
    """Run one engine on the graph of ``data``; its time, quads and new types (as text pairs)."""
    from rdflib import RDF, URIRef

    from kg_build.reasoning import engines, owl

    ds = _assemble(data)
    quads = len(ds)
    if engine == "floor":
        import pyoxigraph as ox

        text = ds.serialize(format="nquads", encoding="utf-8")
        t = time.perf_counter()
        ox.Store().bulk_load(text, format=ox.RdfFormat.N_QUADS)
        return {"seconds": time.perf_counter() - t, "quads": quads}
    if engine == "reasonable":
        import reasonable

        g = owl.reasoning_input(ds)
        t = time.perf_counter()
        r = reasonable.PyReasoner()
        r.from_graph(g)
        closed = r.reason()
        entailed = [(s, o) for s, p, o in closed if p == RDF.type and isinstance(s, URIRef) and isinstance(o, URIRef)]
        types = owl.new_types(g, entailed)
        seconds = time.perf_counter() - t
    else:
        t = time.perf_counter()
        types = (engines.reason(ds, "rules") if engine == "rules" else owl.reason(ds, engine)).types
        seconds = time.perf_counter() - t
    return {"seconds": seconds, "quads": quads, "types": sorted(f"{s} {c}" for s, c in types)}


def _child(engine: str, data: Path) -> dict[str, object]:
    proc = subprocess.run([sys.executable, __file__, "--child", engine, str(data)], capture_output=True, text=True)
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else f"exit {proc.returncode}"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _available(engine: str) -> str:
    if engine == "reasonable" and importlib.util.find_spec("reasonable") is None:
        return "not installed (pip install reasonable)"
    if engine == "hermit" and shutil.which("java") is None:
        return "java is not on PATH"
    return ""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("data", nargs="+", type=Path)
    ap.add_argument("--engines", default=",".join(ENGINES))
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(run_engine(args.child, args.data[0])))
        return 0
    print(f"{'data':<28} {'engine':<11} {'quads':>8} {'seconds':>9} {'x floor':>8} {'types':>6} {'differ':>7}  note")
    for data in args.data:
        floor = _child("floor", data)
        results = {}
        for engine in args.engines.split(","):
            note = _available(engine)
            results[engine] = {"note": note} if note else _child(engine, data)
        reference = results.get("hermit") if "types" in results.get("hermit", {}) else results.get("rules", {})
        want = set(reference.get("types", [])) if reference else set()
        for engine, r in results.items():
            if "types" not in r:
                print(f"{str(data):<28} {engine:<11} {'':>8} {'':>9} {'':>8} {'':>6} {'':>7}  {r.get('note') or r.get('error')}")
                continue
            got = set(r["types"])  # type: ignore[arg-type]
            ratio = float(r["seconds"]) / float(floor["seconds"])  # type: ignore[arg-type]
            print(f"{str(data):<28} {engine:<11} {r['quads']:>8} {float(r['seconds']):>9.3f} {ratio:>8.1f} "  # type: ignore[arg-type]
                  f"{len(got):>6} {len(got ^ want):>7}")
        print(f"{str(data):<28} {'floor':<11} {floor['quads']:>8} {float(floor['seconds']):>9.3f}")  # type: ignore[arg-type]
    return 0


if __name__ == "__main__":
    sys.exit(main())
