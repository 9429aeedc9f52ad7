"""Plans, activities, outputs, evaluations and status reports (session auth, the one policy)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from ninja.security import django_auth

from jamkoll.accounts.policy import check
from jamkoll.errors import NotFound
from jamkoll.programmes.models import FundingDecision
from jamkoll.programmes.selectors import decision_brief

from .models import Activity, ActivityStatus, Evaluation, StatusReport
from .selectors import ActivityFilter, activity_dict, activity_get, activity_list, plan_current
from .services import PlanError, activity_update, output_create, plan_transition

router = Router(tags=["plans"])


class OutputOut(Schema):
    label: str
    unit: str
    total: int
    women: int | None
    men: int | None
    other: int | None


class ActivityOut(Schema):
    id: str
    sub_project: str
    goal_area: int
    title: str
    report_section: str
    owner_county: str | None
    counties: list[str]
    partners: list[str]
    sub_goals: list[int]
    status: str
    outputs: list[OutputOut]


class PlanOut(Schema):
    decision: str
    year: int
    version: int
    status: str
    title: str
    summary: str
    proposed_on: dt.date | None
    consulted_on: dt.date | None
    fixed_on: dt.date | None


class ActivityPatch(Schema):
    title: str | None = None
    description: str | None = None
    status: ActivityStatus | None = None
    planned_start: dt.date | None = None
    planned_end: dt.date | None = None
    actual_start: dt.date | None = None
    actual_end: dt.date | None = None


class OutputIn(Schema):
    label: str
    unit: str
    total: int
    women: int | None = None
    men: int | None = None
    other: int | None = None
    note: str = ""


class StepIn(Schema):
    on: dt.date
    reference: str


class EvaluationOut(Schema):
    title: str
    method: str
    description: str
    findings: str
    recommendations: str
    activities: list[str]


class StatusReportOut(Schema):
    period_start: dt.date
    period_end: dt.date
    state: str
    summary: str
    deviations: str
    risks: str


class ErrorOut(Schema):
    detail: str


class FilterIn(Schema):
    malomrade: int | None = None
    delmal: int | None = None
    malsattning: int | None = None
    lan: str | None = None
    part: str | None = None
    status: str | None = None


def _decision(request: HttpRequest, slug: str, year: int | None = None) -> FundingDecision:
    verdict = check(request.user, "plan.view")
    if not verdict:
        raise HttpError(403, verdict.reason)
    try:
        decision = decision_brief(slug=slug)
    except NotFound as exc:
        raise HttpError(404, str(exc)) from None
    if year is not None and year not in decision.years:
        raise HttpError(404, f"år {year} ligger utanför beslutets period")
    return decision


def _activity(request: HttpRequest, slug: str, year: int, code: str) -> Activity:
    activity = activity_get(decision=_decision(request, slug, year), code=code, year=year)
    if activity is None or activity.year != year:
        raise HttpError(404, f"okänd aktivitet {code!r}")
    return activity


@router.get("/{slug}/{year}", response=PlanOut, auth=django_auth, summary="Årets projektplan")
def plan(request: HttpRequest, slug: str, year: int) -> Any:
    decision = _decision(request, slug, year)
    current = plan_current(decision=decision, year=year)
    if current is None:
        raise HttpError(404, "ingen projektplan för året")
    return {
        "decision": slug,
        "year": year,
        "version": current.version,
        "status": current.status,
        "title": current.title,
        "summary": current.summary,
        "proposed_on": current.proposed_on,
        "consulted_on": current.consulted_on,
        "fixed_on": current.fixed_on,
    }


@router.post(
    "/{slug}/{year}/steps/{action}",
    response={200: PlanOut, 403: ErrorOut, 422: ErrorOut},
    auth=django_auth,
    summary="Ett steg i planens arbetsgång",
)
def plan_step(request: HttpRequest, slug: str, year: int, action: str, payload: StepIn) -> Any:
    decision = _decision(request, slug, year)
    current = plan_current(decision=decision, year=year)
    if current is None:
        raise HttpError(404, "ingen projektplan för året")
    try:
        plan_transition(
            plan=current, action=action, on=payload.on, reference=payload.reference, user=request.user
        )
    except PermissionDenied as exc:
        return 403, {"detail": str(exc)}
    except PlanError as exc:
        return 422, {"detail": str(exc)}
    return plan(request, slug, year)


@router.get("/{slug}/{year}/activities", response=list[ActivityOut], auth=django_auth, summary="Aktiviteter")
def activities(request: HttpRequest, slug: str, year: int, filters: Query[FilterIn]) -> list[dict[str, Any]]:
    decision = _decision(request, slug, year)
    f = ActivityFilter.from_query({k: v for k, v in filters.dict().items() if v is not None})
    return [activity_dict(a, year) for a in activity_list(decision=decision, year=year, filters=f)]


@router.get(
    "/{slug}/{year}/activities/{code}", response=ActivityOut, auth=django_auth, summary="En aktivitet"
)
def activity(request: HttpRequest, slug: str, year: int, code: str) -> dict[str, Any]:
    return activity_dict(_activity(request, slug, year, code), year)


@router.patch(
    "/{slug}/{year}/activities/{code}",
    response={200: ActivityOut, 403: ErrorOut, 422: ErrorOut},
    auth=django_auth,
    summary="Ändra en aktivitet",
)
def activity_patch(request: HttpRequest, slug: str, year: int, code: str, payload: ActivityPatch) -> Any:
    target = _activity(request, slug, year, code)
    changes = payload.dict(exclude_unset=True)
    if "status" in changes and changes["status"] is not None:
        changes["status"] = ActivityStatus(changes["status"]).value
    try:
        activity_update(activity=Activity.objects.get(pk=target.pk), user=request.user, **changes)
    except PermissionDenied as exc:
        return 403, {"detail": str(exc)}
    except (PlanError, ValidationError) as exc:
        return 422, {"detail": "; ".join(getattr(exc, "messages", [str(exc)]))}
    return 200, activity_dict(_activity(request, slug, year, code), year)


@router.post(
    "/{slug}/{year}/activities/{code}/outputs",
    response={201: OutputOut, 403: ErrorOut, 422: ErrorOut},
    auth=django_auth,
    summary="Lägg till ett resultat",
)
def output_add(request: HttpRequest, slug: str, year: int, code: str, payload: OutputIn) -> Any:
    target = _activity(request, slug, year, code)
    try:
        output = output_create(activity=target, user=request.user, **payload.dict())
    except PermissionDenied as exc:
        return 403, {"detail": str(exc)}
    except ValidationError as exc:
        detail = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())
        return 422, {"detail": detail}
    return 201, {
        "label": output.label,
        "unit": output.unit,
        "total": output.total,
        "women": output.women,
        "men": output.men,
        "other": output.other,
    }


@router.get(
    "/{slug}/{year}/evaluations", response=list[EvaluationOut], auth=django_auth, summary="Utvärderingar"
)
def evaluations(request: HttpRequest, slug: str, year: int) -> list[dict[str, Any]]:
    decision = _decision(request, slug, year)
    return [
        {
            "title": e.title,
            "method": e.method,
            "description": e.description,
            "findings": e.findings,
            "recommendations": e.recommendations,
            "activities": [a.code for a in e.activities.all()],
        }
        for e in Evaluation.objects.filter(decision=decision, year=year).prefetch_related("activities")
    ]


@router.get(
    "/{slug}/status-reports", response=list[StatusReportOut], auth=django_auth, summary="Halvårsrapporter"
)
def status_reports(request: HttpRequest, slug: str) -> list[StatusReport]:
    return list(StatusReport.objects.filter(decision=_decision(request, slug)))
