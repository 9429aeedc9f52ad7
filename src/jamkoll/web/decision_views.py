"""Register a new decision, or edit one, in the web (issue 11): thin views around
`obligations.registration.decision_register`, which the API and `jamkoll decision import` call too.

"Granska" (the default when the form is sent) proposes each condition's kind, year, last day and
addressee from its text where the user left them blank, and shows — without saving — the
obligations that saving would create, change or remove, with their effective dates. "Spara" saves
and returns to the decision's page; a condition whose kind the user has not yet seen proposed is
shown for confirmation first. The coordinator writes; the ministry and the treasury read the page
as entered (no form to send).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from jamkoll.accounts.policy import check, require
from jamkoll.obligations.deadlines import moved_because
from jamkoll.obligations.generation import Change, ObligationChange
from jamkoll.obligations.models import Tier
from jamkoll.obligations.registration import DocumentError, RegistrationResult, decision_register_data
from jamkoll.obligations.selectors import obligation_list, obligation_years
from jamkoll.programmes.models import FundingDecision, Programme
from jamkoll.programmes.selectors import decision_brief, decision_document_dump

from .decision_forms import (
    DecisionForm,
    conditions_propose,
    conditions_unconfirmed,
    document_build,
    errors_place,
    main_initial,
    organisation_choices,
    row_add,
    row_formsets,
    rows_initial,
)

SECTIONS = (
    ("diary_numbers", gettext_lazy("Diarienummer")),
    ("parties", gettext_lazy("Parter")),
    ("signatures", gettext_lazy("Underskrifter (välj parten ovan)")),
    ("goal_areas", gettext_lazy("Målområden")),
    ("budgets", gettext_lazy("Budgettabell per år: totalbelopp och budgetrader")),
    ("allocation_rules", gettext_lazy("Fördelningsregel per län")),
)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def decision_new(request: HttpRequest) -> HttpResponse:
    require(request.user, "decision.view_form")
    initial: dict[str, Any] = {}
    wanted = request.GET.get("satsning", "")
    if len(wanted) <= 80 and Programme.objects.filter(slug=wanted).exists():
        initial["programme"] = wanted
    return _page(request, decision=None, initial=initial)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def decision_edit(request: HttpRequest, slug: str) -> HttpResponse:
    require(request.user, "decision.view_form")
    return _page(request, decision=decision_brief(slug=slug), initial={"slug": slug})


def _named_on(decision: FundingDecision | None) -> dt.date | None:
    """The day a registered decision's organisations are named as on: its decision date, else the
    first day of its first year; None (today) for a new one."""
    if decision is None:
        return None
    if decision.decided_on:
        return decision.decided_on
    return dt.date(decision.start_year, 1, 1) if decision.start_year else None


def _page(request: HttpRequest, *, decision: FundingDecision | None, initial: dict[str, Any]) -> HttpResponse:
    organisations = organisation_choices(_named_on(decision))
    if request.method == "POST":
        require(request.user, "programme.change")
        return _post(request, decision=decision, initial=initial, organisations=organisations)
    base = decision_document_dump(decision) if decision is not None else None
    if base is not None:
        initial = main_initial(base)
    main = DecisionForm(initial=initial, editing=decision is not None, organisations=organisations)
    formsets = row_formsets(None, rows_initial(base) if base else None, organisations=organisations)
    return _render(request, decision=decision, main=main, formsets=formsets)


def _post(
    request: HttpRequest,
    *,
    decision: FundingDecision | None,
    initial: dict[str, Any],
    organisations: list[tuple[str, str]],
) -> HttpResponse:
    data = request.POST.copy()
    unconfirmed = conditions_unconfirmed(data)
    # "Lägg till rad" shows the page again with one more blank row in that table (and the preview).
    added = row_add(data, str(data.get("add", ""))[:40])
    wants_save = data.get("action") == "save" and not added
    # Proposals fill blank fields only when the page is shown again: what is saved is what the
    # user saw.
    proposed = conditions_propose(data) if unconfirmed or not wants_save else set()
    # The stored decision is read only once the page is valid: its slug (which the page does not
    # send) is all the forms need before that.
    main = DecisionForm(data, initial=initial, editing=decision is not None, organisations=organisations)
    formsets = row_formsets(data, organisations=organisations)
    context: dict[str, Any] = {"decision": decision, "main": main, "formsets": formsets, "proposed": proposed}
    valid = [main.is_valid(), *(formset.is_valid() for formset in formsets.values())]
    if not all(valid):
        return _render(request, status=200 if added else 400, **context)
    base = decision_document_dump(decision) if decision is not None else None
    built = document_build(main, formsets, base)
    if any(form.errors for formset in formsets.values() for form in formset.forms):
        return _render(request, status=400, **context)
    save = wants_save and not unconfirmed
    try:
        result = decision_register_data(
            built.document, actor=request.user, dry_run=not save, file="formuläret"
        )
    except DocumentError as exc:
        unplaced = errors_place(exc.problems, built, main, formsets, exc.stored)
        return _render(request, status=400, unplaced=unplaced, **context)
    if save:
        messages.success(request, _saved(result))
        return redirect(reverse("web:decision_edit", args=[result.slug]) + "#ataganden")
    confirm = wants_save and unconfirmed
    return _render(request, preview=result, confirm=confirm, **context)


def _saved(result: RegistrationResult) -> str:
    created = len(result.obligations_by_change(Change.CREATED))
    changed = len(result.obligations_by_change(Change.CHANGED))
    removed = len(result.obligations_by_change(Change.REMOVED))
    if result.created:
        head = _("Beslutet %(slug)s är registrerat.") % {"slug": result.slug}
    elif result.changed:
        head = _("Beslutet %(slug)s är uppdaterat.") % {"slug": result.slug}
    else:
        head = _("Beslutet %(slug)s var redan aktuellt; ingenting ändrades.") % {"slug": result.slug}
    return (
        head
        + " "
        + _("Åtaganden: %(c)s nya, %(u)s ändrade, %(r)s borttagna.")
        % {
            "c": created,
            "u": changed,
            "r": removed,
        }
    )


def _row_errors(formsets: dict[str, forms.BaseFormSet]) -> list[tuple[str, Any, str]]:
    """The rows' errors for the summary at the top: (where, field or None, message), where names
    the table, the row and the field ("Parter, rad 2, Part"), the field is linked."""
    out: list[tuple[str, Any, str]] = []
    for prefix, section in (*SECTIONS, ("conditions", gettext_lazy("Villkor"))):
        formset = formsets[prefix]
        out.extend((str(section), None, str(e)) for e in formset.non_form_errors())
        for n, form in enumerate(formset.forms, start=1):
            row = _("%(section)s, rad %(row)s") % {"section": section, "row": n}
            out.extend((row, None, str(e)) for e in form.non_field_errors())
            for field in form.visible_fields():
                out.extend((f"{row}, {field.label}", field, str(e)) for e in field.errors)
    return out


def _readonly(main: DecisionForm, formsets: dict[str, forms.BaseFormSet]) -> None:
    for f in main.fields.values():
        f.disabled = True
    for formset in formsets.values():
        for form in formset.forms:
            for f in form.fields.values():
                f.disabled = True


def _render(
    request: HttpRequest,
    *,
    decision: FundingDecision | None,
    main: DecisionForm,
    formsets: dict[str, forms.BaseFormSet],
    status: int = 200,
    preview: RegistrationResult | None = None,
    confirm: bool = False,
    proposed: set[tuple[int, str]] | None = None,
    unplaced: list[str] | None = None,
) -> HttpResponse:
    can_edit = check(request.user, "programme.change")
    if not can_edit:
        _readonly(main, formsets)
    today = timezone.localdate()
    current: list[dict[str, Any]] = []
    rss_count = 0
    years: list[int] = []
    if decision is not None and request.method != "POST":  # a sent form shows what it would do
        obligations = obligation_list(decision=decision, today=today)
        current = [
            {
                "obligation": o,
                "moved_because": moved_because(o.nominal_date, o.effective_date),
                "status": o.status_on(today),
            }
            for o in obligations.filter(tier=Tier.STATE)
        ]
        rss_count = obligations.filter(tier=Tier.RSS).count()
        years = obligation_years(decision=decision)
    state_changes: list[ObligationChange] = []
    rss_changes: dict[str, int] = {}
    if preview is not None:
        for change in preview.obligations:
            if change.tier == Tier.STATE:
                state_changes.append(change)
            else:
                rss_changes[change.change_label] = rss_changes.get(change.change_label, 0) + 1
    marks = proposed or set()
    conditions = [
        (form, {name for i, name in marks if i == index})
        for index, form in enumerate(formsets["conditions"].forms)
    ]
    sections = [(prefix, label, formsets[prefix]) for prefix, label in SECTIONS]
    return render(
        request,
        "web/decision_form.html",
        {
            "decision": decision,
            "main": main,
            "formsets": formsets,
            "sections": sections,
            "conditions": conditions,
            "conditions_formset": formsets["conditions"],
            "can_edit": can_edit,
            "preview": preview,
            "confirm": confirm,
            "state_changes": state_changes,
            "rss_changes": sorted(rss_changes.items()),
            "current": current,
            "rss_count": rss_count,
            "years": years,
            "today": today,
            "unplaced": unplaced or [],
            "row_errors": _row_errors(formsets) if status >= 400 else [],
            "has_errors": status >= 400,
        },
        status=status,
    )
