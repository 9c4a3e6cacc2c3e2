"""The OpenAPI 3 description of the catalogue's web API, generated from the queries' ``#+`` headers."""

from __future__ import annotations

from typing import Any

from kg_build import __version__
from kg_build.query.catalogue import PARAM_TYPES, CatalogueQuery
from kg_build.serve import negotiation as neg

_SCHEMAS = {
    "integer": {"type": "integer"},
    "decimal": {"type": "number"},
    "iri": {"type": "string", "format": "iri"},
}
_ERRORS = {
    "400": "a parameter is missing, unknown or not of its type (the message is the command line's), or the result is over the server's size limit",
    "403": "the query would call a SERVICE endpoint this server does not allow",
    "404": "no query of that name",
    "406": "none of the accepted formats is offered for this query",
    "500": "the server failed; the answer says so in one line, with no internals",
    "502": "the SPARQL endpoint behind the server, or a SERVICE endpoint, failed",
    "503": "the query ran past the server's time limit and was stopped, or every worker stayed busy",
}
_SPARQL_JSON = {
    "type": "object", "required": ["head"],
    "properties": {
        "head": {"type": "object", "properties": {"vars": {"type": "array", "items": {"type": "string"}}}},
        "results": {"type": "object", "required": ["bindings"], "properties": {
            "bindings": {"type": "array", "items": {"type": "object", "additionalProperties": {
                "type": "object", "required": ["type", "value"],
                "properties": {"type": {"type": "string", "enum": ["uri", "literal", "bnode"]}, "value": {"type": "string"},
                               "datatype": {"type": "string"}, "xml:lang": {"type": "string"}}}}}}},
        "boolean": {"type": "boolean"},
    },
}


def _errors() -> dict[str, Any]:
    return {code: {"description": text, "content": {"text/plain": {"schema": {"type": "string"}}}} for code, text in _ERRORS.items()}


def _parameter(p: Any) -> dict[str, Any]:
    schema = dict(_SCHEMAS.get(p.type, {"type": "string"}))
    out: dict[str, Any] = {"name": p.name, "in": "query", "required": p.required,
                           "description": f"{p.description} ({p.type}: {PARAM_TYPES[p.type]})", "schema": schema}
    if p.example is not None:
        out["example"] = int(p.example) if p.type == "integer" else p.example
    if p.default is not None:
        schema["default"] = p.default
    return out


def _operation(q: CatalogueQuery, solution_formats: tuple[neg.Format, ...]) -> dict[str, Any]:
    formats = neg.GRAPH_FORMATS if q.form == "construct" else solution_formats
    parameters = [_parameter(p) for p in q.params]
    if q.pagination is not None:
        parameters.append({"name": "page", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 1, "default": 1},
                           "description": f"the page to answer, from 1 ({q.pagination} subjects a page); "
                                          "a full page's answer has a Link header to the next"})
    parameters.append({"name": "format", "in": "query", "required": False,
                       "schema": {"type": "string", "enum": [f.short for f in formats]},
                       "description": "the answer's format, instead of the Accept header"})
    content = {f.media_type: {"schema": _SPARQL_JSON if f is neg.JSON else {"type": "string"}} for f in formats}
    columns = f" Columns: {', '.join(q.columns)}." if q.columns else " The answer is RDF."
    return {
        "operationId": q.name.replace("-", "_"), "summary": q.summary, "description": q.description + columns,
        "tags": list(q.keywords[:1]) or ["catalogue"], "parameters": parameters,
        "responses": {"200": {"description": "the query's answer", "content": content}, **_errors()},
    }


def document(queries: list[CatalogueQuery], root: str, solution_formats: tuple[neg.Format, ...]) -> dict[str, Any]:
    """The OpenAPI 3.0 document: ``/api`` (the list) and ``/api/NAME`` for every catalogue query."""
    listing = {"type": "array", "items": {"type": "object", "required": ["name", "summary", "url"],
                                          "properties": {"name": {"type": "string"}, "summary": {"type": "string"},
                                                         "url": {"type": "string"}}}}
    paths: dict[str, Any] = {"/api": {"get": {
        "operationId": "list_queries", "summary": "The catalogue's queries, with their parameters",
        "responses": {"200": {"description": "one entry per query", "content": {"application/json": {"schema": listing}}}},
    }}}
    for q in queries:
        paths[f"/api/{q.name}"] = {"get": _operation(q, solution_formats)}
    return {
        "openapi": "3.0.3",
        "info": {"title": "ntrk-kg query catalogue", "version": __version__,
                 "description": "The ready-made SPARQL queries of the NTRK gene fusion knowledge graph, as a web API. "
                                "Parameters are checked as 'ntrk-kg query' checks them; answers are SPARQL results "
                                "(JSON, XML, CSV, TSV) or RDF (Turtle, N-Triples, JSON-LD), negotiated with Accept."},
        "servers": [{"url": root or "/"}],
        "paths": paths,
    }
