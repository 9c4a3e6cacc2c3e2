"""Write a build's files atomically: staged beside their final names, renamed into place together.

Also the manifest (counts and checksums) and the JSON-LD context. The formats themselves are
written by ``kg_build.build.writers``.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from kg_build import __version__, layout
from kg_build.build.writers import file_names
from kg_build.errors import UsageError
from kg_build.rdf.prefixes import jsonld_context  # noqa: F401  (re-exported: the context file's writer)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


@dataclass(frozen=True)
class Output:
    name: str
    data: bytes


class StagedFiles:
    """Files written under temporary names in ``out_dir``, renamed into place only by :meth:`commit`."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.paths: dict[str, Path] = {}

    def path(self, name: str) -> Path:
        """The temporary path to write the file ``name`` to."""
        if name not in self.paths:
            self.paths[name] = self.out_dir / f".{name}.tmp-{os.getpid()}"
        return self.paths[name]

    def write(self, name: str, data: bytes) -> None:
        """Stage ``data`` as the file ``name``."""
        self.path(name).write_bytes(data)

    def commit(self) -> list[Path]:
        """Flush every staged file to disk, then rename them all into place."""
        for tmp in self.paths.values():
            fd = os.open(tmp, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        finals = []
        for name, tmp in self.paths.items():
            os.replace(tmp, self.out_dir / name)
            finals.append(self.out_dir / name)
        self.paths = {}
        return finals

    def discard(self) -> None:
        """Remove every staged file (the build failed)."""
        for tmp in self.paths.values():
            tmp.unlink(missing_ok=True)
        self.paths = {}

def ensure_directory(out_dir: Path) -> None:
    """Create ``out_dir`` if needed; a directory that cannot be made is a usage error, not a traceback."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"{out_dir}: cannot write the build there: {exc.strerror or exc}") from exc


def write_atomically(out_dir: Path, outputs: Iterable[Output]) -> list[Path]:
    """Write every output to a temporary file first, then rename them all into place.

    If anything fails before the renames, the temporary files are removed and the previous
    contents of ``out_dir`` are untouched.
    """
    staged: list[tuple[Path, Path]] = []
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        for o in outputs:
            final = out_dir / o.name
            tmp = out_dir / f".{o.name}.tmp-{os.getpid()}"
            with tmp.open("wb") as fh:
                fh.write(o.data)
                fh.flush()
                os.fsync(fh.fileno())
            staged.append((tmp, final))
    except BaseException as exc:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise UsageError(f"{out_dir}: cannot write the build there: {exc.strerror or exc}") from exc
        raise
    for tmp, final in staged:
        os.replace(tmp, final)
    return [final for _, final in staged]


def remove_stale(out_dir: Path, written: Iterable[str], known: Iterable[str]) -> list[str]:
    """Remove files a previous build left in ``out_dir`` under a name this build did not write.

    Only the build's own file names (``known``) are touched, so a rebuild with fewer formats
    leaves no export of the older build that the manifest would not describe.
    """
    removed = []
    for name in sorted(set(known) - set(written)):
        path = out_dir / name
        if path.is_file():
            path.unlink()
            removed.append(name)
    return removed


def export_file_names() -> list[str]:
    """Every file name a build may write (not the store directory)."""
    return file_names() + [layout.CONTEXT_FILE, layout.ONTOLOGY_FILE, layout.SSSOM_FILE, layout.MANIFEST_FILE]


def manifest(
    graphs: dict[str, int], union: int, inputs: dict[str, str], outputs: dict[str, str],
    extra: dict[str, object] | None = None,
) -> bytes:
    """The build manifest: version, quads per named graph, sha256 of inputs and outputs."""
    body: dict[str, object] = {
        "generator": f"ntrk-kg {__version__}",
        "graphs": dict(sorted(graphs.items())),
        "quads": sum(graphs.values()),
        "triples_in_union": union,
        "inputs": dict(sorted(inputs.items())),
        "outputs": dict(sorted(outputs.items())),
    }
    if extra:
        body.update(extra)
    return (json.dumps(body, indent=2, sort_keys=False, ensure_ascii=False) + "\n").encode("utf-8")
