"""Write synthetic curated source data, in the project's own schema, for a target number of triples.

The packaged tables (``kg_build.resources.DATA_DIR``) are copied unchanged, then rows are appended to
``genes.tsv``, ``fusions.tsv``, ``tumour_types.tsv``, ``mappings.sssom.tsv``, ``references.tsv``
and ``prevalence.tsv``. The result passes ``kg_build.curation.curated.load`` and builds like the real data.

Synthetic rows are recognisable and cannot be mistaken for real records: genes ``SYN00001``
(HGNC:9xxxxx, NCBIGene:9xxxxxxxx, ensembl:ENSG99xxxxxxxxx, none of which exist), tumour types
``synthetic-tumour-000001`` mapped to MONDO:99xxxxx / NCIT:C99xxxxxx / DOID:99xxxxxx /
oncotree:SYNxxxxxx, references with DOIs under the DOI handbook's example prefix 10.5555.

The mix follows the guide's own: prevalence values are ranges, lower bounds, upper bounds,
approximate values and points; most statements cite one to three references, some are uncited;
most mappings are exact, some close, narrow or broad; a few rows are age-qualified. Output is a
function of (target triples, seed) only.

    python benchmarks/generate.py --triples 1e5 --out /tmp/synthetic-1e5
"""

from __future__ import annotations

import argparse
import random
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path

from kg_build.resources import DATA_DIR

# Triples one unit adds to the built graph (no reasoning), measured on this generator's output;
# only used to choose the number of units for a target size (the real count is taken from the build).
TRIPLES_PER_UNIT = 126
# Triples of the graph built from the packaged data alone (no reasoning).
BASE_TRIPLES = 3086
NTRK_GENES = ("NTRK1", "NTRK2", "NTRK3")
MAX_UNITS = 99_999  # HGNC:9xxxxx and MONDO:99xxxxx leave room for this many synthetic genes/tumour types
MAPPING_PREDICATES = (("skos:exactMatch", 70), ("skos:closeMatch", 15), ("skos:narrowMatch", 10), ("skos:broadMatch", 5))
STATUSES = (("verified", 70), ("partly-verified", 15), ("unverified", 10), ("unresolvable", 5))
BANDS = {"high": (90.0, 100.0), "intermediate": (5.0, 25.0), "low": (0.0, 5.0)}


@dataclass(frozen=True)
class Generated:
    """How many rows were appended to each table."""

    units: int
    genes: int
    fusions: int
    tumour_types: int
    mappings: int
    references: int
    prevalence: int


def units_for(triples: float) -> int:
    """How many units make a graph of about ``triples`` triples (at least 1).

    >>> units_for(1e4), units_for(1e5), units_for(10)
    (55, 769, 1)
    """
    return max(1, min(MAX_UNITS, round((float(triples) - BASE_TRIPLES) / TRIPLES_PER_UNIT)))


def _weighted(rng: random.Random, choices: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]


def _pct(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".") + "%"


def _value(rng: random.Random) -> tuple[str, str]:
    """A prevalence value as written, and the band it lies in (shares as in the guide's Table 1)."""
    kind = rng.choices(("range", "above", "below", "approx", "point"), weights=(45, 12, 8, 10, 25))[0]
    band = {"above": "high", "below": "low"}.get(kind) or rng.choices(("intermediate", "low"), weights=(20, 80))[0]
    lo, hi = BANDS[band]
    if kind == "above":
        return (rng.choice((">", "exceeding ")) + _pct(rng.choice((90.0, 91.0, 95.0))), band)
    if kind == "below":
        return (rng.choice(("<", "less than ")) + _pct(rng.choice((1.0, 2.0, 5.0))), band)
    a = rng.uniform(lo + 0.01, hi - 0.01)
    if kind == "range":
        b = rng.uniform(a, hi - 0.005)
        return (f"{_pct(a)} - {_pct(max(a, b))}", band)
    if kind == "approx":
        return (rng.choice(("~", "approximately ")) + _pct(a), band)
    return (_pct(a), band)


def _refs(rng: random.Random, n_refs: int, first: int) -> str:
    """1-3 reference numbers for most statements, none (uncited) for about one in five."""
    if rng.random() < 0.2:
        return ""
    k = rng.choice((1, 1, 2, 3))
    return "|".join(str(n) for n in sorted(rng.sample(range(first, first + n_refs), min(k, n_refs))))


def _append(path: Path, rows: list[list[str]]) -> None:
    text = path.read_text(encoding="utf-8")
    if not text.endswith("\n"):
        text += "\n"
    header = next(line for line in text.splitlines() if not line.startswith("#")).split("\t")
    assert all(len(r) == len(header) for r in rows), path
    path.write_text(text + "".join("\t".join(r) + "\n" for r in rows), encoding="utf-8")


def generate(out_dir: Path, triples: float, seed: int = 0) -> Generated:
    """Copy the packaged tables to ``out_dir`` and append synthetic rows for about ``triples`` triples."""
    out_dir = Path(out_dir)
    if out_dir.exists():
        shutil.rmtree(out_dir)
    shutil.copytree(DATA_DIR, out_dir, ignore=shutil.ignore_patterns("*.md", "__pycache__"))
    rng = random.Random(seed)
    units = units_for(triples)
    first_ref = 1 + max(int(line.split("\t")[1]) for line in (out_dir / "references.tsv").read_text().splitlines()[1:])

    references = []
    for i in range(units):
        n = first_ref + i
        status = _weighted(rng, STATUSES)
        ids = ["", "", ""]
        if status in ("verified", "partly-verified"):
            ids[0] = f"doi:10.5555/synthetic.{n}"
        if status == "verified":
            ids[1] = f"pubmed:{900000000 + n}"
            if rng.random() < 0.5:
                ids[2] = f"pmc:PMC{900000000 + n}"
        title = "" if status == "unresolvable" else f"Synthetic study {n} of NTRK fusion prevalence"
        authors = "" if status == "unresolvable" else "|".join(f"Author{n}-{k} A" for k in range(rng.randint(1, 6)))
        year = "" if status == "unresolvable" else str(rng.randint(1995, 2025))
        journal = "" if status == "unresolvable" else "Synthetic Journal of Oncology"
        references.append(["ntrk-guide", str(n), title, "synthetic.example", status, authors, journal, year,
                           *ids, "", "synthetic reference"])

    genes, fusions, position = [], [], {g: 100 for g in NTRK_GENES}
    for i in range(1, units + 1):
        symbol = f"SYN{i:05d}"
        chrom = rng.choice([str(c) for c in range(1, 23)] + ["X"])
        genes.append([symbol, "partner", f"HGNC:{900000 + i}", f"NCBIGene:{900000000 + i}",
                      f"ensembl:ENSG99{i:09d}", "", f"synthetic gene {i}",
                      f"SYNA{i:05d}" if rng.random() < 0.3 else "", "",
                      f"{chrom}{rng.choice('pq')}{rng.randint(11, 36)}.{rng.randint(1, 3)}", "", "",
                      "synthetic"])
        for ntrk in sorted(rng.sample(NTRK_GENES, rng.choice((1, 1, 2, 3)))):
            position[ntrk] += 1
            fusions.append(["ntrk-guide", symbol, ntrk, "table-2", str(1 + NTRK_GENES.index(ntrk)),
                            str(position[ntrk]), _refs(rng, units, first_ref)])

    tumours, mappings, prevalence = [], [], []
    row = 100
    for i in range(1, units + 1):
        key = f"synthetic-tumour-{i:06d}"
        label = f"Synthetic Tumour Type {i}"
        tumours.append([key, label, "synthetic" if rng.random() < 0.1 else ""])
        targets = [f"MONDO:99{i:05d}", f"NCIT:C99{i:06d}", f"DOID:99{i:06d}", f"oncotree:SYN{i:06d}"]
        for target in targets[: rng.choice((1, 2, 3, 4, 4))]:
            mappings.append([f"ntrkkg:tumour-type/{key}", label, _weighted(rng, MAPPING_PREDICATES), target,
                             f"synthetic term {target}", "semapv:ManualMappingCuration", "synthetic"])
        for j in range(3):
            value, band = _value(rng)
            in_table = rng.random() < 0.7
            if in_table:
                row += 1
            population = rng.choice(("HP:0410280", "HP:0003581")) if rng.random() < 0.1 else ""
            prevalence.append(["ntrk-guide", f"{key}-{j + 1}", "table-1" if in_table else "prevalence",
                               str(row) if in_table else "", key, population, f"{label} ({j + 1})",
                               band if in_table else "", value, _refs(rng, units, first_ref)])

    _append(out_dir / "references.tsv", references)
    _append(out_dir / "genes.tsv", genes)
    _append(out_dir / "fusions.tsv", fusions)
    _append(out_dir / "tumour_types.tsv", tumours)
    _append(out_dir / "mappings.sssom.tsv", mappings)
    _append(out_dir / "prevalence.tsv", prevalence)
    return Generated(units, len(genes), len(fusions), len(tumours), len(mappings), len(references), len(prevalence))


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--triples", type=float, required=True, help="target size of the built graph, e.g. 1e5")
    ap.add_argument("--out", type=Path, required=True, help="directory to write the tables to (replaced)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    counts = generate(args.out, args.triples, args.seed)
    print(f"wrote {args.out}: " + ", ".join(f"{k} {v}" for k, v in asdict(counts).items()))


if __name__ == "__main__":
    main()
