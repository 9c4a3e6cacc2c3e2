"""The manifest of a build (counts and checksums), the JSON-LD context, and files written atomically.

A build's files are written into the next generation of the build folder and swapped in whole
(:mod:`kg_build.build.generation`); :func:`write_atomically` is for single files written
elsewhere (the HTML report). The formats themselves are written by ``kg_build.build.writers``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from kg_build import __version__, layout
from kg_build.build.writers import file_names
from kg_build.errors import FileSystemError
from kg_build.rdf.prefixes import jsonld_context  # noqa: F401  (re-exported: the context file's writer)


@dataclass(frozen=True)
class Output:
    name: str
    data: bytes


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
            raise FileSystemError.wrap(exc, out_dir, "cannot write there") from exc
        raise
    for tmp, final in staged:
        os.replace(tmp, final)
    return [final for _, final in staged]


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
