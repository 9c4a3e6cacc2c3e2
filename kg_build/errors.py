"""Exceptions the library raises, and the exit codes the command line maps them to."""

from __future__ import annotations

from typing import NamedTuple

EXIT_CODES = {
    0: "success",
    1: "the graph does not conform, a check failed, or a server refused",
    2: "bad input or usage",
}
"""The documented exit codes of ``ntrk-kg``: the one table the CLI's help and the docs show."""


class Problem(NamedTuple):
    """One problem in a curated file: where it is, which field, and what is wrong.

    Ordered by file, line, field and message.

    >>> str(Problem("genes.tsv", 3, "symbol", "is empty"))
    'genes.tsv:3: symbol: is empty'
    """

    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.field}: {self.message}"


class KgError(Exception):
    """Base class of every error meant for a user, never shown as a traceback (exit status 2)."""

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
    """A command was called with wrong arguments or an unreadable input (exit status 2)."""


class ValidationFailure(KgError):
    """The graph does not conform to its shapes or its ontology (exit status 1)."""

    exit_code = 1
