"""The review report: one self-contained HTML page, checked as text and in headless Chromium."""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from rdflib import RDF, RDFS, Dataset

from kg_build.publish import report
from kg_build.rdf import iris
from kg_build.rdf.vocab import T

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")


class _Page(HTMLParser):
    """Visible text and every resource-bearing attribute of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.resources: list[tuple[str, str, str]] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "script"):
            self._skip += 1
        for name, value in attrs:
            if name in ("src", "href", "srcset", "data", "poster", "xlink:href", "action") and value is not None:
                self.resources.append((tag, name, value))
        if tag == "link" or tag == "script":
            self.resources.append((tag, "tag", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.text.append(data)


def _parse(page: str) -> _Page:
    p = _Page()
    p.feed(page)
    return p


def _text(page: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(" ".join(_parse(page).text)))


@pytest.fixture(scope="module")
def page(dataset: Dataset) -> str:
    return report.render(dataset)


def _expected_strings(dataset: Dataset) -> list[str]:
    guide, fc = dataset.graph(iris.GUIDE_GRAPH), dataset.graph(iris.FACTCHECK_GRAPH)
    rows = [st for st in guide.subjects(RDF.type, T.PrevalenceStatement) if guide.value(st, T.rowNumber) is not None]
    assert len(rows) == 15
    wanted = [f"{guide.value(st, T.verbatimLabel)} {guide.value(st, T.verbatimValue)}" for st in rows]
    fusions = [str(guide.value(f, RDFS.label)) for f in guide.subjects(RDF.type, T.GeneFusion)]
    assert len(fusions) == 9
    findings = [str(fc.value(f, RDFS.label)) for f in fc.subjects(RDF.type, T.Finding)]
    assert len(findings) >= 36
    return wanted + fusions + findings


def test_page_holds_every_table_1_row_fusion_and_finding(page: str, dataset: Dataset) -> None:
    text = _text(page)
    missing = [s for s in _expected_strings(dataset) if s not in text]
    assert missing == []
    for heading in ("Genes and proteins", "Fusions", "Prevalence (Table 1)", "Pathways", "References", "All fact-check findings"):
        assert heading in text


def test_page_needs_no_network(page: str) -> None:
    parsed = _parse(page)
    assert "<svg" in page and page.count("<svg") == 2
    # only plain hyperlinks may leave the page; SVG <use> refers to its own defs by fragment
    assert [r for r in parsed.resources if not r[2].startswith("#") and (r[0], r[1]) != ("a", "href")] == []
    assert not re.search(r"@import|url\((?!#)|<link|<script|<img|<iframe|<object|<embed|\ssrc\s*=", page, re.I)
    links = [v for tag, _, v in parsed.resources]
    assert all(v.startswith(("#", "http://", "https://")) for v in links)


def test_every_section_links_to_the_guide(page: str, dataset: Dataset) -> None:
    url = str(dataset.graph(iris.GUIDE_GRAPH).value(iris.guide("ntrk-guide"), report.SCHEMA_URL))
    sections = re.findall(r"<section id=\"([a-z-]+)\">(.*?)</section>", page, re.S)
    assert [s for s, _ in sections] == ["genes", "fusions", "prevalence", "pathways", "statements", "references", "context", "findings"]
    for name, body in sections:
        assert f'From the guide: <a href="{html.escape(url)}">' in body, name


def test_findings_sit_beside_their_statement(page: str) -> None:
    row = re.search(r"<tr><td>7</td><td>Soft Tissue Sarcoma</td>.*?</tr>\n", page, re.S)
    assert row and "Soft tissue sarcoma lower bound 0.57% is not in the abstracts of [5] or [6]" in html.unescape(row.group(0))
    ref2 = re.search(r'<tr id="ref-2">.*?</tr>\n', page, re.S)
    assert ref2 and "Reference [2] cannot be resolved" in ref2.group(0)


def test_uncited_statements_show_as_uncited(page: str) -> None:
    """Table 2's rows and the prose statements the guide cites nothing for say 'uncited' in their
    references cell, instead of an empty cell that reads like a missing value."""
    fusion = re.search(r"<tr><td>ETV6::NTRK3</td><td>ETV6</td><td>NTRK3</td><td>(.*?)</td>", page, re.S)
    assert fusion and fusion.group(1) == '<span class="uncited">uncited</span>'
    statements = re.search(r'<section id="statements">(.*?)</section>', page, re.S)
    assert statements
    uncited = re.findall(r'<td><span class="uncited">uncited</span></td>', statements.group(1))
    assert len(uncited) == 4  # the four prose statements of statements.tsv without a reference
    cited = re.search(r"<tr><td>12</td><td>Colorectal Cancer</td>.*?<td>(<a href=\"#ref-1\">\[1\]</a>)</td>", page, re.S)
    assert cited


def test_severity_badges_link_to_the_findings(page: str, dataset: Dataset) -> None:
    fc = dataset.graph(iris.FACTCHECK_GRAPH)
    keys = {str(f).rsplit("/", 1)[-1] for f in fc.subjects(RDF.type, T.Finding)}
    rows = re.findall(r'<tr class="sev-(error|warning|info)" id="finding-([a-z0-9-]+)">', page)
    assert {k for _, k in rows} == keys and len(rows) == len(keys)  # each finding's row, once
    badges = re.findall(r'<a class="badge[^"]*" href="#finding-([a-z0-9-]+)"', page)
    assert badges and set(badges) <= keys
    # the pair finding sits beside both of its statements, its badge pointing at one row
    pair = "rule-prevalence-statements-agree-shape--prevalence-colorectal-cancer--prevalence-common-colorectal"
    assert badges.count(pair) == 2
    assert badges.count("fusion-partners-called-common") == 10  # once above Table 2, once in each of its nine rows
    for severity in ("error", "warning", "info"):
        assert f'<a href="#findings-{severity}">' in page
        assert page.count(f'<span id="findings-{severity}"></span>') == 1
    ids = re.findall(r'\sid="([^"]+)"', re.sub(r"<svg.*?</svg>", "", page, flags=re.S))
    assert len(ids) == len(set(ids)), "every id of the page outside its pictures is unique"


def test_table_of_contents_links_every_section(page: str) -> None:
    toc = re.search(r'<nav class="toc" id="toc">(.*?)</nav>', page, re.S)
    assert toc
    assert re.findall(r'<a href="#([a-z-]+)">', toc.group(1)) == [
        "genes", "fusions", "prevalence", "pathways", "statements", "references", "context", "findings"]


def test_out_of_band_rows_are_marked_in_the_table_and_the_chart(page: str) -> None:
    marked = re.findall(r'<tr class="out-of-band"><td>(\d+)</td><td>([^<]+)</td>', page)
    assert marked == [("4", "Congenital Mesoblastic Nephroma"), ("5", "Papillary Thyroid Cancer (pediatric)")]
    chart = re.search(r'<div class="chart">(.*?)</div>', page, re.S)
    assert chart and chart.group(1).count("outside its band") == 2
    assert "Congenital Mesoblastic Nephroma  &gt;83%  (!)" in chart.group(1)
    assert "Soft Tissue Sarcoma  0.57% - 3.0%  (!)" not in chart.group(1)


def test_a_reference_without_authors_has_no_leading_full_stop(page: str) -> None:
    ref8 = re.search(r'<tr id="ref-8">(.*?)</tr>', page, re.S)
    assert ref8
    record = re.findall(r"<td>(.*?)</td>", ref8.group(1), re.S)[3]
    assert record.startswith("<em>Pathologica</em> 2022"), record
    ref3 = re.search(r'<tr id="ref-3">(.*?)</tr>', page, re.S)
    assert ref3 and "Franco R. <em>Int J Mol Sci" in ref3.group(1)


def test_tertiary_sources_are_marked(page: str) -> None:
    context = re.search(r'<section id="context">(.*?)</section>', page, re.S)
    assert context
    assert context.group(1).count('<span class="level level-tertiary">tertiary source</span>') == 3  # two drugs, one approval
    assert context.group(1).count('<span class="level level-primary">primary source</span>') == 3


def test_report_is_deterministic(dataset: Dataset, page: str) -> None:
    assert report.render(dataset) == page


def test_report_command(cli, built_dir: Path, tmp_path: Path) -> None:
    """--out is the build folder, as for every other command; the page goes to --html."""
    out = tmp_path / "report.html"
    result = cli("report", "--out", str(built_dir), "--html", str(out))
    assert result.exit_code == 0, result.output
    assert result.output == f"wrote {out.resolve()}\n"
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    missing = cli("report", "--out", str(tmp_path / "none"), "--html", str(out))
    assert missing.exit_code == 2
    assert "run 'ntrk-kg build" in missing.output and "Traceback" not in missing.output


@pytest.mark.parametrize("args", [["--out", "report.html"], ["--build", "build"]])
def test_the_old_spelling_is_one_clear_usage_error(cli, args: list[str], tmp_path: Path) -> None:
    result = cli("report", *args)
    assert result.exit_code == 2
    message = {
        "--out": "ntrk-kg: error: report --out is the build folder, as for every other command, and report.html "
                 "looks like the page to write: use ntrk-kg report --html report.html (and --out BUILD for the build to read)\n",
        "--build": "ntrk-kg: error: report --build is now --out, as for every other command: ntrk-kg report --out build\n",
    }[args[0]]
    assert result.output == message
    assert not (tmp_path / "report.html").exists()


def test_report_of_a_file_without_named_graphs_is_a_usage_error(cli, built_dir: Path, tmp_path: Path) -> None:
    result = cli("report", str(built_dir / "ntrk-kg.ttl"), "--html", str(tmp_path / "r.html"))
    assert result.exit_code == 2
    assert "holds no guide in the named graph" in result.output


def _chromium() -> str:
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    if os.environ.get("CI") == "true":
        pytest.fail("chromium is not installed, and under CI=true the browser tests must run (apt-get install chromium)")
    pytest.skip("chromium is not installed (Debian package 'chromium'); the browser tests need it")


def _run_chromium(binary: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    profile = tmp_path / "profile"
    profile.mkdir(exist_ok=True)
    cmd = [binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           f"--user-data-dir={profile}", *args]
    return subprocess.run(cmd, capture_output=True, timeout=120, check=False)


def test_report_opens_in_headless_chromium(page: str, dataset: Dataset, tmp_path: Path) -> None:
    binary = _chromium()
    path = tmp_path / "report.html"
    path.write_text(page, encoding="utf-8")
    shot = tmp_path / "report.png"
    done = _run_chromium(binary, tmp_path, f"--screenshot={shot}", "--window-size=1280,3000", path.as_uri())
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert int.from_bytes(data[16:20], "big") == 1280 and int.from_bytes(data[20:24], "big") == 3000
    assert len(data) > 100_000  # a blank page of this size compresses to a few kilobytes
    dom = _run_chromium(binary, tmp_path, "--dump-dom", path.as_uri())
    assert dom.returncode == 0
    text = _text(dom.stdout.decode("utf-8"))
    missing = [s for s in _expected_strings(dataset) if s not in text]
    assert missing == []



REFERENCE_1 = "<https://w3id.org/ntrk-kg/id/guide/ntrk-guide/reference/1> <https://w3id.org/ntrk-kg/ontology#referenceNumber> "
NOT_CONFORMING = "the input is not a graph that conforms to the shapes (check it with 'ntrk-kg validate')"


@pytest.mark.parametrize(("replacement", "message"), [
    ("", "ntrkkg:guide/ntrk-guide/reference/1 has no ntrk:referenceNumber in the named graph "
         f"https://w3id.org/ntrk-kg/graph/guide, which the report needs; {NOT_CONFORMING}"),
    (REFERENCE_1 + '"first" <https://w3id.org/ntrk-kg/graph/guide> .\n',
     'ntrkkg:guide/ntrk-guide/reference/1 has "first" as its ntrk:referenceNumber in the named graph '
     f"https://w3id.org/ntrk-kg/graph/guide, which is not an integer; {NOT_CONFORMING}"),
])
def test_a_graph_missing_what_the_page_needs_is_a_usage_error(
    cli, built_dir: Path, tmp_path: Path, replacement: str, message: str,
) -> None:
    """A value the shapes require and the page reads (here reference 1's number), missing or not an
    integer, is one clear usage error naming the node, the property and the graph; no page is written."""
    lines = (built_dir / "ntrk-kg.nq").read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if not line.startswith(REFERENCE_1)]
    assert len(kept) == len(lines) - 1
    broken = tmp_path / "broken.nq"
    broken.write_text("".join(kept) + replacement, encoding="utf-8")
    out = tmp_path / "r.html"
    result = cli("report", str(broken), "--html", str(out))
    assert result.exit_code == 2
    assert result.output == f"ntrk-kg: error: {message}\n"
    assert not out.exists()
