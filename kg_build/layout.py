"""The build folder: the one owner of the names of the files a build writes.

``BuildLayout(out_dir)`` names every file and folder of a build (``build/`` by default). The data
exports are ``ntrk-kg.<suffix>``, the suffix being the one the RDF format registry gives
(:mod:`kg_build.rdf.formats`); everything else has a fixed name here.
"""

from __future__ import annotations

from pathlib import Path

DEFAULT_OUT = Path("build")
STEM = "ntrk-kg"
"""The stem of every data export: ``ntrk-kg.ttl``, ``ntrk-kg.nq``..."""
NQUADS_FILE = f"{STEM}.nq"
"""The N-Quads export: every named graph, sorted; the file every other output is made from."""
STORE_DIR = "store"
MANIFEST_FILE = "manifest.json"
CONTEXT_FILE = "context.jsonld"
ONTOLOGY_FILE = f"{STEM}-ontology.ttl"
"""The full OWL ontology, class expressions included (the dataset's ontology graph omits them)."""
SSSOM_FILE = f"{STEM}.sssom.tsv"
RELEASE_DIR = "release"
VOID_FILE = "void.ttl"


def export_file(suffix: str) -> str:
    """The file name of the data export with ``suffix``.

    >>> export_file("ttl")
    'ntrk-kg.ttl'
    """
    return f"{STEM}.{suffix}"


class BuildLayout:
    """The paths of a build in ``out_dir``."""

    def __init__(self, out_dir: Path | str = DEFAULT_OUT) -> None:
        self.out_dir = Path(out_dir)

    @property
    def nquads(self) -> Path:
        return self.out_dir / NQUADS_FILE

    @property
    def store(self) -> Path:
        return self.out_dir / STORE_DIR

    @property
    def manifest(self) -> Path:
        return self.out_dir / MANIFEST_FILE

    @property
    def release(self) -> Path:
        return self.out_dir / RELEASE_DIR

    def export(self, suffix: str) -> Path:
        """The data export with ``suffix`` (``ttl``, ``nq``...)."""
        return self.out_dir / export_file(suffix)

    def missing_build(self) -> str:
        """What to tell a user who asked for a build that is not there."""
        return f"{self.nquads} does not exist; run 'ntrk-kg build --out {self.out_dir}' first"
