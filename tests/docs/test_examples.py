"""The examples of the README and of every page of docs/ are real.

Each ``$ ntrk-kg ...`` line of a ``console`` block is run (in a folder whose ./build is a fresh
build with its release, and whose ./tests are the tests' fixtures) and its output compared with the
lines shown under it (a last line ``...`` shows only the beginning); each ``pycon`` block runs as a
doctest there. Examples that need a SPARQL server are run against a real one by
tests/stores/test_docs_stores.py, and docs/diff.md's, which compare two builds without the
reasoner, by tests/diff/test_docs.py; examples in plain code blocks, which need a file, a fixture or a
reasoner of their own, each have a test below.
"""

from __future__ import annotations

import doctest
import json
import re
import shlex
import shutil
from pathlib import Path

import pytest
from rdflib import Dataset

from kg_build.build import pipeline
from kg_build.rdf import iris
from kg_build.reasoning import engines
from kg_build.reasoning import owl as reasoning

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
SERVER = "http://127.0.0.1:7878"
RUN_ELSEWHERE = {"docs/diff.md"}


def _name(page: Path) -> str:
    return str(page.relative_to(ROOT))


def fenced(text: str) -> list[tuple[str, str]]:
    """``(language, text)`` of every fenced code block, in order (``""`` for a plain block)."""
    out, language, lines = [], None, []  # type: ignore[var-annotated]
    for line in text.splitlines(keepends=True):
        if line.startswith("```"):
            if language is None:
                language, lines = line[3:].strip(), []
            else:
                out.append((language, "".join(lines)))
                language = None
        elif language is not None:
            lines.append(line)
    return out


def blocks(kind: str) -> list[tuple[str, str]]:
    """``(page, text)`` of every fenced block of ``kind`` in the README and the docs."""
    return [(_name(page), text) for page in PAGES
            for language, text in fenced(page.read_text(encoding="utf-8")) if language == kind]


def console_examples() -> list[tuple[str, str, list[str]]]:
    """``(page, command, shown output lines)`` of every ``$ ntrk-kg`` line of a console block."""
    out = []
    for name, text in blocks("console"):
        for m in re.finditer(r"^\$ (ntrk-kg .*)\n((?:(?!\$ ).*\n)*)", text, re.M):
            out.append((name, m.group(1), m.group(2).rstrip("\n").splitlines()))
    return out


def matches(shown: list[str], real: list[str]) -> bool:
    if shown and shown[-1] == "...":
        return real[: len(shown) - 1] == shown[:-1]
    return real == shown


def matches_with_gaps(shown: list[str], real: list[str]) -> bool:
    """``shown`` is ``real`` from its first line, with runs of lines left out where it says '...'."""
    parts, at = "\n".join(shown).split("\n...\n"), 0
    for i, part in enumerate(parts):
        lines = part.splitlines()
        if i == 0:
            if real[: len(lines)] != lines:
                return False
            at = len(lines)
            continue
        for j in range(at, len(real) - len(lines) + 1):
            if real[j: j + len(lines)] == lines:
                at = j + len(lines)
                break
        else:
            return False
    return True


def plain_block(page: str, starts: str) -> str:
    """The one plain (unlabelled) code block of ``page`` that starts with ``starts``."""
    found = [text for name, text in blocks("") if name == page and text.startswith(starts)]
    assert len(found) == 1, f"{page}: {len(found)} plain blocks start with {starts!r}"
    return found[0]


@pytest.fixture(scope="module")
def project(built_dir: Path, tmp_path_factory: pytest.TempPathFactory, cli) -> Path:
    """A folder like the project's root: ./build is the session's build with its release, ./tests
    the tests (for their fixtures)."""
    root = tmp_path_factory.mktemp("docs-project")
    shutil.copytree(built_dir, root / "build")
    assert cli("release", "--out", str(root / "build")).exit_code == 0
    (root / "tests").symlink_to(ROOT / "tests")
    return root


def test_the_matchers() -> None:
    assert fenced("a\n```console\n$ x\n```\nb\n```\nplain\n```\n") == [("console", "$ x\n"), ("", "plain\n")]
    assert matches(["a", "..."], ["a", "b"]) and not matches(["a"], ["a", "b"])
    assert matches_with_gaps(["a", "...", "c", "d"], ["a", "b", "c", "d", "e"])
    assert not matches_with_gaps(["a", "...", "d", "c"], ["a", "b", "c", "d"])
    assert not matches_with_gaps(["b", "...", "c"], ["a", "b", "c"])


def test_the_docs_have_examples() -> None:
    pages = {page for page, command, _ in console_examples() if SERVER not in command}
    assert {"README.md", "docs/building.md", "docs/factcheck.md", "docs/linked-data.md", "docs/queries.md",
            "docs/validation.md"} <= pages
    assert len(blocks("pycon")) >= 1


@pytest.mark.parametrize(("page", "command", "shown"),
                         [e for e in console_examples() if SERVER not in e[1] and e[0] not in RUN_ELSEWHERE],
                         ids=lambda v: str(v)[:60])
def test_console_example(page: str, command: str, shown: list[str], project: Path, cli) -> None:
    result = cli(*shlex.split(command)[1:], cwd=project)
    assert matches(shown, result.output.rstrip("\n").splitlines()), f"{page}: {command}\n{result.output}"


@pytest.mark.parametrize(("page", "text"), blocks("pycon"), ids=lambda v: str(v)[:40])
def test_python_example(page: str, text: str, project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project)
    test = doctest.DocTestParser().get_doctest(text, {}, page, page, 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    assert runner.failures == 0, f"{page}: a Python example does not give the output shown"


def test_the_tests_the_docs_name_exist() -> None:
    named = {m for page in PAGES for m in re.findall(r"tests/[a-z_/]+\.py", page.read_text(encoding="utf-8"))}
    assert named and [n for n in sorted(named) if not (ROOT / n).is_file()] == []


def test_a_file_that_does_not_parse_is_named_with_line_and_column(docs, cli, tmp_path: Path) -> None:
    """docs/validation.md shows a file, ``mine.ttl``, and the one line ``validate`` prints for it."""
    [turtle] = [b for b in re.findall(r"^```turtle\n(.*?)^```", docs.text("validation.md"), re.S | re.M)
                if "example.org/x" in b]
    (tmp_path / "mine.ttl").write_text(turtle, encoding="utf-8")
    code, out, err = cli("validate", "mine.ttl", cwd=tmp_path)
    assert (code, out) == (2, "")
    assert err.splitlines() == docs.example("validation.md", "ntrk-kg validate mine.ttl")


def test_a_bad_table_stops_the_build_as_shown(docs, cli, data_copy: Path, tmp_path: Path) -> None:
    """docs/building.md: a copy of the curated data with an unknown gene and reference, ``my-data``."""
    data = data_copy.rename(tmp_path / "my-data")
    fusions = data / "fusions.tsv"
    fusions.write_text(fusions.read_text().replace("\tTPR\t", "\tTPRX\t"))
    prevalence = data / "prevalence.tsv"
    prevalence.write_text(prevalence.read_text().replace("\t0.19%\t7", "\t0.19%\t12"))
    result = cli("build", "--data", "my-data", cwd=tmp_path)
    assert result.exit_code == 2
    assert result.output.splitlines() == docs.example("building.md", "ntrk-kg build --data my-data")
    assert not (tmp_path / "build").exists()


def test_the_inferred_high_prevalence_tumour_types(docs, cli, built_dir: Path) -> None:
    if json.loads((built_dir / "manifest.json").read_text())["reasoner"] != "hermit":
        pytest.skip("the example shows what HermiT infers; this build ran another reasoner (no java)")
    block = plain_block("docs/reasoning.md", "$ ntrk-kg sparql ")
    command, shown = block.split("\n", 1)
    code, out, _ = cli(*shlex.split(command)[2:], "--out", str(built_dir))
    assert code == 0
    assert out == shown


@pytest.fixture(scope="module")
def assembled() -> Dataset:
    return pipeline.assemble()[1]


def test_an_inconsistency_is_explained_as_the_page_shows(docs, assembled: Dataset) -> None:
    """docs/reasoning.md's example: NTRK3 also typed a pathway (the fixture tests/fixtures/contradiction.ttl),
    explained by the rule reasoner the build runs."""
    seeded = Dataset()
    for s, p, o, g in assembled.quads((None, None, None, None)):
        seeded.graph(g).add((s, p, o))
    seeded.graph(iris.GUIDE_GRAPH).parse(ROOT / "tests" / "fixtures" / "contradiction.ttl", format="turtle")
    with pytest.raises(reasoning.InconsistentGraph) as err:
        engines.reason(seeded, "rules")
    assert f"ntrk-kg: error: {err.value}\n" == plain_block("docs/reasoning.md", "ntrk-kg: error: the ontology")


def test_without_java_the_warning_is_the_one_shown(assembled: Dataset, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reasoning, "java", lambda: None)
    result = engines.reason(assembled, "auto")
    assert result.engine == "rules"
    shown = plain_block("docs/reasoning.md", "warning: java")
    assert [f"warning: {note}" for note in result.notes] == shown.splitlines()


def test_the_sssom_excerpt_is_the_head_of_the_real_file(built_dir: Path) -> None:
    shown = plain_block("docs/linked-data.md", "#curie_map:")
    real = (built_dir / "ntrk-kg.sssom.tsv").read_text(encoding="utf-8").splitlines()
    assert matches_with_gaps(shown.splitlines(), real)


def test_the_federated_query_example(docs, cli, built_dir: Path, federation_endpoints: dict[str, str]) -> None:
    shown_url = "http://127.0.0.1:7881/query"
    command = f"ntrk-kg query gene-wikidata-items -p endpoint={shown_url}"
    local = federation_endpoints["https://query.wikidata.org/sparql"]
    result = cli(*shlex.split(command.replace(shown_url, local))[1:], "--out", str(built_dir))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == docs.example("linked-data.md", command)


def test_the_report_example(docs, cli, project: Path) -> None:
    code, out, _ = cli("report", "--out", "build", "--html", "report.html", cwd=project)
    assert code == 0
    [shown] = docs.example("factcheck.md", "ntrk-kg report --out build --html report.html")
    assert out == f"wrote {project / 'report.html'}\n"
    assert re.fullmatch(r"wrote (/[\w.-]+)+/report\.html", shown)  # the page's folder stands for yours
    assert (project / "report.html").stat().st_size > 0


def test_a_full_page_gives_the_note_shown(docs, cli, tmp_path: Path) -> None:
    """The paging example of docs/queries.md, on a synthetic build with more than 100 references."""
    from benchmarks.generate import generate

    generate(tmp_path / "data", 3e4)
    pipeline.build(tmp_path / "build-1e6", ("nquads",), tmp_path / "data", reason=False)
    shown = docs.example("queries.md", "ntrk-kg query references --out build-1e6 --format csv > page1.csv")
    code, out, err = cli("query", "references", "--out", "build-1e6", "--format", "csv", cwd=tmp_path)
    assert code == 0
    assert len(out.splitlines()) == 1 + 100
    assert err.splitlines() == shown
