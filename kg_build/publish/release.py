"""The release bundle: the build's files plus ``void.ttl``, a description of the release as data.

``void.ttl`` describes, with minted IRIs and no blank nodes:

- the dataset version (HCLS-style: ``pav:version``, ``dcterms:issued``, ``dcterms:isVersionOf``),
  with VoID statistics of the union of the named graphs (``void:triples``, ``void:entities``,
  ``void:distinctSubjects``/``Objects``, ``void:classes``, ``void:properties``), one class
  partition per class and one property partition per property, and each named graph with its
  name, description (from the metadata graph) and size;
- one DCAT distribution per data file, with its media type, size and SPDX sha256 checksum;
- the PROV of the build: the activity that generated the version, every input it used with its
  sha256 (from the build manifest), and the software that ran it.

The description lives in its own file rather than in the metadata graph because it holds the
checksum of the N-Quads file, which cannot contain its own checksum. Nothing in it depends on the
clock: ``dcterms:issued`` is the ``--issued`` date, else ``SOURCE_DATE_EPOCH``, else the newest
date of the guides the graph is built from; two releases of the same build are byte-identical.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from rdflib import RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, PROV, VOID

from kg_build import layout
from kg_build.build.digest import sha256
from kg_build.build.generation import resolve_folder, sync_tree
from kg_build.build.lock import FolderLock
from kg_build.build.swap import SwapUnsupported, exchange
from kg_build.build.writers import file_name
from kg_build.errors import FileSystemError, UsageError
from kg_build.query import catalogue
from kg_build.query.publish import published_file
from kg_build.rdf import formats, iris
from kg_build.rdf.prefixes import compress, namespaces

PAV = Namespace("http://purl.org/pav/")
SPDX = Namespace("http://spdx.org/rdf/terms#")
NTRK_GUIDE = URIRef("https://w3id.org/ntrk-kg/ontology#Guide")
IANA = "https://www.iana.org/assignments/media-types/"

# file in the build -> (distribution key, media type, what it holds)
DATA_FILES: dict[str, tuple[str, str, str]] = {
    file_name("nquads"): ("nquads", formats.media_type("nquads"), "Every named graph, as N-Quads with explicit graph names."),
    file_name("trig"): ("trig", formats.media_type("trig"), "Every named graph, as TriG."),
    file_name("turtle"): ("turtle", formats.media_type("turtle"), "The union of the named graphs, as Turtle (graph names dropped)."),
    layout.SSSOM_FILE: ("sssom", "text/tab-separated-values", "The mappings to external vocabularies, as SSSOM TSV."),
    layout.ONTOLOGY_FILE: ("ontology", formats.media_type("turtle"), "The full OWL ontology, with the defined classes' class expressions, as Turtle."),
}
QUERY_MEDIA_TYPE = "application/sparql-query"
CHANGE_FILES: dict[str, tuple[str, str, str]] = {
    layout.CHANGES_MD: ("release-notes", "text/markdown", "What changed since the previous release, for people (ntrk-kg diff)."),
    layout.CHANGES_RDF: ("change-set", formats.media_type("turtle"), "What changed since the previous release, as an RDF change set (ntrk-kg diff)."),
}


@dataclass(frozen=True)
class Stats:
    """VoID statistics of the union of the named graphs (distinct triples)."""

    triples: int
    entities: int  # distinct subject IRIs in the dataset's void:uriSpace (its own entities)
    distinct_subjects: int
    distinct_objects: int
    graphs: dict[str, int]
    classes: dict[str, int]  # class IRI -> distinct typed subjects
    properties: dict[str, tuple[int, int, int]]  # property IRI -> (triples, subjects, objects)
    graph_names: dict[str, tuple[Literal | None, Literal | None]]  # graph -> label, description


def compute_stats(nquads_file: Path, uri_space: str = iris.ID) -> Stats:
    """Count the VoID statistics of a build's N-Quads file, as a SPARQL store holds it.

    ``void:entities`` counts the dataset's own entities, as VoID defines them with ``void:uriSpace``:
    the distinct IRIs starting with ``uri_space`` that are the subject of a triple. A class
    partition declares no URI space, so its ``void:entities`` counts every instance of its class
    (genes are HGNC IRIs, proteins UniProt IRIs).

    The quads are counted after loading them into an (in-memory) Oxigraph store, which keeps
    values, not spellings: two literals of the same value written differently (``"0.20"`` and
    ``"0.2"`` as ``xsd:decimal``) are one object, as they are in Oxigraph and Virtuoso, so the
    counts are the ones a SPARQL ``COUNT`` over the loaded graph gives.
    """
    from pyoxigraph import NamedNode, RdfFormat, Store

    store = Store()
    store.bulk_load(path=str(nquads_file), format=RdfFormat.N_QUADS)
    rdf_type = NamedNode(str(RDF.type))
    triples: set[tuple[object, object, object]] = set()
    graphs: dict[str, int] = defaultdict(int)
    for q in store.quads_for_pattern(None, None, None, None):
        graphs[q.graph_name.value if isinstance(q.graph_name, NamedNode) else ""] += 1
        triples.add((q.subject, q.predicate, q.object))
    by_prop: dict[str, list[tuple[object, object]]] = defaultdict(list)
    typed: dict[str, set[object]] = defaultdict(set)
    for s, p, o in triples:
        by_prop[p.value].append((s, o))  # type: ignore[attr-defined]
        if p == rdf_type:
            typed[o.value].add(s)  # type: ignore[attr-defined]
    names: dict[str, tuple[Literal | None, Literal | None]] = {}
    metadata = NamedNode(str(iris.METADATA_GRAPH))
    for graph in graphs:
        found = []
        for prop in (RDFS.label, DCTERMS.description):
            values = sorted(q.object for q in store.quads_for_pattern(NamedNode(graph), NamedNode(str(prop)), None, metadata))
            found.append(_literal(values[0]) if values else None)
        names[graph] = (found[0], found[1])
    return Stats(
        triples=len(triples),
        entities=len({s for s, _, _ in triples if isinstance(s, NamedNode) and s.value.startswith(uri_space)}),
        distinct_subjects=len({s for s, _, _ in triples}),
        distinct_objects=len({o for _, _, o in triples}),
        graphs=dict(graphs),
        classes={c: len(s) for c, s in typed.items()},
        properties={p: (len(so), len({s for s, _ in so}), len({o for _, o in so})) for p, so in by_prop.items()},
        graph_names=names,
    )


def _literal(term: object) -> Literal:
    """An rdflib literal from a pyoxigraph one (language tag or datatype kept)."""
    if term.language:  # type: ignore[attr-defined]
        return Literal(term.value, lang=term.language)  # type: ignore[attr-defined]
    return Literal(term.value, datatype=URIRef(term.datatype.value))  # type: ignore[attr-defined]


def issued_date(nquads_file: Path, issued: str | None = None, environ: dict[str, str] | None = None) -> Literal:
    """The release date: ``issued`` if given, else SOURCE_DATE_EPOCH, else the newest guide's date.

    The guide's date keeps its own datatype (a guide dated to the month gives an ``xsd:gYearMonth``).

    >>> issued_date(Path("unused"), "2025-01-31")
    rdflib.term.Literal('2025-01-31', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#date'))
    """
    env = os.environ if environ is None else environ
    if issued:
        try:
            return Literal(dt.date.fromisoformat(issued).isoformat(), datatype=XSD.date)
        except ValueError:
            raise UsageError(f"--issued: {issued!r} is not a date (YYYY-MM-DD)") from None
    if env.get("SOURCE_DATE_EPOCH"):
        try:
            stamp = int(env["SOURCE_DATE_EPOCH"])
        except ValueError:
            raise UsageError(f"SOURCE_DATE_EPOCH={env['SOURCE_DATE_EPOCH']!r} is not a number of seconds") from None
        day = dt.datetime.fromtimestamp(stamp, dt.timezone.utc).date().isoformat()
        return Literal(day, datatype=XSD.date)
    from pyoxigraph import RdfFormat, parse

    guides: set[str] = set()
    dates: dict[str, list[tuple[str, str]]] = {}
    with nquads_file.open("rb") as fh:
        for q in parse(fh, format=RdfFormat.N_QUADS):
            if q.predicate.value == str(RDF.type) and q.object.value == str(NTRK_GUIDE):
                guides.add(q.subject.value)
            elif q.predicate.value == str(DCTERMS.date):
                dates.setdefault(q.subject.value, []).append((q.object.value, q.object.datatype.value))
    found = sorted(d for g in guides for d in dates.get(g, []))
    if not found:
        raise UsageError(f"{nquads_file}: no guide with a dcterms:date to date the release; pass --issued")
    value, datatype = found[-1]
    return Literal(value, datatype=URIRef(datatype))


def _curie_key(iri: str) -> str:
    return quote(compress(iri) or iri, safe=":")


def _checksum(g: Graph, owner: URIRef, digest: str) -> None:
    node = URIRef(f"{owner}/checksum/sha256")
    g.add((owner, SPDX.checksum, node))
    g.add((node, RDF.type, SPDX.Checksum))
    g.add((node, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
    g.add((node, SPDX.checksumValue, Literal(digest, datatype=XSD.hexBinary)))


def version_of(manifest: dict[str, object], version: str | None = None) -> tuple[str, URIRef]:
    """The version of a release (``version``, else the version of ntrk-kg that built it) and its IRI."""
    version = version or str(manifest["generator"]).split()[-1]
    return version, URIRef(f"{iris.DATASET}/{quote(version)}")


def _part(ver: URIRef, name: str) -> tuple[URIRef, URIRef, URIRef, str, str | None]:
    """How the release description names the file ``name``: its node, the link from the release
    to it, its class, its media type and its description (none for a query)."""
    if name in DATA_FILES:
        key, media, what = DATA_FILES[name]
        return URIRef(f"{ver}/distribution/{key}"), DCAT.distribution, DCAT.Distribution, media, what
    if name in CHANGE_FILES:
        key, media, what = CHANGE_FILES[name]
        return URIRef(f"{ver}/{key}"), DCTERMS.hasPart, PROV.Entity, media, what
    if name == layout.MANIFEST_FILE:
        what = "The build manifest: counts and sha256 of inputs and outputs."
        return URIRef(f"{ver}/manifest"), DCTERMS.hasPart, PROV.Entity, "application/json", what
    return URIRef(f"{ver}/query/{quote(Path(name).stem)}"), DCTERMS.hasPart, PROV.Entity, QUERY_MEDIA_TYPE, None


def describe(
    stats: Stats, files: dict[str, bytes], manifest: dict[str, object], issued: Literal,
    base_url: str | None = None, version: str | None = None, previous: str | None = None,
) -> Graph:
    """The release description graph (VoID + DCAT + HCLS version + PROV), without blank nodes.

    ``previous`` is the IRI of the release this one revises (``prov:wasRevisionOf``)."""
    version, ver = version_of(manifest, version)
    g = Graph()
    if previous:
        g.add((ver, PROV.wasRevisionOf, URIRef(previous)))
    # dataset summary and version (HCLS dataset description levels)
    g.add((iris.DATASET, PAV.hasCurrentVersion, ver))
    g.add((iris.DATASET, DCTERMS.hasVersion, ver))
    for t in (VOID.Dataset, DCAT.Dataset, PROV.Entity):
        g.add((ver, RDF.type, t))
    g.add((ver, DCTERMS.title, Literal(f"NTRK gene fusion knowledge graph, version {version}", lang="en")))
    g.add((ver, DCTERMS.description, Literal(
        f"Release {version} of the NTRK gene fusion knowledge graph: {stats.triples} distinct triples in "
        f"{len(stats.graphs)} named graphs, with the files, queries and build provenance of the release.", lang="en")))
    g.add((ver, DCTERMS.isVersionOf, iris.DATASET))
    g.add((ver, PAV.version, Literal(version)))
    g.add((ver, DCTERMS.issued, issued))
    g.add((ver, DCTERMS.license, URIRef("https://creativecommons.org/licenses/by/4.0/")))
    g.add((ver, VOID.uriSpace, Literal(iris.ID)))
    # VoID statistics
    g.add((ver, VOID.triples, Literal(stats.triples)))
    g.add((ver, VOID.entities, Literal(stats.entities)))
    g.add((ver, VOID.distinctSubjects, Literal(stats.distinct_subjects)))
    g.add((ver, VOID.distinctObjects, Literal(stats.distinct_objects)))
    g.add((ver, VOID.classes, Literal(len(stats.classes))))
    g.add((ver, VOID.properties, Literal(len(stats.properties))))
    for graph, n in stats.graphs.items():
        node = URIRef(graph)
        g.add((ver, VOID.subset, node))
        g.add((node, RDF.type, VOID.Dataset))
        g.add((node, VOID.triples, Literal(n)))
        label, description = stats.graph_names.get(graph, (None, None))
        g.add((node, RDFS.label, label or Literal(graph.rsplit("/", 1)[-1], lang="en")))
        if description is not None:
            g.add((node, DCTERMS.description, description))
    # Partitions are void:Datasets by the range of void:classPartition/propertyPartition; they are
    # left untyped, so the dataset shape (a name and a description) targets only the dataset, the
    # release and the named graphs.
    for cls, n in stats.classes.items():
        node = URIRef(f"{ver}/partition/class/{_curie_key(cls)}")
        g.add((ver, VOID.classPartition, node))
        g.add((node, VOID["class"], URIRef(cls)))
        g.add((node, VOID.entities, Literal(n)))
    for prop, (n, subjects, objects) in stats.properties.items():
        node = URIRef(f"{ver}/partition/property/{_curie_key(prop)}")
        g.add((ver, VOID.propertyPartition, node))
        g.add((node, VOID.property, URIRef(prop)))
        g.add((node, VOID.triples, Literal(n)))
        g.add((node, VOID.distinctSubjects, Literal(subjects)))
        g.add((node, VOID.distinctObjects, Literal(objects)))
    # DCAT distributions and the query catalogue, each with its checksum
    for name, data in files.items():
        digest = sha256(data)
        node, link, kind, media, what = _part(ver, name)
        g.add((ver, link, node))
        g.add((node, RDF.type, kind))
        if what is not None:
            g.add((node, DCTERMS.description, Literal(what, lang="en")))
        g.add((node, DCTERMS.title, Literal(name)))
        g.add((node, SPDX.fileName, Literal(name)))
        g.add((node, DCAT.mediaType, URIRef(IANA + media)))
        g.add((node, DCTERMS["format"], Literal(media)))
        g.add((node, DCAT.byteSize, Literal(len(data), datatype=XSD.nonNegativeInteger)))
        if base_url:
            g.add((node, DCAT.downloadURL, URIRef(base_url.rstrip("/") + "/" + quote(name))))
        _checksum(g, node, digest)
    # PROV of the build
    activity = URIRef(f"{ver}/build")
    software = URIRef(f"{iris.BASE}software/ntrk-kg/{version}")
    g.add((ver, PROV.wasGeneratedBy, activity))
    g.add((ver, PAV.createdWith, software))
    g.add((activity, RDF.type, PROV.Activity))
    g.add((activity, RDFS.label, Literal(f"ntrk-kg {version} build", lang="en")))
    g.add((activity, PROV.wasAssociatedWith, software))
    g.add((software, RDF.type, PROV.SoftwareAgent))
    g.add((software, RDFS.label, Literal(str(manifest["generator"]))))
    g.add((software, PAV.version, Literal(version)))
    g.add((software, DCTERMS.source, URIRef("https://pypi.org/project/ntrk-kg/")))
    for name, digest in dict(manifest.get("inputs", {})).items():  # type: ignore[call-overload]
        node = URIRef(f"{ver}/input/{quote(name)}")
        g.add((activity, PROV.used, node))
        g.add((node, RDF.type, PROV.Entity))
        g.add((node, DCTERMS.title, Literal(name)))
        _checksum(g, node, digest)
    return g


def _turtle(g: Graph) -> bytes:
    out = Graph(store="SimpleMemory")
    used = {str(t) for triple in g for t in triple if isinstance(t, URIRef)}
    for prefix, ns in namespaces().items():
        if any(u.startswith(ns) for u in used):
            out.bind(prefix, ns, override=True, replace=True)
    for t in sorted(g, key=lambda t: tuple(x.n3() for x in t)):
        out.add(t)
    header = "# Generated by 'ntrk-kg release': the description of this release. Do not edit.\n"
    return header.encode("utf-8") + out.serialize(format="turtle", encoding="utf-8")


def bundle_files(out_dir: Path) -> dict[str, bytes]:
    """The files a release copies: the build's data files that exist and the query catalogue."""
    nq = layout.BuildLayout(out_dir).nquads
    if not nq.is_file():
        raise UsageError(f"{nq} does not exist; run 'ntrk-kg build --out {out_dir}' first")
    files = {name: (out_dir / name).read_bytes() for name in DATA_FILES if (out_dir / name).is_file()}
    for q in catalogue.load():
        files[f"queries/{q.name}.rq"] = published_file(q).encode("utf-8")
    return files


def release(
    out_dir: Path, release_dir: Path | None = None, issued: str | None = None, base_url: str | None = None,
    wait: bool = False, previous: Path | None = None, version: str | None = None,
) -> tuple[Path, dict[str, bytes]]:
    """Write the release bundle of the build in ``out_dir`` (default ``out_dir/release``), atomically.

    Holds the build folder's lock (:mod:`kg_build.build.lock`; ``wait`` as for a build) while it
    reads the build and writes the bundle, so a build cannot swap the folder in between; where
    no lock can be taken (a read-only place), no build can run either and none is taken.
    With ``previous`` (a release bundle, a build folder or an N-Quads file), the bundle also holds
    ``CHANGES.md`` and ``changes.ttl``, what changed since then, and revises it (``prov:wasRevisionOf``).
    ``version`` names the release (default: the version of ntrk-kg that built it).
    """
    release_dir = release_dir or layout.BuildLayout(out_dir).release
    folder = resolve_folder(out_dir)
    lock = FolderLock(folder.parent / layout.lock_name(folder.name), out_dir, "release", wait)
    try:
        lock.acquire()
    except OSError:
        pass  # a read-only place: nothing can write the build while we read it
    try:
        files = _bundle(out_dir, issued, base_url, previous, version)
        try:
            _write_dir(release_dir, files)
        except OSError as exc:
            raise FileSystemError.wrap(exc, release_dir, "cannot write the release") from exc
    finally:
        lock.release()
    return release_dir, files


def _bundle(
    out_dir: Path, issued: str | None, base_url: str | None, previous: Path | None, version: str | None
) -> dict[str, bytes]:
    """Every file of the release bundle, checked against the build's manifest."""
    files = bundle_files(out_dir)
    manifest_file = out_dir / layout.MANIFEST_FILE
    if not manifest_file.is_file():
        raise UsageError(f"{manifest_file} does not exist; run 'ntrk-kg build --out {out_dir}' first")
    manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    if base_url is not None and not base_url.startswith(("http://", "https://")):
        raise UsageError(f"--base-url {base_url!r} must be an absolute http:// or https:// URL")
    built = manifest.get("outputs", {})
    for name, data in files.items():
        if name.startswith("queries/"):
            continue
        if built.get(name) != sha256(data):
            raise UsageError(
                f"{out_dir / name} is not the file {manifest_file} describes (its sha256 differs or it is not "
                f"listed); rebuild with 'ntrk-kg build --out {out_dir}' before releasing"
            )
    files[layout.MANIFEST_FILE] = manifest_file.read_bytes()
    nq = layout.BuildLayout(out_dir).nquads
    revises = _release_notes(files, previous, nq, manifest, version) if previous is not None else None
    graph = describe(compute_stats(nq), files, manifest, issued_date(nq, issued), base_url, version, revises)
    files[layout.VOID_FILE] = _turtle(graph)
    return files


def _release_notes(
    files: dict[str, bytes], previous: Path, nq: Path, manifest: dict[str, object], version: str | None
) -> str:
    """Add the release notes against ``previous`` to ``files``; the IRI of the release it was."""
    from kg_build.diff.compare import Side
    from kg_build.diff.notes import release_notes

    label, ver = version_of(manifest, version)
    old, notes = release_notes(previous, Side(nq, f"ntrk-kg {label}", str(ver)))
    before = old.version
    previous_manifest = layout.BuildLayout(previous).manifest
    if before is None and previous_manifest.is_file():
        before = str(version_of(json.loads(previous_manifest.read_text(encoding="utf-8")))[1])
    if before is None:
        raise UsageError(f"--previous {previous}: no release description (void.ttl) or build manifest names its "
                         "version; give a release bundle or a build folder")
    if before == str(ver):
        raise UsageError(f"--previous {previous} is version {label} too; a release revises an earlier version: "
                         "name this one with --version")
    files.update(notes)
    return before


def _write_dir(target: Path, files: dict[str, bytes]) -> None:
    """Write ``files`` into a fresh folder beside ``target``, then swap it in in one step
    (two renames where the file system has no atomic exchange)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.parent / f".{target.name}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        for name, data in files.items():
            path = tmp / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        sync_tree(tmp)
        if not target.exists():
            os.rename(tmp, target)
            return
        try:
            exchange(tmp, target)
        except SwapUnsupported:
            old = target.parent / f".{target.name}.old-{os.getpid()}"
            os.replace(target, old)
            os.replace(tmp, target)
            tmp = old
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
