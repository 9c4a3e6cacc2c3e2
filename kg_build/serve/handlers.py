"""What the server answers, as plain functions of the graph: each takes a ``Backend`` and a request's
parts and returns an ``Answer``. The query workers run them; tests can call them directly.

The answers come from SPARQL over the store (or the endpoint): the catalogue's queries, the
caller's own, and the server's queries under ``queries/internal/``; pages and machine formats of one
IRI are made from the same rows.
"""

from __future__ import annotations

import logging
from functools import cache, lru_cache
from itertools import islice
from typing import cast
from urllib.parse import urlencode

import pyoxigraph as ox

from kg_build.errors import KgError, UsageError
from kg_build.query import catalogue, params
from kg_build.query.run import run_catalogue_query
from kg_build.resources import SHAPES_FILE, internal_query
from kg_build.serve import negotiation as neg
from kg_build.serve import pages
from kg_build.serve.answer import Answer, error
from kg_build.serve.config import ServeConfig
from kg_build.serve.guard import Refused, check_services, unescaped
from kg_build.sparql import results
from kg_build.sparql.engines import EndpointError, OxigraphEngine, RemoteEngine, Result, normalise
from kg_build.sparql.sources import Engine, open_store
from kg_build.sparql.text import query_form, with_service_iris

BASE = "https://w3id.org/ntrk-kg/"
GRAPH_BASE = BASE + "graph/"
RESERVED_PARAMS = ("page", "format")
"""Query-string names the web API keeps for itself: a catalogue parameter may not use them."""
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
log = logging.getLogger("kg_build.serve")


class TooLarge(KgError):
    """The result has more rows (or triples) than the server's limit."""


@cache
def internal(name: str) -> str:
    """The text of the server's query ``queries/internal/NAME.rq``."""
    return internal_query(name)


@lru_cache(maxsize=1)
def _catalogue() -> dict[str, catalogue.CatalogueQuery]:
    """The catalogue, read once per worker (the server serves the catalogue it started with)."""
    return {q.name: q for q in catalogue.load()}


def solution_formats() -> tuple[neg.Format, ...]:
    """The SELECT/ASK formats offered (all written by ``kg_build.sparql.results``)."""
    return neg.SOLUTION_FORMATS


class GuardedEngine:
    """An engine that refuses a ``SERVICE`` to an endpoint not allowed, in every query it runs
    (lookups included), checking the text as it will run: escapes replaced, endpoint parameters in place."""

    def __init__(self, engine: OxigraphEngine | RemoteEngine, allowed: tuple[str, ...]) -> None:
        self.engine, self.allowed, self.name = engine, allowed, engine.name

    def run(self, text: str, bindings: dict | None = None, name: str = "query") -> Result:
        text = unescaped(text)
        iris = {k: str(v) for k, v in (bindings or {}).items() if isinstance(v, ox.NamedNode)}
        check_services(with_service_iris(text, iris) if iris else text, self.allowed)
        return self.engine.run(text, bindings, name=name)


class Backend:
    """The graph one worker queries: the build's store (read-only) or a SPARQL endpoint."""

    def __init__(self, config: ServeConfig) -> None:
        self.config = config
        self.store: ox.Store | None = None
        if config.endpoint:
            self.engine: OxigraphEngine | RemoteEngine = RemoteEngine(config.endpoint, timeout=config.timeout)
        else:
            self.store = open_store(config.out_dir)
            self.engine = OxigraphEngine(self.store)
        self.guarded = GuardedEngine(self.engine, config.allowed_services)

    def internal(self, name: str, resource: str | None = None) -> Result:
        """Run the server's query ``name`` with ``?resource`` bound to the IRI ``resource``."""
        bindings = {} if resource is None else {"resource": ox.NamedNode(resource)}
        return normalise(self.guarded.run(internal(name), bindings, name=name))

    def sparql(self, text: str, default_graphs: tuple[str, ...] = (), named_graphs: tuple[str, ...] = ()) -> Result:
        """Run a caller's query: refused if it is an update or names an endpoint not allowed."""
        text = unescaped(text)
        form = query_form(text)
        if form is None:
            raise UsageError("not a SPARQL query (SELECT, CONSTRUCT, ASK or DESCRIBE); this endpoint is read-only and runs no update")
        check_services(text, self.config.allowed_services)
        if self.store is None:
            if default_graphs or named_graphs:
                raise UsageError("default-graph-uri and named-graph-uri are not passed on to the SPARQL endpoint "
                                 "behind this server; name the graphs with FROM and FROM NAMED in the query")
            result = self.engine.run(text, name="query")
            _check_size(len(result.rows) + len(result.triples), self.config.max_rows)
            return normalise(result)
        return normalise(self._run_store(text, form.lower(), default_graphs, named_graphs))

    def _run_store(self, text: str, form: str, default_graphs: tuple[str, ...], named_graphs: tuple[str, ...]) -> Result:
        assert self.store is not None
        kwargs: dict[str, object] = {}
        try:
            if default_graphs:
                kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
            else:
                kwargs["use_default_graph_as_union"] = self.config.union_default_graph
            if named_graphs:
                kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        except ValueError as exc:
            raise UsageError(f"a graph IRI of the request is not valid: {exc}") from exc
        limit = self.config.max_rows
        try:
            answer = self.store.query(text, **kwargs)  # type: ignore[arg-type]
        except SyntaxError as exc:
            raise UsageError(f"the SPARQL query is not valid: {str(exc).strip().splitlines()[0]}") from exc
        try:
            if isinstance(answer, ox.QuerySolutions):
                variables = tuple(v.value for v in answer.variables)
                rows = list(islice(map(tuple, answer), limit + 1))
                _check_size(len(rows), limit)
                return Result("select", variables, rows)
            if isinstance(answer, ox.QueryBoolean):
                return Result("ask", boolean=bool(answer))
            triples = list(islice(answer, limit + 1))
            _check_size(len(triples), limit)
            return Result(form, triples=triples)
        except OSError as exc:
            raise EndpointError(f"a SERVICE endpoint of the query could not be queried: {str(exc).strip()}") from exc


def _check_size(n: int, limit: int) -> None:
    if n > limit:
        raise TooLarge(f"the result has more than {limit:,} rows or triples, this server's limit; "
                       "ask for less (LIMIT, a narrower pattern) or for one page of a paged catalogue query")


def render(result: Result, fmt: neg.Format) -> bytes:
    """The result in ``fmt``: the project's result writers, and pyoxigraph for JSON-LD."""
    if fmt.name == "jsonld":
        return ox.serialize(sorted(result.triples, key=str), format=ox.RdfFormat.JSON_LD) or b"[]"
    return results.render(result, fmt.name).encode("utf-8")


def _content_type(fmt: neg.Format) -> str:
    return f"{fmt.media_type}; charset=utf-8" if fmt.media_type.startswith("text/") else fmt.media_type


def guarded(func):  # type: ignore[no-untyped-def]
    """Map the library's errors to HTTP answers; anything unexpected is logged and answered 500."""

    def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
        try:
            return func(*args, **kwargs)
        except neg.NotAcceptable as exc:
            return error(406, str(exc))
        except Refused as exc:
            return error(403, str(exc))
        except TooLarge as exc:
            return error(400, str(exc))
        except EndpointError as exc:
            return error(502, str(exc))
        except UsageError as exc:
            return error(400, str(exc))
        except KgError as exc:
            return error(500, str(exc))
        except Exception:
            log.exception("unexpected error while answering %s", func.__name__)
            return error(500, "the server failed to answer this request; its log says why")

    wrapper.__name__ = func.__name__
    wrapper.__doc__ = func.__doc__
    return wrapper


@guarded
def sparql(backend: Backend, text: str, default_graphs: tuple[str, ...], named_graphs: tuple[str, ...],
           accept: str | None, short: str | None) -> Answer:
    """A SPARQL 1.1 Protocol query: the result in the negotiated format."""
    form = query_form(unescaped(text))
    offered = neg.GRAPH_FORMATS if form in ("CONSTRUCT", "DESCRIBE") else solution_formats()
    fmt = neg.choose(offered, accept, short)
    result = backend.sparql(text, default_graphs, named_graphs)
    return Answer(200, _content_type(fmt), render(result, fmt), (("Vary", "Accept"),))


def _page_number(raw: str | None) -> int:
    if raw is None:
        return 1
    if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
        raise UsageError(f"page={raw!r} is not a page number; give a whole number from 1")
    return int(raw)


@guarded
def api_query(backend: Backend, name: str, pairs: tuple[tuple[str, str], ...], accept: str | None,
              root: str) -> Answer:
    """Run the catalogue query ``name`` with the request's parameters, as ``ntrk-kg query`` does."""
    q = _catalogue().get(name)
    if q is None:
        try:
            catalogue.find(name)
        except UsageError as exc:
            return error(404, str(exc))
        raise UsageError(f"the catalogue changed while the server runs; restart it to serve {name!r}")
    given = [(k, v) for k, v in pairs if k not in RESERVED_PARAMS]
    reserved = {k: [v for key, v in pairs if key == k] for k in RESERVED_PARAMS}
    for k, values in reserved.items():
        if len(values) > 1:
            raise UsageError(f"parameter {k!r} is given twice")
    page = _page_number(reserved["page"][0] if reserved["page"] else None)
    bindings = q.bind(params.parse_assignments([f"{k}={v}" for k, v in given]))
    offered = neg.GRAPH_FORMATS if q.form == "construct" else solution_formats()
    fmt = neg.choose(offered, accept, reserved["format"][0] if reserved["format"] else None)
    result = run_catalogue_query(cast(Engine, backend.guarded), q, bindings, page)  # it has the engines' run()
    _check_size(len(result.rows) + len(result.triples), backend.config.max_rows)
    headers: list[tuple[str, str]] = [("Vary", "Accept")]
    if q.pagination is not None and len(result.rows) >= q.pagination:
        following = urlencode([*given, ("page", str(page + 1)), *(("format", f) for f in reserved["format"])])
        headers.append(("Link", f'<{root}/api/{q.name}?{following}>; rel="next"'))
    return Answer(200, _content_type(fmt), render(result, fmt), tuple(headers))


def _triples(iri: str, rows: list) -> Result:
    subject = ox.NamedNode(iri)
    triples = {ox.Triple(subject, row[1], row[2]) for row in rows}
    return Result("construct", triples=sorted(triples, key=str))


def _alternates(root_path: str) -> tuple[tuple[str, str], ...]:
    links = ", ".join(f'<{root_path}?format={f.short}>; rel="alternate"; type="{f.media_type}"' for f in neg.PAGE_FORMATS)
    return (("Vary", "Accept"), ("Link", links))


@guarded
def resource(backend: Backend, iri: str, accept: str | None, short: str | None, root: str) -> Answer:
    """The page (HTML) or concise bounded description (RDF) of an IRI the graph mints; 404 if it holds none."""
    fmt = neg.choose(neg.PAGE_FORMATS, accept, short)
    rows = backend.internal("resource", iri).rows
    size = 0
    if iri.startswith(GRAPH_BASE):
        cell = backend.internal("graph-size", iri).rows[0][0]
        size = int(cell.value) if cell is not None else 0
    if not rows and not size:
        return error(404, f"the graph holds nothing about <{iri}>")
    local = pages.href(iri, root)
    if fmt is not neg.HTML:
        return Answer(200, _content_type(fmt), render(_triples(iri, rows), fmt), _alternates(local))
    page = pages.resource_page(
        iri, root, rows, backend.internal("resource-incoming", iri).rows,
        backend.internal("resource-provenance", iri).rows, backend.internal("resource-findings", iri).rows, size,
    )
    return Answer(200, "text/html; charset=utf-8", page, _alternates(local))


@guarded
def ontology(backend: Backend, accept: str | None, short: str | None, root: str) -> Answer:
    """The ontology's documentation page (HTML), or the ontology graph in RDF."""
    fmt = neg.choose(neg.PAGE_FORMATS, accept, short)
    if fmt is not neg.HTML:
        result = normalise(backend.guarded.run(internal("ontology-graph"), name="ontology-graph"))
        return Answer(200, _content_type(fmt), render(result, fmt), _alternates(f"{root}/ontology"))
    terms = backend.internal("ontology-terms").rows
    about = backend.internal("resource", BASE + "ontology").rows
    return Answer(200, "text/html; charset=utf-8", pages.ontology_page(root, terms, about), _alternates(f"{root}/ontology"))


@guarded
def description(backend: Backend, endpoint: str, short: str) -> Answer:
    """The SPARQL 1.1 Service Description of the endpoint at ``endpoint`` (the answer to a request without a query)."""
    fmt = neg.choose(neg.GRAPH_FORMATS, None, short)
    graphs = [row[0].value for row in backend.internal("graphs").rows if row[0] is not None]
    formats = [{"json": "SPARQL_Results_JSON", "xml": "SPARQL_Results_XML", "csv": "SPARQL_Results_CSV",
                "tsv": "SPARQL_Results_TSV"}[f.name] for f in solution_formats()] + ["Turtle", "N-Triples", "JSON-LD"]
    text = pages.render("service-description.ttl.j2", endpoint=endpoint, graphs=graphs, result_formats=formats,
                        union=backend.store is not None and backend.config.union_default_graph)
    triples = [q.triple for q in ox.parse(text, format=ox.RdfFormat.TURTLE)]
    return Answer(200, _content_type(fmt), render(Result("construct", triples=triples), fmt), (("Vary", "Accept"),))


@lru_cache(maxsize=1)
def _shapes_engine() -> OxigraphEngine:
    store = ox.Store()
    store.load(path=str(SHAPES_FILE), format=ox.RdfFormat.TURTLE)
    return OxigraphEngine(store)


@guarded
def shapes(backend: Backend, accept: str | None, short: str | None, root: str) -> Answer:
    """The SHACL shapes the build is validated against: a page, or the shapes file in RDF."""
    fmt = neg.choose(neg.PAGE_FORMATS, accept, short)
    engine = _shapes_engine()
    if fmt is not neg.HTML:
        triples = [ox.Triple(q.subject, q.predicate, q.object) for q in engine.store]
        return Answer(200, _content_type(fmt), render(Result("construct", triples=triples), fmt), _alternates(f"{root}/shapes"))
    rows = engine.run(internal("shapes"), name="shapes").rows
    return Answer(200, "text/html; charset=utf-8", pages.shapes_page(root, rows), _alternates(f"{root}/shapes"))


HANDLERS = {"sparql": sparql, "shapes": shapes, "api": api_query, "resource": resource, "ontology": ontology, "description": description}


def handle(backend: Backend, job: tuple) -> Answer:
    """Answer one job ``(kind, *arguments)`` sent to a worker."""
    return HANDLERS[job[0]](backend, *job[1:])
