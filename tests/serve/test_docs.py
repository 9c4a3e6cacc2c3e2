"""docs/serving.md is real: its curl examples are run against a server, its rules and options exist."""

from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path

from kg_build.serve.htaccess import rules

DOC = Path(__file__).resolve().parents[2] / "docs" / "serving.md"
SHOWN_URL = "http://127.0.0.1:8000"


def test_every_curl_example_prints_what_the_doc_shows(served) -> None:
    blocks = re.findall(r"```console\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    examples = [(m.group(1), m.group(2)) for block in blocks
                for m in re.finditer(r"^\$ (curl [^\n]*)\n(.*?)(?=^\$ |\Z)", block, re.S | re.M)]
    assert len(examples) == 3
    for command, shown in examples:
        args = [a.replace(SHOWN_URL, served.url) for a in shlex.split(command)]
        done = subprocess.run([args[0], "-sS", *args[1:]], capture_output=True, text=True, timeout=60, check=False)
        assert done.stdout == shown, command


def test_the_rules_shown_are_the_rules_written() -> None:
    block = re.search(r"```apache\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert block and block.group(1) == rules("https://kg.example.org")


def test_every_option_the_doc_names_exists(cli) -> None:
    help_text = cli("serve", "--help").output
    named = set(re.findall(r"(--[a-z][a-z-]+)", DOC.read_text(encoding="utf-8")))
    named -= {"--sizes", "--duration", "--connections", "--format"}  # benchmarks/serve.py's, ntrk-kg query's
    missing = sorted(o for o in named if o not in help_text)
    assert missing == []
