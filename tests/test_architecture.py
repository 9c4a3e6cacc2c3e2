"""The architecture of kg_build/: the level rule of docs/architecture.md, no import cycle, no
private name used outside its module."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "kg_build"
DOC = ROOT / "docs" / "architecture.md"


def levels() -> dict[str, int]:
    """unit -> level, read from the table of docs/architecture.md."""
    text = DOC.read_text(encoding="utf-8")
    block = text.split("<!-- levels:start -->", 1)[1].split("<!-- levels:end -->", 1)[0]
    return {m.group(2): int(m.group(1)) for m in re.finditer(r"^\| (\d+) \| `(\w+)` \|", block, re.M)}


def modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(ROOT).with_suffix("")
        parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
        out[".".join(parts)] = path
    return out


MODULES = modules()


def imports(name: str) -> list[tuple[str, int, list[str]]]:
    """(imported kg_build module, line, names taken from it) for every import in module ``name``."""
    path = MODULES[name]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_package = path.name == "__init__.py"
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(a.name, node.lineno, []) for a in node.names if a.name.split(".")[0] == "kg_build"]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "kg_build":
                continue
            names = [a.name for a in node.names]
            # `from kg_build.x import y` imports the module kg_build.x.y when there is one
            for n in names:
                if f"{target}.{n}" in MODULES:
                    out.append((f"{target}.{n}", node.lineno, []))
            out.append((target, node.lineno, [n for n in names if f"{target}.{n}" not in MODULES]))
    return out


def unit(module: str) -> str | None:
    """The unit of the level table a module belongs to (``kg_build.rdf.iris`` -> ``rdf``)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def test_the_table_names_every_unit_of_the_package() -> None:
    units = {unit(m) for m in MODULES} - {None, "__main__"}
    table = levels()
    assert units - set(table) == set(), "units missing from docs/architecture.md"
    assert len(table) >= 15


@pytest.mark.parametrize("name", sorted(MODULES), ids=sorted(MODULES))
def test_imports_go_down_the_levels(name: str) -> None:
    table = levels()
    here = unit(name)
    bad = []
    for target, line, _ in imports(name):
        there = unit(target)
        if here in (None, "__main__") or there is None or there == here:
            continue  # the package's face (__init__, __main__) may use anything; a unit uses itself
        if table[there] >= table[here]:
            bad.append(f"{MODULES[name].relative_to(ROOT)}:{line}: {here} (level {table[here]}) imports "
                       f"{target} ({there}, level {table[there]})")
    assert bad == []


def test_no_import_cycle() -> None:
    # The package's face (kg_build/__init__.py: the version, the lazy re-export of the API) is left
    # out: every module may read the version from it.
    graph = {m: {t for t, _, _ in imports(m) if t in MODULES and t not in (m, "kg_build")}
             for m in MODULES if m != "kg_build"}
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, stack)
        stack.pop()
        state[node] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m, [])
    assert cycles == []


@pytest.mark.parametrize("name", sorted(MODULES), ids=sorted(MODULES))
def test_no_private_name_crosses_a_module(name: str) -> None:
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    bad = [f"from {t} import {n}" for t, _, names in imports(name) if t != name for n in names
           if n.startswith("_") and not n.startswith("__")]
    aliases = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("kg_build"):
            for a in node.names:
                if f"{node.module}.{a.name}" in MODULES:
                    aliases[a.asname or a.name] = f"{node.module}.{a.name}"
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith("kg_build") and a.asname:
                    aliases[a.asname] = a.name
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases
                and node.attr.startswith("_") and not node.attr.startswith("__")):
            bad.append(f"line {node.lineno}: {node.value.id}.{node.attr}")
    assert bad == []
