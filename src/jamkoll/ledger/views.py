"""The ledger page: balances per line and county, the entries, and the forms each role may use."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from jamkoll.accounts.policy import check, require
from jamkoll.charts import Bar, bar_chart
from jamkoll.programmes.selectors import (
    NotFound,
    as_of,
    budget_get,
    county_name_map,
    decision_brief,
    decisions_with_budgets,
)

from .forms import EntryForm, ReverseForm, attach_error
from .models import EntryKind, LedgerEntry, Tier
from .selectors import balance_get, entry_list
from .services import LedgerError, action_for, entry_record, entry_reverse


def _allowed_choices(user: Any, county_names: dict[str, str]) -> tuple[list[Any], list[Any]]:
    """The kinds and recipients this user may record: the policy decides, the form only offers."""
    kinds = {
        kind
        for kind in EntryKind.values
        if check(user, action_for(Tier.STATE, kind))
        or any(check(user, action_for(Tier.RSS, kind), code) for code in county_names)
    }
    recipients: list[tuple[str, str]] = []
    if any(check(user, action_for(Tier.STATE, k)) for k in EntryKind.values):
        recipients.append(("SKR", _("Staten – SKR")))
    recipients += [
        (code, f"{code} {name}")
        for code, name in county_names.items()
        if any(check(user, action_for(Tier.RSS, k), code) for k in EntryKind.values)
    ]
    return [(k, EntryKind(k).label) for k in EntryKind.values if k in kinds], recipients


def _context(request: HttpRequest, slug: str, year: int) -> dict[str, Any]:
    verdict = check(request.user, "ledger.view")
    if not verdict:
        raise PermissionDenied(verdict.reason)
    try:
        decision = decision_brief(slug=slug)
        budget = budget_get(decision=decision, year=year)
    except NotFound as exc:
        raise Http404(str(exc)) from None
    balance = balance_get(decision=decision, year=year)
    names = county_name_map(as_of(year))
    kinds, recipients = _allowed_choices(request.user, names)
    lines = [(g.number, f"{g.number}. {g.title}") for g in decision.goal_areas.all()]
    entries = entry_list(decision=decision, year=year, county_code=request.GET.get("lan") or None)
    if request.GET.get("slag") in EntryKind.values:
        entries = entries.filter(kind=request.GET["slag"])
    page = Paginator(entries, 25).get_page(request.GET.get("sida"))
    chart = None
    if balance.counties:
        chart = bar_chart(
            [
                Bar(f"{c.code} {names.get(c.code, c.code)}", c.disbursed, background=c.allocation)
                for c in balance.counties
            ],
            title=_("Utbetalt till RSS per län %(year)s, av tilldelat") % {"year": year},
        )
    return {
        "decision": decision,
        "budget": budget,
        "year": year,
        "balance": balance,
        "county_names": names,
        "page": page,
        "chart": chart,
        "kinds": kinds,
        "recipients": recipients,
        "lines": lines,
        "kind_choices": EntryKind.choices,
    }


def _form(request: HttpRequest, ctx: dict[str, Any], data: Any = None) -> EntryForm:
    return EntryForm(
        data,
        kinds=ctx["kinds"],
        recipients=ctx["recipients"],
        lines=ctx["lines"],
        initial={"entry_date": timezone.localdate()},
    )


@require_http_methods(["GET", "POST"])
@login_required
def ledger_page(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    ctx = _context(request, slug, year)
    form = _form(request, ctx)
    status = 200
    if request.method == "POST":
        if not ctx["kinds"]:
            raise PermissionDenied(_("Du har ingen roll som får registrera poster i medelsflödet."))
        form = _form(request, ctx, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            recipient = data["recipient"]
            try:
                entry = entry_record(
                    decision=ctx["decision"],
                    year=year,
                    kind=data["kind"],
                    amount=data["amount"],
                    reference=data["reference"],
                    county_code=None if recipient == "SKR" else recipient,
                    line=data["line"],
                    entry_date=data["entry_date"],
                    note=data["note"],
                    user=request.user,
                )
            except LedgerError as exc:
                attach_error(form, str(exc))
            else:
                messages.success(request, _("Post #%(n)s är registrerad.") % {"n": entry.sequence})
                return redirect(request.path)
        status = 400
    ctx["form"] = form
    ctx["reverse_form"] = ReverseForm()
    ctx["can_reverse"] = {
        e.sequence
        for e in ctx["page"]
        if check(request.user, action_for(e.tier, e.kind), e.county.code if e.county else None)
    }
    return render(request, "ledger/ledger.html", ctx, status=status)


@require_POST
@login_required
def reverse_entry(request: HttpRequest, slug: str, year: int, sequence: int) -> HttpResponse:
    entry = get_object_or_404(LedgerEntry, sequence=sequence, decision__slug=slug, year=year)
    form = ReverseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Ange ett skäl för rättelsen."))
        return redirect("ledger:page", slug=slug, year=year)
    try:
        entry_reverse(entry=entry, reason=form.cleaned_data["reason"], user=request.user)
    except LedgerError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Post #%(n)s är rättad.") % {"n": entry.sequence})
    return redirect("ledger:page", slug=slug, year=year)


@require_http_methods(["GET"])
@login_required
def index(request: HttpRequest) -> HttpResponse:
    """Every decision that has budgets, with a link per year."""
    require(request.user, "ledger.view")
    return render(
        request,
        "web/decision_years.html",
        {
            "title": _("Medelsflöde"),
            "target": "ledger:page",
            "decisions": decisions_with_budgets(),
        },
    )
