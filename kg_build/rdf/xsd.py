"""XML Schema lexical forms the graph writes: canonical decimals and dates by precision.

Light (no RDF library): the query path uses it to canonicalise parameter values and results.
"""

from __future__ import annotations

from decimal import Decimal

XSD = "http://www.w3.org/2001/XMLSchema#"


def canonical_decimal(number: Decimal) -> str:
    """The canonical ``xsd:decimal`` form: no exponent, no trailing zeros, at least one digit after '.'.

    Zero is ``0.0`` whatever its sign, as XSD 1.1 has no negative zero for decimals.

    >>> canonical_decimal(Decimal("90")), canonical_decimal(Decimal("3.00")), canonical_decimal(Decimal("-0.570"))
    ('90.0', '3.0', '-0.57')
    >>> canonical_decimal(Decimal("-0")), canonical_decimal(Decimal("1E+2"))
    ('0.0', '100.0')
    """
    text = format(number.normalize() if number else Decimal(0), "f")
    if "." not in text:
        text += ".0"
    return text


DATE_DATATYPES = {4: "gYear", 7: "gYearMonth", 10: "date"}
"""Length of a ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` value -> the local name of its XSD datatype."""


def date_datatype(value: str) -> str:
    """The local name of the XSD date type for the precision of ``value``.

    >>> date_datatype("2019"), date_datatype("2019-05"), date_datatype("2019-05-03")
    ('gYear', 'gYearMonth', 'date')
    """
    return DATE_DATATYPES[len(value)]
