"""The README and the docs name only what exists: every ``ntrk-kg`` subcommand and option they
mention is in the click application, every relative link resolves to a file (and heading), and
every repository path they quote is there."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import pytest

from kg_build.cli import main

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted(
    [ROOT / "README.md", ROOT / "CHANGELOG.md", ROOT / "ontology" / "README.md", ROOT / "kg_build" / "data" / "README.md",
     *(ROOT / "docs").glob("*.md")]
)
FENCE = re.compile(r"^(```|~~~)")
OPTION = re.compile(r"^--?[A-Za-z][\w-]*$")
CHOICES = re.compile(r"^[a-z0-9][a-z0-9-]*(\|[a-z0-9][a-z0-9-]*)*$")
BENCH_SCRIPT = re.compile(r"python3? (benchmarks/\w+\.py)")
PLACEHOLDER = re.compile(r"[A-Z][A-Z0-9_-]*")


def _name(page: Path) -> str:
    return str(page.relative_to(ROOT))


def prose_and_code(text: str) -> tuple[list[str], list[str]]:
    """The page's lines outside fenced code blocks, and its code lines (continuations joined)."""
    prose, code, inside, pending = [], [], False, ""
    for line in text.splitlines():
        if FENCE.match(line):
            inside = not inside
            continue
        if not inside:
            prose.append(line)
        elif line.endswith("\\"):
            pending += line[:-1] + " "
        elif code and re.match(r"^\s+\[-", line) and not pending:  # a usage line wrapped after ntrk-kg ...
            code[-1] += " " + line
        else:
            code.append(pending + line)
            pending = ""
    return prose, code


def code_spans(prose: list[str]) -> list[str]:
    return [span for line in prose for span in re.findall(r"`([^`]+)`", line)]


def commands(page: Path) -> Iterator[str]:
    """Each mention of ``ntrk-kg`` followed by arguments, in code spans and in code lines."""
    prose, code = prose_and_code(page.read_text(encoding="utf-8"))
    for text in code_spans(prose) + code:
        text = re.sub(r"^\$ ", "", text)
        text = re.sub(r"\s#\s.*$", "", text)  # a shell comment
        text = re.sub(r"'[^']*'", "", text)  # a quoted SPARQL query
        text = " ".join(text.split())
        for m in re.finditer(r"(?:^|[\s(])ntrk-kg((?: [^\s:][^\s]*)+)", text):
            yield m.group(1).strip()


def _pieces(raw: str) -> list[str]:
    """``[--reason/--no-reason]`` -> ``--reason``, ``--no-reason``; ``[--graph`` -> ``--graph``."""
    words = re.split(r"[|/]", raw) if raw.lstrip("[").startswith("-") else [raw]
    return [w.strip("[](),;.").removesuffix("...").rstrip("]") for w in words]


def _param(command: click.Command, option: str) -> click.Parameter | None:
    for p in command.params:
        if option in p.opts or option in p.secondary_opts:
            return p
    return None


def check_command(args: str) -> list[str]:
    """What in ``ntrk-kg <args>`` the application does not have."""
    problems: list[str] = []
    command: click.Command = main
    ctx = click.Context(main, info_name="ntrk-kg")
    descending = True
    raw = args.split()
    for i, token in enumerate(raw):
        for word in _pieces(token):
            if descending and isinstance(command, click.Group) and re.fullmatch(r"[A-Za-z][\w-]*", word):
                try:
                    _, sub, _ = command.resolve_command(ctx, [word])
                except click.UsageError:
                    if PLACEHOLDER.fullmatch(word):  # `ntrk-kg COMMAND --help`: any subcommand
                        descending = False
                        continue
                    return [f"no subcommand {word!r} in 'ntrk-kg {args}'"]
                assert sub is not None
                ctx, command = click.Context(sub, parent=ctx, info_name=sub.name), sub
                continue
            descending = False
            if not OPTION.match(word) or word in ctx.help_option_names or (command is main and word == "--version"):
                continue
            param = _param(command, word)
            if param is None:
                problems.append(f"'{ctx.command_path}' has no option {word} (in 'ntrk-kg {args}')")
                continue
            value = raw[i + 1].strip("[](),;").removesuffix("...").rstrip("]") if i + 1 < len(raw) else ""
            if isinstance(param.type, click.Choice) and CHOICES.match(value):
                for choice in value.split("|"):
                    if choice not in param.type.choices:
                        problems.append(f"'{ctx.command_path} {word}' has no choice {choice!r} (in 'ntrk-kg {args}')")
    return problems


def every_command() -> Iterator[click.Command]:
    stack: list[click.Command] = [main]
    while stack:
        command = stack.pop()
        yield command
        if isinstance(command, click.Group):
            stack.extend(command.commands.values())


@pytest.fixture(scope="module")
def script_options() -> dict[str, set[str]]:
    """The options each benchmark script's ``--help`` lists."""
    out = {}
    for script in sorted((ROOT / "benchmarks").glob("*.py")):
        result = subprocess.run([sys.executable, str(script), "--help"], capture_output=True, text=True, cwd=ROOT)
        if result.returncode == 0:
            out[f"benchmarks/{script.name}"] = set(re.findall(r"(?<![\w-])(--?[A-Za-z][\w-]*)", result.stdout))
    return out


def test_the_checks_catch_what_is_missing() -> None:
    """The checker itself refuses an unknown subcommand, option and choice (and accepts the real ones)."""
    assert check_command("build --out DIR [--format turtle|nquads ...] [--reason/--no-reason] [--profile|-v]") == []
    assert check_command("query NAME [-p name=value]... [--page K]") == []
    assert check_command("query list --markdown") == []
    assert check_command("--help | --version") == []
    assert check_command("COMMAND --help") == []
    assert check_command("bulid") == ["no subcommand 'bulid' in 'ntrk-kg bulid'"]
    assert check_command("stats --fromat csv") == ["'ntrk-kg stats' has no option --fromat (in 'ntrk-kg stats --fromat csv')"]
    assert check_command("validate [--engine oxigraph|jena]") == [
        "'ntrk-kg validate --engine' has no choice 'jena' (in 'ntrk-kg validate [--engine oxigraph|jena]')"]


@pytest.mark.parametrize("page", PAGES, ids=_name)
def test_every_ntrk_kg_command_and_option_mentioned_exists(page: Path) -> None:
    problems = [p for args in commands(page) for p in check_command(args)]
    assert problems == [], f"{_name(page)}: " + "; ".join(problems)


@pytest.mark.parametrize("page", PAGES, ids=_name)
def test_every_option_mentioned_alone_exists(page: Path, script_options: dict[str, set[str]]) -> None:
    """An option quoted on its own (`--profile`, `--engine rdflib`) is an option of some ``ntrk-kg``
    command (or of a benchmark script the page runs), and a value given with it is one of its choices."""
    text = page.read_text(encoding="utf-8")
    prose, code = prose_and_code(text)
    known: dict[str, list[click.Parameter]] = {}
    for command in every_command():
        for p in command.params:
            for opt in (*p.opts, *p.secondary_opts):
                known.setdefault(opt, []).append(p)
    scripts = {s for line in code for s in BENCH_SCRIPT.findall(line)}
    elsewhere = set().union(*(script_options.get(s, set()) for s in scripts))
    problems = []
    for span in code_spans(prose):
        m = re.fullmatch(r"(--?[A-Za-z][\w-]*(?:[/|]--?[A-Za-z][\w-]*)*)(?: (\S+))?", span)
        if not m:
            continue
        for option in re.split(r"[/|]", m.group(1)):
            params = known.get(option, [])
            if not params and option not in elsewhere:
                problems.append(f"no command has the option {option}")
            value = m.group(2)
            if params and value and CHOICES.match(value) and all(isinstance(p.type, click.Choice) for p in params):
                if not any(set(value.split("|")) <= set(p.type.choices) for p in params):  # type: ignore[attr-defined]
                    problems.append(f"{option} has no choice among {value!r}")
    for line in code:  # the benchmark scripts' own command lines
        for script in BENCH_SCRIPT.findall(line):
            for option in re.findall(r"(?<![\w-])(--[A-Za-z][\w-]*)", line.split(script, 1)[1]):
                if option not in script_options.get(script, set()):
                    problems.append(f"{script} has no option {option}")
    assert problems == [], f"{_name(page)}: " + "; ".join(problems)


def slug(heading: str) -> str:
    """GitHub's anchor for a heading."""
    text = re.sub(r"[`*_]|\[|\]", "", heading.strip()).lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    prose, _ = prose_and_code(page.read_text(encoding="utf-8"))
    seen: dict[str, int] = {}
    out = set()
    for line in prose:
        m = re.match(r"^#{1,6} (.+)$", line)
        if m:
            base = slug(m.group(1))
            n = seen.get(base, 0)
            seen[base] = n + 1
            out.add(base if n == 0 else f"{base}-{n}")
    return out


def links(page: Path) -> Iterator[str]:
    prose, _ = prose_and_code(page.read_text(encoding="utf-8"))
    text = "\n".join(re.sub(r"`[^`]*`", "", line) for line in prose)
    yield from re.findall(r"\]\(([^)\s]+)\)", text)
    yield from re.findall(r"^\[[^\]]+\]: (\S+)", text, re.M)


def test_slugs_are_githubs() -> None:
    assert slug("How it scales, and what the build does at large sizes") == "how-it-scales-and-what-the-build-does-at-large-sizes"
    assert slug("`ntrk-kg validate`") == "ntrk-kg-validate"
    assert slug("[0.1.0]") == "010"
    assert slug("Counting: `ntrk-kg stats`") == "counting-ntrk-kg-stats"


def link_problems(page: Path) -> list[str]:
    problems = []
    for target in links(page):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # https:, mailto:
            continue
        path, _, anchor = target.partition("#")
        file = (page.parent / path).resolve() if path else page
        if not file.exists():
            problems.append(f"{target}: no such file")
        elif anchor and file.suffix == ".md" and anchor not in anchors(file):
            problems.append(f"{target}: no heading #{anchor} in {file.name}")
    return problems


@pytest.mark.parametrize("page", PAGES, ids=_name)
def test_every_relative_link_resolves(page: Path) -> None:
    assert link_problems(page) == [], _name(page)


def test_a_broken_link_or_anchor_is_found(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("# Top\n\n[ok](#top) [gone](missing.md) [bad](#nowhere) [web](https://example.org/x)\n"
                    "`[not a link](missing.md)`\n\n```\n[nor this](missing.md)\n```\n\n[ref]: other.md#top\n")
    (tmp_path / "other.md").write_text("# Other\n")
    assert link_problems(page) == ["missing.md: no such file", "#nowhere: no heading #nowhere in page.md",
                                   "other.md#top: no heading #top in other.md"]


@pytest.mark.parametrize("page", [p for p in PAGES if p.name != "CHANGELOG.md"], ids=_name)
def test_every_repository_path_quoted_exists(page: Path) -> None:
    """A path of this repository quoted in a page (`kg_build/build/builder.py`) is there; a path
    with a placeholder (`queries/NAME.rq`, `queries/*.rq`) matches at least one file."""
    prose, _ = prose_and_code(page.read_text(encoding="utf-8"))
    problems = []
    for span in code_spans(prose):
        if not re.fullmatch(r"(kg_build|ontology|queries|tests|benchmarks|docs|\.ci)(/[\w.*-]+)*/?", span):
            continue
        pattern = re.sub(r"(?<![a-z])[A-Z]{2,}(?![a-z])", "*", span).rstrip("/")
        if "__pycache__" in pattern:
            continue
        if not (any(ROOT.glob(pattern)) if "*" in pattern else (ROOT / pattern).exists()):
            problems.append(span)
    assert problems == [], f"{_name(page)} quotes paths that do not exist: {problems}"


def test_the_docs_index_lists_every_page() -> None:
    index = (ROOT / "docs" / "README.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"\]\(([\w-]+\.md)\)", index))
    assert listed == {p.name for p in (ROOT / "docs").glob("*.md")} - {"README.md"}


def test_the_readme_links_every_page_of_the_docs() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"\]\(docs/([\w-]+\.md)\)", readme))
    assert listed >= {p.name for p in (ROOT / "docs").glob("*.md")} - {"README.md"}
