"""Load the build into a SPARQL server through the SPARQL 1.1 Graph Store HTTP Protocol, then check it.

Three layouts:

- ``graphs`` (default): each named graph of the build to the graph of the same IRI (``?graph=IRI``);
- ``graph``: the union of the build into one graph of the caller's choice;
- ``dataset``: every quad in one N-Quads request to the graph store URL itself, for servers that
  accept datasets there (Oxigraph ``/store``, Fuseki ``/ds``).

Two modes, always said in the report: ``replace`` sends ``PUT ?graph=IRI`` (in the dataset layout
``DELETE`` of each graph, then one ``POST``) so the graph ends up holding exactly the build's
triples; ``append`` sends ``POST`` and adds to what the graph holds. The default graph is never
written, and no request is sent without ``?graph=`` except the dataset ``POST``.

Every graph is counted through the SPARQL endpoint before and after the upload, and the load fails
unless the counts are what the upload must have produced. The build has no blank nodes, so
reloading the same build is idempotent: ``replace`` leaves the same counts, ``append`` is reported
as a no-op. Only the standard library speaks HTTP (urllib, with basic and digest authentication).
"""

from __future__ import annotations

import http.client
import json
import netrc
import os
import re
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kg_build.errors import KgError, UsageError
from kg_build.resources import INTERNAL_QUERIES_DIR

USER_ENV = "NTRK_KG_USER"
PASSWORD_ENV = "NTRK_KG_PASSWORD"
COUNT_QUERY_FILE = INTERNAL_QUERIES_DIR / "count-graph.rq"
TRANSIENT_STATUS = frozenset({408, 429, 502, 503, 504})
LAYOUTS = ("graphs", "graph", "dataset")
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*$")


class LoadError(KgError):
    """The server refused or lost part of the upload; nothing is reported as loaded."""

    exit_code = 1


@dataclass(frozen=True)
class Credentials:
    user: str
    password: str
    source: str


def credentials(url: str, environ: dict[str, str] | None = None) -> Credentials | None:
    """User and password for ``url``: from NTRK_KG_USER/NTRK_KG_PASSWORD, else from netrc, else none.

    The netrc file is ``$NETRC`` or ``~/.netrc``; its entry is looked up by the URL's host name.
    """
    env = os.environ if environ is None else environ
    user, password = env.get(USER_ENV), env.get(PASSWORD_ENV)
    if user or password:
        if not (user and password):
            raise UsageError(f"set both {USER_ENV} and {PASSWORD_ENV}, or neither")
        return Credentials(user, password, "environment")
    path = Path(env.get("NETRC") or Path.home() / ".netrc")
    if not path.is_file():
        return None
    try:
        entry = netrc.netrc(str(path)).authenticators(urllib.parse.urlsplit(url).hostname or "")
    except (netrc.NetrcParseError, OSError) as exc:
        raise UsageError(f"{path}: cannot read the netrc file: {exc}") from exc
    if entry is None:
        return None
    login, _, password = entry
    return Credentials(login or "", password or "", str(path))


def check_iri(iri: str) -> str:
    """A graph IRI safe to send in a query; a usage error otherwise.

    >>> check_iri("https://w3id.org/ntrk-kg/graph/guide")
    'https://w3id.org/ntrk-kg/graph/guide'
    >>> check_iri("x> } DROP ALL #")
    Traceback (most recent call last):
    kg_build.errors.UsageError: not an absolute IRI: 'x> } DROP ALL #'
    """
    if not _IRI.match(iri):
        raise UsageError(f"not an absolute IRI: {iri!r}")
    return iri


def _with_graph(url: str, graph: str) -> str:
    sep = "&" if urllib.parse.urlsplit(url).query else "?"
    return f"{url}{sep}{urllib.parse.urlencode({'graph': graph})}"


@dataclass
class Response:
    status: int
    reason: str
    body: bytes
    headers: dict[str, str]


class Client:
    """An HTTP client for one server: its SPARQL query endpoint and its graph store endpoint."""

    def __init__(
        self,
        endpoint: str,
        gsp: str | None = None,
        creds: Credentials | None = None,
        timeout: float = 60.0,
        retries: int = 3,
        backoff: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.endpoint = endpoint
        self.gsp = gsp or endpoint
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.sleep = sleep
        handlers: list[urllib.request.BaseHandler] = []
        if creds is not None:
            mgr = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            for url in {self.endpoint, self.gsp}:
                parts = urllib.parse.urlsplit(url)
                mgr.add_password(None, f"{parts.scheme}://{parts.netloc}/", creds.user, creds.password)
            # Digest first (Virtuoso), basic otherwise; urllib answers whichever the server asks for.
            handlers += [urllib.request.HTTPDigestAuthHandler(mgr), urllib.request.HTTPBasicAuthHandler(mgr)]
        self.opener = urllib.request.build_opener(*handlers)

    def request(
        self, method: str, url: str, data: bytes | None = None, content_type: str | None = None,
        accept: str | None = None, ok: tuple[int, ...] = (), shown: str | None = None,
    ) -> Response:
        """Send one request, retrying transient failures with exponential backoff.

        Every request the loader sends is idempotent for this data (PUT, DELETE, and POST of
        triples without blank nodes), so a retry cannot duplicate anything. An HTTP status that is
        not 2xx and not in ``ok`` raises ``LoadError`` naming the URL and the status.
        """
        shown = shown or url
        headers = {"User-Agent": "ntrk-kg"}
        if content_type:
            headers["Content-Type"] = content_type
        if accept:
            headers["Accept"] = accept
        attempt = 0
        while True:
            req = urllib.request.Request(url, data=data, method=method, headers=headers)
            try:
                with self.opener.open(req, timeout=self.timeout) as resp:
                    return Response(resp.status, resp.reason, resp.read(), dict(resp.headers))
            except urllib.error.HTTPError as exc:
                body = exc.read() if exc.fp else b""
                if exc.code in ok:
                    return Response(exc.code, str(exc.reason), body, dict(exc.headers or {}))
                if exc.code in TRANSIENT_STATUS and attempt < self.retries:
                    attempt += 1
                    self.sleep(self.backoff * 2 ** (attempt - 1))
                    continue
                raise LoadError(f"{method} {shown} failed: HTTP {exc.code} {exc.reason}{_hint(exc.code)}{_excerpt(body)}") from None
            except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
                reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
                if _transient(reason) and attempt < self.retries:
                    attempt += 1
                    self.sleep(self.backoff * 2 ** (attempt - 1))
                    continue
                raise LoadError(f"{method} {shown} failed: no HTTP response ({_describe(reason)})") from None

    # -- SPARQL ------------------------------------------------------------------------------
    def count(self, graph: str) -> int:
        """The number of triples in ``graph``, counted by the server's SPARQL endpoint."""
        text = COUNT_QUERY_FILE.read_text(encoding="utf-8")
        body = " ".join(ln for ln in text.splitlines() if not ln.lstrip().startswith("#"))
        query = body.replace("?graph", f"<{check_iri(graph)}>")
        url = f"{self.endpoint}{'&' if '?' in self.endpoint else '?'}{urllib.parse.urlencode({'query': query})}"
        resp = self.request("GET", url, accept="application/sparql-results+json",
                            shown=f"{self.endpoint} (SPARQL count of <{graph}>)")
        try:
            bindings = json.loads(resp.body)["results"]["bindings"]
            return int(bindings[0]["triples"]["value"]) if bindings else 0
        except (ValueError, KeyError, IndexError, TypeError):
            raise LoadError(
                f"GET {self.endpoint} did not answer a SPARQL count with JSON results (HTTP {resp.status}); "
                "is --endpoint the server's SPARQL query endpoint?"
            ) from None

    # -- Graph Store Protocol ------------------------------------------------------------------
    def put_graph(self, graph: str, ntriples: bytes) -> Response:
        return self.request("PUT", _with_graph(self.gsp, graph), ntriples, "application/n-triples")

    def post_graph(self, graph: str, ntriples: bytes) -> Response:
        return self.request("POST", _with_graph(self.gsp, graph), ntriples, "application/n-triples")

    def delete_graph(self, graph: str) -> Response:
        return self.request("DELETE", _with_graph(self.gsp, graph), ok=(404,))

    def post_dataset(self, nquads: bytes) -> Response:
        return self.request("POST", self.gsp, nquads, "application/n-quads")


def _hint(status: int) -> str:
    if status == 401:
        return f" (check {USER_ENV}/{PASSWORD_ENV} or the netrc entry for this host)"
    if status == 403:
        return " (the user may not write to this graph store)"
    return ""


def _excerpt(body: bytes) -> str:
    text = " ".join(re.sub(r"<[^>]+>", " ", body.decode("utf-8", "replace")).split())
    return f": {text[:160]}" if text else ""


def _transient(reason: object) -> bool:
    return isinstance(reason, (TimeoutError, socket.timeout, ConnectionResetError, ConnectionAbortedError,
                               http.client.RemoteDisconnected, http.client.IncompleteRead))


def _describe(reason: object) -> str:
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused: is the server running on that port?"
    if isinstance(reason, (TimeoutError, socket.timeout)):
        return "timed out"
    if isinstance(reason, socket.gaierror):
        return f"unknown host: {reason.strerror}"
    return str(reason) or type(reason).__name__


# -- the build, per graph -----------------------------------------------------------------------
@dataclass(frozen=True)
class Payload:
    """What one upload sends to one graph: its N-Triples and how many distinct triples they are."""

    graph: str
    ntriples: bytes
    triples: int


def payloads(nquads_file: Path, layout: str, target: str | None = None) -> list[Payload]:
    """The build's N-Quads split per named graph (``graphs``) or merged into ``target`` (``graph``)."""
    from pyoxigraph import DefaultGraph, RdfFormat, parse

    per_graph: dict[str, set[str]] = {}
    try:
        with nquads_file.open("rb") as fh:
            for q in parse(fh, format=RdfFormat.N_QUADS):
                if isinstance(q.graph_name, DefaultGraph):
                    raise UsageError(f"{nquads_file}: holds a triple outside any named graph: {q}")
                key = target if layout == "graph" and target is not None else q.graph_name.value
                per_graph.setdefault(key, set()).add(f"{q.subject} {q.predicate} {q.object} .")
    except SyntaxError as exc:
        raise UsageError(f"{nquads_file}: not valid N-Quads: {exc}") from None
    return [
        Payload(g, ("\n".join(sorted(lines)) + "\n").encode("utf-8"), len(lines))
        for g, lines in sorted(per_graph.items())
    ]


# -- the load -------------------------------------------------------------------------------------
@dataclass
class GraphResult:
    graph: str
    uploaded: int
    before: int
    after: int
    method: str

    def describe(self, replace: bool) -> str:
        counts = f"server count {self.before} -> {self.after}"
        if replace:
            return f"replaced <{self.graph}> via {self.method}: now holds the {self.uploaded} uploaded triples ({counts})"
        added = self.after - self.before
        if added == 0:
            return f"appended to <{self.graph}> via {self.method}: no-op, the graph already held all {self.uploaded} triples ({counts})"
        kept = self.uploaded - added
        extra = f"; {kept} were already there" if kept else ""
        return f"appended to <{self.graph}> via {self.method}: {added} new triples of {self.uploaded}{extra} ({counts})"


@dataclass
class LoadReport:
    endpoint: str
    gsp: str
    replace: bool
    layout: str
    graphs: list[GraphResult] = field(default_factory=list)

    def lines(self) -> list[str]:
        mode = "replace" if self.replace else "append"
        head = f"loaded into {self.gsp} ({mode}, layout {self.layout}); counts checked at {self.endpoint}"
        return [head] + ["  " + g.describe(self.replace) for g in self.graphs]


def _check(result: GraphResult, replace: bool, endpoint: str) -> str | None:
    """Why the counts after the upload are impossible for a complete upload, or None if they fit."""
    b, a, n = result.before, result.after, result.uploaded
    if replace:
        ok = a == n
        want = f"{n}"
    else:
        ok = max(b, n) <= a <= b + n
        want = f"between {max(b, n)} and {b + n}"
    if ok:
        return None
    return f"<{result.graph}> holds {a} triples on {endpoint} after the upload, expected {want} (before: {b}, uploaded: {n})"


def load(
    client: Client, nquads_file: Path, layout: str = "graphs", target: str | None = None,
    replace: bool = False,
) -> LoadReport:
    """Upload the build in ``nquads_file`` and verify every graph's count on the server.

    Raises ``LoadError`` (exit 1) when a request fails or a count is wrong; the message says which
    graphs were already written, so a partial load is never mistaken for a complete one.
    """
    if layout not in LAYOUTS:
        raise UsageError(f"unknown layout {layout!r} (known: {', '.join(LAYOUTS)})")
    if layout == "graph":
        if not target:
            raise UsageError("the 'graph' layout needs a target graph IRI")
        check_iri(target)
    parts = payloads(nquads_file, layout, target)
    for p in parts:
        check_iri(p.graph)
    report = LoadReport(client.endpoint, client.gsp, replace, layout)
    written: list[str] = []
    try:
        before = {p.graph: client.count(p.graph) for p in parts}
        if layout == "dataset":
            if replace:
                for p in parts:
                    client.delete_graph(p.graph)
                    written.append(p.graph)
            resp = client.post_dataset(nquads_file.read_bytes())
            location = resp.headers.get("Location") or resp.headers.get("location")
            ctype = (resp.headers.get("Content-Type") or resp.headers.get("content-type") or "").lower()
            if ctype.startswith(("text/html", "application/xhtml")):
                raise LoadError(
                    f"POST {client.gsp} answered HTTP {resp.status} with an HTML page instead of accepting the "
                    "N-Quads: this URL does not take datasets; use the default per-graph layout"
                )
            if resp.status == 201 and location:
                raise LoadError(
                    f"POST {client.gsp} created a new graph <{location}> instead of loading the dataset: "
                    "this URL does not take N-Quads datasets; use the default per-graph layout"
                )
            written = [p.graph for p in parts]
            method = "DELETE + POST (N-Quads)" if replace else "POST (N-Quads)"
        else:
            method = "PUT" if replace else "POST"
            for p in parts:
                (client.put_graph if replace else client.post_graph)(p.graph, p.ntriples)
                written.append(p.graph)
    except LoadError as exc:
        raise LoadError(_partial(str(exc), written)) from None
    problems = []
    for p in parts:
        try:
            after = client.count(p.graph)
        except LoadError as exc:
            raise LoadError(f"{exc}; the upload was sent but could not be checked, so it is not reported as loaded") from None
        result = GraphResult(p.graph, p.triples, before[p.graph], after, method)
        report.graphs.append(result)
        problem = _check(result, replace, client.endpoint)
        if problem:
            problems.append(problem)
    if problems:
        raise LoadError("the load is incomplete: " + "; ".join(problems))
    return report


def _partial(message: str, written: list[str]) -> str:
    if not written:
        return message + "; nothing was written"
    names = ", ".join(f"<{g}>" for g in written)
    return f"{message}; the load is INCOMPLETE: graphs already changed before the failure: {names}"
