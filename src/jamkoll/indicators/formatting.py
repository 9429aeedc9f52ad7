"""Key figures as a Swedish reader reads them: decimal comma, thousands grouped with a no-break
space, a true minus sign (`−1 234,5`). The exact value (`selectors.dec_str`) is kept: a key figure
is shown with the decimals its source gave, never rounded away on the page."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_EVEN, Decimal

from django.utils.translation import gettext as _

from jamkoll.money import group_digits

from .selectors import dec_str


def generated_label() -> str:
    """What every page, chart and download says of a generated indicator (`Indicator.generated`)."""
    return _("Genererade exempeldata – inte verklig statistik")


MISSING = "–"


def format_number(value: Decimal | int | None, *, places: int | None = None, signed: bool = False) -> str:
    """`Decimal("-1234.50")` → `"−1 234,5"`; `None` → `"–"`. `places` rounds (half-even) to that many
    decimals; `signed` writes a plus sign before a positive value (a change, a gap)."""
    if value is None:
        return MISSING
    number = Decimal(value)
    if not number.is_finite():
        return MISSING
    if places is not None:
        number = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
        text = format(number, "f")  # exactly `places` decimals, zeros kept
    else:
        text = dec_str(number) or "0"
    negative = text.startswith("-")
    whole, _sep, frac = text.lstrip("-").partition(".")
    out = group_digits(whole) + ("," + frac if frac else "")
    if negative and out.strip("0,\u00a0"):
        return "\u2212" + out
    if signed and number > 0:
        return "+" + out
    return out


def decimals_of(values: Iterable[Decimal | None], *, most: int = 6) -> int:
    """How many decimals the most precise of `values` has (trailing zeros not counted), at most
    `most`: a column is shown with that many throughout (`60,0` beside `58,3`)."""
    places = 0
    for value in values:
        if value is None or not value.is_finite():
            continue
        text = dec_str(value) or ""
        if "." in text:
            places = max(places, len(text.split(".")[1]))
    return min(places, most)
