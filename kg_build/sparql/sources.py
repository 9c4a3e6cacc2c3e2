"""Where a query reads from: a build's store, RDF files loaded into memory, or a SPARQL endpoint.

``engine_for`` turns the command line's choices (``--out``, ``--graph``, ``--engine``,
``--endpoint``) into one of the engines of :mod:`kg_build.sparql.engines`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pyoxigraph as ox

from kg_build.errors import UsageError
from kg_build.layout import BuildLayout
from kg_build.rdf import formats
from kg_build.sparql.engines import ENGINES, OxigraphEngine, RdflibEngine, RemoteEngine, Result

Engine = OxigraphEngine | RdflibEngine | RemoteEngine
SMALL_NQUADS_BYTES = 1 << 20
"""Up to this size (about 5,000 quads) a build's N-Quads load in memory faster than its store opens."""


def graph_sources(out_dir: Path, graph_files: Sequence[Path] = ()) -> list[Path]:
    """The RDF files to query: ``graph_files`` if given, otherwise the build's N-Quads."""
    files = list(graph_files)
    if not files:
        layout = BuildLayout(out_dir)
        if not layout.nquads.is_file():
            raise UsageError(f"{layout.missing_build()}, or pass --graph FILE")
        files = [layout.nquads]
    for f in files:
        if not f.is_file():
            raise UsageError(f"{f}: no such file")
    return files


def _small_build(layout: BuildLayout) -> bool:
    """Whether the build's N-Quads are small enough to parse faster than the store opens."""
    try:
        return layout.nquads.stat().st_size <= SMALL_NQUADS_BYTES
    except OSError:
        return False


def read_only_store(out_dir: Path) -> ox.Store:
    """The persisted Oxigraph store of the build in ``out_dir``, opened read-only."""
    layout = BuildLayout(out_dir)
    if not layout.store.is_dir():
        raise UsageError(f"{layout.store} does not exist; run 'ntrk-kg build --out {out_dir}' first")
    try:
        return ox.Store.read_only(str(layout.store))
    except OSError as exc:
        raise UsageError(f"{layout.store}: cannot open the Oxigraph store: {exc}") from exc


def open_store(out_dir: Path, graph_files: Sequence[Path] = ()) -> ox.Store:
    """The build's persisted Oxigraph store if there is one (and no ``graph_files``), else an
    in-memory store loaded from the files.

    A small build (N-Quads of at most ``SMALL_NQUADS_BYTES``, such as the guide's) is read from
    its N-Quads into memory even when the store exists: the build writes the store from those
    very bytes, and parsing them takes less time than opening the persisted database.
    """
    layout = BuildLayout(out_dir)
    if not graph_files and layout.store.is_dir() and not _small_build(layout):
        return read_only_store(out_dir)
    store = ox.Store()
    for path in graph_sources(out_dir, graph_files):
        fmt = formats.FORMATS[formats.from_path(path)]
        try:
            store.load(path=str(path), format=fmt)
        except SyntaxError as exc:
            raise UsageError(f"{path}: not valid {fmt.name}: {str(exc).strip().splitlines()[0]}") from exc
    return store


def engine_for(
    engine: str = "oxigraph",
    out_dir: Path = Path("build"),
    graph_files: Sequence[Path] = (),
    endpoint: str | None = None,
    union_default_graph: bool = False,
) -> Engine:
    """The engine the command line's options ask for."""
    if endpoint:
        return RemoteEngine(endpoint)
    if engine == "oxigraph":
        return OxigraphEngine(open_store(out_dir, graph_files), union_default_graph)
    if engine == "rdflib":
        from kg_build.rdf.io import load_dataset

        ds = load_dataset(graph_sources(out_dir, graph_files))
        ds.default_union = union_default_graph
        return RdflibEngine(ds)
    raise UsageError(f"unknown engine {engine!r} (known: {', '.join(ENGINES)})")


def has_named_graphs(engine: Engine) -> bool:
    """Whether the local data holds any named graph (the catalogue queries read named graphs)."""
    if isinstance(engine, OxigraphEngine):
        return any(True for _ in engine.store.named_graphs())
    if isinstance(engine, RdflibEngine):
        return any(len(g) for g in engine.dataset.graphs() if g.identifier != engine.dataset.default_graph.identifier)
    return True


NO_GRAPH_NOTE = (
    "note: the query matched nothing, and it has no GRAPH clause: the graph's triples are in named "
    "graphs and the default graph of the local store is empty. Match them with GRAPH ?g { ... } "
    "(or GRAPH <https://w3id.org/ntrk-kg/graph/guide> { ... }), or pass --union-default-graph.\n"
)


def no_graph_note(text: str, result: Result, engine: Engine) -> str | None:
    """:data:`NO_GRAPH_NOTE` for a query that matched nothing because it read the local store's
    empty default graph: it has no GRAPH clause and the engine does not query the union."""
    from kg_build.sparql.text import tokens

    empty = not result.rows if result.form == "select" else (
        not result.triples if result.form in ("construct", "describe") else False)
    if not empty or any(kind == "word" and tok.upper() == "GRAPH" for kind, tok, _ in tokens(text)):
        return None
    if isinstance(engine, OxigraphEngine):
        union = engine.union
    elif isinstance(engine, RdflibEngine):
        union = bool(engine.dataset.default_union)
    else:
        return None  # an endpoint decides what its default graph holds
    return None if union else NO_GRAPH_NOTE
