"""The public Python API, called as a user calls it; the examples of docs/api.md run as written."""

from __future__ import annotations

import doctest
import inspect
import subprocess
import sys
from pathlib import Path

import pytest

import kg_build
from kg_build import api

DOC = Path(__file__).resolve().parents[1] / "docs" / "api.md"


def test_the_package_exports_the_api() -> None:
    assert sorted(set(kg_build.__all__) - {"__version__"}) == sorted(api.__all__)
    for name in api.__all__:
        assert getattr(kg_build, name) is getattr(api, name)
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        kg_build.nope  # noqa: B018


def test_options_are_keyword_only_and_documented() -> None:
    for name in ("build_graph", "validate", "run_query", "open_store", "list_queries"):
        func = getattr(api, name)
        assert func.__doc__
        params = list(inspect.signature(func).parameters.values())
        assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in params[1:]), name


def test_importing_the_package_is_cheap() -> None:
    code = "import sys, kg_build; print(sorted(m for m in ('pyoxigraph', 'rdflib', 'click') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_the_docs_examples_run_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = doctest.testfile(str(DOC), module_relative=False, optionflags=doctest.ELLIPSIS)
    assert (result.failed, result.attempted) == (0, 13)


def test_errors_are_kg_errors(tmp_path: Path) -> None:
    with pytest.raises(kg_build.UsageError, match="no query called 'nope'"):
        kg_build.run_query("nope", out_dir=tmp_path)
    with pytest.raises(kg_build.UsageError, match="store does not exist"):
        kg_build.open_store(tmp_path)
