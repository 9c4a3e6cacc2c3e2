"""The benchmark harness works (nothing here is timed): generated data builds, the runner writes its table."""

from __future__ import annotations

import csv
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

from rdflib import RDF

from kg_build.build import pipeline
from kg_build.curation import curated as curation
from kg_build.rdf import iris
from kg_build.rdf.vocab import T

BENCH = Path(__file__).resolve().parent.parent / "benchmarks"


def _generate_module():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("bench_generate", BENCH / "generate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_generated_data_passes_curation_and_builds(tmp_path: Path) -> None:
    gen = _generate_module()
    counts = gen.generate(tmp_path / "data", 3500, seed=0)
    assert (counts.units, counts.genes, counts.fusions, counts.tumour_types, counts.mappings,
            counts.references, counts.prevalence) == (3, 3, 6, 3, 8, 3, 9)
    packaged = curation.load()
    cur, ds = pipeline.assemble(tmp_path / "data")
    grown = {name: len(cur[name]) - len(packaged[name]) for name in
             ("genes", "fusions", "tumour_types", "mappings", "references", "prevalence")}
    assert grown == {"genes": 3, "fusions": 6, "tumour_types": 3, "mappings": 8, "references": 3, "prevalence": 9}
    assert [r["symbol"] for r in cur["genes"][-3:]] == ["SYN00001", "SYN00002", "SYN00003"]
    fusions = set(ds.graph(iris.GUIDE_GRAPH).subjects(RDF.type, T.GeneFusion))
    assert len(fusions) == len(packaged["fusions"]) + 6
    # Same seed, same bytes.
    gen.generate(tmp_path / "again", 3500, seed=0)
    for name in ("genes.tsv", "fusions.tsv", "prevalence.tsv", "mappings.sssom.tsv", "references.tsv"):
        assert (tmp_path / "data" / name).read_bytes() == (tmp_path / "again" / name).read_bytes()


def test_quick_run_writes_csv_and_json(tmp_path: Path) -> None:
    args = ["--quick", "--sizes", "5e3", "--compare-max", "5e3", "--reason-max", "0", "--out", str(tmp_path)]
    proc = subprocess.run([sys.executable, str(BENCH / "run.py"), *args], capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    columns = ["section", "size", "stage", "triples", "runs", "median_s", "triples_per_s", "peak_rss_mib",
               "ratio", "ratio_to", "target", "met"]
    with open(tmp_path / "benchmarks.csv", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == columns
        rows = list(reader)
    guide = [r for r in rows if r["section"] == "guide"]
    assert [r["stage"] for r in guide] == [
        "python -c pass", "import pyoxigraph", "ntrk-kg build --no-reason", "ntrk-kg validate",
        "ntrk-kg query prevalence-by-tumour-type",
    ]
    query = guide[4]
    assert query["ratio_to"] == "import pyoxigraph" and query["target"] == "<= 8x import pyoxigraph"
    assert query["met"] in ("yes", "no")
    assert all(float(r["median_s"]) > 0 for r in guide)
    scale = {r["stage"]: r for r in rows if r["section"] == "scale"}
    stages = [s for s in scale if s.startswith("build: ")]
    assert stages == ["build: " + s for s in ("read", "build", "sort", "load", "rules", "reason", "merge", "validate",
                                               "split", "turtle", "trig", "jsonld", "rdfxml", "store", "manifest",
                                               "write")]
    for name in ("floor-oxigraph", "naive-rdflib", "validate-pyshacl", "validate-oxigraph",
                 "build (whole: every format, rules, reasoning, validation, store)"):
        assert float(scale[name]["median_s"]) > 0, name
    # Not timed: the rebuild is byte-identical without blank nodes, and both SHACL engines agree.
    assert scale["rebuild byte-identical, no blank node"]["met"] == "yes"
    whole = scale["whole build / floor"]
    assert whole["ratio_to"] == "floor-oxigraph" and whole["target"] == "<= 5x floor at 1e6"
    assert whole["met"].startswith(("meets", "misses"))
    assert scale["validate-pyshacl / validate-oxigraph"]["met"].startswith(("meets", "misses"))
    report = json.loads((tmp_path / "benchmarks.json").read_text(encoding="utf-8"))
    assert report["columns"] == columns and len(report["rows"]) == len(rows) and report["repeat"] == 1
    detail = report["scale_details"]["5e3"]
    assert detail["same_validation"] is True
    assert not any(p.name.startswith("ntrk-kg-bench") for p in tmp_path.iterdir())
    assert "ntrk-kg query prevalence-by-tumour-type" in proc.stdout


def test_a_system_error_is_one_paragraph(tmp_path: Path) -> None:
    """A system error (here a file where the output folder should be; a full disk alike) ends the
    run with one paragraph and exit 2, not a traceback."""
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    proc = subprocess.run([sys.executable, str(BENCH / "run.py"), "--quick", "--out", str(blocker / "out")],
                          capture_output=True, text=True, cwd=tmp_path)
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr == (f"benchmarks/run.py: error: {blocker / 'out'}: a file is where a folder should be; "
                           "move the file away or choose another folder\n")
