"""One stage of the pipeline, timed in its own process: ``python benchmarks/stages.py STAGE DATA WORK``.

Each stage first prepares its input (untimed), then runs the project's real code for that stage
and prints one JSON line: ``seconds`` (wall time of the stage alone), ``peak_rss_mib`` (the
process's peak resident memory, ``VmHWM`` on Linux, read right after the stage: it includes the input
the stage holds) and ``triples`` (quads of the graph).

- ``build``: the whole build as ``ntrk-kg build`` runs it (``kg_build.build.pipeline.build``: every
  format, the rule findings, the rule reasoner, the validation, the store) into ``WORK/out``, with
  the time of each of its stages (``stages``);
- ``build-reason``: the same build with HermiT as the reasoner (``--reasoner hermit``) into
  ``WORK/reasoned``;
- ``rebuild``: the same build into ``WORK/again``; ``identical`` says whether every file it wrote
  is byte-identical to the first build's, ``blank_nodes`` counts blank nodes in its N-Quads;
- ``floor-oxigraph``: pyoxigraph bulk load of the build's N-Quads into an in-memory store;
- ``naive-rdflib``: rdflib parses the same N-Quads and serialises them as N-Quads and Turtle;
- ``validate-pyshacl`` / ``validate-oxigraph``: SHACL validation of the whole graph by pySHACL
  (on an rdflib graph parsed beforehand) and by the project's engine (on the build's store);
- ``queries``: every catalogue query on the build's store, median of 3 runs each.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

from kg_build.build.progress import peak_rss_mib


def _nquads(work: Path) -> Path:
    return work / "out" / "ntrk-kg.nq"


def _count_lines(path: Path) -> int:
    with open(path, "rb") as fh:
        return sum(block.count(b"\n") for block in iter(lambda: fh.read(1 << 20), b""))


def _build(data: Path, out: Path, reasoner: str = "auto") -> dict[str, object]:
    from kg_build.build import pipeline
    from kg_build.build.progress import Progress
    from kg_build.rdf.formats import NAMES

    progress = Progress(show=False)
    t = time.perf_counter()
    result = pipeline.build(out, NAMES, data, reasoner=reasoner, progress=progress)
    seconds = time.perf_counter() - t
    return {"seconds": seconds, "peak_rss_mib": peak_rss_mib(), "triples": sum(result.graphs.values()),
            "stages": progress.stage_times(), "outputs": result.outputs}


def run(stage: str, data: Path, work: Path) -> dict[str, object]:
    """Run ``stage`` on the curated tables in ``data``; artifacts go to ``work``."""
    out: dict[str, object] = {"stage": stage}
    if stage == "build":
        return {**out, **_build(data, work / "out")}
    if stage == "build-reason":
        return {**out, **_build(data, work / "reasoned", reasoner="hermit")}
    if stage == "rebuild":
        import pyoxigraph as ox

        again = _build(data, work / "again")
        first = json.loads((work / "out" / "manifest.json").read_text(encoding="utf-8"))["outputs"]
        with open(work / "again" / "ntrk-kg.nq", "rb") as fh:
            blank = sum(1 for q in ox.parse(fh, format=ox.RdfFormat.N_QUADS)
                        if isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode))
        return {**out, **again, "identical": again["outputs"] == first, "blank_nodes": blank}
    nq = _nquads(work)
    out["triples"] = _count_lines(nq)
    if stage == "floor-oxigraph":
        import pyoxigraph as ox

        t = time.perf_counter()
        s = ox.Store()
        s.bulk_load(path=str(nq), format=ox.RdfFormat.N_QUADS)
    elif stage == "naive-rdflib":
        from rdflib import Dataset, Graph

        t = time.perf_counter()
        ds = Dataset()
        ds.parse(nq, format="nquads")
        ds.serialize(format="nquads", encoding="utf-8")
        union = Graph()
        for s, p, o, _ in ds.quads((None, None, None, None)):
            union.add((s, p, o))
        union.serialize(format="turtle", encoding="utf-8")
    elif stage == "validate-pyshacl":
        from kg_build.rdf.io import load_dataset
        from kg_build.shacl import validation

        ds = load_dataset([nq])
        t = time.perf_counter()
        report = validation.validate(ds, engine="pyshacl")
        out["results"] = len(report.results)
        out["violations"] = len(report.violations)
    elif stage == "validate-oxigraph":
        import pyoxigraph as ox

        from kg_build.shacl.oxigraph import validate_store

        st = ox.Store()
        st.bulk_load(path=str(nq), format=ox.RdfFormat.N_QUADS)
        t = time.perf_counter()
        report = validate_store(st)
        out["results"] = len(report.results)
        out["violations"] = len(report.violations)
    elif stage == "queries":
        from kg_build.query import catalogue
        from kg_build.query import run as query_run
        from kg_build.sparql import engines as query
        from kg_build.sparql.sources import read_only_store as open_store

        engine = query.OxigraphEngine(open_store(work / "out"))
        times: dict[str, float] = {}
        skipped = []
        for q in catalogue.load():
            if "SERVICE" in q.body:
                skipped.append(q.name)  # federated: needs a public endpoint (no network here)
                continue
            bindings = q.bind(q.examples())
            runs = []
            for _ in range(3):
                s = time.perf_counter()
                query_run.run_catalogue_query(engine, q, bindings)
                runs.append(time.perf_counter() - s)
            times[q.name] = statistics.median(runs)
        return {**out, "seconds": sum(times.values()), "peak_rss_mib": peak_rss_mib(),
                "query_median_s": times, "skipped": skipped}
    else:
        raise SystemExit(f"unknown stage {stage!r}")
    out["seconds"] = time.perf_counter() - t
    out["peak_rss_mib"] = peak_rss_mib()
    return out


if __name__ == "__main__":
    stage_, data_, work_ = sys.argv[1:4]
    print(json.dumps(run(stage_, Path(data_), Path(work_))))
