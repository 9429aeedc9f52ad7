"""The ledger page's forms. They offer only what the policy allows and bound every field as the
services do (the services check again: the API and the CLI reach them without a form). A
service's `ValidationError` is shown beside its field by `jamkoll.errors.form_add_errors`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jamkoll.accounts.policy import check
from jamkoll.forms import AmountField, BoundedDateField, MultiLineField, OneLineField
from jamkoll.validation import REASON

from .models import NOTE_MAX_LENGTH, EntryKind, Tier
from .selectors import STATE_RECIPIENT, action_for, county_code_for
from .services import entry_date_bounds

# The service's field names that the entry form calls otherwise.
ENTRY_ALIASES = {"county": "recipient"}


class PairedSelect(forms.Select):
    """A list whose choice narrows another list of the form: each option names, in
    `data-recipients`, the values of the list `data-restricts` that may go with it (jamkoll.js
    disables the others). Without the script every pair is offered and the server refuses one that
    does not go, with the policy's reason beside the field."""

    def __init__(self, *, restricts: str, pairs: dict[str, list[str]]) -> None:
        super().__init__(attrs={"data-restricts": restricts})
        self.pairs = pairs

    def create_option(self, name: str, value: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(name, value, *args, **kwargs)
        if str(value) in self.pairs:
            option["attrs"]["data-recipients"] = " ".join(self.pairs[str(value)])
        return option


class EntryForm(forms.Form):
    kind = forms.ChoiceField(label=_("Slag"))
    recipient = forms.ChoiceField(
        label=_("Nivå / län"),
    )
    line = forms.TypedChoiceField(
        label=_("Målområde"),
        required=False,
        coerce=int,
        empty_value=None,
    )
    amount = AmountField(
        label=_("Belopp (kr)"),
        help_text=_(
            "Till exempel 2 500 000,00: siffror, mellanslag mellan tusental och komma eller punkt "
            "före ören (högst två decimaler)."
        ),
    )
    entry_date = BoundedDateField(label=_("Datum"))
    reference = OneLineField(
        label=_("Diarienummer eller referens"),
        help_text=_("Högst 200 tecken på en rad; flera åtskiljs med kommatecken."),
    )
    note = MultiLineField(
        label=_("Anteckning"),
        max_length=NOTE_MAX_LENGTH,
        rows=2,
        help_text=_("Frivillig, högst 2 000 tecken."),
    )

    def __init__(
        self,
        *args: Any,
        user: Any,
        year: int,
        kinds: list[tuple[str, str]],
        recipients: list[tuple[str, str]],
        lines: list[tuple[int, str]],
        pairs: dict[str, list[str]] | None = None,
        short: str = "",
        **kwargs: Any,
    ) -> None:
        """`short`: the recipient's short name valid in `year` (SKL for 2018, SKR from 2019-11-27),
        which the help texts name. `pairs`: for each kind, the recipients it may go with for
        this user (the recipient list follows the chosen kind)."""
        super().__init__(*args, **kwargs)
        short = short or str(_("mottagaren"))
        self.user = user
        self.earliest, self.latest = entry_date_bounds(year)
        if pairs is not None:
            widget = PairedSelect(restricts="recipient", pairs=pairs)
            widget.is_required = True
            self.fields["kind"].widget = widget
        self.fields["kind"].choices = kinds  # type: ignore[attr-defined]
        self.fields["recipient"].choices = recipients  # type: ignore[attr-defined]
        self.fields["line"].choices = [("", "—"), *lines]  # type: ignore[attr-defined]
        self.fields["recipient"].help_text = _(
            "%(short)s: mellan staten och %(short)s. Ett län: mellan %(short)s och länets RSS."
        ) % {"short": short}
        self.fields["line"].help_text = _("Bara för %(short)s:s egna utgifter.") % {"short": short}
        if pairs is not None:
            # A goal area goes only with the recipient's own expenditure (the service refuses it
            # otherwise): not offered to whoever may not record it, and followed by the script.
            expenditure = EntryKind.EXPENDITURE.value
            if STATE_RECIPIENT in pairs.get(expenditure, []):
                self.fields["line"].widget.attrs["data-only-with"] = (
                    f"kind:{expenditure} recipient:{STATE_RECIPIENT}"
                )
            else:
                del self.fields["line"]
        date = self.fields["entry_date"]
        assert isinstance(date, BoundedDateField)
        date.set_bounds(self.earliest, self.latest)
        date.help_text = _(
            "En post för %(year)s dateras från 1 januari året före (%(earliest)s) till i dag (%(latest)s)."
        ) % {"year": year, "earliest": self.earliest.isoformat(), "latest": self.latest.isoformat()}

    def clean(self) -> dict[str, Any]:
        """A kind and a recipient that the form offers one by one may still not go together
        (a coordinator records disbursements to a county, not from the state): the policy's
        reason beside the kind."""
        data = super().clean() or {}
        kind, recipient = data.get("kind"), data.get("recipient")
        if kind and recipient:
            code = county_code_for(recipient)
            verdict = check(self.user, action_for(Tier.RSS if code else Tier.STATE, kind), code)
            if not verdict:
                self.add_error("kind", verdict.reason)
        return data

    def service_kwargs(self) -> dict[str, Any]:
        """The cleaned data as `entry_record`'s keywords."""
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "amount": data["amount"],
            "reference": data["reference"],
            "county_code": county_code_for(data["recipient"]),
            "line": data.get("line"),
            "entry_date": data["entry_date"],
            "note": data["note"],
        }


class ReverseForm(forms.Form):
    reason = OneLineField(
        label=_("Skäl för rättelsen"),
        max_length=REASON,
        help_text=_("Högst 100 tecken på en rad."),
    )
