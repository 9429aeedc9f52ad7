"""The API for the county's own work and the results (issue 11): county plans and their
activities, the 21 counties side by side, outputs corrected and removed, evaluations, the
half-yearly status report and the steering group's members.

Its own `router` is mounted beside the plans router under `/plans`. Two operations share a path
with a GET of the plans router (`POST /{slug}/{year}/evaluations`, `POST /{slug}/status-reports`):
Django resolves a path to the first router that has it, so those two are added to that router
(`plans_router`), here. Endpoints do not catch: `jamkoll.api` answers the access helpers' and the
services' refusals with the one error body.

The counties' money is not here: plans does not read the ledger (the web page shows it).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from pydantic import ConfigDict, StringConstraints

from jamkoll.accounts.api_auth import user_auth
from jamkoll.accounts.policy import require
from jamkoll.api_paging import Page, PageIn, page
from jamkoll.errors import NotFound
from jamkoll.programmes.selectors import decision_brief, decision_year_for_user
from jamkoll.schema_types import ERRORS, ApiDate, Code, Count, LongText, ShortText, Year

from .api import ActivityOut, EvaluationOut, OutputOut, Unit, evaluation_out, output_out
from .api import router as plans_router
from .models import ActivityStatus, CountyPlanStatus, OutputQualifier, StatusReport, SteeringGroupMember
from .selectors import (
    activity_dict,
    activity_for_user,
    county_activity_for_user,
    county_plan_for_user,
    evaluation_for_user,
    output_for_user,
    rss_overview,
    status_report_for_user,
    steering_group_for_user,
    steering_group_member_for_user,
)
from .services import (
    EVALUATION_ACTIVITIES_MAX,
    county_activity_create,
    county_activity_update,
    county_plan_create,
    county_plan_update,
    evaluation_create,
    evaluation_delete,
    evaluation_update,
    output_delete,
    output_update,
    status_report_create,
    status_report_item_set,
    status_report_submit,
    status_report_update,
    steering_group_member_create,
    steering_group_member_delete,
    steering_group_member_update,
)

router = Router(tags=["plans"])

Number = Annotated[int, Field(ge=1, le=999)]
AmountText = Annotated[str, StringConstraints(max_length=40, strip_whitespace=True)]
# A half-yearly report's rows: one per activity, a year has some fifty.
ITEMS_MAX = 500


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")  # a field we do not take is refused, not ignored


# --- county plans -----------------------------------------------------------------------------


class CountyRowOut(Schema):
    county: str
    name: str
    plan_status: str | None
    activities: int
    activities_with_outputs: int  # with at least one measured result
    outputs: int  # measured results (exact figures and lower bounds)
    outputs_not_measured: int  # approximate, likely, planned or estimated figures
    missing: list[str]


class CountyPlanOut(Schema):
    decision: str
    year: int
    county: str
    name: str
    status: str | None  # None: the county has no plan for the year
    summary: str
    # The county's own activities, a page at a time (`limit`, `offset`): a county may run hundreds.
    activities: Page[ActivityOut]
    may_edit: bool
    reason: str  # why not, when the actor may not change it


class CountyPlanIn(Strict):
    summary: LongText = ""


class CountyPlanPatch(Strict):
    summary: LongText | None = None
    status: CountyPlanStatus | None = None


class CountyActivityIn(Strict):
    title: ShortText
    goal_area: Number
    sub_project: Number
    description: LongText = ""
    status: ActivityStatus = ActivityStatus.PLANNED
    planned_start: ApiDate | None = None
    planned_end: ApiDate | None = None
    actual_start: ApiDate | None = None
    actual_end: ApiDate | None = None
    planned_cost: AmountText | None = None  # kronor, "1500000.00" or "1 500 000,00"


class CountyActivityPatch(Strict):
    title: ShortText | None = None
    goal_area: Number | None = None
    sub_project: Number | None = None
    description: LongText | None = None
    status: ActivityStatus | None = None
    planned_start: ApiDate | None = None
    planned_end: ApiDate | None = None
    actual_start: ApiDate | None = None
    actual_end: ApiDate | None = None
    planned_cost: AmountText | None = None


def _county_plan_out(
    request: HttpRequest, slug: str, year: int, county: str, paging: PageIn | None = None
) -> dict[str, Any]:
    plan_page = county_plan_for_user(actor=request.user, slug=slug, year=year, county_code=county)
    number = plan_page.year
    return {
        "decision": plan_page.decision.slug,
        "year": number,
        "county": plan_page.county.code,
        "name": plan_page.name,
        "status": plan_page.plan.status if plan_page.plan else None,
        "summary": plan_page.plan.summary if plan_page.plan else "",
        "activities": page(plan_page.activities, paging or PageIn(), lambda a: activity_dict(a, number)),
        "may_edit": bool(plan_page.verdict),
        "reason": plan_page.verdict.reason,
    }


def _enum_values(changes: dict[str, Any]) -> dict[str, Any]:
    return {
        k: (v.value if isinstance(v, ActivityStatus | CountyPlanStatus) else v) for k, v in changes.items()
    }


@router.get(
    "/{slug}/{int:year}/counties",
    response={200: list[CountyRowOut], **ERRORS},
    auth=user_auth,
    summary="De 21 länen sida vid sida: genomförandeplan, aktiviteter, resultat och vad som saknas",
    description="Hela listan, inte sidvis: alltid de 21 länen, med antal räknade i databasen.",
)
def counties(request: HttpRequest, slug: str, year: Year) -> Any:
    decision, number = decision_year_for_user(actor=request.user, action="plan.view", slug=slug, year=year)
    return [
        {
            "county": r.code,
            "name": r.name,
            "plan_status": r.plan.status if r.plan else None,
            "activities": r.activities,
            "activities_with_outputs": r.with_outputs,
            "outputs": r.outputs,
            "outputs_not_measured": r.unmeasured,
            "missing": [str(m) for m in r.missing],
        }
        for r in rss_overview(decision=decision, year=number)
    ]


@router.get(
    "/{slug}/{int:year}/counties/{county}",
    response={200: CountyPlanOut, **ERRORS},
    auth=user_auth,
    summary="Ett läns genomförandeplan",
    description="Planen och länets egna aktiviteter sidvis (`limit`, `offset`; `activities.total` är "
    "antalet i allt). Svaret på en ändring av planen har aktiviteternas första sida.",
)
def county_plan(request: HttpRequest, slug: str, year: Year, county: Code, paging: Query[PageIn]) -> Any:
    return _county_plan_out(request, slug, year, county, paging)


@router.post(
    "/{slug}/{int:year}/counties/{county}",
    response={201: CountyPlanOut, **ERRORS},
    auth=user_auth,
    summary="Skapa ett läns genomförandeplan",
)
def county_plan_add(request: HttpRequest, slug: str, year: Year, county: Code, payload: CountyPlanIn) -> Any:
    page = county_plan_for_user(actor=request.user, slug=slug, year=year, county_code=county)
    county_plan_create(
        decision=page.decision,
        year=page.year,
        county_code=page.county.code,
        summary=payload.summary,
        actor=request.user,
    )
    return 201, _county_plan_out(request, slug, year, county)


@router.patch(
    "/{slug}/{int:year}/counties/{county}",
    response={200: CountyPlanOut, **ERRORS},
    auth=user_auth,
    summary="Ändra ett läns genomförandeplan (sammanfattning, status)",
)
def county_plan_patch(
    request: HttpRequest, slug: str, year: Year, county: Code, payload: CountyPlanPatch
) -> Any:
    page = county_plan_for_user(actor=request.user, slug=slug, year=year, county_code=county)
    if page.plan is None:
        raise NotFound(_("%(c)s har ingen genomförandeplan för %(y)s.") % {"c": page.name, "y": page.year})
    county_plan_update(
        county_plan=page.plan, actor=request.user, **_enum_values(payload.dict(exclude_unset=True))
    )
    return _county_plan_out(request, slug, year, county)


@router.post(
    "/{slug}/{int:year}/counties/{county}/activities",
    response={201: ActivityOut, **ERRORS},
    auth=user_auth,
    summary="Lägg till en aktivitet i ett läns genomförandeplan",
)
def county_activity_add(
    request: HttpRequest, slug: str, year: Year, county: Code, payload: CountyActivityIn
) -> Any:
    page = county_plan_for_user(actor=request.user, slug=slug, year=year, county_code=county)
    if page.plan is None:
        raise NotFound(
            _("%(c)s har ingen genomförandeplan för %(y)s; skapa den först.")
            % {"c": page.name, "y": page.year}
        )
    created = county_activity_create(
        county_plan=page.plan, actor=request.user, **_enum_values(payload.dict())
    )
    target, _verdict = activity_for_user(actor=request.user, slug=slug, year=year, code=created.code)
    return 201, activity_dict(target, target.year)


@router.patch(
    "/{slug}/{int:year}/counties/{county}/activities/{code}",
    response={200: ActivityOut, **ERRORS},
    auth=user_auth,
    summary="Ändra en aktivitet i ett läns genomförandeplan",
)
def county_activity_patch(
    request: HttpRequest, slug: str, year: Year, county: Code, code: str, payload: CountyActivityPatch
) -> Any:
    target, _verdict = county_activity_for_user(
        actor=request.user, slug=slug, year=year, county_code=county, code=code
    )
    county_activity_update(
        activity=target, actor=request.user, **_enum_values(payload.dict(exclude_unset=True))
    )
    changed, _verdict = activity_for_user(actor=request.user, slug=slug, year=year, code=code)
    return activity_dict(changed, changed.year)


# --- outputs ----------------------------------------------------------------------------------


class OutputPatch(Strict):
    label: ShortText | None = None
    unit: Unit | None = None
    total: Count | None = None
    women: Count | None = None
    men: Count | None = None
    other: Count | None = None
    note: ShortText | None = None
    qualifier: OutputQualifier | None = None


@router.get(
    "/{slug}/{int:year}/activities/{code}/outputs/{int:output_id}",
    response={200: OutputOut, **ERRORS},
    auth=user_auth,
    summary="Ett resultat",
)
def output_get(request: HttpRequest, slug: str, year: Year, code: str, output_id: int) -> Any:
    output, _verdict = output_for_user(actor=request.user, slug=slug, year=year, code=code, pk=output_id)
    return output_out(output)


@router.patch(
    "/{slug}/{int:year}/activities/{code}/outputs/{int:output_id}",
    response={200: OutputOut, **ERRORS},
    auth=user_auth,
    summary="Rätta ett resultat",
)
def output_patch(
    request: HttpRequest, slug: str, year: Year, code: str, output_id: int, payload: OutputPatch
) -> Any:
    output, _verdict = output_for_user(actor=request.user, slug=slug, year=year, code=code, pk=output_id)
    return output_out(output_update(output=output, actor=request.user, **payload.dict(exclude_unset=True)))


@router.delete(
    "/{slug}/{int:year}/activities/{code}/outputs/{int:output_id}",
    response={204: None, **ERRORS},
    auth=user_auth,
    summary="Ta bort ett resultat (ändringshistoriken behåller det)",
)
def output_remove(request: HttpRequest, slug: str, year: Year, code: str, output_id: int) -> Any:
    output, _verdict = output_for_user(actor=request.user, slug=slug, year=year, code=code, pk=output_id)
    output_delete(output=output, actor=request.user)
    return 204, None


# --- evaluations --------------------------------------------------------------------------------

Codes = Annotated[list[Code], Field(max_length=EVALUATION_ACTIVITIES_MAX)]


class EvaluationIn(Strict):
    title: ShortText
    method: ShortText = ""
    description: LongText = ""
    findings: LongText = ""
    recommendations: LongText = ""
    activities: Codes = []


class EvaluationPatch(Strict):
    title: ShortText | None = None
    method: ShortText | None = None
    description: LongText | None = None
    findings: LongText | None = None
    recommendations: LongText | None = None
    activities: Codes | None = None


@plans_router.post(
    "/{slug}/{int:year}/evaluations",
    response={201: EvaluationOut, **ERRORS},
    auth=user_auth,
    summary="Registrera en utvärdering",
)
def evaluation_add(request: HttpRequest, slug: str, year: Year, payload: EvaluationIn) -> Any:
    decision, number = decision_year_for_user(actor=request.user, action="plan.view", slug=slug, year=year)
    created = evaluation_create(decision=decision, year=number, actor=request.user, **payload.dict())
    return 201, evaluation_out(created)


@router.patch(
    "/{slug}/{int:year}/evaluations/{int:evaluation_id}",
    response={200: EvaluationOut, **ERRORS},
    auth=user_auth,
    summary="Ändra en utvärdering",
)
def evaluation_patch(
    request: HttpRequest, slug: str, year: Year, evaluation_id: int, payload: EvaluationPatch
) -> Any:
    evaluation, _verdict = evaluation_for_user(actor=request.user, slug=slug, year=year, pk=evaluation_id)
    changes = payload.dict(exclude_unset=True)
    return evaluation_out(evaluation_update(evaluation=evaluation, actor=request.user, **changes))


@router.delete(
    "/{slug}/{int:year}/evaluations/{int:evaluation_id}",
    response={204: None, **ERRORS},
    auth=user_auth,
    summary="Ta bort en utvärdering",
)
def evaluation_remove(request: HttpRequest, slug: str, year: Year, evaluation_id: int) -> Any:
    evaluation, _verdict = evaluation_for_user(actor=request.user, slug=slug, year=year, pk=evaluation_id)
    evaluation_delete(evaluation=evaluation, actor=request.user)
    return 204, None


# --- the half-yearly status report ---------------------------------------------------------------


class StatusItemIn(Strict):
    activity: Code
    progress: LongText
    deviation: LongText = ""


class StatusItemOut(Schema):
    activity: str
    title: str
    progress: str
    deviation: str


class StatusReportDetailOut(Schema):
    period_start: dt.date
    period_end: dt.date
    state: str
    summary: str
    deviations: str
    risks: str
    items: list[StatusItemOut]


class StatusReportIn(Strict):
    period_start: ApiDate  # 1 January or 1 July of one of the decision's years
    summary: LongText = ""
    deviations: LongText = ""
    risks: LongText = ""


class StatusReportPatch(Strict):
    summary: LongText | None = None
    deviations: LongText | None = None
    risks: LongText | None = None
    items: Annotated[list[StatusItemIn], Field(max_length=ITEMS_MAX)] | None = None  # added or replaced
    state: Literal["submitted"] | None = None  # submit, after the changes above


def _status_report_out(report: StatusReport) -> dict[str, Any]:
    return {
        "period_start": report.period_start,
        "period_end": report.period_end,
        "state": report.state,
        "summary": report.summary,
        "deviations": report.deviations,
        "risks": report.risks,
        "items": [
            {
                "activity": i.activity.code,
                "title": i.activity.title,
                "progress": i.progress,
                "deviation": i.deviation,
            }
            for i in report.items.select_related("activity").order_by("activity__title")
        ],
    }


@plans_router.post(
    "/{slug}/status-reports",
    response={201: StatusReportDetailOut, **ERRORS},
    auth=user_auth,
    summary="Påbörja en halvårsrapport (utkast)",
)
def status_report_add(request: HttpRequest, slug: str, payload: StatusReportIn) -> Any:
    require(request.user, "plan.view")
    created = status_report_create(decision=decision_brief(slug=slug), actor=request.user, **payload.dict())
    return 201, _status_report_out(created)


@router.get(
    "/{slug}/status-reports/{period_start}",
    response={200: StatusReportDetailOut, **ERRORS},
    auth=user_auth,
    summary="En halvårsrapport med raderna",
)
def status_report(request: HttpRequest, slug: str, period_start: ApiDate) -> Any:
    report, _verdict = status_report_for_user(actor=request.user, slug=slug, period_start=period_start)
    return _status_report_out(report)


@router.patch(
    "/{slug}/status-reports/{period_start}",
    response={200: StatusReportDetailOut, **ERRORS},
    auth=user_auth,
    summary="Ändra en halvårsrapport: texter, rader och inlämning (allt eller inget)",
)
def status_report_patch(
    request: HttpRequest, slug: str, period_start: ApiDate, payload: StatusReportPatch
) -> Any:
    report, _verdict = status_report_for_user(actor=request.user, slug=slug, period_start=period_start)
    changes = payload.dict(exclude_unset=True)
    items, state = changes.pop("items", None), changes.pop("state", None)
    with transaction.atomic():
        report = status_report_update(report=report, actor=request.user, **changes)
        for item in items or []:
            status_report_item_set(report=report, actor=request.user, **item)
        if state == "submitted":
            report = status_report_submit(report=report, actor=request.user)
    report.refresh_from_db()
    return _status_report_out(report)


# --- the steering group -------------------------------------------------------------------------


class MemberIn(Strict):
    name: ShortText
    title: ShortText
    department: ShortText
    period_start: ApiDate | None = None
    period_end: ApiDate | None = None


class MemberPatch(Strict):
    name: ShortText | None = None
    title: ShortText | None = None
    department: ShortText | None = None
    period_start: ApiDate | None = None
    period_end: ApiDate | None = None


class MemberOut(Schema):
    id: int
    name: str
    title: str
    department: str
    period_start: dt.date | None
    period_end: dt.date | None


class SteeringGroupOut(Schema):
    decision: str
    description: str
    members: list[MemberOut]


def _member_out(m: SteeringGroupMember) -> dict[str, Any]:
    return {
        "id": m.pk,
        "name": m.name,
        "title": m.title,
        "department": m.department,
        "period_start": m.period_start,
        "period_end": m.period_end,
    }


@router.get(
    "/{slug}/steering-group",
    response={200: SteeringGroupOut, **ERRORS},
    auth=user_auth,
    summary="Styrgruppen och dess ledamöter",
)
def steering_group(request: HttpRequest, slug: str) -> Any:
    page = steering_group_for_user(actor=request.user, slug=slug)
    return {
        "decision": page.decision.slug,
        "description": page.group.description if page.group else "",
        "members": [_member_out(m) for m in page.members],
    }


@router.post(
    "/{slug}/steering-group/members",
    response={201: MemberOut, **ERRORS},
    auth=user_auth,
    summary="Registrera en ledamot i styrgruppen",
)
def steering_member_add(request: HttpRequest, slug: str, payload: MemberIn) -> Any:
    page = steering_group_for_user(actor=request.user, slug=slug)
    member = steering_group_member_create(decision=page.decision, actor=request.user, **payload.dict())
    return 201, _member_out(member)


@router.patch(
    "/{slug}/steering-group/members/{int:member_id}",
    response={200: MemberOut, **ERRORS},
    auth=user_auth,
    summary="Ändra en ledamot",
)
def steering_member_patch(request: HttpRequest, slug: str, member_id: int, payload: MemberPatch) -> Any:
    member, _verdict = steering_group_member_for_user(actor=request.user, slug=slug, pk=member_id)
    changes = payload.dict(exclude_unset=True)
    return _member_out(steering_group_member_update(member=member, actor=request.user, **changes))


@router.delete(
    "/{slug}/steering-group/members/{int:member_id}",
    response={204: None, **ERRORS},
    auth=user_auth,
    summary="Ta bort en ledamot ur styrgruppen",
)
def steering_member_remove(request: HttpRequest, slug: str, member_id: int) -> Any:
    member, _verdict = steering_group_member_for_user(actor=request.user, slug=slug, pk=member_id)
    steering_group_member_delete(member=member, actor=request.user)
    return 204, None
