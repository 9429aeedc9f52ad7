"""The import form (a file and its format) and the form that completes an indicator's catalogue
entry. The services check the same bounds again (the API and the CLI reach them without a form)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jamkoll.forms import MultiLineField, OneLineField
from jamkoll.reference.models import PolicySubGoal, StrategyObjective

from .models import ImportFormat, Indicator
from .services import upload_limit_bytes

WEB_FORMATS = [
    (ImportFormat.KOLADA.value, ImportFormat.KOLADA.label),
    (ImportFormat.CSV.value, ImportFormat.CSV.label),
    (ImportFormat.XLSX.value, ImportFormat.XLSX.label),
    (ImportFormat.CATALOGUE.value, ImportFormat.CATALOGUE.label),
]
SUFFIXES = {"kolada": (".json",), "catalogue": (".json",), "csv": (".csv", ".txt"), "xlsx": (".xlsx",)}


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Fil"),
        max_length=255,
        help_text=_(
            "Koladas JSON-format (version 3 eller 2), CSV eller XLSX med kolumnerna "
            "kpi, organisation, period, gender, value."
        ),
    )
    format = forms.ChoiceField(label=_("Format"), choices=WEB_FORMATS, initial=ImportFormat.KOLADA.value)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("file")
        fmt = data.get("format")
        if upload is not None:
            limit = upload_limit_bytes()
            if upload.size is not None and upload.size > limit:
                self.add_error(
                    "file",
                    _(
                        "Filen är för stor (%(size)s MB); högst %(max)s MB. "
                        "Större filer importeras med kommandot jamkoll indicators import."
                    )
                    % {"size": upload.size // (1024 * 1024), "max": limit // (1024 * 1024)},
                )
            elif upload.size == 0:
                self.add_error("file", _("Filen är tom."))
            elif fmt in SUFFIXES and not str(upload.name or "").lower().endswith(SUFFIXES[fmt]):
                self.add_error(
                    "file",
                    _("Filnamnet slutar inte på %(suffix)s; välj rätt format eller rätt fil.")
                    % {"suffix": " eller ".join(SUFFIXES[fmt])},
                )
        return data


class IndicatorEditForm(forms.Form):
    title = OneLineField(label=_("Titel"), max_length=500)
    description = MultiLineField(label=_("Beskrivning"), max_length=10000, required=False)
    unit = OneLineField(label=_("Enhet"), max_length=100, required=False)
    higher_is_better = forms.TypedChoiceField(
        label=_("Riktning"),
        choices=[("", _("Ingen riktning angiven")), ("1", _("Högre är bättre")), ("0", _("Lägre är bättre"))],
        coerce=lambda v: v == "1",
        empty_value=None,
        required=False,
    )
    sub_goals = forms.ModelMultipleChoiceField(
        label=_("Jämställdhetspolitiska delmål"),
        queryset=PolicySubGoal.objects.order_by("number"),
        to_field_name="number",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    strategy_objectives = forms.ModelMultipleChoiceField(
        label=_("Målsättningar i strategin"),
        queryset=StrategyObjective.objects.order_by("number"),
        to_field_name="number",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    @classmethod
    def for_indicator(cls, indicator: Indicator, data: Any = None) -> IndicatorEditForm:
        initial = {
            "title": "" if indicator.provisional and indicator.title == indicator.code else indicator.title,
            "description": indicator.description,
            "unit": indicator.unit,
            "higher_is_better": {True: "1", False: "0"}.get(indicator.higher_is_better, ""),  # type: ignore[arg-type]
            "sub_goals": [g.number for g in indicator.sub_goals.all()],
            "strategy_objectives": [o.number for o in indicator.strategy_objectives.all()],
        }
        return cls(data, initial=initial)

    def service_fields(self) -> dict[str, Any]:
        """The cleaned data as `services.indicator_update` takes it (numbers for the links)."""
        data = self.cleaned_data
        return {
            "title": data["title"],
            "description": data.get("description") or "",
            "unit": data.get("unit") or "",
            "higher_is_better": data.get("higher_is_better"),
            "sub_goals": sorted(g.number for g in data.get("sub_goals") or []),
            "strategy_objectives": sorted(o.number for o in data.get("strategy_objectives") or []),
        }
