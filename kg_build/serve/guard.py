"""What a public endpoint refuses before a query runs: updates, and ``SERVICE`` to hosts not allowed.

A federated query makes the server send requests to the endpoint its ``SERVICE`` clause names, so
an open endpoint would query any host on a caller's behalf. Every ``SERVICE`` must therefore name
its endpoint as a full IRI (``SERVICE <https://...>``; not a prefixed name, a relative IRI or a
variable, whose value cannot be known before the query runs) that is on the allow-list.

The check reads the query as the SPARQL grammar does: ``\\uXXXX`` and ``\\UXXXXXXXX`` escapes are
replaced first (SPARQL 1.1 section 19.2, as Oxigraph does), and the tokens of
``kg_build.sparql.text`` keep comments, strings and IRIs whole, so the word ``SERVICE`` in them
is not a clause. The text checked is the text that runs (``unescaped``).
"""

from __future__ import annotations

import re
from collections.abc import Collection

from kg_build.errors import KgError
from kg_build.sparql.text import tokens

_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_ABSOLUTE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


class Refused(KgError):
    """The query asks for something this server does not do for anyone (HTTP 403)."""


def unescaped(text: str) -> str:
    """The query with its codepoint escapes replaced by the characters they stand for.

    >>> unescaped(r"SELECT * { \\u003Chttp://a/> ?p ?o }")
    'SELECT * { <http://a/> ?p ?o }'
    """

    def char(m: re.Match[str]) -> str:
        code = int(m.group(1) or m.group(2), 16)
        return chr(code) if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else m.group(0)

    return _ESCAPE.sub(char, text)


def service_endpoints(text: str) -> list[str]:
    """The endpoint named by each ``SERVICE`` clause of ``text`` (already unescaped), in order.

    An endpoint that is not a full IRI is returned as written (a variable, a prefixed name).

    >>> service_endpoints("SELECT * { SERVICE SILENT <https://e/sparql> { ?s ?p ?o } SERVICE ?x {} } # SERVICE <a:b>")
    ['<https://e/sparql>', '?x']
    """
    found, expect = [], False
    for kind, tok, _ in tokens(text):
        if kind == "comment":
            continue
        if expect:
            if kind == "word" and tok.upper() == "SILENT":
                continue
            found.append(tok)
            expect = False
        elif kind == "word" and tok.upper() == "SERVICE":
            expect = True
    if expect:
        found.append("")
    return found


def check_services(text: str, allowed: Collection[str]) -> None:
    """Raise ``Refused`` unless every ``SERVICE`` of ``text`` names an allowed endpoint in full."""
    for endpoint in service_endpoints(text):
        iri = endpoint[1:-1] if endpoint.startswith("<") and endpoint.endswith(">") else None
        if iri is None or not _ABSOLUTE.match(iri):
            raise Refused(f"SERVICE {endpoint or '(nothing)'}: a federated query must name its endpoint "
                          "as a full IRI, like SERVICE <https://example.org/sparql>")
        if iri not in allowed:
            hint = f" (allowed: {', '.join(sorted(allowed))})" if allowed else " (this server allows none)"
            raise Refused(f"SERVICE <{iri}>: this server does not query that endpoint{hint}; "
                          "its operator can allow it with 'ntrk-kg serve --allow-service URL'")
