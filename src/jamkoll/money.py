"""Money is Decimal with two decimals (öre), end to end. Never float.

`parse_amount` is the one gate through which amounts from the outside (CLI, CSV, JSON data files,
forms) enter; `format_sek` and `format_mnkr` are the Swedish display forms of DESIGN §2.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from django.utils.translation import gettext

ORE = Decimal("0.01")
MILLION = Decimal(1_000_000)
NBSP = "\u00a0"
# The largest amount a ledger or budget column holds (max_digits=14, two decimals).
MAX_AMOUNT = Decimal("999999999999.99")
# Plain ("2500000.00") or Swedish ("2 500 000,00", "1 234 567 kr") notation, ASCII digits only: no exponent,
# no underscores, no full-width or Arabic-Indic digits, no "inf"/"nan".
_AMOUNT = re.compile(
    r"(?P<sign>[-−]?)"
    r"(?P<whole>[0-9]{1,15}|[0-9]{1,3}(?:[ \u00a0\u202f][0-9]{3}){1,4})"
    r"(?:[.,](?P<frac>[0-9]{1,20}))?"
    # A form may also say the unit, as a Swedish reader writes it: "1 234 567 kr", "2 500 kr.".
    r"(?:[ \u00a0\u202f]?(?:kr|KR|Kr|kronor|SEK)\.?)?"
)


class AmountError(ValueError):
    """An amount that is not a finite, non-negative number with at most two decimals."""


def parse_amount(value: object, *, allow_negative: bool = False) -> Decimal:
    if isinstance(value, float | bool):
        raise AmountError(gettext("belopp får inte anges som flyttal; använd en decimalsträng"))
    if isinstance(value, Decimal):
        amount = value
    elif isinstance(value, int):
        amount = Decimal(value)
    else:
        text = str(value).strip()
        match = _AMOUNT.fullmatch(text) if len(text) <= 40 else None
        if match is None:
            shown = text if len(text) <= 40 else text[:40] + "…"
            raise AmountError(
                gettext("ogiltigt belopp: %(value)r (skriv till exempel 2500000,00 eller 2 500 000,00)")
                % {"value": shown}
            )
        whole = re.sub(r"\D", "", match["whole"])
        sign = "-" if match["sign"] else ""
        try:
            amount = Decimal(f"{sign}{whole}.{match['frac'] or '0'}")
        except InvalidOperation as exc:  # pragma: no cover - the pattern admits only digits
            raise AmountError(gettext("ogiltigt belopp: %(value)r") % {"value": value}) from exc
    if not amount.is_finite():
        raise AmountError(gettext("ogiltigt belopp: %(value)r") % {"value": value})
    if abs(amount) > MAX_AMOUNT:
        raise AmountError(gettext("beloppet är för stort (högst 999 999 999 999,99 kr)"))
    if amount != amount.quantize(ORE):
        raise AmountError(gettext("belopp får ha högst två decimaler (öre): %(value)r") % {"value": value})
    if amount < 0 and not allow_negative:
        raise AmountError(gettext("belopp får inte vara negativt: %(value)r") % {"value": value})
    return amount.quantize(ORE)


def to_str(amount: Decimal | None) -> str | None:
    """The API and CLI form: a decimal string with exactly two decimals, e.g. "2500000.00"."""
    if amount is None:
        return None
    return f"{amount.quantize(ORE):f}"


def group_digits(digits: str) -> str:
    out: list[str] = []
    while len(digits) > 3:
        out.insert(0, digits[-3:])
        digits = digits[:-3]
    out.insert(0, digits)
    return NBSP.join(out)


def format_sek(amount: Decimal | None, *, decimals: bool = False) -> str:
    """`20 000 000 kr`; with decimals `20 000 000,50 kr`."""
    if amount is None:
        return "ej beslutat"
    sign = "−" if amount < 0 else ""
    value = abs(amount).quantize(ORE, rounding=ROUND_HALF_EVEN)
    whole, _, ore = f"{value:f}".partition(".")
    text = group_digits(whole)
    if decimals or ore != "00":
        text += "," + ore
    return f"{sign}{text}{NBSP}kr"


def format_mnkr(amount: Decimal | None) -> str:
    """`2,5 mnkr`, as in the agreement's table."""
    if amount is None:
        return "ej beslutat"
    value = (amount / MILLION).normalize()
    text = f"{value:f}"
    if "." in text:
        whole, frac = text.split(".")
        text = group_digits(whole) + "," + frac
    else:
        text = group_digits(text)
    return f"{text}{NBSP}mnkr"
