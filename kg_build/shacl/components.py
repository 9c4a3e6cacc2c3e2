"""The constraint components: each one's SPARQL condition and default message, in one place.

A compiled constraint is a :class:`Check`: a SPARQL SELECT whose rows are results. The conditions
here are on a value node ``v`` (a SPARQL variable): true when ``v`` breaks the constraint. Shape-
based components (``sh:node``, ``sh:or`` ...) need the "does not conform" expression of another
shape, which the compiler passes in (``violates``), as it passes how to find instances of a class
(``instance_of``, which differs between stores). Messages are pySHACL's generic ones, so that the
two engines give the same report.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rdflib import RDF, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH, XSD
from rdflib.term import Node

from kg_build.shacl.shapes import CouldNotValidate

DATATYPES_FILE = Path(__file__).parent / "datatypes.tsv"
VIOLATION = SH.Violation

# Parameters a shape may carry that are not constraints (read elsewhere or only descriptive).
NON_CONSTRAINT = {
    RDF.type, SH.name, SH.description, SH.message, SH.severity, SH.path, SH.property, SH.targetClass,
    SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target, SH.order, SH.group,
    SH.defaultValue, SH.qualifiedMinCount, SH.qualifiedMaxCount, SH.flags, SH.deactivated,
    SH.ignoredProperties, SH.qualifiedValueShapesDisjoint, SH.prefixes, SH.select,
}
NODE_KINDS = {
    SH.IRI: "isIRI({v})",
    SH.BlankNode: "isBlank({v})",
    SH.Literal: "isLiteral({v})",
    SH.BlankNodeOrIRI: "(isBlank({v}) || isIRI({v}))",
    SH.BlankNodeOrLiteral: "(isBlank({v}) || isLiteral({v}))",
    SH.IRIOrLiteral: "(isIRI({v}) || isLiteral({v}))",
}
RANGES = {
    SH.minInclusive: (">=", SH.MinInclusiveConstraintComponent),
    SH.maxInclusive: ("<=", SH.MaxInclusiveConstraintComponent),
    SH.minExclusive: (">", SH.MinExclusiveConstraintComponent),
    SH.maxExclusive: ("<", SH.MaxExclusiveConstraintComponent),
}
PAIRS = {SH.lessThanOrEquals: ("<=", SH.LessThanOrEqualsConstraintComponent),
          SH.lessThan: ("<", SH.LessThanConstraintComponent)}
KNOWN_PARAMETERS = (
    {SH["class"], SH.datatype, SH.nodeKind, SH.pattern, SH["in"], SH.node, SH["or"], SH["and"], SH["not"],
     SH.xone, SH.minCount, SH.maxCount, SH.qualifiedValueShape, SH.sparql, SH.lessThanOrEquals, SH.lessThan,
     SH.equals, SH.disjoint, SH.hasValue, SH.languageIn, SH.minLength, SH.maxLength, SH.uniqueLang, SH.closed}
    | set(RANGES)
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
    lateral: str = ""
    """A SPARQL-based constraint's second form: ``FOCUS LATERAL { its own SELECT }`` (none: "")."""


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


def name(node: Node) -> str:
    """A shape or component as a message names it: its IRI, or "(a blank node)"."""
    return node.n3() if isinstance(node, URIRef) else "(a blank node)"


def list_items(sg: Graph, node: Node) -> list[Node]:
    """The items of an RDF list of the shapes graph."""
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
    well_formed = well_formed_conditions().get(dt) if isinstance(dt, URIRef) else None
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


def value_conditions(
    sg: Graph, shape: Node, v: str, instance_of: Callable[[str, Node], str], violates: Callable[[Node, str], str],
) -> list[tuple[URIRef, Node, str]]:
    """The value-level constraints of ``shape`` as (component, parameter, violation condition on ``v``).

    ``instance_of(v, c)`` is a graph pattern true when ``v`` is an instance of ``c``;
    ``violates(other, v)`` an expression true when ``v`` does not conform to the shape ``other``.
    """
    out: list[tuple[URIRef, Node, str]] = []
    for c in sg.objects(shape, SH["class"]):
        out.append((SH.ClassConstraintComponent, c,
                    f"(isLiteral({v}) || NOT EXISTS {{ {instance_of(v, c)} }})"))
    for dt in sg.objects(shape, SH.datatype):
        out.append((SH.DatatypeConstraintComponent, dt, datatype_condition(dt, v)))
    for kind in sg.objects(shape, SH.nodeKind):
        if not isinstance(kind, URIRef) or kind not in NODE_KINDS:
            raise NotCompilable(f"shape {name(shape)}: unknown sh:nodeKind {kind.n3()}")
        out.append((SH.NodeKindConstraintComponent, kind, "!" + NODE_KINDS[kind].format(v=v)))
    flags = sg.value(shape, SH.flags)
    for pattern in sg.objects(shape, SH.pattern):
        args = f"STR({v}), {sparql_term(Literal(str(pattern)))}"
        if flags is not None:
            args += f", {sparql_term(Literal(str(flags)))}"
        out.append((SH.PatternConstraintComponent, pattern, f"(isBlank({v}) || !REGEX({args}))"))
    for n in sg.objects(shape, SH.minLength):
        out.append((SH.MinLengthConstraintComponent, n, f"(isBlank({v}) || STRLEN(STR({v})) < {int(str(n))})"))
    for n in sg.objects(shape, SH.maxLength):
        out.append((SH.MaxLengthConstraintComponent, n, f"(isBlank({v}) || STRLEN(STR({v})) > {int(str(n))})"))
    for members in sg.objects(shape, SH.languageIn):
        tests = " || ".join(f"langMatches(LANG({v}), {sparql_term(Literal(str(m)))})" for m in list_items(sg, members))
        out.append((SH.LanguageInConstraintComponent, members, f"!(isLiteral({v}) && ({tests or 'false'}))"))
    for members in sg.objects(shape, SH["in"]):
        # written as a conjunction of negations: Virtuoso 7 answers !(sameTerm(..) || sameTerm(..)) wrongly
        outside = " && ".join(f"!{same_term(v, m)}" for m in list_items(sg, members))
        out.append((SH.InConstraintComponent, members, f"({outside or 'true'})"))
    for prop, (op, component) in RANGES.items():
        for bound in sg.objects(shape, prop):
            out.append((component, bound, f"!COALESCE({v} {op} {sparql_term(bound)}, false)"))
    for other in sg.objects(shape, SH.node):
        out.append((SH.NodeConstraintComponent, other, violates(other, v)))
    for members in sg.objects(shape, SH["or"]):
        tests = " && ".join(violates(m, v) for m in list_items(sg, members))
        out.append((SH.OrConstraintComponent, members, tests or "true"))
    for members in sg.objects(shape, SH["and"]):
        tests = " || ".join(violates(m, v) for m in list_items(sg, members))
        out.append((SH.AndConstraintComponent, members, tests or "false"))
    for other in sg.objects(shape, SH["not"]):
        out.append((SH.NotConstraintComponent, other, f"!{violates(other, v)}"))
    for members in sg.objects(shape, SH.xone):
        fails = [violates(m, v) for m in list_items(sg, members)]
        none = " && ".join(fails) or "true"
        two = " || ".join(f"(!{a} && !{b})" for i, a in enumerate(fails) for b in fails[i + 1:]) or "false"
        out.append((SH.XoneConstraintComponent, members, f"(({none}) || {two})"))
    return out



def _format(text: str, fields: dict[str, Node]) -> str:
    """pySHACL's filling of ``{?var}``/``{$var}`` in a SPARQL constraint's message."""
    for var, val in fields.items():
        text = re.sub(f"{{[?$]{var}}}", str(val), text)
    return text


def sparql_message(check: Check, fields: dict[str, Node], focus: Node, value: Node | None, sg: Graph) -> str:
    """A SPARQL constraint's messages, each filled from the solution's ``fields``."""
    if not check.messages:
        return default_message(check, sg, focus, value)
    return " ".join(sorted(_format(str(m), fields) for m in check.messages))


def message(check: Check, sg: Graph, focus: Node, value: Node | None, path: object = None) -> str:
    """The shape's own messages, or else the component's default message."""
    if check.messages:
        return " ".join(sorted(str(m) for m in check.messages))
    return default_message(check, sg, focus, value, path)


def default_message(check: Check, sg: Graph, focus: Node, value: Node | None, path: object = None) -> str:
    """pySHACL's generic message for a result of a shape without ``sh:message``."""
    from pyshacl.rdfutil.stringify import stringify_node

    # The compiler sets what each message below names: a value for "value" and "closed" checks, a
    # parameter for every component but sh:closed, a path for the cardinality components.
    def data(node: Node | None) -> str:
        assert node is not None
        return stringify_node(Graph(), node)

    def shapes(node: Node | None) -> str:
        assert node is not None
        return stringify_node(sg, node)

    def members(node: Node | None) -> list[str]:
        assert node is not None
        return [shapes(x) for x in sg.items(node)]

    c, p = check.component, check.parameter
    params = lambda prop: sorted(sg.objects(check.shape, prop), key=str)  # noqa: E731
    if c == SH.MinCountConstraintComponent:
        return f"Less than {p} values on {data(focus)}->{shapes(check.path)}"
    if c == SH.MaxCountConstraintComponent:
        return f"More than {p} values on {data(focus)}->{shapes(check.path)}"
    if c == SH.ClassConstraintComponent:
        classes = params(SH["class"])
        if len(classes) < 2:
            return f"Value does not have class {shapes(p)}"
        return "Value class is not in classes ({})".format(", ".join(shapes(x) for x in classes))
    if c == SH.DatatypeConstraintComponent:
        return f"Value is not Literal with datatype {shapes(p)}"
    if c == SH.NodeKindConstraintComponent:
        return f"Value is not of Node Kind {shapes(p)}"
    if c == SH.PatternConstraintComponent:
        patterns = params(SH.pattern)
        if len(patterns) < 2:
            return f"Value does not match pattern '{p}'"
        return "Value does not match every pattern in ('{}')".format("', '".join(str(x) for x in patterns))
    if c == SH.InConstraintComponent:
        return f"Value {data(value)} not in list {members(p)}"
    ranges = {SH.MinInclusiveConstraintComponent: (SH.minInclusive, ">="),
              SH.MaxInclusiveConstraintComponent: (SH.maxInclusive, "<="),
              SH.MinExclusiveConstraintComponent: (SH.minExclusive, ">"),
              SH.MaxExclusiveConstraintComponent: (SH.maxExclusive, "<")}
    if c in ranges:
        prop, op = ranges[c]
        bounds = params(prop)
        if len(bounds) < 2:
            return f"Value is not {op} {shapes(p)}"
        return "Value is not {} in ({})".format(op, ", ".join(shapes(x) for x in bounds))
    # pySHACL writes "<" for sh:lessThanOrEquals and "<=" for sh:lessThan.
    pairs = {SH.LessThanOrEqualsConstraintComponent: (SH.lessThanOrEquals, "<"),
             SH.LessThanConstraintComponent: (SH.lessThan, "<=")}
    if c in pairs:
        prop, op = pairs[c]
        others = list(sg.objects(check.shape, prop))
        rule = shapes(others[0]) if len(others) < 2 else ", ".join(shapes(x) for x in others)
        return f"Value of {data(focus)}->{rule} {op} {data(value)}"
    if c == SH.NodeConstraintComponent:
        nodes = params(SH.node)
        if len(nodes) < 2:
            return f"Value does not conform to Shape {shapes(p)}. See details for more information."
        return "Value must conform to every Shape in ('{}'). See details for more information.".format(
            "', '".join(shapes(x) for x in nodes))
    if c in (SH.OrConstraintComponent, SH.AndConstraintComponent):
        prop, verb = (SH["or"], "one or more shapes") if c == SH.OrConstraintComponent else (SH["and"], "all shapes")
        lists = list(sg.objects(check.shape, prop))
        if len(lists) < 2:
            text = " , ".join(members(lists[0]))
        else:
            text = " and ".join("(" + " , ".join(members(lst)) + ")" for lst in lists)
        return f"Node {data(value)} must conform to {verb} in {text}"
    if c in (SH.QualifiedMinCountConstraintComponent, SH.QualifiedMaxCountConstraintComponent):
        counts = "".join(f" {name} {sg.value(check.shape, prop)}" for name, prop in (
            ("MinCount", SH.qualifiedMinCount), ("MaxCount", SH.qualifiedMaxCount)) if sg.value(check.shape, prop) is not None)
        value_shapes = list(sg.objects(check.shape, SH.qualifiedValueShape))
        text = ",".join(shapes(x) for x in value_shapes)
        if len(value_shapes) > 1:
            return f"Focus node does not conform to shapes{counts}: ({text})"
        return f"Focus node does not conform to shape{counts}: {text}"
    if c == SH.SPARQLConstraintComponent:
        return ""  # pySHACL has no generic message for SPARQL-based constraints
    if c == SH.MinLengthConstraintComponent:
        return f"String length not >= {shapes(p)}"
    if c == SH.MaxLengthConstraintComponent:
        return f"String length not <= {shapes(p)}"
    if c == SH.LanguageInConstraintComponent:
        return f"String language is not in {shapes(p)}"
    if c == SH.UniqueLangConstraintComponent:
        return "More than one String shares the same Language"
    if c == SH.HasValueConstraintComponent:
        if check.path is not None:
            return f"Node {data(focus)}->{shapes(check.path)} does not contain a value in the set: {shapes(p)}"
        return f"Node {data(focus)} value is not a in the set of values: {shapes(p)}"
    if c == SH.EqualsConstraintComponent:
        return f"Value of {data(focus)}->{shapes(p)} != {data(value)}"
    if c == SH.DisjointConstraintComponent:
        return f"Value of {data(focus)}->{shapes(p)} == {data(value)}"
    if c == SH.ClosedConstraintComponent:
        return f"Node {data(focus)} is closed. It cannot have value: {data(value)}"
    if c == SH.XoneConstraintComponent:
        return f"Node {data(value)} does not conform to exactly one shape in {' , '.join(members(p))}"
    return f"Value does not satisfy the constraint {shapes(c)}"
