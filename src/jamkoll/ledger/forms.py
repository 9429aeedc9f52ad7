from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jamkoll.money import AmountError, parse_amount

from .models import EntryKind

# LedgerError messages start with the field they are about ("belopp: …").
FIELD_PREFIXES = {
    "belopp": "amount",
    "referens": "reference",
    "mottagare": "recipient",
    "målområde": "line",
    "slag": "kind",
    "skäl": "reason",
}


def attach_error(form: forms.Form, message: str) -> None:
    prefix, _sep, rest = message.partition(":")
    field = FIELD_PREFIXES.get(prefix.strip())
    if field and field in form.fields:
        form.add_error(field, rest.strip())
    else:
        form.add_error(None, message)


class EntryForm(forms.Form):
    kind = forms.ChoiceField(label=_("Slag"), choices=EntryKind.choices)
    recipient = forms.ChoiceField(
        label=_("Nivå / län"),
        help_text=_("SKR: mellan staten och SKR. Ett län: mellan SKR och länets RSS."),
    )
    line = forms.TypedChoiceField(
        label=_("Målområde"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("Bara för SKR:s egna utgifter."),
    )
    amount = forms.CharField(label=_("Belopp (kr)"), help_text=_("Till exempel 2 500 000,00"))
    entry_date = forms.DateField(label=_("Datum"), widget=forms.DateInput(attrs={"type": "date"}))
    reference = forms.CharField(label=_("Diarienummer eller referens"), max_length=200)
    note = forms.CharField(label=_("Anteckning"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(
        self,
        *args: Any,
        kinds: list[tuple[str, str]],
        recipients: list[tuple[str, str]],
        lines: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kinds  # type: ignore[attr-defined]
        self.fields["recipient"].choices = recipients  # type: ignore[attr-defined]
        self.fields["line"].choices = [("", "—"), *lines]  # type: ignore[attr-defined]

    def clean_amount(self) -> str:
        value = self.cleaned_data["amount"]
        try:
            parse_amount(value)
        except AmountError as exc:
            raise forms.ValidationError(str(exc)) from None
        return str(value)


class ReverseForm(forms.Form):
    reason = forms.CharField(label=_("Skäl för rättelsen"), widget=forms.Textarea(attrs={"rows": 2}))
