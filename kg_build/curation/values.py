"""Parse prevalence values as the guide writes them into typed ranges (percent of cases)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

_NUM = r"(\d+(?:\.\d+)?)\s*%?"
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(rf"^{_NUM}\s*-\s*{_NUM}$"), "range"),
    (re.compile(rf"^(?:>|exceeding\s+|more than\s+|greater than\s+){_NUM}$", re.I), "above"),
    (re.compile(rf"^(?:<|less than\s+|below\s+){_NUM}$", re.I), "below"),
    (re.compile(rf"^(?:~|approximately\s+|about\s+|approx\.\s*){_NUM}$", re.I), "approx"),
    (re.compile(rf"^{_NUM}$"), "point"),
)


@dataclass(frozen=True)
class Range:
    """A parsed value: bounds (with inclusiveness), or a point estimate, possibly approximate."""

    verbatim: str
    lower: Decimal | None = None
    lower_inclusive: bool | None = None
    upper: Decimal | None = None
    upper_inclusive: bool | None = None
    point: Decimal | None = None
    approximate: bool = False


class ValueSyntaxError(ValueError):
    """A value that is not one of the forms the guide uses, or is out of range."""


def parse_percent(text: str) -> Range:
    """Parse a prevalence as written into a ``Range``; raise ``ValueSyntaxError`` if it cannot.

    >>> parse_percent(">90%")
    Range(verbatim='>90%', lower=Decimal('90'), lower_inclusive=False, upper=None, upper_inclusive=None, point=None, approximate=False)
    >>> parse_percent("0.57% - 3.0%").upper
    Decimal('3.0')
    >>> parse_percent("~26%").point, parse_percent("~26%").approximate
    (Decimal('26'), True)
    >>> parse_percent("less than 1%").upper_inclusive
    False
    """
    s = text.strip()
    for pattern, form in _PATTERNS:
        m = pattern.match(s)
        if not m:
            continue
        nums = [Decimal(g) for g in m.groups()]
        for n in nums:
            if n > 100:
                raise ValueSyntaxError(f"{n}% is above 100%")
        if form == "range":
            lo, hi = nums
            if lo > hi:
                raise ValueSyntaxError(f"lower bound {lo}% is above upper bound {hi}%")
            return Range(text, lower=lo, lower_inclusive=True, upper=hi, upper_inclusive=True)
        if form == "above":
            return Range(text, lower=nums[0], lower_inclusive=False)
        if form == "below":
            return Range(text, upper=nums[0], upper_inclusive=False)
        if form == "approx":
            return Range(text, point=nums[0], approximate=True)
        return Range(text, point=nums[0])
    raise ValueSyntaxError(
        f"{text!r} is not a percentage the parser knows "
        "('1.91%', '~26%', '>90%', '<5%', '0.57% - 3.0%', 'approximately 0.3%', 'less than 1%')"
    )

