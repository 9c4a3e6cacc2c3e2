"""``ntrk-kg validate`` and the validation step of ``ntrk-kg build``, run in process as a user would."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import RDF, Dataset, Graph
from rdflib.namespace import SH

from kg_build.rdf.iris import ONTOLOGY_GRAPH

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "shapes"
STATEMENT = "https://w3id.org/ntrk-kg/id/guide/ntrk-guide/statement/"
CMN = "ntrkkg:guide/ntrk-guide/statement/prevalence-congenital-mesoblastic-nephroma"
PTC = "ntrkkg:guide/ntrk-guide/statement/prevalence-papillary-thyroid-cancer-pediatric"
CRC = "ntrkkg:guide/ntrk-guide/statement/prevalence-colorectal-cancer"


def test_the_build_has_no_violation_and_two_warnings(cli, built_dir: Path) -> None:
    """Warnings are results, so the graph does not conform (SHACL's definition); they are not fatal."""
    result = cli("validate", "--out", str(built_dir))
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("The graph does not conform: 0 violations, 3 warnings (")
    assert "Warning: value inside its band [ntrksh:BandConsistencyShape], 2 nodes" in lines
    assert [ln.strip() for ln in lines if ln.startswith("  ntrkkg:")] == [CMN, PTC, CRC]
    assert '    - value ">83%"; check sh:SPARQLConstraintComponent' in lines
    assert '    - value "~26%"; check sh:SPARQLConstraintComponent' in lines


def test_the_validation_page_shows_the_real_report(docs, cli, built_dir: Path) -> None:
    result = cli("validate", "--out", str(built_dir))
    assert "$ ntrk-kg validate\n" + result.stdout + "```" in docs.text("validation.md")


def test_json_report(cli, built_dir: Path) -> None:
    result = cli("validate", "--out", str(built_dir), "--format", "json")
    assert result.exit_code == 0
    body = json.loads(result.stdout)
    assert (body["conforms"], body["violations"], body["warnings"]) == (False, 0, 3)
    assert [(r["severity"], r["focus_node"], r["value"]) for r in body["results"]] == [
        ("Warning", STATEMENT + "prevalence-congenital-mesoblastic-nephroma",
         {"@value": ">83%", "@type": "http://www.w3.org/2001/XMLSchema#string"}),
        ("Warning", STATEMENT + "prevalence-papillary-thyroid-cancer-pediatric",
         {"@value": "~26%", "@type": "http://www.w3.org/2001/XMLSchema#string"}),
        ("Warning", STATEMENT + "prevalence-colorectal-cancer", STATEMENT + "prevalence-common-colorectal"),
    ]


def test_turtle_report_is_the_shacl_report_graph(cli, built_dir: Path) -> None:
    result = cli("validate", "--out", str(built_dir), "--format", "turtle")
    assert result.exit_code == 0
    g = Graph().parse(data=result.stdout, format="turtle")
    report = g.value(None, RDF.type, SH.ValidationReport, any=False)
    assert g.value(report, SH.conforms).toPython() is False
    focus = sorted(str(g.value(r, SH.focusNode)) for r in g.objects(report, SH.result))
    assert focus == [
        STATEMENT + "prevalence-colorectal-cancer",
        STATEMENT + "prevalence-congenital-mesoblastic-nephroma",
        STATEMENT + "prevalence-papillary-thyroid-cancer-pediatric",
    ]
    assert {g.value(r, SH.resultSeverity) for r in g.objects(report, SH.result)} == {SH.Warning}


def test_every_export_format_validates(cli, built_dir: Path) -> None:
    for name in ("ntrk-kg.ttl", "ntrk-kg.nt", "ntrk-kg.trig", "ntrk-kg.jsonld", "ntrk-kg.rdf"):
        result = cli("validate", str(built_dir / name), "--format", "json")
        assert result.exit_code == 0, name
        assert json.loads(result.stdout)["warnings"] == 3, name


def test_files_are_validated_as_given_and_the_ontology_is_an_option(cli, built_dir: Path, tmp_path: Path) -> None:
    ds = Dataset()
    ds.parse(built_dir / "ntrk-kg.nq", format="nquads")
    data = Graph()
    for s, p, o, g in ds.quads((None, None, None, None)):
        if g != ONTOLOGY_GRAPH:
            data.add((s, p, o))
    path = tmp_path / "data-only.nt"
    data.serialize(path, format="nt")
    result = cli("validate", str(path), "--format", "json")
    assert result.exit_code == 1
    body = json.loads(result.stdout)
    # Without the ontology, its terms are undeclared and no class has subclasses.
    assert (body["violations"], body["warnings"], body["triples"]) == (1500, 3, 2573)
    declared = [r for r in body["results"] if r["source_shape"].endswith("#DeclaredTermShape")]
    assert len(declared) == 1387
    result = cli("validate", str(path), "--with-ontology")
    assert result.exit_code == 0
    assert result.stdout.startswith("The graph does not conform: 0 violations, 3 warnings (3553 triples checked).")


def test_an_extension_written_by_hand_conforms_with_the_build(cli, built_dir: Path) -> None:
    result = cli("validate", str(built_dir / "ntrk-kg.nq"), str(FIXTURES / "valid" / "new-fusion.ttl"))
    assert result.exit_code == 0
    assert "0 violations, 3 warnings" in result.stdout.splitlines()[0]


def test_a_non_conforming_file_exits_1_with_a_readable_report(cli, built_dir: Path) -> None:
    bad = FIXTURES / "invalid" / "missing-three-prime-partner.ttl"
    result = cli("validate", str(built_dir / "ntrk-kg.nq"), str(bad))
    assert result.exit_code == 1
    out = result.stdout.splitlines()
    assert out[0].startswith("The graph does not conform: 1 violation, 3 warnings (")
    i = out.index("Violation: fusion partners [ntrksh:FusionPartnersShape], 1 node")
    assert out[i + 1:i + 5] == [
        "  rule: A gene fusion has exactly one 5' partner and exactly one 3' partner, and they are different genes.",
        "  ntrkkg:fusion/ETV6--NTRK1",
        "    - check sh:SPARQLConstraintComponent",
        "      It has no 3' partner; a fusion needs exactly one ntrk:fivePrimePartner and one"
        " ntrk:threePrimePartner, two different genes (e.g. ETV6::NTRK3: 5' HGNC:3495, 3' HGNC:8033).",
    ]
    assert result.stderr == f"ntrk-kg: error: 1 violation in {built_dir / 'ntrk-kg.nq'}, {bad} (report above)\n"


def test_a_property_violation_names_path_value_and_fix(cli, built_dir: Path) -> None:
    bad = FIXTURES / "invalid" / "percent-150.ttl"
    result = cli("validate", str(built_dir / "ntrk-kg.nq"), str(bad))
    assert result.exit_code == 1
    out = result.stdout.splitlines()
    i = out.index("Violation: point estimate [ntrksh:PercentRange-pointEstimate], 1 node")
    assert out[i + 2:i + 5] == [
        "  ntrkkg:guide/ntrk-guide/statement/percent-150",
        '    - path ntrk:pointEstimate; value "150.0"^^xsd:decimal; check sh:MaxInclusiveConstraintComponent',
        "      ntrk:pointEstimate must be one xsd:decimal percentage between 0 and 100 (write 26.0 for '~26%'),"
        " inside the range's bounds.",
    ]


def test_a_syntax_error_exits_2_naming_file_line_and_column(cli, tmp_path: Path) -> None:
    path = tmp_path / "broken.ttl"
    path.write_text('@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:a ex:b "unterminated .\n')
    result = cli("validate", str(path))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"ntrk-kg: error: {path}: not valid turtle: line 3, column 26: newline found in string literal\n"
    )


def test_a_syntax_error_in_n_triples_names_the_line(cli, tmp_path: Path) -> None:
    path = tmp_path / "broken.nt"
    path.write_text("<http://e/a> <http://e/b> <http://e/c> .\n<http://e/a> <http://e/b> http://e/c .\n")
    result = cli("validate", str(path))
    assert result.exit_code == 2
    assert result.stderr == f"ntrk-kg: error: {path}: not valid nt: line 2: Invalid line: http://e/c .\n"


def test_input_format_overrides_the_extension(cli, built_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "graph.txt"
    path.write_bytes((built_dir / "ntrk-kg.ttl").read_bytes())
    assert cli("validate", str(path)).exit_code == 2
    assert cli("validate", str(path), "--input-format", "turtle").exit_code == 0


def test_missing_inputs_exit_2(cli, tmp_path: Path) -> None:
    result = cli("validate", "--out", str(tmp_path / "nowhere"))
    assert result.exit_code == 2
    assert "run 'ntrk-kg build --out" in result.stderr
    result = cli("validate", str(tmp_path / "absent.ttl"))
    assert result.exit_code == 2
    assert result.stderr == f"ntrk-kg: error: {tmp_path / 'absent.ttl'}: no such file\n"


# ------------------------------------------------------------------------ the build

def test_build_keeps_the_warnings_in_the_manifest(built_dir: Path) -> None:
    manifest = json.loads((built_dir / "manifest.json").read_text())
    assert manifest["inputs"]["ontology/shapes.ttl"]
    validation = manifest["validation"]
    assert (validation["shapes"], validation["conforms"], validation["violations"]) == ("ontology/shapes.ttl", False, 0)
    assert [(w["focus_node"], w["source_shape"], w["severity"]) for w in validation["warnings"]] == [
        (STATEMENT + "prevalence-congenital-mesoblastic-nephroma", "https://w3id.org/ntrk-kg/shapes#BandConsistencyShape", "Warning"),
        (STATEMENT + "prevalence-papillary-thyroid-cancer-pediatric", "https://w3id.org/ntrk-kg/shapes#BandConsistencyShape", "Warning"),
        (STATEMENT + "prevalence-colorectal-cancer", "https://w3id.org/ntrk-kg/shapes#PrevalenceStatementsAgreeShape", "Warning"),
    ]


def test_build_prints_the_warnings(cli, tmp_path: Path) -> None:
    result = cli("build", "--out", str(tmp_path / "out"), "--format", "nquads")
    assert result.exit_code == 0
    warnings = [ln for ln in result.stderr.splitlines() if ln.startswith("warning: ")]
    assert [w.split(":", 2)[1].strip() + ":" + w.split(":", 2)[2].split(":")[0] for w in warnings] == [CMN, PTC, CRC]
    assert [w.rsplit(" [", 1)[1] for w in warnings] == ["ntrksh:BandConsistencyShape]"] * 2 + ["ntrksh:PrevalenceStatementsAgreeShape]"]


def test_build_refuses_a_non_conforming_graph_and_writes_nothing(cli, data_copy: Path, tmp_path: Path) -> None:
    """An outcome no pathway drives passes the table checks but breaks a shape: exit 1, old build kept."""
    out = tmp_path / "out"
    assert cli("build", "--out", str(out), "--format", "nquads").exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    with (data_copy / "processes.tsv").open("a", encoding="utf-8") as fh:
        fh.write("apoptosis\toutcome\t\tapoptosis\tapoptosis\n")
    result = cli("build", "--data", str(data_copy), "--out", str(out), "--format", "nquads")
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


INLINE_SHAPES = """\
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
ex:ColourShape a sh:NodeShape ; sh:targetClass ex:Thing ;
    sh:property [ sh:path ex:colour ; sh:in ( "red" "green" ) ; sh:message "The colour is red or green." ] .
"""
INLINE_DATA = """\
@prefix ex: <http://example.org/> .
ex:a a ex:Thing ; ex:colour "blue" .
[] a ex:Thing ; ex:colour "grey" .
"""


def _inline_case(tmp_path: Path) -> tuple[Path, Path]:
    """Shapes with a property shape written inline (a blank node) and its sh:in list, and data
    with one named and one blank focus node that break it."""
    shapes, data = tmp_path / "shapes.ttl", tmp_path / "data.ttl"
    shapes.write_text(INLINE_SHAPES, encoding="utf-8")
    data.write_text(INLINE_DATA, encoding="utf-8")
    return shapes, data


@pytest.mark.parametrize(("engine", "report_format"), [
    ("oxigraph", "turtle"), ("oxigraph", "json"), ("oxigraph", "text"), ("pyshacl", "turtle"),
])
def test_a_report_naming_blank_nodes_is_the_same_bytes_in_two_processes(
    tmp_path: Path, engine: str, report_format: str,
) -> None:
    """A parser labels blank nodes afresh in each process: the report labels them by what it says."""
    shapes, data = _inline_case(tmp_path)
    command = [sys.executable, "-m", "kg_build", "validate", str(data), "--shapes", str(shapes),
               "--engine", engine, "--format", report_format]
    first, second = (subprocess.run(command, capture_output=True, check=False) for _ in range(2))
    assert (first.returncode, second.returncode) == (1, 1)
    assert b"_:" in first.stdout
    assert first.stdout == second.stdout


def test_the_turtle_report_carries_the_inline_shape_and_its_list(cli, tmp_path: Path) -> None:
    shapes, data = _inline_case(tmp_path)
    result = cli("validate", str(data), "--shapes", str(shapes), "--format", "turtle")
    assert result.exit_code == 1
    body = [line for line in result.stdout.splitlines() if not line.startswith("@prefix ")]
    assert body == [
        '_:c14n0 rdf:first "red" ;',
        "\trdf:rest _:c14n2 .",
        "_:c14n1 sh:in _:c14n0 ;",
        '\tsh:message "The colour is red or green." ;',
        "\tsh:path <http://example.org/colour> .",
        '_:c14n2 rdf:first "green" ;',
        "\trdf:rest rdf:nil .",
        '_:c14n3 <http://example.org/colour> "grey" ;',
        "\ta <http://example.org/Thing> .",
        "_:report a sh:ValidationReport ;",
        "\tsh:conforms false ;",
        "\tsh:result _:result00001 , _:result00002 .",
        "_:result00001 a sh:ValidationResult ;",
        "\tsh:focusNode _:c14n3 ;",
        '\tsh:resultMessage "The colour is red or green." ;',
        "\tsh:resultPath <http://example.org/colour> ;",
        "\tsh:resultSeverity sh:Violation ;",
        "\tsh:sourceConstraintComponent sh:InConstraintComponent ;",
        "\tsh:sourceShape _:c14n1 ;",
        '\tsh:value "grey" .',
        "_:result00002 a sh:ValidationResult ;",
        "\tsh:focusNode <http://example.org/a> ;",
        '\tsh:resultMessage "The colour is red or green." ;',
        "\tsh:resultPath <http://example.org/colour> ;",
        "\tsh:resultSeverity sh:Violation ;",
        "\tsh:sourceConstraintComponent sh:InConstraintComponent ;",
        "\tsh:sourceShape _:c14n1 ;",
        '\tsh:value "blue" .',
    ]
