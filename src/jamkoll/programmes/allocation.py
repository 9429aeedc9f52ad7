"""The allocation rule as a pure function: a line divided per county, exactly or not at all."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError

from jamkoll.money import ORE


class AllocationError(ValidationError):
    """A rule that cannot divide its line: a `ValidationError` (the one error contract), so a caller
    shows `" ".join(exc.messages)`, not `str(exc)` (a list's repr)."""


def divide(
    *,
    line_amount: Decimal,
    counties: Sequence[str],
    default_amount: Decimal,
    overrides: Mapping[str, Decimal],
) -> dict[str, Decimal]:
    """Each county gets its override or the default; the sum must equal the line to the öre.

    A rule that cannot divide the line exactly is an error, never a rounding (DESIGN §2).
    """
    unknown = sorted(set(overrides) - set(counties))
    if unknown:
        raise AllocationError(f"regeln nämner län som inte finns: {', '.join(unknown)}")
    if len(set(counties)) != len(counties):
        raise AllocationError("samma län förekommer två gånger")
    amounts: dict[str, Decimal] = {}
    for code in counties:
        amount = overrides.get(code, default_amount)
        if amount < 0 or amount != amount.quantize(ORE):
            raise AllocationError(f"ogiltigt belopp för län {code}: {amount}")
        amounts[code] = amount.quantize(ORE)
    total = sum(amounts.values(), Decimal("0.00"))
    if total != line_amount:
        raise AllocationError(
            f"fördelningsregeln ger {total:f} kr men budgetraden är {line_amount:f} kr "
            f"(skillnad {line_amount - total:f} kr)"
        )
    return amounts
