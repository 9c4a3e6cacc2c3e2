"""Shared fixtures: one build of the real curated data per test session, into a temporary folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Dataset

from kg_build import pipeline
from kg_build.paths import DATA_DIR


@pytest.fixture(scope="session")
def built_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A complete build of the packaged curated data (all formats)."""
    out = tmp_path_factory.mktemp("build")
    pipeline.build(out)
    return out


@pytest.fixture(scope="session")
def dataset(built_dir: Path) -> Dataset:
    """The built dataset, parsed back from its N-Quads export; queries see the union of its graphs."""
    ds = Dataset(default_union=True)
    ds.parse(built_dir / "ntrk-kg.nq", format="nquads")
    return ds


@pytest.fixture()
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of the curated tables, for tests that break them on purpose."""
    target = tmp_path / "data"
    target.mkdir()
    for f in DATA_DIR.iterdir():
        if f.is_file():
            (target / f.name).write_bytes(f.read_bytes())
    return target
