"""Compare SHACL engines: the W3C test suite, the project's shape fixtures, speed and peak memory.

    python benchmarks/shacl_engines.py w3c                 # tally per engine on the W3C suites
    python benchmarks/shacl_engines.py fixtures            # the 65 shape fixtures of tests/fixtures/shapes
    python benchmarks/shacl_engines.py speed BUILD [BUILD ...] [--engines a,b]
                                                           # time and peak memory on built graphs

Engines: ``oxigraph`` (the project's shapes compiled to SPARQL, the default), ``pyshacl`` (the
reference, a dependency), and, where installed, ``shacl`` (PyPI ``shacl``), ``pyshacl-turbo`` and
``pyrudof``; a peer that is not installed is skipped with a note. BUILD is an output folder of
``ntrk-kg build`` (make one with ``python benchmarks/generate.py --triples 1e6 --out DATA`` then
``ntrk-kg build --data DATA --out BUILD --no-reason``). Each speed run is its own process, so its
peak resident memory is its own; the table's floor is the time to load the same N-Quads into a
pyoxigraph store, measured in the same run.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import logging
import re
import resource
import subprocess
import sys
import time
import warnings
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SHAPES = ROOT / "ontology" / "shapes.ttl"
FIXTURES = ROOT / "tests" / "fixtures" / "shapes"
ENGINES = ("oxigraph", "pyshacl", "shacl", "pyshacl-turbo", "pyrudof")
MODULES = {"shacl": "shacl", "pyshacl-turbo": "pyshacl_turbo", "pyrudof": "pyrudof"}


def _module(name: str, path: Path):  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def installed(engine: str) -> bool:
    return engine not in MODULES or importlib.util.find_spec(MODULES[engine]) is not None


# ----------------------------------------------------------------------------- engines on rdflib graphs

def _ox_to_rdflib(text: str, fmt: str):  # type: ignore[no-untyped-def]
    """A report in Turtle/N-Triples as an rdflib graph, blank node labels and literals as written."""
    import pyoxigraph as ox
    from rdflib import Graph

    from kg_build.rdf.bridge import to_rdflib

    g = Graph()
    rdf_format = ox.RdfFormat.TURTLE if fmt == "turtle" else ox.RdfFormat.N_TRIPLES
    for q in ox.parse(input=text.encode("utf-8"), format=rdf_format):
        g.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
    return g


def _with_descriptions(report, source):  # type: ignore[no-untyped-def]
    """Add to ``report`` the description, in ``source``, of each blank node it names."""
    from rdflib import BNode

    todo = [n for t in report for n in t if isinstance(n, BNode)]
    seen = set()
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for p, o in source.predicate_objects(node):
            report.add((node, p, o))
            if isinstance(o, BNode):
                todo.append(o)
    return report


def _relabel(g, labels):  # type: ignore[no-untyped-def]
    """``g`` with blank nodes labelled x0, x1 ... (an engine that renumbers them keeps the number)."""
    from rdflib import BNode, Graph

    out = Graph()
    for t in g:
        out.add(tuple(labels.setdefault(n, BNode(f"x{len(labels)}")) if isinstance(n, BNode) else n for n in t))
    return out


def report_graph(engine: str, data, shapes):  # type: ignore[no-untyped-def]
    """The SHACL report graph of ``engine`` on rdflib graphs ``data`` and ``shapes``; raises when it refuses."""
    if engine in ("oxigraph", "pyshacl"):
        from kg_build.shacl import validation

        return validation.validate(data, shapes, engine=engine).graph()
    if engine == "pyshacl-turbo":
        import pyshacl_turbo

        _, g, _ = pyshacl_turbo.validate(data, shacl_graph=shapes, advanced=True, inference="none")
        return _with_descriptions(g, data + shapes)
    labels: dict[object, object] = {}
    dg, sg = _relabel(data, labels), _relabel(shapes, labels)
    if engine == "shacl":
        import shacl

        compiled = shacl.Shapes.from_text(sg.serialize(format="nt"), format="ntriples")
        text = compiled.validate_text(dg.serialize(format="nt"), format="ntriples").turtle
        g = _ox_to_rdflib(re.sub(r"_:\d+_(x\d+)\b", r"_:\1", text), "turtle")
        return _with_descriptions(g, dg + sg)
    if engine == "pyrudof":
        import pyrudof

        rudof = pyrudof.Rudof(pyrudof.RudofConfig())
        rudof.read_data(dg.serialize(format="nt"), format=pyrudof.RDFFormat.NTriples)
        rudof.read_shacl(sg.serialize(format="nt"), format=pyrudof.ShaclFormat.NTriples)
        rudof.validate_shacl()
        text = rudof.serialize_shacl_validation_results(format=pyrudof.ResultShaclValidationFormat.NTriples)
        return _with_descriptions(_ox_to_rdflib(text, "nt"), dg + sg)
    raise ValueError(engine)


# ----------------------------------------------------------------------------- W3C suite

def w3c(engines: list[str]) -> None:
    suite = _module("w3c_suite", ROOT / "tests" / "shacl" / "w3c_suite.py")
    cases = suite.cases()
    print("| engine | core exact | core refused | core wrong | sparql exact | sparql refused | sparql wrong |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for engine in engines:
        if not installed(engine):
            print(f"| {engine} | not installed: skipped |  |  |  |  |  |")
            continue
        verdicts = {}
        for case in cases:
            data, shapes = suite.parse(case.data), suite.parse(case.shapes)
            try:
                g = report_graph(engine, data, shapes)
            except Exception:
                verdicts[case.name] = suite.EXACT if case.expected is None else suite.REFUSED
                continue
            if case.expected is None:
                verdicts[case.name] = suite.WRONG
            else:
                try:
                    verdicts[case.name] = suite.EXACT if suite.matches(case, g) else suite.WRONG
                except AssertionError:
                    verdicts[case.name] = suite.WRONG
        counts = {s: Counter(v for n, v in verdicts.items() if n.startswith(s + "/")) for s in ("core", "sparql")}
        cells = [str(counts[s][v]) for s in ("core", "sparql") for v in (suite.EXACT, suite.REFUSED, suite.WRONG)]
        print(f"| {engine} | " + " | ".join(cells) + " |")


# ----------------------------------------------------------------------------- the project's fixtures

def fixtures(engines: list[str], build: Path) -> None:
    """Each fixture added to the built graph: exactly the results it expects (``# expect:`` lines)
    on the nodes it describes (none for a valid fixture), and elsewhere only the build's own."""
    from rdflib import Dataset, Graph
    from rdflib.namespace import SH

    from kg_build.shacl import validation

    shape_tests = _module("shape_tests", ROOT / "tests" / "shacl" / "test_shapes.py")
    with validation.literals_as_written():
        ds = Dataset()
        ds.parse(build / "ntrk-kg.nq", format="nquads")
        base = validation.union(ds)
        shapes = Graph().parse(SHAPES, format="turtle")
    paths = sorted((FIXTURES / "invalid").glob("*.ttl")) + sorted((FIXTURES / "valid").glob("*.ttl"))
    print(f"{len(paths)} fixtures")
    print("| engine | fixtures right | seconds |")
    print("|---|---:|---:|")
    for engine in engines:
        if not installed(engine):
            print(f"| {engine} | not installed: skipped |  |")
            continue
        right, start = 0, time.perf_counter()

        def keys(report):  # type: ignore[no-untyped-def]
            return {(report.value(r, SH.focusNode), report.value(r, SH.sourceShape),
                     report.value(r, SH.sourceConstraintComponent)) for r in report.objects(None, SH.result)}

        try:
            baseline = keys(report_graph(engine, base, shapes))
        except Exception as exc:
            print(f"| {engine} | refuses the shapes: {' '.join(str(exc).split())[:90]} |  |")
            continue
        for path in paths:
            g, fixture = Graph(), Graph()
            for t in base:
                g.add(t)
            with validation.literals_as_written():
                fixture.parse(path, format="turtle")
            for t in fixture:
                g.add(t)
            described = set(fixture.subjects())
            try:
                report = report_graph(engine, g, shapes)
            except Exception:
                continue
            expected = shape_tests.expectations(path) if path.parent.name == "invalid" else set()
            found = keys(report)
            ok = {k for k in found if k[0] in described} == expected and {
                k for k in found if k[0] not in described} <= baseline
            right += ok
            if not ok:
                print(f"  {engine}: {path.parent.name}/{path.name} differs", file=sys.stderr)
        print(f"| {engine} | {right}/{len(paths)} | {time.perf_counter() - start:.1f} |")


# ----------------------------------------------------------------------------- speed and memory

def _one_run(engine: str, build: str) -> None:
    """Run in a child process: validate ``build`` with ``engine``; print seconds and results as JSON."""
    logging.disable(logging.CRITICAL)
    warnings.simplefilter("ignore")
    nq = Path(build) / "ntrk-kg.nq"
    start = time.perf_counter()
    if engine == "load":
        import pyoxigraph as ox

        ox.Store().bulk_load(path=str(nq), format=ox.RdfFormat.N_QUADS)
        results = 0
    elif engine == "oxigraph":
        from kg_build.shacl import oxigraph

        results = len(oxigraph.validate_nquads(nq).results)
    elif engine == "shacl":
        import shacl

        results = len(shacl.Shapes.from_file(str(SHAPES)).validate_file(str(nq), allow_warnings=True).results)
    elif engine == "pyrudof":
        import pyrudof

        rudof = pyrudof.Rudof(pyrudof.RudofConfig())
        rudof.read_data(str(nq), format=pyrudof.RDFFormat.NQuads)
        rudof.read_shacl(str(SHAPES), format=pyrudof.ShaclFormat.Turtle)
        results = len(rudof.validate_shacl())
    else:
        from rdflib import Dataset

        from kg_build.shacl import validation

        ds = Dataset()
        ds.parse(nq, format="nquads")
        if engine == "pyshacl":
            results = len(validation.validate(ds, engine="pyshacl").results)
        else:
            import pyshacl_turbo

            _, g, _ = pyshacl_turbo.validate(validation.union(ds), shacl_graph=validation.load_shapes(),
                                             advanced=True, inference="none", allow_warnings=True)
            from rdflib.namespace import SH

            results = len(set(g.objects(None, SH.result)))
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mb": peak, "results": results}))


def speed(builds: list[str], engines: list[str], timeout: float) -> None:
    print("| quads | engine | seconds | x floor | peak MB | results |")
    print("|---:|---|---:|---:|---:|---:|")
    for build in builds:
        quads = sum(json.loads((Path(build) / "manifest.json").read_text())["graphs"].values())
        floor = None
        for engine in ["load", *engines]:
            if not installed(engine):
                print(f"| {quads:,} | {engine} | not installed: skipped |  |  |  |")
                continue
            try:
                out = subprocess.run([sys.executable, __file__, "_run", engine, build], capture_output=True,
                                     text=True, timeout=timeout, check=True).stdout
                row = json.loads(out.strip().splitlines()[-1])
            except subprocess.TimeoutExpired:
                print(f"| {quads:,} | {engine} | over {timeout:.0f} s: stopped |  |  |  |")
                continue
            except subprocess.CalledProcessError as exc:
                print(f"| {quads:,} | {engine} | failed: {exc.stderr.strip().splitlines()[-1][:80]} |  |  |  |")
                continue
            if engine == "load":
                floor = row["seconds"]
            ratio = f"{row['seconds'] / floor:.1f}" if floor else ""
            print(f"| {quads:,} | {engine} | {row['seconds']:.2f} | {ratio} | {row['peak_mb']:.0f} | {row['results']} |",
                  flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=("w3c", "fixtures", "speed", "_run"))
    parser.add_argument("builds", nargs="*")
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds one speed run may take")
    args = parser.parse_args()
    engines = [e for e in args.engines.split(",") if e]
    sys.path.insert(0, str(ROOT))
    if args.what == "_run":
        _one_run(args.builds[0], args.builds[1])
    elif args.what == "w3c":
        logging.disable(logging.CRITICAL)
        warnings.simplefilter("ignore")
        w3c(engines)
    elif args.what == "fixtures":
        logging.disable(logging.CRITICAL)
        warnings.simplefilter("ignore")
        fixtures(engines, Path(args.builds[0]))
    else:
        speed(args.builds, engines, args.timeout)


if __name__ == "__main__":
    main()
