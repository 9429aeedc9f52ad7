"""Thin views: parse the request, ask the policy and the selectors, render."""

from __future__ import annotations

import functools
from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from jamkoll.accounts.policy import check, require
from jamkoll.charts import Bar, bar_chart
from jamkoll.errors import NotFound
from jamkoll.history import history_entries
from jamkoll.ledger.selectors import balance_get
from jamkoll.plans.selectors import rss_overview as rss_rows
from jamkoll.programmes import selectors
from jamkoll.programmes.models import ProgrammeRelation
from jamkoll.reports.selectors import published_list
from jamkoll.validation import YEAR_MAX, YEAR_MIN, int_param, text_problem
from jamkoll.web import dashboard, public
from jamkoll.web import search as search_selectors
from jamkoll.web.public_views import public_home


def _current_programmes() -> list[Any]:
    return [p for p in selectors.programme_list() if p.start_year and p.start_year >= 2018]


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return public_home(request)
    require(request.user, "programme.view")
    # Signed in: what is due for me, what waits for my decision, what I did last (web.dashboard).
    return render(
        request,
        "web/home_user.html",
        {
            "programmes": _current_programmes(),
            "due": dashboard.due_for_user(request.user, timezone.localdate()),
            "queue": dashboard.decision_queue(request.user),
            "recent": dashboard.recent_changes(request.user),
            "sign_ins": dashboard.sign_ins(request.user),
        },
    )


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    """Search across programmes, decisions and their texts, activities, partners, counties and
    documents (`/sok/?q=…&typ=…&sida=…`), as far as the policy lets the user see them."""
    raw = request.GET.get("q", "")
    problem = search_selectors.query_problem(raw)
    query = "" if problem else search_selectors.normalise(raw)
    kind = request.GET.get("typ", "")
    page = int_param(request.GET.get("sida"), minimum=1, maximum=search_selectors.PAGE_MAX) or 1
    groups = (
        [] if problem or not query else search_selectors.search(request.user, query, kind=kind, page=page)
    )
    return render(
        request,
        "web/search.html",
        {
            "query": query,
            "raw_shown": "" if problem else raw[: search_selectors.QUERY_MAX],
            "problem": problem,
            "groups": groups,
            "kind": kind if kind in search_selectors.KINDS else "",
            "query_max": search_selectors.QUERY_MAX,
        },
        status=400 if problem else 200,
    )


@require_safe
def history(request: HttpRequest) -> HttpResponse:
    require(request.user, "programme.view")
    programmes = sorted(selectors.programme_list(), key=lambda p: (p.start_year or 0, p.title))
    return render(
        request,
        "web/history.html",
        {
            "policy_programmes": [p for p in programmes if p.relation == ProgrammeRelation.EQUALITY_POLICY],
            "related_programmes": [p for p in programmes if p.relation == ProgrammeRelation.RELATED],
        },
    )


@require_safe
def programme_detail(request: HttpRequest, slug: str) -> HttpResponse:
    require(request.user, "programme.view")
    programme = selectors.programme_get(slug=slug)
    wanted = int_param(request.GET.get("ar"), minimum=YEAR_MIN, maximum=YEAR_MAX)
    flags = {
        "can_edit": check(request.user, "programme.change"),
        "can_view_decision_form": check(request.user, "decision.view_form"),
        "can_view_ledger": check(request.user, "ledger.view"),
    }
    slugs = list(programme.decisions.values_list("slug", flat=True))

    @functools.cache
    def decisions() -> list[Any]:  # read once, and only when something needs them
        return [selectors.decision_get(slug=d) for d in slugs]

    def sections() -> str:
        return _programme_sections(request, decisions(), wanted, flags)

    if request.user.is_authenticated:
        sections_html = sections()
    else:
        # What every visitor sees: rendered once per language, year chosen and state of the data
        # (`content_stamp`, one query), then served from the cache.
        stamp = (programme.pk, wanted, get_language(), flags, selectors.content_stamp())
        sections_html = public.cached_by_stamp(
            "programme-page", stamp, str, sections, PROGRAMME_CACHE_SECONDS
        )
    can_see_history = check(request.user, "history.view")
    changes = history_entries([programme, *decisions()]) if can_see_history else []
    return render(
        request,
        "web/programme.html",
        {
            "programme": programme,
            "sections_html": mark_safe(sections_html),
            "changes": changes,
            "history_verdict": can_see_history,
            **flags,
            "published": [v for d in slugs for v in published_list(decision_slug=d)],
        },
    )


# How long an anonymous visitor's programme page may be served from the cache at most.
PROGRAMME_CACHE_SECONDS = 300


def _programme_sections(
    request: HttpRequest, decisions: list[Any], wanted: int | None, flags: dict[str, Any]
) -> str:
    sections = []
    for decision in decisions:
        tables = selectors.budgets_for_decision(decision=decision)
        years = [t.year for t in tables]
        chosen = tables[0] if tables else None
        if wanted in years:
            chosen = tables[years.index(wanted)]
        chart = None
        if chosen and chosen.counties:
            peak = chosen.max_county_amount
            chart = bar_chart(
                [Bar(f"{c.code} {c.name}", c.amount, highlight=c.amount == peak) for c in chosen.counties],
                title=f"RSS-medel per län {chosen.year}",
                description=f"Fördelning av {len(chosen.counties)} läns RSS-medel {chosen.year}, "
                f"summa {chosen.county_total} kronor.",
            )
        sections.append({"decision": decision, "tables": tables, "chosen": chosen, "chart": chart})
    return render_to_string("web/_programme_sections.html", {"sections": sections, **flags}, request)


@require_safe
def decision_documents(request: HttpRequest, slug: str) -> HttpResponse:
    """The documents a decision rests on, whole, section by section (each with its anchor), and a
    search in them (`?q=`). Public, like the programme page that shows the decision."""
    require(request.user, "programme.view")
    decision = selectors.decision_get(slug=slug)
    documents = selectors.decision_documents(decision=decision)
    raw = request.GET.get("q", "")
    query = " ".join(raw.split())
    problem = text_problem(query, multiline=False, max_length=selectors.SEARCH_MAX) if query else None
    hits = [] if problem else selectors.document_search(documents=documents, query=query)
    return render(
        request,
        "web/decision_documents.html",
        {
            "decision": decision,
            "documents": documents,
            "query": "" if problem else query,
            "searched": bool(query) and not problem,
            "problem": problem,
            "hits": hits,
            "search_max": selectors.SEARCH_MAX,
        },
        status=400 if problem else 200,
    )


@require_safe
@login_required
def rss_overview(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    """The 21 RSS side by side: implementation plan, activities, outputs, money and what is
    missing (the money from the ledger, read here: plans does not import the ledger)."""
    decision, year = selectors.decision_year_for_user(
        actor=request.user, action="plan.view", slug=slug, year=year, full=True
    )
    balance = balance_get(decision=decision, year=year)
    rows = rss_rows(decision=decision, year=year, balances=balance)
    chart = bar_chart(
        [Bar(f"{r.code} {r.name}", r.allocation or Decimal(0)) for r in rows],
        title=f"RSS-medel per län {year}",
    )
    return render(
        request,
        "web/rss.html",
        {
            "decision": decision,
            "year": year,
            "rows": rows,
            "chart": chart,
            "plans_done": sum(1 for r in rows if r.plan and r.plan.status == "fixed"),
            "missing_plans": sum(1 for r in rows if r.plan is None),
            "missing_results": sum(1 for r in rows if not r.with_outputs),
        },
    )


def _refusal(
    request: HttpRequest, *, status: int, heading: str, explanation: str, reason: str = ""
) -> HttpResponse:
    """The site's own page for a refusal (DESIGN §1: a refusal says why): the layout, the
    language, the policy's reason and a way back — never Django's bare English page."""
    referer = request.META.get("HTTP_REFERER", "")
    back = (
        referer
        if referer
        and url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()}, require_https=False)
        # a GET refused on its own page would lead back to the same refusal
        and not (request.method == "GET" and referer == request.build_absolute_uri())
        else ""
    )
    context = {"heading": heading, "explanation": explanation, "reason": reason, "back": back}
    return render(request, "web/refusal.html", context, status=status)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _refusal(
        request,
        status=403,
        heading=_("Du har inte behörighet"),
        explanation=_("Det du försökte göra kräver en annan roll eller ett annat län."),
        reason=str(exception or "") if exception is not None else "",
    )


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # Only our own NotFound messages are for the user; Django's resolver message is not.
    reason = str(exception) if isinstance(exception, NotFound) else ""
    if request.path.startswith("/api/"):
        # An address no API operation matches (`/api/v1/reports/abc`: an id that is no number) is
        # answered in the API's one error body, as the operations' own 404s are (issue 15).
        return JsonResponse(
            {"detail": reason or _("Adressen finns inte i API:et."), "errors": {}}, status=404
        )
    return _refusal(
        request,
        status=404,
        heading=_("Sidan finns inte"),
        explanation=_("Adressen är fel, eller det du söker har tagits bort."),
        reason=reason,
    )


def method_not_allowed(request: HttpRequest) -> HttpResponse:
    """An address that takes a form (POST) opened as a page, or a page sent a form it does not
    take: each told what to do."""
    if request.method in ("GET", "HEAD"):
        explanation = _(
            "Adressen tar emot ett formulär från en sida i JämKoll och kan inte öppnas direkt. "
            "Gå tillbaka till sidan och använd knappen där."
        )
    else:
        explanation = _(
            "Sidan tar inte emot formulär, så inget har sparats. Öppna sidan på nytt och använd "
            "formulären där."
        )
    return _refusal(
        request, status=405, heading=_("Adressen kan inte öppnas så här"), explanation=explanation
    )


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _refusal(
        request,
        status=400,
        heading=_("Felaktig begäran"),
        explanation=_("Begäran innehöll något som inte kan tas emot."),
        reason=" ".join(exception.messages) if isinstance(exception, ValidationError) else "",
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """`CSRF_FAILURE_VIEW`: a form sent from a page too old (or without cookies) gets the site's
    refusal page with what to do, not Django's bare English page. Django's `reason` is for the
    log, not the user."""
    return _refusal(
        request,
        status=403,
        heading=_("Formuläret kunde inte skickas"),
        explanation=_("Sidan skyddar dina formulär mot att skickas från en annan webbplats."),
        reason=_(
            "Formuläret kunde inte skickas: sidan var för gammal eller kakor är avstängda. "
            "Ladda om sidan och försök igen."
        ),
    )
