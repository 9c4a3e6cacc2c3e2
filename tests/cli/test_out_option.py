"""``--out`` means one thing for every command: the build folder (read, or written by ``build``)."""

from __future__ import annotations

from pathlib import Path

import click

from kg_build.cli import main


def commands() -> dict[str, click.Command]:
    found: dict[str, click.Command] = {}
    for name, cmd in main.commands.items():
        if isinstance(cmd, click.Group):
            found.update({f"{name} {sub}": c for sub, c in cmd.commands.items()})
        else:
            found[name] = cmd
    return found


def test_every_out_option_is_the_build_folder() -> None:
    outs = {}
    for name, cmd in commands().items():
        for param in cmd.params:
            if "--out" in getattr(param, "opts", ()):
                outs[name] = (param.name, param.default, getattr(param.type, "file_okay", None))
    assert sorted(outs) == ["build", "load", "query run", "release", "report", "serve", "sparql", "stats", "validate"]
    # click does not refuse a file there: the command does, in one line (docs/guarantees.md)
    assert set(outs.values()) == {("out_dir", Path("build"), True)}
