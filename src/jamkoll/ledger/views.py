"""The ledger page: balances per line and county, the entries, and the forms each role may use.

Refusals follow the one error contract: the access helpers raise `PermissionDenied` (the site's
refusal page with the policy's reason) or `NotFound`; a service's `ValidationError` re-renders the
page with each message beside its field and status 400.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from jamkoll.accounts.policy import Verdict, check, require
from jamkoll.charts import Bar, bar_chart
from jamkoll.errors import form_add_errors
from jamkoll.programmes.models import FundingDecision
from jamkoll.programmes.selectors import (
    as_of,
    budget_get,
    county_name_map,
    decision_year_for_user,
    decisions_with_budgets,
    recipient_short_name,
)
from jamkoll.tables import Column, export_format, export_response, sort_of, sorted_items, table_from_request
from jamkoll.validation import int_param

from .forms import ENTRY_ALIASES, EntryForm, ReverseForm
from .models import EntryKind, LedgerEntry, Tier
from .selectors import (
    STATE_RECIPIENT,
    action_for,
    balance_get,
    county_code_for,
    entry_count,
    entry_for_user,
    entry_list,
    reverse_verdict,
)
from .services import entry_record, entry_reverse

PAGE_SIZE = 25
ENTRY_COLUMNS = [
    Column("nummer", "#", ("sequence",)),
    Column("datum", gettext_lazy("Datum"), ("entry_date", "sequence")),
    Column("slag", gettext_lazy("Slag"), ("kind", "sequence")),
    Column("niva", gettext_lazy("Nivå"), (F("county__code").asc(nulls_first=True), "sequence")),
    Column("belopp", gettext_lazy("Belopp"), ("amount", "sequence"), css="num"),
    Column("referens", gettext_lazy("Referens"), ("reference", "sequence")),
    Column("registrerad", gettext_lazy("Registrerad av")),
    Column("atgard", gettext_lazy("Åtgärd")),
]


@dataclass
class Row:
    """One entry on the page, whether the user may reverse it (the policy's reason if not), and
    its reversal form."""

    entry: LedgerEntry
    verdict: Verdict
    form: ReverseForm
    open: bool = False

    @property
    def reversible(self) -> bool:
        """Neither a reversal itself nor reversed already: "Rätta" applies at all."""
        e = self.entry
        return not e.reverses_id and not hasattr(e, "reversed_by")


def _allowed_choices(
    user: Any, county_names: dict[str, str], short: str = ""
) -> tuple[list[Any], list[Any], dict[str, list[str]]]:
    """The kinds and recipients this user may record, and for each kind the recipients it may
    go with (a coordinator records a disbursement to a county, not from the state): the policy
    decides, the form only offers."""
    pairs: dict[str, list[str]] = {}
    for kind in EntryKind.values:
        allowed = [STATE_RECIPIENT] if check(user, action_for(Tier.STATE, kind)) else []
        allowed += [code for code in county_names if check(user, action_for(Tier.RSS, kind), code)]
        if allowed:
            pairs[kind] = allowed
    reachable = {r for allowed in pairs.values() for r in allowed}
    recipients: list[tuple[str, str]] = []
    if STATE_RECIPIENT in reachable:
        recipients.append((STATE_RECIPIENT, _("Staten – %(short)s") % {"short": short or _("mottagaren")}))
    recipients += [(code, f"{code} {name}") for code, name in county_names.items() if code in reachable]
    return [(k, EntryKind(k).label) for k in EntryKind.values if k in pairs], recipients, pairs


def _filters(query: QueryDict, county_names: dict[str, str]) -> dict[str, Any]:
    """The page's filters (`lan`, `slag`, `sida`); a value that cannot apply is ignored."""
    lan = query.get("lan")
    slag = query.get("slag")
    return {
        "lan": lan if lan in county_names else "",
        "slag": slag if slag in EntryKind.values else "",
        "sida": int_param(query.get("sida"), minimum=1, maximum=1_000_000) or 1,
    }


def _kept(filters: dict[str, Any]) -> dict[str, Any]:
    """The filters worth keeping in a link: those set, and a page other than the first."""
    return {k: v for k, v in filters.items() if v and not (k == "sida" and v == 1)}


def _reverse_form(sequence: int, data: Any = None) -> ReverseForm:
    return ReverseForm(data, auto_id=f"id_reverse_{sequence}_%s")


def _page(
    request: HttpRequest,
    decision: FundingDecision,
    year: int,
    *,
    failed: tuple[int, ReverseForm] | None = None,
) -> dict[str, Any]:
    budget = budget_get(decision=decision, year=year)
    balance = balance_get(decision=decision, year=year)
    names = county_name_map(as_of(year))
    short = recipient_short_name(decision=decision, on=as_of(year))
    kinds, recipients, pairs = _allowed_choices(request.user, names, short)
    lines = [(g.number, f"{g.number}. {g.title}") for g in decision.goal_areas.all()]
    filters = _filters(request.GET, names)
    entries = entry_list(actor=request.user, decision=decision, year=year, county_code=filters["lan"] or None)
    if filters["slag"]:
        entries = entries.filter(kind=filters["slag"])
    sort = sort_of(request, ENTRY_COLUMNS, "nummer", default_descending=True)  # newest first
    entries = sorted_items(entries, *sort)
    table = table_from_request(
        request,
        entries,
        ENTRY_COLUMNS,
        default_sort="nummer",
        page_size=PAGE_SIZE,
        show_all_max=200,
        fragment="poster",
        sort=sort,
        total=entry_count(
            actor=request.user,
            decision=decision,
            year=year,
            county_code=filters["lan"] or None,
            kind=filters["slag"] or None,
        ),
    )
    page = table.page
    rows = [Row(e, reverse_verdict(request.user, e), _reverse_form(e.sequence)) for e in table.rows]
    if failed is not None:
        sequence, form = failed
        row = next((r for r in rows if r.entry.sequence == sequence), None)
        if row is None:  # not on this page or filtered out: show it first, with its form open
            entry = entry_list(actor=request.user, decision=decision, year=year).get(sequence=sequence)
            row = Row(entry, reverse_verdict(request.user, entry), form)
            rows.insert(0, row)
        row.form, row.open = form, True
    chart = None
    if balance.counties:
        chart = bar_chart(
            [
                Bar(f"{c.code} {names.get(c.code, c.code)}", c.disbursed, background=c.allocation)
                for c in balance.counties
            ],
            title=_("Utbetalt till RSS per län %(year)s, av tilldelat") % {"year": year},
        )
    kept = _kept(filters)
    return {
        "decision": decision,
        "budget": budget,
        "year": year,
        "balance": balance,
        "county_names": names,
        "page": page,
        "table": table,
        "sorted_entries": entries,
        "rows": rows,
        "chart": chart,
        "kinds": kinds,
        "recipients": recipients,
        "pairs": pairs,
        # Why some entries are not listed (another county's, the state tier's), or empty.
        "entries_verdict": check(request.user, "ledger.view_entry"),
        "lines": lines,
        "kind_choices": EntryKind.choices,
        "recipient_short": short,
        "filters": filters,
        "query": urlencode(kept),
        "filter_query": urlencode({k: v for k, v in kept.items() if k != "sida"}),
    }


def _entry_form(request: HttpRequest, ctx: dict[str, Any], data: Any = None) -> EntryForm:
    return EntryForm(
        data,
        user=request.user,
        year=ctx["year"],
        kinds=ctx["kinds"],
        recipients=ctx["recipients"],
        pairs=ctx["pairs"],
        lines=ctx["lines"],
        short=ctx["recipient_short"],
        initial={"entry_date": timezone.localdate()},
    )


def _refuse_forced(request: HttpRequest, ctx: dict[str, Any]) -> None:
    """A kind or recipient the form does not offer, posted anyway (another county, a kind the
    role does not record): the refusal page with the policy's reason, not a form error."""
    kind, recipient = request.POST.get("kind"), request.POST.get("recipient")
    offered_kinds = {k for k, _label in ctx["kinds"]}
    offered_recipients = {r for r, _label in ctx["recipients"]}
    known = recipient == STATE_RECIPIENT or recipient in ctx["county_names"]
    offered = kind in offered_kinds and recipient in offered_recipients
    if kind in EntryKind.values and known and not offered:
        code = county_code_for(str(recipient))
        require(request.user, action_for(Tier.RSS if code else Tier.STATE, str(kind)), code)


def _page_url(decision: FundingDecision, year: int, query: str) -> str:
    url = reverse("ledger:page", args=[decision.slug, year])
    return f"{url}?{query}" if query else url


def _export(fmt: str, ctx: dict[str, Any]) -> HttpResponse:
    """The entries the user may see, filtered and sorted as on the page, every page."""
    names, short = ctx["county_names"], ctx["recipient_short"]
    header = [
        "#",
        _("Datum"),
        _("Slag"),
        _("Målområde"),
        _("Nivå"),
        _("Belopp (kr)"),
        _("Referens"),
        _("Anteckning"),
        _("Rättar post"),
        _("Skäl"),
        _("Registrerad av"),
        _("Registrerad"),
    ]
    rows = (
        [
            e.sequence,
            e.entry_date,
            e.get_kind_display(),
            e.goal_area.number if e.goal_area else None,
            names.get(e.county.code, e.county.code)
            if e.county
            else _("Staten – %(short)s") % {"short": short},
            e.amount,
            e.reference,
            e.note,
            e.reverses.sequence if e.reverses_id else None,
            e.reason,
            e.recorded_by_name,
            timezone.localtime(e.recorded_at).strftime("%Y-%m-%d %H:%M") if e.recorded_at else "",
        ]
        for e in ctx["sorted_entries"]
    )
    title = _("Medelsflöde %(year)s: %(title)s") % {"year": ctx["year"], "title": ctx["decision"].title}
    return export_response(fmt, name=title, header=header, rows=rows, preamble=[title])


@require_http_methods(["GET", "POST"])
@login_required
def ledger_page(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    decision, year = decision_year_for_user(actor=request.user, action="ledger.view", slug=slug, year=year)
    ctx = _page(request, decision, year)
    fmt = export_format(request)
    if fmt and request.method == "GET":
        return _export(fmt, ctx)
    form = _entry_form(request, ctx)
    status = 200
    if request.method == "POST":
        require(request.user, "ledger.record")
        _refuse_forced(request, ctx)
        form = _entry_form(request, ctx, request.POST)
        if form.is_valid():
            try:
                entry = entry_record(
                    actor=request.user, decision=decision, year=year, **form.service_kwargs()
                )
            except ValidationError as exc:
                form_add_errors(form, exc, aliases=ENTRY_ALIASES)
            else:
                messages.success(request, _("Post #%(n)s är registrerad.") % {"n": entry.sequence})
                return redirect(request.get_full_path())
        status = 400
    ctx["form"] = form
    return render(request, "ledger/ledger.html", ctx, status=status)


@require_POST
@login_required
def reverse_entry(request: HttpRequest, slug: str, year: int, sequence: int) -> HttpResponse:
    entry, verdict = entry_for_user(actor=request.user, sequence=sequence, slug=slug, year=year)
    if not verdict:
        raise PermissionDenied(verdict.reason)
    decision, year = decision_year_for_user(actor=request.user, action="ledger.view", slug=slug, year=year)
    form = _reverse_form(entry.sequence, request.POST)
    if form.is_valid():
        try:
            entry_reverse(actor=request.user, entry=entry, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            form_add_errors(form, exc)
        else:
            messages.success(request, _("Post #%(n)s är rättad.") % {"n": entry.sequence})
            kept = _kept(_filters(request.GET, county_name_map(as_of(year))))
            return redirect(_page_url(decision, year, urlencode(kept)))
    ctx = _page(request, decision, year, failed=(entry.sequence, form))
    ctx["form"] = _entry_form(request, ctx)
    return render(request, "ledger/ledger.html", ctx, status=400)


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
