"""The conventions of the curated tab-separated files: how a cell holds a list.

One owner for the rule every reader of ``kg_build/data/*.tsv`` follows: a list cell separates its
items with ``|``; each item is stripped of surrounding spaces and empty items are dropped.
"""

from __future__ import annotations

LIST_SEPARATOR = "|"


def split_list(cell: str) -> list[str]:
    """The items of a list cell, stripped, without empty ones.

    >>> split_list("1| 2||3 ")
    ['1', '2', '3']
    >>> split_list("")
    []
    """
    return [item.strip() for item in cell.split(LIST_SEPARATOR) if item.strip()]
