"""One stage of the pipeline, timed in its own process: ``python benchmarks/stages.py STAGE DATA WORK``.

Each stage first prepares its input (untimed), then runs the project's real code for that stage
once and prints one JSON line: ``seconds`` (wall time of the stage alone), ``peak_rss_mib`` (the
process's peak resident memory, ``ru_maxrss``, read right after the stage: it includes the input
the stage holds, e.g. the parsed graph validation runs on) and ``triples``.

The ``build`` stage writes ``WORK/graph.nq`` (the real N-Quads export); later stages read it.
"""

from __future__ import annotations

import json
import resource
import statistics
import sys
import time
from pathlib import Path


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _dataset(work: Path):  # type: ignore[no-untyped-def]
    from kg_build.rdfio import load_dataset

    return load_dataset([work / "graph.nq"])


def run(stage: str, data: Path, work: Path) -> dict[str, object]:
    """Run ``stage`` on the curated tables in ``data``; artifacts go to ``work``."""
    from kg_build import curation, export

    out: dict[str, object] = {"stage": stage}
    if stage == "curation":
        t = time.perf_counter()
        curation.load(data)
    elif stage == "build":
        from kg_build import pipeline

        t = time.perf_counter()
        _, ds = pipeline.assemble(data)  # load + build_dataset + rule findings + vocabulary/bnode checks
        seconds, rss = time.perf_counter() - t, _rss_mib()
        (work / "graph.nq").write_bytes(export.serialise(ds, "nquads"))
        return {**out, "seconds": seconds, "peak_rss_mib": rss, "triples": len(ds)}
    elif stage == "validate":
        from kg_build import pipeline

        ds = _dataset(work)
        out["triples"] = len(ds)
        t = time.perf_counter()
        pipeline.check_shapes(ds)
    elif stage == "validate-oxigraph":
        import pyoxigraph as ox

        from kg_build import shacl_oxigraph

        store = ox.Store()
        store.bulk_load(path=str(work / "graph.nq"), format=ox.RdfFormat.N_QUADS)
        t = time.perf_counter()
        report = shacl_oxigraph.validate_store(store)  # the shapes compiled to SPARQL, on the store
        out["triples"] = report.triples
        out["violations"] = len(report.violations)
    elif stage in ("export-nquads", "export-turtle"):
        ds = _dataset(work)
        out["triples"] = len(ds)
        t = time.perf_counter()
        out["bytes"] = len(export.serialise(ds, stage.split("-")[1]))
    elif stage == "store-load":
        from kg_build import store

        nq = (work / "graph.nq").read_bytes()
        t = time.perf_counter()
        staged = store.StagedStore(work / "out", nq)
        staged.commit()
    elif stage == "queries":
        from kg_build import catalogue, params, query

        engine = query.OxigraphEngine(query.open_store(work / "out"))
        out["triples"] = len(engine.store)
        times: dict[str, float] = {}
        skipped = []
        t = time.perf_counter()
        for q in catalogue.load():
            if "SERVICE" in q.body:
                skipped.append(q.name)  # federated: needs a public endpoint (no network here)
                continue
            bindings = params.bind(q, q.examples())
            runs = []
            for _ in range(3):
                s = time.perf_counter()
                query.run_catalogue_query(engine, q, bindings)
                runs.append(time.perf_counter() - s)
            times[q.name] = statistics.median(runs)
        out["seconds"] = sum(times.values())  # one run of each query (the median of 3)
        out["peak_rss_mib"] = _rss_mib()
        out["query_median_s"] = times
        out["skipped"] = skipped
        return out
    elif stage == "floor-oxigraph":
        import pyoxigraph as ox

        nq = (work / "graph.nq").read_bytes()
        t = time.perf_counter()
        s = ox.Store()
        s.bulk_load(nq, format=ox.RdfFormat.N_QUADS)
        out["triples"] = len(s)
    elif stage == "naive-rdflib":
        from rdflib import Dataset

        nq = (work / "graph.nq").read_bytes()
        t = time.perf_counter()
        ds = Dataset()
        ds.parse(data=nq, format="nquads")
        ds.serialize(format="nquads")
        out["triples"] = len(ds)
    else:
        raise SystemExit(f"unknown stage {stage!r}")
    out["seconds"] = time.perf_counter() - t
    out["peak_rss_mib"] = _rss_mib()
    return out


if __name__ == "__main__":
    stage_, data_, work_ = sys.argv[1:4]
    print(json.dumps(run(stage_, Path(data_), Path(work_))))
