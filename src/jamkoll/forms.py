"""Bounded form fields, written once for every app's forms (DESIGN §6, issue 10).

- `BoundedDateField`: ÅÅÅÅ-MM-DD within DATE_MIN..DATE_MAX, checked by a real validator (not only
  the widget's min/max, which a client need not honour); `past_only=True` also refuses a date
  after today; a form narrows the range per instance with `set_bounds`.
- `OneLineField`: one line of text, at most SHORT characters by default, no control or bidi
  characters (`TextValidator(multiline=False)`).
- `MultiLineField`: free text over several lines, at most LONG characters by default.
- `AmountField`: kronor in plain or Swedish notation (`jamkoll.money.parse_amount`), cleaned to a
  `Decimal`.

The services check the same bounds again: the API and the command line reach them without a form.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

from jamkoll.money import AmountError, parse_amount
from jamkoll.validation import DATE_MAX, DATE_MIN, LONG, SHORT, TextValidator

__all__ = ["AmountField", "BoundedDateField", "DateRangeValidator", "MultiLineField", "OneLineField"]

DateBound = dt.date | Callable[[], dt.date]


def _resolve(bound: DateBound) -> dt.date:
    return bound() if callable(bound) else bound


@deconstructible
class DateRangeValidator:
    """A date within [earliest, latest] (either may be a callable, e.g. `timezone.localdate`);
    `past_only`: also not after today."""

    def __init__(
        self, earliest: DateBound = DATE_MIN, latest: DateBound = DATE_MAX, *, past_only: bool = False
    ) -> None:
        self.earliest, self.latest, self.past_only = earliest, latest, past_only

    def bounds(self) -> tuple[dt.date, dt.date]:
        latest = _resolve(self.latest)
        if self.past_only:
            latest = min(latest, timezone.localdate())
        return _resolve(self.earliest), latest

    def __call__(self, value: Any) -> None:
        if not isinstance(value, dt.date):
            return
        earliest, latest = self.bounds()
        if self.past_only and value > timezone.localdate() and earliest <= value <= _resolve(self.latest):
            raise ValidationError(_("Datumet får inte ligga i framtiden."), code="future")
        if not earliest <= value <= latest:
            raise ValidationError(
                _("Datumet måste ligga mellan %(a)s och %(b)s."),
                code="date_range",
                params={"a": earliest.isoformat(), "b": latest.isoformat()},
            )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DateRangeValidator) and (
            (self.earliest, self.latest, self.past_only) == (other.earliest, other.latest, other.past_only)
        )


class DateInput(forms.DateInput):
    """`<input type="date">` with min and max from the field's validator, worked out when the
    page is drawn (so "today" is today, not the day the server started)."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")
        self.range: DateRangeValidator | None = None

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        if self.range is not None:
            earliest, latest = self.range.bounds()
            attrs = {"min": earliest.isoformat(), "max": latest.isoformat(), **(attrs or {})}
        return super().get_context(name, value, attrs)


class BoundedDateField(forms.DateField):
    """A date typed as ÅÅÅÅ-MM-DD within [earliest, latest] (default DATE_MIN..DATE_MAX);
    `past_only`: what has happened, so not after today."""

    widget = DateInput

    def __init__(
        self,
        *,
        earliest: DateBound = DATE_MIN,
        latest: DateBound = DATE_MAX,
        past_only: bool = False,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("input_formats", ["%Y-%m-%d"])
        super().__init__(**kwargs)
        self.set_bounds(earliest, latest, past_only=past_only)

    def set_bounds(self, earliest: DateBound, latest: DateBound, *, past_only: bool = False) -> None:
        """Narrow (or widen) the range on this form's copy of the field."""
        self.range = DateRangeValidator(earliest, latest, past_only=past_only)
        self.validators = [v for v in self.validators if not isinstance(v, DateRangeValidator)]
        self.validators.append(self.range)
        if isinstance(self.widget, DateInput):
            self.widget.range = self.range


class OneLineField(forms.CharField):
    """One line of text: at most `max_length` (SHORT) characters, no line breaks, control or bidi
    characters."""

    def __init__(self, *, max_length: int = SHORT, **kwargs: Any) -> None:
        kwargs["validators"] = [*kwargs.get("validators", ()), TextValidator(multiline=False)]
        super().__init__(max_length=max_length, **kwargs)


class MultiLineField(forms.CharField):
    """Free text over several lines: at most `max_length` (LONG) characters, no control or bidi
    characters other than tab and newline. Optional unless `required=True`."""

    def __init__(self, *, max_length: int = LONG, rows: int = 3, **kwargs: Any) -> None:
        kwargs["validators"] = [*kwargs.get("validators", ()), TextValidator(multiline=True)]
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": rows}))
        super().__init__(max_length=max_length, **kwargs)


class AmountField(forms.CharField):
    """Kronor in plain or Swedish notation (`parse_amount`'s rules and messages), cleaned to a
    `Decimal` (None when optional and empty)."""

    def __init__(self, *, max_length: int = 40, **kwargs: Any) -> None:
        super().__init__(max_length=max_length, **kwargs)

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        text = super().to_python(value) or ""
        if not text:
            return None
        if len(text) > (self.max_length or 40):
            raise ValidationError(
                _("Högst %(max)s tecken."), code="max_length", params={"max": self.max_length}
            )
        try:
            return parse_amount(text)
        except AmountError as exc:
            raise ValidationError(str(exc), code="invalid") from None

    def run_validators(self, value: Any) -> None:
        """The length applies to the text (checked in `to_python`), not to the Decimal."""
        return None
