"""The plan pages' forms. Every field has a declared bound (DESIGN §6): text a length and no
control characters, counts 0..1 000 000 000 typed as ASCII digits, dates within DATE_MIN..DATE_MAX
(a plan step's not in the future), amounts in plain or Swedish notation. The services check the
same bounds again, for the API and the command line."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jamkoll.forms import AmountField, BoundedDateField, MultiLineField, OneLineField
from jamkoll.validation import DATE_MAX, DATE_MIN, LONG, SHORT, TextValidator, clean_int

from .locks import COUNTY_PLANNING_FIELDS, PLANNING_FIELDS
from .models import Activity, ActivityStatus, CountyPlanStatus, Output, OutputQualifier
from .selectors import ActivityChoices
from .services import CODE_MAX, COUNT_MAX, EVALUATION_ACTIVITIES_MAX, PERIOD_MAX, REFERENCE_MAX, UNIT_MAX
from .transitions import Transition


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


# A new activity's goal area and sub-project are chosen, not taken from the list's first entry
# (an RSS leader's activity filed under goal area 1 by default).
CHOOSE = ("", _("– välj –"))
_PICK_ONE = {"required": _("Välj ur listan.")}


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
    comment = MultiLineField(label=_("Kommentar"), rows=2)

    def __init__(self, *args: Any, transition: Transition | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if transition is not None and transition.comment_required:
            self.fields["comment"].required = True
            self.fields["comment"].label = _("Kommentar till SKR: vad ska ändras?")


# --- the year's plan: create, title and summary, budget split, sub-projects ---------------------

START_EMPTY, START_COPY = "tom", "kopiera"


class PlanCreateForm(forms.Form):
    """Start the year's plan empty or from the year before (offered when that year has a plan)."""

    start = forms.ChoiceField(label=_("Utgå från"), widget=forms.RadioSelect)
    title = OneLineField(
        label=_("Titel"),
        required=False,
        help_text=_('Lämna tomt för "Projektplan <år>" (eller förra årets titel).'),
    )

    def __init__(self, *args: Any, copy_year: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[str, Any]] = [(START_EMPTY, _("En tom plan"))]
        if copy_year is not None:
            choices.insert(
                0,
                (
                    START_COPY,
                    _("Kopiera från %(year)s (pågående och planerade aktiviteter följer med)")
                    % {"year": copy_year},
                ),
            )
        field = self.fields["start"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices
        field.initial = choices[0][0]


class PlanForm(forms.Form):
    title = OneLineField(label=_("Titel"))
    summary = MultiLineField(label=_("Sammanfattning"), rows=4)


class BudgetSplitForm(forms.Form):
    """The plan's amount for each budget line the decision leaves open (`amount_<goal>_<recipient>`)."""

    def __init__(self, *args: Any, rows: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = {}
        for row in rows:
            if not row.open:
                continue
            name = f"amount_{row.line.goal_area.number}_{row.line.recipient}"
            self.fields[name] = AmountField(
                label=_("Målområde %(n)s, %(r)s") % {"n": row.line.goal_area.number, "r": row.line.recipient},
                required=False,
                initial=f"{row.planned_split:f}" if row.planned_split is not None else "",
            )
            self.rows[name] = row


class SubProjectForm(forms.Form):
    name = OneLineField(label=_("Namn"))
    description = MultiLineField(label=_("Beskrivning"), rows=2)


class SubProjectCreateForm(SubProjectForm):
    number = CountField(
        label=_("Nummer"),
        required=False,
        min_value=1,
        max_value=99,
        help_text=_("Lämna tomt för nästa nummer."),
    )

    field_order = ["number", "name", "description"]


# --- an activity: every field, on its own page -------------------------------------------------

_SELECT_MANY = {"size": "8"}


class ActivityEditForm(forms.Form):
    """An activity's planning fields (`planning`) and progress fields (status, actual dates), the
    links chosen from lists. `creating` adds the code and, for a coordinator, the county whose RSS
    carries it out (`county_choices`; "" is a national activity)."""

    def __init__(
        self,
        *args: Any,
        choices: dict[str, list[tuple[str, str]]],
        planning: bool = True,
        creating: bool = False,
        county_choices: list[tuple[str, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        f = self.fields
        if creating:
            if county_choices is not None:
                # "" is SKR's own (national) activity, offered to a coordinator only.
                f["owner_county"] = forms.ChoiceField(
                    label=_("Genomförs av"),
                    choices=county_choices,
                    required=all(code != "" for code, _label in county_choices),
                )
            f["code"] = OneLineField(
                label=_("Kod"),
                max_length=80,
                required=False,
                help_text=_("Små bokstäver, siffror och bindestreck; lämna tomt så görs koden av rubriken."),
            )
        if planning:
            f["title"] = OneLineField(label=_("Rubrik"))
            f["description"] = MultiLineField(label=_("Beskrivning"), rows=5)
            f["sub_project"] = forms.ChoiceField(
                label=_("Delprojekt"), choices=[CHOOSE, *choices["sub_project"]], error_messages=_PICK_ONE
            )
            f["goal_area"] = forms.ChoiceField(
                label=_("Målområde"), choices=[CHOOSE, *choices["goal_area"]], error_messages=_PICK_ONE
            )
            f["report_section"] = OneLineField(
                label=_("Avsnitt i resultatrapporten"), max_length=10, required=False
            )
            f["sub_goals"] = forms.MultipleChoiceField(
                label=_("Delmål"),
                choices=choices["sub_goals"],
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )
            f["strategy_objectives"] = forms.MultipleChoiceField(
                label=_("Strategins målsättningar"),
                choices=choices["strategy_objectives"],
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )
            f["partners"] = forms.MultipleChoiceField(
                label=_("Samarbetsparter"),
                choices=choices["partners"],
                required=False,
                widget=forms.SelectMultiple(attrs=_SELECT_MANY),
            )
            f["counties"] = forms.MultipleChoiceField(
                label=_("Berörda län"),
                choices=choices["counties"],
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )
            f["municipalities"] = forms.MultipleChoiceField(
                label=_("Berörda kommuner"),
                choices=choices["municipalities"],
                required=False,
                widget=forms.SelectMultiple(attrs=_SELECT_MANY),
            )
            f["also_serves"] = forms.MultipleChoiceField(
                label=_("Bidrar även till målområde"),
                choices=choices["goal_area"],
                required=False,
                widget=forms.CheckboxSelectMultiple,
                help_text=_(
                    "Målområden som aktiviteten bidrar till utan att redovisas under dem, till exempel "
                    "samverkansmålet (resultatrapport 2018 §2)."
                ),
            )
            f["counties_not_named"] = forms.BooleanField(
                label=_("Underlaget anger inte vilka län"),
                required=False,
                help_text=_("Lämna då berörda län tomma: inga län gissas fram."),
            )
            f["is_example"] = forms.BooleanField(
                label=_("Exempel i underlaget"),
                required=False,
                help_text=_(
                    "Handlingen ger aktiviteten som ett exempel, inte som en fullständig uppräkning."
                ),
            )
            f["planned_start"] = BoundedDateField(label=_("Planerad start"), required=False)
            f["planned_end"] = BoundedDateField(label=_("Planerat slut"), required=False)
            f["planned_period"] = OneLineField(
                label=_("Tid enligt underlaget"),
                max_length=PERIOD_MAX,
                required=False,
                help_text=_("Handlingens egna ord när den bara anger ett år, t.ex. ”genomförs under 2019”."),
            )
            f["budget_line"] = forms.ChoiceField(
                label=_("Budgetrad"), choices=[("", _("– ingen –")), *choices["budget_line"]], required=False
            )
            f["planned_cost"] = AmountField(
                label=_("Planerad kostnad (kr)"),
                required=False,
                help_text=_("Till exempel 1 500 000 eller 1500000,50."),
            )
        f["status"] = forms.ChoiceField(label=_("Status"), choices=ActivityStatus.choices)
        f["actual_start"] = BoundedDateField(label=_("Faktisk start"), required=False)
        f["actual_end"] = BoundedDateField(label=_("Faktiskt slut"), required=False)


def activity_initial(activity: Activity) -> dict[str, Any]:
    """The edit form's values for a stored activity."""
    line = activity.budget_line
    return {
        "title": activity.title,
        "description": activity.description,
        "sub_project": str(activity.sub_project.number),
        "goal_area": str(activity.goal_area.number),
        "report_section": activity.report_section,
        "sub_goals": [str(g.number) for g in activity.sub_goals.all()],
        "strategy_objectives": [str(o.number) for o in activity.strategy_objectives.all()],
        "partners": [p.code for p in activity.partners.all()],
        "counties": [c.code for c in activity.counties.all()],
        "municipalities": [m.code for m in activity.municipalities.all()],
        "also_serves": [str(g.number) for g in activity.also_serves.all()],
        "counties_not_named": activity.counties_not_named,
        "is_example": activity.is_example,
        "planned_start": activity.planned_start,
        "planned_end": activity.planned_end,
        "planned_period": activity.planned_period,
        "budget_line": f"{line.goal_area.number}-{line.recipient}" if line is not None else "",
        "planned_cost": f"{activity.planned_cost:f}" if activity.planned_cost is not None else "",
        "status": activity.status,
        "actual_start": activity.actual_start,
        "actual_end": activity.actual_end,
    }


class ActivityForm(forms.ModelForm):
    """The activity page's short form. Without `planning` (the activity's plan is locked) only
    its progress: status and actual dates."""

    planned_cost = AmountField(label=_("Planerad kostnad"), required=False)

    class Meta:
        model = Activity
        fields = [
            "title",
            "description",
            "status",
            "planned_start",
            "planned_end",
            "planned_period",
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

    def __init__(self, *args: Any, planning: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _bound_text(self.fields["title"], SHORT, multiline=False)
        _bound_text(self.fields["description"], LONG, multiline=True)
        _bound_text(self.fields["planned_period"], PERIOD_MAX, multiline=False)
        for name in ("planned_start", "planned_end", "actual_start", "actual_end"):
            self.fields[name].validators.append(_date_in_range)
        if not planning:
            for name in list(self.fields):
                if name in PLANNING_FIELDS:
                    del self.fields[name]


class OutputForm(forms.ModelForm):
    """A result; the breakdown by sex, if given, must add up (the model's clean names the field)."""

    total = CountField(label=_("Totalt"))
    women = CountField(label=_("Kvinnor"), required=False)
    men = CountField(label=_("Män"), required=False)
    other = CountField(label=_("Annat eller okänt"), required=False)

    class Meta:
        model = Output
        fields = ["label", "unit", "total", "qualifier", "women", "men", "other", "note"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _bound_text(self.fields["label"], SHORT, multiline=False)
        _bound_text(self.fields["unit"], UNIT_MAX, multiline=False)
        _bound_text(self.fields["note"], SHORT, multiline=False)
        # A select always posts its value; a post without it keeps what the result says (a new
        # one is exact), it does not refuse.
        self.fields["qualifier"].required = False

    def clean_qualifier(self) -> str:
        value = self.cleaned_data.get("qualifier")
        return value or (self.instance.qualifier if self.instance.pk else OutputQualifier.EXACT)


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
    goal_area = forms.TypedChoiceField(label=_("Målområde"), coerce=int, error_messages=_PICK_ONE)
    sub_project = forms.TypedChoiceField(label=_("Delprojekt"), coerce=int, error_messages=_PICK_ONE)
    status = forms.ChoiceField(label=_("Status"), choices=ActivityStatus.choices)
    planned_start = BoundedDateField(label=_("Planerad start"), required=False)
    planned_end = BoundedDateField(label=_("Planerat slut"), required=False)
    actual_start = BoundedDateField(label=_("Faktisk start"), required=False)
    actual_end = BoundedDateField(label=_("Faktiskt slut"), required=False)
    planned_cost = AmountField(label=_("Planerad kostnad"), required=False)

    def __init__(self, *args: Any, decision: Any, year: int, locked: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        goal_area = self.fields["goal_area"]
        sub_project = self.fields["sub_project"]
        assert isinstance(goal_area, forms.ChoiceField) and isinstance(sub_project, forms.ChoiceField)
        goal_area.choices = [
            CHOOSE,
            *((g.number, f"{g.number}. {g.title}") for g in decision.goal_areas.order_by("number")),
        ]
        sub_project.choices = [
            CHOOSE,
            *((s.number, f"{s.number}. {s.name}") for s in decision.sub_projects.order_by("number")),
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


# A form offers the year's activities in a list up to this many (a year of the documents has
# some fifty); a larger year (a national year holds thousands) is searched instead.
ACTIVITY_CHOICES_MAX = 300
SEARCH_HELP = _(
    "Året har för många aktiviteter för en lista: sök ovan på rubrik eller beskrivning. Listan "
    "visar de valda och de som sökningen hittar."
)


class _AnyActivity:
    """A choice among the activities a search offered: any of the year's may be sent (a search
    since, another tab); the service checks that each code is one of the year's and names those
    that are not. Here only the bound of a code."""

    def __init__(self, **kwargs: Any) -> None:
        # Not Django's "… is not one of the available choices", which repeats the value sent (a
        # megabyte, or a code users never see).
        kwargs["error_messages"] = {
            "invalid_choice": _("Välj ur listan."),
            "invalid_list": _("Välj ur listan."),
        }
        super().__init__(**kwargs)

    def valid_value(self, value: Any) -> bool:
        return isinstance(value, str) and 0 < len(value) <= CODE_MAX


class SearchedActivitiesField(_AnyActivity, forms.MultipleChoiceField):
    def validate(self, value: Any) -> None:
        super().validate(value)
        if len(value) > EVALUATION_ACTIVITIES_MAX:
            raise ValidationError(
                _("Högst %(n)s aktiviteter."), code="max", params={"n": EVALUATION_ACTIVITIES_MAX}
            )


class SearchedActivityField(_AnyActivity, forms.ChoiceField):
    pass


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

    def __init__(self, *args: Any, activities: ActivityChoices, **kwargs: Any) -> None:
        """`activities`: what to choose among (`activity_choices`): the whole year, or for a
        large year the chosen activities and a search's matches."""
        super().__init__(*args, **kwargs)
        field = self.fields["activities"]
        if not activities.whole_year:
            field = self.fields["activities"] = SearchedActivitiesField(
                label=field.label, required=False, widget=field.widget, help_text=SEARCH_HELP
            )
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = activities.choices


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

    def __init__(
        self, *args: Any, activities: ActivityChoices | None = None, fixed: bool = False, **kwargs: Any
    ) -> None:
        """`activities`: what to choose among (`activity_choices`); a row of the report (`fixed`)
        has its activity given, its texts are edited. The service checks the code either way."""
        super().__init__(*args, **kwargs)
        field = self.fields["activity"]
        if fixed or activities is None:
            self.fields["activity"] = forms.CharField(
                label=field.label, max_length=CODE_MAX, widget=forms.HiddenInput()
            )
            return
        if not activities.whole_year:
            field = self.fields["activity"] = SearchedActivityField(label=field.label, help_text=SEARCH_HELP)
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("– välj en aktivitet –")), *activities.choices]


class SteeringGroupMemberForm(forms.Form):
    name = OneLineField(label=_("Namn"))
    title = OneLineField(label=_("Titel"))
    department = OneLineField(label=_("Avdelning"))
    period_start = BoundedDateField(label=_("Från"), required=False)
    period_end = BoundedDateField(label=_("Till och med"), required=False)
