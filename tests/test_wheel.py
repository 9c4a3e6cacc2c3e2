"""An installed wheel, not the checkout, can build the graph."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--no-build-isolation", "-q", "-w", str(out)],
        check=True, capture_output=True,
    )
    (path,) = out.glob("ntrk_kg-*.whl")
    return path


def test_wheel_ships_the_ontology_queries_and_curated_data(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "kg_build/ontology/ntrk.ttl" in names
    assert "kg_build/data/prevalence.tsv" in names
    assert "kg_build/data/prefixes.tsv" in names
    for rq in (ROOT / "queries").glob("*.rq"):
        assert f"kg_build/queries/{rq.name}" in names


def test_wheel_ships_what_the_server_needs(wheel: Path) -> None:
    """``ntrk-kg serve`` runs from the wheel alone: its templates, internal queries, YASGUI and its licences."""
    names = set(zipfile.ZipFile(wheel).namelist())
    for rq in (ROOT / "queries" / "internal").glob("*.rq"):
        assert f"kg_build/queries/internal/{rq.name}" in names
    for f in (ROOT / "kg_build" / "templates" / "serve").iterdir():
        assert f"kg_build/templates/serve/{f.name}" in names
    assert {"kg_build/static/query.js", "kg_build/static/yasgui/yasgui.min.js", "kg_build/static/yasgui/yasgui.min.css",
            "kg_build/static/yasgui/LICENSES.txt"} <= names


def test_wheel_ships_the_type_marker_and_the_licence(wheel: Path) -> None:
    """Type checkers read the package's hints (PEP 561); the MIT licence travels with the code."""
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "kg_build/py.typed" in names
    (licence,) = [n for n in names if n.endswith("dist-info/licenses/LICENSE")]
    assert zipfile.ZipFile(wheel).read(licence) == (ROOT / "LICENSE").read_bytes()


def test_installed_wheel_builds_outside_the_checkout(wheel: Path, tmp_path: Path, built_dir: Path) -> None:
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site), str(wheel)],
                   check=True, capture_output=True)
    env = {**os.environ, "PYTHONPATH": str(site)}
    where = subprocess.run([sys.executable, "-c", "import kg_build.resources as p; print(p.PACKAGE_DIR); print(p.ONTOLOGY_DIR)"],
                           cwd=tmp_path, env=env, check=True, capture_output=True, text=True).stdout.split()
    assert where == [str(site / "kg_build"), str(site / "kg_build" / "ontology")]
    run = subprocess.run([sys.executable, "-m", "kg_build", "build", "--out", "out"], cwd=tmp_path, env=env,
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    for f in built_dir.iterdir():
        if f.is_file():
            assert (tmp_path / "out" / f.name).read_bytes() == f.read_bytes(), f.name
