"""`{{ value|money }}`: a Decimal amount with two decimals and thousands separators
("120,000.03"), the same in every language so figures line up and copy cleanly;
`{{ value|quantity }}`: a quantity without trailing zeros ("2", "0.333")."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django import template

register = template.Library()

CENT = Decimal("0.01")


@register.filter
def money(value: Any) -> str:
    """Empty for None or text that is not a number; never rounds through float."""
    if value is None or value == "":
        return ""
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return ""
    if not number.is_finite():
        return ""
    return f"{number.quantize(CENT, rounding=ROUND_HALF_UP):,.2f}"


@register.filter
def quantity(value: Any) -> str:
    """A quantity without trailing zeros or exponent: 2.000 → "2", 0.500 → "0.5"."""
    if value is None or value == "":
        return ""
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return ""
    if not number.is_finite():
        return ""
    text = f"{number:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
