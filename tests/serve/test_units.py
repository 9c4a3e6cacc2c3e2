"""The pieces of the server that need no server: negotiation, the SERVICE guard, error answers."""

from __future__ import annotations

import pytest

from kg_build.errors import UsageError
from kg_build.serve import handlers
from kg_build.serve import negotiation as neg
from kg_build.serve.guard import Refused, check_services, service_endpoints


@pytest.mark.parametrize("accept, expected", [
    (None, "json"), ("", "json"), ("*/*", "json"), ("text/*", "csv"), ("application/xml;q=0.1, text/csv;q=0.5", "csv"),
    ("text/csv;q=0, */*;q=0.1", "json"), ("text/tab-separated-values, text/csv", "csv"), ("application/json", "json"),
    ("text/csv;q=bad, application/sparql-results+json;q=0.2", "json"), ("garbage, text/csv", "csv"),
])
def test_solution_formats_negotiated(accept: str | None, expected: str) -> None:
    assert neg.choose(handlers.solution_formats(), accept).name == expected


@pytest.mark.parametrize("accept, expected", [
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "html"), ("text/turtle", "turtle"),
    ("application/n-triples", "ntriples"), ("text/plain", "ntriples"), ("application/ld+json", "jsonld"),
    ("application/json", "jsonld"), ("*/*", "html"), ("text/turtle;q=0.9, text/html;q=0.1", "turtle"),
])
def test_page_formats_negotiated(accept: str, expected: str) -> None:
    assert neg.choose(neg.PAGE_FORMATS, accept).name == expected


def test_nothing_acceptable() -> None:
    with pytest.raises(neg.NotAcceptable, match=r"none of the accepted types \(image/png\) is offered here"):
        neg.choose(neg.GRAPH_FORMATS, "image/png")
    with pytest.raises(neg.NotAcceptable, match="format='csv' is not offered here; use one of ttl, nt, jsonld"):
        neg.choose(neg.GRAPH_FORMATS, None, "csv")


@pytest.mark.parametrize("query, endpoints", [
    ("SELECT * { ?s ?p 'SERVICE <http://a/>' }", []),
    ("SELECT * { ?s ?p ?o } # SERVICE <http://a/>", []),
    ("SELECT * { ?s <http://x/SERVICE> ?o }", []),
    ("SELECT * { ?service ?p ?o . ?s service:x ?o }", []),
    ("SELECT * { SERVICE<http://a/>{ ?s ?p ?o } }", ["<http://a/>"]),
    ("SELECT * { service silent <http://a/> { } SERVICE ?e { } }", ["<http://a/>", "?e"]),
    ("SELECT * { FILTER(?a<?b) SERVICE <http://a/> { } }", ["<http://a/>"]),
])
def test_service_endpoints_found(query: str, endpoints: list[str]) -> None:
    assert service_endpoints(query) == endpoints


def test_check_services() -> None:
    check_services("SELECT * { SERVICE <https://e.org/sparql> { ?s ?p ?o } }", ("https://e.org/sparql",))
    with pytest.raises(Refused, match=r"SERVICE <https://other.org/sparql>: this server does not query that endpoint \(allowed: https://e.org/sparql\)"):
        check_services("SELECT * { SERVICE <https://other.org/sparql> { ?s ?p ?o } }", ("https://e.org/sparql",))
    with pytest.raises(Refused, match="must name its endpoint as a full IRI"):
        check_services("SELECT * { SERVICE", ())


def test_an_unexpected_failure_is_a_500_without_internals(caplog: pytest.LogCaptureFixture) -> None:
    @handlers.guarded
    def broken() -> None:
        raise RuntimeError("secret internals at /srv/x.py line 3")

    answer = broken()
    assert (answer.status, answer.body) == (500, b"the server failed to answer this request; its log says why\n")
    assert "secret internals" in caplog.text

    @handlers.guarded
    def usage() -> None:
        raise UsageError("what is wrong")

    assert usage()[:3] == (400, "text/plain; charset=utf-8", b"what is wrong\n")


def test_the_socket_listens_before_the_server_says_it_is_ready() -> None:
    # A client that connects as soon as the ready line is printed is queued, not refused: the
    # connection is made here while nothing accepts it.
    import socket

    from kg_build.cli.serve import listening_socket

    with listening_socket("127.0.0.1", 0) as sock:
        with socket.create_connection(sock.getsockname()[:2], timeout=5) as client:
            assert client.getpeername() == sock.getsockname()


def test_an_address_in_use_is_a_usage_error() -> None:
    from kg_build.cli.serve import listening_socket

    with listening_socket("127.0.0.1", 0) as taken:
        port = taken.getsockname()[1]
        with pytest.raises(UsageError, match=rf"^cannot listen on 127\.0\.0\.1:{port}: Address already in use$"):
            listening_socket("127.0.0.1", port)
