"""Run SPARQL queries on the built graph: Oxigraph (default), rdflib, or a remote SPARQL endpoint.

All three engines return the same ``Result`` (pyoxigraph terms, normalised), so output does not
depend on the engine:

- ``oxigraph``: the embedded store. It opens ``<out>/store/`` when the build wrote one, otherwise
  it reads ``<out>/ntrk-kg.nq`` (or the ``--graph`` files) into an in-memory store.
- ``rdflib``: the same files parsed into an ``rdflib.Dataset``; parameters go in ``initBindings``.
- ``remote``: any SPARQL 1.1 Protocol endpoint (POST, SPARQL JSON results / N-Triples).

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

import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyoxigraph as ox

from kg_build.catalogue import LIST_SEPARATOR
from kg_build.errors import KgError, UsageError
from kg_build.params import XSD, canonical_decimal
from kg_build.query_run import ENGINES
from kg_build.sparql_text import query_form, variables, with_constants, with_service_iris, with_value_set, with_values

TYPE_CHECKING = False  # typing itself is not imported at run time: this module is on the query path
if TYPE_CHECKING:
    from typing import Any, Union

    Term = Union[ox.NamedNode, ox.BlankNode, ox.Literal]
NQUADS_FILE = "ntrk-kg.nq"
STORE_DIR = "store"
# Up to this size (about 5,000 quads) the N-Quads load in memory faster than the store opens.
SMALL_NQUADS_BYTES = 1 << 20


class EndpointError(KgError):
    """A SPARQL endpoint could not be reached or refused the query (exit status 1)."""

    exit_code = 1


class Result:
    """What a query returned: rows (SELECT), triples (CONSTRUCT/DESCRIBE) or a boolean (ASK).

    A plain class rather than a dataclass: importing ``dataclasses`` would cost more than running
    a query on the guide graph.
    """

    __slots__ = ("form", "variables", "rows", "triples", "boolean")

    def __init__(self, form: str, variables: tuple[str, ...] = (), rows: list[tuple[Term | None, ...]] | None = None,
                 triples: list[ox.Triple] | None = None, boolean: bool | None = None) -> None:
        self.form = form
        self.variables = variables
        self.rows: list[tuple[Term | None, ...]] = [] if rows is None else rows
        self.triples: list[ox.Triple] = [] if triples is None else triples
        self.boolean = boolean

    def _fields(self) -> tuple[object, ...]:
        return (self.form, self.variables, self.rows, self.triples, self.boolean)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._fields() == other._fields()  # type: ignore[attr-defined]

    __hash__ = None  # type: ignore[assignment]  # mutable, like the dataclass it replaces

    def __repr__(self) -> str:
        names = ("form", "variables", "rows", "triples", "boolean")
        return "Result(" + ", ".join(f"{n}={v!r}" for n, v in zip(names, self._fields())) + ")"


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
    canonical = normalise_term(obj)
    return triple if canonical is obj else ox.Triple(triple.subject, triple.predicate, canonical)


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


def _service_error(exc: Exception, name: str) -> "EndpointError":
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


def _from_rdflib(term: Any) -> Term | None:
    from rdflib import BNode, Literal, URIRef

    if term is None:
        return None
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"unexpected term {term!r}")  # pragma: no cover


def _to_rdflib(term: Term) -> Any:
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    if term.datatype.value == XSD + "string":
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


class RdflibEngine:
    """Queries an ``rdflib.Dataset``; parameters are bound with ``initBindings``."""

    name = "rdflib"

    def __init__(self, dataset: Any) -> None:
        self.dataset = dataset

    def run(self, text: str, bindings: dict[str, Term] | None = None, name: str = "query") -> Result:
        from pyparsing import ParseException

        form = _form(text, name)
        init = {k: _to_rdflib(v) for k, v in (bindings or {}).items()}
        try:
            answer = self.dataset.query(_services(text, bindings), initBindings=init)
            answer.bindings  # evaluate now, so a SERVICE failure surfaces here
        except ParseException as exc:
            raise _syntax_error(exc, name) from exc
        except OSError as exc:
            raise _service_error(exc, name) from exc
        if answer.type == "SELECT":
            variables = tuple(str(v) for v in answer.vars)
            rows = [tuple(_from_rdflib(r[i]) for i in range(len(variables))) for r in answer]
            return Result("select", variables, rows)
        if answer.type == "ASK":
            return Result("ask", boolean=bool(answer.askAnswer))
        triples = [ox.Triple(*(_from_rdflib(t) for t in triple)) for triple in answer.graph]
        return Result(form, triples=triples)


def _json_term(cell: dict[str, str]) -> Term:
    kind = cell.get("type")
    if kind == "uri":
        return ox.NamedNode(cell["value"])
    if kind == "bnode":
        return ox.BlankNode(cell["value"])
    if kind in ("literal", "typed-literal"):
        if "xml:lang" in cell:
            return ox.Literal(cell["value"], language=cell["xml:lang"])
        if "datatype" in cell:
            return ox.Literal(cell["value"], datatype=ox.NamedNode(cell["datatype"]))
        return ox.Literal(cell["value"])
    raise ValueError(f"unknown term type {kind!r}")


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
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                return response.headers.get_content_type(), response.read()
        except urllib.error.HTTPError as exc:
            body = exc.read().decode("utf-8", "replace").strip().splitlines()
            detail = f": {body[0][:200]}" if body else ""
            raise EndpointError(f"{self.endpoint} answered HTTP {exc.code} {exc.reason}{detail}") from exc
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise EndpointError(f"cannot reach the SPARQL endpoint {self.endpoint}: {reason}") from exc

    def run(self, text: str, bindings: dict[str, Term] | None = None, name: str = "query") -> Result:
        import json

        form = _form(text, name)
        text = _values(text, bindings or {}, name)
        if form in ("select", "ask"):
            _, body = self._post(text, "application/sparql-results+json")
            try:
                doc = json.loads(body)
                if form == "ask":
                    return Result("ask", boolean=bool(doc["boolean"]))
                variables = tuple(doc["head"]["vars"])
                rows = [
                    tuple(_json_term(b[v]) if v in b else None for v in variables)
                    for b in doc["results"]["bindings"]
                ]
            except (ValueError, KeyError, TypeError) as exc:
                raise EndpointError(f"{self.endpoint} did not answer with SPARQL JSON results: {exc}") from exc
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


# -- opening the graph ------------------------------------------------------------------------
def graph_sources(out_dir: Path, graph_files: list[Path] | tuple[Path, ...] = ()) -> list[Path]:
    """The RDF files to query: ``graph_files`` if given, otherwise the build's N-Quads."""
    files = list(graph_files)
    if not files:
        nq = out_dir / NQUADS_FILE
        if not nq.is_file():
            raise UsageError(f"{nq} does not exist; run 'ntrk-kg build --out {out_dir}' first, or pass --graph FILE")
        files = [nq]
    for f in files:
        if not f.is_file():
            raise UsageError(f"{f}: no such file")
    return files


def _small_build(out_dir: Path) -> bool:
    """Whether the build's N-Quads are small enough to parse faster than the store opens."""
    try:
        return (out_dir / NQUADS_FILE).stat().st_size <= SMALL_NQUADS_BYTES
    except OSError:
        return False


def open_store(out_dir: Path, graph_files: list[Path] | tuple[Path, ...] = ()) -> ox.Store:
    """The build's persisted Oxigraph store if there is one (and no ``graph_files``), else an
    in-memory store loaded from the files.

    A small build (N-Quads of at most ``SMALL_NQUADS_BYTES``, such as the guide's) is read from
    its N-Quads into memory even when the store exists: the build writes the store from those
    very bytes, and parsing them takes less time than opening the persisted database.
    """
    store_dir = out_dir / STORE_DIR
    if not graph_files and store_dir.is_dir() and not _small_build(out_dir):
        try:
            return ox.Store.read_only(str(store_dir))
        except OSError as exc:
            raise UsageError(f"{store_dir}: cannot open the Oxigraph store: {exc}") from exc
    store = ox.Store()
    for path in graph_sources(out_dir, graph_files):
        fmt = ox.RdfFormat.from_extension(path.suffix.lstrip(".").lower())
        if fmt is None:
            raise UsageError(f"{path}: cannot tell the RDF syntax from the extension {path.suffix!r} (use .nq, .trig, .ttl, .nt, .rdf or .jsonld)")
        try:
            store.load(path=str(path), format=fmt)
        except SyntaxError as exc:
            raise UsageError(f"{path}: not valid {fmt.name}: {str(exc).strip().splitlines()[0]}") from exc
    return store


def engine_for(
    engine: str = "oxigraph",
    out_dir: Path = Path("build"),
    graph_files: list[Path] | tuple[Path, ...] = (),
    endpoint: str | None = None,
    union_default_graph: bool = False,
) -> OxigraphEngine | RdflibEngine | RemoteEngine:
    """The engine the CLI options ask for."""
    if endpoint:
        return RemoteEngine(endpoint)
    if engine == "oxigraph":
        return OxigraphEngine(open_store(out_dir, graph_files), union_default_graph)
    if engine == "rdflib":
        from kg_build.rdfio import load_dataset

        ds = load_dataset(graph_sources(out_dir, graph_files))
        ds.default_union = union_default_graph
        return RdflibEngine(ds)
    raise UsageError(f"unknown engine {engine!r} (known: {', '.join(ENGINES)})")


def has_named_graphs(engine: OxigraphEngine | RdflibEngine | RemoteEngine) -> bool:
    """Whether the local data holds any named graph (the catalogue queries read named graphs)."""
    if isinstance(engine, OxigraphEngine):
        return any(True for _ in engine.store.named_graphs())
    if isinstance(engine, RdflibEngine):
        return any(len(g) for g in engine.dataset.graphs() if g.identifier != engine.dataset.default_graph.identifier)
    return True


def looked_up(engine: Any, query: Any, bindings: dict[str, Term]) -> str:
    """The query's text with the answer of each bound parameter's lookup as inline data.

    A parameter whose header names lookups (``queries/lookup/NAME.rq``) is first resolved, with
    those small queries, to the values of one variable of the query (say the IRIs whose label is
    the name given); the query then opens with ``VALUES ?var { ... }`` and starts from them.
    A ``#+ values ?var ...`` line (in a sub-select, which the top-level block does not reach) is
    replaced by the same inline data for each variable it names that a lookup found or a bound
    parameter gives, so that sub-select too starts from the few values (see **Lookups** in the README).
    """
    from kg_build.catalogue import value_markers

    found_sets: dict[str, list[str]] = {}
    for p in query.params:
        if not p.lookup or p.name not in bindings:
            continue
        terms: set[str] = set()
        for lookup in p.lookup:
            text_of_lookup = with_constants(lookup.body, {"value": str(bindings[p.name])})
            found = engine.run(text_of_lookup, name=f"{query.name} (lookup {lookup.name})")
            terms.update(str(row[0]) for row in found.rows if row and row[0] is not None)
        found_sets[p.lookup[0].variable] = sorted(terms)
    marked = {**{k: [str(v)] for k, v in bindings.items()}, **found_sets}
    text = query.body
    for start, end, names in reversed(value_markers(text)):
        blocks = [f"VALUES ?{n} {{ {' '.join(marked[n])} }}" if marked[n] else "FILTER(false)"
                  for n in names if n in marked]
        text = f"{text[:start]}{' '.join(blocks)}{text[end:]}"
    for var, terms_of_var in found_sets.items():
        text = with_value_set(text, var, terms_of_var)
    return text


def run_catalogue_query(engine: Any, query: Any, bindings: dict[str, Term], page: int = 1) -> Result:
    """Run a catalogue query, normalise it, and check it returns exactly its declared columns.

    A paged query (``#+ pagination: N``) gives page ``page`` (from 1): the N subjects its marked
    sub-select lists at that place of its order, with their rows (see ``catalogue.paged``).
    """
    from kg_build.catalogue import paged

    if page < 1:
        raise UsageError(f"the page number must be 1 or more, not {page}")
    text = paged(query, looked_up(engine, query, bindings), page)
    result = normalise(engine.run(text, bindings, name=query.name), query.lists)
    if query.form == "select" and result.variables != query.columns:
        raise KgError(
            f"{query.path}: the query returns columns {list(result.variables)} but its header declares {list(query.columns)}"
        )
    return result
