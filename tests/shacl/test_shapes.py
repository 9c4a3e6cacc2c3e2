"""The SHACL shapes (ontology/shapes.ttl): sound themselves, covering the ontology, right on fixtures,
and sensitive to every required triple of the built graph."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from rdflib import RDF, RDFS, Graph, URIRef
from rdflib.namespace import OWL, SH, SKOS
from rdflib.term import Node

from kg_build.rdf.prefixes import expand
from kg_build.rdf.vocab import NTRK, ontology_graph
from kg_build.resources import SHAPES_FILE
from kg_build.shacl import validation

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "shapes"
VALID = sorted((FIXTURES / "valid").glob("*.ttl"))
INVALID = sorted((FIXTURES / "invalid").glob("*.ttl"))
SHAPES = validation.load_shapes()
T = lambda name: URIRef(NTRK + name)  # noqa: E731
S = lambda name: URIRef("https://w3id.org/ntrk-kg/shapes#" + name)  # noqa: E731
STATEMENT = "https://w3id.org/ntrk-kg/id/guide/ntrk-guide/statement/"


def targeted_shapes(shapes: Graph = SHAPES) -> list[URIRef]:
    """Node shapes with a target: the shapes that select focus nodes themselves."""
    targets = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
    return sorted({s for p in targets for s in shapes.subjects(p, None) if isinstance(s, URIRef)})


def owned_shapes(shape: URIRef) -> set[Node]:
    """A node shape and its property shapes (the shapes a result of this rule can name)."""
    return {shape, *SHAPES.objects(shape, SH.property)}


def term(text: str) -> URIRef:
    """A CURIE of the project's prefix map, or an <IRI>."""
    if text.startswith("<") and text.endswith(">"):
        return URIRef(text[1:-1])
    iri = expand(text)
    assert iri is not None, f"unknown prefix in {text!r}"
    return URIRef(iri)


def expectations(path: Path) -> set[tuple[Node, Node, Node]]:
    """The results an invalid fixture names in its ``# expect: focus shape component`` lines."""
    out = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        m = re.match(r"# expect: (\S+) (\S+) (\S+)$", line)
        if m:
            out.add(tuple(term(x) for x in m.groups()))
    return out


@pytest.fixture(scope="session")
def built_graph(dataset) -> Graph:
    """The built dataset as one graph (every named graph, the ontology included)."""
    return validation.union(dataset)


@pytest.fixture(scope="session")
def built_report(dataset) -> validation.Report:
    return validation.validate(dataset)


def extended(built: Graph, extra: Graph, remove: set[tuple[Node, Node, Node]] = frozenset()) -> Graph:
    g = Graph()
    for t in built:
        if t not in remove:
            g.add(t)
    for t in extra:
        g.add(t)
    return g


def fixture_results(paths: list[Path], built: Graph, base: validation.Report) -> dict[Path, set[tuple[Node, Node, Node]]]:
    """Add every fixture of a folder to the built graph, validate once, and give each fixture the
    results on the nodes it describes (its subjects).

    Fixtures describe disjoint sets of nodes, so each result belongs to exactly one fixture; a result
    on any other node (a side effect on the built graph) fails here.
    """
    graphs = {p: Graph().parse(p, format="turtle") for p in paths}
    owner: dict[Node, Path] = {}
    for p, g in graphs.items():
        for subject in set(g.subjects()):
            assert subject not in owner, f"{subject} is described by both {owner[subject].name} and {p.name}"
            owner[subject] = p
    extra = Graph()
    for g in graphs.values():
        extra += g
    report = validation.validate(extended(built, extra))
    out: dict[Path, set[tuple[Node, Node, Node]]] = {p: set() for p in paths}
    elsewhere = set()
    for r in report.results:
        key = (r.focus_node, r.source_shape, r.constraint_component)
        if r.focus_node in owner:
            out[owner[r.focus_node]].add(key)
        else:
            elsewhere.add(key)
    assert elsewhere == {(r.focus_node, r.source_shape, r.constraint_component) for r in base.results}
    return out


@pytest.fixture(scope="session")
def valid_results(built_graph: Graph, built_report: validation.Report) -> dict[Path, set[tuple[Node, Node, Node]]]:
    return fixture_results(VALID, built_graph, built_report)


@pytest.fixture(scope="session")
def invalid_results(built_graph: Graph, built_report: validation.Report) -> dict[Path, set[tuple[Node, Node, Node]]]:
    return fixture_results(INVALID, built_graph, built_report)


# ------------------------------------------------------------------------ the built graph

def test_built_graph_conforms(built_report: validation.Report) -> None:
    assert built_report.conforms
    assert built_report.violations == ()


def test_built_graph_warns_exactly_the_two_band_mismatches(built_report: validation.Report) -> None:
    """Derived by BandConsistencyShape, not written by hand: exactly CMN and paediatric PTC."""
    got = [(r.severity, str(r.focus_node), r.source_shape, str(r.value), r.message) for r in built_report.warnings]
    tail = (
        "The graph keeps the guide's value and band as stated; check the cited reference before relying on either."
    )
    assert got == [
        (
            "Warning", STATEMENT + "prevalence-congenital-mesoblastic-nephroma", S("BandConsistencyShape"), ">83%",
            'The guide lists Congenital Mesoblastic Nephroma as >83% under "High Prevalence (>90%)", '
            "but >83% is not inside that band's range. " + tail,
        ),
        (
            "Warning", STATEMENT + "prevalence-papillary-thyroid-cancer-pediatric", S("BandConsistencyShape"), "~26%",
            'The guide lists Papillary Thyroid Cancer (pediatric) as ~26% under "Intermediate Prevalence (5-25%)", '
            "but ~26% is not inside that band's range. " + tail,
        ),
    ]


# ------------------------------------------------------------------------ the shapes themselves

def assert_shapes_sound(path: Path) -> None:
    """What the suite requires of a shapes file beyond SHACL-SHACL: no unknown sh: term, no unknown
    datatype, no class or property the ontology does not declare."""
    shapes = Graph().parse(path, format="turtle")
    assert validation.shape_problems(shapes) == []


def test_shapes_pass_shacl_shacl() -> None:
    from pyshacl.entrypoints import meta_validate

    conforms, _, text = meta_validate(Graph().parse(SHAPES_FILE, format="turtle"))
    assert conforms, text


def test_shapes_use_only_known_terms() -> None:
    assert_shapes_sound(SHAPES_FILE)


@pytest.mark.parametrize(
    ("original", "typo", "problem"),
    [
        ("sh:minCount 1", "sh:minCont 1", "sh:minCont is not a term of the SHACL vocabulary"),
        ("sh:datatype xsd:integer", "sh:datatype xsd:integr",
         "sh:datatype xsd:integr is not an XSD or RDF datatype"),
        ("sh:path ntrk:symbol", "sh:path ntrk:symbl",
         "property ntrk:symbl is neither declared in the ontology nor a W3C/DCMI term"),
        ("sh:class ntrk:Guide", "sh:class ntrk:Guid",
         "class ntrk:Guid is neither declared in the ontology nor a W3C/DCMI term"),
        ("$this ntrk:citesReference ?value", "$this ntrk:citesReferences ?value",
         "term in a SPARQL constraint ntrk:citesReferences is neither declared in the ontology nor a W3C/DCMI term"),
    ],
    ids=["sh-term", "datatype", "path", "class", "sparql"],
)
def test_a_misspelt_shapes_file_fails_the_suite(tmp_path: Path, original: str, typo: str, problem: str) -> None:
    text = SHAPES_FILE.read_text(encoding="utf-8")
    assert original in text
    mutated = tmp_path / "shapes.ttl"
    mutated.write_text(text.replace(original, typo, 1), encoding="utf-8")
    with pytest.raises(AssertionError):
        assert_shapes_sound(mutated)
    assert problem in validation.shape_problems(Graph().parse(mutated, format="turtle"))


def test_shacl_shacl_catches_a_malformed_shape(tmp_path: Path) -> None:
    from pyshacl.entrypoints import meta_validate

    mutated = tmp_path / "shapes.ttl"
    text = SHAPES_FILE.read_text(encoding="utf-8")
    mutated.write_text(text.replace("sh:minCount 1 ;", 'sh:minCount "one" ;', 1), encoding="utf-8")
    conforms, _, _ = meta_validate(Graph().parse(mutated, format="turtle"))
    assert not conforms


def test_validate_refuses_user_shapes_with_a_typo(tmp_path: Path, built_graph: Graph) -> None:
    mutated = tmp_path / "shapes.ttl"
    mutated.write_text(SHAPES_FILE.read_text(encoding="utf-8").replace("sh:minCount", "sh:minCont", 1))
    with pytest.raises(validation.CouldNotValidate, match="sh:minCont is not a term of the SHACL vocabulary"):
        validation.validate(built_graph, mutated)


def constrained_terms(shapes: Graph = SHAPES) -> tuple[set[Node], set[Node]]:
    """Classes targeted by some shape, and properties some shape constrains (paths, targets, SPARQL)."""
    classes = set(shapes.objects(None, SH.targetClass))
    properties: set[Node] = set(shapes.objects(None, SH.targetSubjectsOf)) | set(shapes.objects(None, SH.targetObjectsOf))
    for path in shapes.objects(None, SH.path):
        properties.update(validation._path_properties(shapes, path))
    for terms in validation.sparql_terms(shapes).values():
        properties.update(terms)
    return classes, properties


def test_every_class_of_the_ontology_is_targeted() -> None:
    onto = ontology_graph()
    classes = sorted(c for c in onto.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef))
    assert len(classes) == 43
    targeted, _ = constrained_terms()
    assert [c for c in classes if c not in targeted] == []


def test_every_property_of_the_ontology_is_constrained() -> None:
    onto = ontology_graph()
    kinds = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
    props = sorted({p for k in kinds for p in onto.subjects(RDF.type, k) if isinstance(p, URIRef)})
    assert len(props) == 116
    _, constrained = constrained_terms()
    assert [p for p in props if p not in constrained] == []


def test_every_rule_is_named_explained_and_has_a_message() -> None:
    problems = []
    for shape in targeted_shapes():
        for s in owned_shapes(shape):
            if not isinstance(s, URIRef):
                problems.append(f"{shape}: property shape {s} has no IRI")
                continue
            for p in (SH.name, RDFS.comment):
                if SHAPES.value(s, p) is None:
                    problems.append(f"{s}: no {p}")
            node_level = any(SHAPES.value(s, p) is not None for p in (SH.pattern, SH.nodeKind, SH["or"]))
            if (s != shape or node_level) and SHAPES.value(s, SH.message) is None:
                problems.append(f"{s}: no sh:message")
        for constraint in SHAPES.objects(shape, SH.sparql):
            if SHAPES.value(constraint, SH.message) is None:
                problems.append(f"{shape}: SPARQL constraint without sh:message")
    assert problems == []


# ------------------------------------------------------------------------ fixtures

def test_fixtures_are_there() -> None:
    assert len(VALID) >= 4
    assert len(INVALID) >= 40


@pytest.mark.parametrize("path", VALID, ids=[p.stem for p in VALID])
def test_valid_fixture_conforms_without_any_result(path: Path, valid_results) -> None:
    assert path.read_text(encoding="utf-8").startswith("# Valid: ")
    assert valid_results[path] == set()


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_invalid_fixture_triggers_exactly_the_results_it_names(path: Path, invalid_results) -> None:
    expected = expectations(path)
    assert path.read_text(encoding="utf-8").startswith("# Invalid: ")
    assert expected, f"{path.name} names no '# expect: focus shape component' line"
    assert invalid_results[path] == expected


@pytest.mark.parametrize("shape", targeted_shapes(), ids=lambda s: s.split("#")[1])
def test_every_shape_has_an_invalid_fixture(shape: URIRef) -> None:
    named = {e[1] for p in INVALID for e in expectations(p)}
    assert owned_shapes(shape) & named, f"no invalid fixture triggers {shape} or its property shapes"


def test_every_required_case_of_the_issue_has_a_fixture() -> None:
    names = {p.stem for p in INVALID}
    assert {
        "missing-three-prime-partner", "three-prime-partner-not-ntrk", "percent-150", "lower-above-upper",
        "malformed-hgnc-id", "statement-without-citation", "reference-number-does-not-exist",
        "gene-without-label", "wrong-datatype-row-number",
    } <= names


# ------------------------------------------------------------------------ mutations of the built graph

Mutation = tuple[frozenset[tuple[Node, Node, Node]], set[tuple[Node, Node, Node]]]  # deleted, expected


def focus_nodes(g: Graph, shape: URIRef) -> list[Node]:
    nodes: set[Node] = set()
    for c in SHAPES.objects(shape, SH.targetClass):
        for sub in g.transitive_subjects(RDFS.subClassOf, c):
            nodes.update(g.subjects(RDF.type, sub))
    for p in SHAPES.objects(shape, SH.targetSubjectsOf):
        nodes.update(g.subjects(p, None))
    return sorted(nodes)


def path_triples(g: Graph, focus: Node, path: Node) -> list[tuple[Node, Node, Node]]:
    if isinstance(path, URIRef):
        return sorted((focus, path, o) for o in g.objects(focus, path))
    inverse = SHAPES.value(path, SH.inversePath)
    assert isinstance(inverse, URIRef), f"unsupported path {path}"
    return sorted((s, inverse, focus) for s in g.subjects(inverse, focus))


def core_mutations(g: Graph, shape: URIRef) -> list[Mutation]:
    """For each property shape with sh:minCount n and each focus node with c values: delete one triple
    at a time when c == n (every single triple), else c - n + 1 of them; each must break the count."""
    targets = set(SHAPES.objects(shape, SH.targetSubjectsOf))
    out: list[Mutation] = []
    for ps in sorted(SHAPES.objects(shape, SH.property)):
        n = SHAPES.value(ps, SH.minCount)
        path = SHAPES.value(ps, SH.path)
        if n is None or int(n) < 1 or path in targets:
            continue
        for focus in focus_nodes(g, shape):
            triples = path_triples(g, focus, path)
            expected = {(focus, ps, SH.MinCountConstraintComponent)}
            if len(triples) == int(n):
                out.extend((frozenset([t]), expected) for t in triples)
            else:
                out.append((frozenset(triples[: len(triples) - int(n) + 1]), expected))
    return out


def sparql_component(shape: URIRef) -> Callable[[Node], tuple[Node, Node, Node]]:
    return lambda focus: (focus, shape, SH.SPARQLConstraintComponent)


def _fusion_partners(g: Graph) -> list[Mutation]:
    hit = sparql_component(S("FusionPartnersShape"))
    return [
        (frozenset([t]), {hit(f)})
        for f in g.subjects(RDF.type, T("GeneFusion"))
        for p in (T("fivePrimePartner"), T("threePrimePartner"))
        for t in g.triples((f, p, None))
    ]


def _ntrk_fusion(g: Graph) -> list[Mutation]:
    hit = sparql_component(S("NTRKFusionShape"))
    return [
        (frozenset([(gene, RDF.type, T("NTRKGene"))]), {hit(f) for f in g.subjects(T("threePrimePartner"), gene)})
        for gene in g.subjects(RDF.type, T("NTRKGene"))
    ]


def _citation(g: Graph) -> list[Mutation]:
    hit = sparql_component(S("StatementCitationShape"))
    out = []
    for st in focus_nodes(g, S("StatementCitationShape")):
        cited = frozenset(g.triples((st, T("citesReference"), None)))
        out.append((cited or frozenset(g.triples((st, T("isUncited"), None))), {hit(st)}))
    return out


def _cited_reference(g: Graph) -> list[Mutation]:
    hit = sparql_component(S("CitedReferenceShape"))
    return [
        (frozenset(g.triples((ref, T("referenceNumber"), None))), {hit(st) for st in g.subjects(T("citesReference"), ref)})
        for ref in g.subjects(RDF.type, T("Reference"))
        if any(g.subjects(T("citesReference"), ref))
    ]


def _tumour_type_mapping(g: Graph) -> list[Mutation]:
    hit = sparql_component(S("TumourTypeMappingShape"))
    matches = (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch)
    return [
        (frozenset(t for p in matches for t in g.triples((tt, p, None))), {hit(tt)})
        for tt in g.subjects(RDF.type, T("TumourType"))
    ]


def _percent_range(g: Graph) -> list[Mutation]:
    hit = sparql_component(S("PercentRangeShape"))
    out = core_mutations(g, S("PercentRangeShape"))
    for focus in focus_nodes(g, S("PercentRangeShape")):
        for flag in ("lowerBoundInclusive", "upperBoundInclusive"):
            out += [(frozenset([t]), {hit(focus)}) for t in g.triples((focus, T(flag), None))]
    return out


def _high_prevalence_tumour_type(g: Graph) -> list[Mutation]:
    """Detach every high prevalence statement from a tumour type the reasoner typed as high prevalence."""
    ps = S("HighPrevalenceTumourType-statement")
    out = []
    for tt in focus_nodes(g, S("HighPrevalenceTumourTypeShape")):
        highs = [st for st in g.subjects(T("tumourType"), tt) if (st, RDF.type, T("HighPrevalenceStatement")) in g]
        out.append((frozenset((st, T("tumourType"), tt) for st in highs), {(tt, ps, SH.QualifiedMinCountConstraintComponent)}))
    return out


SPARQL_MUTATIONS: dict[URIRef, Callable[[Graph], list[Mutation]]] = {
    S("HighPrevalenceTumourTypeShape"): _high_prevalence_tumour_type,
    S("FusionPartnersShape"): _fusion_partners,
    S("NTRKFusionShape"): _ntrk_fusion,
    S("StatementCitationShape"): _citation,
    S("CitedReferenceShape"): _cited_reference,
    S("TumourTypeMappingShape"): _tumour_type_mapping,
    S("PercentRangeShape"): _percent_range,
}
NO_REQUIRED_TRIPLE = {
    S("DeclaredTermShape"): "it checks that the terms a node uses are declared; deleting a triple cannot break that",
    S("IdentifierShape"): "its only required triple, dcterms:identifier, is what makes a node its target",
    S("BandConsistencyShape"): "a warning with no required triple; its exact results on the built graph are asserted above",
    S("GeneProductShape"): "the graph states only the sub-properties of RO 'has gene product', so nothing is its target",
    S("CitesAsEvidenceShape"): "the graph states only ntrk:citesReference, not CiTO itself, so nothing is its target",
}


def rounds(mutations: list[Mutation]) -> list[list[Mutation]]:
    """Group mutations so that no two in a group expect a result on the same focus node; each group is
    one validation. Deleting triples only ever adds results, so mutations of a group cannot hide
    each other's results, and each expected result is still due to its own mutation."""
    groups: list[tuple[set[Node], list[Mutation]]] = []
    for m in mutations:
        touched = {e[0] for e in m[1]}
        for nodes, group in groups:
            if not nodes & touched:
                nodes.update(touched)
                group.append(m)
                break
        else:
            groups.append((touched, [m]))
    return [g for _, g in groups]


@pytest.mark.parametrize("shape", targeted_shapes(), ids=lambda s: s.split("#")[1])
def test_deleting_a_required_triple_fails_its_shape(shape: URIRef, built_graph: Graph) -> None:
    if shape in NO_REQUIRED_TRIPLE:
        assert shape not in SPARQL_MUTATIONS
        pytest.skip(NO_REQUIRED_TRIPLE[shape])
    if shape in SPARQL_MUTATIONS:
        mutations = SPARQL_MUTATIONS[shape](built_graph)
    else:
        mutations = core_mutations(built_graph, shape)
    assert mutations, f"{shape} has no required triple in the built graph to delete"
    assert all(deleted and expected for deleted, expected in mutations)
    for group in rounds(mutations):
        deleted = set().union(*(m[0] for m in group))
        report = validation.validate(extended(built_graph, Graph(), deleted), use_shapes=[shape])
        got = {(r.focus_node, r.source_shape, r.constraint_component) for r in report.results}
        missing = [e for m in group for e in m[1] if e not in got]
        assert missing == []
