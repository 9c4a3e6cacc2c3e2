"""The ``ntrk-kg`` command line: one entry point, one subcommand per job.

Each subcommand lives in its own module of this package and exposes ``command``; modules import
their heavy dependencies inside the command, so ``--help`` stays light. Only this package prints
and exits: library code raises, and :func:`kg_build.cli.options.errors_to_exit` turns a
:class:`kg_build.errors.KgError` into one paragraph on stderr and its exit code
(see :data:`kg_build.errors.EXIT_CODES`).
"""

from __future__ import annotations

import importlib

import click

from kg_build import __version__
from kg_build.errors import EXIT_CODES

SUBCOMMANDS = ("build", "diff", "load", "query", "release", "report", "serve", "sparql", "stats", "validate")
"""The modules of this package that each define one subcommand, in the order ``--help`` lists them."""


def _exit_codes() -> str:
    return "; ".join(f"{code} {meaning}" for code, meaning in EXIT_CODES.items())


@click.group(context_settings={"help_option_names": ["-h", "--help"]}, epilog=f"Exit codes: {_exit_codes()}.")
@click.version_option(__version__, prog_name="ntrk-kg")
def main() -> None:
    """Build, check and query the NTRK gene fusion knowledge graph."""


for _name in SUBCOMMANDS:
    main.add_command(importlib.import_module(f"kg_build.cli.{_name}").command)
