"""Render the graph back into one self-contained HTML page a curator can read without SPARQL.

The page is built from the dataset (not from the curated tables), so it shows what the graph
says: genes and proteins, the fusions as a network picture, Table 1 with a log-scale chart of
the ranges, pathways, references with their identifiers, the curated context, and every
fact-check finding beside the statement it concerns. Pictures are matplotlib SVG inlined into
the page; there are no scripts, fonts, images or styles from the network.
"""

from __future__ import annotations

import io
import re
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from rdflib import RDF, RDFS, Dataset, Graph, URIRef
from rdflib.namespace import DCTERMS, SKOS
from rdflib.term import Identifier, Node

from kg_build.errors import UsageError
from kg_build.rdf import iris
from kg_build.rdf.prefixes import compress
from kg_build.rdf.vocab import T
from kg_build.resources import TEMPLATES_DIR

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from matplotlib.typing import RcKeyType

TEMPLATE = "report.html.j2"
SCHEMA_URL = URIRef("https://schema.org/url")
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
BAND_RULE = "ntrksh:BandConsistencyShape"
"""The rule whose findings mark a Table 1 row as outside the band the guide lists it under."""
SECTIONS = (
    ("genes", "Genes and proteins"), ("fusions", "Fusions"), ("prevalence", "Prevalence (Table 1)"),
    ("pathways", "Pathways"), ("statements", "Other statements"), ("references", "References"),
    ("context", "Context beyond the guide"), ("findings", "All fact-check findings"),
)
"""The page's sections, in order: (anchor, heading), for the table of contents."""


@dataclass
class Finding:
    key: str
    label: str
    kind: str
    severity: str
    explanation: str
    concerns: list[str]
    stated_value: str = ""
    evidence: list[dict[str, Any]] = field(default_factory=list)
    shape: str = ""

    @property
    def anchor(self) -> str:
        return f"finding-{self.key}"


def _text(g: Graph, s: Node, p: URIRef) -> str:
    v = g.value(s, p)
    return "" if v is None else str(v)


def _num(g: Graph, s: Node, p: URIRef) -> float | None:
    v = g.value(s, p)
    return None if v is None else float(Decimal(str(v)))


def _key(iri: Node) -> str:
    return str(iri).rstrip("/").rsplit("/", 1)[-1]


def _curie(iri: Node) -> str:
    return compress(str(iri)) or str(iri)


def _required(g: Graph, s: Node, p: URIRef) -> Node:
    """The value of ``p`` that the shapes require ``s`` to have."""
    v = g.value(s, p)
    if v is None:
        raise UsageError(
            f"{_curie(s)} has no {_curie(p)} in the named graph {g.identifier}, which the report needs; "
            "the input is not a graph that conforms to the shapes (check it with 'ntrk-kg validate')"
        )
    return v


def _int(g: Graph, s: Node, p: URIRef) -> int | None:
    """The integer value of ``p`` for ``s``, if it has one."""
    v = g.value(s, p)
    return None if v is None else _integer(g, s, p, v)


def _required_int(g: Graph, s: Node, p: URIRef) -> int:
    """The integer value of ``p`` that the shapes require ``s`` to have."""
    return _integer(g, s, p, _required(g, s, p))


def _integer(g: Graph, s: Node, p: URIRef, v: Node) -> int:
    """The value ``v`` of ``p`` for ``s`` as an integer (as ``int`` reads its lexical form)."""
    try:
        return int(str(v))
    except ValueError:
        raise UsageError(
            f"{_curie(s)} has {v.n3()} as its {_curie(p)} in the named graph {g.identifier}, which is not an "
            "integer; the input is not a graph that conforms to the shapes (check it with 'ntrk-kg validate')"
        ) from None


def _sorted(nodes: Iterable[Node]) -> list[Identifier]:
    """RDF terms in rdflib's order (by kind of term, then by text)."""
    terms = []
    for node in nodes:
        assert isinstance(node, Identifier)  # a node of a parsed graph is an RDF term
        terms.append(node)
    return sorted(terms)


def _natural(text: str) -> list[Any]:
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", text)]


class _Reader:
    """Plain values for the template, read from the dataset's named graphs."""

    def __init__(self, ds: Dataset) -> None:
        self.guide = ds.graph(iris.GUIDE_GRAPH)
        self.cur = ds.graph(iris.CURATION_GRAPH)
        self.fc = ds.graph(iris.FACTCHECK_GRAPH)
        self.ctx = ds.graph(iris.CONTEXT_GRAPH)
        self.onto = ds.graph(iris.ONTOLOGY_GRAPH)
        self.findings = self._findings()
        self.by_target: dict[Node, list[Finding]] = {}
        for f in self.findings:
            for target in f.concerns:
                self.by_target.setdefault(URIRef(target), []).append(f)

    def _label(self, node: Node) -> str:
        for g in (self.guide, self.cur, self.onto, self.ctx, self.fc):
            v = g.value(node, RDFS.label)
            if v is not None:
                return str(v)
        return _curie(node)

    def _findings(self) -> list[Finding]:
        out = []
        for node in self.fc.subjects(RDF.type, T.Finding):
            evidence: list[dict[str, Any]] = []
            for ev in self.fc.objects(node, T.hasEvidence):
                ref = self.fc.value(ev, T.readIn)
                evidence.append({
                    "order": _required_int(self.fc, ev, T.order),
                    "label": _text(self.fc, ev, RDFS.label),
                    "value": _text(self.fc, ev, T.reportedValue),
                    "reported_for": _text(self.fc, ev, T.reportedFor),
                    "quote": _text(self.fc, ev, T.quotation),
                    "reference": self._label(ref) if ref is not None else "",
                    "urls": sorted(str(u) for u in self.fc.objects(ev, T.confirmedAt)),
                    "refers_to": sorted(_curie(u) for u in self.fc.objects(ev, T.refersTo)),
                })
            evidence.sort(key=lambda e: e["order"])
            shape = self.fc.value(node, T.sourceShape)
            out.append(Finding(
                key=_key(node),
                label=_text(self.fc, node, RDFS.label),
                kind=self._label(_required(self.fc, node, T.findingKind)),
                severity=self._label(_required(self.fc, node, T.severity)),
                explanation=_text(self.fc, node, T.explanation),
                concerns=sorted(str(c) for c in self.fc.objects(node, T.concerns)),
                stated_value=_text(self.fc, node, T.statedValue),
                evidence=evidence,
                shape=_curie(shape) if shape is not None else "",
            ))
        return sorted(out, key=lambda f: (SEVERITY_ORDER.get(f.severity, 9), f.key))

    def findings_for(self, node: Node) -> list[Finding]:
        return self.by_target.get(node, [])

    def document(self) -> dict[str, Any]:
        doc = next(iter(_sorted(self.guide.subjects(RDF.type, T.Guide))))
        sections = {}
        for s in self.guide.subjects(RDF.type, T.GuideSection):
            sections[_key(s)] = {"heading": self._label(s), "order": _required_int(self.guide, s, T.order)}
        return {
            "iri": str(doc),
            "title": _text(self.guide, doc, DCTERMS.title),
            "publisher": _text(self.guide, doc, DCTERMS.publisher),
            "date": _text(self.guide, doc, T.dateVerbatim),
            "url": _text(self.guide, doc, SCHEMA_URL),
            "compound": _text(self.guide, doc, T.compoundOfInterestVerbatim),
            "sections": sections,
            "findings": self.findings_for(doc),
        }

    def _uncited(self, node: Node) -> bool:
        return str(self.guide.value(node, T.isUncited)) == "true"

    def _refs(self, node: Node) -> list[int]:
        return sorted(_required_int(self.guide, r, T.referenceNumber) for r in self.guide.objects(node, T.citesReference))

    def genes(self) -> list[dict[str, Any]]:
        out = []
        for gene in self.guide.subjects(RDF.type, T.Gene):
            protein = self.guide.value(gene, T.encodes)
            out.append({
                "symbol": _text(self.guide, gene, T.symbol),
                "ntrk": (gene, RDF.type, T.NTRKGene) in self.guide,
                "hgnc": _text(self.cur, gene, DCTERMS.identifier),
                "iri": str(gene),
                "name": _text(self.cur, gene, T.approvedName),
                "cytoband": _text(self.cur, gene, T.cytoband),
                "xrefs": sorted(_text(self.cur, x, DCTERMS.identifier) for x in self.cur.objects(gene, SKOS.exactMatch)),
                "protein": self._label(protein) if protein is not None else "",
                "protein_id": _text(self.cur, protein, DCTERMS.identifier) if protein is not None else "",
                "protein_iri": str(protein) if protein is not None else "",
            })
        return sorted(out, key=lambda g: (not g["ntrk"], g["symbol"]))

    def fusions(self) -> list[dict[str, Any]]:
        out = []
        for f in self.guide.subjects(RDF.type, T.GeneFusion):
            five = _required(self.guide, f, T.fivePrimePartner)
            three = _required(self.guide, f, T.threePrimePartner)
            statement = None
            row: dict[str, Any] = {"label": self._label(f), "five": self._label(five), "three": self._label(three),
                                   "refs": [], "uncited": False, "findings": []}
            for st in _sorted(self.guide.subjects(T.about, f)):
                if (st, RDF.type, T.FusionPartnerStatement) in self.guide:
                    statement = st
            if statement is not None:
                row.update(refs=self._refs(statement), uncited=self._uncited(statement), findings=self.findings_for(statement))
            out.append(row)
        return sorted(out, key=lambda f: (f["three"], f["five"]))

    def prevalence(self) -> list[dict[str, Any]]:
        rows = []
        for st in self.guide.subjects(RDF.type, T.PrevalenceStatement):
            band = self.guide.value(st, T.inBand)
            rows.append({
                "iri": str(st),
                "key": _key(st),
                "row": _int(self.guide, st, T.rowNumber),
                "label": _text(self.guide, st, T.verbatimLabel),
                "value": _text(self.guide, st, T.verbatimValue),
                "band": self._label(band) if band is not None else "",
                "band_order": _required_int(self.guide, band, T.order) if band is not None else 9,
                "lower": _num(self.guide, st, T.lowerBound),
                "upper": _num(self.guide, st, T.upperBound),
                "point": _num(self.guide, st, T.pointEstimate),
                "approximate": str(self.guide.value(st, T.isApproximate)) == "true",
                "refs": self._refs(st),
                "uncited": self._uncited(st),
                "out_of_band": any(f.shape == BAND_RULE for f in self.findings_for(st)),
                "section": _key(_required(self.guide, st, T.inSection)),
                "findings": self.findings_for(st),
            })
        return sorted(rows, key=lambda r: (r["row"] is None, r["row"] or 0, r["key"]))

    def statements(self) -> list[dict[str, Any]]:
        out = []
        for st in self.guide.subjects(RDF.type, T.Statement):
            if (st, RDF.type, T.PrevalenceStatement) in self.guide or (st, RDF.type, T.FusionPartnerStatement) in self.guide:
                continue
            out.append({
                "key": _key(st),
                "text": _text(self.guide, st, RDFS.comment) or self._label(st),
                "refs": self._refs(st),
                "uncited": self._uncited(st),
                "section": _key(_required(self.guide, st, T.inSection)),
                "findings": self.findings_for(st),
            })
        return sorted(out, key=lambda s: s["key"])

    def pathways(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for p in self.guide.subjects(RDF.type, T.Pathway):
            maps: list[dict[str, str]] = []
            for pred, name in ((SKOS.exactMatch, "exact"), (SKOS.closeMatch, "close"), (SKOS.broadMatch, "broad"), (SKOS.narrowMatch, "narrow")):
                for x in self.cur.objects(p, pred):
                    maps.append({"curie": _text(self.cur, x, DCTERMS.identifier) or _curie(x), "label": _text(self.cur, x, RDFS.label), "iri": str(x), "strength": name})
            outcomes = sorted(self._label(o) for o in self.guide.objects(p, T.drivesOutcome))
            out.append({"label": self._label(p), "verbatim": sorted(str(v) for v in self.guide.objects(p, T.verbatimLabel)),
                        "mappings": sorted(maps, key=lambda m: _natural(m["curie"])), "outcomes": outcomes})
        return sorted(out, key=lambda p: p["label"])

    def references(self) -> list[dict[str, Any]]:
        out = []
        for r in self.guide.subjects(RDF.type, T.Reference):
            links = [{"text": _text(self.cur, x, DCTERMS.identifier) or str(x), "href": str(x)} for x in self.cur.objects(r, RDFS.seeAlso)]
            out.append({
                "number": _required_int(self.guide, r, T.referenceNumber),
                "title": _text(self.guide, r, DCTERMS.title),
                "host": _text(self.guide, r, T.hostAsGiven),
                "status": _text(self.cur, r, T.verificationStatus),
                "authors": _text(self.cur, r, T.authorList),
                "journal": _text(self.cur, r, T.journal),
                "year": _text(self.cur, r, DCTERMS.date),
                "links": sorted(links, key=lambda x: x["text"]),
                "note": _text(self.cur, r, RDFS.comment),
                "findings": self.findings_for(r),
            })
        return sorted(out, key=lambda r: r["number"])

    def _source_level(self, node: Node) -> str:
        """The level of the best source a context item rests on ('primary source', ...), or ''."""
        level = self.ctx.value(node, T.sourceLevel)
        return self._label(level) if level is not None else ""

    def context(self) -> dict[str, Any]:
        c = self.ctx
        assays: list[dict[str, Any]] = []
        for a in c.subjects(RDF.type, T.Assay):
            terms: list[dict[str, str]] = []
            for pred, name in ((SKOS.exactMatch, "exact"), (SKOS.closeMatch, "close"), (SKOS.broadMatch, "broad")):
                for x in c.objects(a, pred):
                    terms.append({"curie": _text(c, x, DCTERMS.identifier), "label": _text(c, x, RDFS.label), "iri": str(x), "strength": name})
            assays.append({"label": self._label(a), "terms": sorted(terms, key=lambda t: t["curie"]),
                           "detects": sorted(self._label(p) for p in c.objects(a, T.detectsProtein)),
                           "sources": sorted(str(s) for s in c.objects(a, DCTERMS.source)), "note": _text(c, a, RDFS.comment)})
        drugs: list[dict[str, Any]] = []
        for d in set(c.subjects(RDF.type, T.Drug)) | set(c.subjects(RDF.type, T.TRKInhibitor)):
            approvals: list[dict[str, Any]] = []
            for ap in c.subjects(T.approvedDrug, d):
                approvals.append({"date": _text(c, ap, T.approvalDate), "agency": _text(c, ap, T.agency),
                                  "action": _text(c, ap, T.approvalAction), "population": _text(c, ap, T.approvedPopulation),
                                  "indication": ", ".join(sorted(self._label(i) for i in c.objects(ap, T.indication))),
                                  "sources": sorted(str(s) for s in c.objects(ap, DCTERMS.source)),
                                  "level": self._source_level(ap)})
            drugs.append({"label": self._label(d), "trk": (d, RDF.type, T.TRKInhibitor) in c,
                          "brand": _text(c, d, T.brandName), "code": _text(c, d, T.developmentCode),
                          "ids": sorted(({"curie": _text(c, x, DCTERMS.identifier), "iri": str(x)} for x in c.objects(d, SKOS.exactMatch)), key=lambda x: x["curie"]),
                          "inhibits": sorted(self._label(p) for p in c.objects(d, T.inhibits)),
                          "other_targets": _text(c, d, T.otherTargetsVerbatim), "note": _text(c, d, RDFS.comment),
                          "sources": sorted(str(s) for s in c.objects(d, DCTERMS.source)),
                          "level": self._source_level(d),
                          "approvals": sorted(approvals, key=lambda a: a["date"])})
        drugs.sort(key=lambda d: (not d["trk"], min((a["date"] for a in d["approvals"]), default="9999"), d["label"]))
        return {"assays": sorted(assays, key=lambda a: a["label"]), "drugs": drugs}


# ---------------------------------------------------------------------------------- pictures
def _svg(fig: Figure) -> str:
    """The figure as inline SVG text: no XML prolog, no date, fixed ids."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    text = buf.getvalue()
    start = text.index("<svg")
    return text[start:].strip()


def _rc() -> dict[RcKeyType, Any]:
    return {"svg.hashsalt": "ntrk-kg", "svg.fonttype": "none", "font.family": "sans-serif", "font.size": 9}


def fusion_network_svg(fusions: list[dict[str, Any]]) -> str:
    """A bipartite picture: 5' partner genes on the left, arrows to their 3' NTRK genes on the right."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import rc_context
    from matplotlib.figure import Figure

    threes = sorted({f["three"] for f in fusions})
    partners = [f["five"] for f in sorted(fusions, key=lambda f: (threes.index(f["three"]), f["five"]))]
    with rc_context(_rc()):
        height = max(2.5, 0.36 * len(partners) + 0.6)
        fig = Figure(figsize=(6.4, height))
        ax = fig.add_axes((0.02, 0.02, 0.96, 0.96))
        ax.set_axis_off()
        n = len(partners)
        py = {p: n - 1 - i for i, p in enumerate(partners)}
        ty: dict[str, float] = {}
        for t in threes:
            ys = [py[f["five"]] for f in fusions if f["three"] == t]
            ty[t] = sum(ys) / len(ys)
        for f in fusions:
            ax.annotate("", xy=(0.72, ty[f["three"]]), xytext=(0.28, py[f["five"]]),
                        arrowprops={"arrowstyle": "-|>", "color": "#5b6b7a", "lw": 1.1, "shrinkA": 4, "shrinkB": 26})
        for p, y in py.items():
            ax.text(0.26, y, p, ha="right", va="center", fontsize=10,
                    bbox={"boxstyle": "round,pad=0.3", "fc": "#e8f0f8", "ec": "#7a9cc0"})
        for t, mid in ty.items():
            ax.text(0.74, mid, t, ha="left", va="center", fontsize=11, fontweight="bold",
                    bbox={"boxstyle": "round,pad=0.35", "fc": "#fdf0dc", "ec": "#d08a2c"})
        ax.text(0.26, n - 0.3, "5' partner", ha="right", va="bottom", fontsize=8, color="#5b6b7a")
        ax.text(0.74, n - 0.3, "3' partner (kinase domain)", ha="left", va="bottom", fontsize=8, color="#5b6b7a")
        ax.set_xlim(0, 1)
        ax.set_ylim(-0.7, n + 0.2)
        return _svg(fig)


def prevalence_chart_svg(rows: list[dict[str, Any]]) -> str:
    """Table 1 on a log scale from 0.1% to 100%: ranges as bars, points as markers, open bounds as arrows."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import rc_context
    from matplotlib.figure import Figure

    lo_axis, hi_axis = 0.1, 100.0
    colours = {1: "#c0392b", 2: "#d68910", 3: "#2e86c1"}
    with rc_context(_rc()):
        fig = Figure(figsize=(8.0, 0.32 * len(rows) + 1.0))
        ax = fig.add_axes((0.47, 0.12, 0.5, 0.85))
        ax.set_xscale("log")
        ax.set_xlim(lo_axis, hi_axis)
        ax.set_ylim(len(rows) - 0.5, -0.5)
        ax.set_yticks(range(len(rows)))
        # long row labels wrap onto two lines, so none is cut off at the figure's left edge
        ax.set_yticklabels(["\n".join(textwrap.wrap(f"{r['label']}  {r['value']}" + ("  (!)" if r.get("out_of_band") else ""), 44))
                            for r in rows], fontsize=7.5)
        ax.set_xticks([0.1, 0.3, 1, 3, 10, 30, 100])
        ax.set_xticklabels(["0.1%", "0.3%", "1%", "3%", "10%", "30%", "100%"])
        ax.set_xlabel("share of cases with an NTRK fusion (log scale)")
        ax.grid(axis="x", which="major", color="#dddddd", lw=0.6)
        for i, r in enumerate(rows):
            c = colours.get(r["band_order"], "#555555")
            if r.get("out_of_band"):
                # a value outside the band the guide lists it under: shaded across the whole row,
                # with its label marked, so it cannot pass for a row that fits its band
                ax.axhspan(i - 0.45, i + 0.45, color="#f2d7d5", zorder=0)
                ax.text(hi_axis * 0.97, i, "outside its band", ha="right", va="center", fontsize=7,
                        color="#922b21", fontstyle="italic")
            lo, hi, pt = r["lower"], r["upper"], r["point"]
            if lo is not None and hi is not None:
                ax.plot([lo, hi], [i, i], color=c, lw=6, solid_capstyle="butt")
                ax.plot([lo, hi], [i, i], linestyle="none", marker="|", color=c, markersize=9, mew=1.5)
            elif lo is not None:
                ax.annotate("", xy=(hi_axis, i), xytext=(lo, i), arrowprops={"arrowstyle": "-|>", "color": c, "lw": 2})
                ax.plot([lo], [i], marker="|", color=c, markersize=9, mew=2)
            elif hi is not None:
                ax.annotate("", xy=(lo_axis, i), xytext=(hi, i), arrowprops={"arrowstyle": "-|>", "color": c, "lw": 2})
                ax.plot([hi], [i], marker="|", color=c, markersize=9, mew=2)
            if pt is not None:
                ax.plot([pt], [i], marker="D" if r["approximate"] else "o", color=c, markersize=6,
                        markerfacecolor="white" if r["approximate"] else c)
        return _svg(fig)


# ---------------------------------------------------------------------------------- page
def context_for(ds: Dataset) -> dict[str, Any]:
    """Everything the template shows, as plain values."""
    if not any(True for _ in ds.graph(iris.GUIDE_GRAPH).subjects(RDF.type, T.Guide)):
        raise UsageError(
            f"the input holds no guide in the named graph {iris.GUIDE_GRAPH}; give a build's N-Quads or TriG "
            "(formats that keep named graphs), e.g. 'ntrk-kg report --build build'"
        )
    rd = _Reader(ds)
    prevalence = rd.prevalence()
    table1 = [r for r in prevalence if r["row"] is not None]
    fusions = rd.fusions()
    return {
        "doc": rd.document(),
        "genes": rd.genes(),
        "fusions": fusions,
        "fusion_svg": fusion_network_svg(fusions),
        # findings about the table's rows, shown once above it (each row links to them)
        "fusion_findings": sorted({f.key: f for r in fusions for f in r["findings"]}.values(),
                                  key=lambda f: (SEVERITY_ORDER.get(f.severity, 9), f.key)),
        "table1": table1,
        "prose_prevalence": [r for r in prevalence if r["row"] is None],
        "prevalence_svg": prevalence_chart_svg(table1),
        "statements": rd.statements(),
        "pathways": rd.pathways(),
        "references": rd.references(),
        "context": rd.context(),
        "findings": rd.findings,
        "counts": {s: sum(1 for f in rd.findings if f.severity == s) for s in SEVERITY_ORDER},
        "toc": SECTIONS,
    }


def render(ds: Dataset) -> str:
    """The report page for ``ds`` as HTML text (identical for identical datasets)."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return env.get_template(TEMPLATE).render(**context_for(ds))
