"""Load the curated source tables and check them, row by row and against each other.

Every problem is collected (file:line: field: problem) and raised together as one
``CurationError``, so a curator fixes a whole batch at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from kg_build.curation import schema
from kg_build.curation.tables import Row, TableSpec, read_table
from kg_build.curation.values import Range, ValueSyntaxError, parse_percent
from kg_build.errors import CurationError, Problem
from kg_build.rdf.prefixes import expand, pattern_problem
from kg_build.resources import DATA_DIR
from kg_build.tsv import split_list

TABLES = schema.tables()
SPECS: dict[str, TableSpec] = {name: table.spec for name, table in TABLES.items()}
"""Table name -> the columns its file must have (from ``schema.yaml``)."""
STATEMENT_KINDS = TABLES["statements"].classes("kind")
FINDING_KINDS = TABLES["findings"].classes("kind")
SEVERITIES = TABLES["findings"].classes("severity")
ID_PREFIXES = {c.name: c.prefix for t in TABLES.values() for c in t.columns if c.type == "curie" and c.prefix}
"""Identifier column -> the one prefix its CURIEs must use (their form is the prefix map's pattern)."""
CONTEXT_PREFIXES = ("OBI", "NCIT", "MONDO", "CHEBI", "drugbank", "chembl.compound", "pubchem.compound")
"""The prefixes a finding's evidence may refer to (``refers_to``)."""


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
    for name, rows in tables.items():
        schema.check_cells(TABLES[name], rows, problems)
    cur = Curated(directory, tables)
    _check(cur, problems)
    _check_factcheck(cur, problems)
    _check_context(cur, problems)
    if problems:
        raise CurationError(problems)
    return cur



def _unique(rows: list[Row], cols: tuple[str, ...], problems: list[Problem]) -> dict[tuple[str, ...], Row]:
    seen: dict[tuple[str, ...], Row] = {}
    for r in rows:
        k = tuple(r[c] for c in cols)
        if k in seen:
            problems.append(r.problem(cols[-1], f"duplicate {'/'.join(cols)} {'/'.join(k)!r}, first on line {seen[k].line}"))
        else:
            seen[k] = r
    return seen


def _check(cur: Curated, problems: list[Problem]) -> None:
    t = cur.tables
    docs = _unique(t["documents"], ("key",), problems)

    def doc_ok(r: Row) -> bool:
        if r["document"] and (r["document"],) not in docs:
            problems.append(r.problem("document", f"unknown document {r['document']!r} (see documents.tsv)"))
            return False
        return True

    sections = _unique(t["sections"], ("document", "key"), problems)
    for r in t["sections"]:
        doc_ok(r)
        if r["parent"] and (r["document"], r["parent"]) not in sections:
            problems.append(r.problem("parent", f"unknown section {r['parent']!r}"))

    def section_ok(r: Row) -> None:
        if r["section"] and (r["document"], r["section"]) not in sections:
            problems.append(r.problem("section", f"unknown section {r['section']!r} of {r['document']!r} (see sections.tsv)"))

    refs = _unique(t["references"], ("document", "number"), problems)
    for r in t["references"]:
        doc_ok(r)
        if r["status"] == "unresolvable" and any(r[c] for c in ("doi", "pmid", "pmcid")):
            problems.append(r.problem("status", "an unresolvable reference cannot carry identifiers"))

    def refs_ok(r: Row) -> None:
        for n in split_list(r["references"]):
            if schema.NUMBER.fullmatch(n) and (r["document"], n) not in refs:
                problems.append(r.problem("references", f"reference {n} does not exist in references.tsv for {r['document']!r}"))

    genes = _unique(t["genes"], ("symbol",), problems)
    for col in ("hgnc_id", "ncbigene_id", "ensembl_id"):
        _unique(t["genes"], (col,), problems)

    proteins = _unique(t["proteins"], ("symbol",), problems)
    for r in t["proteins"]:
        g = genes.get((r["gene"],))
        if g is None:
            problems.append(r.problem("gene", f"unknown gene {r['gene']!r} (see genes.tsv)"))
        if g is not None and g["uniprot_id"] and g["uniprot_id"] != r["uniprot_id"]:
            problems.append(r.problem("uniprot_id", f"{r['uniprot_id']} differs from {g['uniprot_id']}, the UniProt cross-reference of {r['gene']} in genes.tsv"))

    tumours = _unique(t["tumour_types"], ("key",), problems)
    populations = _unique(t["populations"], ("curie",), problems)

    bands = _unique(t["bands"], ("document", "key"), problems)
    for r in t["bands"]:
        doc_ok(r)
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
        if r["kind"] == "activation-step" and not r["order"]:
            problems.append(r.problem("order", "is empty but required for an activation step"))
    for r in t["statements"]:
        doc_ok(r)
        section_ok(r)
        refs_ok(r)
        statement_key(r, r["key"])
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
                found = index.get((k,))
                if found is None or (want and found["kind"] != want):
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
        if r["mapping_justification"] and not r["mapping_justification"].startswith("semapv:"):
            problems.append(r.problem("mapping_justification", f"{r['mapping_justification']!r} is not a semapv: term"))
    mapped = {r["subject_id"] for r in t["mappings"]}
    for r in t["tumour_types"]:
        if f"ntrkkg:tumour-type/{r['key']}" not in mapped:
            problems.append(r.problem("key", f"tumour type {r['key']!r} has no mapping in mappings.sssom.tsv"))


def labelled_curies(value: str) -> list[tuple[str, str]]:
    """Split ``CURIE=label|CURIE=label`` cells (labels optional) into pairs.

    >>> labelled_curies("OBI:0001986=immunohistochemistry|NCIT:C23020")
    [('OBI:0001986', 'immunohistochemistry'), ('NCIT:C23020', '')]
    """
    pairs = []
    for item in split_list(value):
        curie_, _, label = item.partition("=")
        pairs.append((curie_.strip(), label.strip()))
    return pairs


def _context_curie(r: Row, col: str, value: str, problems: list[Problem], allowed: tuple[str, ...]) -> None:
    prefix = value.partition(":")[0]
    if expand(value) is None:
        problems.append(r.problem(col, f"{value!r} is not a CURIE with a known prefix (see prefixes.tsv)"))
    elif prefix not in allowed:
        problems.append(r.problem(col, f"{value!r} must use one of the prefixes {', '.join(allowed)}"))
    elif (problem := pattern_problem(value)) is not None:
        problems.append(r.problem(col, problem))


def _check_factcheck(cur: Curated, problems: list[Problem]) -> None:
    """Check findings.tsv and finding_evidence.tsv against the guide tables they point into."""
    t = cur.tables
    docs = {r["key"] for r in t["documents"]}
    refs = {(r["document"], r["number"]) for r in t["references"]}
    statements = {(r["document"], f"prevalence-{r['key']}") for r in t["prevalence"]}
    statements |= {(r["document"], f"fusion-partner-{fusion_key(r['five_prime'], r['three_prime'])}") for r in t["fusions"]}
    statements |= {(r["document"], r["key"]) for r in t["statements"]}

    def ref_numbers(r: Row, col: str) -> None:
        for n in split_list(r[col]):
            if schema.NUMBER.fullmatch(n) and (r["document"], n) not in refs:
                problems.append(r.problem(col, f"reference {n} does not exist in references.tsv for {r['document']!r}"))

    findings = _unique(t["findings"], ("document", "key"), problems)
    for r in t["findings"]:
        if r["document"] not in docs:
            problems.append(r.problem("document", f"unknown document {r['document']!r} (see documents.tsv)"))
        kind, _, target = r["concerns"].partition(":")
        if kind == "statement":
            if (r["document"], target) not in statements:
                problems.append(r.problem("concerns", f"{r['concerns']!r} names no statement of {r['document']!r} (prevalence-<key>, fusion-partner-<5'>--<3'> or a key of statements.tsv)"))
        elif kind == "reference":
            if (r["document"], target) not in refs:
                problems.append(r.problem("concerns", f"{r['concerns']!r} names no reference of {r['document']!r}"))
        elif kind == "guide":
            if target != r["document"]:
                problems.append(r.problem("concerns", f"{r['concerns']!r} must name the finding's own document, guide:{r['document']}"))
        elif r["concerns"]:
            problems.append(r.problem("concerns", f"{r['concerns']!r} must be statement:<key>, reference:<number> or guide:<document>"))
        ref_numbers(r, "checked_against")
        if r["kind"] in ("contradicted", "not-found", "supported") and not r["checked_against"]:
            problems.append(r.problem("checked_against", f"a {r['kind']!r} finding must name the reference it was checked against"))
    with_evidence: set[tuple[str, str]] = set()
    _unique(t["finding_evidence"], ("document", "finding", "order"), problems)
    for r in t["finding_evidence"]:
        key = (r["document"], r["finding"])
        if key not in findings:
            problems.append(r.problem("finding", f"unknown finding {r['finding']!r} (see findings.tsv)"))
        with_evidence.add(key)
        ref_numbers(r, "reference")
        if not (r["reference"] or r["urls"]):
            problems.append(r.problem("urls", "evidence must say where it was read: a reference number, a URL, or both"))
        if "%" in r["value"]:
            try:
                parse_percent(r["value"])
            except ValueSyntaxError as exc:
                problems.append(r.problem("value", str(exc)))
        if r["refers_to"]:
            _context_curie(r, "refers_to", r["refers_to"], problems, CONTEXT_PREFIXES)
    for r in t["findings"]:
        if r["kind"] in ("contradicted", "not-found", "supported") and (r["document"], r["key"]) not in with_evidence:
            problems.append(r.problem("key", f"a {r['kind']!r} finding needs evidence rows in finding_evidence.tsv (what the source says)"))


def _check_context(cur: Curated, problems: list[Problem]) -> None:
    """Check assays.tsv, drugs.tsv and approvals.tsv."""
    t = cur.tables
    proteins = {r["symbol"] for r in t["proteins"]}
    refs = {r["number"] for r in t["references"]}
    for table in ("assays", "drugs", "approvals"):
        _unique(t[table], ("key",), problems)
    for r in t["assays"]:
        for n in split_list(r["listed_by"]):
            if n not in refs:
                problems.append(r.problem("listed_by", f"reference {n} does not exist in references.tsv"))
        for col in ("exact_match", "close_match", "broad_match"):
            for c, _ in labelled_curies(r[col]):
                _context_curie(r, col, c, problems, ("OBI", "NCIT"))
        for p in split_list(r["detects"]):
            if p not in proteins:
                problems.append(r.problem("detects", f"unknown protein {p!r} (see proteins.tsv)"))
    drugs = {r["key"]: r for r in t["drugs"]}
    for r in t["drugs"]:
        for c in split_list(r["identifiers"]):
            _context_curie(r, "identifiers", c, problems, ("CHEBI", "pubchem.compound", "drugbank", "chembl.compound", "NCIT"))
        for p in split_list(r["inhibits"]):
            if p not in proteins:
                problems.append(r.problem("inhibits", f"unknown protein {p!r} (see proteins.tsv)"))
        if r["kind"] == "other" and r["inhibits"]:
            problems.append(r.problem("inhibits", "only a trk-inhibitor may be linked to TRK proteins; give other targets in other_targets"))
    for r in t["approvals"]:
        if r["drug"] and r["drug"] not in drugs:
            problems.append(r.problem("drug", f"unknown drug {r['drug']!r} (see drugs.tsv)"))
        for c, _ in labelled_curies(r["indication"]):
            _context_curie(r, "indication", c, problems, ("MONDO",))
