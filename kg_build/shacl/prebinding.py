"""Pre-binding ``$this`` in a SPARQL-based constraint for every focus node at once.

SHACL runs a constraint's ``sh:select`` once per focus node with ``$this`` pre-bound; the compiler
joins the focus nodes' pattern into the query instead (:func:`prebind_this`), and refuses what SHACL
forbids in such a query (``MINUS``, ``SERVICE``, ``VALUES``, ``AS`` onto a pre-bound variable) and
what one joined query cannot express (a subquery, ``GRAPH``, ``$shapesGraph``).
"""

from __future__ import annotations

import re

from kg_build.shacl.components import NotCompilable

_TOKEN = re.compile(
    r'(?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\')'
    r'|(?P<iri><[^<>"{}|^`\\\s]*>)|(?P<comment>#[^\n]*)|(?P<open>\{)|(?P<close>\})'
    r'|(?P<word>[$?]?[A-Za-z_][A-Za-z0-9_]*)|(?P<other>.)',
    re.S,
)
# SPARQL that SHACL forbids in a constraint (MINUS, SERVICE, VALUES; section 5.3.1) or that a
# pre-binding of every focus node at once cannot express.
_UNSUPPORTED_WORDS = {"GRAPH", "SERVICE", "MINUS", "VALUES", "GROUP", "HAVING", "LIMIT", "OFFSET", "ORDER", "PREFIX",
                      "BASE"}
_UNSUPPORTED_VARS = {"shapesGraph", "failure"}
_PREBOUND = {"this", "value", "PATH", "currentShape", "shapesGraph"}


def prebind_this(select: str, focus: str, substitutions: dict[str, str] | None = None) -> tuple[str, bool]:
    """Rewrite a SPARQL constraint's SELECT so that one run gives its results for every focus node.

    SHACL pre-binds ``$this`` to each focus node in turn. Joining the focus nodes' pattern into the
    query's top group and into every group that uses ``$this`` without first binding it by a triple
    pattern (outside ``EXISTS``, where ``$this`` is substituted anyway) gives the same solutions for
    all focus nodes at once, even where a group tests ``$this`` only in ``FILTER NOT EXISTS``.
    Groups that do not mention ``$this`` are left alone. Returns the query and whether the original
    projected ``$this``.

    >>> q, projected = prebind_this('SELECT $this WHERE { FILTER NOT EXISTS { $this a ?c } }', '{F}')
    >>> q
    'SELECT $this WHERE { {F} FILTER NOT EXISTS { $this a ?c } }'
    >>> prebind_this('SELECT ?x WHERE { $this a ?c . OPTIONAL { ?c a ?x } }', '{F}')[0]
    'SELECT ?this ?x WHERE { {F} $this a ?c . OPTIONAL { ?c a ?x } }'
    """
    tokens, projects = _checked(select, substitutions or {})
    inject = _groups_to_bind(tokens)
    out = []
    for i, (_, text) in enumerate(tokens):
        out.append(text)
        if i in inject:
            out.append(" " + focus)
    return _projecting_this("".join(out), projects), projects


def lateral_select(select: str, substitutions: dict[str, str] | None = None) -> str:
    """A SPARQL constraint's SELECT as it runs once per focus node, ``$this`` projected: what
    ``FOCUS LATERAL { ... }`` evaluates with ``?this`` bound to each focus node in turn (Oxigraph's
    ``LATERAL``, the pre-binding SHACL defines, as SHACL requires a constraint to have no subquery).

    >>> lateral_select('SELECT ?x WHERE { $this a ?c . OPTIONAL { ?c a ?x } }')
    'SELECT ?this ?x WHERE { $this a ?c . OPTIONAL { ?c a ?x } }'
    """
    tokens, projects = _checked(select, substitutions or {})
    return _projecting_this("".join(text for _, text in tokens), projects)


def _projecting_this(query: str, projects: bool) -> str:
    if projects:
        return query
    return re.sub(r"(?i)\bSELECT(\s+(DISTINCT|REDUCED))?", lambda s: s.group(0) + " ?this", query, count=1)


def _checked(select: str, substitutions: dict[str, str]) -> tuple[list[tuple[str | None, str]], bool]:
    """The tokens of ``select`` with ``substitutions`` made, and whether it projects ``$this``;
    :class:`NotCompilable` for what SHACL forbids or one query per constraint cannot express."""
    tokens = [(m.lastgroup, m.group(0)) for m in _TOKEN.finditer(select)]
    previous = ""
    for kind, text in tokens:
        if kind == "word" and text[0] in "?$" and previous == "AS" and text[1:] in _PREBOUND:
            raise NotCompilable(f"a SPARQL constraint binds the pre-bound variable {text} with AS (SHACL forbids it)")
        if kind == "word" and text[0] in "?$" and text[1:] in ("PATH", "currentShape") and text[1:] not in substitutions:
            raise NotCompilable(f"a SPARQL constraint using {text} here is not supported")
        if kind not in (None, "comment") and not text.isspace():
            previous = text.upper()
    tokens = [("iri", substitutions[t[1:]]) if k == "word" and t[0] in "?$" and t[1:] in substitutions else (k, t)
              for k, t in tokens]
    selects = 0
    projection: list[str] = []
    in_projection = False
    for kind, text in tokens:
        if kind != "word":
            if kind == "open":
                in_projection = False
            elif kind == "other" and text == "*" and in_projection:
                projection.append(text)
            continue
        upper = text.upper()
        if upper == "SELECT":
            selects += 1
            if selects > 1:
                raise NotCompilable("a SPARQL constraint with a subquery cannot be pre-bound")
            in_projection = True
        elif upper == "WHERE":
            in_projection = False
        elif upper in _UNSUPPORTED_WORDS:
            raise NotCompilable(f"a SPARQL constraint using {upper} is not supported")
        elif text[0] in "?$" and text[1:] in _UNSUPPORTED_VARS:
            raise NotCompilable(f"a SPARQL constraint using {text} is not supported")
        elif in_projection:
            projection.append(text)
    return tokens, any(w in ("?this", "$this", "*") for w in projection)


def _significant(tokens: list[tuple[str | None, str]], i: int, step: int) -> int:
    j = i + step
    while 0 <= j < len(tokens) and (tokens[j][1].isspace() or tokens[j][0] == "comment"):
        j += step
    return j


def _groups_to_bind(tokens: list[tuple[str | None, str]]) -> set[int]:
    """Indexes of the ``{`` tokens after which the focus pattern goes."""
    closes: dict[int, int] = {}
    stack: list[int] = []
    for i, (kind, _) in enumerate(tokens):
        if kind == "open":
            stack.append(i)
        elif kind == "close":
            if not stack:
                raise NotCompilable("unbalanced braces in a SPARQL constraint")
            closes[stack.pop()] = i
    if stack:
        raise NotCompilable("unbalanced braces in a SPARQL constraint")
    out: set[int] = set()

    def visit(o: int, top: bool) -> None:
        c = closes[o]
        mentions = any(t in ("?this", "$this") for _, t in tokens[o:c])
        depth, bound_first, i = 0, None, o + 1
        children = []
        while i < c:
            kind, text = tokens[i]
            if kind == "open":
                before = tokens[_significant(tokens, i, -1)][1].upper()
                before2 = tokens[_significant(tokens, _significant(tokens, i, -1), -1)][1].upper()
                if before == "EXISTS":
                    pass  # $this is substituted inside EXISTS
                elif before2 == "VALUES" or before == ")":
                    pass  # a VALUES data block
                else:
                    children.append(i)
                i = closes[i] + 1
                continue
            if text == "(":
                depth += 1
            elif text == ")":
                depth -= 1
            elif text in ("?this", "$this") and bound_first is None:
                bound_first = depth == 0
            i += 1
        if top or (mentions and not bound_first):
            out.add(o)
        for child in children:
            visit(child, False)

    first = next((i for i, (kind, _) in enumerate(tokens) if kind == "open"), None)
    if first is None:
        raise NotCompilable("a SPARQL constraint without a WHERE group")
    visit(first, True)
    return out
