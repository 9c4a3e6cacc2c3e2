"""Write query results as a table, CSV, TSV, SPARQL 1.1 JSON or XML; RDF results as Turtle or N-Triples.

CSV, TSV, JSON and XML follow the W3C "SPARQL 1.1 Query Results CSV and TSV Formats", "SPARQL 1.1
Query Results JSON Format" and "SPARQL Query Results XML Format" (the XML is written by pyoxigraph's
serializer); the table is for people (IRIs shortened with the project's prefixes, long cells wrapped
to a maximum width). Every writer of query results (``ntrk-kg query``/``sparql``, the web server)
goes through this module, and ``MEDIA_TYPES`` names each format's media type.
"""

from __future__ import annotations

import pyoxigraph as ox

from kg_build.errors import UsageError
from kg_build.rdf.prefixes import namespaces, shorten
from kg_build.rdf.xsd import XSD
from kg_build.sparql.engines import Result, Term

SELECT_FORMATS = ("table", "csv", "tsv", "json", "xml")
GRAPH_FORMATS = ("turtle", "ntriples")
FORMATS = ("table", *SELECT_FORMATS[1:], *GRAPH_FORMATS)
"""Every output format of ``--format``: ``table`` is for people, the rest are W3C formats."""
MEDIA_TYPES = {
    "table": "text/plain", "csv": "text/csv", "tsv": "text/tab-separated-values",
    "json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
    "turtle": "text/turtle", "ntriples": "application/n-triples",
}
"""Format name -> the media type of its output (``text/csv`` and TSV as the SPARQL 1.1 formats)."""
TABLE_GAP = "  "
MIN_COLUMN_WIDTH = 8
_SHORT = {XSD + "integer": r"[-+]?[0-9]+", XSD + "decimal": r"[-+]?[0-9]*\.[0-9]+", XSD + "boolean": r"true|false"}


def _plain(term: Term | None) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value


def tsv_term(term: Term | None) -> str:
    """A term in SPARQL TSV form (N-Triples syntax; numbers and booleans in their short form).

    >>> tsv_term(ox.Literal("90.0", datatype=ox.NamedNode(XSD + "decimal")))
    '90.0'
    >>> tsv_term(ox.Literal("a\\tb"))
    '"a\\\\tb"'
    """
    import re

    if term is None:
        return ""
    if isinstance(term, ox.Literal) and not term.language and term.datatype.value in _SHORT:
        if re.fullmatch(_SHORT[term.datatype.value], term.value):
            return term.value
    return str(term).replace("\t", "\\t")


def _table_cell(term: Term | None) -> str:
    if isinstance(term, ox.NamedNode):
        return shorten(term.value)
    return _plain(term).replace("\n", " ")


def fit_widths(natural: list[int], headers: list[str], max_width: int) -> list[int]:
    """Column widths whose row fits ``max_width`` characters: the widest column gives up a
    character at a time, none going below its header or ``MIN_COLUMN_WIDTH`` (so a table of many
    columns may stay wider than asked).

    >>> fit_widths([40, 5, 30], ["a", "bb", "c"], 50)
    [20, 5, 21]
    """
    widths = list(natural)
    floor = [min(w, max(len(h), MIN_COLUMN_WIDTH)) for w, h in zip(natural, headers, strict=True)]
    budget = max_width - len(TABLE_GAP) * (len(widths) - 1)
    while sum(widths) > budget:
        shrinkable = [i for i in range(len(widths)) if widths[i] > floor[i]]
        if not shrinkable:
            break
        widths[max(shrinkable, key=lambda i: (widths[i], -i))] -= 1
    return widths


def _wrapped(text: str, width: int) -> list[str]:
    """A cell's lines at ``width``: broken at spaces where possible, else inside long words (IRIs)."""
    import textwrap

    if len(text) <= width:
        return [text]
    return textwrap.wrap(text, width, break_long_words=True, break_on_hyphens=False) or [""]


def to_table(result: Result, max_width: int | None = None) -> str:
    """Aligned columns for reading in a terminal; IRIs shortened to CURIEs.

    With ``max_width``, cells too wide for it wrap onto more lines (see ``fit_widths``).
    """
    if result.form == "ask":
        return ("true" if result.boolean else "false") + "\n"
    header = list(result.variables)
    body = [[_table_cell(t) for t in row] for row in result.rows]
    widths = [max([len(h)] + [len(r[i]) for r in body]) for i, h in enumerate(header)]
    if max_width:
        widths = fit_widths(widths, header, max_width)
    lines = [TABLE_GAP.join(c.ljust(w) for c, w in zip(header, widths, strict=True)).rstrip(),
             TABLE_GAP.join("-" * w for w in widths)]
    for cells in body:
        columns = [_wrapped(c, w) for c, w in zip(cells, widths, strict=True)]
        for k in range(max(map(len, columns), default=1)):
            lines.append(TABLE_GAP.join((col[k] if k < len(col) else "").ljust(w)
                                        for col, w in zip(columns, widths, strict=True)).rstrip())
    n = len(body)
    return "\n".join(lines) + f"\n({n} row{'s' if n != 1 else ''})\n"


def to_csv(result: Result) -> str:
    """SPARQL 1.1 CSV results (CRLF line ends, plain values)."""
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    if result.form == "ask":
        writer.writerow(["true" if result.boolean else "false"])
        return buf.getvalue()
    writer.writerow(result.variables)
    for row in result.rows:
        writer.writerow([_plain(t) for t in row])
    return buf.getvalue()


def to_tsv(result: Result) -> str:
    """SPARQL 1.1 TSV results (``?var`` header, terms in N-Triples syntax)."""
    if result.form == "ask":
        return ("true" if result.boolean else "false") + "\n"
    lines = ["\t".join(f"?{v}" for v in result.variables)]
    lines += ["\t".join(tsv_term(t) for t in row) for row in result.rows]
    return "\n".join(lines) + "\n"


def _json_cell(term: Term) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    cell = {"type": "literal", "value": term.value}
    if term.language:
        cell["xml:lang"] = term.language
    elif term.datatype.value != XSD + "string":
        cell["datatype"] = term.datatype.value
    return cell


def to_json(result: Result) -> str:
    """SPARQL 1.1 JSON results."""
    import json

    if result.form == "ask":
        return json.dumps({"head": {}, "boolean": bool(result.boolean)}, indent=1) + "\n"
    doc = {
        "head": {"vars": list(result.variables)},
        "results": {"bindings": [
            {v: _json_cell(t) for v, t in zip(result.variables, row, strict=False) if t is not None} for row in result.rows
        ]},
    }
    return json.dumps(doc, indent=1, ensure_ascii=False) + "\n"


def to_xml(result: Result) -> str:
    """SPARQL Query Results XML Format (``application/sparql-results+xml``), written by pyoxigraph.

    The rows reach pyoxigraph's serializer as SPARQL JSON results (read back by its parser), so
    every term, language tag and datatype is written by the library, in the rows' order.
    """
    solutions = ox.parse_query_results(to_json(result), ox.QueryResultsFormat.JSON)
    data = solutions.serialize(format=ox.QueryResultsFormat.XML) or b""
    return data.decode("utf-8") + "\n"


def to_rdf(result: Result, fmt: str) -> str:
    """CONSTRUCT/DESCRIBE results as Turtle (with the project's prefixes) or N-Triples, sorted."""
    triples = sorted(result.triples, key=str)
    if fmt == "ntriples":
        return "".join(f"{t} .\n" for t in triples)
    iris = {n.value for t in triples for n in (t.subject, t.predicate, t.object) if isinstance(n, ox.NamedNode)}
    used = {p: ns for p, ns in sorted(namespaces().items()) if any(i.startswith(ns) for i in iris)}
    data = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=used)
    return (data or b"").decode("utf-8")


def render(result: Result, fmt: str, max_width: int | None = None) -> str:
    """The result in ``fmt``; CONSTRUCT results accept ``turtle``/``ntriples`` (``table`` = Turtle).

    A format that does not fit the result (CSV for triples, Turtle for rows) is a ``UsageError``.
    ``max_width`` wraps a ``table`` to that many characters (``None``: never).
    """
    graph = result.form in ("construct", "describe")
    if graph and fmt not in ("table", *GRAPH_FORMATS):
        raise UsageError(f"--format {fmt} is for SELECT results; a {result.form.upper()} query gives RDF: use turtle or ntriples")
    if not graph and fmt in GRAPH_FORMATS:
        raise UsageError(f"--format {fmt} is for CONSTRUCT results; use table, csv, tsv, json or xml")
    if graph:
        return to_rdf(result, "turtle" if fmt == "table" else fmt)
    if fmt == "table":
        return to_table(result, max_width)
    writers = {"csv": to_csv, "tsv": to_tsv, "json": to_json, "xml": to_xml}
    return writers[fmt](result)
