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

from jamkoll.forms import AmountField, BoundedDateField, MultiLineField, OneLineField
from jamkoll.money import AmountError, parse_amount
from jamkoll.validation import DATE_MAX, DATE_MIN, LONG, SHORT, TextValidator, clean_int

from .models import Activity, ActivityStatus, CountyPlanStatus, Output
from .services import COUNT_MAX, COUNTY_PLANNING_FIELDS, REFERENCE_MAX, UNIT_MAX


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


# === The county's own work and the results (issue 11) ======================================
# Plain forms: the services clean and bound every value again (the API and the CLI reach them
# without a form) and name the field; these give the page its widgets and first checks.


def _year_widget(field: forms.Field, year: int) -> None:
    """The date picker offers the year; the service refuses another year and says why."""
    field.widget.attrs.update({"min": f"{year}-01-01", "max": f"{year}-12-31"})


class CountyPlanCreateForm(forms.Form):
    summary = MultiLineField(label=_("Sammanfattning"), rows=6)


class CountyPlanForm(forms.Form):
    summary = MultiLineField(label=_("Sammanfattning"), rows=6)
    status = forms.ChoiceField(label=_("Status"), choices=CountyPlanStatus.choices)

    def __init__(self, *args: Any, locked: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A "Framtagen" plan's summary is locked: shown, not sent (only its status may change).
        self.fields["summary"].disabled = locked


class CountyActivityForm(forms.Form):
    """A county's activity: its planning (locked once the county plan is "Framtagen") and its
    follow-up (status, actual dates)."""

    title = OneLineField(label=_("Rubrik"))
    description = MultiLineField(label=_("Beskrivning"), rows=5)
    goal_area = forms.TypedChoiceField(label=_("Målområde"), coerce=int)
    sub_project = forms.TypedChoiceField(label=_("Delprojekt"), coerce=int)
    status = forms.ChoiceField(label=_("Status"), choices=ActivityStatus.choices)
    planned_start = BoundedDateField(label=_("Planerad start"), required=False)
    planned_end = BoundedDateField(label=_("Planerat slut"), required=False)
    actual_start = BoundedDateField(label=_("Faktisk start"), required=False)
    actual_end = BoundedDateField(label=_("Faktiskt slut"), required=False)
    planned_cost = AmountField(label=_("Planerad kostnad (kr)"), required=False)

    def __init__(self, *args: Any, decision: Any, year: int, locked: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        goal_area = self.fields["goal_area"]
        sub_project = self.fields["sub_project"]
        assert isinstance(goal_area, forms.ChoiceField) and isinstance(sub_project, forms.ChoiceField)
        goal_area.choices = [
            (g.number, f"{g.number}. {g.title}") for g in decision.goal_areas.order_by("number")
        ]
        sub_project.choices = [
            (s.number, f"{s.number}. {s.name}") for s in decision.sub_projects.order_by("number")
        ]
        for name in ("planned_start", "planned_end", "actual_start", "actual_end"):
            _year_widget(self.fields[name], year)
        if locked:
            for name in COUNTY_PLANNING_FIELDS:
                self.fields[name].disabled = True

    @classmethod
    def initial_for(cls, activity: Activity) -> dict[str, Any]:
        return {
            "title": activity.title,
            "description": activity.description,
            "goal_area": activity.goal_area.number,
            "sub_project": activity.sub_project.number,
            "status": activity.status,
            "planned_start": activity.planned_start,
            "planned_end": activity.planned_end,
            "actual_start": activity.actual_start,
            "actual_end": activity.actual_end,
            "planned_cost": activity.planned_cost,
        }


class EvaluationForm(forms.Form):
    title = OneLineField(label=_("Rubrik"))
    method = OneLineField(label=_("Metod"), required=False)
    description = MultiLineField(label=_("Beskrivning"), rows=4)
    findings = MultiLineField(label=_("Iakttagelser"), rows=5)
    recommendations = MultiLineField(label=_("Rekommendationer"), rows=5)
    activities = forms.MultipleChoiceField(
        label=_("Aktiviteter som utvärderats"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )

    def __init__(self, *args: Any, activities: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["activities"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(a.code, a.title) for a in activities]


class StatusReportTextsForm(forms.Form):
    summary = MultiLineField(label=_("Sammanfattning"), rows=6)
    deviations = MultiLineField(label=_("Avvikelser"), rows=4)
    risks = MultiLineField(label=_("Risker"), rows=4)


class StatusReportCreateForm(StatusReportTextsForm):
    period_start = forms.ChoiceField(label=_("Halvår"))

    field_order = ["period_start", "summary", "deviations", "risks"]

    def __init__(self, *args: Any, periods: list[dt.date], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["period_start"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(p.isoformat(), _half_year_label(p)) for p in periods]

    def clean_period_start(self) -> dt.date:
        return dt.date.fromisoformat(self.cleaned_data["period_start"])


def _half_year_label(start: dt.date) -> str:
    return (_("januari–juni %(y)s") if start.month == 1 else _("juli–december %(y)s")) % {"y": start.year}


class StatusReportItemForm(forms.Form):
    """One activity's progress in the report; sent again for the same activity, it replaces it."""

    activity = forms.ChoiceField(label=_("Aktivitet"))
    progress = MultiLineField(label=_("Framsteg"), rows=3, required=True)
    deviation = MultiLineField(label=_("Avvikelse"), rows=2)

    def __init__(self, *args: Any, activities: Any, fixed: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["activity"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(a.code, a.title) for a in activities]
        if fixed:  # a row of the report: its activity is given, its texts are edited
            field.widget = forms.HiddenInput()


class SteeringGroupMemberForm(forms.Form):
    name = OneLineField(label=_("Namn"))
    title = OneLineField(label=_("Titel"))
    department = OneLineField(label=_("Avdelning"))
    period_start = BoundedDateField(label=_("Från"), required=False)
    period_end = BoundedDateField(label=_("Till och med"), required=False)
