"""Compile SHACL shapes into SPARQL queries that check every focus node at once.

The shapes are read from a shapes graph (``ontology/shapes.ttl`` by default) at run time; nothing
here knows a particular shape. Each targeted shape becomes a few :class:`Check` objects: one SPARQL
SELECT per constraint, returning one row per result (``?this``, the focus node, and ``?value`` when
SHACL reports a value), and what the report says about it (shape, constraint component, path,
severity, messages). :mod:`kg_build.shacl.oxigraph` runs them on an embedded store,
:mod:`kg_build.shacl.remote` on a SPARQL endpoint; :func:`results_of` turns their rows into results.

Semantics follow the SHACL specification as its W3C test suite checks it:

- ``sh:targetClass`` and ``sh:class`` follow ``rdfs:subClassOf*`` in the data;
- SPARQL-based constraints pre-bind ``$this``: the focus nodes' pattern is joined into every group
  of the query (outside ``EXISTS``), which gives the pre-binding result for all focus nodes at once;
- shapes reached through ``sh:node``, ``sh:or``, ``sh:and``, ``sh:not``, ``sh:xone`` and
  ``sh:qualifiedValueShape`` are compiled into a "does not conform" graph pattern used inside
  ``EXISTS``; property shapes nested in property shapes check the values of their parent;
- each component's condition and default message are in :mod:`kg_build.shacl.components`;
- ``sh:datatype`` also rejects ill-formed literals, at every depth, with a SPARQL condition on
  the lexical form per XSD datatype (``kg_build/shacl/datatypes.tsv``), so any SPARQL store can
  run it.

A construct this compiler does not know (a constraint component, a target kind, a SPARQL feature
whose pre-binding it cannot express) raises :class:`NotCompilable` when the shapes are compiled,
before any data is read: a shape is never skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import count

from rdflib import RDF, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDFS, SH
from rdflib.term import BNode, Node

from kg_build.rdf.bridge import to_rdflib
from kg_build.shacl.components import (
    KNOWN_PARAMETERS,
    NON_CONSTRAINT,
    PAIRS,
    TRUE,
    VIOLATION,
    Check,
    NotCompilable,
    is_true,
    list_items,
    message,
    name,
    sparql_message,
    sparql_term,
    value_conditions,
)
from kg_build.shacl.prebinding import lateral_select, prebind_this
from kg_build.shacl.report import Result, read_path, severity_name

SUBCLASS_PATH = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>/<http://www.w3.org/2000/01/rdf-schema#subClassOf>*"


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
                f"shape {name(shape)} uses the constraint component {name(custom[p])} (SHACL-SPARQL custom "
                "components are not supported by the SPARQL compiler; use --engine pyshacl)"
            )
        if p in NON_CONSTRAINT or p in KNOWN_PARAMETERS or not str(p).startswith(str(SH)):
            continue
        raise NotCompilable(f"shape {name(shape)} uses {p.n3()}, which the SPARQL compiler does not support")


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
        raise NotCompilable(f"shape {name(shape)} refers to itself (recursive shapes are not supported)")
    seen = seen + (shape,)
    check_supported(sg, shape)
    if is_true(sg, shape, SH.deactivated):
        return []
    if sg.value(shape, SH.sparql) is not None:
        raise NotCompilable(f"shape {name(shape)} has a SPARQL constraint but is used inside another shape")
    for prop in (SH.qualifiedValueShape, SH.lessThan, SH.lessThanOrEquals):
        if sg.value(shape, prop) is not None:
            raise NotCompilable(f"shape {name(shape)}: {prop.n3()} inside another shape is not supported")
    branches: list[str] = []
    path_node = sg.value(shape, SH.path)
    if path_node is None:
        for _, _, cond in value_conditions(sg, shape, x, ctx.instance_of, lambda other, v: violation_expression(ctx, other, v, seen)):
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
        for _, _, cond in value_conditions(sg, shape, v, ctx.instance_of, lambda other, w: violation_expression(ctx, other, w, seen)):
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
        raise NotCompilable(f"shape {name(shape)}: sh:closed on a property shape is not supported")
    allowed = {sg.value(prop, SH.path) for prop in sg.objects(shape, SH.property)}
    for ignored in sg.objects(shape, SH.ignoredProperties):
        allowed.update(list_items(sg, ignored))
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
                raise NotCompilable(f"a sh:declare of {name(source)} lacks sh:prefix or sh:namespace")
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
            raise NotCompilable(f"shape {name(shape)}: only sh:SPARQLTarget custom targets are supported")
        if re.search(r"(?i)\bPREFIX\b|\$(PATH|currentShape|shapesGraph)\b", str(select)):
            raise NotCompilable(f"shape {name(shape)}: a SPARQL target with PREFIX or $PATH is not supported")
        _prefixes(ctx, target)
        parts.append(str(select).strip())
    if not parts:
        raise NotCompilable(f"shape {name(shape)} has no target")
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
    Each check joins its focus nodes with what it tests of them; :func:`lateral_form` gives the
    same check with ``LATERAL`` (Oxigraph), faster on some stores' data and slower on others'.
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
        focus = focus_pattern(ctx, shape)
        tree = _shape_tree(ctx, shape, focus, ())
        checks.extend(tree)
    header = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(ctx.prefixes.items()))
    out = tuple(Check(**{**c.__dict__, "query": header + c.query, "lateral": c.lateral and header + c.lateral})
                for c in checks)
    for check in out:
        _parses(check)
    return out


def lateral_form(check: Check) -> Check:
    """``check`` with the patterns after its focus-node subquery inside ``LATERAL { }``.

    A compiled check is ``SELECT ... WHERE { FOCUS TESTS } [GROUP BY ...]``, FOCUS a subquery
    selecting the focus nodes (``{ SELECT DISTINCT ?this ... }``). Joined plainly, a store may
    evaluate TESTS over the whole graph and join the results with the focus nodes (a hash join:
    every ``rdfs:label`` of the graph read to check the labels of a dozen processes); ``LATERAL``
    (Oxigraph's SPARQL extension) evaluates TESTS once per focus node with ``?this`` bound, so
    a check reads what its focus nodes have. The solutions are the same: TESTS are a group joined
    with FOCUS either way, and their filters see ``?this`` bound either way. A SPARQL-based
    constraint's second form was made when it was compiled (``Check.lateral``: its own SELECT
    inside ``LATERAL { }``); a check without TESTS keeps its one form.
    """
    if check.kind == "sparql":
        return Check(**{**check.__dict__, "query": check.lateral}) if check.lateral else check
    parts = focus_and_tests(check)
    if parts is None:
        return check
    q = check.query
    end, close = parts.end, parts.close
    return Check(**{**check.__dict__, "query": f"{q[:end + 1]} LATERAL {{ {parts.tests} }} {q[close:]}"})


def per_focus_select(check: Check) -> str | None:
    """What ``check``'s ``LATERAL`` form evaluates once per focus node, as one SELECT with ``?this``
    projected (``None`` for a check without that form): ``SELECT ... WHERE { TESTS } GROUP BY ...``
    for a compiled constraint, a SPARQL-based constraint's own SELECT for one of those."""
    parts = focus_and_tests(check)
    if parts is None:
        return None
    if check.kind == "sparql":
        q = check.lateral
        group = q.index("LATERAL {", parts.end) + len("LATERAL ")
        return q[group + 1:_group_end(q, group)].strip() + "\n"  # "\n": the SELECT may end in a comment
    q = check.query
    head = q[len(parts.prefixes):q.index("WHERE { ")].strip()
    return f"{head} WHERE {{ {parts.tests} }} {q[parts.close + 1:].strip()}".rstrip()


def merged_form(checks: Sequence[Check]) -> tuple[str, str]:
    """One query giving the solutions of ``checks``, which share their focus-node subquery, each
    solution tagged with the index of its check; and the tag's variable name.

    ``FOCUS LATERAL { { SELECT_0 } BIND (0 AS ?tag) } UNION { { SELECT_1 } BIND (1 AS ?tag) } ... }``:
    the focus nodes are selected once, and each check's per-focus SELECT (:func:`per_focus_select`)
    runs with ``?this`` bound to each in turn: the solutions of its ``LATERAL`` form, since a
    subquery inside ``LATERAL`` sees ``?this`` bound (its projection holds ``?this``) and its
    ``GROUP BY`` groups on ``?this``. The tag is a variable no check uses.
    """
    parts = [focus_and_tests(c) for c in checks]
    selects = [per_focus_select(c) for c in checks]
    first = parts[0]
    if first is None or any(p is None or (p.prefixes, p.focus) != (first.prefixes, first.focus) for p in parts):
        raise ValueError("merged_form takes checks with the same focus-node subquery")
    used = " ".join(c.query + c.lateral for c in checks)
    tag = next(f"_check{i or ''}" for i in count() if not re.search(rf"[?$]_check{i or ''}\b", used))
    branches = " UNION ".join(f"{{ {{ {s}}} BIND ({k} AS ?{tag}) }}" for k, s in enumerate(selects))
    return f"{first.prefixes}SELECT * WHERE {{ {first.focus} LATERAL {{ {branches} }} }}", tag


@dataclass(frozen=True)
class Parts:
    """Where a compiled check's focus-node subquery and its tests are in its query."""

    prefixes: str  # the PREFIX lines the query starts with
    focus: str  # the focus-node subquery, a group: "{ SELECT DISTINCT ?this ... }"
    tests: str  # the patterns joined with it (what the check tests of each focus node)
    end: int  # the index of the focus subquery's closing brace
    close: int  # the index of the WHERE clause's closing brace


def focus_and_tests(check: Check) -> Parts | None:
    """The focus-node subquery and the tests of a compiled check (``None`` for a check whose focus
    nodes are all it selects, or a SPARQL-based constraint without a ``LATERAL`` form). A SPARQL-based
    constraint's tests are the WHERE group of its own SELECT, and its indexes those of its
    ``LATERAL`` form."""
    if check.kind == "sparql":
        if not check.lateral:
            return None
        q = check.lateral
        start = q.index("WHERE { ") + len("WHERE { ")
        end = _group_end(q, start)
        inner = q.index("{", q.index("LATERAL {", end) + len("LATERAL {"))
        prefixes = q[:q.rfind("\n", 0, start) + 1]
        tests = _full_iris(q[inner + 1:_group_end(q, inner)].strip(), prefixes)
        return Parts(prefixes, q[start:end + 1], tests, end, q.rindex("}"))
    q = check.query
    where = q.index("WHERE { ")
    start = where + len("WHERE { ")
    if not q.startswith("{ SELECT ", start):
        return None
    end = _group_end(q, start)
    close = q.rindex("}")  # the WHERE clause's own brace: GROUP BY and HAVING hold none
    tests = q[end + 1:close].strip()
    if not tests:
        return None
    prefixes = q[:q.rfind("\n", 0, where) + 1]
    return Parts(prefixes, q[start:end + 1], tests, end, close)


_IRI = re.compile(r"<([^<>\"{}|^`\\\s]*)>")


def scanned_predicates(tests: str) -> tuple[str, ...]:
    """The IRIs written in ``tests`` outside nested groups (``EXISTS { }``, ``OPTIONAL { }`` ...),
    sorted: the predicates (and constants) of the patterns a plain join reads over the whole graph."""
    return tuple(sorted(set(_IRI.findall(_top_level(tests)))))


# A triple pattern whose predicate is a variable: a variable or IRI, then a variable, then a term;
# or a variable right after ";" (the next predicate of the same subject).
_VARIABLE_PREDICATE = re.compile(
    r"(?:(?:[?$]\w+|<[^<>\s]*>)\s+|;\s*)[?$]\w+\s+"
    r"(?!(?:BIND|FILTER|OPTIONAL|UNION|MINUS|VALUES|GRAPH|SERVICE|LATERAL)\b)[?$<\"'\w:\[]", re.I)


def reads_every_predicate(tests: str) -> bool:
    """Whether ``tests`` match, outside ``EXISTS { }`` and parentheses, a triple pattern with a
    variable predicate: a plain join then reads every triple of the graph (the groups of a
    ``UNION`` or an ``OPTIONAL`` are read whole too; an ``EXISTS`` is tested row by row).

    >>> reads_every_predicate("{ $this ?value ?o } UNION { $this a ?value }")
    True
    >>> reads_every_predicate("$this <urn:p> ?o ; ?q ?r .")
    True
    >>> reads_every_predicate("$this <urn:p> ?o . FILTER NOT EXISTS { ?o ?q ?r } FILTER (isIRI(?o))")
    False
    >>> reads_every_predicate("{ ?s <urn:p> ?o } OPTIONAL { ?s <urn:q> ?v } BIND (?v AS ?w) ?w <urn:r> 1")
    False
    """
    text = _blank_strings(tests)
    flat, depth, i = [], 0, 0
    while i < len(text):
        exists = re.match(r"EXISTS\s*\{", text[i:], re.I)
        if exists:
            i = _group_end(text, i + exists.end() - 1) + 1
            continue
        ch = text[i]
        if ch in "()":
            depth += 1 if ch == "(" else -1
        flat.append(ch if depth == 0 and ch not in "(){}" else "." if ch in "{}" else " ")  # a group ends a pattern
        i += 1
    return bool(_VARIABLE_PREDICATE.search("".join(flat)))


def _top_level(tests: str) -> str:
    """``tests`` with its strings and nested groups blanked out."""
    top, depth = [], 0
    for ch in _blank_strings(tests):
        if ch in "{}":
            depth += 1 if ch == "{" else -1
        top.append(ch if depth == 0 and ch != "}" else " ")
    return "".join(top)


_PREFIX = re.compile(r"PREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", re.I)
_PNAME = re.compile(r"(?<![\w?$<:#-])(?:([A-Za-z][\w-]*)?:([\w-]+)|a(?=\s))(?![\w:>-])")


def _full_iris(text: str, prefixes: str) -> str:
    """``text`` (SPARQL patterns) with its prefixed names and ``a`` written as full IRIs, outside
    strings, for :func:`scanned_predicates` (the compiler's own patterns use full IRIs already).

    >>> _full_iris('?x a ex:P ; ex:q "a ex:r" .', "PREFIX ex: <urn:ex:>")
    '?x <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <urn:ex:P> ; <urn:ex:q> "a ex:r" .'
    """
    namespaces = {p or "": ns for p, ns in _PREFIX.findall(prefixes)}
    blank = _blank_strings(text)
    out, last = [], 0
    for m in _PNAME.finditer(blank):
        if m.group(0) == "a":
            iri = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
        elif (m.group(1) or "") in namespaces:
            iri = f"<{namespaces[m.group(1) or '']}{m.group(2)}>"
        else:
            continue
        out.append(text[last:m.start()] + iri)
        last = m.end()
    return "".join(out) + text[last:]


def _blank_strings(q: str) -> str:
    """``q`` with the contents of its string literals replaced by spaces (same length)."""
    out, quote, i = list(q), "", 0
    while i < len(q):
        ch = q[i]
        if quote:
            if ch == "\\":
                out[i] = " "
                if i + 1 < len(q):
                    out[i + 1] = " "
                i += 1
            elif q.startswith(quote, i):
                i += len(quote) - 1
                quote = ""
            else:
                out[i] = " "
        elif ch in "\"'":
            quote = ch * 3 if q.startswith(ch * 3, i) else ch
            i += len(quote) - 1
        i += 1
    return "".join(out)


def _group_end(q: str, start: int) -> int:
    """The index of the ``}`` closing the group that opens at ``q[start]`` (braces in strings skipped)."""
    depth, quote, i = 0, "", start
    while i < len(q):
        ch = q[i]
        if quote:
            if ch == "\\":
                i += 1
            elif q.startswith(quote, i):
                i += len(quote) - 1
                quote = ""
        elif ch in "\"'":
            quote = ch * 3 if q.startswith(ch * 3, i) else ch
            i += len(quote) - 1
        elif ch in "{}":
            depth += 1 if ch == "{" else -1
            if depth == 0:
                return i
        i += 1
    raise ValueError("unbalanced braces in a compiled check")


def _parses(check: Check) -> None:
    """Refuse a check whose query is not valid SPARQL (a malformed ``sh:select``), before any data is read."""
    import pyoxigraph as ox

    try:
        ox.Store().query(check.query)
    except SyntaxError as exc:
        where = f"a SPARQL constraint of shape {name(check.shape)}" if check.kind == "sparql" else f"shape {name(check.shape)}"
        first = str(exc).splitlines()[0] if str(exc) else "syntax error"
        raise NotCompilable(f"{where} is not valid SPARQL: {first}") from exc


def _shape_tree(ctx: _Context, shape: Node, focus: str, seen: tuple[Node, ...]) -> list[Check]:
    """The checks of ``shape`` on ``focus`` and of the property shapes nested in it, on their own
    focus nodes (the shape's value nodes)."""
    sg = ctx.sg
    if shape in seen:
        raise NotCompilable(f"shape {name(shape)} refers to itself (recursive shapes are not supported)")
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
    for component, parameter, cond in value_conditions(sg, shape, "?value", ctx.instance_of, lambda other, v: violation_expression(ctx, other, v)):
        query = f"SELECT DISTINCT ?this ?value{k} WHERE {{ {focus} {values} FILTER ({cond}) }}"
        out.append(Check(query, "value", component=component, parameter=parameter, **base))
    for prop, (op, component) in PAIRS.items():
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
        raise NotCompilable(f"shape {name(shape)}: a cardinality constraint needs sh:path")
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

def _sparql_check(ctx: _Context, shape: Node, constraint: Node, focus: str, base: dict, path: str) -> Check:
    sg = ctx.sg
    select = sg.value(constraint, SH.select)
    if select is None:
        raise NotCompilable(f"shape {name(shape)}: a SPARQL constraint without sh:select is not supported")
    _prefixes(ctx, constraint)
    substitutions = {"currentShape": sparql_term(shape)} if isinstance(shape, URIRef) else {}
    if path:
        substitutions["PATH"] = path
    query, projects = prebind_this(str(select), focus, substitutions)
    # LATERAL evaluates the SELECT once per focus node, ?this bound: SHACL's own pre-binding. Not
    # where the focus nodes carry the keys of the routes to them (a nested shape's values).
    lateral = "" if ctx.keys else f"SELECT * WHERE {{ {focus} LATERAL {{ {lateral_select(str(select), substitutions)}\n}} }}"
    extra = sorted(sg.objects(constraint, SH.message), key=str)
    messages = tuple(base["messages"]) + tuple(m for m in extra if m not in base["messages"])
    return Check(
        query, "sparql", component=SH.SPARQLConstraintComponent, parameter=constraint,
        node_shape=not path, projects_this=projects, constraint=constraint, lateral=lateral,
        **{**base, "messages": messages},
    )


# ----------------------------------------------------------------------------- results

Row = Mapping[str, object]  # a solution: variable name -> pyoxigraph term (unbound ones absent)


def results_of(check: Check, sg: Graph, rows: Iterable[Row]) -> list[Result]:
    """The results the solutions ``rows`` of a compiled check stand for (whichever store ran it)."""
    severity = severity_name(check.severity)
    path = read_path(sg, check.path) if check.path is not None else None
    out = []
    if check.kind == "sparql":
        for row in rows:
            bound = {n: to_rdflib(t) for n, t in row.items()}  # type: ignore[arg-type]
            this = bound.pop("this", None)
            value = bound.pop("value", None)
            row_path = bound.pop("path", None)
            if not check.projects_this:
                focus, this = this, None
            else:
                focus = this
            if this is None and value is None:
                continue  # pySHACL ignores a solution binding none of $this, ?path and ?value
            if value is None and check.node_shape:
                value = focus
            fields = {**{k: v for k, v in bound.items()}, **({"this": this} if this is not None else {})}
            if value is not None:
                fields["value"] = value
            text = sparql_message(check, fields, focus, value, sg)
            result_path = row_path if isinstance(row_path, URIRef) else path
            out.append(Result(severity, focus, result_path, value, check.shape, check.component, text))  # type: ignore[arg-type]
        return out
    for row in rows:
        focus = to_rdflib(row["this"])
        value = to_rdflib(row["value"]) if check.kind != "focus" else None
        if check.kind == "closed":
            path = to_rdflib(row["_path"])  # type: ignore[assignment]
        text = message(check, sg, focus, value, path)
        out.append(Result(severity, focus, path, value, check.shape, check.component, text))
    return out
