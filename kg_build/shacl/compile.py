"""Compile SHACL shapes into SPARQL queries that check every focus node at once.

The shapes are read from a shapes graph (``ontology/shapes.ttl`` by default) at run time; nothing
here knows a particular shape. Each targeted shape becomes a few :class:`Check` objects: one SPARQL
SELECT per constraint, returning one row per result (``?this``, the focus node, and ``?value`` when
SHACL reports a value), and what the report says about it (shape, constraint component, path,
severity, messages). :mod:`kg_build.shacl.oxigraph` runs them on a pyoxigraph store.

Semantics follow pySHACL (the reference engine of :mod:`kg_build.shacl.validation`):

- ``sh:targetClass`` and ``sh:class`` follow ``rdfs:subClassOf*`` in the data;
- SPARQL-based constraints pre-bind ``$this``: the focus nodes' pattern is joined into every group
  of the query (outside ``EXISTS``), which gives the pre-binding result for all focus nodes at once;
- shapes reached through ``sh:node``, ``sh:or``, ``sh:and``, ``sh:not`` and
  ``sh:qualifiedValueShape`` are compiled into a "does not conform" graph pattern used inside
  ``EXISTS``;
- ``sh:datatype`` also rejects ill-typed literals: candidates are checked in Python the way rdflib
  and pySHACL check them (:func:`ill_typed`).

A construct this compiler does not know (a constraint component, a target kind, a SPARQL feature
whose pre-binding it cannot express) raises :class:`NotCompilable`: a shape is never skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from itertools import count

from rdflib import RDF, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH, XSD
from rdflib.term import BNode, Node

from kg_build.shacl.validation import CouldNotValidate

SUBCLASS_PATH = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>/<http://www.w3.org/2000/01/rdf-schema#subClassOf>*"
VIOLATION = SH.Violation

# Parameters a shape may carry that are not constraints (read elsewhere or only descriptive).
_NON_CONSTRAINT = {
    RDF.type, SH.name, SH.description, SH.message, SH.severity, SH.path, SH.property, SH.targetClass,
    SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target, SH.order, SH.group,
    SH.defaultValue, SH.qualifiedMinCount, SH.qualifiedMaxCount, SH.flags,
}
_NODE_KINDS = {
    SH.IRI: "isIRI({v})",
    SH.BlankNode: "isBlank({v})",
    SH.Literal: "isLiteral({v})",
    SH.BlankNodeOrIRI: "(isBlank({v}) || isIRI({v}))",
    SH.BlankNodeOrLiteral: "(isBlank({v}) || isLiteral({v}))",
    SH.IRIOrLiteral: "(isIRI({v}) || isLiteral({v}))",
}
_RANGES = {
    SH.minInclusive: (">=", SH.MinInclusiveConstraintComponent),
    SH.maxInclusive: ("<=", SH.MaxInclusiveConstraintComponent),
    SH.minExclusive: (">", SH.MinExclusiveConstraintComponent),
    SH.maxExclusive: ("<", SH.MaxExclusiveConstraintComponent),
}
_PAIRS = {SH.lessThanOrEquals: ("<=", SH.LessThanOrEqualsConstraintComponent),
          SH.lessThan: ("<", SH.LessThanConstraintComponent)}
# Datatypes whose every literal is well formed (no lexical check needed).
_ALWAYS_WELL_FORMED = {XSD.string, RDF.langString}


class NotCompilable(CouldNotValidate):
    """The shapes use a SHACL construct the SPARQL compiler cannot express (exit status 2)."""


@dataclass(frozen=True)
class Check:
    """One compiled constraint: a SPARQL SELECT and what its rows report.

    ``kind`` is ``"value"`` (rows give ``?this`` and ``?value``), ``"focus"`` (rows give ``?this``
    only; no value is reported), ``"datatype"`` (rows give candidate ``?this ?value`` pairs whose
    lexical form must still be checked) or ``"sparql"`` (a SPARQL-based constraint: rows are
    pySHACL's solutions, with messages filled from the row).
    """

    query: str
    kind: str
    shape: Node
    component: URIRef
    path: Node | None  # the shape's sh:path node in the shapes graph (property shapes)
    severity: URIRef
    messages: tuple[Literal, ...]
    parameter: Node | None = None  # the constraint's parameter value (for default messages)
    node_shape: bool = True  # value defaults to the focus node (SPARQL constraints of node shapes)
    projects_this: bool = True
    constraint: Node | None = None


@dataclass
class _Context:
    sg: Graph
    prefixes: dict[str, str] = field(default_factory=dict)
    names: count = field(default_factory=lambda: count(1))

    def var(self, stem: str = "v") -> str:
        return f"?_{stem}{next(self.names)}"


# ----------------------------------------------------------------------------- SPARQL text

def sparql_term(node: Node) -> str:
    """A term of the shapes graph in SPARQL syntax.

    >>> sparql_term(Literal("^a\\\\.b$"))
    '"^a\\\\\\\\.b$"'
    >>> sparql_term(Literal(90.0))
    '"90.0"^^<http://www.w3.org/2001/XMLSchema#double>'
    """
    if isinstance(node, URIRef):
        return f"<{node}>"
    if isinstance(node, Literal):
        text = '"' + str(node).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r") + '"'
        if node.language:
            return f"{text}@{node.language}"
        if node.datatype is not None and node.datatype != XSD.string:
            return f"{text}^^<{node.datatype}>"
        return text
    raise NotCompilable(f"a blank node ({node.n3()}) cannot be written into a SPARQL query")


def sparql_path(sg: Graph, node: Node) -> str:
    """A SHACL path as a SPARQL property path."""
    if isinstance(node, URIRef):
        return f"<{node}>"
    if (node, RDF.first, None) in sg:
        return "(" + "/".join(sparql_path(sg, p) for p in Collection(sg, node)) + ")"
    for prop, text in ((SH.inversePath, "^{}"), (SH.zeroOrMorePath, "{}*"), (SH.oneOrMorePath, "{}+"),
                       (SH.zeroOrOnePath, "{}?")):
        inner = sg.value(node, prop)
        if inner is not None:
            return "(" + text.format(sparql_path(sg, inner)) + ")"
    alternatives = sg.value(node, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(sparql_path(sg, p) for p in Collection(sg, alternatives)) + ")"
    raise NotCompilable(f"the SHACL path {node.n3()} is not a path this compiler knows")


def _distinct_vars(ctx: _Context, n: int) -> tuple[list[str], str]:
    names = [ctx.var() for _ in range(n)]
    tests = [f"!sameTerm({a}, {b})" for i, a in enumerate(names) for b in names[i + 1:]]
    return names, (f"FILTER ({' && '.join(tests)})" if tests else "")


# ----------------------------------------------------------------------------- value conditions

def _list(sg: Graph, node: Node) -> list[Node]:
    return list(Collection(sg, node))


def value_conditions(ctx: _Context, shape: Node, v: str) -> list[tuple[URIRef, Node, str]]:
    """The value-level constraints of ``shape`` as (component, parameter, violation condition on ``v``)."""
    sg = ctx.sg
    out: list[tuple[URIRef, Node, str]] = []
    for c in sg.objects(shape, SH["class"]):
        out.append((SH.ClassConstraintComponent, c,
                    f"(isLiteral({v}) || NOT EXISTS {{ {v} {SUBCLASS_PATH} {sparql_term(c)} }})"))
    for dt in sg.objects(shape, SH.datatype):
        out.append((SH.DatatypeConstraintComponent, dt, _datatype_condition(dt, v)))
    for kind in sg.objects(shape, SH.nodeKind):
        if kind not in _NODE_KINDS:
            raise NotCompilable(f"{shape.n3()}: unknown sh:nodeKind {kind.n3()}")
        out.append((SH.NodeKindConstraintComponent, kind, "!" + _NODE_KINDS[kind].format(v=v)))
    flags = sg.value(shape, SH.flags)
    for pattern in sg.objects(shape, SH.pattern):
        args = f"STR({v}), {sparql_term(Literal(str(pattern)))}"
        if flags is not None:
            args += f", {sparql_term(Literal(str(flags)))}"
        out.append((SH.PatternConstraintComponent, pattern, f"(isBlank({v}) || !REGEX({args}))"))
    for members in sg.objects(shape, SH["in"]):
        tests = " || ".join(f"sameTerm({v}, {sparql_term(m)})" for m in _list(sg, members))
        out.append((SH.InConstraintComponent, members, f"!({tests or 'false'})"))
    for prop, (op, component) in _RANGES.items():
        for bound in sg.objects(shape, prop):
            out.append((component, bound, f"!COALESCE({v} {op} {sparql_term(bound)}, false)"))
    for other in sg.objects(shape, SH.node):
        out.append((SH.NodeConstraintComponent, other, f"EXISTS {{ {violation_pattern(ctx, other, v)} }}"))
    for members in sg.objects(shape, SH["or"]):
        tests = " && ".join(f"EXISTS {{ {violation_pattern(ctx, m, v)} }}" for m in _list(sg, members))
        out.append((SH.OrConstraintComponent, members, tests or "true"))
    for members in sg.objects(shape, SH["and"]):
        tests = " || ".join(f"EXISTS {{ {violation_pattern(ctx, m, v)} }}" for m in _list(sg, members))
        out.append((SH.AndConstraintComponent, members, tests or "false"))
    for other in sg.objects(shape, SH["not"]):
        out.append((SH.NotConstraintComponent, other, f"NOT EXISTS {{ {violation_pattern(ctx, other, v)} }}"))
    return out


def _datatype_condition(dt: Node, v: str) -> str:
    if dt == RDF.langString:
        return f"!(isLiteral({v}) && LANG({v}) != \"\")"
    return f"!(isLiteral({v}) && DATATYPE({v}) = {sparql_term(dt)})"


def ill_typed(value: Literal, datatype: Node) -> bool:
    """Whether a literal typed ``datatype`` fails pySHACL's check: rdflib finds it ill-typed, or its
    Python value is not of the datatype's type.

    >>> ill_typed(Literal("12", datatype=XSD.integer), XSD.integer)
    False
    >>> ill_typed(Literal("twelve", datatype=XSD.integer), XSD.integer)
    True
    """
    if getattr(value, "ill_typed", None) is True:
        return True
    expected = _PYTHON_TYPES.get(datatype)  # type: ignore[call-overload]
    return expected is not None and not isinstance(value.value, expected)


_PYTHON_TYPES = {
    XSD.string: (str, bytes), RDF.langString: (str, bytes), XSD.integer: int, XSD.float: float,
    XSD.decimal: Decimal, XSD.boolean: bool, XSD.date: date, XSD.time: time, XSD.dateTime: datetime,
}


_KNOWN_PARAMETERS = (
    {SH["class"], SH.datatype, SH.nodeKind, SH.pattern, SH["in"], SH.node, SH["or"], SH["and"], SH["not"],
     SH.minCount, SH.maxCount, SH.qualifiedValueShape, SH.sparql, SH.lessThanOrEquals, SH.lessThan}
    | set(_RANGES)
)


def _check_parameters(sg: Graph, shape: Node) -> None:
    for p in set(sg.predicates(shape, None)):
        if p in _NON_CONSTRAINT or p in _KNOWN_PARAMETERS or not str(p).startswith(str(SH)):
            continue
        raise NotCompilable(f"shape {shape.n3()} uses {p.n3()}, which the SPARQL compiler does not support")
    if sg.value(shape, SH.qualifiedValueShapesDisjoint) is not None:
        raise NotCompilable(f"shape {shape.n3()}: sh:qualifiedValueShapesDisjoint is not supported")


def violation_pattern(ctx: _Context, shape: Node, x: str, seen: tuple[Node, ...] = ()) -> str:
    """A group graph pattern with a solution exactly when the node ``x`` does not conform to ``shape``.

    Used inside ``EXISTS`` (where ``x`` is already bound), so it may test ``x`` in any group.
    """
    branches = _violation_branches(ctx, shape, x, seen)
    if not branches:
        return "{ FILTER (false) }"
    return "{ " + " } UNION { ".join(branches) + " }"


def _violation_branches(ctx: _Context, shape: Node, x: str, seen: tuple[Node, ...]) -> list[str]:
    sg = ctx.sg
    if shape in seen:
        raise NotCompilable(f"shape {shape.n3()} refers to itself (recursive shapes are not supported)")
    seen = seen + (shape,)
    _check_parameters(sg, shape)
    if sg.value(shape, SH.sparql) is not None:
        raise NotCompilable(f"shape {shape.n3()} has a SPARQL constraint but is used inside another shape")
    branches: list[str] = []
    path_node = sg.value(shape, SH.path)
    if path_node is None:
        for _, _, cond in value_conditions(ctx, shape, x):
            branches.append(f"FILTER ({cond})")
    else:
        path = sparql_path(sg, path_node)
        v = ctx.var()
        for _, _, cond in value_conditions(ctx, shape, v):
            branches.append(f"{x} {path} {v} . FILTER ({cond})")
        branches.extend(_count_branches(ctx, shape, x, path, seen))
    for prop in sg.objects(shape, SH.property):
        branches.extend(_violation_branches(ctx, prop, x, seen))
    return branches


def _count_branches(ctx: _Context, shape: Node, x: str, path: str, seen: tuple[Node, ...]) -> list[str]:
    sg = ctx.sg
    out = []
    n = sg.value(shape, SH.minCount)
    if n is not None and int(n) > 0:
        names, distinct = _distinct_vars(ctx, int(n))
        out.append(f"FILTER NOT EXISTS {{ {x} {path} {', '.join(names)} . {distinct} }}")
    n = sg.value(shape, SH.maxCount)
    if n is not None:
        names, distinct = _distinct_vars(ctx, int(n) + 1)
        out.append(f"{x} {path} {', '.join(names)} . {distinct}")
    q = sg.value(shape, SH.qualifiedValueShape)
    if q is not None:
        raise NotCompilable(f"shape {shape.n3()}: sh:qualifiedValueShape inside another shape is not supported")
    for prop in (SH.lessThanOrEquals, SH.lessThan):
        if sg.value(shape, prop) is not None:
            raise NotCompilable(f"shape {shape.n3()}: {prop.n3()} inside another shape is not supported")
    return out


# ----------------------------------------------------------------------------- targets and checks

_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)


def targeted_shapes(sg: Graph) -> list[Node]:
    """The shapes that select focus nodes themselves (have a target), sorted."""
    from rdflib import OWL, RDFS

    for kind in (RDFS.Class, OWL.Class):
        for s in sg.subjects(RDF.type, kind):
            if (s, RDF.type, SH.NodeShape) in sg or (s, RDF.type, SH.PropertyShape) in sg:
                raise NotCompilable(f"shape {s.n3()} is also a class (implicit class target): not supported")
    return sorted({s for p in _TARGETS for s in sg.subjects(p, None)}, key=lambda s: (isinstance(s, BNode), str(s)))


def _prefixes(ctx: _Context, host: Node) -> None:
    sg = ctx.sg
    for source in sg.objects(host, SH.prefixes):
        for decl in sg.objects(source, SH.declare):
            prefix, ns = str(sg.value(decl, SH.prefix)), str(sg.value(decl, SH.namespace))
            if ctx.prefixes.get(prefix, ns) != ns:
                raise NotCompilable(f"prefix {prefix}: is declared as both {ctx.prefixes[prefix]} and {ns}")
            ctx.prefixes[prefix] = ns


def focus_pattern(ctx: _Context, shape: Node) -> str:
    """A subquery selecting the focus nodes of ``shape`` as ``?this`` (each once)."""
    sg = ctx.sg
    parts = []
    for c in sg.objects(shape, SH.targetClass):
        parts.append(f"?this {SUBCLASS_PATH} {sparql_term(c)} .")
    for n in sg.objects(shape, SH.targetNode):
        parts.append(f"VALUES ?this {{ {sparql_term(n)} }}")
    for p in sg.objects(shape, SH.targetSubjectsOf):
        parts.append(f"?this {sparql_term(p)} ?_target .")
    for p in sg.objects(shape, SH.targetObjectsOf):
        parts.append(f"?_target {sparql_term(p)} ?this .")
    for target in sg.objects(shape, SH.target):
        select = sg.value(target, SH.select)
        if (target, RDF.type, SH.SPARQLTarget) not in sg or select is None:
            raise NotCompilable(f"shape {shape.n3()}: only sh:SPARQLTarget custom targets are supported")
        if re.search(r"(?i)\bPREFIX\b|\$(PATH|currentShape|shapesGraph)\b", str(select)):
            raise NotCompilable(f"shape {shape.n3()}: a SPARQL target with PREFIX or $PATH is not supported")
        _prefixes(ctx, target)
        parts.append(str(select).strip())
    if not parts:
        raise NotCompilable(f"shape {shape.n3()} has no target")
    union = "{ " + " } UNION { ".join(parts) + " }"
    return f"{{ SELECT DISTINCT ?this WHERE {{ {union} }} }}"


def compile_shapes(sg: Graph, use_shapes: Iterable[Node] | None = None) -> tuple[Check, ...]:
    """Every check of the targeted shapes of ``sg`` (or of ``use_shapes`` only), as SPARQL queries."""
    ctx = _Context(sg)
    shapes = targeted_shapes(sg)
    if use_shapes is not None:
        chosen = set(use_shapes)
        shapes = [s for s in shapes if s in chosen]
    checks: list[Check] = []
    for shape in shapes:
        focus = focus_pattern(ctx, shape)
        checks.extend(shape_checks(ctx, shape, focus))
        for prop in sorted(sg.objects(shape, SH.property), key=str):
            checks.extend(shape_checks(ctx, prop, focus))
    header = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(ctx.prefixes.items()))
    return tuple(Check(**{**c.__dict__, "query": header + c.query}) for c in checks)


def shape_checks(ctx: _Context, shape: Node, focus: str) -> list[Check]:
    """The checks of one shape on the focus nodes ``focus`` selects."""
    sg = ctx.sg
    _check_parameters(sg, shape)
    if sg.value(shape, SH.deactivated) is not None:
        raise NotCompilable(f"shape {shape.n3()}: sh:deactivated is not supported")
    severity = sg.value(shape, SH.severity) or VIOLATION
    messages = tuple(sorted(sg.objects(shape, SH.message), key=str))
    path_node = sg.value(shape, SH.path)
    base = dict(shape=shape, path=path_node, severity=severity, messages=messages)
    out: list[Check] = []
    if path_node is None:
        values = "BIND (?this AS ?value)"
        path = ""
    else:
        path = sparql_path(sg, path_node)
        values = f"?this {path} ?value ."
    for component, parameter, cond in value_conditions(ctx, shape, "?value"):
        query = f"SELECT DISTINCT ?this ?value WHERE {{ {focus} {values} FILTER ({cond}) }}"
        out.append(Check(query, "value", component=component, parameter=parameter, **base))
        if component == SH.DatatypeConstraintComponent and parameter not in _ALWAYS_WELL_FORMED:
            candidates = f"FILTER (isLiteral(?value) && DATATYPE(?value) = {sparql_term(parameter)})"
            query = f"SELECT DISTINCT ?this ?value WHERE {{ {focus} {values} {candidates} }}"
            out.append(Check(query, "datatype", component=component, parameter=parameter, **base))
    for prop, (op, component) in _PAIRS.items():
        for other in sg.objects(shape, prop):
            cmp = f"IF(isIRI(?value), STR(?value), ?value) {op} IF(isIRI(?_other), STR(?_other), ?_other)"
            query = (f"SELECT DISTINCT ?this ?value WHERE {{ {focus} {values} ?this {sparql_term(other)} ?_other . "
                     f"FILTER (!COALESCE({cmp}, false)) }}")
            out.append(Check(query, "value", component=component, parameter=other, **base))
    if path_node is not None:
        out.extend(_cardinality_checks(ctx, shape, focus, path, base))
    elif any(sg.value(shape, p) is not None for p in (SH.minCount, SH.maxCount, SH.qualifiedValueShape)):
        raise NotCompilable(f"shape {shape.n3()}: a cardinality constraint needs sh:path")
    for constraint in sorted(sg.objects(shape, SH.sparql), key=str):
        out.append(_sparql_check(ctx, shape, constraint, focus, base, node_shape=path_node is None))
    return out


def _cardinality_checks(ctx: _Context, shape: Node, focus: str, path: str, base: dict) -> list[Check]:
    sg = ctx.sg
    out = []
    n = sg.value(shape, SH.minCount)
    if n is not None and int(n) > 0:
        if int(n) == 1:
            query = f"SELECT DISTINCT ?this WHERE {{ {focus} FILTER NOT EXISTS {{ ?this {path} ?_x }} }}"
        else:
            query = (f"SELECT ?this WHERE {{ {focus} OPTIONAL {{ ?this {path} ?_x }} }} "
                     f"GROUP BY ?this HAVING (COUNT(DISTINCT ?_x) < {int(n)})")
        out.append(Check(query, "focus", component=SH.MinCountConstraintComponent, parameter=n, **base))
    n = sg.value(shape, SH.maxCount)
    if n is not None:
        query = (f"SELECT ?this WHERE {{ {focus} ?this {path} ?_x }} "
                 f"GROUP BY ?this HAVING (COUNT(DISTINCT ?_x) > {int(n)})")
        out.append(Check(query, "focus", component=SH.MaxCountConstraintComponent, parameter=n, **base))
    q = sg.value(shape, SH.qualifiedValueShape)
    if q is not None:
        conforming = f"?this {path} ?_q . FILTER NOT EXISTS {violation_pattern(ctx, q, '?_q')}"
        counted = f"SELECT ?this WHERE {{ {focus} OPTIONAL {{ {conforming} }} }} GROUP BY ?this "
        for prop, op, component in ((SH.qualifiedMaxCount, ">", SH.QualifiedMaxCountConstraintComponent),
                                    (SH.qualifiedMinCount, "<", SH.QualifiedMinCountConstraintComponent)):
            m = sg.value(shape, prop)
            if m is not None:
                query = counted + f"HAVING (COUNT(DISTINCT ?_q) {op} {int(m)})"
                out.append(Check(query, "focus", component=component, parameter=q, **base))
    return out


# ----------------------------------------------------------------------------- SPARQL constraints

_TOKEN = re.compile(
    r'(?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\')'
    r'|(?P<iri><[^<>"{}|^`\\\s]*>)|(?P<comment>#[^\n]*)|(?P<open>\{)|(?P<close>\})'
    r'|(?P<word>[$?]?[A-Za-z_][A-Za-z0-9_]*)|(?P<other>.)',
    re.S,
)
_UNSUPPORTED_WORDS = {"GRAPH", "SERVICE", "MINUS", "GROUP", "HAVING", "LIMIT", "OFFSET", "ORDER", "PREFIX", "BASE"}
_UNSUPPORTED_VARS = {"path", "PATH", "currentShape", "shapesGraph", "failure"}


def prebind_this(select: str, focus: str) -> tuple[str, bool]:
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
    tokens = [(m.lastgroup, m.group(0)) for m in _TOKEN.finditer(select)]
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
    inject = _groups_to_bind(tokens)
    out = []
    for i, (_, text) in enumerate(tokens):
        out.append(text)
        if i in inject:
            out.append(" " + focus)
    projects = any(w in ("?this", "$this", "*") for w in projection)
    query = "".join(out)
    if not projects:
        query = re.sub(r"(?i)\bSELECT(\s+(DISTINCT|REDUCED))?", lambda s: s.group(0) + " ?this", query, count=1)
    return query, projects


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


def _sparql_check(ctx: _Context, shape: Node, constraint: Node, focus: str, base: dict, node_shape: bool) -> Check:
    sg = ctx.sg
    if not node_shape:
        raise NotCompilable(f"shape {shape.n3()}: SPARQL constraints on property shapes ($PATH) are not supported")
    select = sg.value(constraint, SH.select)
    if select is None:
        raise NotCompilable(f"shape {shape.n3()}: a SPARQL constraint without sh:select is not supported")
    if sg.value(constraint, SH.deactivated) is not None:
        raise NotCompilable(f"shape {shape.n3()}: sh:deactivated is not supported")
    _prefixes(ctx, constraint)
    query, projects = prebind_this(str(select), focus)
    extra = sorted(sg.objects(constraint, SH.message), key=str)
    messages = tuple(base["messages"]) + tuple(m for m in extra if m not in base["messages"])
    return Check(
        query, "sparql", component=SH.SPARQLConstraintComponent, parameter=constraint,
        node_shape=node_shape, projects_this=projects, constraint=constraint,
        **{**base, "messages": messages},
    )
