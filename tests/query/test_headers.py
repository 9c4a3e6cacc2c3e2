"""A bad query header is an error naming the file, the line, the field and the problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg_build.errors import UsageError
from kg_build.query import catalogue

GOOD = """#+ summary: Which genes?
#+ description: One row per gene.
#+ params:
#+   gene: {type: curie, example: "HGNC:8033", description: "a gene"}
#+ returns: {form: select, columns: [symbol]}
#+ keywords: [gene]
SELECT ?symbol WHERE { GRAPH ?g { ?gene <https://w3id.org/ntrk-kg/ontology#symbol> ?symbol } }
ORDER BY ?symbol
"""


def write(tmp_path: Path, text: str, name: str = "my-query") -> Path:
    path = tmp_path / f"{name}.rq"
    path.write_text(text, encoding="utf-8")
    return path


def test_good_header(tmp_path: Path) -> None:
    q = catalogue.parse_query(write(tmp_path, GOOD))
    assert (q.name, q.columns, q.params[0].type, q.params[0].example) == ("my-query", ("symbol",), "curie", "HGNC:8033")


@pytest.mark.parametrize(("old", "new", "where"), [
    ("Which genes?", "Which genes", ":1: summary: must be the question the query answers, ending in '?'"),
    ("type: curie", "type: curi", ":4: params.gene.type: unknown type 'curi'"),
    ("example: \"HGNC:8033\"", "example: \"NOPE:1\"", ":4: params.gene.example: 'NOPE:1' is not a CURIE with a known prefix"),
    (", description: \"a gene\"", "", ":4: params.gene.description: missing"),
    ("columns: [symbol]", "columns: [symbol, name]", None),
    ("form: select", "form: construct", ":5: returns.form: the header says construct but the query is a SELECT"),
    ("#+ keywords: [gene]\n", "#+ keywords: [gene]\n#+ colour: red\n", ":7: colour: unknown key"),
    ("#+ keywords: [gene]\n", "", ":1: header: missing 'keywords'"),
    ("One row per gene.", "One row: per gene.", ":2: header: not valid YAML: mapping values are not allowed here"),
    ("?gene <https", "?x <https", ":4: params.gene: the query never uses ?gene"),
    ("type: curie,", "type: curie, lookup: nope,", ":4: params.gene.lookup: cannot read the lookup query"),
    ("type: curie,", "type: curie, lookup: gene-symbol,", ":4: params.gene.lookup: the lookup finds ?member, which the query never uses"),
])
def test_bad_header_is_an_error_with_file_line_and_field(tmp_path: Path, old: str, new: str, where: str | None) -> None:
    path = write(tmp_path, GOOD.replace(old, new, 1))
    if where is None:  # declared columns that the query does not return: caught when it runs
        q = catalogue.parse_query(path)
        assert q.columns == ("symbol", "name")
        return
    with pytest.raises(UsageError) as info:
        catalogue.parse_query(path)
    assert f"{path}{where}" in str(info.value)


def test_missing_header_and_reserved_names(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r":1: header: the file must begin with a '#\+' header"):
        catalogue.parse_query(write(tmp_path, "SELECT * WHERE {}"))
    with pytest.raises(UsageError, match="must be lower-case words"):
        catalogue.parse_query(write(tmp_path, GOOD, name="list"))
