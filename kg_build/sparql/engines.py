"""SPARQL engines: Oxigraph (default), rdflib, or a remote SPARQL endpoint, behind one interface.

All three engines return the same ``Result`` (pyoxigraph terms, normalised), so output does not
depend on the engine:

- ``oxigraph``: a pyoxigraph store (a build's, or files read into memory: :mod:`kg_build.sparql.sources`).
- ``rdflib``: an ``rdflib.Dataset``; parameters go in ``initBindings``.
- ``remote``: any SPARQL 1.1 Protocol endpoint (POST; SPARQL JSON, XML or TSV results and RDF
  answers, read by pyoxigraph's parsers).

How parameters are bound. rdflib binds them natively (``initBindings``). pyoxigraph's
``substitutions`` follow SEP-0007, which only substitutes variables the query projects, and the
SPARQL protocol has no binding mechanism at all; so for Oxigraph and endpoints the bound terms are
given as inline data: a ``VALUES`` block opening the top-level WHERE group, each value an RDF term
serialised (and escaped) by pyoxigraph. Inline data there is joined with the whole group, so its
FILTERs see the values, exactly as with pre-bound variables; a test checks both ways agree on
every query. Catalogue queries therefore use parameters only in their top-level group.

Normalisation: xsd:decimal, xsd:integer and xsd:boolean literals are written in canonical form
(stores differ in the lexical forms they return), and cells of ``lists`` columns (a
GROUP_CONCAT, whose order SPARQL leaves open) have their items sorted.
"""

from __future__ import annotations

import os
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import pyoxigraph as ox

from kg_build.errors import KgError, UsageError
from kg_build.rdf.xsd import XSD, canonical_decimal
from kg_build.sparql.text import query_form, variables, with_service_iris, with_values

Term = ox.NamedNode | ox.BlankNode | ox.Literal
ENGINES = ("oxigraph", "rdflib")
"""The local engines a user can choose (``--engine``); a remote endpoint is chosen by ``--endpoint``."""
LIST_SEPARATOR = "|"
"""Separates the items of a list cell (a ``GROUP_CONCAT``) in query results."""


class EndpointError(KgError):
    """A SPARQL endpoint could not be reached or refused the query (exit status 1)."""

    exit_code = 1


@dataclass
class Result:
    """What a query returned: rows (SELECT), triples (CONSTRUCT/DESCRIBE) or a boolean (ASK)."""

    form: str
    variables: tuple[str, ...] = ()
    rows: list[tuple[Term | None, ...]] = field(default_factory=list)
    triples: list[ox.Triple] = field(default_factory=list)
    boolean: bool | None = None

    def records(self) -> list[dict[str, Term | None]]:
        """The rows as dictionaries, column -> term (``None`` where unbound)."""
        return [dict(zip(self.variables, row, strict=True)) for row in self.rows]


# -- normalisation --------------------------------------------------------------------------
def _natural(item: str) -> tuple[int, Any]:
    try:
        return (0, Decimal(item))
    except InvalidOperation:
        return (1, item)


# Only literals of these datatypes have lexical forms that stores write differently.
_CANONICAL_DATATYPES = frozenset((XSD + "decimal", XSD + "integer", XSD + "boolean"))


def normalise_term(term: Term | None) -> Term | None:
    """Canonical lexical forms for decimals, integers and booleans; everything else unchanged."""
    if term.__class__ is not ox.Literal:
        return term
    dt = term.datatype.value  # a language-tagged literal is an rdf:langString: never canonicalised
    if dt not in _CANONICAL_DATATYPES:
        return term
    try:
        if dt == XSD + "decimal":
            return ox.Literal(canonical_decimal(Decimal(term.value)), datatype=term.datatype)
        if dt == XSD + "integer":
            return ox.Literal(str(int(term.value)), datatype=term.datatype)
        if term.value in ("1", "0"):
            return ox.Literal("true" if term.value == "1" else "false", datatype=term.datatype)
    except (InvalidOperation, ValueError):
        return term
    return term


def normalise(result: Result, lists: tuple[str, ...] = ()) -> Result:
    """The result with canonical literals, sorted list cells, and triples in sorted order."""
    rows = [tuple(map(normalise_term, row)) for row in result.rows]
    idx = [i for i, v in enumerate(result.variables) if v in lists]
    if idx:
        rows = [_sort_list_cells(row, idx) for row in rows]
    triples = sorted(map(_normalise_triple, result.triples), key=str)
    return Result(result.form, result.variables, rows, triples, result.boolean)


def _sort_list_cells(row: tuple[Term | None, ...], idx: list[int]) -> tuple[Term | None, ...]:
    cells = list(row)
    for i in idx:
        term = cells[i]
        if isinstance(term, ox.Literal) and term.value:
            items = sorted(term.value.split(LIST_SEPARATOR), key=_natural)
            cells[i] = ox.Literal(LIST_SEPARATOR.join(items))
    return tuple(cells)


def _normalise_triple(triple: ox.Triple) -> ox.Triple:
    obj = triple.object
    if isinstance(obj, ox.Triple):
        return triple
    canonical = normalise_term(obj)
    if canonical is obj or canonical is None:
        return triple
    return ox.Triple(triple.subject, triple.predicate, canonical)


# -- engines ----------------------------------------------------------------------------------
def _syntax_error(exc: Exception, name: str) -> UsageError:
    return UsageError(f"{name}: the SPARQL query is not valid: {str(exc).strip().splitlines()[0]}")


def _form(text: str, name: str) -> str:
    form = query_form(text)
    if form is None:
        raise UsageError(f"{name}: not a SPARQL query (SELECT, CONSTRUCT, ASK or DESCRIBE); updates are not run")
    return form.lower()


def _services(text: str, bindings: dict[str, Term] | None) -> str:
    """Put IRI-valued parameters used as ``SERVICE ?name`` in place (see ``with_service_iris``)."""
    iris = {k: str(v) for k, v in (bindings or {}).items() if isinstance(v, ox.NamedNode)}
    return with_service_iris(text, iris) if iris else text


def _service_error(exc: Exception, name: str) -> EndpointError:
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return EndpointError(f"{name}: a SERVICE endpoint of the query could not be queried: {detail}")


def _values(text: str, bindings: dict[str, Term], name: str) -> str:
    text = _services(text, bindings)
    # A parameter that only named a SERVICE endpoint is now in place; binding it again in a VALUES
    # block would be useless, and some servers (Virtuoso) reject VALUES beside a SERVICE clause.
    used = variables(text)
    try:
        return with_values(text, {k: str(v) for k, v in bindings.items() if k in used})
    except ValueError as exc:
        raise UsageError(f"{name}: {exc}") from exc


STORE_THREADS = min(2, os.cpu_count() or 1)
"""The threads of :func:`store_threads`."""

BACKGROUND_NICE = 10
"""How much lower than the process's the priority of :func:`store_threads` given ``background`` is."""


def store_threads(background: bool = False) -> ThreadPoolExecutor:
    """A pool for many queries on one pyoxigraph store (the validation's checks, the reasoner's
    rules): a query runs in the store's native code, so two threads keep two cores busy. Read each
    query's solutions in the thread that ran it.

    With ``background``, the threads run at a lower priority (:data:`BACKGROUND_NICE`; Linux sets
    it per thread, elsewhere this does nothing): while another process of the build must finish
    first, it keeps a core to itself and the threads take what is left, all of both cores once it
    has ended.
    """
    return ThreadPoolExecutor(max_workers=STORE_THREADS,
                              initializer=_lower_priority if background else None)


def _lower_priority() -> None:
    import threading

    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), os.getpriority(os.PRIO_PROCESS, 0) + BACKGROUND_NICE)
    except (OSError, AttributeError):  # not Linux, or not allowed: the same work at the same priority
        return


class OxigraphEngine:
    """Queries a pyoxigraph ``Store`` (the default engine)."""

    name = "oxigraph"

    def __init__(self, store: ox.Store, union_default_graph: bool = False) -> None:
        self.store = store
        self.union = union_default_graph

    def run(self, text: str, bindings: dict[str, Term] | None = None, name: str = "query") -> Result:
        form = _form(text, name)
        try:
            answer = self.store.query(_values(text, bindings or {}, name), use_default_graph_as_union=self.union)
        except SyntaxError as exc:
            raise _syntax_error(exc, name) from exc
        except OSError as exc:  # pragma: no cover - store I/O
            raise UsageError(f"{name}: the store could not be read: {exc}") from exc
        try:
            if isinstance(answer, ox.QuerySolutions):
                variables = tuple(v.value for v in answer.variables)
                # A solution iterates over its values in the order of ``answer.variables``
                # (unbound ones as None): much faster than looking each variable up by name.
                rows = [tuple(sol) for sol in answer]
                return Result("select", variables, rows)
            if isinstance(answer, ox.QueryBoolean):
                return Result("ask", boolean=bool(answer))
            return Result(form, triples=list(answer))
        except OSError as exc:  # raised while evaluating, e.g. a SERVICE endpoint out of reach
            raise _service_error(exc, name) from exc


class RdflibEngine:
    """Queries an ``rdflib.Dataset``; parameters are bound with ``initBindings``."""

    name = "rdflib"

    def __init__(self, dataset: Any) -> None:
        self.dataset = dataset

    def run(self, text: str, bindings: dict[str, Term] | None = None, name: str = "query") -> Result:
        from pyparsing import ParseException

        from kg_build.rdf.bridge import from_rdflib, to_rdflib

        form = _form(text, name)
        init = {k: to_rdflib(v) for k, v in (bindings or {}).items()}
        try:
            answer = self.dataset.query(_services(text, bindings), initBindings=init)
            _ = answer.bindings  # evaluate now, so a SERVICE failure surfaces here
        except ParseException as exc:
            raise _syntax_error(exc, name) from exc
        except OSError as exc:
            raise _service_error(exc, name) from exc
        if answer.type == "SELECT":
            variables = tuple(str(v) for v in answer.vars)
            rows = [tuple(None if r[i] is None else from_rdflib(r[i]) for i in range(len(variables))) for r in answer]
            return Result("select", variables, rows)
        if answer.type == "ASK":
            return Result("ask", boolean=bool(answer.askAnswer))
        triples = [ox.Triple(from_rdflib(s), from_rdflib(p), from_rdflib(o)) for s, p, o in answer.graph]  # type: ignore[arg-type]
        return Result(form, triples=triples)


RESULTS_ACCEPT = ("application/sparql-results+json, application/sparql-results+xml;q=0.9, "
                  "text/tab-separated-values;q=0.8")
RDF_MEDIA_TYPES = {
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/n-quads": ox.RdfFormat.N_QUADS,
}


class RemoteEngine:
    """Queries a SPARQL 1.1 Protocol endpoint with an HTML-form-encoded POST (read-only)."""

    name = "remote"

    def __init__(self, endpoint: str, timeout: float = 60.0, default_graphs: tuple[str, ...] = ()) -> None:
        if not re.match(r"https?://", endpoint):
            raise UsageError(f"--endpoint {endpoint!r} must be an http:// or https:// URL")
        self.endpoint = endpoint
        self.timeout = timeout
        self.default_graphs = default_graphs  # the protocol's default-graph-uri: the graphs queries read

    def _post(self, text: str, accept: str) -> tuple[str, bytes]:
        import urllib.error
        import urllib.parse
        import urllib.request

        fields = [("query", text)] + [("default-graph-uri", g) for g in self.default_graphs]
        data = urllib.parse.urlencode(fields).encode("utf-8")
        request = urllib.request.Request(
            self.endpoint, data=data, method="POST",
            headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": accept,
                     "User-Agent": "ntrk-kg"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.headers.get_content_type(), response.read()
        except urllib.error.HTTPError as exc:
            body = exc.read().decode("utf-8", "replace").strip().splitlines()
            detail = f": {body[0][:200]}" if body else ""
            raise EndpointError(f"{self.endpoint} answered HTTP {exc.code} {exc.reason}{detail}") from exc
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise EndpointError(f"cannot reach the SPARQL endpoint {self.endpoint}: {reason}") from exc

    def run(self, text: str, bindings: dict[str, Term] | None = None, name: str = "query") -> Result:
        form = _form(text, name)
        text = _values(text, bindings or {}, name)
        if form in ("select", "ask"):
            media, body = self._post(text, RESULTS_ACCEPT)
            results_format = ox.QueryResultsFormat.from_media_type(media)
            if results_format is None or results_format == ox.QueryResultsFormat.CSV:  # CSV drops term kinds
                raise EndpointError(f"{self.endpoint} answered a {form.upper()} query with {media}, not SPARQL "
                                    "JSON, XML or TSV results")
            try:
                answer = ox.parse_query_results(body, results_format)
                if isinstance(answer, ox.QueryBoolean):
                    if form != "ask":
                        raise SyntaxError("a boolean answer to a SELECT query")
                    return Result("ask", boolean=bool(answer))
                variables = tuple(v.value for v in answer.variables)
                rows = [tuple(solution) for solution in answer]
            except (SyntaxError, ValueError) as exc:
                detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                raise EndpointError(f"{self.endpoint} answered with unreadable {media}: {detail}") from exc
            return Result("select", variables, rows)
        accept = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"
        media, body = self._post(text, accept)
        fmt = RDF_MEDIA_TYPES.get(media)
        if fmt is None:
            raise EndpointError(f"{self.endpoint} answered a {form.upper()} query with {media}, not RDF")
        try:
            triples = [q.triple for q in ox.parse(body, format=fmt)]
        except SyntaxError as exc:
            raise EndpointError(f"{self.endpoint} answered with unreadable {media}: {exc}") from exc
        return Result(form, triples=triples)
