"""Every fact of the guide is in the built graph, with exactly the values the guide states.

These goldens are the guide's own values (and the verified identifiers of the reference tables);
a test fails if any fact is missing, changed or added.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from rdflib import Dataset

ID = "https://w3id.org/ntrk-kg/id/"
STMT = ID + "guide/ntrk-guide/statement/"
PREFIXES = """
PREFIX ntrk: <https://w3id.org/ntrk-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""


def rows(ds: Dataset, query: str) -> list[tuple[object, ...]]:
    result = ds.query(PREFIXES + query)
    return [tuple(None if v is None else v.toPython() for v in r) for r in result]


def D(x: str) -> Decimal:
    return Decimal(x)


# row, label as written, band, value as written, lower, lower incl., upper, upper incl., point,
# approximate, references, population
TABLE_1 = [
    (1, "Infantile Fibrosarcoma", "high", ">90%", D("90"), False, None, None, None, False, "1", None),
    (2, "Secretory Carcinoma of the Breast", "high", ">90%", D("90"), False, None, None, None, False, "1", None),
    (3, "Mammary Analogue Secretory Carcinoma (MASC) of the Salivary Gland", "high", ">90%", D("90"), False, None, None, None, False, "1", None),
    (4, "Congenital Mesoblastic Nephroma", "high", ">83%", D("83"), False, None, None, None, False, "1", None),
    (5, "Papillary Thyroid Cancer (pediatric)", "intermediate", "~26%", None, None, None, None, D("26"), True, "1", "HP_0410280"),
    (6, "Spitzoid Neoplasms", "intermediate", "~16%", None, None, None, None, D("16"), True, "1", None),
    (7, "Soft Tissue Sarcoma", "low", "0.57% - 3.0%", D("0.57"), True, D("3.0"), True, None, False, "5 6", None),
    (8, "Head and Neck Cancer", "low", "0.95% - 1.31%", D("0.95"), True, D("1.31"), True, None, False, "6 7", None),
    (9, "Thyroid Cancer (adult)", "low", "1.31% - 1.32%", D("1.31"), True, D("1.32"), True, None, False, "6", "HP_0003581"),
    (10, "Glioblastoma", "low", "1.91%", None, None, None, None, D("1.91"), False, "7", None),
    (11, "Small Intestine Cancer", "low", "1.32%", None, None, None, None, D("1.32"), False, "7", None),
    (12, "Colorectal Cancer", "low", "0.7% - 1.5%", D("0.7"), True, D("1.5"), True, None, False, "1", None),
    (13, "Non-Small Cell Lung Cancer (NSCLC)", "low", "0.2% - 0.3%", D("0.2"), True, D("0.3"), True, None, False, "1", None),
    (14, "Breast Cancer", "low", "0.13% - 0.63%", D("0.13"), True, D("0.63"), True, None, False, "7 8", None),
    (15, "Uterine Cancer", "low", "0.19%", None, None, None, None, D("0.19"), False, "7", None),
]

PREVALENCE_QUERY = """
SELECT ?row ?label ?band ?value ?lo ?loi ?hi ?hii ?pt ?approx
       (GROUP_CONCAT(DISTINCT STR(?n); separator=" ") AS ?refs) ?pop
WHERE {
  ?s a ntrk:PrevalenceStatement ; ntrk:rowNumber ?row ; ntrk:verbatimLabel ?label ;
     ntrk:verbatimValue ?value ; ntrk:isApproximate ?approx ; ntrk:inBand ?b .
  BIND(STRAFTER(STR(?b), "/band/") AS ?band)
  OPTIONAL { ?s ntrk:lowerBound ?lo ; ntrk:lowerBoundInclusive ?loi }
  OPTIONAL { ?s ntrk:upperBound ?hi ; ntrk:upperBoundInclusive ?hii }
  OPTIONAL { ?s ntrk:pointEstimate ?pt }
  OPTIONAL { ?s ntrk:citesReference/ntrk:referenceNumber ?n }
  OPTIONAL { ?s ntrk:population ?p BIND(STRAFTER(STR(?p), "/obo/") AS ?pop) }
} GROUP BY ?row ?label ?band ?value ?lo ?loi ?hi ?hii ?pt ?approx ?pop ORDER BY ?row
"""


def test_table_1_every_row_exactly(dataset: Dataset) -> None:
    got = rows(dataset, PREVALENCE_QUERY)
    got = [r[:10] + (" ".join(sorted(str(r[10]).split())), r[11]) for r in got]
    assert got == TABLE_1


def test_table_1_rows_in_their_section_with_their_tumour_type(dataset: Dataset) -> None:
    got = rows(dataset, """
        SELECT ?row ?section ?tt WHERE {
          ?s ntrk:rowNumber ?row ; ntrk:inSection/rdfs:label ?section ; ntrk:tumourType/rdfs:label ?tt ;
             a ntrk:PrevalenceStatement .
        } ORDER BY ?row""")
    assert [r[1] for r in got] == ["Table 1: Prevalence of NTRK Gene Fusions in Various Solid Tumors"] * 15
    # the two age-qualified rows use the base disease; the qualifier is the population
    assert got[4][2] == "Papillary Thyroid Cancer"
    assert got[8][2] == "Thyroid Cancer"


def test_bands_as_the_guide_heads_them(dataset: Dataset) -> None:
    got = rows(dataset, """
        SELECT ?label ?value ?lo ?hi WHERE {
          ?b a ntrk:PrevalenceBand ; rdfs:label ?label ; ntrk:verbatimValue ?value ; ntrk:order ?o .
          OPTIONAL { ?b ntrk:lowerBound ?lo } OPTIONAL { ?b ntrk:upperBound ?hi }
        } ORDER BY ?o""")
    assert got == [
        ("High Prevalence (>90%)", ">90%", D("90"), None),
        ("Intermediate Prevalence (5-25%)", "5-25%", D("5"), D("25")),
        ("Low Prevalence (<5%)", "<5%", None, D("5")),
    ]


TABLE_2 = [
    ("NTRK1", "TPM3", 1, 1), ("NTRK1", "LMNA", 1, 2), ("NTRK1", "TPR", 1, 3),
    ("NTRK2", "TRIM24", 2, 1), ("NTRK2", "PAN3", 2, 2), ("NTRK2", "AFAP1", 2, 3),
    ("NTRK3", "ETV6", 3, 1), ("NTRK3", "BTBD1", 3, 2), ("NTRK3", "EML4", 3, 3),
]


def test_table_2_nine_oriented_fusions(dataset: Dataset) -> None:
    got = rows(dataset, """
        SELECT ?ntrk ?partner ?row ?pos ?label ?kd ?uncited WHERE {
          ?s a ntrk:FusionPartnerStatement ; ntrk:about ?f ; ntrk:rowNumber ?row ; ntrk:order ?pos ;
             ntrk:isUncited ?uncited .
          ?f a ntrk:GeneFusion ; rdfs:label ?label ;
             ntrk:fivePrimePartner/ntrk:symbol ?partner ; ntrk:threePrimePartner/ntrk:symbol ?ntrk ;
             ntrk:kinaseDomainFrom/ntrk:symbol ?kd .
        } ORDER BY ?row ?pos""")
    assert [r[:4] for r in got] == TABLE_2
    assert [r[4] for r in got] == [f"{p}::{n}" for n, p, _, _ in TABLE_2]
    assert all(r[5] == r[0] for r in got), "the NTRK gene (3') keeps its kinase domain"
    assert all(r[6] is True for r in got), "Table 2 cites no reference"


def test_no_fusion_protein_asserts_more_than_the_guide_says(dataset: Dataset) -> None:
    """The guide says 'constitutively active, ligand independent, activates the downstream pathways' of
    TRK fusion proteins in general, never of one fusion: in the guide graph each fusion protein is only
    typed, labelled and encoded by its fusion, and no triple of any asserted graph says more of it."""
    from rdflib import RDF, RDFS, URIRef

    from kg_build.rdf import iris
    from kg_build.rdf.vocab import T

    guide = dataset.graph(iris.GUIDE_GRAPH)
    proteins = sorted(guide.subjects(RDF.type, T.FusionProtein))
    assert [str(p).removeprefix(ID + "fusion-protein/") for p in proteins] == sorted(f"{p}--{n}" for n, p, _, _ in TABLE_2)
    for protein in proteins:
        fusion = URIRef(str(protein).replace("/fusion-protein/", "/fusion/"))
        assert sorted(guide.predicate_objects(protein)) == sorted([
            (RDF.type, T.FusionProtein), (RDFS.label, guide.value(fusion, RDFS.label) + " fusion protein")])
        assert list(guide.subject_predicates(protein)) == [(fusion, T.encodesFusionProtein)]
    class_level = {T.isConstitutivelyActive, T.isLigandIndependent, T.activatesPathway}
    for g in (iris.GUIDE_GRAPH, iris.CURATION_GRAPH, iris.CONTEXT_GRAPH, iris.FACTCHECK_GRAPH):
        assert [t for p in proteins for t in dataset.graph(g).triples((p, None, None)) if t[1] in class_level] == [], g


def test_fusion_protein_activity_is_stated_once_for_the_class() -> None:
    """What the guide says of TRK fusion proteins in general is one set of class axioms of
    ntrk:FusionProtein (OWL hasValue restrictions), with the statements of the guide it restates."""
    from rdflib import OWL, RDFS, Literal, URIRef

    from kg_build.rdf.vocab import T, ontology_graph

    onto = ontology_graph()
    axioms = set()
    for r in onto.objects(T.FusionProtein, RDFS.subClassOf):
        if (r, OWL.onProperty, None) in onto:
            axioms.add((onto.value(r, OWL.onProperty), onto.value(r, OWL.hasValue)))
    pathway = ID + "pathway/"
    assert axioms == {
        (T.isConstitutivelyActive, Literal(True)),
        (T.isLigandIndependent, Literal(True)),
        *((T.activatesPathway, URIRef(pathway + k)) for k in ("mapk", "pi3k-akt", "plcg")),
    }


def test_the_guide_states_fusion_protein_activity_as_general_statements(dataset: Dataset) -> None:
    got = rows(dataset, f"""
        SELECT ?s (GROUP_CONCAT(DISTINCT STR(?n); separator=" ") AS ?refs)
               (GROUP_CONCAT(DISTINCT STRAFTER(STR(?pw), "/pathway/"); separator=" ") AS ?pathways) WHERE {{
          VALUES ?s {{ <{STMT}fusion-protein-activity> <{STMT}fusion-driven-pathways> }}
          ?s a ntrk:SignallingStatement ; ntrk:involvesPathway ?pw .
          OPTIONAL {{ ?s ntrk:citesReference/ntrk:referenceNumber ?n }}
        }} GROUP BY ?s ORDER BY ?s""")
    assert [(str(s).removeprefix(STMT), " ".join(sorted(r.split())), " ".join(sorted(p.split()))) for s, r, p in got] == [
        ("fusion-driven-pathways", "", "mapk pi3k-akt plcg"),
        ("fusion-protein-activity", "2 4", "mapk pi3k-akt plcg"),
    ]


def test_table_2_rows_are_the_guides_entries_not_established_common_partners(dataset: Dataset) -> None:
    got = rows(dataset, """
        SELECT ?label WHERE { ?s a ntrk:FusionPartnerStatement ; rdfs:label ?label ; ntrk:rowNumber ?row ; ntrk:order ?pos }
        ORDER BY ?row ?pos""")
    assert [r[0] for r in got] == [f"The guide lists {p} as a fusion partner of {n} ({p}::{n})" for n, p, _, _ in TABLE_2]
    common = rows(dataset, """
        SELECT ?s ?label WHERE { { ?s a ntrk:FusionPartnerStatement } UNION { ?s a ntrk:GeneFusion } UNION { ?s a ntrk:FusionProtein }
          ?s rdfs:label ?label . FILTER(CONTAINS(LCASE(?label), "common")) }""")
    assert common == []


# symbol, HGNC, NCBI Gene, Ensembl, UniProt, approved name, aliases, previous symbols
GENES = {
    "NTRK1": ("HGNC:8031", "NCBIGene:4914", "ensembl:ENSG00000198400", "uniprot:P04629", "neurotrophic receptor tyrosine kinase 1", {"TRK", "TRKA", "MTC"}, set()),
    "NTRK2": ("HGNC:8032", "NCBIGene:4915", "ensembl:ENSG00000148053", "uniprot:Q16620", "neurotrophic receptor tyrosine kinase 2", {"TRKB"}, set()),
    "NTRK3": ("HGNC:8033", "NCBIGene:4916", "ensembl:ENSG00000140538", "uniprot:Q16288", "neurotrophic receptor tyrosine kinase 3", {"TRKC"}, set()),
    "TPM3": ("HGNC:12012", "NCBIGene:7170", "ensembl:ENSG00000143549", "uniprot:P06753", "tropomyosin 3", {"TRK"}, {"NEM1"}),
    "LMNA": ("HGNC:6636", "NCBIGene:4000", "ensembl:ENSG00000160789", "uniprot:P02545", "lamin A/C", {"HGPS", "MADA"}, {"LMN1", "CMD1A", "LGMD1B", "PRO1", "LMNL1"}),
    "TPR": ("HGNC:12017", "NCBIGene:7175", "ensembl:ENSG00000047410", "uniprot:P12270", "translocated promoter region, nuclear basket protein", set(), set()),
    "TRIM24": ("HGNC:11812", "NCBIGene:8805", "ensembl:ENSG00000122779", "uniprot:O15164", "tripartite motif containing 24", {"hTIF1", "Tif1a", "RNF82", "TIF1A"}, {"TIF1"}),
    "PAN3": ("HGNC:29991", "NCBIGene:255967", "ensembl:ENSG00000152520", "uniprot:Q58A45", "poly(A) specific ribonuclease subunit PAN3", set(), set()),
    "AFAP1": ("HGNC:24017", "NCBIGene:60312", "ensembl:ENSG00000196526", "uniprot:Q8N556", "actin filament associated protein 1", {"AFAP-110", "AFAP"}, set()),
    "ETV6": ("HGNC:3495", "NCBIGene:2120", "ensembl:ENSG00000139083", "uniprot:P41212", "ETS variant transcription factor 6", {"TEL"}, set()),
    "BTBD1": ("HGNC:1120", "NCBIGene:53339", "ensembl:ENSG00000064726", "uniprot:Q9H0C5", "BTB domain containing 1", set(), set()),
    "EML4": ("HGNC:1316", "NCBIGene:27436", "ensembl:ENSG00000143924", "uniprot:Q9HC35", "EMAP like 4", {"ROPP120", "ELP120"}, {"C2orf2"}),
}


@pytest.mark.parametrize("symbol", sorted(GENES))
def test_gene_identifiers_match_the_reference_tables(dataset: Dataset, symbol: str) -> None:
    hgnc, ncbi, ensembl, _, name, aliases, previous = GENES[symbol]
    gene_iri = "https://identifiers.org/hgnc:" + hgnc.split(":")[1]
    got = rows(dataset, f"""
        SELECT ?id ?name ?xref WHERE {{
          <{gene_iri}> a ntrk:Gene ; ntrk:symbol "{symbol}" ; dcterms:identifier ?id ;
             ntrk:approvedName ?name ; skos:exactMatch/dcterms:identifier ?xref .
        }} ORDER BY ?xref""")
    assert got == sorted([(hgnc, name, ncbi), (hgnc, name, ensembl)], key=lambda r: r[2])
    got_aliases = {r[0] for r in rows(dataset, f"SELECT ?a WHERE {{ <{gene_iri}> skos:altLabel ?a }}")}
    got_previous = {r[0] for r in rows(dataset, f"SELECT ?a WHERE {{ <{gene_iri}> ntrk:previousSymbol ?a }}")}
    assert (got_aliases, got_previous) == (aliases, previous)


def test_ntrk_genes_encode_the_three_trk_receptors(dataset: Dataset) -> None:
    got = rows(dataset, """
        SELECT ?gene ?protein ?uniprot WHERE {
          ?g a ntrk:NTRKGene ; ntrk:symbol ?gene ; ntrk:encodes ?p .
          ?p a ntrk:TRKReceptor ; ntrk:symbol ?protein ; dcterms:identifier ?uniprot .
        } ORDER BY ?gene""")
    assert got == [
        ("NTRK1", "TRKA", "uniprot:P04629"),
        ("NTRK2", "TRKB", "uniprot:Q16620"),
        ("NTRK3", "TRKC", "uniprot:Q16288"),
    ]
    iris = rows(dataset, "SELECT ?p WHERE { ?p a ntrk:TRKReceptor } ORDER BY ?p")
    assert [str(r[0]) for r in iris] == [
        "http://purl.uniprot.org/uniprot/P04629",
        "http://purl.uniprot.org/uniprot/Q16288",
        "http://purl.uniprot.org/uniprot/Q16620",
    ]


# number, title as given, host, status, DOI, PMID, PMCID
REFERENCES = [
    (1, "A review of NTRK fusions in cancer", "PMC [pmc.ncbi.nlm.nih.gov]", "unverified", None, None, None),
    (2, None, "researchgate.net", "unresolvable", None, None, None),
    (3, "NTRK Fusions, from the Diagnostic Algorithm to Innovative Treatment in the Era of Precision Medicine", "PMC [pmc.ncbi.nlm.nih.gov]", "verified", "10.3390/ijms21103718", "32466202", "PMC7279365"),
    (4, "NTRK gene fusions as novel targets of cancer therapy across multiple tumour types", "PMC [pmc.ncbi.nlm.nih.gov]", "partly-verified", "10.1136/esmoopen-2015-000023", None, None),
    (5, "Prevalence and clinico-genomic characteristics of patients with TRK fusion cancer in China", "PMC [pmc.ncbi.nlm.nih.gov]", "partly-verified", "10.1038/s41698-023-00427-3", None, None),
    (6, "Prevalence of neurotrophic tropomyosin receptor kinase (NTRK) fusion gene positivity in patients with solid tumors in Japan", "PMC [pmc.ncbi.nlm.nih.gov]", "partly-verified", "10.1002/cam4.7351", "38925616", None),
    (7, "RNA hybrid-capture next-generation sequencing has high sensitivity in identifying known and less characterized oncogenic and likely oncogenic NTRK fusions in a real-world standard-of-care setting", "PMC [pmc.ncbi.nlm.nih.gov]", "unverified", None, None, None),
    (8, "NTRK gene fusions in solid tumors: agnostic relevance, prevalence and diagnostic strategies", "PMC [pmc.ncbi.nlm.nih.gov]", "partly-verified", None, None, None),
]


def test_the_eight_references(dataset: Dataset) -> None:
    got = rows(dataset, """
        SELECT ?n ?title ?host ?status ?doi ?pmid ?pmcid WHERE {
          ?r a ntrk:Reference ; ntrk:referenceNumber ?n ; ntrk:hostAsGiven ?host ; ntrk:verificationStatus ?status .
          OPTIONAL { ?r dcterms:title ?title } OPTIONAL { ?r ntrk:doi ?doi }
          OPTIONAL { ?r ntrk:pmid ?pmid } OPTIONAL { ?r ntrk:pmcid ?pmcid }
        } ORDER BY ?n""")
    assert got == REFERENCES


def test_overall_prevalence_and_partner_statements(dataset: Dataset) -> None:
    overall = rows(dataset, f"""
        SELECT ?value ?pt ?approx ?tt ?n WHERE {{
          <{STMT}prevalence-overall-solid-tumours> ntrk:verbatimValue ?value ; ntrk:pointEstimate ?pt ;
             ntrk:isApproximate ?approx ; ntrk:tumourType/rdfs:label ?tt ; ntrk:citesReference/ntrk:referenceNumber ?n .
        }}""")
    assert overall == [("approximately 0.3%", D("0.3"), True, "Solid Tumors", 5)]
    partners = rows(dataset, f"""
        SELECT ?sym ?n WHERE {{
          <{STMT}most-common-partners> ntrk:about/ntrk:symbol ?sym ; ntrk:citesReference/ntrk:referenceNumber ?n .
        }} ORDER BY ?sym""")
    assert partners == [("ETV6", 8), ("LMNA", 8), ("TPM3", 8)]
    etv6 = rows(dataset, f"""
        SELECT ?fusion ?verbatim ?pop ?n WHERE {{
          <{STMT}etv6-ntrk3-prevalent> ntrk:about/rdfs:label ?fusion ; ntrk:verbatimSubject ?verbatim ;
             ntrk:population/rdfs:label ?pop ; ntrk:citesReference/ntrk:referenceNumber ?n .
        }} ORDER BY ?pop""")
    assert etv6 == [("ETV6::NTRK3", "ETV6-NTRK3", "Adult onset", 8), ("ETV6::NTRK3", "ETV6-NTRK3", "Pediatric onset", 8)]


def test_prose_prevalence_statements(dataset: Dataset) -> None:
    got = rows(dataset, """
        SELECT ?label ?value ?lo ?hi ?n WHERE {
          ?s a ntrk:PrevalenceStatement ; ntrk:verbatimLabel ?label ; ntrk:verbatimValue ?value ;
             ntrk:inSection/rdfs:label "Prevalence of NTRK Gene Fusions in Solid Tumors" ;
             ntrk:citesReference/ntrk:referenceNumber ?n .
          OPTIONAL { ?s ntrk:lowerBound ?lo } OPTIONAL { ?s ntrk:upperBound ?hi }
        } ORDER BY ?label""")
    assert got == [
        ("all solid tumors", "approximately 0.3%", None, None, 5),
        ("breast cancer", "less than 1%", None, D("1"), 1),
        ("colorectal", "less than 1%", None, D("1"), 1),
        ("infantile fibrosarcoma", "exceeding 90%", D("90"), None, 1),
        ("lung", "less than 1%", None, D("1"), 1),
        ("secretory carcinoma of the breast", "exceeding 90%", D("90"), None, 1),
        ("secretory carcinoma of the breast and salivary glands", "exceeding 90%", D("90"), None, 1),
    ]


def test_pathways_with_their_cross_references(dataset: Dataset) -> None:
    got = rows(dataset, """
        SELECT ?pathway ?match ?id WHERE {
          ?p a ntrk:Pathway ; rdfs:label ?pathway ; ?match ?x . ?x dcterms:identifier ?id .
          VALUES ?match { skos:exactMatch skos:closeMatch skos:broadMatch }
        } ORDER BY ?pathway ?id""")
    S = "http://www.w3.org/2004/02/skos/core#"
    assert [(p, m.replace(S, "skos:"), i) for p, m, i in got] == [
        ("MAPK pathway", "skos:closeMatch", "GO:0000165"),
        ("MAPK pathway", "skos:closeMatch", "kegg.pathway:hsa04010"),
        ("MAPK pathway", "skos:closeMatch", "reactome:R-HSA-5683057"),
        ("PI3K/AKT pathway", "skos:closeMatch", "GO:0043491"),
        ("PI3K/AKT pathway", "skos:closeMatch", "reactome:R-HSA-1257604"),
        ("PLCγ pathway", "skos:broadMatch", "GO:0048015"),
        ("PLCγ pathway", "skos:broadMatch", "kegg.pathway:hsa04070"),
    ]
    verbatim = rows(dataset, "SELECT ?v WHERE { ?p a ntrk:Pathway ; ntrk:verbatimLabel ?v } ORDER BY ?v")
    assert [r[0] for r in verbatim] == [
        "MAPK", "PI3K/AKT", "PLCy", "mitogen-activated protein kinase (MAPK)",
        "phosphoinositide 3-kinase (PI3K)", "phospholipase C-gamma (PLCy)",
    ]


def test_normal_activation_and_what_the_pathways_drive(dataset: Dataset) -> None:
    steps = rows(dataset, f"""
        SELECT ?order ?step ?n WHERE {{
          <{STMT}normal-receptor-activation> ntrk:hasStep ?s ; ntrk:citesReference/ntrk:referenceNumber ?n .
          ?s ntrk:order ?order ; rdfs:label ?step .
        }} ORDER BY ?order ?n""")
    assert steps == [
        (o, s, n)
        for o, s in [(1, "neurotrophin binding"), (2, "receptor dimerization"), (3, "autophosphorylation of the kinase domain")]
        for n in (1, 3, 4)
    ]
    drives = rows(dataset, """
        SELECT ?pathway ?outcome WHERE { ?p ntrk:drivesOutcome ?o . ?p rdfs:label ?pathway . ?o rdfs:label ?outcome }
        ORDER BY ?pathway ?outcome""")
    outcomes = ["cell differentiation", "cell proliferation", "cell survival", "uncontrolled cell growth and proliferation"]
    assert drives == [(p, o) for p in ("MAPK pathway", "PI3K/AKT pathway", "PLCγ pathway") for o in outcomes]
    refs = rows(dataset, f"""
        SELECT ?n WHERE {{ <{STMT}normal-downstream-signalling> ntrk:citesReference/ntrk:referenceNumber ?n }} ORDER BY ?n""")
    assert refs == [(1,), (3,), (4,)]


# tumour type -> {(predicate, target CURIE)}
MAPPINGS = {
    "Infantile Fibrosarcoma": {("exact", "MONDO:0004557"), ("exact", "NCIT:C4244"), ("exact", "DOID:8418"), ("exact", "oncotree:IFS")},
    "Secretory Carcinoma of the Breast": {("exact", "MONDO:0003208"), ("exact", "NCIT:C4189"), ("exact", "DOID:4922"), ("close", "oncotree:JSCB")},
    "Mammary Analogue Secretory Carcinoma (MASC) of the Salivary Gland": {("exact", "MONDO:0850281"), ("exact", "NCIT:C123384"), ("exact", "DOID:0080808"), ("exact", "oncotree:HNMASC")},
    "Congenital Mesoblastic Nephroma": {("exact", "MONDO:0017043"), ("exact", "NCIT:C6569"), ("exact", "DOID:4773"), ("narrow", "MONDO:0004454"), ("narrow", "NCIT:C39815")},
    "Papillary Thyroid Cancer": {("exact", "MONDO:0005075"), ("exact", "NCIT:C4035"), ("exact", "DOID:3969"), ("exact", "oncotree:THPA")},
    "Spitzoid Neoplasms": {("narrow", "MONDO:0850101"), ("narrow", "MONDO:0044793"), ("close", "NCIT:C204790"), ("narrow", "NCIT:C165497"), ("narrow", "NCIT:C136825"), ("narrow", "NCIT:C27007"), ("narrow", "DOID:0070326"), ("narrow", "oncotree:SPZM")},
    "Soft Tissue Sarcoma": {("exact", "MONDO:0018078"), ("exact", "NCIT:C9306"), ("exact", "DOID:0070663"), ("broad", "oncotree:SOFT_TISSUE")},
    "Head and Neck Cancer": {("exact", "MONDO:0005627"), ("exact", "NCIT:C4013"), ("exact", "DOID:11934"), ("broad", "oncotree:HEAD_NECK")},
    "Thyroid Cancer": {("exact", "MONDO:0002108"), ("exact", "NCIT:C7510"), ("exact", "DOID:1781"), ("broad", "oncotree:THYROID")},
    "Glioblastoma": {("exact", "MONDO:0018177"), ("exact", "NCIT:C3058"), ("exact", "DOID:3068"), ("close", "oncotree:GB")},
    "Small Intestine Cancer": {("exact", "MONDO:0000956"), ("exact", "NCIT:C7523"), ("exact", "DOID:10154"), ("close", "oncotree:SBC")},
    "Colorectal Cancer": {("exact", "MONDO:0005575"), ("exact", "NCIT:C4978"), ("exact", "DOID:9256"), ("narrow", "oncotree:COADREAD")},
    "Non-Small Cell Lung Cancer (NSCLC)": {("exact", "MONDO:0005233"), ("exact", "NCIT:C2926"), ("exact", "DOID:3908"), ("exact", "oncotree:NSCLC")},
    "Breast Cancer": {("exact", "MONDO:0007254"), ("exact", "NCIT:C9335"), ("exact", "DOID:1612"), ("broad", "oncotree:BREAST")},
    "Uterine Cancer": {("exact", "MONDO:0002715"), ("exact", "NCIT:C3552"), ("exact", "DOID:363"), ("broad", "oncotree:UTERUS")},
    "Lung Cancer": {("exact", "MONDO:0008903"), ("exact", "NCIT:C7377"), ("exact", "DOID:1324"), ("broad", "oncotree:LUNG"),
                    ("narrow", "MONDO:0005233"), ("narrow", "NCIT:C2926"), ("narrow", "DOID:3908")},
    "Solid Tumors": {("exact", "NCIT:C132146"), ("broad", "NCIT:C9292")},
}


# The corrections of the independent audit: (subject, predicate, object) -> words the row's comment must
# hold, naming the source the mapping was confirmed in.
AUDITED_MAPPINGS = {
    ("lung-cancer", "skos:exactMatch", "MONDO:0008903"): ("mondo_exactmatch_ncit.sssom.tsv", "monarch-initiative/mondo@005a4a2b"),
    ("lung-cancer", "skos:exactMatch", "NCIT:C7377"): ("mondo_exactmatch_ncit.sssom.tsv", "MONDO:0008903 = NCIT:C7377"),
    ("lung-cancer", "skos:exactMatch", "DOID:1324"): ("mondo_exactmatch_doid.sssom.tsv", "MONDO:0008903 = DOID:1324"),
    ("lung-cancer", "skos:broadMatch", "oncotree:LUNG"): ("OncoTree tree 2025-10-03", "tissue node"),
    ("solid-tumours", "skos:exactMatch", "NCIT:C132146"): ("NCIt", "malignant form of NCIT:C9292"),
    ("solid-tumours", "skos:broadMatch", "NCIT:C9292"): ("NCIt", "benign or malignant neoplasm"),
    ("small-intestine-cancer", "skos:closeMatch", "oncotree:SBC"): ("OncoTree tree 2025-10-03", "C7724"),
    ("congenital-mesoblastic-nephroma", "skos:narrowMatch", "MONDO:0004454"): ("mondo_exactmatch_ncit.sssom.tsv", "MONDO:0004454 = NCIT:C39815"),
    ("congenital-mesoblastic-nephroma", "skos:narrowMatch", "NCIT:C39815"): ("mondo_exactmatch_ncit.sssom.tsv",),
}


def test_audited_mappings_record_their_source() -> None:
    from kg_build.curation import curated as curation

    rows_ = {(r["subject_id"].removeprefix("ntrkkg:tumour-type/"), r["predicate_id"], r["object_id"]): r["comment"]
             for r in curation.load()["mappings"]}
    for key, words in AUDITED_MAPPINGS.items():
        assert key in rows_, key
        assert all(w in rows_[key] for w in words), (key, rows_[key])
    # the mappings the audit replaced are gone
    assert ("solid-tumours", "skos:exactMatch", "NCIT:C9292") not in rows_
    assert ("small-intestine-cancer", "skos:exactMatch", "oncotree:SBC") not in rows_


def test_tumour_types_mapped_with_their_strength(dataset: Dataset) -> None:
    got: dict[str, set[tuple[str, str]]] = {}
    for label, pred, target in rows(dataset, """
        SELECT ?label ?p ?id WHERE { ?t a ntrk:TumourType ; rdfs:label ?label ; ?p ?x . ?x dcterms:identifier ?id .
          FILTER(STRSTARTS(STR(?p), "http://www.w3.org/2004/02/skos/core#")) }"""):
        got.setdefault(label, set()).add((pred.split("#")[1].replace("Match", ""), target))
    assert got == MAPPINGS


def test_guide_document(dataset: Dataset) -> None:
    got = rows(dataset, """
        SELECT ?title ?author ?publisher ?date ?printed ?url ?cat ?compound WHERE {
          ?g a ntrk:Guide ; dcterms:title ?title ; dcterms:creator ?author ; dcterms:publisher ?publisher ;
             dcterms:date ?date ; ntrk:dateVerbatim ?printed ; <https://schema.org/url> ?url ;
             ntrk:catalogueNumber ?cat ; ntrk:compoundOfInterestVerbatim ?compound .
        }""")
    assert [(*r[:3], str(r[3]), *r[4:]) for r in got] == [(
        "The Significance of NTRK Gene Fusions as Oncogenic Drivers: A Technical Guide",
        "BenchChem Technical Support Team", "BenchChem", "2025-12", "December 2025",
        "https://www.benchchem.com/product/b12401492#the-significance-of-ntrk-gene-fusions-as-an-oncogenic-driver",
        "B12401492", "Larotinib mesylate hydrate",
    )]


STATEMENTS = {
    # key: (class, section key, references)
    "fusions-are-therapeutic-targets": ("ClinicalRelevanceStatement", "abstract", ""),
    "fusions-express-active-chimeras": ("MechanismStatement", "abstract", ""),
    "ntrk1-encodes-trka": ("EncodingStatement", "introduction", "1 2"),
    "ntrk2-encodes-trkb": ("EncodingStatement", "introduction", "1 2"),
    "ntrk3-encodes-trkc": ("EncodingStatement", "introduction", "1 2"),
    "trk-nervous-system-role": ("MechanismStatement", "introduction", "2"),
    "normal-receptor-activation": ("MechanismStatement", "introduction", "1 3 4"),
    "normal-downstream-signalling": ("SignallingStatement", "introduction", "1 3 4"),
    "fusion-formation": ("MechanismStatement", "introduction", "4"),
    "fusion-protein-activity": ("SignallingStatement", "introduction", "2 4"),
    "fusion-driven-pathways": ("SignallingStatement", "signaling-pathways", ""),
    "most-common-partners": ("PartnerFrequencyStatement", "prevalence", "8"),
    "etv6-ntrk3-prevalent": ("PartnerFrequencyStatement", "prevalence", "8"),
    "detection-selects-patients": ("ClinicalRelevanceStatement", "diagnostic-assays", ""),
}
PREVALENCE_KEYS = [
    "infantile-fibrosarcoma", "secretory-breast-carcinoma", "masc-salivary-gland", "congenital-mesoblastic-nephroma",
    "papillary-thyroid-cancer-pediatric", "spitzoid-neoplasms", "soft-tissue-sarcoma", "head-and-neck-cancer",
    "thyroid-cancer-adult", "glioblastoma", "small-intestine-cancer", "colorectal-cancer",
    "non-small-cell-lung-cancer", "breast-cancer", "uterine-cancer", "overall-solid-tumours",
    "rare-infantile-fibrosarcoma", "rare-secretory-breast", "rare-secretory-salivary",
    "common-lung", "common-colorectal", "common-breast",
]


def test_every_statement_of_the_guide_and_no_other(dataset: Dataset) -> None:
    got = rows(dataset, """
        SELECT ?s ?cls ?section (GROUP_CONCAT(STR(?n); separator=" ") AS ?refs) WHERE {
          ?s a ntrk:Statement , ?c ; ntrk:inSection ?sec . FILTER(?c != ntrk:Statement)
          BIND(STRAFTER(STR(?c), "#") AS ?cls) BIND(STRAFTER(STR(?sec), "/section/") AS ?section)
          OPTIONAL { ?s ntrk:citesReference/ntrk:referenceNumber ?n }
        } GROUP BY ?s ?cls ?section""")
    found = {str(s).removeprefix(STMT): (c, sec, " ".join(sorted(r.split()))) for s, c, sec, r in got}
    expected = dict(STATEMENTS)
    for key, *_ in [(f"prevalence-{k}",) for k in PREVALENCE_KEYS]:
        expected[key] = found.get(key, ("missing",))  # values checked by the prevalence tests
    for n, p, _, _ in TABLE_2:
        expected[f"fusion-partner-{p}--{n}"] = ("FusionPartnerStatement", "table-2", "")
    assert found == expected
    assert sorted(k for k in found if k.startswith("prevalence-")) == sorted(f"prevalence-{k}" for k in PREVALENCE_KEYS)


def test_uncited_statements_say_so(dataset: Dataset) -> None:
    got = rows(dataset, """
        SELECT (COUNT(?s) AS ?n) WHERE {
          ?s a ntrk:Statement ; ntrk:isUncited true . FILTER NOT EXISTS { ?s ntrk:citesReference ?r } }""")
    assert got == [(13,)]  # 9 Table 2 rows and 4 prose statements
    assert not dataset.query(PREFIXES + "ASK { ?s ntrk:isUncited true ; ntrk:citesReference ?r }").askAnswer
