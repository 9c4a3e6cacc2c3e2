"""The ASGI application: routes, the SPARQL 1.1 Protocol's request forms, and the server's limits."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from kg_build.errors import UsageError
from kg_build.query import catalogue
from kg_build.query.catalogue import paged
from kg_build.resources import STATIC_DIR
from kg_build.serve import handlers, openapi, pages
from kg_build.serve import negotiation as neg
from kg_build.serve.answer import Answer, error
from kg_build.serve.config import ServeConfig
from kg_build.serve.workers import WorkerPool
from kg_build.sparql.text import variables, with_service_iris, with_values

log = logging.getLogger("kg_build.serve")


class TooBig(Exception):
    """The request body is larger than the server accepts."""


def _response(answer: Answer) -> Response:
    return Response(answer.body, status_code=answer.status, media_type=answer.media_type, headers=dict(answer.headers))


def _root(request: Request) -> str:
    return str(request.scope.get("root_path", "")).rstrip("/")


async def _body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise TooBig
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise TooBig
        chunks.append(chunk)
    return b"".join(chunks)


def runnable(q: catalogue.CatalogueQuery) -> str:
    """A catalogue query's text with its example (or default) values in place, ready to run as is."""
    bindings = q.bind(q.examples())
    text = paged(q, q.body, 1)
    iris = {k: str(v) for k, v in bindings.items() if str(v).startswith("<")}
    text = with_service_iris(text, iris) if iris else text
    used = variables(text)
    text = with_values(text, {k: str(v) for k, v in bindings.items() if k in used})
    return f"# {q.summary}\n{text}"


class Site:
    """The application's state: configuration, catalogue, worker pool, and the route handlers."""

    def __init__(self, config: ServeConfig, on_ready: Callable[[], None] | None = None) -> None:
        self.config, self.on_ready = config, on_ready
        self.queries = catalogue.load()
        clash = [f"{q.name}: {p.name}" for q in self.queries for p in q.params if p.name in handlers.RESERVED_PARAMS]
        if clash:
            raise UsageError(f"catalogue parameters named like the web API's own ({', '.join(clash)}); rename them")
        self.pool = WorkerPool(config)

    # -- SPARQL 1.1 Protocol ---------------------------------------------------------------------
    async def sparql(self, request: Request) -> Response:
        limit = self.config.max_request_bytes
        if len(request.scope.get("query_string", b"")) > limit:
            return _response(error(414, f"the query string is longer than this server's limit of {limit:,} bytes"))
        fields = parse_qsl(request.url.query, keep_blank_values=True)
        if request.method == "POST":
            media = request.headers.get("content-type", "").split(";")[0].strip().lower()
            try:
                body = await _body(request, limit)
            except TooBig:
                return _response(error(413, f"the request body is larger than this server's limit of {limit:,} bytes; "
                                            "'ntrk-kg serve --max-request-bytes' sets it"))
            if media == "application/x-www-form-urlencoded":
                try:
                    fields += parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
                except UnicodeDecodeError:
                    return _response(error(400, "the form is not UTF-8"))
            elif media == "application/sparql-query":
                try:
                    fields.append(("query", body.decode("utf-8")))
                except UnicodeDecodeError:
                    return _response(error(400, "the query is not UTF-8"))
            elif media == "application/sparql-update":
                return _response(error(403, "this endpoint is read-only: it runs no update"))
            else:
                return _response(error(415, "send the query as application/x-www-form-urlencoded (query=...) "
                                            "or application/sparql-query"))
        values: dict[str, list[str]] = {}
        for k, v in fields:
            values.setdefault(k, []).append(v)
        if "update" in values:
            return _response(error(403, "this endpoint is read-only: it runs no update"))
        queries = values.get("query", [])
        if len(queries) > 1:
            return _response(error(400, "give one query (the request has several 'query' parameters)"))
        short = values["format"][-1] if values.get("format") else None
        if not queries:
            return await self.service_description(request, short)
        job = ("sparql", queries[0], tuple(values.get("default-graph-uri", ())), tuple(values.get("named-graph-uri", ())),
               request.headers.get("accept"), short)
        return _response(await self.pool.run(job))

    async def service_description(self, request: Request, short: str | None) -> Response:
        offered = (*neg.GRAPH_FORMATS, neg.HTML)
        try:
            fmt = neg.choose(offered, request.headers.get("accept"), short)
        except neg.NotAcceptable as exc:
            return _response(error(406, str(exc)))
        if fmt is neg.HTML:
            return RedirectResponse(f"{_root(request)}/query", status_code=303)
        endpoint = str(request.url.replace(query=""))
        return _response(await self.pool.run(("description", endpoint, fmt.short)))

    # -- the catalogue as a web API --------------------------------------------------------------
    async def api_list(self, request: Request) -> Response:
        root = _root(request)
        listing = [{
            "name": q.name, "summary": q.summary, "description": q.description, "form": q.form,
            "columns": list(q.columns), "keywords": list(q.keywords), "pagination": q.pagination,
            "params": [{"name": p.name, "type": p.type, "required": p.required, "description": p.description,
                        "example": p.example, "default": p.default} for p in q.params],
            "url": f"{root}/api/{q.name}",
            "example": f"{root}/api/{q.name}" + (f"?{urlencode(q.examples())}" if q.examples() else ""),
        } for q in self.queries]
        return JSONResponse(listing)

    async def api_query(self, request: Request) -> Response:
        if len(request.scope.get("query_string", b"")) > self.config.max_request_bytes:
            return _response(error(414, "the query string is longer than this server's limit"))
        pairs = tuple(parse_qsl(request.url.query, keep_blank_values=True))
        job = ("api", request.path_params["name"], pairs, request.headers.get("accept"), _root(request))
        return _response(await self.pool.run(job))

    async def openapi(self, request: Request) -> Response:
        return JSONResponse(openapi.document(self.queries, _root(request), handlers.solution_formats()))

    # -- pages -----------------------------------------------------------------------------------
    async def index(self, request: Request) -> Response:
        root = _root(request)
        queries = [{"name": q.name, "summary": q.summary,
                    "example": f"?{urlencode(q.examples())}" if q.examples() else ""} for q in self.queries]
        return Response(pages.render("index.html.j2", root=root, queries=queries), media_type="text/html; charset=utf-8")

    async def query_page(self, request: Request) -> Response:
        root = _root(request)
        tabs = {"endpoint": f"{root}/sparql", "tabs": [{"name": q.name, "query": runnable(q)} for q in self.queries]}
        return Response(pages.render("query.html.j2", root=root, tabs=tabs), media_type="text/html; charset=utf-8")

    async def ontology(self, request: Request) -> Response:
        job = ("ontology", request.headers.get("accept"), request.query_params.get("format"), _root(request))
        return _response(await self.pool.run(job))

    async def shapes(self, request: Request) -> Response:
        job = ("shapes", request.headers.get("accept"), request.query_params.get("format"), _root(request))
        return _response(await self.pool.run(job))

    async def resource(self, request: Request) -> Response:
        root = _root(request)
        raw = request.scope.get("raw_path") or request.url.path.encode()
        path = raw.decode("latin-1")
        if root and path.startswith(root + "/"):
            path = path[len(root):]
        iri = handlers.BASE + path.lstrip("/")
        job = ("resource", iri, request.headers.get("accept"), request.query_params.get("format"), root)
        return _response(await self.pool.run(job))

    @asynccontextmanager
    async def lifespan(self, app: Starlette) -> Any:
        await self.pool.start()
        if self.on_ready is not None:
            self.on_ready()
        try:
            yield
        finally:
            await self.pool.stop()


async def _http_error(request: Request, exc: Exception) -> Response:
    status = getattr(exc, "status_code", 500)
    detail = getattr(exc, "detail", "") or "error"
    return _response(error(status, str(detail)))


async def _server_error(request: Request, exc: Exception) -> Response:
    log.error("unexpected error answering %s %s", request.method, request.url.path, exc_info=exc)
    return _response(error(500, "the server failed to answer this request; its log says why"))


def create_app(config: ServeConfig, on_ready: Callable[[], None] | None = None) -> Starlette:
    """The application for ``config``; its workers start with the server (the ASGI lifespan), then
    ``on_ready`` is called."""
    site = Site(config, on_ready)
    middleware = []
    if config.cors_origins:
        middleware.append(Middleware(CORSMiddleware, allow_origins=list(config.cors_origins), allow_methods=["GET", "POST"],
                                     allow_headers=["Accept", "Content-Type"], expose_headers=["Link"]))
    routes = [
        Route("/", site.index, methods=["GET"]),
        Route("/sparql", site.sparql, methods=["GET", "POST"]),
        Route("/api", site.api_list, methods=["GET"]),
        Route("/api/{name}", site.api_query, methods=["GET"]),
        Route("/openapi.json", site.openapi, methods=["GET"]),
        Route("/query", site.query_page, methods=["GET"]),
        Route("/ontology", site.ontology, methods=["GET"]),
        Route("/ontology/{version}", site.ontology, methods=["GET"]),
        Route("/shapes", site.shapes, methods=["GET"]),
        Mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static"),
        Route("/{path:path}", site.resource, methods=["GET"]),
    ]
    app = Starlette(routes=routes, middleware=middleware, lifespan=site.lifespan,
                    exception_handlers={HTTPException: _http_error, Exception: _server_error})
    app.state.site = site
    return app


def dumps(document: Any) -> str:
    """JSON as the server writes it (for tests and the CLI)."""
    return json.dumps(document, indent=1, ensure_ascii=False)
