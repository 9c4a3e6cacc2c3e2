"""Content negotiation: the media types each kind of answer has, and the one an ``Accept`` header picks.

The ``Accept`` header is read as RFC 9110 section 12.5.1 says: media ranges with ``q`` weights,
the most specific range that matches a type giving its weight; ties go to the server's order.
A ``format`` parameter (``json``, ``xml``, ``csv``, ``tsv``, ``ttl``, ``nt``, ``jsonld``, ``html``)
overrides the header, for links and browsers.
"""

from __future__ import annotations

from collections import namedtuple

from kg_build.sparql.results import MEDIA_TYPES


class Format(namedtuple("Format", ("name", "media_type", "short"))):
    """An answer format: the result writer's name, its media type and its ``format=`` short name."""

    __slots__ = ()


JSON = Format("json", MEDIA_TYPES["json"], "json")
XML = Format("xml", MEDIA_TYPES["xml"], "xml")
CSV = Format("csv", MEDIA_TYPES["csv"], "csv")
TSV = Format("tsv", MEDIA_TYPES["tsv"], "tsv")
TURTLE = Format("turtle", MEDIA_TYPES["turtle"], "ttl")
NTRIPLES = Format("ntriples", MEDIA_TYPES["ntriples"], "nt")
JSONLD = Format("jsonld", "application/ld+json", "jsonld")
HTML = Format("html", "text/html", "html")

SOLUTION_FORMATS = (JSON, XML, CSV, TSV)
"""For SELECT and ASK results, the first being the default."""
GRAPH_FORMATS = (TURTLE, NTRIPLES, JSONLD)
"""For CONSTRUCT and DESCRIBE results and resource descriptions, the first being the default."""
PAGE_FORMATS = (HTML, TURTLE, NTRIPLES, JSONLD)
"""For a dereferenced IRI: a page for people first, then RDF."""
# Other names clients send for the same formats.
ALIASES = (("application/json", JSON), ("application/json", JSONLD), ("application/xml", XML), ("text/xml", XML),
           ("text/plain", NTRIPLES), ("application/x-turtle", TURTLE), ("application/xhtml+xml", HTML))


class NotAcceptable(ValueError):
    """No format offered is acceptable; the message lists the ones there are."""


def parse_accept(header: str | None) -> list[tuple[str, float, int]]:
    """``(media range, q, specificity)`` for each range of an Accept header; malformed parts skipped.

    >>> parse_accept("text/turtle;q=0.5, application/*, */*;q=0.1")
    [('text/turtle', 0.5, 2), ('application/*', 1.0, 1), ('*/*', 0.1, 0)]
    """
    out = []
    for part in (header or "").split(","):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if media.count("/") != 1:
            continue
        q = 1.0
        for f in fields[1:]:
            name, _, value = f.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        kind, sub = media.split("/")
        out.append((media, q, 0 if kind == "*" else 1 if sub == "*" else 2))
    return out


def _weight(ranges: list[tuple[str, float, int]], media_type: str) -> float | None:
    kind = media_type.split("/")[0]
    best: tuple[int, float] | None = None
    for media, q, specificity in ranges:
        if media in (media_type, f"{kind}/*", "*/*") and (best is None or specificity > best[0]):
            best = (specificity, q)
    return None if best is None else best[1]


def choose(offered: tuple[Format, ...], accept: str | None, short: str | None = None) -> Format:
    """The format to answer in: ``short`` (a ``format=`` value) if given, else the Accept header's pick.

    No header, or one that accepts nothing offered but says nothing against the default either,
    gives the default (the first offered). ``NotAcceptable`` when ``short`` is not offered, or the
    header rules out every offered format.

    >>> choose(GRAPH_FORMATS, "application/n-triples;q=0.9, text/turtle;q=0.8").name
    'ntriples'
    >>> choose(SOLUTION_FORMATS, "text/html,application/xhtml+xml,*/*;q=0.8").name
    'json'
    >>> choose(PAGE_FORMATS, "application/json").name
    'jsonld'
    """
    if short:
        for f in offered:
            if short in (f.short, f.name, f.media_type):
                return f
        raise NotAcceptable(f"format={short!r} is not offered here; use one of {', '.join(f.short for f in offered)}")
    ranges = parse_accept(accept)
    if not ranges:
        return offered[0]
    best: tuple[float, int, Format] | None = None
    names = {f.media_type: f for f in offered}
    candidates = [(f.media_type, f) for f in offered]
    candidates += [(alias, f) for alias, f in ALIASES if f.media_type in names]
    for order, (media_type, f) in enumerate(candidates):
        q = _weight(ranges, media_type)
        if q and (best is None or q > best[0]):
            best = (q, order, f)
    if best is None:
        wanted = ", ".join(m for m, _, _ in ranges)
        raise NotAcceptable(f"none of the accepted types ({wanted}) is offered here; "
                            f"offered: {', '.join(f.media_type for f in offered)}")
    return best[2]
