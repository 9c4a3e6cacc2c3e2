"""Turn checked curated tables into quads, one named graph per layer, streamed as N-Quads text.

The per-row tables (genes, references, tumour types, mappings, prevalence, fusions, statements)
are written straight into a :class:`kg_build.build.quads.QuadSink` as N-Triples terms, without building
an in-memory graph, so a build holds one line of text per quad however large the tables grow.
The small fixed layers (dataset description, query catalogue, ontology, fact check, context)
are built with rdflib and added as lines. :func:`build_dataset` gives the same graph as an rdflib
``Dataset`` for the guide-size tools (reasoner, pySHACL, tests).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, lru_cache

from rdflib import OWL, BNode, Dataset, Literal
from rdflib.namespace import DCTERMS
from rdflib.term import Node

from kg_build import __version__
from kg_build.build.checks import check_terms
from kg_build.build.layers.catalogue import add_catalogue
from kg_build.build.layers.factcheck import add_range_text
from kg_build.build.quads import QuadSink
from kg_build.build.sssom import mapping_rows
from kg_build.curation.curated import STATEMENT_KINDS, Curated, fusion_key
from kg_build.curation.tables import Row
from kg_build.curation.values import Range
from kg_build.query import catalogue
from kg_build.rdf import iris
from kg_build.rdf import ntriples as nt
from kg_build.rdf.prefixes import expand
from kg_build.rdf.vocab import NT, ontology_graph
from kg_build.rdf.xsd import date_datatype
from kg_build.resources import DATA_DIR
from kg_build.tsv import split_list

RDF_TYPE = nt.iri("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
LABEL, COMMENT, SEE_ALSO = (nt.iri(RDFS + x) for x in ("label", "comment", "seeAlso"))
DCT = "http://purl.org/dc/terms/"
DCT_TITLE, DCT_CREATOR, DCT_PUBLISHER, DCT_DATE, DCT_IDENTIFIER, DCT_SOURCE = (
    nt.iri(DCT + x) for x in ("title", "creator", "publisher", "date", "identifier", "source")
)
SKOS_ALT_LABEL = nt.iri("http://www.w3.org/2004/02/skos/core#altLabel")
SCHEMA_URL = nt.iri("https://schema.org/url")


def _refs(row: Row) -> list[str]:
    return split_list(row["references"])


@cache
def _curie(value: str) -> str:
    """The N-Triples IRI of a curated CURIE (checked beforehand by ``curation.load``)."""
    iri = expand(value)
    if iri is None:
        raise ValueError(f"unknown prefix in {value!r}")
    return nt.iri(iri)


def _iri(iri: str) -> str:
    """An IRI minted by :mod:`kg_build.rdf.iris`, as N-Triples text."""
    return f"<{iri}>"


@lru_cache(maxsize=4096)
def _integer(text: str) -> str:
    return nt.typed(str(int(text)), "integer")


@lru_cache(maxsize=4096)
def _date(text: str) -> str:
    return nt.typed(text, date_datatype(text))


class _Builder:
    def __init__(self, cur: Curated, sink: QuadSink) -> None:
        self.cur = cur
        self.sink = sink
        self.guide = sink.graph(iris.GUIDE_GRAPH)
        self.curation = sink.graph(iris.CURATION_GRAPH)
        self.genes = {r["symbol"]: _curie(r["hgnc_id"]) for r in cur["genes"]}
        self.proteins = {r["symbol"]: _curie(r["uniprot_id"]) for r in cur["proteins"]}
        self.docs: dict[str, str] = {}

    # -- helpers ---------------------------------------------------------------------------
    def _doc(self, key: str) -> str:
        node = self.docs.get(key)
        if node is None:
            node = self.docs[key] = _iri(iris.guide(key))
        return node

    def _statement(self, node: str, cls: str, row: Row, label: str) -> None:
        add, doc = self.guide.add, row["document"]
        add(node, RDF_TYPE, cls)
        add(node, RDF_TYPE, NT.Statement)
        add(node, LABEL, nt.literal(label))
        add(node, NT.statedIn, self._doc(doc))
        add(node, NT.inSection, _iri(iris.section(doc, row["section"])))
        refs = _refs(row)
        for n in refs:
            add(node, NT.citesReference, _iri(iris.reference(doc, n)))
        if not refs:
            add(node, NT.isUncited, nt.TRUE)

    def _range(self, node: str, value: Range) -> None:
        """The verbatim value, parsed bounds, point estimate and approximate flag (percent of cases)."""
        self.guide.add(node, NT.verbatimValue, nt.literal(value.verbatim))
        add_range_text(self.guide.add, node, value)

    def _xref(self, curie: str, label: str = "") -> str:
        target = _curie(curie)
        self.curation.add(target, DCT_IDENTIFIER, nt.literal(curie))
        if label:
            self.curation.add(target, LABEL, nt.literal(label))
        return target

    # -- tables ------------------------------------------------------------------------------
    def documents(self) -> None:
        add = self.guide.add
        for r in self.cur["documents"]:
            node = self._doc(r["key"])
            add(node, RDF_TYPE, NT.Guide)
            add(node, LABEL, nt.literal(r["title"]))
            add(node, DCT_TITLE, nt.literal(r["title"]))
            add(node, DCT_CREATOR, nt.literal(r["author"]))
            add(node, DCT_PUBLISHER, nt.literal(r["publisher"]))
            add(node, NT.dateVerbatim, nt.literal(r["date_verbatim"]))
            add(node, DCT_DATE, _date(r["date"]))
            add(node, SCHEMA_URL, nt.iri(r["url"]))
            if r["catalogue_number"]:
                add(node, NT.catalogueNumber, nt.literal(r["catalogue_number"]))
            if r["compound_verbatim"]:
                add(node, NT.compoundOfInterestVerbatim, nt.literal(r["compound_verbatim"]))
            if r["audience"]:
                add(node, NT.audienceVerbatim, nt.literal(r["audience"]))
        for r in self.cur["sections"]:
            node = _iri(iris.section(r["document"], r["key"]))
            add(node, RDF_TYPE, NT.GuideSection)
            add(node, LABEL, nt.literal(r["heading"]))
            add(node, NT.order, _integer(r["order"]))
            add(node, NT.statedIn, self._doc(r["document"]))
            if r["parent"]:
                add(node, NT.parentSection, _iri(iris.section(r["document"], r["parent"])))

    def references(self) -> None:
        add, cadd = self.guide.add, self.curation.add
        for r in self.cur["references"]:
            node = _iri(iris.reference(r["document"], r["number"]))
            add(node, RDF_TYPE, NT.Reference)
            title = r["title_as_given"]
            add(node, LABEL, nt.literal(f"[{r['number']}] {title or r['host_as_given']}"))
            add(node, NT.referenceNumber, _integer(r["number"]))
            add(node, NT.statedIn, self._doc(r["document"]))
            add(node, NT.hostAsGiven, nt.literal(r["host_as_given"]))
            if title:
                add(node, DCT_TITLE, nt.literal(title))
            cadd(node, NT.verificationStatus, nt.literal(r["status"]))
            if r["authors"]:
                cadd(node, NT.authorList, nt.literal("; ".join(split_list(r["authors"]))))
            if r["journal"]:
                cadd(node, NT.journal, nt.literal(r["journal"]))
            if r["year"]:
                cadd(node, DCT_DATE, _date(r["year"]))
            for col, prop in (("doi", NT.doi), ("pmid", NT.pmid), ("pmcid", NT.pmcid)):
                if r[col]:
                    cadd(node, prop, nt.literal(r[col].split(":", 1)[1]))
                    cadd(node, SEE_ALSO, self._xref(r[col]))
            if r["url"]:
                cadd(node, SEE_ALSO, nt.iri(r["url"]))
            if r["note"]:
                cadd(node, COMMENT, nt.literal(r["note"]))

    def genes_and_proteins(self) -> None:
        add, cadd = self.guide.add, self.curation.add
        for r in self.cur["genes"]:
            node = self.genes[r["symbol"]]
            add(node, RDF_TYPE, NT.Gene)
            if r["role"] == "ntrk":
                add(node, RDF_TYPE, NT.NTRKGene)
            add(node, LABEL, nt.literal(r["symbol"]))
            add(node, NT.symbol, nt.literal(r["symbol"]))
            cadd(node, DCT_IDENTIFIER, nt.literal(r["hgnc_id"]))
            cadd(node, NT.approvedName, nt.literal(r["approved_name"]))
            cadd(node, DCT_SOURCE, nt.literal(r["source"]))
            for alias in split_list(r["aliases"]):
                cadd(node, SKOS_ALT_LABEL, nt.literal(alias))
            for prev in split_list(r["previous_symbols"]):
                cadd(node, NT.previousSymbol, nt.literal(prev))
            for col, prop in (("cytoband", NT.cytoband), ("mane_select_ensembl", NT.maneSelectEnsembl),
                              ("mane_select_refseq", NT.maneSelectRefSeq)):
                if r[col]:
                    cadd(node, prop, nt.literal(r[col]))
        for r in self.cur["proteins"]:
            node = self.proteins[r["symbol"]]
            add(node, RDF_TYPE, NT.TRKReceptor)
            add(node, LABEL, nt.literal(r["symbol"]))
            add(node, NT.symbol, nt.literal(r["symbol"]))
            add(self.genes[r["gene"]], NT.encodes, node)
            cadd(node, DCT_IDENTIFIER, nt.literal(r["uniprot_id"]))
            cadd(node, DCT_SOURCE, nt.literal(r["source"]))
            if r["name"]:
                cadd(node, SKOS_ALT_LABEL, nt.literal(r["name"]))

    def pathways_and_processes(self) -> None:
        add = self.guide.add
        for r in self.cur["pathways"]:
            node = _iri(iris.pathway(r["key"]))
            add(node, RDF_TYPE, NT.Pathway)
            add(node, LABEL, nt.literal(r["label"]))
            for col in ("label_verbatim", "short_verbatim"):
                if r[col]:
                    add(node, NT.verbatimLabel, nt.literal(r[col]))
        for r in self.cur["processes"]:
            node = _iri(iris.process(r["key"]))
            add(node, RDF_TYPE, NT.ActivationStep if r["kind"] == "activation-step" else NT.CellularOutcome)
            add(node, LABEL, nt.literal(r["label"]))
            add(node, NT.verbatimLabel, nt.literal(r["label_verbatim"]))
            if r["order"]:
                add(node, NT.order, _integer(r["order"]))

    def tumour_types(self) -> None:
        add, cadd = self.guide.add, self.curation.add
        for r in self.cur["tumour_types"]:
            node = _iri(iris.tumour_type(r["key"]))
            add(node, RDF_TYPE, NT.TumourType)
            add(node, LABEL, nt.literal(r["label"]))
            if r["note"]:
                cadd(node, COMMENT, nt.literal(r["note"]))
        for r in self.cur["populations"]:
            self._xref(r["curie"], r["label"])

    def mappings(self) -> None:
        """The mapping set (curated mappings and HGNC's gene cross-references) as triples."""
        for m in mapping_rows(self.cur):
            target = self._xref(m.object_id, m.object_label)
            self.curation.add(_curie(m.subject_id), _curie(m.predicate_id), target)

    def prevalence(self) -> None:
        add = self.guide.add
        for b in self.cur["bands"]:
            node = _iri(iris.band(b["document"], b["key"]))
            add(node, RDF_TYPE, NT.PrevalenceBand)
            add(node, LABEL, nt.literal(b["heading_verbatim"]))
            add(node, NT.order, _integer(b["order"]))
            add(node, NT.statedIn, self._doc(b["document"]))
            self._range(node, self.cur.band_values[f"{b['document']}/{b['key']}"])
        for r in self.cur["prevalence"]:
            doc = r["document"]
            node = _iri(iris.statement(doc, f"prevalence-{r['key']}"))
            value = self.cur.prevalence_values[f"{doc}/{r['key']}"]
            self._statement(node, NT.PrevalenceStatement, r, f"{r['label_verbatim']}: {value.verbatim}")
            add(node, NT.tumourType, _iri(iris.tumour_type(r["tumour_type"])))
            add(node, NT.verbatimLabel, nt.literal(r["label_verbatim"]))
            self._range(node, value)
            if r["row"]:
                add(node, NT.rowNumber, _integer(r["row"]))
            if r["band"]:
                add(node, NT.inBand, _iri(iris.band(doc, r["band"])))
            if r["population"]:
                add(node, NT.population, _curie(r["population"]))

    def fusions(self) -> None:
        add = self.guide.add
        for r in self.cur["fusions"]:
            five, three, doc = r["five_prime"], r["three_prime"], r["document"]
            key = fusion_key(five, three)
            node = _iri(iris.fusion(key))
            label = f"{five}::{three}"
            add(node, RDF_TYPE, NT.GeneFusion)
            add(node, LABEL, nt.literal(label))
            add(node, NT.fivePrimePartner, self.genes[five])
            add(node, NT.threePrimePartner, self.genes[three])
            add(node, NT.kinaseDomainFrom, self.genes[three])
            protein = _iri(iris.fusion_protein(key))
            add(node, NT.encodesFusionProtein, protein)
            add(protein, RDF_TYPE, NT.FusionProtein)
            add(protein, LABEL, nt.literal(f"{label} fusion protein"))
            # That a TRK fusion protein is constitutively active, ligand independent and activates
            # the downstream pathways is what the guide says of such proteins in general: the
            # ontology states it once, for the class ntrk:FusionProtein, not for each fusion here.
            st = _iri(iris.statement(doc, f"fusion-partner-{key}"))
            # The table heads its rows "Common Fusion Partners"; that is the guide's claim (see the
            # finding fusion-partners-called-common), so the label says only what the row lists.
            self._statement(st, NT.FusionPartnerStatement, r, f"The guide lists {five} as a fusion partner of {three} ({label})")
            add(st, NT.about, node)
            add(st, NT.verbatimLabel, nt.literal(three))
            add(st, NT.verbatimValue, nt.literal(five))
            add(st, NT.rowNumber, _integer(r["row"]))
            add(st, NT.order, _integer(r["position"]))

    def statements(self) -> None:
        add = self.guide.add
        resolve: dict[str, Callable[[str], str]] = {
            "gene": lambda k: self.genes[k],
            "protein": lambda k: self.proteins[k],
            "tumour": lambda k: _iri(iris.tumour_type(k)),
            "pathway": lambda k: _iri(iris.pathway(k)),
            "fusion": lambda k: _iri(iris.fusion(fusion_key(*k.split("::")))),
        }
        proteins = set(self.proteins.values())
        for r in self.cur["statements"]:
            node = _iri(iris.statement(r["document"], r["key"]))
            self._statement(node, NT[STATEMENT_KINDS[r["kind"]]], r, r["comment"])
            add(node, COMMENT, nt.literal(r["comment"]))
            about = []
            for ref in r["about"].split():
                kind, _, key = ref.partition(":")
                about.append(resolve[kind](key))
                add(node, NT.about, about[-1])
            for k in r["pathways"].split():
                add(node, NT.involvesPathway, _iri(iris.pathway(k)))
            for k in r["outcomes"].split():
                add(node, NT.involvesOutcome, _iri(iris.process(k)))
            for k in r["steps"].split():
                add(node, NT.hasStep, _iri(iris.process(k)))
            for p in r["populations"].split():
                add(node, NT.population, _curie(p))
            if r["subject_verbatim"]:
                add(node, NT.verbatimSubject, nt.literal(r["subject_verbatim"]))
            if r["value_verbatim"]:
                add(node, NT.verbatimValue, nt.literal(r["value_verbatim"]))
            # A signalling statement about receptors states that they activate its pathways,
            # and that those pathways drive its outcomes.
            if r["kind"] == "signalling":
                for subject in about:
                    if subject in proteins:
                        for k in r["pathways"].split():
                            add(subject, NT.activatesPathway, _iri(iris.pathway(k)))
                for k in r["pathways"].split():
                    for o in r["outcomes"].split():
                        add(_iri(iris.pathway(k)), NT.drivesOutcome, _iri(iris.process(o)))

    def fixed_layers(self) -> None:
        """The dataset description, query catalogue, ontology, fact check and context graphs."""
        from kg_build.build.layers import context, factcheck

        ds = Dataset()
        m = ds.graph(iris.METADATA_GRAPH)
        m.parse(DATA_DIR / "metadata.ttl", format="turtle")
        m.add((iris.DATASET, OWL.versionInfo, Literal(__version__)))
        for r in self.cur["documents"]:
            m.add((iris.DATASET, DCTERMS.source, iris.guide(r["key"])))
        add_catalogue(m, catalogue.load())
        onto = ds.graph(iris.ONTOLOGY_GRAPH)
        for triple in ontology_without_class_expressions():
            onto.add(triple)
        factcheck.add_curated_findings(ds, self.cur)
        context.add_context(ds, self.cur)
        check_terms(ds)
        self.sink.add_lines(dataset_lines(ds))

    def build(self) -> QuadSink:
        self.documents()
        self.references()
        self.genes_and_proteins()
        self.pathways_and_processes()
        self.tumour_types()
        self.mappings()
        self.prevalence()
        self.fusions()
        self.statements()
        self.fixed_layers()
        return self.sink


def dataset_lines(ds: Dataset) -> list[str]:
    """The quads of an rdflib dataset (named graphs only) as N-Quads lines."""
    data = ds.serialize(format="nquads", encoding="utf-8").decode("utf-8")
    return [line + "\n" for line in data.splitlines() if line.strip()]


def ontology_without_class_expressions() -> list[tuple[Node, Node, Node]]:
    """The ontology's triples that hold no blank node: declarations, labels, definitions, the named
    class and property hierarchy, domains, ranges and pairwise disjointness.

    OWL class expressions (the defined classes' restrictions) are blank nodes by the OWL 2 RDF
    mapping; the dataset holds no blank node (a reload would duplicate them), so they stay in the
    full ontology, which the build writes beside the graph (``ntrk-kg-ontology.ttl``).
    """
    return [t for t in ontology_graph() if not any(isinstance(x, BNode) for x in t)]


def build_quads(cur: Curated, sink: QuadSink | None = None) -> QuadSink:
    """Stream the graph of checked curated tables into ``sink`` (a new one by default)."""
    try:
        return _Builder(cur, sink or QuadSink()).build()
    finally:
        _curie.cache_clear()  # one entry per identifier of the tables: let them go with the tables


def build_dataset(cur: Curated) -> Dataset:
    """Build the graph as an rdflib ``Dataset`` (named graphs, no blank nodes), for guide-size tools."""
    from kg_build.rdf.io import dataset_from_nquads

    return dataset_from_nquads("".join(build_quads(cur).sorted_lines()))
