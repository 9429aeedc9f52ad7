from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ReportKind


class GenerateForm(forms.Form):
    kind = forms.ChoiceField(label=_("Rapport"), choices=ReportKind.choices)
    decision = forms.ChoiceField(label=_("Beslut"))
    year = forms.IntegerField(label=_("År"), min_value=2000, max_value=2100)
    county = forms.ChoiceField(label=_("Län (för länsrapport)"), required=False)
    period_start = forms.DateField(
        label=_("Halvårets första dag (för halvårsrapport)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(
        self,
        *args: object,
        decisions: list[tuple[str, str]],
        counties: list[tuple[str, str]],
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["decision"].choices = decisions  # type: ignore[attr-defined]
        self.fields["county"].choices = [("", "—"), *counties]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("kind") == ReportKind.RSS and not data.get("county"):
            self.add_error("county", _("Länsrapporten kräver ett län."))
        if data.get("kind") != ReportKind.RSS and data.get("county"):
            self.add_error("county", _("Län anges bara för länsrapporten."))
        start = data.get("period_start")
        if isinstance(start, dt.date) and (start.day != 1 or start.month not in (1, 7)):
            self.add_error("period_start", _("Ett halvår börjar 1 januari eller 1 juli."))
        return data


class CertifyForm(forms.Form):
    name = forms.CharField(label=_("Namn"), max_length=200)
    title = forms.CharField(label=_("Titel"), max_length=200, initial=_("Ekonomichef"))
    on = forms.DateField(label=_("Datum"), widget=forms.DateInput(attrs={"type": "date"}))
    deviations = forms.CharField(
        label=_("Avvikelser"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    proposed_actions = forms.CharField(
        label=_("Åtgärdsförslag"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class SignForm(forms.Form):
    name = forms.CharField(label=_("Namn"), max_length=200)
    title = forms.CharField(label=_("Titel"), max_length=200)
    on = forms.DateField(label=_("Datum"), widget=forms.DateInput(attrs={"type": "date"}))
    place = forms.CharField(label=_("Ort"), max_length=100, initial="Stockholm")


class SubmitForm(forms.Form):
    on = forms.DateField(label=_("Inlämnad den"), widget=forms.DateInput(attrs={"type": "date"}))
    receipt_reference = forms.CharField(label=_("Mottagarens diarienummer"), max_length=100)
