"""Serialise the dataset deterministically in every common RDF format and write it atomically."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rdflib import BNode, Dataset, Graph, URIRef
from rdflib.term import Node

from kg_build import __version__
from kg_build.prefixes import namespaces

# format name -> (file name, rdflib serializer, holds named graphs)
FORMATS: dict[str, tuple[str, str, bool]] = {
    "turtle": ("ntrk-kg.ttl", "turtle", False),
    "ntriples": ("ntrk-kg.nt", "nt", False),
    "nquads": ("ntrk-kg.nq", "nquads", True),
    "trig": ("ntrk-kg.trig", "trig", True),
    "jsonld": ("ntrk-kg.jsonld", "json-ld", True),
    "rdfxml": ("ntrk-kg.rdf", "xml", False),
}
MEDIA_TYPES = {
    "turtle": "text/turtle",
    "ntriples": "application/n-triples",
    "nquads": "application/n-quads",
    "trig": "application/trig",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
}
CONTEXT_FILE = "context.jsonld"
ONTOLOGY_FILE_NAME = "ntrk-kg-ontology.ttl"
"""The full OWL ontology, class expressions included (the dataset's ontology graph omits them)."""
MANIFEST_FILE = "manifest.json"


def _key(term: Node) -> str:
    return term.n3()


def sorted_quads(ds: Dataset) -> list[tuple[Node, Node, Node, URIRef]]:
    """Every quad of the named graphs, sorted by its N-Quads text (the default graph is empty)."""
    quads = [(s, p, o, g.identifier) for g in ds.graphs() for s, p, o in g if len(g)]
    return sorted(quads, key=lambda q: (_key(q[3]), _key(q[0]), _key(q[1]), _key(q[2])))


def _bind(g: Graph | Dataset) -> None:
    for prefix, ns in namespaces().items():
        g.bind(prefix, ns, override=True, replace=True)


def canonical_dataset(ds: Dataset) -> Dataset:
    """A copy of ``ds`` whose triples were inserted in sorted order, so serialisers iterate stably."""
    out = Dataset()
    _bind(out)
    for s, p, o, g in sorted_quads(ds):
        out.graph(g).add((s, p, o))
    return out


def union_graph(ds: Dataset) -> Graph:
    """The merged graph (union of every named graph), inserted in sorted order."""
    out = Graph(store="SimpleMemory")
    _bind(out)
    triples = sorted({(s, p, o) for s, p, o, _ in sorted_quads(ds)}, key=lambda t: tuple(map(_key, t)))
    for t in triples:
        out.add(t)
    return out


def blank_nodes(ds: Dataset, skip_graphs: Iterable[URIRef] = ()) -> list[tuple[Node, Node, Node]]:
    """Triples that hold a blank node (the dataset must have none), outside ``skip_graphs``."""
    skip = set(skip_graphs)
    return [
        (s, p, o) for s, p, o, g in ds.quads((None, None, None, None))
        if g not in skip and (isinstance(s, BNode) or isinstance(o, BNode))
    ]


def jsonld_context() -> dict[str, object]:
    """The JSON-LD context: the project's prefix map."""
    return {"@context": dict(sorted(namespaces().items()))}


def _sorted_lines(data: bytes) -> bytes:
    lines = sorted({line for line in data.decode("utf-8").splitlines() if line.strip()})
    return ("\n".join(lines) + "\n").encode("utf-8")


def _json_sorted(value: object) -> object:
    """Sort JSON-LD node arrays (unordered sets in JSON-LD) by their canonical JSON text."""
    if isinstance(value, dict):
        # An RDF list ({"@list": [...]}, e.g. an OWL intersection) is ordered: keep its order.
        return {
            k: [_json_sorted(x) for x in v] if k == "@list" and isinstance(v, list) else _json_sorted(v)
            for k, v in sorted(value.items())
        }
    if isinstance(value, list):
        items = [_json_sorted(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    return value


def _trig(ds: Dataset) -> bytes:
    """TriG written graph by graph in IRI order, each graph's body by the Turtle serialiser."""
    header = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in sorted(namespaces().items()))
    parts = [header]
    for g in sorted((g for g in ds.graphs() if len(g)), key=lambda g: str(g.identifier)):
        body = union_graph_of(g).serialize(format="turtle")
        # Drop only the leading prefix block: lines inside a multi-line literal must stay verbatim.
        lines = body.splitlines()
        start = next((i for i, ln in enumerate(lines) if ln.strip() and not ln.startswith("@prefix")), len(lines))
        block = "\n".join(lines[start:]).strip("\n")
        parts.append(f"\n<{g.identifier}> {{\n{block}\n}}\n")
    return "".join(parts).encode("utf-8")


def union_graph_of(g: Graph) -> Graph:
    """A copy of one graph, inserted in sorted order, with the project's prefixes bound."""
    out = Graph(store="SimpleMemory")
    _bind(out)
    for t in sorted(g, key=lambda t: tuple(map(_key, t))):
        out.add(t)
    return out


def _sort_xmlns(data: bytes) -> bytes:
    lines = data.decode("utf-8").split("\n")
    idx = [i for i, ln in enumerate(lines) if ln.lstrip().startswith("xmlns")]
    ordered = sorted(lines[i] for i in idx)
    for i, ln in zip(idx, ordered):
        lines[i] = ln
    return "\n".join(lines).encode("utf-8")


def serialise(ds: Dataset, fmt: str) -> bytes:
    """The bytes of one export format; identical for identical datasets, whatever the hash seed."""
    _, serializer, _ = FORMATS[fmt]
    if serializer == "trig":
        return _trig(ds)
    if serializer == "json-ld":
        data = canonical_dataset(ds).serialize(format="json-ld", context=jsonld_context()["@context"])
        doc = _json_sorted(json.loads(data))
        return (json.dumps(doc, indent=1, ensure_ascii=False) + "\n").encode("utf-8")
    if serializer == "nquads":
        return _sorted_lines(canonical_dataset(ds).serialize(format="nquads", encoding="utf-8"))
    data = union_graph(ds).serialize(format=serializer, encoding="utf-8")
    if serializer == "nt":
        return _sorted_lines(data)
    if serializer == "xml":
        return _sort_xmlns(data)
    return data


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    return sha256(path.read_bytes())


@dataclass(frozen=True)
class Output:
    name: str
    data: bytes


def ensure_directory(out_dir: Path) -> None:
    """Create ``out_dir`` if needed; a directory that cannot be made is a usage error, not a traceback."""
    from kg_build.errors import UsageError

    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"{out_dir}: cannot write the build there: {exc.strerror or exc}") from exc


def write_atomically(out_dir: Path, outputs: Iterable[Output]) -> list[Path]:
    """Write every output to a temporary file first, then rename them all into place.

    If anything fails before the renames, the temporary files are removed and the previous
    contents of ``out_dir`` are untouched.
    """
    from kg_build.errors import UsageError

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
    return [f for f, _, _ in FORMATS.values()] + [CONTEXT_FILE, ONTOLOGY_FILE_NAME, MANIFEST_FILE]


def manifest(
    ds: Dataset, inputs: dict[str, str], outputs: dict[str, str], extra: dict[str, object] | None = None
) -> bytes:
    """The build manifest: version, triple counts per named graph, sha256 of inputs and outputs."""
    graphs = {str(g.identifier): len(g) for g in ds.graphs() if len(g)}
    body: dict[str, object] = {
        "generator": f"ntrk-kg {__version__}",
        "graphs": dict(sorted(graphs.items())),
        "quads": sum(graphs.values()),
        "triples_in_union": len(union_graph(ds)),
        "inputs": dict(sorted(inputs.items())),
        "outputs": dict(sorted(outputs.items())),
    }
    if extra:
        body.update(extra)
    return (json.dumps(body, indent=2, sort_keys=False, ensure_ascii=False) + "\n").encode("utf-8")
