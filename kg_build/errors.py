"""Exceptions the library raises; the CLI maps them to exit codes (2 usage/input, 1 validation)."""

from __future__ import annotations

from collections import namedtuple


class Problem(namedtuple("Problem", ("file", "line", "field", "message"))):
    """One problem in a curated file: where it is, which field, and what is wrong.

    A named tuple (immutable, hashable, ordered by file, line, field, message); not a dataclass,
    so that importing this module, which every command does, stays cheap.

    >>> str(Problem("genes.tsv", 3, "symbol", "is empty"))
    'genes.tsv:3: symbol: is empty'
    """

    __slots__ = ()
    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.field}: {self.message}"


class KgError(Exception):
    """Base class of every error meant for a user, never shown as a traceback."""

    exit_code = 2


class CurationError(KgError):
    """The curated source data is malformed; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(set(problems))
        lines = "\n".join(f"  {p}" for p in self.problems)
        n = len(self.problems)
        super().__init__(
            f"the curated data has {n} problem{'s' if n != 1 else ''}; nothing was written:\n{lines}"
        )


class UsageError(KgError):
    """A command was called with wrong arguments or an unreadable input."""


class ValidationFailure(KgError):
    """The graph does not conform to its shapes or its ontology."""

    exit_code = 1
