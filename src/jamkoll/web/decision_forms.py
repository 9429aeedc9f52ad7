"""The web form for registering and editing a decision (issue 11): Django forms that parse what the
user typed, and `document_build`, which makes the decision document from them — the same document
(`programmes.schemas.DecisionDocument`) that `jamkoll decision import` reads and the API takes, so
that the service (`obligations.registration.decision_register`) checks all three alike.

The form shows the parts of a decision that users register by hand; what it does not show
(approvals, earmarks, a goal area's links to the sub-goals, focus areas, the sources of each row)
is carried over unchanged from the stored decision, so saving the page never drops it. A row left
blank is ignored; emptying a row removes it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jamkoll.forms import AmountField, BoundedDateField, MultiLineField, OneLineField
from jamkoll.money import NBSP, AmountError, group_digits, parse_amount, to_str
from jamkoll.obligations.generation import stated_date
from jamkoll.obligations.proposal import addressee_propose, condition_propose, organisation_names
from jamkoll.programmes.models import (
    Appropriation,
    ConditionKind,
    DecisionKind,
    DiaryNumberPurpose,
    Programme,
    Recipient,
)
from jamkoll.reference.models import OrganisationKind
from jamkoll.reference.selectors import organisation_list
from jamkoll.seeding import Loc
from jamkoll.validation import YEAR_MAX, YEAR_MIN, clean_int

from .fast_widgets import RENDERER, FastSelect

BLANK = ("", "–")


def choice_field(label: Any, *, choices: Any = (), required: bool = True) -> forms.ChoiceField:
    """A select (drawn by `FastSelect`)."""
    return forms.ChoiceField(label=label, choices=choices, required=required, widget=FastSelect)


class IntegerTextField(forms.CharField):
    """A whole number typed as ASCII digits within [minimum, maximum] (`clean_int`: not '²', '٣'
    or '1e3'), cleaned to an int (None when optional and empty)."""

    def __init__(self, *, minimum: int, maximum: int, **kwargs: Any) -> None:
        self.minimum, self.maximum = minimum, maximum
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "numeric", "size": 5}))
        super().__init__(max_length=20, **kwargs)

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        text = super().to_python(value) or ""
        if not text:
            return None
        try:
            return clean_int(text, field="_", minimum=self.minimum, maximum=self.maximum)
        except ValidationError as exc:
            raise ValidationError(exc.messages[0], code="invalid") from None

    def run_validators(self, value: Any) -> None:
        return None  # the length is the text's, checked in CharField.to_python


class YearField(IntegerTextField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(minimum=YEAR_MIN, maximum=YEAR_MAX, **kwargs)


def organisation_choices(on: dt.date | None = None) -> list[tuple[str, str]]:
    """The organisations by their names on `on` (a registered decision's date: the 2018 agreement's
    form names SKL), today for a new decision."""
    on = on or timezone.localdate()
    others = organisation_list(kind=OrganisationKind.OTHER).prefetch_related(None).prefetch_related("names")
    return [BLANK] + [(o.code, _organisation_label(o, on)) for o in others]


def _organisation_label(organisation: Any, on: dt.date) -> str:
    """ "Sveriges Kommuner och Landsting (SKL)" on a 2018 date: the name and the short name valid
    then, or the code where the organisation has no short name ("Kammarkollegiet (KAMK)")."""
    name, short = organisation.name_at(on), organisation.short_name_at(on)
    return f"{name} ({short if short != name else organisation.code})"


def programme_choices() -> list[tuple[str, str]]:
    programmes = Programme.objects.order_by("-start_year", "title")
    return [BLANK] + [(p.slug, f"{p.title} ({p.period})" if p.period else p.title) for p in programmes]


def appropriation_key(a: Appropriation) -> str:
    return f"uo{a.expenditure_area}-{a.appropriation}-{a.item}"


def appropriation_choices() -> list[tuple[str, str]]:
    return [BLANK] + [(appropriation_key(a), str(a)) for a in Appropriation.objects.order_by("pk")]


class DecisionForm(forms.Form):
    default_renderer = RENDERER
    programme = choice_field(label=gettext_lazy("Satsning"))
    kind = choice_field(label=gettext_lazy("Form"), choices=[BLANK, *DecisionKind.choices])
    slug = OneLineField(
        label=gettext_lazy("Kortnamn"),
        max_length=80,
        help_text=gettext_lazy(
            "Beslutets identitet i JämKoll: a–z, 0–9 och bindestreck, t.ex. hedersrelaterat-2022."
        ),
    )
    title = OneLineField(label=gettext_lazy("Titel"))
    start_year = YearField(label=gettext_lazy("Första år"))
    end_year = YearField(label=gettext_lazy("Sista år"))
    amount_per_year = AmountField(
        label=gettext_lazy("Belopp per år (kr)"), required=False, help_text=gettext_lazy("T.ex. 20 000 000")
    )
    amount_total = AmountField(label=gettext_lazy("Belopp för hela perioden (kr)"), required=False)
    amount_note = MultiLineField(label=gettext_lazy("Anmärkning om belopp"), rows=2)
    decided_on = BoundedDateField(label=gettext_lazy("Beslutsdatum"), required=False)
    grantor = choice_field(label=gettext_lazy("Beviljande part"), required=False)
    responsible_ministry = choice_field(label=gettext_lazy("Ansvarigt departement"), required=False)
    recipient = choice_field(label=gettext_lazy("Mottagare"), required=False)
    appropriation = choice_field(label=gettext_lazy("Anslag"), required=False)
    purpose = MultiLineField(label=gettext_lazy("Syfte"), rows=2)
    focus = MultiLineField(label=gettext_lazy("Inriktning"), rows=2)
    application_based = forms.BooleanField(label=gettext_lazy("Ansökningsbaserat"), required=False)
    applications_until = YearField(label=gettext_lazy("Ansökningar planeras till och med år"))
    validity_condition = MultiLineField(label=gettext_lazy("Villkor för giltighet"), rows=2)
    note = MultiLineField(label=gettext_lazy("Anmärkning"), rows=2)
    source = OneLineField(
        label=gettext_lazy("Källa"),
        required=False,
        help_text=gettext_lazy("Handlingen uppgifterna kommer från."),
    )

    def __init__(
        self,
        *args: Any,
        editing: bool = False,
        organisations: list[tuple[str, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        organisations = organisations or organisation_choices()
        choices = {
            "programme": programme_choices(),
            "grantor": organisations,
            "responsible_ministry": organisations,
            "recipient": organisations,
            "appropriation": appropriation_choices(),
        }
        for name, options in choices.items():
            choice = self.fields[name]
            assert isinstance(choice, forms.ChoiceField)
            choice.choices = options
        if editing:  # the slug is the decision's identity: a new one would be a new decision
            self.fields["slug"].disabled = True
            self.fields["slug"].help_text = _("Kortnamnet är beslutets identitet och kan inte ändras.")


class RowForm(forms.Form):
    """A row of a table on the page. Every field is optional to the browser; a row with any value
    must have its `required` fields (a blank row is ignored)."""

    default_renderer = RENDERER
    required: tuple[str, ...] = ()
    # Fields whose value alone does not make a row (a checkbox, a preselected choice).
    ignored: tuple[str, ...] = ()

    def __init__(self, *args: Any, organisations: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            f.required = False
        for name in getattr(self, "organisation_fields", ()):
            choice = self.fields[name]
            assert isinstance(choice, forms.ChoiceField)
            choice.choices = organisations or organisation_choices()

    @property
    def blank(self) -> bool:
        data = getattr(self, "cleaned_data", None) or {}
        return all(
            data.get(name) in (None, "", [], False) for name in self.fields if name not in self.ignored
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.blank:
            for name in self.required:
                if data.get(name) in (None, "") and name not in self.errors:
                    self.add_error(name, _("Fyll i fältet, eller töm raden för att ta bort den."))
        return data


class DiaryNumberForm(RowForm):
    organisation_fields = ("issuer",)
    required = ("issuer", "purpose")
    ignored = ("required_on_documents",)
    issuer = choice_field(label=gettext_lazy("Utfärdare"))
    purpose = choice_field(label=gettext_lazy("Avser"), choices=[BLANK, *DiaryNumberPurpose.choices])
    number = OneLineField(label=gettext_lazy("Nummer"), max_length=60)
    required_on_documents = forms.BooleanField(label=gettext_lazy("Ska framgå av alla handlingar"))


class PartyForm(RowForm):
    organisation_fields = ("organisation", "acting_through")
    required = ("organisation", "label")
    organisation = choice_field(label=gettext_lazy("Part"))
    acting_through = choice_field(label=gettext_lazy("Genom"))
    label = OneLineField(label=gettext_lazy("Benämning i handlingen"))


class SignatureForm(RowForm):
    organisation_fields = ("party",)
    required = ("party", "name", "title")
    party = choice_field(label=gettext_lazy("För parten"))
    name = OneLineField(label=gettext_lazy("Undertecknare"))
    title = OneLineField(label=gettext_lazy("Titel"))
    place = OneLineField(label=gettext_lazy("Ort"), max_length=100)
    date = BoundedDateField(label=gettext_lazy("Datum"))


class GoalAreaForm(RowForm):
    required = ("number", "title", "text")
    number = IntegerTextField(label=gettext_lazy("Nummer"), minimum=1, maximum=999)
    title = OneLineField(label=gettext_lazy("Kort rubrik"))
    text = MultiLineField(label=gettext_lazy("Mål"), rows=2)


_LINE = re.compile(r"^\s*([0-9]{1,3})\s+(SKR|RSS)\b\s*(.*?)\s*$", re.IGNORECASE)


def amount_text(amount: str | None) -> str:
    """ "2500000.00" → "2 500 000" (öre only when there are any): how a user types an amount."""
    if amount is None:
        return ""
    whole, _, ore = amount.partition(".")
    return " ".join(group_digits(whole).split(NBSP)) + ("" if ore in ("", "00") else f",{ore}")


class BudgetForm(RowForm):
    required = ("year",)
    year = YearField(label=gettext_lazy("År"))
    total = AmountField(label=gettext_lazy("Totalt (kr)"), help_text=gettext_lazy("Tomt: inte beslutat."))
    lines = MultiLineField(
        label=gettext_lazy("Budgetrader"),
        max_length=5000,
        rows=4,
        help_text=gettext_lazy(
            "En rad per målområde och mottagare: nummer, SKR eller RSS, belopp – t.ex. ”3 RSS 9 000 000”. "
            "Utan belopp lämnas raden öppen."
        ),
    )
    note = OneLineField(label=gettext_lazy("Anmärkning"), max_length=2000)

    def clean_lines(self) -> list[tuple[int, str, Decimal | None]]:
        out: list[tuple[int, str, Decimal | None]] = []
        problems: list[str] = []
        for n, text in enumerate((self.cleaned_data.get("lines") or "").splitlines(), start=1):
            if not text.strip():
                continue
            match = _LINE.match(text)
            if match is None:
                problems.append(_("rad %(n)s: skriv målområde, SKR eller RSS och belopp") % {"n": n})
                continue
            amount = None
            if match.group(3):
                try:
                    amount = parse_amount(match.group(3))
                except AmountError as exc:
                    problems.append(_("rad %(n)s: %(error)s") % {"n": n, "error": exc})
                    continue
            out.append((int(match.group(1)), match.group(2).upper(), amount))
        if problems:
            raise ValidationError(problems)
        return out


_OVERRIDE = re.compile(r"^\s*([0-9]{2})\s*[:=]\s*(.+?)\s*$")


class AllocationRuleForm(RowForm):
    required = ("recipient", "default_amount", "first_year", "last_year")
    recipient = choice_field(label=gettext_lazy("Budgetrad"), choices=[BLANK, *Recipient.choices])
    default_amount = AmountField(label=gettext_lazy("Belopp per län (kr)"))
    first_year = YearField(label=gettext_lazy("Första år"))
    last_year = YearField(label=gettext_lazy("Sista år"))
    overrides = OneLineField(
        label=gettext_lazy("Särskilda belopp"),
        max_length=2000,
        help_text=gettext_lazy("Länskod: belopp, åtskilda med semikolon, t.ex. 01: 600 000; 12: 600 000"),
    )
    text = MultiLineField(label=gettext_lazy("Regeln i handlingen"), rows=2)

    def clean_overrides(self) -> dict[str, Decimal]:
        text = self.cleaned_data.get("overrides") or ""
        out: dict[str, Decimal] = {}
        for part in filter(None, (p.strip() for p in text.split(";"))):
            match = _OVERRIDE.match(part)
            if match is None:
                raise ValidationError(
                    _("Skriv länskod: belopp, t.ex. 12: 600 000 (fel vid %(part)s)") % {"part": part[:20]}
                )
            try:
                out[match.group(1)] = parse_amount(match.group(2))
            except AmountError as exc:
                raise ValidationError(f"{match.group(1)}: {exc}") from None
        return out


class ConditionForm(RowForm):
    organisation_fields = ("addressee",)
    required = ("text",)
    text = MultiLineField(
        label=gettext_lazy("Villkorets text"),
        rows=3,
        help_text=gettext_lazy("Citera villkoret ur handlingen, t.ex. ”… senast den 31 mars 2023.”"),
    )
    kind = choice_field(label=gettext_lazy("Slag"), choices=[BLANK, *ConditionKind.choices])
    year = YearField(label=gettext_lazy("Avser år"))
    due_date = BoundedDateField(label=gettext_lazy("Sista dag enligt handlingen"))
    addressee = choice_field(label=gettext_lazy("Lämnas till"))

    @property
    def blank(self) -> bool:
        return not (getattr(self, "cleaned_data", None) or {}).get("text")


ROW_FORMS: dict[str, type[RowForm]] = {
    "diary_numbers": DiaryNumberForm,
    "parties": PartyForm,
    "signatures": SignatureForm,
    "goal_areas": GoalAreaForm,
    "budgets": BudgetForm,
    "allocation_rules": AllocationRuleForm,
    "conditions": ConditionForm,
}
# Blank rows a new decision starts with: enough for a grant decision (three conditions, the state
# and SKR as parties). Any section gets another blank row with its "Lägg till rad" button (no
# JavaScript: the page is sent and comes back with the row); a stored decision shows its own rows.
NEW_ROWS = {"parties": 2, "conditions": 3}
MAX_ROWS = 200


def row_formsets(
    data: Any | None,
    initial: dict[str, list[dict[str, Any]]] | None = None,
    *,
    organisations: list[tuple[str, str]] | None = None,
) -> dict[str, forms.BaseFormSet]:
    """The tables of the page; `initial`: a stored decision's rows (None: a new decision)."""
    organisations = organisations or organisation_choices()
    out: dict[str, forms.BaseFormSet] = {}
    for prefix, form_class in ROW_FORMS.items():
        rows = (initial or {}).get(prefix, [])
        extra = NEW_ROWS.get(prefix, 0) if initial is None else 0
        formset_class = forms.formset_factory(form_class, extra=extra, max_num=MAX_ROWS, absolute_max=300)
        formset_class.renderer = RENDERER  # type: ignore[attr-defined]  # (not in the stubs)
        out[prefix] = formset_class(
            data, initial=rows or None, prefix=prefix, form_kwargs={"organisations": organisations}
        )
    return out


def row_add(data: Any, prefix: str) -> bool:
    """One more blank row in the table `prefix` of the posted data (a mutable copy)."""
    key = f"{prefix}-TOTAL_FORMS"
    if prefix not in ROW_FORMS or not str(data.get(key, "")).isdigit():
        return False
    data[key] = str(min(int(data[key]) + 1, MAX_ROWS))
    return True


# --- From the stored document to the page -------------------------------------------------------


def _blank_none(value: Any) -> Any:
    return "" if value is None else value


def main_initial(document: dict[str, Any]) -> dict[str, Any]:
    initial = {k: _blank_none(document.get(k)) for k in DecisionForm.base_fields if k in document}
    for key in ("amount_per_year", "amount_total"):
        initial[key] = amount_text(document.get(key))
    return initial


def rows_initial(document: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The rows of each table on the page, from a decision document (`decision_document_dump`)."""
    parties = document.get("parties", [])
    return {
        "diary_numbers": [
            {
                "issuer": d["issuer"],
                "purpose": d["purpose"],
                "number": d["number"],
                "required_on_documents": d["required"],
            }
            for d in document.get("diary_numbers", [])
        ],
        "parties": [
            {
                "organisation": p["organisation"],
                "acting_through": p["acting_through"] or "",
                "label": p["label"],
            }
            for p in parties
        ],
        "signatures": [
            {
                "party": p["organisation"],
                **{k: _blank_none(s.get(k)) for k in ("name", "title", "place", "date")},
            }
            for p in parties
            for s in p.get("signatures", [])
        ],
        "goal_areas": [
            {k: g[k] for k in ("number", "title", "text")} for g in document.get("goal_areas", [])
        ],
        "budgets": [
            {
                "year": b["year"],
                "total": amount_text(b["total"]),
                "lines": "\n".join(
                    f"{line['goal_area']} {line['recipient']} {amount_text(line['amount'])}".rstrip()
                    for line in b["lines"]
                ),
                "note": b["note"],
            }
            for b in document.get("budgets", [])
        ],
        "allocation_rules": [
            {
                "recipient": r["recipient"],
                "default_amount": amount_text(r["default_amount"]),
                "first_year": r["first_year"],
                "last_year": r["last_year"],
                "overrides": "; ".join(
                    f"{code}: {amount_text(amount)}" for code, amount in r["overrides"].items()
                ),
                "text": r["text"],
            }
            for r in document.get("allocation_rules", [])
        ],
        "conditions": [
            {
                "text": c["text"],
                "kind": c["kind"],
                "year": _blank_none(c["year"]),
                "due_date": c["due_date"] or _blank_none(stated_date(c["text"])),
                "addressee": c["addressee"] or "",
            }
            for c in document.get("conditions", [])
        ],
    }


# --- Proposals from the conditions' texts ---------------------------------------------------------


def conditions_propose(data: Any) -> set[tuple[int, str]]:
    """Fill the blank kind, year, last day and addressee of each condition row from its text, in the
    posted data (a mutable copy). Returns the (row, field) pairs it proposed, for the page to mark."""
    proposed: set[tuple[int, str]] = set()
    try:
        total = min(int(data.get("conditions-TOTAL_FORMS", "0")), 300)
    except ValueError:
        return proposed
    names: list[tuple[str, str]] | None = None
    for i in range(total):
        text = data.get(f"conditions-{i}-text", "")
        if not isinstance(text, str) or not text.strip() or len(text) > 20_000:
            continue
        if names is None:
            names = organisation_names()
        kind, year, due = condition_propose(text)
        kind_now = data.get(f"conditions-{i}-kind") or (kind.value if kind else "")
        values = {
            "kind": kind.value if kind else None,
            "year": year,
            "due_date": due.isoformat() if due else None,
            "addressee": addressee_propose(text, kind_now, names),
        }
        for name, value in values.items():
            key = f"conditions-{i}-{name}"
            if value is not None and not data.get(key):
                data[key] = str(value)
                proposed.add((i, name))
    return proposed


def conditions_unconfirmed(data: Any) -> bool:
    """A condition row with text but no kind: the proposals are shown before anything is saved."""
    try:
        total = min(int(data.get("conditions-TOTAL_FORMS", "0")), 300)
    except ValueError:
        return False
    return any(
        str(data.get(f"conditions-{i}-text", "")).strip() and not data.get(f"conditions-{i}-kind")
        for i in range(total)
    )


# --- From the page to the document ----------------------------------------------------------------


@dataclass
class Built:
    """The document made from the page, and where each of its rows came from (for the errors)."""

    document: dict[str, Any]
    # document list path → the form (prefix, index) it came from: ("conditions", 2) → ("conditions", 4)
    rows: dict[Loc, tuple[str, int]] = field(default_factory=dict)


def _rows(formset: forms.BaseFormSet) -> Iterable[tuple[int, dict[str, Any]]]:
    for i, form in enumerate(formset.forms):
        assert isinstance(form, RowForm)
        if not form.blank:
            yield i, form.cleaned_data


def _amount(value: Decimal | None) -> str | None:
    return to_str(value)


def _date(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def document_build(
    main: DecisionForm, formsets: dict[str, forms.BaseFormSet], base: dict[str, Any] | None = None
) -> Built:
    """The decision document from the valid forms of the page; `base`: the stored decision's
    document, whose parts the page does not show are carried over."""
    base = base or {}
    built = Built(document={})
    m = main.cleaned_data
    doc: dict[str, Any] = {
        "programme": m["programme"],
        "slug": m["slug"],
        "kind": m["kind"],
        "title": m["title"],
        "start_year": m["start_year"],
        "end_year": m["end_year"],
        "amount_per_year": _amount(m["amount_per_year"]),
        "amount_total": _amount(m["amount_total"]),
        "amount_note": m["amount_note"],
        "decided_on": _date(m["decided_on"]),
        "grantor": m["grantor"] or None,
        "responsible_ministry": m["responsible_ministry"] or None,
        "recipient": m["recipient"] or None,
        "appropriation": m["appropriation"] or None,
        "purpose": m["purpose"],
        "focus": m["focus"],
        "application_based": m["application_based"],
        "applications_until": m["applications_until"],
        "validity_condition": m["validity_condition"],
        "note": m["note"],
        "source": m["source"],
        "approvals": base.get("approvals", []),
        "earmarks": base.get("earmarks", []),
    }
    sources = {(d["issuer"], d["purpose"]): d.get("source", "") for d in base.get("diary_numbers", [])}
    doc["diary_numbers"] = []
    for i, row in _rows(formsets["diary_numbers"]):
        built.rows[("diary_numbers", len(doc["diary_numbers"]))] = ("diary_numbers", i)
        doc["diary_numbers"].append(
            {
                "issuer": row["issuer"],
                "purpose": row["purpose"],
                "number": row["number"],
                "required": row["required_on_documents"],
                "source": sources.get((row["issuer"], row["purpose"]), ""),
            }
        )
    signature_sources = {
        (p["organisation"], s["name"]): s.get("source", "")
        for p in base.get("parties", [])
        for s in p.get("signatures", [])
    }
    doc["parties"] = []
    by_code: dict[str, dict[str, Any]] = {}
    for i, row in _rows(formsets["parties"]):
        built.rows[("parties", len(doc["parties"]))] = ("parties", i)
        party = {
            "organisation": row["organisation"],
            "acting_through": row["acting_through"] or None,
            "label": row["label"],
            "signatures": [],
        }
        doc["parties"].append(party)
        by_code.setdefault(row["organisation"], party)
    signature_errors: list[tuple[int, str]] = []
    for i, row in _rows(formsets["signatures"]):
        owner = by_code.get(row["party"])
        if owner is None:
            signature_errors.append((i, _("Parten finns inte bland beslutets parter ovan.")))
            continue
        j = doc["parties"].index(owner)
        built.rows[("parties", j, "signatures", len(owner["signatures"]))] = ("signatures", i)
        owner["signatures"].append(
            {
                "name": row["name"],
                "title": row["title"],
                "place": row["place"],
                "date": _date(row["date"]),
                "source": signature_sources.get((row["party"], row["name"]), ""),
            }
        )
    areas = {g["number"]: g for g in base.get("goal_areas", [])}
    doc["goal_areas"] = []
    for i, row in _rows(formsets["goal_areas"]):
        built.rows[("goal_areas", len(doc["goal_areas"]))] = ("goal_areas", i)
        kept = areas.get(row["number"], {})
        doc["goal_areas"].append(
            {
                "number": row["number"],
                "title": row["title"],
                "text": row["text"],
                "budget_text": kept.get("budget_text", ""),
                "sub_goals": kept.get("sub_goals", []),
                "strategy_objectives": kept.get("strategy_objectives", []),
                "focus_areas": kept.get("focus_areas", []),
                "source": kept.get("source", ""),
            }
        )
    budgets = {b["year"]: b for b in base.get("budgets", [])}
    line_sources = {
        (b["year"], line["goal_area"], line["recipient"]): line.get("source", "")
        for b in base.get("budgets", [])
        for line in b["lines"]
    }
    doc["budgets"] = []
    for i, row in _rows(formsets["budgets"]):
        built.rows[("budgets", len(doc["budgets"]))] = ("budgets", i)
        doc["budgets"].append(
            {
                "year": row["year"],
                "total": _amount(row["total"]),
                "source": budgets.get(row["year"], {}).get("source", ""),
                "note": row["note"],
                "lines": [
                    {
                        "goal_area": goal_area,
                        "recipient": recipient,
                        "amount": _amount(amount),
                        "source": line_sources.get((row["year"], goal_area, recipient), ""),
                    }
                    for goal_area, recipient, amount in row["lines"]
                ],
            }
        )
    rules = {(r["recipient"], r["first_year"]): r for r in base.get("allocation_rules", [])}
    doc["allocation_rules"] = []
    for i, row in _rows(formsets["allocation_rules"]):
        built.rows[("allocation_rules", len(doc["allocation_rules"]))] = ("allocation_rules", i)
        doc["allocation_rules"].append(
            {
                "recipient": row["recipient"],
                "default_amount": _amount(row["default_amount"]),
                "first_year": row["first_year"],
                "last_year": row["last_year"],
                "overrides": {code: _amount(amount) for code, amount in row["overrides"].items()},
                "text": row["text"],
                "source": rules.get((row["recipient"], row["first_year"]), {}).get("source", ""),
            }
        )
    stored = base.get("conditions", [])
    doc["conditions"] = []
    for i, row in _rows(formsets["conditions"]):
        built.rows[("conditions", len(doc["conditions"]))] = ("conditions", i)
        due = row["due_date"]
        condition: dict[str, Any] = {
            "kind": row["kind"] or None,
            "year": row["year"],
            "text": row["text"],
            # the section in the document is not on the page: kept from the stored condition
            "section": stored[i].get("section", "") if i < len(stored) else "",
            "addressee": row["addressee"] or None,
            # the text's own date is not stored twice
            "due_date": None if due is None or due == stated_date(row["text"]) else due.isoformat(),
        }
        if i < len(stored) and stored[i].get("source") is not None:
            condition["source"] = stored[i]["source"]
        doc["conditions"].append(condition)
    built.document = doc
    for i, message in signature_errors:
        formsets["signatures"].forms[i].add_error("party", message)
    return built


def errors_place(
    problems: list[tuple[Loc, str]],
    built: Built,
    main: DecisionForm,
    formsets: dict[str, forms.BaseFormSet],
    stored: set[Loc] | None = None,
) -> list[str]:
    """Put each problem the service found in the document beside the field or row it came from;
    returns those that belong to no field on the page (shown at the top). `stored`: places in the
    decision as stored — a removed condition — which is the page's row of the same number."""
    unplaced: list[str] = []
    conditions = formsets["conditions"].forms
    for loc, message in problems:
        if loc and isinstance(loc[0], str) and loc[0] in main.fields and len(loc) == 1:
            main.add_error(loc[0], message)
            continue
        if (
            loc in (stored or set())
            and loc[0] == "conditions"
            and isinstance(loc[1], int)
            and loc[1] < len(conditions)
        ):
            conditions[loc[1]].add_error("text", message)
            continue
        placed = False
        for n in range(len(loc), 0, -1):  # the longest prefix that names a row
            row = built.rows.get(loc[:n])
            if row is None:
                continue
            prefix, index = row
            form = formsets[prefix].forms[index]
            name = loc[n] if n < len(loc) and isinstance(loc[n], str) else None
            rest = loc[n + 1 :]
            if rest and isinstance(rest[0], int):  # a line of a field that holds several ("lines")
                message = _("rad %(n)s: %(message)s") % {"n": rest[0] + 1, "message": message}
            form.add_error(name if name in form.fields else None, message)
            placed = True
            break
        if not placed:
            unplaced.append(f"{'.'.join(str(p) for p in loc)}: {message}" if loc else message)
    return unplaced
