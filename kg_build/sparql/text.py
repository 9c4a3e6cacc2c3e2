"""Light lexical helpers over SPARQL query text: query form, declared prefixes, inline data.

These work on tokens (comments, strings and IRIs are skipped as units), never by pasting values:
parameter values reach the text only as RDF terms serialised by pyoxigraph in a ``VALUES`` block.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

_TOKEN = re.compile(
    r"""
    (?P<comment>\#[^\n]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$](?:[A-Za-z0-9_\u00b7]|[^\x00-\xbf\U00010000-\U0010ffff])+)
  | (?P<word>[A-Za-z_][A-Za-z0-9_\-.]*:?[A-Za-z0-9_\-.:%]*)
  | (?P<brace>[{}])
  | (?P<other>\S)
    """,
    re.VERBOSE,
)
FORMS = ("SELECT", "CONSTRUCT", "ASK", "DESCRIBE")


def tokens(text: str) -> Iterator[tuple[str, str, int]]:
    """``(kind, text, offset)`` for every token; comments, strings and IRIs are single tokens."""
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup or "other"
        yield kind, m.group(0), m.start()


def query_form(text: str) -> str | None:
    """The query form (SELECT, CONSTRUCT, ASK, DESCRIBE), or ``None`` for anything else.

    >>> query_form("PREFIX a: <http://x/> # SELECT\\nASK { ?s ?p ?o }")
    'ASK'
    """
    for kind, tok, _ in tokens(text):
        if kind == "word" and tok.upper() in FORMS:
            return tok.upper()
        if kind == "word" and tok.upper() in ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "COPY", "MOVE", "ADD", "WITH"):
            return None
    return None


def variables(text: str) -> set[str]:
    """Names of the variables the query text mentions (``?x`` and ``$x``)."""
    return {tok[1:] for kind, tok, _ in tokens(text) if kind == "var"}


def where_brace(text: str) -> int | None:
    """Offset of the ``{`` that opens the query's top-level WHERE group, or ``None``."""
    depth, after_where = 0, False
    for kind, tok, pos in tokens(text):
        if kind == "word" and tok.upper() == "WHERE" and depth == 0:
            after_where = True
        elif kind == "brace":
            if tok == "{" and depth == 0 and after_where:
                return pos
            depth += 1 if tok == "{" else -1
    return None


def with_values(text: str, terms: Mapping[str, str]) -> str:
    """The query with ``VALUES (?a ?b) { (t1 t2) }`` opening its top-level WHERE group.

    ``terms`` maps variable names to RDF terms already serialised in N-Triples syntax (escaped by
    the term library). Inline data at the top of the group is joined with the rest of the group,
    so the group's FILTERs see the values: the same result as binding the variables beforehand.

    >>> with_values("SELECT ?x WHERE { ?x ?p ?t }", {"t": '"a\\\\" }"'})
    'SELECT ?x WHERE { VALUES (?t) { ("a\\\\" }") }\\n ?x ?p ?t }'
    """
    if not terms:
        return text
    pos = where_brace(text)
    if pos is None:
        raise ValueError("the query has no top-level WHERE group to bind parameters in")
    names = " ".join(f"?{n}" for n in terms)
    row = " ".join(terms.values())
    return f"{text[:pos + 1]} VALUES ({names}) {{ ({row}) }}\n{text[pos + 1:]}"


def with_value_set(text: str, name: str, terms: list[str] | tuple[str, ...]) -> str:
    """The query with ``VALUES ?name { t1 t2 ... }`` opening its top-level WHERE group.

    No term at all is written ``FILTER(false)`` (the same empty answer; rdflib cannot read an
    empty VALUES block).

    >>> with_value_set("SELECT ?x WHERE { ?x ?p ?o }", "x", ["<a:1>", "<a:2>"])
    'SELECT ?x WHERE { VALUES ?x { <a:1> <a:2> }\\n ?x ?p ?o }'
    >>> with_value_set("SELECT ?x WHERE { ?x ?p ?o }", "x", [])
    'SELECT ?x WHERE { FILTER(false)\\n ?x ?p ?o }'
    """
    pos = where_brace(text)
    if pos is None:
        raise ValueError("the query has no top-level WHERE group to bind values in")
    block = f"VALUES ?{name} {{ {' '.join(terms)} }}" if terms else "FILTER(false)"
    return f"{text[:pos + 1]} {block}\n{text[pos + 1:]}"


def with_constants(text: str, terms: Mapping[str, str]) -> str:
    """The query with each ``?name`` of ``terms`` replaced by its term (serialised and escaped).

    Only for lookup queries, whose one input variable is used in FILTERs and object positions:
    with the value in the text, the store applies each FILTER to the pattern it tests (inline
    data joined at the top would be tested only after every pattern is joined).

    >>> with_constants('SELECT ?x WHERE { ?x ?p ?value FILTER(?value != "?value") }', {"value": '"a"'})
    'SELECT ?x WHERE { ?x ?p "a" FILTER("a" != "?value") }'
    """
    out, last = [], 0
    for kind, tok, pos in tokens(text):
        if kind == "var" and tok[1:] in terms:
            out.append(text[last:pos])
            out.append(terms[tok[1:]])
            last = pos + len(tok)
    out.append(text[last:])
    return "".join(out)


def with_service_iris(text: str, terms: Mapping[str, str]) -> str:
    """The query with ``SERVICE ?name`` turned into ``SERVICE <iri>`` for IRI-valued parameters.

    No engine binds the endpoint of a ``SERVICE`` from inline data or initial bindings (Oxigraph
    reports it unbound, rdflib silently answers nothing), so an endpoint parameter is the one
    place a value reaches the text: only an IRI term already checked and serialised as ``<...>``,
    and only in the ``SERVICE`` position; every other use of the variable stays bound as usual.

    >>> with_service_iris("SELECT * WHERE { SERVICE SILENT ?endpoint { ?s ?p ?o } }",
    ...                   {"endpoint": "<https://sparql.uniprot.org/sparql>"})
    'SELECT * WHERE { SERVICE SILENT <https://sparql.uniprot.org/sparql> { ?s ?p ?o } }'
    """
    out: list[str] = []
    previous: list[str] = []
    last = 0
    for kind, tok, pos in tokens(text):
        if kind == "comment":
            continue
        if kind == "var" and tok[1:] in terms and terms[tok[1:]].startswith("<"):
            words = [w.upper() for w in previous[-2:]]
            if words[-1:] == ["SERVICE"] or words == ["SERVICE", "SILENT"]:
                out.append(text[last:pos])
                out.append(terms[tok[1:]])
                last = pos + len(tok)
        previous.append(tok)
    out.append(text[last:])
    return "".join(out)


UNLIMITED = 10**15
"""A ``LIMIT`` no store reaches: it keeps every solution, and only changes how Oxigraph joins."""


def hashed(variables: str, group: str) -> str:
    """The graph pattern ``group`` as a subquery selecting ``variables`` that Oxigraph evaluates
    once on its own and joins with the rest of the query by hashing.

    Oxigraph joins a plain pattern by looking it up once per solution of what it joins with; a
    subquery with a ``LIMIT`` it cannot do that to. With :data:`UNLIMITED` the subquery has the
    group's solutions, projected on ``variables``: the query's answers are the same. On the on-disk
    store each lookup costs about 14 µs, so joining two sets of 10^5 nodes took 1.9 s looked up and
    0.3 s hashed (10^7 quads); the join holds one side in memory instead.

    >>> hashed("?x", "?x a <a:C>")
    '{ SELECT ?x WHERE { ?x a <a:C> } LIMIT 1000000000000000 }'
    """
    return f"{{ SELECT {variables} WHERE {{ {group} }} LIMIT {UNLIMITED} }}"
