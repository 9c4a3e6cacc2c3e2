"""The query catalogue: one ``.rq`` file per question under ``queries/``, each with a checked header.

A header is the block of ``#+`` lines that opens the file (grlc's convention), in YAML::

    #+ summary: Which partner genes form fusions with the NTRK genes?
    #+ description: One row per fusion of the guide's Table 2.
    #+ params:
    #+   gene: {type: label-or-iri, required: false, example: "NTRK3", description: "..."}
    #+ returns: {form: select, columns: [ntrk_symbol, partner_symbol, fusion, fusion_label]}
    #+ keywords: [fusion, partner]

A header that breaks a rule is an error naming the file, the line, the field and the problem.
This module stays light (no rdflib): it is on the ``ntrk-kg query`` path.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kg_build.errors import UsageError
from kg_build.query.params import PARAM_TYPES, to_term
from kg_build.resources import LOOKUP_DIR, QUERIES_DIR
from kg_build.sparql import text as sparql_text
from kg_build.sparql.engines import Term

FORMS = ("select", "construct", "ask")
RESERVED_NAMES = ("list", "run", "show")
_TOP_KEYS = {"summary": True, "description": True, "params": False, "returns": True, "keywords": True,
             "pagination": False}
# The comment that marks where a paged query takes its page's LIMIT and OFFSET (see ``paged``).
PAGE_MARKER = "#+ page"
# The comment that marks where a sub-select takes the parameters' values (see ``value_markers``).
VALUES_MARKER = "#+ values"
_PARAM_KEYS = {"type", "required", "example", "default", "description", "lookup"}
_RETURN_KEYS = {"form", "columns", "lists"}
_NAME = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_VAR = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class Param:
    """One parameter of a query: its variable name, type, and whether it must be given.

    ``lookup`` holds the ``Lookup`` queries that turn the parameter's value into the few values of
    one variable of the query before the query runs (the union of their answers; see ``Lookup``).
    """

    name: str
    type: str
    description: str
    required: bool = True
    example: str | None = None
    default: str | None = None
    lookup: tuple[Lookup, ...] = ()


@dataclass(frozen=True)
class Lookup:
    """A lookup query (``queries/lookup/NAME.rq``): the values a parameter can select of one variable.

    It is a SELECT DISTINCT of one variable, with the parameter's value bound as ``?value``. A query
    whose parameter names the lookup (``lookup: NAME`` or ``lookup: [NAME, NAME]`` in its header) is
    run with the lookups' answers (their union) as inline data for the variable of the same name (``VALUES ?var { ... }``): the query
    then starts from those few values instead of testing every candidate with its FILTER. The
    answer is unchanged as long as the lookup returns every value the query's FILTER can accept
    (it may return more) and the query binds that variable in every solution.
    """

    name: str
    path: Path
    variable: str
    body: str


_LOOKUP_HEAD = re.compile(r"SELECT\s+DISTINCT\s+\?([A-Za-z_][A-Za-z0-9_]*)\s+WHERE\s*\{", re.IGNORECASE)


def parse_lookup(path: Path) -> Lookup:
    """Read and check one lookup query; ``ValueError`` says what is wrong with it."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ValueError(f"cannot read the lookup query {path}: {exc.strerror}") from None
    m = _LOOKUP_HEAD.search(text)
    if m is None:
        raise ValueError(f"{path} must be a 'SELECT DISTINCT ?var WHERE {{ ... }}' query of one variable")
    if "value" not in sparql_text.variables(text):
        raise ValueError(f"{path} never uses ?value (the parameter's value)")
    return Lookup(path.stem, path, m.group(1), text)


@dataclass(frozen=True)
class CatalogueQuery:
    """A parsed, checked query file (``text`` and ``body`` are left out of its repr)."""

    name: str
    path: Path
    summary: str
    description: str
    form: str
    columns: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    params: tuple[Param, ...] = ()
    lists: tuple[str, ...] = ()
    text: str = field(default="", repr=False)
    body: str = field(default="", repr=False)
    pagination: int | None = None

    def param(self, name: str) -> Param | None:
        """The parameter called ``name``, or ``None``."""
        return next((p for p in self.params if p.name == name), None)

    def examples(self) -> dict[str, str]:
        """The example value of every parameter that has one (the values the goldens use)."""
        return {p.name: p.example for p in self.params if p.example is not None}

    def bind(self, values: Mapping[str, str]) -> dict[str, Term]:
        """Check ``values`` against the query's parameters and convert them to terms.

        Unknown names, missing required parameters and values of the wrong type are a ``UsageError``
        that names the query, the parameter and what it expects. Optional parameters without a value
        stay unbound (or take their default).
        """
        problems = []
        for name in values:
            if self.param(name) is None:
                known = ", ".join(p.name for p in self.params) or "none"
                problems.append(f"unknown parameter {name!r} (parameters of {self.name}: {known})")
        out: dict[str, Term] = {}
        for p in self.params:
            raw = values.get(p.name, p.default)
            if raw is None:
                if p.required:
                    problems.append(f"missing required parameter {p.name!r} ({p.type}; {p.description}), e.g. -p {p.name}={p.example}")
                continue
            try:
                out[p.name] = to_term(p.type, raw)
            except ValueError as exc:
                problems.append(f"parameter {p.name!r}: {exc}; expected {PARAM_TYPES[p.type]}")
        if problems:
            raise UsageError(f"query {self.name}: " + "; ".join(problems))
        return out


class _Problems:
    def __init__(self, path: Path, header: list[str]) -> None:
        self.path, self.header, self.items = path, header, []  # type: ignore[var-annotated]

    def line_of(self, *keys: str) -> int:
        """The header line where the innermost of ``keys`` first appears (1-based), best effort."""
        line = 1
        for key in keys:
            for i in range(line - 1, len(self.header)):
                if re.search(rf"(^|[\s{{,]){re.escape(key)}:", self.header[i]):
                    line = i + 1
                    break
        return line

    def add(self, where: tuple[str, ...], message: str) -> None:
        self.items.append(f"{self.path}:{self.line_of(*where)}: {'.'.join(where) or 'header'}: {message}")


def is_query_name(name: str) -> bool:
    """Whether ``name`` can name a catalogue query (lower-case words joined by '-')."""
    return bool(_NAME.fullmatch(name)) and name not in RESERVED_NAMES


def split_header(text: str) -> tuple[list[str], str]:
    """The header lines (``#+`` removed) and the rest of the file."""
    lines = text.split("\n")
    header: list[str] = []
    for line in lines:
        if not line.startswith("#+"):
            break
        header.append(line[3:] if line.startswith("#+ ") else line[2:])
    return header, "\n".join(lines[len(header):])


def _read_header(path: Path, header: list[str]) -> dict[str, Any]:
    """The header's YAML as a mapping; a ``UsageError`` naming the line when it is not one."""
    try:
        meta = yaml.safe_load("\n".join(header))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise UsageError(f"{path}:{line}: header: not valid YAML: {problem}") from None
    if not isinstance(meta, dict):
        raise UsageError(f"{path}:1: header: must be a mapping of keys (summary, description, params, returns, keywords)")
    return meta


def _str(value: Any) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _check_lookups(raw: Any, p: _Problems, where: tuple[str, ...], body_vars: set[str],
                   queries_dir: Path) -> tuple[Lookup, ...]:
    """The lookups a parameter names (one name or a list), all finding the same query variable."""
    if raw is None:
        return ()
    names = raw if isinstance(raw, list) else [raw]
    out: list[Lookup] = []
    for name in names:
        try:
            # beside the query file, else the catalogue's (a copy of a catalogue query keeps working)
            path = queries_dir / LOOKUP_DIR.name / f"{_str(name)}.rq"
            if not path.is_file():
                path = LOOKUP_DIR / f"{_str(name)}.rq"
            out.append(parse_lookup(path))
        except ValueError as exc:
            p.add(where + ("lookup",), str(exc))
    found = {lk.variable for lk in out}
    if len(found) > 1:
        p.add(where + ("lookup",), f"the lookups find different variables ({', '.join(sorted(found))}); they must find one")
    for var in sorted(found - body_vars):
        p.add(where + ("lookup",), f"the lookup finds ?{var}, which the query never uses")
    return tuple(out)


def _check_params(raw: Any, p: _Problems, body_vars: set[str], columns: tuple[str, ...],
                  queries_dir: Path = QUERIES_DIR) -> tuple[Param, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, dict):
        p.add(("params",), "must be a mapping of parameter name to {type: ..., description: ...}")
        return ()
    out = []
    for name, spec in raw.items():
        where = ("params", name)
        if not _VAR.fullmatch(name):
            p.add(where, "a parameter name must be a SPARQL variable name (letters, digits, _)")
            continue
        if not isinstance(spec, dict):
            p.add(where, "must be a flow mapping like {type: curie, description: \"...\"}")
            continue
        for key in sorted(set(spec) - _PARAM_KEYS):
            p.add(where + (key,), f"unknown key (allowed: {', '.join(sorted(_PARAM_KEYS))})")
        ptype = spec.get("type")
        if ptype not in PARAM_TYPES:
            p.add(where + ("type",), f"unknown type {ptype!r} (known: {', '.join(PARAM_TYPES)})")
            continue
        desc = spec.get("description")
        if not isinstance(desc, str) or not desc.strip():
            p.add(where + ("description",), "missing: say what the parameter selects")
        required = spec.get("required", True)
        if not isinstance(required, bool):
            p.add(where + ("required",), "must be true or false")
            required = True
        example, default = _str(spec.get("example")), _str(spec.get("default"))
        if required and example is None:
            p.add(where + ("example",), "a required parameter needs an example (the goldens use it)")
        if default is not None and required:
            p.add(where + ("default",), "a parameter with a default cannot be required")
        for key, value in (("example", example), ("default", default)):
            if value is not None:
                try:
                    to_term(ptype, value)
                except ValueError as exc:
                    p.add(where + (key,), str(exc))
        if name not in body_vars:
            p.add(where, f"the query never uses ?{name}")
        if name in columns:
            p.add(where, f"?{name} is also a result column; name the parameter differently")
        lookups = _check_lookups(spec.get("lookup"), p, where, body_vars, queries_dir)
        out.append(Param(name, ptype, (desc or "").strip(), required, example, default, lookups))
    return tuple(out)


def _check_returns(raw: Any, p: _Problems) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    if not isinstance(raw, dict):
        p.add(("returns",), "must be a mapping like {form: select, columns: [a, b]}")
        return "select", (), ()
    for key in sorted(set(raw) - _RETURN_KEYS):
        p.add(("returns", key), f"unknown key (allowed: {', '.join(sorted(_RETURN_KEYS))})")
    form = raw.get("form")
    if form not in FORMS:
        p.add(("returns", "form"), f"must be one of {', '.join(FORMS)}, not {form!r}")
        form = "select"
    cols = raw.get("columns", [])
    if form == "select":
        if not isinstance(cols, list) or not cols:
            p.add(("returns", "columns"), "a select query must list its result columns in order")
            cols = []
        bad = [c for c in cols if not isinstance(c, str) or not _VAR.fullmatch(c)]
        if bad:
            p.add(("returns", "columns"), f"not variable names: {bad}")
        if len(set(map(str, cols))) != len(cols):
            p.add(("returns", "columns"), "a column is listed twice")
    elif cols:
        p.add(("returns", "columns"), f"a {form} query has no result columns")
    lists = raw.get("lists", [])
    if not isinstance(lists, list) or any(c not in cols for c in lists):
        p.add(("returns", "lists"), "must list result columns that hold '|'-separated lists")
        lists = []
    return form, tuple(map(str, cols)), tuple(lists)


def parse_query(path: Path, name: str | None = None) -> CatalogueQuery:
    """Read and check one query file; a ``UsageError`` lists every problem of its header."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"{path}: cannot read the query file: {exc.strerror}") from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise UsageError(f"{path}:{line}: the query file is not UTF-8 text (byte 0x{data[exc.start]:02x}); save it as UTF-8") from None
    header, body = split_header(text)
    p = _Problems(path, header)
    name = name or path.stem
    if not _NAME.fullmatch(name) or name in RESERVED_NAMES:
        p.add((), f"the file name {name!r} must be lower-case words joined by '-' and not one of {RESERVED_NAMES}")
    if not header:
        raise UsageError(f"{path}:1: header: the file must begin with a '#+' header (summary, description, params, returns, keywords)")
    meta = _read_header(path, header)
    for key in sorted(set(meta) - set(_TOP_KEYS)):
        p.add((key,), f"unknown key (allowed: {', '.join(_TOP_KEYS)})")
    for key, needed in _TOP_KEYS.items():
        if needed and key not in meta:
            p.add((), f"missing '{key}'")
    summary = meta.get("summary")
    if "summary" in meta and (not isinstance(summary, str) or not summary.strip().endswith("?")):
        p.add(("summary",), "must be the question the query answers, ending in '?'")
    description = meta.get("description")
    if "description" in meta and (not isinstance(description, str) or not description.strip()):
        p.add(("description",), "must say what one result row means")
    keywords = meta.get("keywords")
    if "keywords" in meta and (not isinstance(keywords, list) or not keywords or not all(isinstance(k, str) and k for k in keywords)):
        p.add(("keywords",), "must be a non-empty list of words")
        keywords = []
    form, columns, lists = _check_returns(meta.get("returns"), p) if "returns" in meta else ("select", (), ())
    params = _check_params(meta.get("params"), p, sparql_text.variables(body), columns, path.parent)
    actual = sparql_text.query_form(body)
    if actual is None:
        p.add(("returns", "form"), "the file holds no SELECT, CONSTRUCT or ASK query")
    elif actual.lower() != form:
        p.add(("returns", "form"), f"the header says {form} but the query is a {actual}")
    if params and sparql_text.where_brace(body) is None:
        p.add(("params",), "a query with parameters must have a top-level WHERE { ... } group")
    pagination = _check_pagination(meta.get("pagination"), body, p) if "pagination" in meta else None
    _check_value_markers(body, params, p)
    if "pagination" not in meta and page_markers(body):
        p.add(("pagination",), f"the query has a '{PAGE_MARKER}' line but no 'pagination: N' page size")
    if p.items:
        n = len(p.items)
        raise UsageError(f"{path} has {n} header problem{'s' if n != 1 else ''}:\n" + "\n".join(f"  {i}" for i in p.items))
    return CatalogueQuery(
        name=name, path=path, summary=str(summary).strip(), description=" ".join(str(description).split()),
        form=form, columns=columns, keywords=tuple(keywords or ()), params=params, lists=lists,
        text=text, body=body.strip() + "\n", pagination=pagination,
    )


def page_markers(body: str) -> list[int]:
    """Offsets of the ``#+ page`` comments of a query body."""
    return [pos for kind, tok, pos in sparql_text.tokens(body) if kind == "comment" and tok.strip() == PAGE_MARKER]


def value_markers(body: str) -> list[tuple[int, int, tuple[str, ...]]]:
    r"""``(start, end, variables)`` of every ``#+ values ?a ?b`` comment of a query body.

    >>> value_markers("SELECT * WHERE { { SELECT ?x WHERE {\n #+ values ?x ?y\n ?x ?p ?o } } }")
    [(38, 53, ('x', 'y'))]
    """
    out = []
    for kind, tok, pos in sparql_text.tokens(body):
        text = tok.rstrip()
        if kind == "comment" and (text == VALUES_MARKER or text.startswith(VALUES_MARKER + " ")):
            names = tuple(v.lstrip("?") for v in text[len(VALUES_MARKER):].split())
            out.append((pos, pos + len(text), names))
    return out


def fill_value_markers(text: str, terms: dict[str, list[str]]) -> str:
    r"""The text with each ``#+ values ?a ?b`` line replaced by inline data for the names ``terms``
    gives (``VALUES ?a { t1 t2 }``, or ``FILTER(false)`` for a name given no term); a line naming
    none of them is dropped.

    >>> fill_value_markers("{ SELECT ?x WHERE {\n #+ values ?x\n ?x ?p ?o } }", {"x": ["<a:1>"]})
    '{ SELECT ?x WHERE {\n VALUES ?x { <a:1> }\n ?x ?p ?o } }'
    """
    for start, end, names in reversed(value_markers(text)):
        blocks = [f"VALUES ?{n} {{ {' '.join(terms[n])} }}" if terms[n] else "FILTER(false)"
                  for n in names if n in terms]
        text = f"{text[:start]}{' '.join(blocks)}{text[end:]}"
    return text


def _check_value_markers(body: str, params: tuple[Param, ...], p: _Problems) -> None:
    """Each ``#+ values`` line names parameters or variables their lookups find."""
    known = {q.name for q in params} | {lk.variable for q in params for lk in q.lookup}
    for _, _, names in value_markers(body):
        if not names:
            p.add(("params",), f"a '{VALUES_MARKER}' line must name the variables it binds, like '{VALUES_MARKER} ?gene'")
        for name in names:
            if name not in known:
                p.add(("params",), f"the '{VALUES_MARKER}' line names ?{name}, which is neither a parameter "
                                   "nor a variable a parameter's lookup finds")


def _check_pagination(raw: Any, body: str, p: _Problems) -> int | None:
    """The page size of a paged query, which must mark where its page's LIMIT and OFFSET go."""
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < 1:
        p.add(("pagination",), f"must be the page size, a positive whole number, not {raw!r}")
        return None
    if len(page_markers(body)) != 1:
        p.add(("pagination",), f"a paged query must have exactly one '{PAGE_MARKER}' line, after the ORDER BY "
                               "of the sub-select that lists the page's subjects")
    return int(raw)


def paged(query: CatalogueQuery, text: str, page: int) -> str:
    r"""The query text with the ``#+ page`` line replaced by page ``page``'s LIMIT and OFFSET.

    A query without pagination is returned unchanged (it has a single page).

    >>> q = CatalogueQuery("q", Path("q.rq"), "", "", "select", ("x",), pagination=10)
    >>> paged(q, "SELECT ?x WHERE { { SELECT ?x WHERE { ?x ?p ?o } ORDER BY ?x\n #+ page\n } }", 3)
    'SELECT ?x WHERE { { SELECT ?x WHERE { ?x ?p ?o } ORDER BY ?x\n LIMIT 10 OFFSET 20\n } }'
    """
    if query.pagination is None:
        return text
    at = page_markers(text)
    if len(at) != 1:
        raise UsageError(f"{query.path}: a paged query must have exactly one '{PAGE_MARKER}' line")
    size = query.pagination
    return f"{text[:at[0]]}LIMIT {size} OFFSET {(page - 1) * size}{text[at[0] + len(PAGE_MARKER):]}"


def query_files(queries_dir: Path = QUERIES_DIR) -> list[Path]:
    """Every ``.rq`` file of the catalogue, sorted by name."""
    return sorted(queries_dir.glob("*.rq"))


def names(queries_dir: Path = QUERIES_DIR) -> list[str]:
    """The names of the catalogue's queries (file names without ``.rq``)."""
    return [p.stem for p in query_files(queries_dir)]


def find(name: str, queries_dir: Path = QUERIES_DIR) -> CatalogueQuery:
    """The catalogue query called ``name`` (only its file is read); a ``UsageError`` if unknown."""
    path = queries_dir / f"{name}.rq"
    if not _NAME.fullmatch(name) or not path.is_file():
        import difflib

        known = names(queries_dir)
        close = difflib.get_close_matches(name, known, n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise UsageError(f"no query called {name!r} in the catalogue{hint} (see 'ntrk-kg query list')")
    return parse_query(path)


def load(queries_dir: Path = QUERIES_DIR) -> list[CatalogueQuery]:
    """Every query of the catalogue, parsed and checked, sorted by name."""
    return [parse_query(p) for p in query_files(queries_dir)]


def markdown_table(queries: list[CatalogueQuery]) -> str:
    """The catalogue as a Markdown table (name, question, parameters, columns), for docs/queries.md."""
    rows = ["| query | question | parameters | columns |", "|---|---|---|---|"]
    for q in queries:
        params = ", ".join(
            f"`{p.name}` ({p.type}{'' if p.required else ', optional'})" for p in q.params
        ) or "-"
        cols = ", ".join(f"`{c}`" for c in q.columns) if q.columns else f"({q.form.upper()}: RDF triples)"
        rows.append(f"| `{q.name}` | {q.summary} | {params} | {cols} |")
    return "\n".join(rows) + "\n"
