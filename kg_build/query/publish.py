"""The catalogue's queries as published: parameters bound, so the text runs as is on any store.

A catalogue query is a template: ``ntrk-kg query NAME -p name=value`` binds its parameters. The
published text (the ``sh:select``/``sh:construct`` of the metadata graph and the release's
``queries/*.rq``) cannot wait for a value: it binds each parameter to its default, or a required
parameter to its example, as inline data at the top of the WHERE group (and in the sub-selects
its ``#+ values`` lines mark); an endpoint parameter puts the public endpoint's IRI in its
``SERVICE`` clause. An optional parameter without a default stays unbound (the query then answers
for every value). Run as published, each query gives the answer ``ntrk-kg query NAME`` gives with
those values.
"""

from __future__ import annotations

from kg_build.query.catalogue import CatalogueQuery, fill_value_markers, split_header
from kg_build.query.params import to_term
from kg_build.sparql.text import tokens, variables, with_service_iris, with_values


def published_values(query: CatalogueQuery) -> dict[str, str]:
    """Parameter -> the value the published text binds it to: its default, else (required) its example."""
    out = {}
    for p in query.params:
        value = p.default if p.default is not None else (p.example if p.required else None)
        if value is not None:
            out[p.name] = value
    return out


def published_text(query: CatalogueQuery) -> str:
    """The query's SPARQL with its published values bound (see the module docstring)."""
    bound = {k: str(to_term(p.type, v)) for k, v in published_values(query).items() if (p := query.param(k))}
    text = with_service_iris(query.body, bound)
    text = fill_value_markers(text, {k: [v] for k, v in bound.items()})
    used = variables(text)
    return with_values(text, {k: v for k, v in bound.items() if k in used})


def federated_endpoints(text: str) -> list[str]:
    """The IRIs of the ``SERVICE <iri>`` clauses of a query text, in order of first use."""
    out: list[str] = []
    words: list[str] = []
    for kind, tok, _ in tokens(text):
        if kind == "comment":
            continue
        if kind == "iri" and (words[-1:] == ["SERVICE"] or words[-2:] == ["SERVICE", "SILENT"]):
            if tok[1:-1] not in out:
                out.append(tok[1:-1])
        words.append(tok.upper())
    return out


def published_file(query: CatalogueQuery) -> str:
    """The ``.rq`` file a release publishes: the header without its parameters, a comment saying
    which values the text binds, and the published text."""
    header, _ = split_header(query.text)
    kept, in_params = [], False
    for line in header:
        if line.startswith("params:"):
            in_params = True
            continue
        if in_params and line.startswith(" "):
            continue
        in_params = False
        kept.append(line)
    lines = [f"#+ {line}".rstrip() for line in kept]
    values = published_values(query)
    if values:
        bound = ", ".join(
            f"{k} = {v}" + (" (its default)" if query.param(k).default is not None else " (its example)")  # type: ignore[union-attr]
            for k, v in values.items()
        )
        lines.append(f"# Published with its parameters bound so that it runs as is: {bound}.")
        lines.append(f"# 'ntrk-kg query {query.name} -p NAME=VALUE' runs it with other values.")
    return "\n".join(lines) + "\n" + published_text(query)
