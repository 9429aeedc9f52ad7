"""Forms: they parse and validate input, each field with a declared bound; the services decide."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jamkoll.accounts.models import Role
from jamkoll.validation import DATE_MAX, DATE_MIN, REASON, SHORT, TextValidator

from .models import ObligationKind, ObligationStatus, Tier
from .transitions import RECEIPT_REFERENCE_MAX, RSS_KINDS

# Bounds of a registered obligation (registration.obligation_register checks them again).
REGISTER_TITLE_MAX = 300
REGISTER_SOURCE_MAX = 300
REGISTER_SOURCE_TEXT_MAX = 2000

OWNER_ROLES = [Role.COORDINATOR, Role.CERTIFIER, Role.SIGNATORY, Role.RSS]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class BoundedDateField(forms.DateField):
    """A date typed as ÅÅÅÅ-MM-DD; the picker offers DATE_MIN..DATE_MAX. The range that applies
    (the decision's period, not in the future) is the service's to check: it names that range,
    which a generic bound here would hide."""

    def __init__(self, **kwargs: Any) -> None:
        bounds = {"min": DATE_MIN.isoformat(), "max": DATE_MAX.isoformat()}
        kwargs.setdefault("widget", DateInput(attrs=bounds))
        super().__init__(input_formats=["%Y-%m-%d"], **kwargs)


def _text(label: Any, max_length: int, *, required: bool = True, **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        validators=[TextValidator(multiline=False)],
        **kwargs,
    )


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


class SubmitForm(forms.Form):
    submitted_on = BoundedDateField(label=_("Inlämnad den"))
    receipt_reference = _text(_("Mottagarens diarienummer"), RECEIPT_REFERENCE_MAX, required=False)
    document_reference = _text(
        _("Handling"),
        SHORT,
        required=False,
        help_text=_("Dokumentets namn eller referens, t.ex. filnamn eller ärendenummer."),
    )


class WaiveForm(forms.Form):
    reason = _text(
        _("Skäl"),
        REASON,
        help_text=_("Till exempel vilket beslut som undantar åtagandet. Högst 100 tecken."),
    )


class RescheduleForm(forms.Form):
    nominal_date = BoundedDateField(label=_("Ny sista dag"))
    reason = _text(
        _("Skäl"),
        REASON,
        help_text=_(
            "Till exempel vilket senare beslut eller vilka instruktioner som anger datumet. Högst 100 tecken."
        ),
    )


class RssRescheduleForm(RescheduleForm):
    kind = forms.ChoiceField(label=_("Åtagande"), choices=[(k.value, k.label) for k in RSS_KINDS])

    field_order = ["kind", "nominal_date", "reason"]


class ObligationRegisterForm(forms.Form):
    """An obligation a document states and the decision's conditions do not, with that document's
    words and where they stand: both required."""

    tier = forms.ChoiceField(label=_("Nivå"), choices=Tier.choices, initial=Tier.RSS)
    county = forms.ChoiceField(label=_("Län"), required=False, help_text=_("Anges för RSS-nivån."))
    kind = forms.ChoiceField(label=_("Slag"), choices=ObligationKind.choices)
    year = forms.TypedChoiceField(label=_("Avser år"), coerce=int)
    title = _text(_("Rubrik"), REGISTER_TITLE_MAX)
    nominal_date = BoundedDateField(
        label=_("Sista dag enligt handlingen"),
        required=False,
        help_text=_("Lämna tomt om handlingen inte anger något datum."),
    )
    source_text = forms.CharField(
        label=_("Text ur handlingen"),
        max_length=REGISTER_SOURCE_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        validators=[TextValidator(multiline=True)],
        help_text=_("Handlingens egna ord om åtagandet, ordagrant."),
    )
    source = _text(
        _("Källa"),
        REGISTER_SOURCE_MAX,
        help_text=_(
            "Handlingen och var i den texten står, t.ex. SKR:s instruktioner till RSS 2018, avsnitt 3."
        ),
    )

    def __init__(
        self, *args: Any, years: Iterable[int] = (), counties: Iterable[tuple[str, str]] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        year_field = self.fields["year"]
        county_field = self.fields["county"]
        assert isinstance(year_field, forms.ChoiceField) and isinstance(county_field, forms.ChoiceField)
        year_field.choices = [(y, str(y)) for y in years]
        county_field.choices = [("", _("Inget län (statsnivån)")), *counties]
