"""What the rule findings quote of the guide is read batch by batch, the nodes the statements link to
(bands, sections, references) read once and kept for the later batches."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from kg_build.build.derived import GuideReader

GUIDE = "https://w3id.org/ntrk-kg/graph/guide"
N = "https://w3id.org/ntrk-kg/ontology#"

# What the guide context was before it was read in two queries: every listed triple of the nodes
# and of what they link to, one query following the links for each node (the oracle).
FOLLOWING_THE_LINKS = f"""
PREFIX ntrk: <{N}>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?s ?p ?o WHERE {{
  GRAPH <{GUIDE}> {{
    ?x (ntrk:inBand|ntrk:inSection|ntrk:citesReference)? ?s .
    ?s ?p ?o
    FILTER (?p IN (rdf:type, rdfs:label, ntrk:verbatimValue, ntrk:verbatimLabel, ntrk:inBand, ntrk:inSection,
                   ntrk:citesReference, ntrk:referenceNumber))
  }}
}}"""


class _Counting:
    """A store that counts the queries it is asked."""

    def __init__(self, st: ox.Store) -> None:
        self.st, self.asked = st, 0

    def query(self, query: str) -> object:
        self.asked += 1
        return self.st.query(query)


def _store(built_dir: Path) -> ox.Store:
    st = ox.Store()
    st.bulk_load(path=str(built_dir / "ntrk-kg.nq"), format=ox.RdfFormat.N_QUADS)
    return st


def _statements(st: ox.Store) -> list[str]:
    q = f"SELECT ?s WHERE {{ GRAPH <{GUIDE}> {{ ?s a <{N}PrevalenceStatement> }} }} ORDER BY ?s"
    return [row[0].value for row in st.query(q)]  # type: ignore[union-attr]


def _as_sets(spo: dict[tuple[str, str], list[object]]) -> dict[tuple[str, str], set[str]]:
    return {key: {str(o) for o in objects} for key, objects in spo.items()}


def test_the_context_is_what_following_the_links_gives(built_dir: Path) -> None:
    st = _store(built_dir)
    statements = _statements(st)
    assert len(statements) == 22
    values = " ".join(f"<{s}>" for s in statements)
    oracle: dict[tuple[str, str], set[str]] = {}
    for s, p, o in st.query(FOLLOWING_THE_LINKS.replace("?x (", f"VALUES ?x {{ {values} }} ?x (")):  # type: ignore[misc]
        oracle.setdefault((s.value, p.value), set()).add(str(o))
    context = GuideReader(st).context(set(statements))
    assert _as_sets(context.spo) == oracle
    # Each object once, as the one query gave them (distinct solutions).
    assert all(len(objects) == len(set(map(str, objects))) for objects in context.spo.values())
    first = statements[0]
    assert context.has_type(first, N + "PrevalenceStatement")
    [band] = context.iris(first, N + "inBand")
    assert context.literal(band, "http://www.w3.org/2000/01/rdf-schema#label") is not None


def test_the_linked_nodes_are_read_once(built_dir: Path) -> None:
    st = _store(built_dir)
    statements = _statements(st)
    counting = _Counting(st)
    reader = GuideReader(counting)  # type: ignore[arg-type]
    first = reader.context(set(statements[:10]))
    assert counting.asked == 2  # the statements, then the bands, sections and references they cite
    again = reader.context(set(statements[:10]))
    assert counting.asked == 3  # the statements only: what they link to was read
    assert _as_sets(again.spo) == _as_sets(first.spo)
    assert reader.context(set()).spo == {}
    assert counting.asked == 3
