"""The W3C SHACL test suites (core and SHACL-SPARQL), run through ``ntrk-kg validate DATA --shapes SHAPES``.

Each test gives the expected report (``sh:conforms`` and the multiset of results), or is refused
with exit status 2 and one line naming what is not supported, the same line with no data at all
(a refusal never depends on the data). A test the suite says must fail has to be refused. Never a
silently wrong report, never a traceback. The tally is printed (``pytest -s``)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph

from kg_build.cli import main

HERE = Path(__file__).parent


def _suite():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("w3c_suite", HERE / "w3c_suite.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["w3c_suite"] = module
    spec.loader.exec_module(module)
    return module


W = _suite()
CASES = W.cases()


def run(case, engine: str, unrelated: Path) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """The verdict on one test through the command line, and why."""
    runner = CliRunner()
    args = ["validate", str(case.data), "--shapes", str(case.shapes), "--format", "turtle", "--engine", engine]
    result = runner.invoke(main, args)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        return W.CRASH, repr(result.exception)
    if result.exit_code == 2:
        message = result.stderr.strip()
        if "\n" in message or not message.startswith("ntrk-kg: error: "):
            return W.CRASH, f"not one clear line: {message!r}"
        again = runner.invoke(main, ["validate", str(unrelated), "--shapes", str(case.shapes), "--engine", engine])
        if again.exit_code != 2 or again.stderr.strip() != message:
            return W.CRASH, f"the refusal depends on the data: {message!r}"
        return (W.EXACT if case.expected is None else W.REFUSED), message
    if case.expected is None:
        return W.WRONG, "gave a report where the suite expects a failure"
    report = W.parse_text(result.stdout)
    if not W.matches(case, report):
        return W.WRONG, W.differences(case, report)
    violations = any(True for _ in report.objects(None, W.SH.resultSeverity) if _ == W.SH.Violation)
    if result.exit_code != (1 if violations else 0):
        return W.WRONG, f"exit status {result.exit_code}"
    return W.EXACT, ""


@pytest.fixture(scope="module")
def unrelated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Data no shape of the suite reaches: a refusal given for it does not depend on the data."""
    path = tmp_path_factory.mktemp("w3c") / "unrelated.nt"
    path.write_text("<urn:x:s> <urn:x:p> <urn:x:o> .\n", encoding="utf-8")
    return path


def verdicts(engine: str, unrelated: Path) -> dict[str, tuple[str, str]]:
    out = {case.name: run(case, engine, unrelated) for case in CASES}
    print(f"\nW3C SHACL test suite through ntrk-kg validate --engine {engine}")
    print(W.tally({name: v for name, (v, _) in out.items()}))
    return out


def test_the_suite_is_complete() -> None:
    assert (sum(c.suite == "core" for c in CASES), sum(c.suite == "sparql" for c in CASES)) == (98, 22)


def test_default_engine(unrelated: Path) -> None:
    found = verdicts("oxigraph", unrelated)
    bad = {n: why for n, (v, why) in found.items() if v in (W.WRONG, W.CRASH)}
    assert bad == {}
    assert [n for n, (v, _) in found.items() if n.startswith("core/") and v != W.EXACT] == []
    refused = sorted(n for n, (v, _) in found.items() if v == W.REFUSED)
    assert refused == [
        "sparql/component/optional-001", "sparql/component/propertyValidator-select-001",
        "sparql/component/validator-001", "sparql/pre-binding/pre-binding-007", "sparql/pre-binding/shapesGraph-001",
    ]
    must_fail = [c.name for c in CASES if c.expected is None]
    assert must_fail and all(found[n][0] == W.EXACT for n in must_fail)


@pytest.mark.parametrize("form", ["join", "lateral", "merged"])
def test_every_check_in_each_form(form: str, unrelated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The default engine picks each check's form from the store's counts and merges the checks of
    the same focus nodes that test them one by one into one query; forced to one form for every
    check (SPARQL-based constraints included), it gives the same verdict on every test: each check
    alone as a plain join, each alone in its ``LATERAL`` form, or every check merged with the
    others of its focus nodes."""
    from kg_build.shacl import oxigraph as engine

    ran: list[str] = []

    def forced(store, checks, pool=None):  # type: ignore[no-untyped-def]
        forms = [engine.forms_of(c) for c in checks]
        chosen = [f.join if form == "join" or f.lateral is None else f.lateral for f in forms]
        ran.extend(c.kind for c in chosen if "LATERAL" in c.query)
        return chosen

    def merged(store, sg, batch):  # type: ignore[no-untyped-def]
        ran.extend(c.kind for c in batch.checks if batch.tag)
        return run_batch(store, sg, batch)

    run_batch = engine.run_batch
    if form == "merged":
        monkeypatch.setattr(engine, "MERGE_AT", 1)
        monkeypatch.setattr(engine, "SPREAD_LONE_GROUP", False)
        monkeypatch.setattr(engine, "choose_forms", lambda store, checks, pool=None: [
            engine.forms_of(c).lateral or c for c in checks])
        monkeypatch.setattr(engine, "run_batch", merged)
    else:
        monkeypatch.setattr(engine, "MERGE_AT", 10**9)
        monkeypatch.setattr(engine, "choose_forms", forced)
    found = {case.name: run(case, "oxigraph", unrelated)[0] for case in CASES}
    monkeypatch.undo()
    assert found == {case.name: run(case, "oxigraph", unrelated)[0] for case in CASES}
    if form == "join":
        assert ran == []
    else:  # every check with a LATERAL form ran in it, or merged: SPARQL-based constraints too
        assert (ran.count("sparql"), len(ran)) == (10, 220)


def test_pyshacl_engine(unrelated: Path) -> None:
    """pySHACL, the cross-check: its one known wrong report is uniqueLang with "1"^^xsd:boolean, and
    it refuses the forbidden ``AS ?value`` only when some data reaches that constraint."""
    found = verdicts("pyshacl", unrelated)
    assert {n: why for n, (v, why) in found.items() if v == W.CRASH} == {
        "sparql/pre-binding/unsupported-sparql-006": "the refusal depends on the data: 'ntrk-kg: error: the shapes "
        "could not be applied: Cannot use AS to re-bind potentially pre-bound variables such as value'",
    }
    assert {n for n, (v, _) in found.items() if v == W.WRONG} == {"core/property/uniqueLang-002"}
    assert {n for n, (v, _) in found.items() if v == W.REFUSED} == {
        "sparql/node/prefixes-001", "sparql/pre-binding/shapesGraph-001",
    }


def test_a_refusal_names_the_feature(unrelated: Path) -> None:
    case = next(c for c in CASES if c.name == "sparql/component/validator-001")
    verdict, message = run(case, "oxigraph", unrelated)
    assert verdict == W.REFUSED
    assert message == (
        "ntrk-kg: error: shape <http://datashapes.org/sh/tests/sparql/component/validator-001.test#TestShape> uses "
        "the constraint component <http://datashapes.org/sh/tests/sparql/component/validator-001.test#TestConstraintComponent> "
        "(SHACL-SPARQL custom components are not supported by the SPARQL compiler; use --engine pyshacl)"
    )


def test_report_graph_parses(unrelated: Path) -> None:
    assert isinstance(W.parse_text("@prefix sh: <http://www.w3.org/ns/shacl#> .\n[] a sh:ValidationReport ; sh:conforms true ."), Graph)
