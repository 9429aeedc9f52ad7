"""`{% load indicator_tags %}`: key figures written the Swedish way (`formatting.format_number`)."""

from __future__ import annotations

from decimal import Decimal

from django import template

from jamkoll.indicators.formatting import format_number

register = template.Library()


@register.filter
def num(value: Decimal | int | None) -> str:
    """`−1 234,5`; a missing value `–`."""
    return format_number(value)


@register.filter
def signed(value: Decimal | int | None) -> str:
    """A gap or a change: `+2,5`, `−1`, `0`."""
    return format_number(value, signed=True)
