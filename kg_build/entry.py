"""The ``ntrk-kg`` entry point: ``query NAME`` runs without loading click; the rest goes to click.

Running one catalogue query is the command people script and time, and importing click costs
more than the query itself on the guide graph. So when the arguments are a well-formed
``query [run] NAME [OPTIONS]`` that click would accept as is, they are read here, from a table of
the ``run`` options (``RUN_OPTIONS``; a test checks it against the click options of
``kg_build.commands.query``), and the query runs through the same code as the click command
(``kg_build.query_run``). Anything else (help, other commands, an unknown or malformed option, a
value click would refuse) goes to the click application in ``kg_build.cli``, so every message
and exit status stays click's.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from kg_build.query_run import ENGINES, FORMATS

# option string -> parameter name, as declared by kg_build.commands.query.run_options
RUN_OPTIONS = {
    "-p": "assignments", "--param": "assignments", "--format": "fmt", "--out": "out_dir",
    "--graph": "graph_files", "--engine": "engine", "--endpoint": "endpoint", "--page": "page",
}
MULTIPLE = ("assignments", "graph_files")
DEFAULTS: dict[str, object] = {"fmt": "table", "out_dir": "build", "engine": "oxigraph", "endpoint": None, "page": 1}
CHOICES = {"fmt": FORMATS, "engine": ENGINES}
# path parameters and the kind of path click accepts for them (click.Path(file_okay=False) / (dir_okay=False))
PATHS = {"out_dir": "dir", "graph_files": "file"}
SUBCOMMANDS = ("list", "show", "run")


def _path_ok(value: str, kind: str) -> bool:
    """Whether click.Path would accept ``value``: absent, or present, readable and of the right kind."""
    try:
        st = os.stat(value)
    except OSError:
        return True
    import stat

    if stat.S_ISREG(st.st_mode) and kind == "dir" or stat.S_ISDIR(st.st_mode) and kind == "file":
        return False
    return os.access(value, os.R_OK)


def parse_query_run(argv: list[str]) -> dict[str, object] | None:
    """The parameters of ``query [run] NAME [OPTIONS]`` if click would accept ``argv`` as is, else ``None``.

    >>> parse_query_run(["query", "pathways", "--format=csv", "-pgene=NTRK1"])["assignments"]
    ('gene=NTRK1',)
    >>> parse_query_run(["query", "pathways", "--help"]) is None
    True
    """
    if len(argv) < 2 or argv[0] != "query":
        return None
    if argv[1] == "run":
        tokens = argv[2:]
    elif argv[1] in SUBCOMMANDS or argv[1].startswith("-"):
        return None
    else:
        tokens = argv[1:]
    values: dict[str, object] = dict(DEFAULTS)
    multiple: dict[str, list[str]] = {name: [] for name in MULTIPLE}
    positional: list[str] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        i += 1
        if not token.startswith("-"):
            positional.append(token)
            continue
        if token.startswith("--"):
            option, eq, value = token.partition("=")
            given = bool(eq)
        else:  # a short option, its value attached (-pname=value) or the next argument
            option, value = token[:2], token[2:]
            given = bool(value)
        name = RUN_OPTIONS.get(option)
        if name is None:
            return None
        if not given:
            if i >= len(tokens):
                return None
            value, i = tokens[i], i + 1
        if name in CHOICES and value not in CHOICES[name]:
            return None
        if name == "page":  # click.IntRange(min=1); any other spelling goes to click
            if not (value.isascii() and value.isdigit() and int(value) >= 1):
                return None
            values[name] = int(value)
            continue
        if name in MULTIPLE:
            multiple[name].append(value)
        else:
            values[name] = value
    if len(positional) != 1:
        return None
    for name, kind in PATHS.items():
        given_paths = multiple[name] if name in MULTIPLE else [values[name]]
        if not all(_path_ok(str(v), kind) for v in given_paths):
            return None
    values["name"] = positional[0]
    values["assignments"] = tuple(multiple["assignments"])
    values["graph_files"] = tuple(Path(v) for v in multiple["graph_files"])
    values["out_dir"] = Path(str(values["out_dir"]))
    return values


def _echo(text: str, err: bool = False) -> None:
    """Write ``text`` as ``click.echo(text, nl=False)`` would; click itself is used for the rare
    cases where it would change the text (ANSI codes, a stream not in UTF-8)."""
    stream = sys.stderr if err else sys.stdout
    if "\x1b" in text or (getattr(stream, "encoding", None) or "").lower().replace("-", "") != "utf8":
        import click

        click.echo(text, nl=False, err=err)
        return
    if text:
        stream.write(text)
    stream.flush()


def _fast_path_allowed() -> bool:
    """False where click's entry point does more than parse: Windows argument expansion, shell completion."""
    return os.name != "nt" and not any(k.startswith("_") and k.endswith("_COMPLETE") for k in os.environ)


def run_query(request: dict[str, object]) -> None:
    """Run a parsed ``query NAME`` request; errors and exit statuses as ``kg_build.cli`` gives them."""
    from kg_build.errors import KgError
    from kg_build.query_run import run_named, terminal_width

    try:
        run_named(request["name"], request["assignments"], request["fmt"], request["out_dir"],  # type: ignore[arg-type]
                  request["graph_files"], request["engine"], request["endpoint"], _echo,  # type: ignore[arg-type]
                  request["page"], terminal_width())  # type: ignore[arg-type]
    except KgError as exc:
        _echo(f"ntrk-kg: error: {exc}\n", err=True)
        sys.exit(exc.exit_code)
    except (EOFError, KeyboardInterrupt):
        _echo("\nAborted!\n", err=True)
        sys.exit(1)
    except OSError as exc:
        import errno

        if exc.errno != errno.EPIPE:
            raise
        from click.utils import PacifyFlushWrapper

        sys.stdout = PacifyFlushWrapper(sys.stdout)  # type: ignore[assignment]
        sys.stderr = PacifyFlushWrapper(sys.stderr)  # type: ignore[assignment]
        sys.exit(1)


def main() -> None:
    """Run ``ntrk-kg`` with the arguments in ``sys.argv``."""
    request = parse_query_run(sys.argv[1:]) if _fast_path_allowed() else None
    if request is None:
        from kg_build.cli import main as cli

        cli()
        return
    run_query(request)
