"""The report forms. Every field declares its bounds (length, characters, date range); the rules
that tie fields together (a county only for the county report, the workflow's order) are the
services', whose refusals the page shows beside the fields (`form_add_errors`)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jamkoll.forms import AmountField, BoundedDateField, MultiLineField
from jamkoll.validation import LONG, SHORT, YEAR_MAX, YEAR_MIN, TextValidator

from .models import INTRODUCTION_MAX, ReportKind
from .services import PLACE_MAX, RECEIPT_MAX


def _date(label: Any, *, up_to_today: bool = False, required: bool = True) -> forms.DateField:
    """A date between DATE_MIN and DATE_MAX (or today, for what has happened)."""
    return BoundedDateField(label=label, required=required, past_only=up_to_today)


def _line(label: Any, max_length: int = SHORT, initial: Any = None) -> forms.CharField:
    """One line of text: bounded, no control or bidi characters."""
    return forms.CharField(
        label=label, max_length=max_length, initial=initial, validators=[TextValidator(multiline=False)]
    )


def _text(label: Any) -> forms.CharField:
    """Free text over several lines: bounded, no control characters other than tab and newline."""
    return forms.CharField(
        label=label,
        required=False,
        max_length=LONG,
        validators=[TextValidator(multiline=True)],
        widget=forms.Textarea(attrs={"rows": 3}),
    )


# The application has a form of its own (the amount applied for, the introduction).
REPORT_CHOICES = [(value, label) for value, label in ReportKind.choices if value != ReportKind.APPLICATION]


class GenerateForm(forms.Form):
    kind = forms.ChoiceField(label=_("Rapport"), choices=REPORT_CHOICES)
    decision = forms.ChoiceField(label=_("Beslut"))
    year = forms.IntegerField(label=_("År"), min_value=YEAR_MIN, max_value=YEAR_MAX)
    county = forms.ChoiceField(label=_("Län (för länsrapport)"), required=False)
    period_start = _date(_("Halvårets första dag (för halvårsrapport)"), required=False)

    def __init__(
        self,
        *args: object,
        decisions: list[tuple[str, str]],
        counties: list[tuple[str, str]],
        offered_kinds: list[tuple[str, Any]] | None = None,
        offered_counties: list[tuple[str, str]] | None = None,
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["decision"].choices = decisions  # type: ignore[attr-defined]
        self.fields["county"].choices = [("", "—"), *counties]  # type: ignore[attr-defined]
        # What the user may generate is what the lists offer (`offered`: an RSS leader's own county's
        # report); the fields still take any kind and county, so that a request for another is
        # refused by the policy with its reason (403), not as an unknown choice.
        if offered_kinds is not None:
            self.fields["kind"].widget.choices = offered_kinds
            if all(value != ReportKind.STATUS for value, _label in offered_kinds):
                del self.fields["period_start"]  # asked only of a half-year report
        if offered_counties is not None:
            single = len(offered_counties) == 1  # the one county is chosen already
            self.fields["county"].widget.choices = (
                offered_counties if single else [("", "—"), *offered_counties]
            )


class ApplicationForm(forms.Form):
    """The application for a year's money: which decision's announced application, the year, the
    amount applied for (optional: the document then says "ej angivet") and an introduction. That
    the year is one the decision announces is the service's rule, shown beside the year."""

    decision = forms.ChoiceField(label=_("Beslut som aviserar ansökan"))
    year = forms.IntegerField(label=_("Ansökan avser år"), min_value=YEAR_MIN, max_value=YEAR_MAX)
    amount_applied = AmountField(
        label=_("Sökt belopp (kr)"),
        required=False,
        help_text=_("Till exempel 20 000 000. Lämnas tomt står det ”ej angivet” i ansökan."),
    )
    introduction = MultiLineField(
        label=_("Inledning"),
        max_length=INTRODUCTION_MAX,
        rows=8,
        help_text=_(
            "Egen text först i ansökan. Tom rad mellan stycken; rader som börjar med ”- ” blir en lista."
        ),
    )

    def __init__(
        self, *args: object, decisions: list[tuple[str, str]], years_help: str, **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["decision"].choices = decisions  # type: ignore[attr-defined]
        self.fields["year"].help_text = years_help


# No name or title is typed: a certification or signature names the signed-in account, with the
# title and organisation the administrator gave it (accounts.Profile).


class CertifyForm(forms.Form):
    on = _date(_("Datum"), up_to_today=True)
    deviations = _text(_("Avvikelser"))
    proposed_actions = _text(_("Åtgärdsförslag"))


class SignForm(forms.Form):
    on = _date(_("Datum"), up_to_today=True)
    place = _line(_("Ort"), max_length=PLACE_MAX, initial="Stockholm")


class SubmitForm(forms.Form):
    on = _date(_("Inlämnad den"), up_to_today=True)
    receipt_reference = _line(_("Mottagarens diarienummer"), max_length=RECEIPT_MAX)


STEP_FORMS: dict[str, type[forms.Form]] = {"certify": CertifyForm, "sign": SignForm, "submit": SubmitForm}
