"""Compile SHACL shapes into SPARQL queries that check every focus node at once.

The shapes are read from a shapes graph (``ontology/shapes.ttl`` by default) at run time; nothing
here knows a particular shape. Each targeted shape becomes a few :class:`Check` objects: one SPARQL
SELECT per constraint, returning one row per result (``?this``, the focus node, and ``?value`` when
SHACL reports a value), and what the report says about it (shape, constraint component, path,
severity, messages). :mod:`kg_build.shacl_oxigraph` runs them on a pyoxigraph store.

Semantics follow pySHACL (the reference engine of :mod:`kg_build.validation`):

- ``sh:targetClass`` and ``sh:class`` follow ``rdfs:subClassOf*`` in the data;
- SPARQL-based constraints pre-bind ``$this``: the focus nodes' pattern is joined into every group
  of the query (outside ``EXISTS``), which gives the pre-binding result for all focus nodes at once;
- shapes reached through ``sh:node``, ``sh:or``, ``sh:and``, ``sh:not``, ``sh:xone`` and
  ``sh:qualifiedValueShape`` are compiled into a "does not conform" graph pattern used inside
  ``EXISTS``; property shapes nested in property shapes check the values of their parent;
- ``sh:datatype`` also rejects ill-formed literals, at every depth, with a SPARQL condition on
  the lexical form per XSD datatype (``kg_build/shacl/datatypes.tsv``), so any SPARQL store can
  run it.

A construct this compiler does not know (a constraint component, a target kind, a SPARQL feature
whose pre-binding it cannot express) raises :class:`NotCompilable` when the shapes are compiled,
before any data is read: a shape is never skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import count
from pathlib import Path

from rdflib import RDF, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDFS, SH, XSD
from rdflib.term import BNode, Node

from kg_build.validation import CouldNotValidate

SUBCLASS_PATH = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>/<http://www.w3.org/2000/01/rdf-schema#subClassOf>*"
VIOLATION = SH.Violation
DATATYPES_FILE = Path(__file__).parent / "shacl" / "datatypes.tsv"

# Parameters a shape may carry that are not constraints (read elsewhere or only descriptive).
_NON_CONSTRAINT = {
    RDF.type, SH.name, SH.description, SH.message, SH.severity, SH.path, SH.property, SH.targetClass,
    SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target, SH.order, SH.group,
    SH.defaultValue, SH.qualifiedMinCount, SH.qualifiedMaxCount, SH.flags, SH.deactivated,
    SH.ignoredProperties, SH.qualifiedValueShapesDisjoint, SH.prefixes, SH.select,
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
_KNOWN_PARAMETERS = (
    {SH["class"], SH.datatype, SH.nodeKind, SH.pattern, SH["in"], SH.node, SH["or"], SH["and"], SH["not"],
     SH.xone, SH.minCount, SH.maxCount, SH.qualifiedValueShape, SH.sparql, SH.lessThanOrEquals, SH.lessThan,
     SH.equals, SH.disjoint, SH.hasValue, SH.languageIn, SH.minLength, SH.maxLength, SH.uniqueLang, SH.closed}
    | set(_RANGES)
)


class NotCompilable(CouldNotValidate):
    """The shapes use a SHACL construct the SPARQL compiler cannot express (exit status 2)."""


@dataclass(frozen=True)
class Check:
    """One compiled constraint: a SPARQL SELECT and what its rows report.

    ``kind`` is ``"value"`` (rows give ``?this`` and ``?value``), ``"focus"`` (rows give ``?this``
    only; no value is reported), ``"closed"`` (rows give ``?this``, the property ``?_path`` and
    ``?value``) or ``"sparql"`` (a SPARQL-based constraint: rows are
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
    keys: str = ""  # the variables (" ?_parent1 ...") that tell apart the routes to a nested shape's focus node
    subclasses: dict[Node, list[Node]] | None = None  # each class with its subclasses, when known beforehand

    def instance_of(self, v: str, c: Node) -> str:
        """A graph pattern: ``v`` is an instance of the class ``c`` (``rdfs:subClassOf`` followed)."""
        if self.subclasses is None:
            return f"{v} {SUBCLASS_PATH} {sparql_term(c)} ."
        t = self.var("type")
        classes = ", ".join(sparql_term(x) for x in self.subclasses.get(c, [c]))
        return f"{v} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> {t} . FILTER ({t} IN ({classes}))"

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


TRUE = Literal(True)


def is_true(sg: Graph, shape: Node, prop: URIRef) -> bool:
    """Whether ``shape`` has ``prop`` with the value ``true`` (exactly that term, as SHACL reads it)."""
    return (shape, prop, TRUE) in sg


@lru_cache(maxsize=1)
def well_formed_conditions() -> dict[URIRef, str]:
    """Per XSD datatype, a SPARQL condition on ``{v}`` true when its lexical form is well formed
    (``kg_build/shacl/datatypes.tsv``); a datatype not listed is checked by its IRI only."""
    out = {}
    for line in DATATYPES_FILE.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, condition = line.split("\t")
            out[XSD[name]] = condition
    return out


def datatype_condition(dt: Node, v: str) -> str:
    """The condition that ``v`` violates ``sh:datatype dt``: not a literal of ``dt``, or ill formed."""
    if dt == RDF.langString:
        return f"!(isLiteral({v}) && LANG({v}) != \"\")"
    well_formed = well_formed_conditions().get(dt)  # type: ignore[call-overload]
    extra = f" && ({well_formed.replace('{v}', v)})" if well_formed else ""
    return f"!(isLiteral({v}) && DATATYPE({v}) = {sparql_term(dt)}{extra})"


def same_term(v: str, m: Node) -> str:
    """The condition that ``v`` is the term ``m``. A string is compared by its parts: Virtuoso does not
    find ``"a"`` and ``"a"^^xsd:string`` the same term, which RDF 1.1 says they are.

    >>> same_term("?v", Literal("a"))
    '(isLiteral(?v) && LANG(?v) = "" && DATATYPE(?v) = <http://www.w3.org/2001/XMLSchema#string> && STR(?v) = "a")'
    """
    if isinstance(m, Literal) and m.language:
        return f"(isLiteral({v}) && LCASE(LANG({v})) = {sparql_term(Literal(m.language.lower()))} && STR({v}) = {sparql_term(Literal(str(m)))})"
    if isinstance(m, Literal) and m.datatype in (None, XSD.string):
        return f"(isLiteral({v}) && LANG({v}) = \"\" && DATATYPE({v}) = <{XSD.string}> && STR({v}) = {sparql_term(Literal(str(m)))})"
    return f"sameTerm({v}, {sparql_term(m)})"


def value_conditions(ctx: _Context, shape: Node, v: str, seen: tuple[Node, ...] = ()) -> list[tuple[URIRef, Node, str]]:
    """The value-level constraints of ``shape`` as (component, parameter, violation condition on ``v``)."""
    sg = ctx.sg
    out: list[tuple[URIRef, Node, str]] = []
    for c in sg.objects(shape, SH["class"]):
        out.append((SH.ClassConstraintComponent, c,
                    f"(isLiteral({v}) || NOT EXISTS {{ {ctx.instance_of(v, c)} }})"))
    for dt in sg.objects(shape, SH.datatype):
        out.append((SH.DatatypeConstraintComponent, dt, datatype_condition(dt, v)))
    for kind in sg.objects(shape, SH.nodeKind):
        if kind not in _NODE_KINDS:
            raise NotCompilable(f"shape {_name(shape)}: unknown sh:nodeKind {kind.n3()}")
        out.append((SH.NodeKindConstraintComponent, kind, "!" + _NODE_KINDS[kind].format(v=v)))
    flags = sg.value(shape, SH.flags)
    for pattern in sg.objects(shape, SH.pattern):
        args = f"STR({v}), {sparql_term(Literal(str(pattern)))}"
        if flags is not None:
            args += f", {sparql_term(Literal(str(flags)))}"
        out.append((SH.PatternConstraintComponent, pattern, f"(isBlank({v}) || !REGEX({args}))"))
    for n in sg.objects(shape, SH.minLength):
        out.append((SH.MinLengthConstraintComponent, n, f"(isBlank({v}) || STRLEN(STR({v})) < {int(n)})"))
    for n in sg.objects(shape, SH.maxLength):
        out.append((SH.MaxLengthConstraintComponent, n, f"(isBlank({v}) || STRLEN(STR({v})) > {int(n)})"))
    for members in sg.objects(shape, SH.languageIn):
        tests = " || ".join(f"langMatches(LANG({v}), {sparql_term(Literal(str(m)))})" for m in _list(sg, members))
        out.append((SH.LanguageInConstraintComponent, members, f"!(isLiteral({v}) && ({tests or 'false'}))"))
    for members in sg.objects(shape, SH["in"]):
        tests = " || ".join(same_term(v, m) for m in _list(sg, members))
        out.append((SH.InConstraintComponent, members, f"!({tests or 'false'})"))
    for prop, (op, component) in _RANGES.items():
        for bound in sg.objects(shape, prop):
            out.append((component, bound, f"!COALESCE({v} {op} {sparql_term(bound)}, false)"))
    for other in sg.objects(shape, SH.node):
        out.append((SH.NodeConstraintComponent, other, violation_expression(ctx, other, v, seen)))
    for members in sg.objects(shape, SH["or"]):
        tests = " && ".join(violation_expression(ctx, m, v, seen) for m in _list(sg, members))
        out.append((SH.OrConstraintComponent, members, tests or "true"))
    for members in sg.objects(shape, SH["and"]):
        tests = " || ".join(violation_expression(ctx, m, v, seen) for m in _list(sg, members))
        out.append((SH.AndConstraintComponent, members, tests or "false"))
    for other in sg.objects(shape, SH["not"]):
        out.append((SH.NotConstraintComponent, other, f"!{violation_expression(ctx, other, v, seen)}"))
    for members in sg.objects(shape, SH.xone):
        fails = [violation_expression(ctx, m, v, seen) for m in _list(sg, members)]
        none = " && ".join(fails) or "true"
        two = " || ".join(f"(!{a} && !{b})" for i, a in enumerate(fails) for b in fails[i + 1:]) or "false"
        out.append((SH.XoneConstraintComponent, members, f"(({none}) || {two})"))
    return out


def _name(node: Node) -> str:
    return node.n3() if isinstance(node, URIRef) else "(a blank node)"


def _custom_parameters(sg: Graph) -> dict[Node, Node]:
    """The parameters of the shapes graph's own constraint components (SHACL-SPARQL), by path."""
    out = {}
    for component, parameter in sg.subject_objects(SH.parameter):
        path = sg.value(parameter, SH.path)
        if path is not None:
            out[path] = component
    return out


def check_supported(sg: Graph, shape: Node) -> None:
    """Refuse a shape that uses a constraint this compiler cannot express exactly."""
    custom = _custom_parameters(sg)
    for p in set(sg.predicates(shape, None)):
        if p in custom:
            raise NotCompilable(
                f"shape {_name(shape)} uses the constraint component {_name(custom[p])} (SHACL-SPARQL custom "
                "components are not supported by the SPARQL compiler; use --engine pyshacl)"
            )
        if p in _NON_CONSTRAINT or p in _KNOWN_PARAMETERS or not str(p).startswith(str(SH)):
            continue
        raise NotCompilable(f"shape {_name(shape)} uses {p.n3()}, which the SPARQL compiler does not support")


def violation_expression(ctx: _Context, shape: Node, x: str, seen: tuple[Node, ...] = ()) -> str:
    """A SPARQL expression true exactly when the node ``x`` (bound where it is used) does not conform
    to ``shape``: the conditions on ``x`` itself as they are, each graph pattern inside ``EXISTS``.

    Conditions are kept out of ``EXISTS`` because some stores (Virtuoso) cannot compile an
    ``EXISTS`` group that holds only a ``FILTER``.
    """
    parts = []
    for branch in _violation_branches(ctx, shape, x, seen):
        if branch.startswith("FILTER NOT EXISTS {") or (branch.startswith("FILTER (") and branch.endswith(")")):
            parts.append(branch[len("FILTER "):])
        else:
            parts.append(f"EXISTS {{ {branch} }}")
    return "(" + " || ".join(parts) + ")" if parts else "false"


def _violation_branches(ctx: _Context, shape: Node, x: str, seen: tuple[Node, ...]) -> list[str]:
    sg = ctx.sg
    if shape in seen:
        raise NotCompilable(f"shape {_name(shape)} refers to itself (recursive shapes are not supported)")
    seen = seen + (shape,)
    check_supported(sg, shape)
    if is_true(sg, shape, SH.deactivated):
        return []
    if sg.value(shape, SH.sparql) is not None:
        raise NotCompilable(f"shape {_name(shape)} has a SPARQL constraint but is used inside another shape")
    for prop in (SH.qualifiedValueShape, SH.lessThan, SH.lessThanOrEquals):
        if sg.value(shape, prop) is not None:
            raise NotCompilable(f"shape {_name(shape)}: {prop.n3()} inside another shape is not supported")
    branches: list[str] = []
    path_node = sg.value(shape, SH.path)
    if path_node is None:
        for _, _, cond in value_conditions(ctx, shape, x, seen):
            branches.append(f"FILTER ({cond})")
        for hv in sg.objects(shape, SH.hasValue):
            branches.append(f"FILTER (!sameTerm({x}, {sparql_term(hv)}))")
        for other in sg.objects(shape, SH.equals):
            w = ctx.var()
            branches.append(f"FILTER NOT EXISTS {{ {x} {sparql_term(other)} {x} }}")
            branches.append(f"{x} {sparql_term(other)} {w} . FILTER (!sameTerm({w}, {x}))")
        for other in sg.objects(shape, SH.disjoint):
            branches.append(f"{x} {sparql_term(other)} {x} .")
        for prop in sg.objects(shape, SH.property):
            branches.extend(_violation_branches(ctx, prop, x, seen))
    else:
        path = sparql_path(sg, path_node)
        v = ctx.var()
        for _, _, cond in value_conditions(ctx, shape, v, seen):
            branches.append(f"{x} {path} {v} . FILTER ({cond})")
        branches.extend(_count_branches(ctx, shape, x, path))
        for hv in sg.objects(shape, SH.hasValue):
            branches.append(f"FILTER NOT EXISTS {{ {x} {path} {sparql_term(hv)} }}")
        for other in sg.objects(shape, SH.equals):
            w = ctx.var()
            branches.append(f"{x} {path} {w} . FILTER NOT EXISTS {{ {x} {sparql_term(other)} {w} }}")
            branches.append(f"{x} {sparql_term(other)} {w} . FILTER NOT EXISTS {{ {x} {path} {w} }}")
        for other in sg.objects(shape, SH.disjoint):
            w = ctx.var()
            branches.append(f"{x} {path} {w} . {x} {sparql_term(other)} {w} .")
        if is_true(sg, shape, SH.uniqueLang):
            a, b = ctx.var(), ctx.var()
            branches.append(f"{x} {path} {a}, {b} . {_same_language(a, b)}")
        for prop in sg.objects(shape, SH.property):
            w = ctx.var()
            branches.append(f"{x} {path} {w} . FILTER ({violation_expression(ctx, prop, w, seen)})")
    if is_true(sg, shape, SH.closed):
        branches.append(_closed_pattern(ctx, shape, x, ctx.var(), ctx.var()))
    return branches


def _same_language(a: str, b: str) -> str:
    return f"FILTER (!sameTerm({a}, {b}) && isLiteral({a}) && isLiteral({b}) && LANG({a}) != \"\" && LCASE(LANG({a})) = LCASE(LANG({b})))"


def _closed_pattern(ctx: _Context, shape: Node, x: str, p: str, o: str) -> str:
    sg = ctx.sg
    if sg.value(shape, SH.path) is not None:
        raise NotCompilable(f"shape {_name(shape)}: sh:closed on a property shape is not supported")
    allowed = {sg.value(prop, SH.path) for prop in sg.objects(shape, SH.property)}
    for ignored in sg.objects(shape, SH.ignoredProperties):
        allowed.update(_list(sg, ignored))
    names = sorted(sparql_term(a) for a in allowed if isinstance(a, URIRef))
    test = f"FILTER ({p} NOT IN ({', '.join(names)}))" if names else ""
    return f"{x} {p} {o} . {test}"


def _count_branches(ctx: _Context, shape: Node, x: str, path: str) -> list[str]:
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
    return out


# ----------------------------------------------------------------------------- targets and checks

_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)
_CLASSES = (RDFS.Class, OWL.Class)


def _implicit_class(sg: Graph, s: Node) -> bool:
    """Whether ``s`` is a shape and a class (an implicit ``sh:targetClass`` of itself)."""
    is_shape = (s, RDF.type, SH.NodeShape) in sg or (s, RDF.type, SH.PropertyShape) in sg
    return is_shape and any((s, RDF.type, kind) in sg for kind in _CLASSES)


def targeted_shapes(sg: Graph) -> list[Node]:
    """The shapes that select focus nodes themselves (have a target), sorted."""
    shapes = {s for p in _TARGETS for s in sg.subjects(p, None)}
    shapes |= {s for kind in _CLASSES for s in sg.subjects(RDF.type, kind) if _implicit_class(sg, s)}
    return sorted(shapes, key=lambda s: (isinstance(s, BNode), str(s)))


def _prefixes(ctx: _Context, host: Node) -> None:
    sg = ctx.sg
    sources: list[Node] = []
    todo = list(sg.objects(host, SH.prefixes))
    while todo:  # the declarations of a node and of the nodes it owl:imports (within the shapes graph)
        source = todo.pop()
        if source not in sources:
            sources.append(source)
            todo.extend(sg.objects(source, OWL.imports))
    for source in sources:
        for decl in sg.objects(source, SH.declare):
            prefix, ns = sg.value(decl, SH.prefix), sg.value(decl, SH.namespace)
            if prefix is None or ns is None:
                raise NotCompilable(f"a sh:declare of {_name(source)} lacks sh:prefix or sh:namespace")
            if ctx.prefixes.get(str(prefix), str(ns)) != str(ns):
                raise NotCompilable(f"prefix {prefix}: is declared as both {ctx.prefixes[str(prefix)]} and {ns}")
            ctx.prefixes[str(prefix)] = str(ns)


def focus_pattern(ctx: _Context, shape: Node) -> str:
    """A subquery selecting the focus nodes of ``shape`` as ``?this`` (each once)."""
    sg = ctx.sg
    parts = []
    classes = list(sg.objects(shape, SH.targetClass))
    if _implicit_class(sg, shape):
        classes.append(shape)
    for c in classes:
        parts.append(ctx.instance_of("?this", c))
    for n in sg.objects(shape, SH.targetNode):
        parts.append(f"VALUES ?this {{ {sparql_term(n)} }}")
    for p in sg.objects(shape, SH.targetSubjectsOf):
        parts.append(f"?this {sparql_term(p)} ?_target .")
    for p in sg.objects(shape, SH.targetObjectsOf):
        parts.append(f"?_target {sparql_term(p)} ?this .")
    for target in sg.objects(shape, SH.target):
        select = sg.value(target, SH.select)
        if (target, RDF.type, SH.SPARQLTarget) not in sg or select is None:
            raise NotCompilable(f"shape {_name(shape)}: only sh:SPARQLTarget custom targets are supported")
        if re.search(r"(?i)\bPREFIX\b|\$(PATH|currentShape|shapesGraph)\b", str(select)):
            raise NotCompilable(f"shape {_name(shape)}: a SPARQL target with PREFIX or $PATH is not supported")
        _prefixes(ctx, target)
        parts.append(str(select).strip())
    if not parts:
        raise NotCompilable(f"shape {_name(shape)} has no target")
    union = "{ " + " } UNION { ".join(parts) + " }"
    return f"{{ SELECT DISTINCT ?this WHERE {{ {union} }} }}"


def value_focus(ctx: _Context, focus: str, path: str, keys: str) -> tuple[str, str]:
    """A subquery selecting as ``?this`` the values, reached by ``path``, of the focus nodes ``focus``
    selects (the focus nodes of a property shape nested in a property shape), and its keys: a value
    reached from two focus nodes is checked, and reported, once for each."""
    parent = ctx.var("parent")
    pattern = (f"{{ SELECT DISTINCT ?this{keys} {parent} WHERE {{ {{ SELECT DISTINCT (?this AS {parent}){keys} "
               f"WHERE {{ {focus} }} }} {parent} {path} ?this . }} }}")
    return pattern, f"{keys} {parent}"


def classes_of(sg: Graph) -> list[Node]:
    """The classes whose instances the compiled checks look for (targets, ``sh:class``), sorted."""
    found = set(sg.objects(None, SH.targetClass)) | set(sg.objects(None, SH["class"]))
    found |= {s for kind in _CLASSES for s in sg.subjects(RDF.type, kind) if _implicit_class(sg, s)}
    return sorted(found, key=str)


def compile_shapes(
    sg: Graph, use_shapes: Iterable[Node] | None = None, subclasses: dict[Node, list[Node]] | None = None,
) -> tuple[Check, ...]:
    """Every check of the targeted shapes of ``sg`` (or of ``use_shapes`` only), as SPARQL queries.

    Instances of a class are found with ``rdf:type/rdfs:subClassOf*``; with ``subclasses`` (each
    class of :func:`classes_of` with its subclasses in the data, itself included), with
    ``rdf:type`` among them instead, for stores whose property paths are unreliable (Virtuoso).
    """
    ctx = _Context(sg, subclasses=subclasses)
    shapes = targeted_shapes(sg)
    if use_shapes is not None:
        chosen = set(use_shapes)
        shapes = [s for s in shapes if s in chosen]
    checks: list[Check] = []
    for shape in shapes:
        if is_true(sg, shape, SH.deactivated):
            continue
        ctx.keys = ""
        checks.extend(_shape_tree(ctx, shape, focus_pattern(ctx, shape), ()))
    header = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(ctx.prefixes.items()))
    out = tuple(Check(**{**c.__dict__, "query": header + c.query}) for c in checks)
    for check in out:
        _parses(check)
    return out


def _parses(check: Check) -> None:
    """Refuse a check whose query is not valid SPARQL (a malformed ``sh:select``), before any data is read."""
    import pyoxigraph as ox

    try:
        ox.Store().query(check.query)
    except SyntaxError as exc:
        where = f"a SPARQL constraint of shape {_name(check.shape)}" if check.kind == "sparql" else f"shape {_name(check.shape)}"
        first = str(exc).splitlines()[0] if str(exc) else "syntax error"
        raise NotCompilable(f"{where} is not valid SPARQL: {first}") from exc


def _shape_tree(ctx: _Context, shape: Node, focus: str, seen: tuple[Node, ...]) -> list[Check]:
    """The checks of ``shape`` on ``focus`` and of the property shapes nested in it, on their own
    focus nodes (the shape's value nodes)."""
    sg = ctx.sg
    if shape in seen:
        raise NotCompilable(f"shape {_name(shape)} refers to itself (recursive shapes are not supported)")
    out = shape_checks(ctx, shape, focus)
    path_node = sg.value(shape, SH.path)
    keys = ctx.keys
    inner, inner_keys = (focus, keys) if path_node is None else value_focus(ctx, focus, sparql_path(sg, path_node), keys)
    for prop in sorted(sg.objects(shape, SH.property), key=str):
        if not is_true(sg, prop, SH.deactivated):
            ctx.keys = inner_keys
            out.extend(_shape_tree(ctx, prop, inner, seen + (shape,)))
    ctx.keys = keys
    return out


def shape_checks(ctx: _Context, shape: Node, focus: str) -> list[Check]:
    """The checks of one shape on the focus nodes ``focus`` selects."""
    sg = ctx.sg
    k = ctx.keys
    check_supported(sg, shape)
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
        query = f"SELECT DISTINCT ?this ?value{k} WHERE {{ {focus} {values} FILTER ({cond}) }}"
        out.append(Check(query, "value", component=component, parameter=parameter, **base))
    for prop, (op, component) in _PAIRS.items():
        for other in sg.objects(shape, prop):
            cmp = f"?value {op} ?_other"
            query = (f"SELECT DISTINCT ?this ?value ?_other{k} WHERE {{ {focus} {values} ?this {sparql_term(other)} ?_other . "
                     f"FILTER (!COALESCE({cmp}, false)) }}")
            out.append(Check(query, "value", component=component, parameter=other, **base))
    for hv in sg.objects(shape, SH.hasValue):
        if path_node is None:
            query = f"SELECT DISTINCT ?this{k} WHERE {{ {focus} FILTER (!sameTerm(?this, {sparql_term(hv)})) }}"
        else:
            query = f"SELECT DISTINCT ?this{k} WHERE {{ {focus} FILTER NOT EXISTS {{ ?this {path} {sparql_term(hv)} }} }}"
        out.append(Check(query, "focus", component=SH.HasValueConstraintComponent, parameter=hv, **base))
    for other in sg.objects(shape, SH.equals):
        o = sparql_term(other)
        if path_node is None:
            queries = [f"SELECT DISTINCT ?this ?value{k} WHERE {{ {focus} FILTER NOT EXISTS {{ ?this {o} ?this }} "
                       "BIND (?this AS ?value) }",
                       f"SELECT DISTINCT ?this ?value{k} WHERE {{ {focus} ?this {o} ?value FILTER (!sameTerm(?value, ?this)) }}"]
        else:
            queries = [f"SELECT DISTINCT ?this ?value{k} WHERE {{ {focus} ?this {path} ?value FILTER NOT EXISTS "
                       f"{{ ?this {o} ?value }} }}",
                       f"SELECT DISTINCT ?this ?value{k} WHERE {{ {focus} ?this {o} ?value FILTER NOT EXISTS "
                       f"{{ ?this {path} ?value }} }}"]
        for query in queries:
            out.append(Check(query, "value", component=SH.EqualsConstraintComponent, parameter=other, **base))
    for other in sg.objects(shape, SH.disjoint):
        query = f"SELECT DISTINCT ?this ?value{k} WHERE {{ {focus} {values} ?this {sparql_term(other)} ?value . }}"
        out.append(Check(query, "value", component=SH.DisjointConstraintComponent, parameter=other, **base))
    if is_true(sg, shape, SH.closed):
        query = f"SELECT DISTINCT ?this ?_path ?value{k} WHERE {{ {focus} {_closed_pattern(ctx, shape, '?this', '?_path', '?value')} }}"
        out.append(Check(query, "closed", component=SH.ClosedConstraintComponent, parameter=None, **base))
    if path_node is not None:
        out.extend(_cardinality_checks(ctx, shape, focus, path, base))
    elif any(sg.value(shape, p) is not None for p in (SH.minCount, SH.maxCount, SH.qualifiedValueShape, SH.uniqueLang)):
        raise NotCompilable(f"shape {_name(shape)}: a cardinality constraint needs sh:path")
    for constraint in sorted(sg.objects(shape, SH.sparql), key=str):
        if not is_true(sg, constraint, SH.deactivated):
            out.append(_sparql_check(ctx, shape, constraint, focus, base, path))
    return out


def _siblings(sg: Graph, shape: Node) -> list[Node]:
    """The qualified value shapes of the shapes beside ``shape`` (sh:qualifiedValueShapesDisjoint)."""
    out: list[Node] = []
    for parent in sg.subjects(SH.property, shape):
        for sibling in sg.objects(parent, SH.property):
            if sibling != shape:
                out.extend(sg.objects(sibling, SH.qualifiedValueShape))
    return out


def _cardinality_checks(ctx: _Context, shape: Node, focus: str, path: str, base: dict) -> list[Check]:
    sg = ctx.sg
    k = ctx.keys
    out = []
    n = sg.value(shape, SH.minCount)
    if n is not None and int(n) > 0:
        if int(n) == 1:
            query = f"SELECT DISTINCT ?this{k} WHERE {{ {focus} FILTER NOT EXISTS {{ ?this {path} ?_x }} }}"
        else:
            query = (f"SELECT ?this{k} WHERE {{ {focus} OPTIONAL {{ ?this {path} ?_x }} }} "
                     f"GROUP BY ?this{k} HAVING (COUNT(DISTINCT ?_x) < {int(n)})")
        out.append(Check(query, "focus", component=SH.MinCountConstraintComponent, parameter=n, **base))
    n = sg.value(shape, SH.maxCount)
    if n is not None:
        query = (f"SELECT ?this{k} WHERE {{ {focus} ?this {path} ?_x }} "
                 f"GROUP BY ?this{k} HAVING (COUNT(DISTINCT ?_x) > {int(n)})")
        out.append(Check(query, "focus", component=SH.MaxCountConstraintComponent, parameter=n, **base))
    if is_true(sg, shape, SH.uniqueLang):
        query = (f"SELECT ?this ?_lang{k} WHERE {{ {focus} ?this {path} ?_a, ?_b . {_same_language('?_a', '?_b')} }} "
                 f"GROUP BY ?this{k} (LCASE(LANG(?_a)) AS ?_lang)")
        out.append(Check(query, "focus", component=SH.UniqueLangConstraintComponent, parameter=TRUE, **base))
    q = sg.value(shape, SH.qualifiedValueShape)
    if q is not None:
        others = ""
        if is_true(sg, shape, SH.qualifiedValueShapesDisjoint):
            others = "".join(f" FILTER ({violation_expression(ctx, s, '?_q')})" for s in _siblings(sg, shape))
        conforming = f"?this {path} ?_q . FILTER (!{violation_expression(ctx, q, '?_q')}){others}"
        counted = f"SELECT ?this{k} WHERE {{ {focus} OPTIONAL {{ {conforming} }} }} GROUP BY ?this{k} "
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
    substitutions = substitutions or {}
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


def _sparql_check(ctx: _Context, shape: Node, constraint: Node, focus: str, base: dict, path: str) -> Check:
    sg = ctx.sg
    select = sg.value(constraint, SH.select)
    if select is None:
        raise NotCompilable(f"shape {_name(shape)}: a SPARQL constraint without sh:select is not supported")
    _prefixes(ctx, constraint)
    substitutions = {"currentShape": sparql_term(shape)} if isinstance(shape, URIRef) else {}
    if path:
        substitutions["PATH"] = path
    query, projects = prebind_this(str(select), focus, substitutions)
    extra = sorted(sg.objects(constraint, SH.message), key=str)
    messages = tuple(base["messages"]) + tuple(m for m in extra if m not in base["messages"])
    return Check(
        query, "sparql", component=SH.SPARQLConstraintComponent, parameter=constraint,
        node_shape=not path, projects_this=projects, constraint=constraint,
        **{**base, "messages": messages},
    )
