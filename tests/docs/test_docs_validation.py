"""docs/validation.md states the engines' tally on the W3C suites that tests/shacl/test_w3c.py checks
(its console examples are re-run by tests/docs/test_examples.py)."""

from __future__ import annotations

from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "validation.md"


def test_the_w3c_table_is_the_tested_tally() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert "| `oxigraph` (default) | 98 | 0 | 0 | 17 | 5 | 0 |" in text
    assert "| `pyshacl` 0.40.1 | 97 | 0 | 1 | 20 | 2 | 0 |" in text
