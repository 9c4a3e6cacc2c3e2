"""The closed vocabulary: terms of the ``ntrk:`` namespace that the ontology declares.

``T.Gene`` returns the IRI of a declared term; a term the ontology does not declare raises
``UndeclaredTerm`` at the point of use, so the builder cannot write a term outside the ontology.
"""

from __future__ import annotations

from functools import lru_cache

from rdflib import OWL, RDF, Graph, URIRef

from kg_build.resources import ONTOLOGY_FILE

NTRK = "https://w3id.org/ntrk-kg/ontology#"
DECLARATION_TYPES = (
    OWL.Class,
    OWL.ObjectProperty,
    OWL.DatatypeProperty,
    OWL.AnnotationProperty,
    OWL.NamedIndividual,
)


class UndeclaredTerm(AttributeError):
    """A term of the project's namespace that the ontology does not declare."""


@lru_cache(maxsize=1)
def ontology_graph() -> Graph:
    """The ontology, parsed from its one hand-edited Turtle source."""
    return Graph().parse(ONTOLOGY_FILE, format="turtle")


@lru_cache(maxsize=1)
def declared_terms() -> frozenset[URIRef]:
    """Every IRI the ontology declares with an OWL declaration type."""
    g = ontology_graph()
    return frozenset(
        s for t in DECLARATION_TYPES for s in g.subjects(RDF.type, t) if isinstance(s, URIRef)
    )


class _ClosedNamespace:
    """Attribute access to declared ``ntrk:`` terms only (each checked once, then cached)."""

    def __getattr__(self, name: str) -> URIRef:
        if name.startswith("__"):
            raise AttributeError(name)
        iri = URIRef(NTRK + name)
        if iri not in declared_terms():
            raise UndeclaredTerm(f"ntrk:{name} is not declared in {ONTOLOGY_FILE.name}")
        setattr(self, name, iri)
        return iri

    def __getitem__(self, name: str) -> URIRef:
        return getattr(self, name)


class _ClosedNamespaceText:
    """The same closed vocabulary as N-Triples text (``<...#Gene>``), for the streaming builder."""

    def __getattr__(self, name: str) -> str:
        if name.startswith("__"):
            raise AttributeError(name)
        text = f"<{getattr(T, name)}>"
        setattr(self, name, text)
        return text

    def __getitem__(self, name: str) -> str:
        return getattr(self, name)


T = _ClosedNamespace()
NT = _ClosedNamespaceText()
"""``NT.Gene`` is ``'<https://w3id.org/ntrk-kg/ontology#Gene>'``; undeclared terms raise as with ``T``."""
