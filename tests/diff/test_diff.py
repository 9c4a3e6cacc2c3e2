"""``ntrk-kg diff`` on two built versions of the curated data: exact reports, the gate, the change set."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pyoxigraph as ox
import pyshacl
from click.testing import CliRunner
from rdflib import RDF, Dataset, Graph, Namespace, URIRef

from kg_build.cli import main
from kg_build.diff import kinds
from kg_build.diff.apply import APPLY_FILE, CHANGES_GRAPH, apply
from kg_build.resources import CHANGES_ONTOLOGY_FILE as CHANGES_ONTOLOGY
from kg_build.resources import CHANGES_SHAPES_FILE as CHANGES_SHAPES

GOLDEN = Path(__file__).resolve().parent.parent / "golden" / "diff"


def diff(root: Path, *args: str) -> tuple[int, str, str]:
    """Run ``ntrk-kg diff`` in ``root`` (so sides are named by their relative paths)."""
    cwd = os.getcwd()
    os.chdir(root)
    try:
        result = CliRunner().invoke(main, ["diff", *args])
    finally:
        os.chdir(cwd)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def check_golden(name: str, text: str, update_golden: bool) -> None:
    path = GOLDEN / name
    if update_golden:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.is_file(), f"missing golden file {path}; run pytest --update-golden"
    assert text == path.read_text(encoding="utf-8"), f"result differs from golden {path.name}"


def test_markdown_release_notes_are_exact(releases: Path, update_golden: bool) -> None:
    code, out, err = diff(releases, "old", "new")
    assert (code, err) == (0, "")
    check_golden("changes.md", out, update_golden)
    lines = out.splitlines()
    # The six edits, in the graph's own terms.
    assert "  - `ntrk:verbatimValue`: `\"0.57% - 3.0%\"` → `\"0.9% - 3.0%\"`" in lines
    assert "  - `ntrk:lowerBound`: `0.57` → `0.9`" in lines
    assert ("  - unchanged: `ntrk:citesReference` `ntrkkg:guide/ntrk-guide/reference/5`, "
            "`ntrkkg:guide/ntrk-guide/reference/6`; `ntrk:inBand` `ntrkkg:guide/ntrk-guide/band/low`; "
            "`ntrk:isApproximate` `false`; `ntrk:lowerBoundInclusive` `true`; `ntrk:upperBound` `3.0`; "
            "`ntrk:upperBoundInclusive` `true`") in lines
    assert "- **ETV6::NTRK1** `ntrkkg:fusion/ETV6--NTRK1` (ntrk:GeneFusion): *added*" in lines
    assert "  - mapping to `NCIT:C9306`: `skos:exactMatch` → `skos:closeMatch`" in lines
    assert ("- **The 'adult' qualifier of the thyroid row is not in reference \\[6\\]** "
            "`ntrkkg:finding/thyroid-adult-qualifier-not-found` (ntrk:Finding): *removed, finding-closed*") in lines
    assert "  - `rdfs:label`: `\"Glioblastoma\"` → `\"Glioblastoma (GBM)\"`" in lines
    assert "- **fusion breakpoint** `ntrk:FusionBreakpoint` (owl:Class): *added*" in lines
    assert "| `ntrkgraph:factcheck` | 635 | 615 | 0 | −20 | 0 | 2 | 0 | 0 |" in lines
    assert ("Changes by kind: added 4, removed 2, changed-label 2, changed-mapping 1, changed-value 1, "
            "finding-closed 1.") in lines


def test_json_report_is_exact(releases: Path, update_golden: bool) -> None:
    code, out, _ = diff(releases, "old", "new", "--format", "json")
    assert code == 0
    check_golden("changes.json", out, update_golden)
    report = json.loads(out)
    assert report["identical"] is False
    assert report["kinds"] == {"added": 4, "removed": 2, "changed-label": 2, "changed-mapping": 1,
                               "changed-value": 1, "finding-closed": 1}
    sarcoma = next(c for c in report["changes"] if c["entity"].endswith("statement/prevalence-soft-tissue-sarcoma"))
    lower = next(v for v in sarcoma["values"] if v["property"].endswith("#lowerBound"))
    decimal = "http://www.w3.org/2001/XMLSchema#decimal"
    assert lower == {"property": "https://w3id.org/ntrk-kg/ontology#lowerBound",
                     "removed": [{"type": "literal", "value": "0.57", "datatype": decimal}],
                     "added": [{"type": "literal", "value": "0.9", "datatype": decimal}]}
    tumour = next(c for c in report["changes"] if c["entity"].endswith("tumour-type/soft-tissue-sarcoma"))
    assert tumour["mappings"] == [{"target": "http://purl.obolibrary.org/obo/NCIT_C9306",
                                   "old_predicate": "http://www.w3.org/2004/02/skos/core#exactMatch",
                                   "new_predicate": "http://www.w3.org/2004/02/skos/core#closeMatch"}]
    assert [g["graph"].rsplit("/", 1)[1] for g in report["graphs"]] == [
        "context", "curation", "factcheck", "guide", "metadata", "ontology"]


def test_rdf_change_set_is_exact_and_deterministic(releases: Path, update_golden: bool) -> None:
    code, out, _ = diff(releases, "old", "new", "--format", "turtle")
    assert code == 0
    check_golden("changes.ttl", out, update_golden)
    assert diff(releases, "old", "new", "--format", "turtle")[1] == out
    nt = diff(releases, "old", "new", "--format", "ntriples")[1]
    assert Graph().parse(data=nt, format="nt").isomorphic(Graph().parse(data=out, format="turtle"))


def test_identical_builds_give_no_changes(releases: Path) -> None:
    assert (releases / "old" / "ntrk-kg.nq").read_bytes() == (releases / "same" / "ntrk-kg.nq").read_bytes()
    code, out, err = diff(releases, "old", "same", "--fail-on", "any")
    assert (code, out, err) == (
        0, "# Changes from old to same\n\nNo changes: both hold the same 3,441 quads in 6 named graphs.\n", "")
    report = json.loads(diff(releases, "old", "same", "--format", "json")[1])
    assert (report["identical"], report["kinds"], report["changes"]) == (True, {}, [])


def test_fail_on_gates_a_release(releases: Path) -> None:
    code, _, err = diff(releases, "old", "new", "--fail-on", "removed,changed-iri")
    assert code == 1
    assert err == "ntrk-kg: error: 2 changes of kinds --fail-on refuses (removed 2); see the report above\n"
    assert diff(releases, "old", "new", "--fail-on", "changed-iri,deprecated")[0] == 0
    code, _, err = diff(releases, "old", "new", "--fail-on", "removed,gone")
    assert code == 2
    assert "Invalid value for '--fail-on': unknown kind 'gone'; the kinds are: added, removed," in err


def test_output_file_and_bad_sides(releases: Path, tmp_path: Path) -> None:
    target = tmp_path / "notes.md"
    assert diff(releases, "old", "new", "--output", str(target))[:2] == (0, "")
    assert target.read_text(encoding="utf-8") == diff(releases, "old", "new")[1]
    code, _, err = diff(releases, "old", "nowhere")
    assert (code, err) == (2, "ntrk-kg: error: nowhere does not exist; give a build folder, a release bundle "
                              "or an N-Quads file\n")
    (tmp_path / "empty").mkdir()
    code, _, err = diff(releases, "old", str(tmp_path / "empty"))
    assert code == 2 and "is a folder without ntrk-kg.nq" in err
    unsorted = tmp_path / "unsorted.nq"
    unsorted.write_text("<urn:b> <urn:p> <urn:o> <urn:g> .\n<urn:a> <urn:p> <urn:o> <urn:g> .\n", encoding="utf-8")
    code, _, err = diff(releases, "old", str(unsorted))
    assert code == 2
    assert err.startswith(f"ntrk-kg: error: {unsorted}:2: the N-Quads lines are not sorted")
    blank = tmp_path / "blank.nq"
    blank.write_text("<urn:a> <urn:p> _:b0 <urn:g> .\n", encoding="utf-8")
    code, _, err = diff(releases, str(blank), "old")
    assert (code, err) == (2, f"ntrk-kg: error: {blank}:1: a blank node or a quoted triple; the diff compares "
                              "graphs whose every node has an IRI, as the build writes them\n")
    broken = tmp_path / "broken.nq"
    broken.write_text("<urn:a> <urn:p> \"open <urn:g> .\n", encoding="utf-8")
    code, _, err = diff(releases, str(broken), "old")
    assert code == 2 and err.startswith(f"ntrk-kg: error: {broken}:1: not valid N-Quads")


def _validate(data: Graph) -> tuple[bool, str]:
    conforms, _, text = pyshacl.validate(
        data, shacl_graph=Graph().parse(CHANGES_SHAPES), ont_graph=Graph().parse(CHANGES_ONTOLOGY),
        inference="none", advanced=True)
    return bool(conforms), str(text)


def test_change_set_validates_against_its_own_shapes(releases: Path) -> None:
    change_set = Graph().parse(data=diff(releases, "old", "new", "--format", "turtle")[1], format="turtle")
    conforms, text = _validate(change_set)
    assert conforms, text
    # The shapes catch a broken change set: a value both removed and added, an entity change of no kind.
    ch = Namespace("https://w3id.org/ntrk-kg/changes#")
    value = next(change_set.subjects(RDF.type, ch.ValueChange))
    term = next(iter([*change_set.objects(value, ch.removedValue), *change_set.objects(value, ch.addedValue)]))
    change_set.add((value, ch.removedValue, term))
    change_set.add((value, ch.addedValue, term))
    change_set.remove((next(change_set.subjects(ch.hasValueChange, value)), ch.kind, None))
    conforms, text = _validate(change_set)
    assert not conforms
    assert "removes and adds the same value" in text
    assert "has at least one kind" in text


def test_applying_the_change_set_to_old_gives_new(releases: Path, tmp_path: Path) -> None:
    change_set = tmp_path / "changes.ttl"
    assert diff(releases, "old", "new", "--format", "turtle", "--output", str(change_set))[0] == 0
    # On a store (Oxigraph, which keeps values): the old graph plus the change set is the new graph.
    store = ox.Store()
    store.bulk_load(path=str(releases / "old" / "ntrk-kg.nq"), format=ox.RdfFormat.N_QUADS)
    apply(store, change_set)
    new = ox.Store()
    new.bulk_load(path=str(releases / "new" / "ntrk-kg.nq"), format=ox.RdfFormat.N_QUADS)
    assert sorted(map(str, store)) == sorted(map(str, new))
    # With rdflib, which keeps each literal as written: the very lines of the new build.
    ds = Dataset()
    ds.parse(releases / "old" / "ntrk-kg.nq", format="nquads")
    changes = ds.graph(URIRef(CHANGES_GRAPH))
    changes.parse(change_set, format="turtle")
    ds.update(APPLY_FILE.read_text(encoding="utf-8"))
    ds.remove_graph(changes)
    lines = sorted(set(ds.serialize(format="nquads").splitlines(keepends=True)) - {"\n"})
    assert "".join(lines) == (releases / "new" / "ntrk-kg.nq").read_text(encoding="utf-8")


def test_kinds_agree_with_the_vocabulary() -> None:
    g = ox.Store()
    g.load(path=str(CHANGES_ONTOLOGY), format=ox.RdfFormat.TURTLE)
    rows = g.query("SELECT ?kind ?name WHERE { ?kind a <https://w3id.org/ntrk-kg/changes#ChangeKind> ; "
                   "<https://w3id.org/ntrk-kg/changes#kindName> ?name }")
    declared = {r["name"].value: r["kind"].value for r in rows}
    assert declared == {name: kinds.kind_iri(name) for name in kinds.KINDS}
