"""The plan pages' forms. Every field has a declared bound (DESIGN §6): text a length and no
control characters, counts 0..1 000 000 000 typed as ASCII digits, dates within DATE_MIN..DATE_MAX
(a plan step's not in the future), amounts in plain or Swedish notation. The services check the
same bounds again, for the API and the command line."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jamkoll.money import AmountError, parse_amount
from jamkoll.validation import DATE_MAX, DATE_MIN, LONG, SHORT, TextValidator, clean_int

from .models import Activity, ActivityStatus, Output
from .services import COUNT_MAX, REFERENCE_MAX, UNIT_MAX


def _date_in_range(value: dt.date | None) -> None:
    if value is not None and not DATE_MIN <= value <= DATE_MAX:
        raise ValidationError(
            _("Datumet måste ligga mellan %(a)s och %(b)s."),
            code="date_range",
            params={"a": DATE_MIN.isoformat(), "b": DATE_MAX.isoformat()},
        )


def _step_date(value: dt.date | None) -> None:
    """A plan step is registered when it has happened: from DATE_MIN up to today."""
    if value is not None and value < DATE_MIN:
        _date_in_range(value)
    if value is not None and value > timezone.localdate():
        raise ValidationError(_("Datumet får inte ligga i framtiden."), code="future")


class CountField(forms.IntegerField):
    """A count typed as ASCII digits ('²', '٣', '1e3' are not numbers here), 0..COUNT_MAX."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", COUNT_MAX)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> int | None:
        if value in self.empty_values:
            return None
        try:
            # The range is the field's validators' (with their messages); here only the digits.
            return clean_int(value, field="_", minimum=-(10**12), maximum=10**12)
        except ValidationError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


class AmountFormField(forms.CharField):
    """Kronor in plain or Swedish notation (`jamkoll.money.parse_amount`), or empty."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 40)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        try:
            return parse_amount(text)
        except AmountError as exc:
            raise ValidationError(str(exc), code="invalid") from None

    def run_validators(self, value: Any) -> None:  # the length applies to the text, checked above
        return None


def _bound_text(field: forms.Field, max_length: int, *, multiline: bool) -> None:
    """Give a model form's text field our bound and character check."""
    assert isinstance(field, forms.CharField)
    field.max_length = max_length
    field.validators = [v for v in field.validators if not isinstance(v, MaxLengthValidator)]
    field.validators.extend([MaxLengthValidator(max_length), TextValidator(multiline=multiline)])
    field.widget.attrs["maxlength"] = str(max_length)


class TransitionForm(forms.Form):
    on = forms.DateField(
        label=_("Datum"),
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[_step_date],
    )
    reference = forms.CharField(
        label=_("Diarienummer"), max_length=REFERENCE_MAX, validators=[TextValidator(multiline=False)]
    )


class ActivityForm(forms.ModelForm):
    planned_cost = AmountFormField(label=_("Planerad kostnad"))

    class Meta:
        model = Activity
        fields = [
            "title",
            "description",
            "status",
            "planned_start",
            "planned_end",
            "actual_start",
            "actual_end",
            "planned_cost",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 6}),
            "planned_start": forms.DateInput(attrs={"type": "date"}),
            "planned_end": forms.DateInput(attrs={"type": "date"}),
            "actual_start": forms.DateInput(attrs={"type": "date"}),
            "actual_end": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _bound_text(self.fields["title"], SHORT, multiline=False)
        _bound_text(self.fields["description"], LONG, multiline=True)
        for name in ("planned_start", "planned_end", "actual_start", "actual_end"):
            self.fields[name].validators.append(_date_in_range)


class OutputForm(forms.ModelForm):
    """A result; the breakdown by sex, if given, must add up (the model's clean names the field)."""

    total = CountField(label=_("Totalt"))
    women = CountField(label=_("Kvinnor"), required=False)
    men = CountField(label=_("Män"), required=False)
    other = CountField(label=_("Annat eller okänt"), required=False)

    class Meta:
        model = Output
        fields = ["label", "unit", "total", "women", "men", "other", "note"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _bound_text(self.fields["label"], SHORT, multiline=False)
        _bound_text(self.fields["unit"], UNIT_MAX, multiline=False)
        _bound_text(self.fields["note"], SHORT, multiline=False)


STATUS_CHOICES = [("", _("Alla")), *ActivityStatus.choices]
