"""Plans, activities, outputs, evaluations and status reports (session auth, the one policy).

Endpoints do not catch: the access helpers and the services raise `PermissionDenied`, `NotFound`
or `ValidationError`, which `jamkoll.api` answers with the one error body."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.security import django_auth
from pydantic import AfterValidator, ConfigDict, StringConstraints

from jamkoll.programmes.selectors import decision_year_for_user
from jamkoll.schema_types import ERRORS, ApiDate, Code, Count, LongText, ShortText, Year
from jamkoll.validation import text_problem

from .models import ActivityStatus, ProjectPlan
from .selectors import (
    FILTER_NUMBER_MAX,
    ActivityFilter,
    activity_dict,
    activity_for_user,
    activity_list,
    activity_row,
    evaluation_list,
    plan_for_user,
    status_reports_for_user,
)
from .services import UNIT_MAX, activity_update, output_create, plan_transition


def _one_line(value: str) -> str:
    problem = text_problem(value, multiline=False)
    if problem:
        raise ValueError(problem)
    return value


# An output's unit ("personer", "kommuner") has a shorter column than a title: ShortText's check
# with the column's length.
Unit = Annotated[
    str, StringConstraints(max_length=UNIT_MAX, strip_whitespace=True), AfterValidator(_one_line)
]
# A goal area's, sub-goal's or objective's number in a filter (0 means "all", as on the page).
FilterNumber = Annotated[int, Field(ge=0, le=FILTER_NUMBER_MAX)]

router = Router(tags=["plans"])


class OutputOut(Schema):
    id: int
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
    model_config = ConfigDict(extra="forbid")  # a field we do not take is refused, not ignored

    title: ShortText | None = None
    description: LongText | None = None
    status: ActivityStatus | None = None
    planned_start: ApiDate | None = None
    planned_end: ApiDate | None = None
    actual_start: ApiDate | None = None
    actual_end: ApiDate | None = None


class OutputIn(Schema):
    model_config = ConfigDict(extra="forbid")  # a field we do not take is refused, not ignored

    label: ShortText
    unit: Unit
    total: Count
    women: Count | None = None
    men: Count | None = None
    other: Count | None = None
    note: ShortText = ""


class StepIn(Schema):
    model_config = ConfigDict(extra="forbid")  # a field we do not take is refused, not ignored

    on: ApiDate
    reference: ShortText


class EvaluationOut(Schema):
    id: int
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


class FilterIn(Schema):
    malomrade: FilterNumber | None = None
    delmal: FilterNumber | None = None
    malsattning: FilterNumber | None = None
    lan: Code | None = None
    part: Code | None = None
    status: ActivityStatus | None = None


def _plan_out(plan: ProjectPlan) -> dict[str, Any]:
    return {
        "decision": plan.decision.slug,
        "year": plan.year,
        "version": plan.version,
        "status": plan.status,
        "title": plan.title,
        "summary": plan.summary,
        "proposed_on": plan.proposed_on,
        "consulted_on": plan.consulted_on,
        "fixed_on": plan.fixed_on,
    }


@router.get(
    "/{slug}/{int:year}", response={200: PlanOut, **ERRORS}, auth=django_auth, summary="Årets projektplan"
)
def plan(request: HttpRequest, slug: str, year: Year) -> Any:
    current, _steps = plan_for_user(actor=request.user, slug=slug, year=year)
    return _plan_out(current)


@router.post(
    "/{slug}/{int:year}/steps/{action}",
    response={200: PlanOut, **ERRORS},
    auth=django_auth,
    summary="Ett steg i planens arbetsgång",
)
def plan_step(request: HttpRequest, slug: str, year: Year, action: str, payload: StepIn) -> Any:
    current, _steps = plan_for_user(actor=request.user, slug=slug, year=year)
    changed = plan_transition(
        plan=current, action=action, on=payload.on, reference=payload.reference, actor=request.user
    )
    return _plan_out(changed)


@router.get(
    "/{slug}/{int:year}/activities",
    response={200: list[ActivityOut], **ERRORS},
    auth=django_auth,
    summary="Aktiviteter",
)
def activities(request: HttpRequest, slug: str, year: Year, filters: Query[FilterIn]) -> Any:
    decision, number = decision_year_for_user(actor=request.user, action="plan.view", slug=slug, year=year)
    f = ActivityFilter.from_query({k: v for k, v in filters.dict().items() if v is not None})
    return [activity_dict(a, number) for a in activity_list(decision=decision, year=number, filters=f)]


@router.get(
    "/{slug}/{int:year}/activities/{code}",
    response={200: ActivityOut, **ERRORS},
    auth=django_auth,
    summary="En aktivitet",
)
def activity(request: HttpRequest, slug: str, year: Year, code: str) -> Any:
    target, _verdict = activity_for_user(actor=request.user, slug=slug, year=year, code=code)
    return activity_dict(target, target.year)


@router.patch(
    "/{slug}/{int:year}/activities/{code}",
    response={200: ActivityOut, **ERRORS},
    auth=django_auth,
    summary="Ändra en aktivitet",
)
def activity_patch(request: HttpRequest, slug: str, year: Year, code: str, payload: ActivityPatch) -> Any:
    target, _verdict = activity_for_user(actor=request.user, slug=slug, year=year, code=code)
    changes = payload.dict(exclude_unset=True)
    if changes.get("status") is not None:
        changes["status"] = ActivityStatus(changes["status"]).value
    activity_update(activity=activity_row(activity=target), actor=request.user, **changes)
    changed, _verdict = activity_for_user(actor=request.user, slug=slug, year=year, code=code)
    return activity_dict(changed, changed.year)


@router.post(
    "/{slug}/{int:year}/activities/{code}/outputs",
    response={201: OutputOut, **ERRORS},
    auth=django_auth,
    summary="Lägg till ett resultat",
)
def output_add(request: HttpRequest, slug: str, year: Year, code: str, payload: OutputIn) -> Any:
    target, _verdict = activity_for_user(actor=request.user, slug=slug, year=year, code=code)
    output = output_create(activity=target, actor=request.user, **payload.dict())
    return 201, {
        "id": output.pk,
        "label": output.label,
        "unit": output.unit,
        "total": output.total,
        "women": output.women,
        "men": output.men,
        "other": output.other,
    }


@router.get(
    "/{slug}/{int:year}/evaluations",
    response={200: list[EvaluationOut], **ERRORS},
    auth=django_auth,
    summary="Utvärderingar",
)
def evaluations(request: HttpRequest, slug: str, year: Year) -> Any:
    decision, number = decision_year_for_user(actor=request.user, action="plan.view", slug=slug, year=year)
    return [
        {
            "id": e.pk,
            "title": e.title,
            "method": e.method,
            "description": e.description,
            "findings": e.findings,
            "recommendations": e.recommendations,
            "activities": [a.code for a in e.activities.all()],
        }
        for e in evaluation_list(decision=decision, year=number)
    ]


@router.get(
    "/{slug}/status-reports",
    response={200: list[StatusReportOut], **ERRORS},
    auth=django_auth,
    summary="Halvårsrapporter",
)
def status_reports(request: HttpRequest, slug: str) -> Any:
    return list(status_reports_for_user(actor=request.user, slug=slug))
