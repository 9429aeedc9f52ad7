"""Thin views for deadlines: parse the request, ask the policy and the selectors, call one
service, render. Writes are POST-only (CSRF); a refusal by the policy is a 403 with its reason."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from jamkoll.accounts.policy import check
from jamkoll.errors import NotFound
from jamkoll.programmes.selectors import as_of
from jamkoll.reference.selectors import county_list

from . import selectors, services
from .forms import (
    CalendarFilterForm,
    RescheduleForm,
    RssRescheduleForm,
    SubmitForm,
    WaiveForm,
    county_choices,
)
from .ical import calendar_ical
from .models import Obligation, Tier

FORMS: dict[str, type[Form]] = {"submit": SubmitForm, "waive": WaiveForm, "edit": RescheduleForm}


def _refused(request: HttpRequest, reason: str) -> HttpResponse:
    return render(request, "obligations/refused.html", {"reason": reason}, status=403)


def _require_view(request: HttpRequest) -> None:
    verdict = check(request.user, "obligation.view")
    if not verdict:
        raise PermissionDenied(verdict.reason)


def _obligation(pk: int) -> Obligation:
    try:
        return selectors.obligation_get(pk=pk)
    except NotFound as exc:
        raise Http404(str(exc)) from None


def _forms_for(card: selectors.ObligationCard, bound: dict[str, Form] | None = None) -> None:
    pk = card.obligation.pk
    for action, form_class in FORMS.items():
        if card.actions[action]:
            card.forms[action] = (bound or {}).get(action) or form_class(auto_id=f"id_{action}_{pk}_%s")


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return fallback


@login_required
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    _require_view(request)
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


@login_required
@require_safe
def calendar(request: HttpRequest, decision: str, year: int) -> HttpResponse:
    _require_view(request)
    try:
        funding_decision = selectors.decision_for_deadlines(slug=decision)
    except NotFound as exc:
        raise Http404(str(exc)) from None
    years = selectors.obligation_years(decision=funding_decision)
    if year not in years:
        raise Http404(selectors.unknown_year_message(funding_decision, year, years))
    today = timezone.localdate()
    form = CalendarFilterForm(request.GET or None, counties=county_choices(county_list(), as_of(year)))
    filters: dict[str, Any] = form.cleaned_data if form.is_bound and form.is_valid() else {}
    obligations = selectors.obligation_list(
        decision=funding_decision,
        year=year,
        kind=filters.get("kind") or None,
        owner_role=filters.get("owner") or None,
        county=filters.get("county") or None,
        status=filters.get("status") or None,
        today=today,
    )
    cards = [selectors.obligation_card(request.user, o, today) for o in obligations]
    for card in cards:
        _forms_for(card)
    rss_years = {c.obligation.year for c in cards if c.obligation.tier == Tier.RSS}
    can_edit = check(request.user, "obligation.edit")
    return render(
        request,
        "obligations/calendar.html",
        {
            "decision": funding_decision,
            "year": year,
            "years": years,
            "form": form,
            "groups": selectors.group_by_month(cards),
            "count": len(cards),
            "today": today,
            "rss_form": RssRescheduleForm(auto_id="id_rss_%s") if can_edit and rss_years else None,
            "rss_years": sorted(rss_years),
            "can_edit": can_edit,
            "next": request.get_full_path(),
        },
    )


def _detail(
    request: HttpRequest, obligation: Obligation, *, bound: dict[str, Form] | None = None, status: int = 200
) -> HttpResponse:
    card = selectors.obligation_card(request.user, obligation, timezone.localdate())
    _forms_for(card, bound)
    can_see_history = check(request.user, "history.view")
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
    _require_view(request)
    return _detail(request, _obligation(pk))


def _add_errors(form: Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
    else:
        for error in exc.messages:
            form.add_error(None, error)


def _transition(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    obligation = _obligation(pk)
    verdict = check(request.user, f"obligation.{action}", obligation)
    if not verdict:
        return _refused(request, verdict.reason)
    form = FORMS[action](request.POST, auto_id=f"id_{action}_{pk}_%s")
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            if action == "submit":
                services.obligation_submit(
                    obligation=obligation,
                    submitted_on=data["submitted_on"],
                    receipt_reference=data["receipt_reference"],
                    document_reference=data["document_reference"],
                    user=request.user,
                )
                done = _("Inlämningen är registrerad.")
            elif action == "waive":
                services.obligation_waive(obligation=obligation, reason=data["reason"], user=request.user)
                done = _("Åtagandet är undantaget.")
            else:
                services.obligation_reschedule(
                    obligation=obligation,
                    nominal_date=data["nominal_date"],
                    reason=data["reason"],
                    user=request.user,
                )
                done = _("Datumet är ändrat.")
        except PermissionDenied as exc:
            return _refused(request, str(exc))
        except services.TransitionRefused as exc:
            form.add_error(None, str(exc))
            status = 409
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"{obligation.title}: {done}")
            return redirect(_safe_next(request, reverse("obligations:obligation", args=[pk])))
    return _detail(request, _obligation(pk), bound={action: form}, status=status)


@login_required
@require_POST
def obligation_submit_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, "submit")


@login_required
@require_POST
def obligation_waive_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, "waive")


@login_required
@require_POST
def obligation_reschedule_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, "edit")


@login_required
@require_POST
def rss_reschedule_view(request: HttpRequest, decision: str, year: int) -> HttpResponse:
    try:
        funding_decision = selectors.decision_for_deadlines(slug=decision)
    except NotFound as exc:
        raise Http404(str(exc)) from None
    verdict = check(request.user, "obligation.edit")
    if not verdict:
        return _refused(request, verdict.reason)
    calendar_url = reverse("obligations:calendar", args=[funding_decision.slug, year])
    form = RssRescheduleForm(request.POST, auto_id="id_rss_%s")
    if form.is_valid():
        try:
            changed = services.obligations_reschedule_rss(
                decision=funding_decision,
                year=year,
                kind=form.cleaned_data["kind"],
                nominal_date=form.cleaned_data["nominal_date"],
                reason=form.cleaned_data["reason"],
                user=request.user,
            )
        except PermissionDenied as exc:
            return _refused(request, str(exc))
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Nytt datum för %(n)s län.") % {"n": len(changed)})
            return redirect(_safe_next(request, calendar_url))
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, str(error))
    return redirect(_safe_next(request, calendar_url))


@login_required
@require_safe
def feed_page(request: HttpRequest) -> HttpResponse:
    feed = selectors.feed_for_user(user=request.user)
    url = request.build_absolute_uri(reverse("obligations:feed", args=[feed.token])) if feed else ""
    return render(request, "obligations/feed.html", {"feed": feed, "url": url})


@login_required
@require_POST
def feed_create_view(request: HttpRequest) -> HttpResponse:
    try:
        services.feed_create(user=request.user)
    except PermissionDenied as exc:
        return _refused(request, str(exc))
    messages.success(
        request, _("En ny adress för ditt kalenderflöde är skapad. En tidigare adress fungerar inte längre.")
    )
    return redirect("obligations:feed_page")


@login_required
@require_POST
def feed_revoke_view(request: HttpRequest) -> HttpResponse:
    try:
        services.feed_revoke(user=request.user)
    except PermissionDenied as exc:
        return _refused(request, str(exc))
    messages.success(request, _("Kalenderflödet är återkallat. Adressen fungerar inte längre."))
    return redirect("obligations:feed_page")


@require_safe
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The personal iCalendar feed. The token is the credential; calendar programs cannot log in."""
    found = selectors.feed_get(token=token)
    if found is None:
        raise Http404(_("Okänt eller återkallat kalenderflöde."))
    obligations = selectors.obligations_for_user(user=found.user)
    body = calendar_ical(obligations, name=_("JämKoll: mina deadlines"), today=timezone.localdate())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=900"
    response["X-Robots-Tag"] = "noindex"
    return response
