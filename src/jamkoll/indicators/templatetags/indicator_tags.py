"""`{% load indicator_tags %}`: key figures written the Swedish way (`formatting.format_number`)."""

from __future__ import annotations

from decimal import Decimal

from django import template

from jamkoll.indicators.formatting import format_number

register = template.Library()


@register.filter
def num(value: Decimal | int | None, places: int | None = None) -> str:
    """`−1 234,5`; a missing value `–`; `{{ v|num:1 }}` with exactly one decimal."""
    return format_number(value, places=places)


@register.filter
def signed(value: Decimal | int | None, places: int | None = None) -> str:
    """A gap or a change: `+2,5`, `−1`, `0`."""
    return format_number(value, places=places, signed=True)
