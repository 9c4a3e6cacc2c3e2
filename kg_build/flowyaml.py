"""A strict reader for the small YAML subset of query headers (grlc's ``#+`` convention).

Query headers use a handful of YAML forms: ``key: value`` lines, one level of nested
``name: {flow mapping}`` lines, flow mappings ``{a: 1}`` and sequences ``[a, b]``, quoted and plain
scalars, and plain scalars continued on indented lines. This module reads exactly that subset and
rejects anything else with the line it is on, so the ``ntrk-kg query`` path does not pay for
importing a full YAML library (a test checks that PyYAML reads every shipped header identically).

>>> parse('summary: Which genes?\\nparams:\\n  gene: {type: curie, required: false}\\nkeywords: [a, "b c"]')
{'summary': 'Which genes?', 'params': {'gene': {'type': 'curie', 'required': False}}, 'keywords': ['a', 'b c']}
"""

from __future__ import annotations

import re

TYPE_CHECKING = False  # typing itself is not imported at run time: this module is on the query path
if TYPE_CHECKING:
    from typing import Any

_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*):(?:[ ]+|$)")
_INT = re.compile(r"[-+]?(0|[1-9][0-9]*)")
_FLOAT = re.compile(r"[-+]?[0-9]+\.[0-9]+")
_SPECIAL = set("&*!|>%@`'\"{[]},#?-")


class HeaderSyntaxError(ValueError):
    """The header is not in the supported YAML subset; ``line`` counts from 1 within the header."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def _plain(text: str, line: int, flow: bool) -> Any:
    text = text.strip()
    if text in ("true", "false"):
        return text == "true"
    if text == "null":
        return None
    if _INT.fullmatch(text):
        return int(text)
    if _FLOAT.fullmatch(text):
        return float(text)
    if not text:
        raise HeaderSyntaxError(line, "missing value")
    if text[0] in _SPECIAL and not re.match(r"-[0-9]", text):
        raise HeaderSyntaxError(line, f"value {text!r} starts with {text[0]!r}; put it in double quotes")
    if ": " in text or text.endswith(":") or " #" in text:
        raise HeaderSyntaxError(line, f"value {text!r} holds ': ' or ' #'; put it in double quotes")
    if text.lower() in ("yes", "no", "on", "off", "~", "y", "n") or text in ("True", "False", "Null", "NULL", "TRUE", "FALSE"):
        raise HeaderSyntaxError(line, f"value {text!r} is ambiguous in YAML; write true/false or quote it")
    if flow and any(c in text for c in ",[]{}"):
        raise HeaderSyntaxError(line, f"value {text!r} holds a flow indicator; put it in double quotes")
    return text


class _Flow:
    """Recursive-descent reader of one flow value (``{...}``, ``[...]``, quoted or plain scalar)."""

    def __init__(self, text: str, line: int) -> None:
        self.text, self.pos, self.line = text, 0, line

    def fail(self, message: str) -> HeaderSyntaxError:
        return HeaderSyntaxError(self.line, message)

    def ws(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in " \n":
            self.pos += 1

    def value(self) -> Any:
        self.ws()
        if self.pos >= len(self.text):
            raise self.fail("missing value")
        c = self.text[self.pos]
        if c == "{":
            return self.mapping()
        if c == "[":
            return self.sequence()
        if c == '"':
            return self.quoted()
        end = self.pos
        while end < len(self.text) and self.text[end] not in ",]}":
            end += 1
        raw, self.pos = self.text[self.pos:end], end
        return _plain(raw, self.line, flow=True)

    def quoted(self) -> str:
        m = re.compile(r'"(?:[^"\\\n]|\\.)*"').match(self.text, self.pos)
        if not m:
            raise self.fail("unterminated double-quoted string")
        self.pos = m.end()
        inner = m.group(0)[1:-1]
        if "\\" not in inner and all(c >= " " for c in inner):
            return inner  # what json.loads gives for a string without escapes or control characters
        import json

        try:
            return json.loads(m.group(0))
        except ValueError as exc:
            raise self.fail(f"bad escape in {m.group(0)}: {exc}") from exc

    def mapping(self) -> dict[str, Any]:
        self.pos += 1
        out: dict[str, Any] = {}
        self.ws()
        if self.text.startswith("}", self.pos):
            self.pos += 1
            return out
        while True:
            self.ws()
            m = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*):[ ]+").match(self.text, self.pos)
            if not m:
                raise self.fail(f"expected 'key: value' in a mapping at {self.text[self.pos:self.pos + 20]!r}")
            key = m.group(1)
            if key in out:
                raise self.fail(f"duplicate key {key!r}")
            self.pos = m.end()
            out[key] = self.value()
            self.ws()
            if self.text.startswith(",", self.pos):
                self.pos += 1
                continue
            if self.text.startswith("}", self.pos):
                self.pos += 1
                return out
            raise self.fail("expected ',' or '}' in a mapping")

    def sequence(self) -> list[Any]:
        self.pos += 1
        out: list[Any] = []
        self.ws()
        if self.text.startswith("]", self.pos):
            self.pos += 1
            return out
        while True:
            out.append(self.value())
            self.ws()
            if self.text.startswith(",", self.pos):
                self.pos += 1
                continue
            if self.text.startswith("]", self.pos):
                self.pos += 1
                return out
            raise self.fail("expected ',' or ']' in a sequence")

    def whole(self) -> Any:
        value = self.value()
        self.ws()
        if self.pos != len(self.text):
            raise self.fail(f"unexpected text after the value: {self.text[self.pos:]!r}")
        return value


def _balanced(text: str) -> bool:
    depth, in_str, esc = 0, False, False
    for c in text:
        if in_str:
            esc, in_str = (not esc and c == "\\"), in_str and (esc or c != '"')
            continue
        if c == '"':
            in_str = True
        elif c in "[{":
            depth += 1
        elif c in "]}":
            depth -= 1
    return depth <= 0


def _inline(text: str, line: int) -> Any:
    text = text.strip()
    if text[:1] in ("{", "[", '"'):
        return _Flow(text, line).whole()
    return _plain(text, line, flow=False)


def _logical_lines(lines: list[str], start: int, indent: int) -> tuple[str, int]:
    """Join a value that continues on more-indented lines (plain folding or an open flow)."""
    text, i = lines[start][indent:], start + 1
    while i < len(lines) and lines[i].strip() and len(lines[i]) - len(lines[i].lstrip(" ")) > indent:
        if _KEY.match(lines[i].strip()) and text.split(":", 1)[1].strip() == "":
            break
        text += ("\n" if not _balanced(text) else " ") + lines[i].strip()
        i += 1
    return text, i


def parse(text: str) -> dict[str, Any]:
    """Read a header (without its ``#+`` markers) into plain Python values."""
    lines = text.split("\n")
    out: dict[str, Any] = {}
    i = 0
    while i < len(lines):
        raw = lines[i]
        if not raw.strip():
            i += 1
            continue
        if raw.startswith(" "):
            raise HeaderSyntaxError(i + 1, "indented line outside a block")
        if "\t" in raw:
            raise HeaderSyntaxError(i + 1, "tab character; indent with spaces")
        m = _KEY.match(raw)
        if not m:
            raise HeaderSyntaxError(i + 1, f"expected 'key: value', got {raw!r}")
        key, first = m.group(1), i + 1
        if key in out:
            raise HeaderSyntaxError(first, f"duplicate key {key!r}")
        rest = raw[m.end():]
        if rest.strip():
            joined, i = _logical_lines(lines, i, 0)
            out[key] = _inline(joined[m.end():], first)
            continue
        block: dict[str, Any] = {}
        i += 1
        while i < len(lines) and lines[i].startswith("  "):
            sub = lines[i]
            if sub.startswith("   "):
                raise HeaderSyntaxError(i + 1, "nested entries are indented by exactly two spaces")
            sm = _KEY.match(sub[2:])
            if not sm or not sub[2 + sm.end():].strip():
                raise HeaderSyntaxError(i + 1, f"expected '  name: value', got {sub!r}")
            if sm.group(1) in block:
                raise HeaderSyntaxError(i + 1, f"duplicate key {sm.group(1)!r}")
            line_no = i + 1
            joined, i = _logical_lines(lines, i, 2)
            block[sm.group(1)] = _inline(joined[sm.end():], line_no)
        out[key] = block or None
    return out
