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
from click.testing import CliRunner
from rdflib import RDF, RDFS, Dataset

from kg_build.cli import main
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
    assert row and "Soft tissue sarcoma lower bound 0.57% is in neither [5] nor [6]" in html.unescape(row.group(0))
    ref2 = re.search(r'<tr id="ref-2">.*?</tr>\n', page, re.S)
    assert ref2 and "Reference [2] cannot be resolved" in ref2.group(0)


def test_report_is_deterministic(dataset: Dataset, page: str) -> None:
    assert report.render(dataset) == page


def test_report_command(built_dir: Path, tmp_path: Path) -> None:
    """--out is the build folder, as for every other command; the page goes to --html."""
    out = tmp_path / "report.html"
    result = CliRunner().invoke(main, ["report", "--out", str(built_dir), "--html", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output == f"wrote {out.resolve()}\n"
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    missing = CliRunner().invoke(main, ["report", "--out", str(tmp_path / "none"), "--html", str(out)])
    assert missing.exit_code == 2
    assert "run 'ntrk-kg build" in missing.output and "Traceback" not in missing.output


@pytest.mark.parametrize("args", [["--out", "report.html"], ["--build", "build"]])
def test_the_old_spelling_is_one_clear_usage_error(args: list[str], tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["report", *args])
    assert result.exit_code == 2
    message = {
        "--out": "ntrk-kg: error: report --out is the build folder, as for every other command, and report.html "
                 "looks like the page to write: use ntrk-kg report --html report.html (and --out BUILD for the build to read)\n",
        "--build": "ntrk-kg: error: report --build is now --out, as for every other command: ntrk-kg report --out build\n",
    }[args[0]]
    assert result.output == message
    assert not (tmp_path / "report.html").exists()


def test_report_of_a_file_without_named_graphs_is_a_usage_error(built_dir: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["report", str(built_dir / "ntrk-kg.ttl"), "--html", str(tmp_path / "r.html")])
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
