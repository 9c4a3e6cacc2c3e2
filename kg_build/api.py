"""The public Python API: build the graph, validate RDF, run a ready-made query, open a build's store.

Everything here is also re-exported by ``kg_build`` itself (lazily, so ``import kg_build`` stays
cheap). Options are keyword-only. Failures raise :class:`kg_build.errors.KgError` subclasses:
``UsageError`` and ``CurationError`` for bad input (what the command line reports with exit
status 2), ``ValidationFailure`` when the graph does not conform (exit status 1).

>>> import kg_build
>>> sorted(q.name for q in kg_build.list_queries())[:3]
['dataset-summary', 'evidence-for-tumour-type', 'fusion-partners']
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import pyoxigraph as ox

from kg_build.build.pipeline import BuildResult
from kg_build.errors import CurationError, KgError, UsageError, ValidationFailure
from kg_build.layout import DEFAULT_OUT
from kg_build.query.catalogue import CatalogueQuery
from kg_build.shacl.validation import Report
from kg_build.sparql.engines import Result

__all__ = [
    "BuildResult",
    "CatalogueQuery",
    "CurationError",
    "KgError",
    "Report",
    "Result",
    "UsageError",
    "ValidationFailure",
    "build_graph",
    "list_queries",
    "open_store",
    "run_query",
    "validate",
]


def build_graph(
    out_dir: Path | str = DEFAULT_OUT,
    *,
    data_dir: Path | str | None = None,
    formats: Sequence[str] | None = None,
    reason: bool = True,
    reasoner: str = "auto",
) -> BuildResult:
    """Build the graph from the curated tables into ``out_dir``, as ``ntrk-kg build`` does.

    ``data_dir`` defaults to the packaged curated data; ``formats`` (names of
    :data:`kg_build.rdf.formats.NAMES`) to every format; ``reason`` checks the graph against the
    ontology and writes the inferred types (``reasoner``: see ``ntrk-kg build --help``). Nothing is written unless the whole build succeeds.
    """
    from kg_build.build import pipeline
    from kg_build.rdf import formats as rdf_formats

    return pipeline.build(
        Path(out_dir), tuple(formats) if formats else rdf_formats.NAMES,
        Path(data_dir) if data_dir is not None else None, reason=reason, reasoner=reasoner,
    )


def validate(
    files: Sequence[Path | str] = (),
    *,
    out_dir: Path | str = DEFAULT_OUT,
    shapes: Path | str | None = None,
    engine: str = "oxigraph",
    with_ontology: bool = False,
) -> Report:
    """Validate RDF ``files`` (any syntax of the format registry), exactly as given (``with_ontology``
    adds the packaged ontology), or the build in ``out_dir``, against the packaged shapes or
    ``shapes``; the :class:`Report` holds every result (it conforms when there is none)."""
    from kg_build.rdf.io import built_file, load_dataset
    from kg_build.shacl import oxigraph as shacl_oxigraph
    from kg_build.shacl import validation

    shapes_path = Path(shapes) if shapes is not None else None
    if not files and engine == "oxigraph":
        return shacl_oxigraph.validate_nquads(built_file(Path(out_dir)), shapes_path)
    paths = [Path(f) for f in files] or [built_file(Path(out_dir))]
    with validation.literals_as_written():
        data = load_dataset(paths)
    return validation.validate(data, shapes_path, engine=engine, with_ontology=with_ontology)


def list_queries() -> list[CatalogueQuery]:
    """Every query of the catalogue, parsed and checked, sorted by name."""
    from kg_build.query import catalogue

    return catalogue.load()


def run_query(
    name: str,
    *,
    params: Mapping[str, str] | None = None,
    out_dir: Path | str = DEFAULT_OUT,
    graph_files: Sequence[Path | str] = (),
    endpoint: str | None = None,
    engine: str = "oxigraph",
    page: int = 1,
) -> Result:
    """Run the catalogue query ``name`` with ``params`` (name -> value, as ``-p name=value``) on
    the build in ``out_dir``, on ``graph_files``, or on a SPARQL ``endpoint``.

    Values are checked and bound as the command line binds them; :meth:`Result.records` gives
    the rows as dictionaries.
    """
    from kg_build.query import catalogue
    from kg_build.query.run import run_catalogue_query
    from kg_build.sparql.sources import engine_for

    query = catalogue.find(name)
    bindings = query.bind(dict(params or {}))
    eng = engine_for(engine, Path(out_dir), [Path(f) for f in graph_files], endpoint)
    return run_catalogue_query(eng, query, bindings, page)


def open_store(out_dir: Path | str = DEFAULT_OUT) -> ox.Store:
    """The embedded Oxigraph store of the build in ``out_dir``, opened read-only, for SPARQL of your own."""
    from kg_build.sparql.sources import read_only_store

    return read_only_store(Path(out_dir))
