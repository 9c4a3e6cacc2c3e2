"""The build folder: the one owner of the names of the files a build writes.

``BuildLayout(out_dir)`` names every file and folder of a build (``build/`` by default). The data
exports are ``ntrk-kg.<suffix>``, the suffix being the one the RDF format registry gives
(:mod:`kg_build.rdf.formats`); everything else has a fixed name here.
"""

from __future__ import annotations

import re
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
CHANGES_MD = "CHANGES.md"
"""In a release bundle made with ``--previous``: what changed since, as Markdown release notes."""
CHANGES_RDF = "changes.ttl"
"""In a release bundle made with ``--previous``: what changed since, as an RDF change set."""


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


WORK_DIR = ".work"
"""The build's scratch folder inside the next generation (removed before it is swapped in)."""

# -- beside the build folder (in its parent): the lock and the generations -----------------------
_GENERATION = r"\.{name}\.(?P<kind>new|old)-(?P<pid>\d+)"


def lock_name(folder: str) -> str:
    """The lock file of the build folder ``folder``, kept beside it.

    >>> lock_name("build")
    '.build.lock'
    """
    return f".{folder}.lock"


def generation_name(folder: str, kind: str, pid: int) -> str:
    """The folder beside ``folder`` where a build writes its next generation (``new``), or
    where the previous one waits to be removed when no atomic exchange exists (``old``).

    >>> generation_name("build", "new", 42)
    '.build.new-42'
    """
    return f".{folder}.{kind}-{pid}"


def generation_pattern(folder: str) -> re.Pattern[str]:
    """Matches the generation folders of ``folder`` (groups ``kind`` and ``pid``)."""
    return re.compile(_GENERATION.format(name=re.escape(folder)) + "$")


# -- in the build folder: what earlier versions of the build left after a crash ------------------
_LEFTOVERS = (
    re.compile(r"\.build-tmp-(?P<pid>\d+)"),
    re.compile(r"\.store\.(?:tmp|old)-(?P<pid>\d+)"),
    re.compile(r"\.release\.(?:tmp|old)-(?P<pid>\d+)"),
    re.compile(r"\.(?:ntrk-kg[^/]*|manifest\.json|context\.jsonld)\.tmp-(?P<pid>\d+)"),
    re.compile(r"\.ntrk-kg-export-[A-Za-z0-9_]+"),
)


def leftover_pid(name: str) -> int | None:
    """If ``name`` is a temporary file or folder a build of an earlier version made in the build
    folder: the pid of the process that made it (-1 when the name has none); else None.

    >>> leftover_pid(".build-tmp-123"), leftover_pid(".ntrk-kg.ttl.tmp-7"), leftover_pid(".ntrk-kg-export-x1_y")
    (123, 7, -1)
    >>> leftover_pid("release") is None, leftover_pid(".notes.tmp-3") is None
    (True, True)
    """
    for pattern in _LEFTOVERS:
        m = pattern.fullmatch(name)
        if m:
            return int(m.group("pid")) if "pid" in pattern.groupindex else -1
    return None
