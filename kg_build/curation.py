"""Load the curated source tables and check them, row by row and against each other.

Every problem is collected (file:line: field: problem) and raised together as one
``CurationError``, so a curator fixes a whole batch at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from kg_build.errors import CurationError, Problem
from kg_build.paths import DATA_DIR
from kg_build.prefixes import expand
from kg_build.tables import Row, TableSpec, read_table
from kg_build.values import Range, ValueSyntaxError, parse_percent

SPECS: dict[str, TableSpec] = {
    "documents": TableSpec(
        "documents.tsv",
        ("key", "title", "author", "publisher", "date_verbatim", "date", "url"),
        ("catalogue_number", "compound_verbatim", "audience"),
    ),
    "sections": TableSpec("sections.tsv", ("document", "key", "order", "heading"), ("parent",)),
    "references": TableSpec(
        "references.tsv",
        ("document", "number", "host_as_given", "status"),
        ("title_as_given", "authors", "journal", "year", "doi", "pmid", "pmcid", "url", "note"),
    ),
    "bands": TableSpec("bands.tsv", ("document", "key", "order", "heading_verbatim", "range_verbatim")),
    "genes": TableSpec(
        "genes.tsv",
        ("symbol", "role", "hgnc_id", "ncbigene_id", "ensembl_id", "approved_name", "source"),
        ("uniprot_id", "aliases", "previous_symbols", "cytoband", "mane_select_ensembl", "mane_select_refseq"),
    ),
    "proteins": TableSpec("proteins.tsv", ("symbol", "gene", "uniprot_id", "source"), ("name",)),
    "tumour_types": TableSpec("tumour_types.tsv", ("key", "label"), ("note",)),
    "populations": TableSpec("populations.tsv", ("curie", "label", "source")),
    "prevalence": TableSpec(
        "prevalence.tsv",
        ("document", "key", "section", "tumour_type", "label_verbatim", "value_verbatim"),
        ("row", "population", "band", "references"),
    ),
    "fusions": TableSpec(
        "fusions.tsv", ("document", "five_prime", "three_prime", "section", "row", "position"), ("references",)
    ),
    "pathways": TableSpec("pathways.tsv", ("key", "label", "label_verbatim"), ("short_verbatim",)),
    "processes": TableSpec("processes.tsv", ("key", "kind", "label", "label_verbatim"), ("order",)),
    "statements": TableSpec(
        "statements.tsv",
        ("document", "key", "kind", "section", "comment"),
        ("references", "about", "pathways", "outcomes", "steps", "populations", "subject_verbatim", "value_verbatim"),
    ),
    "mappings": TableSpec(
        "mappings.sssom.tsv",
        ("subject_id", "predicate_id", "object_id", "mapping_justification"),
        ("subject_label", "object_label", "comment"),
    ),
}

ID_PATTERNS: dict[str, tuple[str, re.Pattern[str]]] = {
    "hgnc_id": ("HGNC", re.compile(r"^HGNC:[1-9]\d*$")),
    "ncbigene_id": ("NCBIGene", re.compile(r"^NCBIGene:[1-9]\d*$")),
    "ensembl_id": ("ensembl", re.compile(r"^ensembl:ENSG\d{11}$")),
    "uniprot_id": (
        "uniprot",
        re.compile(r"^uniprot:(?:[OPQ][0-9][A-Z0-9]{3}[0-9]|[A-NR-Z][0-9](?:[A-Z][A-Z0-9]{2}[0-9]){1,2})$"),
    ),
    "doi": ("doi", re.compile(r"^doi:10\.\d{4,9}/\S+$")),
    "pmid": ("pubmed", re.compile(r"^pubmed:[1-9]\d*$")),
    "pmcid": ("pmc", re.compile(r"^pmc:PMC\d+$")),
    "population": ("HP", re.compile(r"^HP:\d{7}$")),
}
ROLES = ("ntrk", "partner")
STATUSES = ("verified", "partly-verified", "unverified", "unresolvable")
PROCESS_KINDS = ("activation-step", "outcome")
STATEMENT_KINDS = {
    "encoding": "EncodingStatement",
    "mechanism": "MechanismStatement",
    "signalling": "SignallingStatement",
    "partner-frequency": "PartnerFrequencyStatement",
    "clinical": "ClinicalRelevanceStatement",
}
MAPPING_PREDICATES = ("skos:exactMatch", "skos:closeMatch", "skos:broadMatch", "skos:narrowMatch", "skos:relatedMatch")
KEY = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SYMBOL = re.compile(r"^[A-Z][A-Z0-9-]*$")
DATE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")


@dataclass
class Curated:
    """All curated tables, checked, with indexes for the builder."""

    directory: Path
    tables: dict[str, list[Row]]
    prevalence_values: dict[str, Range] = field(default_factory=dict)
    band_values: dict[str, Range] = field(default_factory=dict)

    def __getitem__(self, name: str) -> list[Row]:
        return self.tables[name]

    def files(self) -> list[Path]:
        """The curated files read, in a stable order."""
        return [self.directory / SPECS[n].name for n in sorted(SPECS)]


def fusion_key(five_prime: str, three_prime: str) -> str:
    """The readable key of a fusion, 5' partner first.

    >>> fusion_key("ETV6", "NTRK3")
    'ETV6--NTRK3'
    """
    return f"{five_prime}--{three_prime}"


def load(directory: Path | None = None) -> Curated:
    """Read and check every curated table in ``directory`` (the packaged data by default)."""
    directory = Path(directory) if directory is not None else DATA_DIR
    problems: list[Problem] = []
    tables = {name: read_table(directory, spec, problems) for name, spec in SPECS.items()}
    cur = Curated(directory, tables)
    _check(cur, problems)
    if problems:
        raise CurationError(problems)
    return cur


def _split(value: str, sep: str = "|") -> list[str]:
    return [v.strip() for v in value.split(sep) if v.strip()]


def _unique(rows: list[Row], cols: tuple[str, ...], problems: list[Problem]) -> dict[tuple[str, ...], Row]:
    seen: dict[tuple[str, ...], Row] = {}
    for r in rows:
        k = tuple(r[c] for c in cols)
        if k in seen:
            problems.append(r.problem(cols[-1], f"duplicate {'/'.join(cols)} {'/'.join(k)!r}, first on line {seen[k].line}"))
        else:
            seen[k] = r
    return seen


def _int(r: Row, col: str, problems: list[Problem], required: bool = True) -> None:
    v = r[col]
    if not v and not required:
        return
    if not re.fullmatch(r"[1-9]\d*", v):
        problems.append(r.problem(col, f"{v!r} is not a positive whole number"))


def _curie(r: Row, col: str, value: str, problems: list[Problem], kind: str | None = None) -> None:
    if kind is None:
        kind = col
    if expand(value) is None:
        problems.append(r.problem(col, f"{value!r} is not a CURIE with a known prefix (see prefixes.tsv)"))
        return
    if kind in ID_PATTERNS:
        prefix, pattern = ID_PATTERNS[kind]
        if not pattern.match(value):
            problems.append(r.problem(col, f"{value!r} is not a valid {prefix} identifier (expected {pattern.pattern})"))


def _check(cur: Curated, problems: list[Problem]) -> None:
    t = cur.tables
    docs = _unique(t["documents"], ("key",), problems)
    for r in t["documents"]:
        if not KEY.match(r["key"]):
            problems.append(r.problem("key", f"{r['key']!r} must be lower-case words joined by '-'"))
        if r["date"] and not DATE.match(r["date"]):
            problems.append(r.problem("date", f"{r['date']!r} is not YYYY, YYYY-MM or YYYY-MM-DD"))
        if r["url"] and not r["url"].startswith(("http://", "https://")):
            problems.append(r.problem("url", f"{r['url']!r} is not an http(s) URL"))

    def doc_ok(r: Row) -> bool:
        if r["document"] and (r["document"],) not in docs:
            problems.append(r.problem("document", f"unknown document {r['document']!r} (see documents.tsv)"))
            return False
        return True

    sections = _unique(t["sections"], ("document", "key"), problems)
    for r in t["sections"]:
        doc_ok(r)
        _int(r, "order", problems)
        if r["parent"] and (r["document"], r["parent"]) not in sections:
            problems.append(r.problem("parent", f"unknown section {r['parent']!r}"))

    def section_ok(r: Row) -> None:
        if r["section"] and (r["document"], r["section"]) not in sections:
            problems.append(r.problem("section", f"unknown section {r['section']!r} of {r['document']!r} (see sections.tsv)"))

    refs = _unique(t["references"], ("document", "number"), problems)
    for r in t["references"]:
        doc_ok(r)
        _int(r, "number", problems)
        if r["status"] not in STATUSES:
            problems.append(r.problem("status", f"{r['status']!r} is not one of {', '.join(STATUSES)}"))
        for col in ("doi", "pmid", "pmcid"):
            if r[col]:
                _curie(r, col, r[col], problems)
        if r["year"] and not re.fullmatch(r"\d{4}", r["year"]):
            problems.append(r.problem("year", f"{r['year']!r} is not a four-digit year"))
        if r["status"] == "unresolvable" and any(r[c] for c in ("doi", "pmid", "pmcid")):
            problems.append(r.problem("status", "an unresolvable reference cannot carry identifiers"))

    def refs_ok(r: Row) -> None:
        for n in _split(r["references"]):
            if not re.fullmatch(r"[1-9]\d*", n):
                problems.append(r.problem("references", f"{n!r} is not a reference number"))
            elif (r["document"], n) not in refs:
                problems.append(r.problem("references", f"reference {n} does not exist in references.tsv for {r['document']!r}"))

    genes = _unique(t["genes"], ("symbol",), problems)
    for col in ("hgnc_id", "ncbigene_id", "ensembl_id"):
        _unique(t["genes"], (col,), problems)
    for r in t["genes"]:
        if not SYMBOL.match(r["symbol"]):
            problems.append(r.problem("symbol", f"{r['symbol']!r} is not an HGNC-style symbol"))
        if r["role"] not in ROLES:
            problems.append(r.problem("role", f"{r['role']!r} is not one of {', '.join(ROLES)}"))
        for col in ("hgnc_id", "ncbigene_id", "ensembl_id", "uniprot_id"):
            if r[col]:
                _curie(r, col, r[col], problems)

    proteins = _unique(t["proteins"], ("symbol",), problems)
    for r in t["proteins"]:
        g = genes.get((r["gene"],))
        if g is None:
            problems.append(r.problem("gene", f"unknown gene {r['gene']!r} (see genes.tsv)"))
        _curie(r, "uniprot_id", r["uniprot_id"], problems)
        if g is not None and g["uniprot_id"] and g["uniprot_id"] != r["uniprot_id"]:
            problems.append(r.problem("uniprot_id", f"{r['uniprot_id']} differs from {g['uniprot_id']}, the UniProt cross-reference of {r['gene']} in genes.tsv"))

    tumours = _unique(t["tumour_types"], ("key",), problems)
    for r in t["tumour_types"]:
        if not KEY.match(r["key"]):
            problems.append(r.problem("key", f"{r['key']!r} must be lower-case words joined by '-'"))
    populations = _unique(t["populations"], ("curie",), problems)
    for r in t["populations"]:
        _curie(r, "curie", r["curie"], problems, kind="population")

    bands = _unique(t["bands"], ("document", "key"), problems)
    for r in t["bands"]:
        doc_ok(r)
        _int(r, "order", problems)
        try:
            cur.band_values[f"{r['document']}/{r['key']}"] = parse_percent(r["range_verbatim"])
        except ValueSyntaxError as exc:
            problems.append(r.problem("range_verbatim", str(exc)))

    statement_keys: dict[tuple[str, str], Row] = {}

    def statement_key(r: Row, key: str) -> None:
        k = (r["document"], key)
        if k in statement_keys:
            problems.append(r.problem("key", f"statement key {key!r} is already used on {statement_keys[k].file}:{statement_keys[k].line}"))
        statement_keys[k] = r

    for r in t["prevalence"]:
        doc_ok(r)
        section_ok(r)
        refs_ok(r)
        statement_key(r, f"prevalence-{r['key']}")
        _int(r, "row", problems, required=False)
        if r["tumour_type"] and (r["tumour_type"],) not in tumours:
            problems.append(r.problem("tumour_type", f"unknown tumour type {r['tumour_type']!r} (see tumour_types.tsv)"))
        if r["population"] and (r["population"],) not in populations:
            problems.append(r.problem("population", f"unknown population {r['population']!r} (see populations.tsv)"))
        if r["band"] and (r["document"], r["band"]) not in bands:
            problems.append(r.problem("band", f"unknown band {r['band']!r} (see bands.tsv)"))
        try:
            cur.prevalence_values[f"{r['document']}/{r['key']}"] = parse_percent(r["value_verbatim"])
        except ValueSyntaxError as exc:
            problems.append(r.problem("value_verbatim", str(exc)))

    fusions: dict[tuple[str, str], Row] = {}
    for r in t["fusions"]:
        doc_ok(r)
        section_ok(r)
        refs_ok(r)
        _int(r, "row", problems)
        _int(r, "position", problems)
        five, three = r["five_prime"], r["three_prime"]
        for col in ("five_prime", "three_prime"):
            if r[col] and (r[col],) not in genes:
                problems.append(r.problem(col, f"unknown gene {r[col]!r} (see genes.tsv)"))
        if five and five == three:
            problems.append(r.problem("three_prime", f"a fusion needs two different partners, both are {five!r}"))
        g3 = genes.get((three,))
        if g3 is not None and g3["role"] != "ntrk":
            problems.append(r.problem("three_prime", f"the 3' partner {three!r} is not an NTRK gene (role {g3['role']!r})"))
        if (five, three) in fusions:
            problems.append(r.problem("five_prime", f"fusion {five}::{three} is listed twice (first on line {fusions[(five, three)].line})"))
        fusions[(five, three)] = r
        statement_key(r, f"fusion-partner-{fusion_key(five, three)}")

    pathways = _unique(t["pathways"], ("key",), problems)
    processes = _unique(t["processes"], ("key",), problems)
    for r in t["processes"]:
        if r["kind"] not in PROCESS_KINDS:
            problems.append(r.problem("kind", f"{r['kind']!r} is not one of {', '.join(PROCESS_KINDS)}"))
        if r["kind"] == "activation-step":
            _int(r, "order", problems)

    for r in t["statements"]:
        doc_ok(r)
        section_ok(r)
        refs_ok(r)
        statement_key(r, r["key"])
        if not KEY.match(r["key"]):
            problems.append(r.problem("key", f"{r['key']!r} must be lower-case words joined by '-'"))
        if r["kind"] not in STATEMENT_KINDS:
            problems.append(r.problem("kind", f"{r['kind']!r} is not one of {', '.join(STATEMENT_KINDS)}"))
        for ref in r["about"].split():
            kind, _, key = ref.partition(":")
            ok = {
                "gene": lambda k: (k,) in genes,
                "protein": lambda k: (k,) in proteins,
                "tumour": lambda k: (k,) in tumours,
                "pathway": lambda k: (k,) in pathways,
                "fusion": lambda k: tuple(k.split("::")) in fusions,
            }.get(kind)
            if ok is None:
                problems.append(r.problem("about", f"{ref!r} must be gene:, protein:, tumour:, pathway: or fusion: followed by a known key"))
            elif not ok(key):
                problems.append(r.problem("about", f"{ref!r} names no known {kind}"))
        for col, index, want in (("pathways", pathways, None), ("outcomes", processes, "outcome"), ("steps", processes, "activation-step")):
            for k in r[col].split():
                p = index.get((k,))
                if p is None or (want and p["kind"] != want):
                    problems.append(r.problem(col, f"{k!r} is not a known {want or 'pathway'} key"))
        for p in r["populations"].split():
            if (p,) not in populations:
                problems.append(r.problem("populations", f"unknown population {p!r} (see populations.tsv)"))

    subject_ok = {
        "tumour-type": lambda k: (k,) in tumours,
        "pathway": lambda k: (k,) in pathways,
        "fusion": lambda k: tuple(k.split("--")) in fusions,
    }
    _unique(t["mappings"], ("subject_id", "predicate_id", "object_id"), problems)
    for r in t["mappings"]:
        subj = r["subject_id"]
        if not subj.startswith("ntrkkg:"):
            problems.append(r.problem("subject_id", f"{subj!r} must be one of this graph's nodes (ntrkkg:...)"))
        else:
            kind, _, key = subj[len("ntrkkg:"):].partition("/")
            check = subject_ok.get(kind)
            if check is None or not check(key):
                problems.append(r.problem("subject_id", f"{subj!r} names no known tumour type, pathway or fusion"))
        if r["predicate_id"] not in MAPPING_PREDICATES:
            problems.append(r.problem("predicate_id", f"{r['predicate_id']!r} is not one of {', '.join(MAPPING_PREDICATES)}"))
        if r["object_id"]:
            _curie(r, "object_id", r["object_id"], problems)
        if r["mapping_justification"] and not r["mapping_justification"].startswith("semapv:"):
            problems.append(r.problem("mapping_justification", f"{r['mapping_justification']!r} is not a semapv: term"))
    mapped = {r["subject_id"] for r in t["mappings"]}
    for r in t["tumour_types"]:
        if f"ntrkkg:tumour-type/{r['key']}" not in mapped:
            problems.append(r.problem("key", f"tumour type {r['key']!r} has no mapping in mappings.sssom.tsv"))
