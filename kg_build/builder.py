"""Turn checked curated tables into an RDF dataset with named graphs (guide, curation, metadata, ontology)."""

from __future__ import annotations

from rdflib import OWL, RDF, RDFS, BNode, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, SKOS
from rdflib.term import Node

from kg_build import __version__, catalogue, iris
from kg_build.catalogue_rdf import add_catalogue
from kg_build.curation import STATEMENT_KINDS, Curated, fusion_key
from kg_build.paths import DATA_DIR
from kg_build.prefixes import namespaces
from kg_build.sssom import mapping_rows
from kg_build.tables import Row
from kg_build.literals import add_range, boolean, date, decimal, integer
from kg_build.values import Range
from kg_build.vocab import T, ontology_graph

SCHEMA = Namespace("http://schema.org/")


def _refs(row: Row) -> list[str]:
    return [n for n in row["references"].split("|") if n.strip()]


class _Builder:
    def __init__(self, cur: Curated) -> None:
        self.cur = cur
        self.ds = Dataset()
        for prefix, ns in namespaces().items():
            self.ds.bind(prefix, ns, override=True, replace=True)
        self.guide = self.ds.graph(iris.GUIDE_GRAPH)
        self.curation = self.ds.graph(iris.CURATION_GRAPH)
        self.metadata = self.ds.graph(iris.METADATA_GRAPH)
        self.ontology = self.ds.graph(iris.ONTOLOGY_GRAPH)
        self.genes = {r["symbol"]: iris.curie(r["hgnc_id"]) for r in cur["genes"]}
        self.proteins = {r["symbol"]: iris.curie(r["uniprot_id"]) for r in cur["proteins"]}

    # -- helpers ---------------------------------------------------------------------------
    def _statement(self, g: Graph, node: URIRef, cls: URIRef, row: Row, label: str) -> None:
        doc = row["document"]
        g.add((node, RDF.type, cls))
        g.add((node, RDF.type, T.Statement))
        g.add((node, RDFS.label, Literal(label)))
        g.add((node, T.statedIn, iris.guide(doc)))
        g.add((node, T.inSection, iris.section(doc, row["section"])))
        refs = _refs(row)
        for n in refs:
            g.add((node, T.citesReference, iris.reference(doc, n)))
        if not refs:
            g.add((node, T.isUncited, boolean(True)))

    def _range(self, g: Graph, node: URIRef, value: Range) -> None:
        g.add((node, T.verbatimValue, Literal(value.verbatim)))
        add_range(g, node, value)

    def _xref(self, g: Graph, subject: URIRef, curie: str, label: str = "") -> URIRef:
        target = iris.curie(curie)
        g.add((target, DCTERMS.identifier, Literal(curie)))
        if label:
            g.add((target, RDFS.label, Literal(label)))
        return target

    # -- tables ------------------------------------------------------------------------------
    def documents(self) -> None:
        g = self.guide
        for r in self.cur["documents"]:
            node = iris.guide(r["key"])
            g.add((node, RDF.type, T.Guide))
            g.add((node, RDFS.label, Literal(r["title"])))
            g.add((node, DCTERMS.title, Literal(r["title"])))
            g.add((node, DCTERMS.creator, Literal(r["author"])))
            g.add((node, DCTERMS.publisher, Literal(r["publisher"])))
            g.add((node, T.dateVerbatim, Literal(r["date_verbatim"])))
            g.add((node, DCTERMS.date, date(r["date"])))
            g.add((node, SCHEMA.url, URIRef(r["url"])))
            if r["catalogue_number"]:
                g.add((node, T.catalogueNumber, Literal(r["catalogue_number"])))
            if r["compound_verbatim"]:
                g.add((node, T.compoundOfInterestVerbatim, Literal(r["compound_verbatim"])))
            if r["audience"]:
                g.add((node, T.audienceVerbatim, Literal(r["audience"])))
        for r in self.cur["sections"]:
            node = iris.section(r["document"], r["key"])
            g.add((node, RDF.type, T.GuideSection))
            g.add((node, RDFS.label, Literal(r["heading"])))
            g.add((node, T.order, integer(r["order"])))
            g.add((node, T.statedIn, iris.guide(r["document"])))
            if r["parent"]:
                g.add((node, T.parentSection, iris.section(r["document"], r["parent"])))

    def references(self) -> None:
        g, c = self.guide, self.curation
        for r in self.cur["references"]:
            node = iris.reference(r["document"], r["number"])
            g.add((node, RDF.type, T.Reference))
            title = r["title_as_given"]
            g.add((node, RDFS.label, Literal(f"[{r['number']}] {title or r['host_as_given']}")))
            g.add((node, T.referenceNumber, integer(r["number"])))
            g.add((node, T.statedIn, iris.guide(r["document"])))
            g.add((node, T.hostAsGiven, Literal(r["host_as_given"])))
            if title:
                g.add((node, DCTERMS.title, Literal(title)))
            c.add((node, T.verificationStatus, Literal(r["status"])))
            if r["authors"]:
                c.add((node, T.authorList, Literal("; ".join(a.strip() for a in r["authors"].split("|")))))
            if r["journal"]:
                c.add((node, T.journal, Literal(r["journal"])))
            if r["year"]:
                c.add((node, DCTERMS.date, date(r["year"])))
            for col, prop in (("doi", T.doi), ("pmid", T.pmid), ("pmcid", T.pmcid)):
                if r[col]:
                    c.add((node, prop, Literal(r[col].split(":", 1)[1])))
                    c.add((node, RDFS.seeAlso, self._xref(c, node, r[col])))
            if r["url"]:
                c.add((node, RDFS.seeAlso, URIRef(r["url"])))
            if r["note"]:
                c.add((node, RDFS.comment, Literal(r["note"])))

    def genes_and_proteins(self) -> None:
        g, c = self.guide, self.curation
        for r in self.cur["genes"]:
            node = self.genes[r["symbol"]]
            g.add((node, RDF.type, T.Gene))
            if r["role"] == "ntrk":
                g.add((node, RDF.type, T.NTRKGene))
            g.add((node, RDFS.label, Literal(r["symbol"])))
            g.add((node, T.symbol, Literal(r["symbol"])))
            c.add((node, DCTERMS.identifier, Literal(r["hgnc_id"])))
            c.add((node, T.approvedName, Literal(r["approved_name"])))
            c.add((node, DCTERMS.source, Literal(r["source"])))
            for alias in r["aliases"].split("|"):
                if alias:
                    c.add((node, SKOS.altLabel, Literal(alias)))
            for prev in r["previous_symbols"].split("|"):
                if prev:
                    c.add((node, T.previousSymbol, Literal(prev)))
            for col, prop in (("cytoband", T.cytoband), ("mane_select_ensembl", T.maneSelectEnsembl),
                              ("mane_select_refseq", T.maneSelectRefSeq)):
                if r[col]:
                    c.add((node, prop, Literal(r[col])))
        for r in self.cur["proteins"]:
            node = self.proteins[r["symbol"]]
            g.add((node, RDF.type, T.TRKReceptor))
            g.add((node, RDFS.label, Literal(r["symbol"])))
            g.add((node, T.symbol, Literal(r["symbol"])))
            g.add((self.genes[r["gene"]], T.encodes, node))
            c.add((node, DCTERMS.identifier, Literal(r["uniprot_id"])))
            c.add((node, DCTERMS.source, Literal(r["source"])))
            if r["name"]:
                c.add((node, SKOS.altLabel, Literal(r["name"])))

    def pathways_and_processes(self) -> None:
        g = self.guide
        for r in self.cur["pathways"]:
            node = iris.pathway(r["key"])
            g.add((node, RDF.type, T.Pathway))
            g.add((node, RDFS.label, Literal(r["label"])))
            for col in ("label_verbatim", "short_verbatim"):
                if r[col]:
                    g.add((node, T.verbatimLabel, Literal(r[col])))
        for r in self.cur["processes"]:
            node = iris.process(r["key"])
            g.add((node, RDF.type, T.ActivationStep if r["kind"] == "activation-step" else T.CellularOutcome))
            g.add((node, RDFS.label, Literal(r["label"])))
            g.add((node, T.verbatimLabel, Literal(r["label_verbatim"])))
            if r["order"]:
                g.add((node, T.order, integer(r["order"])))

    def tumour_types(self) -> None:
        g, c = self.guide, self.curation
        for r in self.cur["tumour_types"]:
            node = iris.tumour_type(r["key"])
            g.add((node, RDF.type, T.TumourType))
            g.add((node, RDFS.label, Literal(r["label"])))
            if r["note"]:
                c.add((node, RDFS.comment, Literal(r["note"])))
        for r in self.cur["populations"]:
            self._xref(c, iris.curie(r["curie"]), r["curie"], r["label"])

    def mappings(self) -> None:
        """The mapping set (curated mappings and HGNC's gene cross-references) as triples."""
        c = self.curation
        for m in mapping_rows(self.cur):
            subject = iris.curie(m.subject_id)
            target = self._xref(c, subject, m.object_id, m.object_label)
            c.add((subject, iris.curie(m.predicate_id), target))

    def prevalence(self) -> None:
        g = self.guide
        for b in self.cur["bands"]:
            node = iris.band(b["document"], b["key"])
            g.add((node, RDF.type, T.PrevalenceBand))
            g.add((node, RDFS.label, Literal(b["heading_verbatim"])))
            g.add((node, T.order, integer(b["order"])))
            g.add((node, T.statedIn, iris.guide(b["document"])))
            self._range(g, node, self.cur.band_values[f"{b['document']}/{b['key']}"])
        for r in self.cur["prevalence"]:
            doc = r["document"]
            node = iris.statement(doc, f"prevalence-{r['key']}")
            value = self.cur.prevalence_values[f"{doc}/{r['key']}"]
            self._statement(g, node, T.PrevalenceStatement, r, f"{r['label_verbatim']}: {value.verbatim}")
            g.add((node, T.tumourType, iris.tumour_type(r["tumour_type"])))
            g.add((node, T.verbatimLabel, Literal(r["label_verbatim"])))
            self._range(g, node, value)
            if r["row"]:
                g.add((node, T.rowNumber, integer(r["row"])))
            if r["band"]:
                band = iris.band(doc, r["band"])
                g.add((node, T.inBand, band))
            if r["population"]:
                g.add((node, T.population, iris.curie(r["population"])))

    def fusions(self) -> None:
        g = self.guide
        pathways = [iris.pathway(r["key"]) for r in self.cur["pathways"]]
        for r in self.cur["fusions"]:
            five, three, doc = r["five_prime"], r["three_prime"], r["document"]
            key = fusion_key(five, three)
            node = iris.fusion(key)
            label = f"{five}::{three}"
            g.add((node, RDF.type, T.GeneFusion))
            g.add((node, RDFS.label, Literal(label)))
            g.add((node, T.fivePrimePartner, self.genes[five]))
            g.add((node, T.threePrimePartner, self.genes[three]))
            g.add((node, T.kinaseDomainFrom, self.genes[three]))
            protein = iris.fusion_protein(key)
            g.add((node, T.encodesFusionProtein, protein))
            g.add((protein, RDF.type, T.FusionProtein))
            g.add((protein, RDFS.label, Literal(f"{label} fusion protein")))
            g.add((protein, T.isConstitutivelyActive, boolean(True)))
            g.add((protein, T.isLigandIndependent, boolean(True)))
            for p in pathways:
                g.add((protein, T.activatesPathway, p))
            st = iris.statement(doc, f"fusion-partner-{key}")
            self._statement(g, st, T.FusionPartnerStatement, r, f"{three} has the common fusion partner {five} ({label})")
            g.add((st, T.about, node))
            g.add((st, T.verbatimLabel, Literal(three)))
            g.add((st, T.verbatimValue, Literal(five)))
            g.add((st, T.rowNumber, integer(r["row"])))
            g.add((st, T.order, integer(r["position"])))

    def statements(self) -> None:
        g = self.guide
        resolve = {
            "gene": lambda k: self.genes[k],
            "protein": lambda k: self.proteins[k],
            "tumour": iris.tumour_type,
            "pathway": iris.pathway,
            "fusion": lambda k: iris.fusion(fusion_key(*k.split("::"))),
        }
        for r in self.cur["statements"]:
            node = iris.statement(r["document"], r["key"])
            self._statement(g, node, T[STATEMENT_KINDS[r["kind"]]], r, r["comment"])
            g.add((node, RDFS.comment, Literal(r["comment"])))
            about = []
            for ref in r["about"].split():
                kind, _, key = ref.partition(":")
                about.append(resolve[kind](key))
                g.add((node, T.about, about[-1]))
            for k in r["pathways"].split():
                g.add((node, T.involvesPathway, iris.pathway(k)))
            for k in r["outcomes"].split():
                g.add((node, T.involvesOutcome, iris.process(k)))
            for k in r["steps"].split():
                g.add((node, T.hasStep, iris.process(k)))
            for p in r["populations"].split():
                g.add((node, T.population, iris.curie(p)))
            if r["subject_verbatim"]:
                g.add((node, T.verbatimSubject, Literal(r["subject_verbatim"])))
            if r["value_verbatim"]:
                g.add((node, T.verbatimValue, Literal(r["value_verbatim"])))
            # A signalling statement about receptors states that they activate its pathways,
            # and that those pathways drive its outcomes.
            if r["kind"] == "signalling":
                for subject in about:
                    if subject in self.proteins.values():
                        for k in r["pathways"].split():
                            g.add((subject, T.activatesPathway, iris.pathway(k)))
                for k in r["pathways"].split():
                    for o in r["outcomes"].split():
                        g.add((iris.pathway(k), T.drivesOutcome, iris.process(o)))

    def describe(self) -> None:
        m = self.metadata
        m.parse(DATA_DIR / "metadata.ttl", format="turtle")
        m.add((iris.DATASET, OWL.versionInfo, Literal(__version__)))
        for r in self.cur["documents"]:
            m.add((iris.DATASET, DCTERMS.source, iris.guide(r["key"])))
        add_catalogue(m, catalogue.load())
        for triple in ontology_without_class_expressions():
            self.ontology.add(triple)

    def build(self) -> Dataset:
        self.documents()
        self.references()
        self.genes_and_proteins()
        self.pathways_and_processes()
        self.tumour_types()
        self.mappings()
        self.prevalence()
        self.fusions()
        self.statements()
        self.describe()
        return self.ds


def ontology_without_class_expressions() -> list[tuple[Node, Node, Node]]:
    """The ontology's triples that hold no blank node: declarations, labels, definitions, the named
    class and property hierarchy, domains, ranges and pairwise disjointness.

    OWL class expressions (the defined classes' restrictions) are blank nodes by the OWL 2 RDF
    mapping; the dataset holds no blank node (a reload would duplicate them), so they stay in the
    full ontology, which the build writes beside the graph (``ntrk-kg-ontology.ttl``).
    """
    return [t for t in ontology_graph() if not any(isinstance(x, BNode) for x in t)]


def build_dataset(cur: Curated) -> Dataset:
    """Build the dataset from checked curated tables: one named graph per layer, no blank nodes."""
    from kg_build import context, factcheck

    ds = _Builder(cur).build()
    factcheck.add_curated_findings(ds, cur)
    context.add_context(ds, cur)
    return ds
