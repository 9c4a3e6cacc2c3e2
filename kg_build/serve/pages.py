"""HTML pages for people, from the rows of the server's SPARQL (templates under ``templates/serve/``)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import pyoxigraph as ox
from jinja2 import Environment, FileSystemLoader, select_autoescape

from kg_build.rdf.prefixes import compress
from kg_build.resources import TEMPLATES_DIR

BASE = "https://w3id.org/ntrk-kg/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The Jinja environment of the server's templates (HTML escaped)."""
    return Environment(loader=FileSystemLoader(str(TEMPLATES_DIR)), autoescape=select_autoescape(("html", "html.j2"), default_for_string=False, default=False),
                       trim_blocks=True, lstrip_blocks=True)


def render(template: str, **context: Any) -> bytes:
    """A template of ``templates/serve/`` rendered as UTF-8."""
    return environment().get_template(f"serve/{template}").render(**context).encode("utf-8")


def href(iri: str, root: str) -> str:
    """Where a link to ``iri`` goes: the server's own path for the graph's IRIs, else the IRI itself.

    >>> href("https://w3id.org/ntrk-kg/id/fusion/ETV6--NTRK3", "/kg")
    '/kg/id/fusion/ETV6--NTRK3'
    >>> href("https://identifiers.org/hgnc:8033", "")
    'https://identifiers.org/hgnc:8033'
    """
    return root + "/" + iri[len(BASE):] if iri.startswith(BASE) else iri


def _short(iri: str) -> str:
    """The IRI as a CURIE of the project's prefix map, or the IRI itself."""
    return compress(iri) or iri


def _text(term: Any) -> str:
    return "" if term is None else str(term.value)


def link(term: Any, root: str, label: Any = None) -> dict[str, str]:
    """A term as the templates show it: text, link target (IRIs), and a note (datatype or language)."""
    if isinstance(term, ox.NamedNode):
        return {"text": _text(label) or _short(term.value), "href": href(term.value, root), "iri": term.value, "note": ""}
    if isinstance(term, ox.Literal):
        note = f"@{term.language}" if term.language else ("" if term.datatype.value == XSD_STRING else _short(term.datatype.value))
        return {"text": term.value, "href": "", "iri": "", "note": note}
    return {"text": _text(term), "href": "", "iri": "", "note": ""}


def resource_page(iri: str, root: str, rows: list, incoming: list, provenance: list,
                  findings: list, graph_size: int) -> bytes:
    """The page of one IRI from the rows of ``resource``, ``resource-incoming``, ``-provenance`` and ``-findings``."""
    labels = [r[2].value for r in rows if r[1].value == RDFS_LABEL and isinstance(r[2], ox.Literal)]
    types = [link(r[2], root, r[4]) for r in rows if r[1].value == RDF_TYPE]
    graphs: dict[str, list[dict[str, Any]]] = {}
    for graph, prop, value, prop_label, value_label in rows:
        graphs.setdefault(graph.value, []).append({"property": link(prop, root, prop_label), "value": link(value, root, value_label)})
    statements: dict[str, dict[str, Any]] = {}
    for st, st_label, section, section_label, ref, ref_label in provenance:
        entry = statements.setdefault(st.value, {"statement": link(st, root, st_label),
                                                 "section": link(section, root, section_label) if section else None,
                                                 "references": []})
        if ref is not None:
            entry["references"].append(link(ref, root, ref_label))
    return render(
        "resource.html.j2", root=root, iri=iri, title=min(labels) if labels else _short(iri), types=types,
        graphs=[{"graph": link(ox.NamedNode(g), root), "statements": s} for g, s in sorted(graphs.items())],
        incoming=[{"graph": link(g, root), "subject": link(s, root, sl), "property": link(p, root, pl)}
                  for g, s, p, sl, pl in incoming],
        provenance=list(statements.values()),
        findings=[{"finding": link(f, root, label), "severity": _text(sev), "explanation": _text(expl),
                   "concerns": link(c, root)} for f, label, sev, expl, c in findings],
        graph_size=graph_size, formats=(("Turtle", "ttl"), ("N-Triples", "nt"), ("JSON-LD", "jsonld")),
    )


KINDS = {
    "http://www.w3.org/2002/07/owl#Class": "Classes",
    "http://www.w3.org/2002/07/owl#ObjectProperty": "Object properties",
    "http://www.w3.org/2002/07/owl#DatatypeProperty": "Datatype properties",
    "http://www.w3.org/2002/07/owl#AnnotationProperty": "Annotation properties",
    "http://www.w3.org/2002/07/owl#NamedIndividual": "Named individuals",
}


def ontology_page(root: str, terms: list, about: list) -> bytes:
    """The ontology's documentation: one anchored entry per term (``/ontology#Name``), grouped by kind."""

    def refs(cell: Any) -> list[dict[str, str]]:
        return [link(ox.NamedNode(i), root) for i in _text(cell).split()]

    sections: dict[str, list[dict[str, Any]]] = {name: [] for name in KINDS.values()}
    for term, kind, label, definition, parents, domains, ranges in terms:
        sections[KINDS[kind.value]].append({
            "anchor": term.value.rsplit("#", 1)[1], "iri": term.value, "label": _text(label),
            "definition": _text(definition), "parents": refs(parents), "domains": refs(domains), "ranges": refs(ranges),
        })
    header = [{"property": link(p, root, pl), "value": link(v, root, vl)} for _, p, v, pl, vl in about]
    return render("ontology.html.j2", root=root, sections=[(k, v) for k, v in sections.items() if v], about=header,
                  formats=(("Turtle", "ttl"), ("N-Triples", "nt"), ("JSON-LD", "jsonld")))


def shapes_page(root: str, rows: list) -> bytes:
    """The shapes' documentation: one anchored entry per shape (``/shapes#Name``)."""
    shapes = [{"anchor": shape.value.rsplit("#", 1)[1], "name": _text(name), "comment": _text(comment),
               "message": _text(message), "target": link(ox.NamedNode(target.value), root) if target else None}
              for shape, name, comment, message, target in rows]
    return render("shapes.html.j2", root=root, shapes=shapes, formats=(("Turtle", "ttl"), ("N-Triples", "nt"), ("JSON-LD", "jsonld")))
