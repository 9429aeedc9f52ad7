"""Forms: they parse and validate input; the services decide."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jamkoll.accounts.models import Role
from jamkoll.reference.models import Organisation

from .models import ObligationKind, ObligationStatus

OWNER_ROLES = [Role.COORDINATOR, Role.CERTIFIER, Role.SIGNATORY, Role.RSS]
RSS_KINDS = [ObligationKind.REQUISITION, ObligationKind.FINANCIAL_REPORT, ObligationKind.REPAYMENT]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class CalendarFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Slag"), required=False)
    owner = forms.ChoiceField(label=_("Ansvarig roll"), required=False)
    county = forms.ChoiceField(label=_("Län"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args: Any, counties: Iterable[tuple[str, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: dict[str, list[tuple[str, Any]]] = {
            "kind": [("", _("Alla slag")), *ObligationKind.choices],
            "owner": [("", _("Alla roller")), *((r.value, r.label) for r in OWNER_ROLES)],
            "county": [("", _("Alla län")), *counties],
            "status": [("", _("Alla")), *ObligationStatus.choices],
        }
        for name, options in choices.items():
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = options


def county_choices(counties: Iterable[Organisation], on: Any) -> list[tuple[str, str]]:
    return [(c.code, f"{c.code} {c.name_at(on)}") for c in counties]


class SubmitForm(forms.Form):
    submitted_on = forms.DateField(label=_("Inlämnad den"), widget=DateInput())
    receipt_reference = forms.CharField(label=_("Mottagarens diarienummer"), max_length=100, required=False)
    document_reference = forms.CharField(
        label=_("Handling"),
        max_length=300,
        required=False,
        help_text=_("Dokumentets namn eller referens, t.ex. filnamn eller ärendenummer."),
    )


class WaiveForm(forms.Form):
    reason = forms.CharField(
        label=_("Skäl"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Till exempel vilket beslut som undantar åtagandet."),
    )


class RescheduleForm(forms.Form):
    nominal_date = forms.DateField(label=_("Ny sista dag"), widget=DateInput())
    reason = forms.CharField(
        label=_("Skäl"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Till exempel vilket senare beslut eller vilka instruktioner som anger datumet."),
    )


class RssRescheduleForm(RescheduleForm):
    kind = forms.ChoiceField(label=_("Åtagande"), choices=[(k.value, k.label) for k in RSS_KINDS])

    field_order = ["kind", "nominal_date", "reason"]
