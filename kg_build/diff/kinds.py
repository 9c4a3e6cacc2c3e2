"""The kinds of change a diff names, and which properties make which kind.

Each kind has a name (what ``--fail-on`` and the JSON report use) and an individual of the
change-set vocabulary (``ontology/changes.ttl``, where its definition lives); a test checks that
the two agree. An entity change has one kind or more: a closed finding is ``removed`` and
``finding-closed``, a changed label and bound are ``changed-label`` and ``changed-value``.
"""

from __future__ import annotations

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS = "http://www.w3.org/2004/02/skos/core#"
OWL_DEPRECATED = "http://www.w3.org/2002/07/owl#deprecated"
NTRK = "https://w3id.org/ntrk-kg/ontology#"
FINDING = NTRK + "Finding"
SEVERITY = NTRK + "severity"

LABELS = (RDFS_LABEL, SKOS + "prefLabel")
"""Properties whose change is ``changed-label``; the first value found names the entity."""
DISPLAY_LABELS = (*LABELS, "http://purl.org/dc/terms/title", NTRK + "symbol")
"""Properties that name an entity in a report, in order of preference."""
DEFINITIONS = (SKOS + "definition", "http://purl.obolibrary.org/obo/IAO_0000115")
IDENTIFIERS = ("http://purl.org/dc/terms/identifier", "http://www.geneontology.org/formats/oboInOwl#hasDbXref")
MAPPINGS = tuple(SKOS + m for m in ("exactMatch", "closeMatch", "broadMatch", "narrowMatch", "relatedMatch"))
"""SKOS mapping properties: a target that moves from one to another is a mapping predicate change."""

VERBATIM_VALUE = NTRK + "verbatimValue"
VALUE_CONTEXT = tuple(NTRK + p for p in (
    "lowerBound", "lowerBoundInclusive", "upperBound", "upperBoundInclusive", "pointEstimate", "isApproximate",
    "inBand", "citesReference", "isUncited"))
"""When a value as stated (``ntrk:verbatimValue``) changes, reports also give these values that stayed:
the parsed bounds, the band and the citations the new value comes with."""

CHANGES_NS = "https://w3id.org/ntrk-kg/changes#"

KINDS: dict[str, str] = {
    "added": "Added",
    "removed": "Removed",
    "changed-iri": "ChangedIri",
    "changed-label": "ChangedLabel",
    "changed-definition": "ChangedDefinition",
    "changed-identifier": "ChangedIdentifier",
    "changed-mapping": "ChangedMapping",
    "changed-value": "ChangedValue",
    "deprecated": "Deprecated",
    "finding-opened": "FindingOpened",
    "finding-closed": "FindingClosed",
    "finding-severity": "FindingSeverityChanged",
}
"""Kind name -> local name of its individual in the change-set vocabulary (``ntrkch:``)."""
ANY = "any"
"""The ``--fail-on`` name that matches every change."""


def kind_iri(name: str) -> str:
    """The IRI of a kind in the change-set vocabulary.

    >>> kind_iri("changed-iri")
    'https://w3id.org/ntrk-kg/changes#ChangedIri'
    """
    return CHANGES_NS + KINDS[name]


def property_kind(prop: str) -> str:
    """The kind of a change of the values of ``prop`` on an entity that stays.

    >>> property_kind("http://www.w3.org/2004/02/skos/core#closeMatch")
    'changed-mapping'
    """
    if prop in LABELS:
        return "changed-label"
    if prop in DEFINITIONS:
        return "changed-definition"
    if prop in IDENTIFIERS:
        return "changed-identifier"
    if prop in MAPPINGS:
        return "changed-mapping"
    if prop == SEVERITY:
        return "finding-severity"
    return "changed-value"


def parse_fail_on(text: str) -> frozenset[str]:
    """The kinds named by a ``--fail-on`` value (comma-separated); raises ``ValueError`` on an unknown one.

    >>> sorted(parse_fail_on("removed, changed-iri"))
    ['changed-iri', 'removed']
    """
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in KINDS and n != ANY]
    if unknown or not names:
        known = ", ".join([*KINDS, ANY])
        what = f"unknown kind {', '.join(map(repr, unknown))}" if unknown else "no kind given"
        raise ValueError(f"{what}; the kinds are: {known}")
    return frozenset(KINDS) if ANY in names else frozenset(names)
