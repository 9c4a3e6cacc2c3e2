"""Mint the graph's own IRIs from readable keys, and expand curated CURIEs."""

from __future__ import annotations

import re
from urllib.parse import quote

from rdflib import URIRef

from kg_build.rdf.prefixes import expand

BASE = "https://w3id.org/ntrk-kg/"
ID = BASE + "id/"
GRAPH = BASE + "graph/"
DATASET = URIRef(BASE + "dataset")

GUIDE_GRAPH = URIRef(GRAPH + "guide")
CURATION_GRAPH = URIRef(GRAPH + "curation")
METADATA_GRAPH = URIRef(GRAPH + "metadata")
ONTOLOGY_GRAPH = URIRef(GRAPH + "ontology")
FACTCHECK_GRAPH = URIRef(GRAPH + "factcheck")
CONTEXT_GRAPH = URIRef(GRAPH + "context")
INFERRED_GRAPH = URIRef(GRAPH + "inferred")
"""Types a reasoner inferred for the graph's individuals (see ``kg_build.reasoning``)."""
REASONING_WORK_GRAPH = URIRef(GRAPH + "reasoning-work")
"""The rule reasoner's scratch graph of derived types in the build's store, removed before it returns."""


_SAFE = re.compile(r"[A-Za-z0-9._~-]*")


def _part(text: str) -> str:
    return text if _SAFE.fullmatch(text) else quote(text, safe="-._~")


def mint_text(*parts: str) -> str:
    """The text of an instance IRI under ``id/``: path parts percent-encoded where needed.

    >>> mint_text("tumour-type", "infantile fibrosarcoma")
    'https://w3id.org/ntrk-kg/id/tumour-type/infantile%20fibrosarcoma'
    """
    return ID + "/".join(map(_part, parts))


def mint(*parts: str) -> URIRef:
    """An instance IRI under ``id/`` from readable path parts.

    >>> mint("fusion", "ETV6--NTRK3")
    rdflib.term.URIRef('https://w3id.org/ntrk-kg/id/fusion/ETV6--NTRK3')
    """
    return URIRef(mint_text(*parts))


def curie(value: str) -> URIRef:
    """The IRI of a curated CURIE (checked beforehand by ``curation.load``)."""
    iri = expand(value)
    if iri is None:
        raise ValueError(f"unknown prefix in {value!r}")
    return URIRef(iri)


def guide(doc: str) -> URIRef:
    return mint("guide", doc)


def section(doc: str, key: str) -> URIRef:
    return mint("guide", doc, "section", key)


def reference(doc: str, number: str) -> URIRef:
    return mint("guide", doc, "reference", number)


def band(doc: str, key: str) -> URIRef:
    return mint("guide", doc, "band", key)


def statement(doc: str, key: str) -> URIRef:
    return mint("guide", doc, "statement", key)


def fusion(key: str) -> URIRef:
    return mint("fusion", key)


def fusion_protein(key: str) -> URIRef:
    return mint("fusion-protein", key)


def tumour_type(key: str) -> URIRef:
    return mint("tumour-type", key)


def pathway(key: str) -> URIRef:
    return mint("pathway", key)


def process(key: str) -> URIRef:
    return mint("process", key)


def finding(key: str) -> URIRef:
    """A fact-check finding.

    >>> finding("reference-2-unresolvable")
    rdflib.term.URIRef('https://w3id.org/ntrk-kg/id/finding/reference-2-unresolvable')
    """
    return mint("finding", key)


def evidence(finding_key: str, order: str) -> URIRef:
    return mint("finding", finding_key, "evidence", order)


def assay(key: str) -> URIRef:
    return mint("assay", key)


def drug(key: str) -> URIRef:
    return mint("drug", key)


def approval(key: str) -> URIRef:
    return mint("approval", key)
