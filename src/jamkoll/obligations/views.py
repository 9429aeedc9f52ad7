"""Thin views for deadlines: parse the request, reach the object through the access helpers of
`selectors`, call one service, render. Writes are POST-only (CSRF).

A refusal by the policy propagates as `PermissionDenied` (the site's 403 page with the reason); an
unknown decision, year or obligation as `NotFound`; a refusal by the obligation's state or its
input re-renders the page with each message beside its field and status 400.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import F, Q
from django.forms import Form
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from jamkoll.accounts.policy import check, require, rss_counties
from jamkoll.errors import NotFound, form_add_errors
from jamkoll.programmes.models import FundingDecision
from jamkoll.programmes.selectors import as_of, county_choices
from jamkoll.redirects import safe_next
from jamkoll.tables import (
    PAGE,
    Column,
    export_format,
    export_response,
    link,
    sort_of,
    sorted_items,
    table_from_request,
)

from . import feeds, selectors
from .forms import (
    CalendarFilterForm,
    ObligationRegisterForm,
    RescheduleForm,
    RssRescheduleForm,
    SubmitForm,
    WaiveForm,
)
from .ical import calendar_ical
from .models import Obligation, Tier
from .registration import obligation_register
from .transitions import (
    Action,
    obligation_reschedule,
    obligation_submit,
    obligation_waive,
    obligations_reschedule_rss,
)

FORMS: dict[str, type[Form]] = {
    Action.SUBMIT.short: SubmitForm,
    Action.WAIVE.short: WaiveForm,
    Action.EDIT.short: RescheduleForm,
}


def _forms_for(card: selectors.ObligationCard, bound: dict[str, Form] | None = None) -> None:
    pk = card.obligation.pk
    for action, form_class in FORMS.items():
        if card.actions[action] or action in (bound or {}):
            card.forms[action] = (bound or {}).get(action) or form_class(auto_id=f"id_{action}_{pk}_%s")


def _next(request: HttpRequest, fallback: str) -> HttpResponseRedirect:
    """To the page the form was sent from (`next`, a path on this site), else to `fallback`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    return HttpResponseRedirect(safe_next(request, str(target), fallback))


def _rss_form(year: int) -> RssRescheduleForm:
    return RssRescheduleForm(auto_id=f"id_rss_{year}_%s")


@login_required
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    require(request.user, "obligation.view")
    today = timezone.localdate()
    return render(
        request,
        "obligations/index.html",
        {
            "decisions": selectors.decisions_with_obligations(),
            "todo": selectors.todo_for_user(request.user, today),
            "today": today,
        },
    )


CALENDAR_COLUMNS = [
    Column("datum", gettext_lazy("Sista dag"), selectors.ORDERING),
    Column("atagande", gettext_lazy("Åtagande"), ("title", *selectors.ORDERING)),
    Column(
        "parter",
        gettext_lazy("Lämnas av → till"),
        (F("county__code").asc(nulls_first=True), "tier", *selectors.ORDERING),
    ),
    Column("status", gettext_lazy("Status")),
    Column("atgarder", gettext_lazy("Åtgärder")),
]
CALENDAR_PAGE_SIZE = 50
COUNTIES, ALL_COUNTIES = "lan", "alla"  # ?lan=alla: every county's undated row, not one line per kind


def _calendar_export(
    fmt: str, user: Any, decision: FundingDecision, year: int, obligations: Any, today: Any
) -> HttpResponse:
    """The filtered, sorted obligations, every page; a receipt reference only where the user may
    see the record (as on the page)."""
    cards = selectors.obligation_cards(user, obligations, today)
    header = [
        _("Sista dag"),
        _("Datum enligt handlingen"),
        _("Åtagande"),
        _("Slag"),
        _("Avser år"),
        _("Lämnas av"),
        _("Lämnas till"),
        _("Status"),
        _("Inlämnad den"),
        _("Mottagarens diarienummer"),
    ]
    rows = [
        [
            c.obligation.effective_date,
            c.obligation.nominal_date,
            c.obligation.title,
            c.obligation.get_kind_display(),
            c.obligation.year,
            c.owed_by,
            c.owed_to,
            str(c.status.label),
            c.obligation.submitted_on,
            c.obligation.receipt_reference if c.record else "",
        ]
        for c in cards
    ]
    title = _("Tidsfrister %(year)s: %(title)s") % {"year": year, "title": decision.title}
    return export_response(fmt, name=title, header=header, rows=rows, preamble=[title])


def _calendar_page(
    request: HttpRequest,
    decision: FundingDecision,
    year: int,
    *,
    rss_bound: tuple[int, RssRescheduleForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    years = selectors.obligation_years(decision=decision)
    today = timezone.localdate()
    form = CalendarFilterForm(request.GET or None, counties=county_choices(as_of(year)))
    filters: dict[str, Any] = form.cleaned_data if form.is_bound and form.is_valid() else {}
    obligations = selectors.obligation_list(
        decision=decision,
        year=year,
        kind=filters.get("kind") or None,
        owner_role=filters.get("owner") or None,
        county=filters.get("county") or None,
        status=filters.get("status") or None,
        today=today,
    )
    column, descending = sort_of(request, CALENDAR_COLUMNS, "datum")
    obligations = sorted_items(obligations, column, descending)
    fmt = export_format(request)
    if fmt and request.method != "POST":  # a download has every row
        return _calendar_export(fmt, request.user, decision, year, obligations, today)
    # The counties' undated obligations (21 alike rows per kind) are one line each, with a link
    # that shows them, unless the user chose a county or asked for every county's rows.
    # An RSS leader's own county's rows stay listed: they are what that user has to hand in.
    collapsed = not filters.get("county") and request.GET.get(COUNTIES) != ALL_COUNTIES
    others = selectors.UNDATED_COUNTY & ~Q(county__code__in=sorted(rss_counties(request.user)))
    undated = selectors.undated_county_groups(obligations.filter(others)) if collapsed else []
    listed = obligations.exclude(others) if undated else obligations
    table = table_from_request(
        request,
        listed,
        CALENDAR_COLUMNS,
        default_sort="datum",
        page_size=CALENDAR_PAGE_SIZE,
        show_all_max=300,
        sort=(column, descending),
    )
    cards = selectors.obligation_cards(request.user, table.rows, today)
    can_edit = check(request.user, Action.EDIT)
    rss_years = set(obligations.filter(tier=Tier.RSS).order_by().values_list("year", flat=True).distinct())
    if rss_bound is not None:
        rss_years.add(rss_bound[0])
    rss_forms = (
        [(y, rss_bound[1] if rss_bound and rss_bound[0] == y else _rss_form(y)) for y in sorted(rss_years)]
        if can_edit
        else []
    )
    by_date = column.key == "datum"
    return render(
        request,
        "obligations/calendar.html",
        {
            "decision": decision,
            "year": year,
            "years": years,
            "form": form,
            "table": table,
            # In date order the rows fall under their month; in any other order one table.
            "groups": selectors.group_by_month(cards) if by_date else [selectors.MonthGroup(None, cards)],
            "by_date": by_date,
            "count": table.total,
            "undated": [
                (g, link(request, "lanens-ataganden", kind=g.kind, **{COUNTIES: ALL_COUNTIES, PAGE: None}))
                for g in undated
            ],
            "counties_expanded": request.GET.get(COUNTIES) == ALL_COUNTIES,
            "today": today,
            "rss_forms": rss_forms,
            "can_register": check(request.user, "programme.change"),
            "next": request.POST.get("next") or request.get_full_path(),
        },
        status=status,
    )


@login_required
@require_safe
def calendar(request: HttpRequest, decision: str, year: int) -> HttpResponse:
    funding_decision, number = selectors.deadline_year_for_user(
        actor=request.user, action="obligation.view", slug=decision, year=year
    )
    return _calendar_page(request, funding_decision, number)


def _detail(
    request: HttpRequest,
    obligation: Obligation,
    actions: dict[str, Any],
    *,
    bound: dict[str, Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    card = selectors.obligation_card(request.user, obligation, timezone.localdate(), actions)
    _forms_for(card, bound)
    can_see_history = card.record  # the history is part of the obligation's record
    return render(
        request,
        "obligations/obligation.html",
        {
            "card": card,
            "o": obligation,
            "history": selectors.obligation_history(obligation) if can_see_history else [],
            "history_verdict": can_see_history,
            "next": request.POST.get("next") or request.GET.get("next") or "",
        },
        status=status,
    )


@login_required
@require_safe
def obligation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    obligation, actions = selectors.obligation_for_user(actor=request.user, pk=pk)
    return _detail(request, obligation, actions)


DONE = {
    Action.SUBMIT: gettext_lazy("Inlämningen är registrerad."),
    Action.WAIVE: gettext_lazy("Åtagandet är undantaget."),
    Action.EDIT: gettext_lazy("Datumet är ändrat."),
}


def _transition(request: HttpRequest, pk: int, action: Action) -> HttpResponse:
    obligation, actions = selectors.obligation_for_user(actor=request.user, pk=pk, action=action)
    form = FORMS[action.short](request.POST, auto_id=f"id_{action.short}_{pk}_%s")
    if form.is_valid():
        data = form.cleaned_data
        try:
            if action == Action.SUBMIT:
                obligation_submit(
                    obligation=obligation,
                    submitted_on=data["submitted_on"],
                    receipt_reference=data["receipt_reference"],
                    document_reference=data["document_reference"],
                    actor=request.user,
                )
            elif action == Action.WAIVE:
                obligation_waive(obligation=obligation, reason=data["reason"], actor=request.user)
            else:
                obligation_reschedule(
                    obligation=obligation,
                    nominal_date=data["nominal_date"],
                    reason=data["reason"],
                    actor=request.user,
                )
        except ValidationError as exc:
            form_add_errors(form, exc)
        else:
            messages.success(request, f"{obligation.title}: {DONE[action]}")
            return _next(request, reverse("obligations:obligation", args=[pk]))
    return _detail(request, obligation, actions, bound={action.short: form}, status=400)


@login_required
@require_POST
def obligation_submit_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, Action.SUBMIT)


@login_required
@require_POST
def obligation_waive_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, Action.WAIVE)


@login_required
@require_POST
def obligation_reschedule_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, Action.EDIT)


@login_required
@require_POST
def rss_reschedule_view(request: HttpRequest, decision: str, year: int) -> HttpResponse:
    funding_decision, number = selectors.deadline_year_for_user(
        actor=request.user, action=Action.EDIT, slug=decision, year=year
    )
    form = RssRescheduleForm(request.POST, auto_id=f"id_rss_{number}_%s")
    if form.is_valid():
        try:
            changed = obligations_reschedule_rss(
                decision=funding_decision,
                year=number,
                kind=form.cleaned_data["kind"],
                nominal_date=form.cleaned_data["nominal_date"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
        except ValidationError as exc:
            form_add_errors(form, exc)
        else:
            messages.success(request, _("Nytt datum för %(n)s län.") % {"n": len(changed)})
            calendar_url = reverse("obligations:calendar", args=[funding_decision.slug, number])
            return _next(request, calendar_url)
    return _calendar_page(request, funding_decision, number, rss_bound=(number, form), status=400)


def _register_form(decision: FundingDecision, data: Any = None) -> ObligationRegisterForm:
    years = decision.years or selectors.obligation_years(decision=decision)
    on = as_of(max(years)) if years else timezone.localdate()
    return ObligationRegisterForm(data, years=years, counties=county_choices(on))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def obligation_register_view(request: HttpRequest, decision: str) -> HttpResponse:
    """Register an obligation that a document states and the decision's conditions do not, with
    that document's words and where they stand (`registration.obligation_register`)."""
    funding_decision = selectors.deadline_decision_for_user(
        actor=request.user, action="programme.change", slug=decision
    )
    status = 200
    if request.method == "POST":
        form = _register_form(funding_decision, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                obligation = obligation_register(
                    decision=funding_decision,
                    tier=data["tier"],
                    kind=data["kind"],
                    year=data["year"],
                    county=data["county"] or None,
                    title=data["title"],
                    nominal_date=data["nominal_date"],
                    source_text=data["source_text"],
                    source=data["source"],
                    actor=request.user,
                )
            except ValidationError as exc:
                form_add_errors(form, exc)
            else:
                messages.success(
                    request, _("%(title)s: åtagandet är registrerat.") % {"title": obligation.title}
                )
                return redirect("obligations:obligation", obligation.pk)
        status = 400
    else:
        form = _register_form(funding_decision)
    return render(
        request,
        "obligations/register.html",
        {"decision": funding_decision, "form": form},
        status=status,
    )


@login_required
@require_safe
def feed_page(request: HttpRequest) -> HttpResponse:
    feed = selectors.feed_for_user(user=request.user)
    url = request.build_absolute_uri(reverse("obligations:feed", args=[feed.token])) if feed else ""
    return render(request, "obligations/feed.html", {"feed": feed, "url": url})


@login_required
@require_POST
def feed_create_view(request: HttpRequest) -> HttpResponse:
    feeds.feed_create(actor=request.user)
    messages.success(
        request, _("En ny adress för ditt kalenderflöde är skapad. En tidigare adress fungerar inte längre.")
    )
    return redirect("obligations:feed_page")


@login_required
@require_POST
def feed_revoke_view(request: HttpRequest) -> HttpResponse:
    feeds.feed_revoke(actor=request.user)
    messages.success(request, _("Kalenderflödet är återkallat. Adressen fungerar inte längre."))
    return redirect("obligations:feed_page")


@require_safe
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The personal iCalendar feed. The token is the credential; calendar programs cannot log in."""
    found = selectors.feed_get(token=token)
    if found is None:
        raise NotFound(_("Okänt eller återkallat kalenderflöde."))
    obligations = selectors.obligations_for_user(user=found.user)
    body = calendar_ical(obligations, name=_("JämKoll: mina tidsfrister"), today=timezone.localdate())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=900"
    response["X-Robots-Tag"] = "noindex"
    return response
