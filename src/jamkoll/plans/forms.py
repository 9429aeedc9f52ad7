from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Activity, ActivityStatus, Output


class TransitionForm(forms.Form):
    on = forms.DateField(label=_("Datum"), widget=forms.DateInput(attrs={"type": "date"}))
    reference = forms.CharField(label=_("Diarienummer"), max_length=100)


class ActivityForm(forms.ModelForm):
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


class OutputForm(forms.ModelForm):
    """A result; the breakdown by sex, if given, must add up (the model's clean names the field)."""

    class Meta:
        model = Output
        fields = ["label", "unit", "total", "women", "men", "other", "note"]


STATUS_CHOICES = [("", _("Alla")), *ActivityStatus.choices]
