"""``ntrk-kg validate`` and the validation step of ``ntrk-kg build``, run in process as a user would."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from rdflib import RDF, Dataset, Graph
from rdflib.namespace import SH

from kg_build.cli import main
from kg_build.rdf.iris import ONTOLOGY_GRAPH

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "shapes"
STATEMENT = "https://w3id.org/ntrk-kg/id/guide/ntrk-guide/statement/"
CMN = "ntrkkg:guide/ntrk-guide/statement/prevalence-congenital-mesoblastic-nephroma"
PTC = "ntrkkg:guide/ntrk-guide/statement/prevalence-papillary-thyroid-cancer-pediatric"


def run(*args: str):
    result = CliRunner().invoke(main, list(args))
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result


def test_the_build_conforms_with_its_two_warnings(built_dir: Path) -> None:
    result = run("validate", "--out", str(built_dir))
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("The graph conforms: 0 violations, 2 warnings (")
    assert "Warning: value inside its band [ntrksh:BandConsistencyShape], 2 nodes" in lines
    assert [ln.strip() for ln in lines if ln.startswith("  ntrkkg:")] == [CMN, PTC]
    assert '    - value ">83%"; check sh:SPARQLConstraintComponent' in lines
    assert '    - value "~26%"; check sh:SPARQLConstraintComponent' in lines


def test_readme_shows_the_real_report(built_dir: Path) -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    result = run("validate", "--out", str(built_dir))
    assert "$ ntrk-kg validate\n" + result.stdout + "```" in readme


def test_json_report(built_dir: Path) -> None:
    result = run("validate", "--out", str(built_dir), "--format", "json")
    assert result.exit_code == 0
    body = json.loads(result.stdout)
    assert (body["conforms"], body["violations"], body["warnings"]) == (True, 0, 2)
    assert [(r["severity"], r["focus_node"], r["value"]) for r in body["results"]] == [
        ("Warning", STATEMENT + "prevalence-congenital-mesoblastic-nephroma",
         {"@value": ">83%", "@type": "http://www.w3.org/2001/XMLSchema#string"}),
        ("Warning", STATEMENT + "prevalence-papillary-thyroid-cancer-pediatric",
         {"@value": "~26%", "@type": "http://www.w3.org/2001/XMLSchema#string"}),
    ]


def test_turtle_report_is_the_shacl_report_graph(built_dir: Path) -> None:
    result = run("validate", "--out", str(built_dir), "--format", "turtle")
    assert result.exit_code == 0
    g = Graph().parse(data=result.stdout, format="turtle")
    report = g.value(None, RDF.type, SH.ValidationReport, any=False)
    assert g.value(report, SH.conforms).toPython() is True
    focus = sorted(str(g.value(r, SH.focusNode)) for r in g.objects(report, SH.result))
    assert focus == [
        STATEMENT + "prevalence-congenital-mesoblastic-nephroma",
        STATEMENT + "prevalence-papillary-thyroid-cancer-pediatric",
    ]
    assert {g.value(r, SH.resultSeverity) for r in g.objects(report, SH.result)} == {SH.Warning}


def test_every_export_format_validates(built_dir: Path) -> None:
    for name in ("ntrk-kg.ttl", "ntrk-kg.nt", "ntrk-kg.trig", "ntrk-kg.jsonld", "ntrk-kg.rdf"):
        result = run("validate", str(built_dir / name), "--format", "json")
        assert result.exit_code == 0, name
        assert json.loads(result.stdout)["warnings"] == 2, name


def test_files_without_the_ontology_get_the_packaged_one(built_dir: Path, tmp_path: Path) -> None:
    ds = Dataset()
    ds.parse(built_dir / "ntrk-kg.nq", format="nquads")
    data = Graph()
    for s, p, o, g in ds.quads((None, None, None, None)):
        if g != ONTOLOGY_GRAPH:
            data.add((s, p, o))
    path = tmp_path / "data-only.nt"
    data.serialize(path, format="nt")
    result = run("validate", str(path))
    assert result.exit_code == 0
    assert result.stdout.startswith("The graph conforms: 0 violations, 2 warnings (")


def test_an_extension_written_by_hand_conforms_with_the_build(built_dir: Path) -> None:
    result = run("validate", str(built_dir / "ntrk-kg.nq"), str(FIXTURES / "valid" / "new-fusion.ttl"))
    assert result.exit_code == 0
    assert "0 violations, 2 warnings" in result.stdout.splitlines()[0]


def test_a_non_conforming_file_exits_1_with_a_readable_report(built_dir: Path) -> None:
    bad = FIXTURES / "invalid" / "missing-three-prime-partner.ttl"
    result = run("validate", str(built_dir / "ntrk-kg.nq"), str(bad))
    assert result.exit_code == 1
    out = result.stdout.splitlines()
    assert out[0].startswith("The graph does not conform: 1 violation, 2 warnings (")
    i = out.index("Violation: fusion partners [ntrksh:FusionPartnersShape], 1 node")
    assert out[i + 1:i + 5] == [
        "  rule: A gene fusion has exactly one 5' partner and exactly one 3' partner, and they are different genes.",
        "  ntrkkg:fusion/ETV6--NTRK1",
        "    - check sh:SPARQLConstraintComponent",
        "      It has no 3' partner; a fusion needs exactly one ntrk:fivePrimePartner and one"
        " ntrk:threePrimePartner, two different genes (e.g. ETV6::NTRK3: 5' HGNC:3495, 3' HGNC:8033).",
    ]
    assert result.stderr == f"ntrk-kg: error: 1 violation in {built_dir / 'ntrk-kg.nq'}, {bad} (report above)\n"


def test_a_property_violation_names_path_value_and_fix(built_dir: Path) -> None:
    bad = FIXTURES / "invalid" / "percent-150.ttl"
    result = run("validate", str(built_dir / "ntrk-kg.nq"), str(bad))
    assert result.exit_code == 1
    out = result.stdout.splitlines()
    i = out.index("Violation: point estimate [ntrksh:PercentRange-pointEstimate], 1 node")
    assert out[i + 2:i + 5] == [
        "  ntrkkg:guide/ntrk-guide/statement/percent-150",
        '    - path ntrk:pointEstimate; value "150.0"^^xsd:decimal; check sh:MaxInclusiveConstraintComponent',
        "      ntrk:pointEstimate must be one xsd:decimal percentage between 0 and 100 (write 26.0 for '~26%'),"
        " inside the range's bounds.",
    ]


def test_a_syntax_error_exits_2_naming_file_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "broken.ttl"
    path.write_text('@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:a ex:b "unterminated .\n')
    result = run("validate", str(path))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"ntrk-kg: error: {path}: not valid turtle: line 3, column 26: newline found in string literal\n"
    )


def test_a_syntax_error_in_n_triples_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.nt"
    path.write_text("<http://e/a> <http://e/b> <http://e/c> .\n<http://e/a> <http://e/b> http://e/c .\n")
    result = run("validate", str(path))
    assert result.exit_code == 2
    assert result.stderr == f"ntrk-kg: error: {path}: not valid nt: line 2: Invalid line: http://e/c .\n"


def test_input_format_overrides_the_extension(built_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "graph.txt"
    path.write_bytes((built_dir / "ntrk-kg.ttl").read_bytes())
    assert run("validate", str(path)).exit_code == 2
    assert run("validate", str(path), "--input-format", "turtle").exit_code == 0


def test_missing_inputs_exit_2(tmp_path: Path) -> None:
    result = run("validate", "--out", str(tmp_path / "nowhere"))
    assert result.exit_code == 2
    assert "run 'ntrk-kg build --out" in result.stderr
    result = run("validate", str(tmp_path / "absent.ttl"))
    assert result.exit_code == 2
    assert result.stderr == f"ntrk-kg: error: {tmp_path / 'absent.ttl'}: no such file\n"


# ------------------------------------------------------------------------ the build

def test_build_keeps_the_warnings_in_the_manifest(built_dir: Path) -> None:
    manifest = json.loads((built_dir / "manifest.json").read_text())
    assert manifest["inputs"]["ontology/shapes.ttl"]
    validation = manifest["validation"]
    assert (validation["shapes"], validation["conforms"], validation["violations"]) == ("ontology/shapes.ttl", True, 0)
    assert [(w["focus_node"], w["source_shape"], w["severity"]) for w in validation["warnings"]] == [
        (STATEMENT + "prevalence-congenital-mesoblastic-nephroma", "https://w3id.org/ntrk-kg/shapes#BandConsistencyShape", "Warning"),
        (STATEMENT + "prevalence-papillary-thyroid-cancer-pediatric", "https://w3id.org/ntrk-kg/shapes#BandConsistencyShape", "Warning"),
    ]


def test_build_prints_the_warnings(tmp_path: Path) -> None:
    result = run("build", "--out", str(tmp_path / "out"), "--format", "nquads")
    assert result.exit_code == 0
    warnings = [ln for ln in result.stderr.splitlines() if ln.startswith("warning: ")]
    assert [w.split(":", 2)[1].strip() + ":" + w.split(":", 2)[2].split(":")[0] for w in warnings] == [CMN, PTC]
    assert all(w.endswith("[ntrksh:BandConsistencyShape]") for w in warnings)


def test_build_refuses_a_non_conforming_graph_and_writes_nothing(data_copy: Path, tmp_path: Path) -> None:
    """An outcome no pathway drives passes the table checks but breaks a shape: exit 1, old build kept."""
    out = tmp_path / "out"
    assert run("build", "--out", str(out), "--format", "nquads").exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    with (data_copy / "processes.tsv").open("a", encoding="utf-8") as fh:
        fh.write("apoptosis\toutcome\t\tapoptosis\tapoptosis\n")
    result = run("build", "--data", str(data_copy), "--out", str(out), "--format", "nquads")
    assert result.exit_code == 1
    err = result.stderr.splitlines()
    assert err[0] == (
        "ntrk-kg: error: the graph does not conform to its SHACL shapes (ontology/shapes.ttl); nothing was written."
    )
    i = err.index("Violation: driving pathway [ntrksh:CellularOutcome-drivenBy], 1 node")
    assert err[i + 2:i + 4] == [
        "  ntrkkg:process/apoptosis",
        "    - path ^ntrk:drivesOutcome; value (none); check sh:MinCountConstraintComponent",
    ]
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before
