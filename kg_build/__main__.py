"""Run the command-line interface: ``python -m kg_build``."""

from kg_build.cli import main

main()
