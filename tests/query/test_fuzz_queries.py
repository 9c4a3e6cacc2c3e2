"""Fuzzing the query-header reader and the parameter binder: any header, any ``-p`` value gives a
query or a ``UsageError`` naming the problem, never another exception (docs/guarantees.md)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kg_build.errors import UsageError
from kg_build.query import catalogue, params
from kg_build.resources import QUERIES_DIR

QUERIES = catalogue.load()
FILES = {p.name: p.read_text(encoding="utf-8") for p in sorted(QUERIES_DIR.glob("*.rq"))}
# Text as a command line can hold it: any character, and lone surrogates (bytes that are not
# UTF-8 reach Python's argv as surrogate escapes).
ARG = st.text(st.one_of(st.characters(), st.characters(min_codepoint=0xDC80, max_codepoint=0xDCFF)), max_size=40)
YAML_BITS = st.sampled_from(["#+ ", "#+", ":", ": ", "{", "}", "[", "]", ",", "\n", "\n#+   ", "'", '"', "- ", "&a", "*a",
                             "!!python/object:os.system", "%YAML 1.1", "\t", "type: ", "required: ", "true", "null",
                             "params:", "returns:", "lookup: ", "pagination: 0", "\\", "#", "?", "|", ">"])


@st.composite
def header_edit(draw: st.DrawFn) -> str:
    """A catalogue file whose header (and sometimes body) has random edits."""
    text = draw(st.sampled_from(sorted(FILES.values())))
    for _ in range(draw(st.integers(1, 6))):
        end = text.find("\n", draw(st.integers(0, max(0, min(len(text), 600)))))
        at = draw(st.integers(0, max(0, end if end > 0 else len(text))))
        cut = draw(st.integers(0, 8))
        bit = draw(st.one_of(YAML_BITS, ARG))
        text = text[:at] + bit + text[at + cut:]
    return text


@given(header_edit())
def test_any_header_gives_a_query_or_a_usage_error(tmp_path_factory: pytest.TempPathFactory, text: str) -> None:
    path = tmp_path_factory.mktemp("q") / "fuzzed-query.rq"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")  # bytes that are not UTF-8, too
    try:
        q = catalogue.parse_query(path)
    except UsageError as exc:
        assert str(exc).startswith(str(path))
    else:
        assert q.name == "fuzzed-query" and q.form in catalogue.FORMS


@given(st.sampled_from(QUERIES), st.dictionaries(st.one_of(ARG, st.sampled_from(["gene", "threshold", "tumour", "page"])),
                                                 ARG, max_size=4))
def test_any_parameter_values_bind_or_give_a_usage_error(query: catalogue.CatalogueQuery, values: dict[str, str]) -> None:
    for p in query.params:
        values.setdefault(p.name, p.example or "") if len(values) % 2 else None
    try:
        bound = query.bind(values)
    except UsageError as exc:
        assert str(exc).startswith(f"query {query.name}: ")
    else:
        assert set(bound) <= {p.name for p in query.params}
        assert all(isinstance(t, (ox.NamedNode, ox.Literal)) for t in bound.values())


@given(st.lists(ARG, max_size=5))
def test_any_assignments_parse_or_give_a_usage_error(pairs: list[str]) -> None:
    try:
        out = params.parse_assignments(pairs)
    except UsageError:
        return
    assert len(out) == len(pairs)


@given(st.sampled_from(sorted(params.PARAM_TYPES)), ARG)
def test_every_parameter_type_converts_any_text_or_says_why_not(ptype: str, value: str) -> None:
    try:
        term = params.to_term(ptype, value)
    except ValueError as exc:
        assert str(exc) and "surrogates" not in str(exc) and "must be a str" not in str(exc)
    else:
        assert isinstance(term, (ox.NamedNode, ox.Literal))
