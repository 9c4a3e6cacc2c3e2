"""What a side of a diff is: a build folder, a release bundle or an N-Quads file."""

from __future__ import annotations

from pathlib import Path

from kg_build import layout
from kg_build.diff.compare import Side
from kg_build.errors import UsageError
from kg_build.rdf.iris import DATASET

IS_VERSION_OF = "http://purl.org/dc/terms/isVersionOf"


def side(path: Path) -> Side:
    """The side at ``path``: a folder holding ``ntrk-kg.nq`` (a build or a release bundle, whose
    ``void.ttl`` names its version) or an N-Quads file (``.nq``)."""
    if path.is_dir():
        nquads = layout.BuildLayout(path).nquads
        if not nquads.is_file():
            raise UsageError(
                f"{path} is a folder without {layout.NQUADS_FILE}: give a build folder (ntrk-kg build --out DIR), a "
                "release bundle (ntrk-kg release) or an N-Quads file"
            )
        return Side(nquads, str(path), version_of(path / layout.VOID_FILE))
    if path.is_file():
        if path.suffix != ".nq":
            raise UsageError(
                f"{path}: not an N-Quads file (.nq); give a build folder, a release bundle or the "
                f"{layout.NQUADS_FILE} a build writes"
            )
        return Side(path, str(path))
    raise UsageError(f"{path} does not exist; give a build folder, a release bundle or an N-Quads file")


def version_of(void: Path) -> str | None:
    """The IRI of the release a bundle's ``void.ttl`` describes (``dcterms:isVersionOf`` the
    dataset), or ``None`` without that file."""
    if not void.is_file():
        return None
    import pyoxigraph as ox

    try:
        with open(void, "rb") as fh:
            found = sorted(
                t.subject.value for t in ox.parse(fh, format=ox.RdfFormat.TURTLE)
                if t.predicate.value == IS_VERSION_OF and t.object.value == str(DATASET)
            )
    except (SyntaxError, OSError) as exc:
        raise UsageError(f"{void}: cannot be read as Turtle: {exc}") from None
    return found[0] if found else None
