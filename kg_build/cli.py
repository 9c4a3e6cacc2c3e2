"""The ``ntrk-kg`` command line: one entry point, one subcommand per job.

Each subcommand lives in its own module under ``kg_build/commands/`` and exposes ``command``;
modules import their heavy dependencies inside the command, so ``--help`` and fast paths stay light.
Exit codes: 0 success, 1 the graph does not conform (validation failure) or a server refused,
2 bad input or usage.
Library code raises; only the command modules print and exit.
The ``ntrk-kg`` script enters through ``kg_build.entry``, which runs ``query NAME`` itself (without
importing click) and hands everything else to ``main`` here.
"""

from __future__ import annotations

import importlib
import pkgutil

import click

from kg_build import __version__, commands


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ntrk-kg")
def main() -> None:
    """Build, check and query the NTRK gene fusion knowledge graph.

    Exit codes: 0 success; 1 the graph does not conform, or a server refused; 2 bad input or usage.
    """


for _info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
    main.add_command(importlib.import_module(f"kg_build.commands.{_info.name}").command)
