"""Plans, activities, outputs, evaluations and status reports (session auth, the one policy).

Endpoints do not catch: the access helpers and the services raise `PermissionDenied`, `NotFound`
or `ValidationError`, which `jamkoll.api` answers with the one error body."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from pydantic import AfterValidator, ConfigDict, StringConstraints

from jamkoll.accounts.api_auth import user_auth
from jamkoll.accounts.policy import require
from jamkoll.api_paging import Page, PageIn, ordered, page
from jamkoll.errors import NotFound
from jamkoll.money import to_str
from jamkoll.programmes.selectors import decision_brief, decision_year_for_user
from jamkoll.schema_types import ERRORS, ApiDate, Code, Count, LongText, ShortText, Year
from jamkoll.validation import text_problem

from .locks import plan_lock_verdict
from .models import Activity, ActivityStatus, Evaluation, Output, OutputQualifier, ProjectPlan, SubProject
from .selectors import (
    FILTER_NUMBER_MAX,
    PLAN_ORDER,
    ActivityFilter,
    activity_dict,
    activity_for_user,
    activity_list,
    activity_row,
    evaluation_list,
    output_list,
    plan_for_user,
    plan_timeline,
    status_reports_for_user,
    sub_project_for_user,
    sub_project_list,
    year_budget_lines,
)
from .services import (
    CODE_MAX,
    LINKS_MAX,
    SECTION_MAX,
    SUB_PROJECT_MAX,
    UNIT_MAX,
    activity_create,
    activity_delete,
    activity_update,
    output_create,
    plan_create,
    plan_new_version,
    plan_set_budget,
    plan_transition,
    plan_update,
    subproject_create,
    subproject_update,
)


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
# A sub-project's, goal area's, sub-goal's or objective's number in an activity.
Number = Annotated[int, Field(ge=1, le=SUB_PROJECT_MAX)]
# An activity's code (its slug in URLs), its report section ("4.1"), an amount as text
# ("1 500 000", "1500000,50": `parse_amount` reads it in the service).
ActivityCode = Annotated[
    str, StringConstraints(max_length=CODE_MAX, strip_whitespace=True), AfterValidator(_one_line)
]
Section = Annotated[
    str, StringConstraints(max_length=SECTION_MAX, strip_whitespace=True), AfterValidator(_one_line)
]
AmountText = Annotated[
    str, StringConstraints(max_length=40, strip_whitespace=True), AfterValidator(_one_line)
]
Links = Annotated[list[Code], Field(max_length=LINKS_MAX)]
Numbers = Annotated[list[Number], Field(max_length=LINKS_MAX)]

router = Router(tags=["plans"])


class OutputOut(Schema):
    id: int
    label: str
    unit: str
    total: int
    qualifier: OutputQualifier  # how exact `total` is; only exact and at_least are measured
    measured: bool
    figure: str  # the total as the documents say it: "ungefär 20", "planerat: 6"
    women: int | None
    men: int | None
    other: int | None
    note: str


class ActivityOut(Schema):
    id: str
    sub_project: str
    sub_project_number: int
    goal_area: int  # the goal area the activity is reported under
    also_serves: list[int]  # goal areas it also serves, not reported under them (seed 003 §2)
    title: str
    is_example: bool  # the document gives it as an example
    description: str  # as stored: a note's reference is the mark "[^n]" where the document has it
    report_section: str
    owner_county: str | None
    counties: list[str]
    counties_not_named: bool  # the document names no county: `counties` is empty
    partners: list[str]
    partner_codes: list[str]
    municipalities: list[str]
    sub_goals: list[int]
    strategy_objectives: list[int]
    status: str
    planned_start: str | None
    planned_end: str | None
    planned_period: str
    actual_start: str | None
    actual_end: str | None
    budget_line: str | None
    planned_cost: str | None
    outputs: list[OutputOut]


class PlanCommentOut(Schema):
    version: int
    kind: str
    text: str
    author: str
    on: dt.date | None
    reference: str
    created: dt.datetime


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
    editable: bool
    lock_reason: str
    timeline: list[PlanCommentOut]


class PlanCreateIn(Schema):
    """`copy_from`: the year whose plan to start from (its continuing activities come along)."""

    model_config = ConfigDict(extra="forbid")  # a field we do not take is refused, not ignored

    copy_from: Year | None = None
    title: ShortText | None = None
    summary: LongText | None = None


class PlanPatch(Schema):
    model_config = ConfigDict(extra="forbid")  # a field we do not take is refused, not ignored

    title: ShortText | None = None
    summary: LongText | None = None


class ActivityPatch(Schema):
    """An activity's fields (only those sent change). The planning fields change only while the
    activity's plan is a draft; status and actual dates all year. Links are lists of numbers
    (sub-goals, objectives) or organisation codes; `budget_line` is "<goal area>-<recipient>"."""

    model_config = ConfigDict(extra="forbid")  # a field we do not take is refused, not ignored

    title: ShortText | None = None
    description: LongText | None = None
    sub_project: Number | None = None
    goal_area: Number | None = None
    report_section: Section | None = None
    sub_goals: Numbers | None = None
    strategy_objectives: Numbers | None = None
    partners: Links | None = None
    counties: Links | None = None
    municipalities: Links | None = None
    planned_start: ApiDate | None = None
    planned_end: ApiDate | None = None
    planned_period: ShortText | None = None
    also_serves: Numbers | None = None
    is_example: bool | None = None
    counties_not_named: bool | None = None
    budget_line: Code | None = None
    planned_cost: AmountText | None = None
    status: ActivityStatus | None = None
    actual_start: ApiDate | None = None
    actual_end: ApiDate | None = None


class ActivityIn(Schema):
    """A new activity. `owner_county`: the county whose RSS carries it out (an RSS leader's own
    county if left out); none for SKR's national activity. `code` is made from the title unless
    given."""

    model_config = ConfigDict(extra="forbid")  # a field we do not take is refused, not ignored

    code: ActivityCode | None = None
    owner_county: Code | None = None
    title: ShortText
    description: LongText = ""
    sub_project: Number
    goal_area: Number
    report_section: Section = ""
    sub_goals: Numbers = []
    strategy_objectives: Numbers = []
    partners: Links = []
    counties: Links = []
    municipalities: Links = []
    planned_start: ApiDate | None = None
    planned_end: ApiDate | None = None
    planned_period: ShortText = ""
    also_serves: Numbers = []
    is_example: bool = False
    counties_not_named: bool = False
    budget_line: Code | None = None
    planned_cost: AmountText | None = None
    status: ActivityStatus = ActivityStatus.PLANNED
    actual_start: ApiDate | None = None
    actual_end: ApiDate | None = None


class SubProjectIn(Schema):
    model_config = ConfigDict(extra="forbid")  # a field we do not take is refused, not ignored

    number: Number | None = None
    name: ShortText
    description: LongText = ""


class SubProjectPatch(Schema):
    model_config = ConfigDict(extra="forbid")  # a field we do not take is refused, not ignored

    name: ShortText | None = None
    description: LongText | None = None


class SubProjectOut(Schema):
    number: int
    name: str
    description: str


class BudgetSplitIn(Schema):
    """The plan's amount for the line, as a decimal string ("2500000.00", "2 500 000")."""

    model_config = ConfigDict(extra="forbid")  # a field we do not take is refused, not ignored

    amount: AmountText


class BudgetSplitOut(Schema):
    goal_area: int
    recipient: str
    amount: str


class OutputIn(Schema):
    model_config = ConfigDict(extra="forbid")  # a field we do not take is refused, not ignored

    label: ShortText
    unit: Unit
    total: Count
    women: Count | None = None
    men: Count | None = None
    other: Count | None = None
    note: ShortText = ""
    qualifier: OutputQualifier = OutputQualifier.EXACT


class StepIn(Schema):
    """A step's date and diary number; `comment` goes into the plan's timeline (sending a plan
    back requires one)."""

    model_config = ConfigDict(extra="forbid")  # a field we do not take is refused, not ignored

    on: ApiDate
    reference: ShortText
    comment: LongText = ""


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
    delprojekt: FilterNumber | None = None
    q: ShortText | None = Field(None, description="Text i titeln eller beskrivningen.")


# The activities' sort keys: the plan's order (sub-project, report section, position), or a column.
ACTIVITY_ORDERS: dict[str, tuple[str, ...]] = {
    "plan": PLAN_ORDER,
    "code": ("code",),
    "title": ("title",),
    "status": ("status",),
    "owner_county": ("owner_county__code",),
    "planned_start": ("planned_start",),
    "planned_cost": ("planned_cost",),
}
ActivitySort = Literal[
    "plan",
    "-plan",
    "code",
    "-code",
    "title",
    "-title",
    "status",
    "-status",
    "owner_county",
    "-owner_county",
    "planned_start",
    "-planned_start",
    "planned_cost",
    "-planned_cost",
]


class ActivityListIn(PageIn, FilterIn):
    sort: ActivitySort | None = Field(
        None, description="Kolumnen att sortera på, `-` före för fallande; standard planens ordning."
    )


def output_out(output: Output) -> dict[str, Any]:
    return {
        "id": output.pk,
        "label": output.label,
        "unit": output.unit,
        "total": output.total,
        "qualifier": output.qualifier,
        "measured": output.measured,
        "figure": output.figure_sv,
        "women": output.women,
        "men": output.men,
        "other": output.other,
        "note": output.note,
    }


def evaluation_out(e: Evaluation) -> dict[str, Any]:
    return {
        "id": e.pk,
        "title": e.title,
        "method": e.method,
        "description": e.description,
        "findings": e.findings,
        "recommendations": e.recommendations,
        "activities": [a.code for a in e.activities.all()],
    }


def _plan_out(plan: ProjectPlan) -> dict[str, Any]:
    lock = plan_lock_verdict(plan)
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
        "editable": bool(lock),
        "lock_reason": lock.reason,
        "timeline": [
            {
                "version": c.plan.version,
                "kind": c.kind,
                "text": c.text,
                "author": c.author_name,
                "on": c.on,
                "reference": c.reference,
                "created": c.created,
            }
            for c in plan_timeline(plan=plan)
        ],
    }


def _activity_out(request: HttpRequest, slug: str, year: int, code: str) -> dict[str, Any]:
    fresh, _verdict = activity_for_user(actor=request.user, slug=slug, year=year, code=code)
    return activity_dict(fresh, fresh.year)


def _sub_project_out(sub_project: SubProject) -> dict[str, Any]:
    return {"number": sub_project.number, "name": sub_project.name, "description": sub_project.description}


@router.get(
    "/{slug}/{int:year}", response={200: PlanOut, **ERRORS}, auth=user_auth, summary="Årets projektplan"
)
def plan(request: HttpRequest, slug: str, year: Year) -> Any:
    current, _steps = plan_for_user(actor=request.user, slug=slug, year=year)
    return _plan_out(current)


@router.post(
    "/{slug}/{int:year}",
    response={201: PlanOut, **ERRORS},
    auth=user_auth,
    summary="Skapa årets projektplan (tom eller från ett annat års plan)",
)
def plan_add(request: HttpRequest, slug: str, year: Year, payload: PlanCreateIn) -> Any:
    decision, number = decision_year_for_user(actor=request.user, action="plan.view", slug=slug, year=year)
    created = plan_create(
        decision=decision,
        year=number,
        copy_from=payload.copy_from,
        title=payload.title,
        summary=payload.summary,
        actor=request.user,
    )
    return 201, _plan_out(created)


@router.patch(
    "/{slug}/{int:year}",
    response={200: PlanOut, **ERRORS},
    auth=user_auth,
    summary="Ändra projektplanens titel eller sammanfattning (utkast)",
)
def plan_patch(request: HttpRequest, slug: str, year: Year, payload: PlanPatch) -> Any:
    current, _steps = plan_for_user(actor=request.user, slug=slug, year=year)
    changed = plan_update(plan=current, actor=request.user, **payload.dict(exclude_unset=True))
    return _plan_out(changed)


@router.post(
    "/{slug}/{int:year}/versions",
    response={201: PlanOut, **ERRORS},
    auth=user_auth,
    summary="Ny version av en fastställd plan, för ändringar",
)
def plan_version(request: HttpRequest, slug: str, year: Year) -> Any:
    current, _steps = plan_for_user(actor=request.user, slug=slug, year=year)
    return 201, _plan_out(plan_new_version(plan=current, actor=request.user))


@router.put(
    "/{slug}/{int:year}/budget/{goal_area}/{recipient}",
    response={200: BudgetSplitOut, **ERRORS},
    auth=user_auth,
    summary="Planens belopp för en budgetrad som beslutet lämnar öppen",
)
def plan_budget(
    request: HttpRequest, slug: str, year: Year, goal_area: Number, recipient: Code, payload: BudgetSplitIn
) -> Any:
    current, _steps = plan_for_user(actor=request.user, slug=slug, year=year)
    line = (
        year_budget_lines(decision=current.decision, year=current.year)
        .filter(goal_area__number=goal_area, recipient=recipient)
        .first()
    )
    if line is None:
        raise NotFound(
            _("Ingen budgetrad för målområde %(n)s och %(r)s %(y)s.")
            % {"n": goal_area, "r": recipient, "y": year}
        )
    split = plan_set_budget(plan=current, line=line, amount=payload.amount, actor=request.user)  # type: ignore[arg-type]
    return {"goal_area": goal_area, "recipient": line.recipient, "amount": to_str(split.amount)}


@router.post(
    "/{slug}/{int:year}/steps/{action}",
    response={200: PlanOut, **ERRORS},
    auth=user_auth,
    summary="Ett steg i planens arbetsgång",
)
def plan_step(request: HttpRequest, slug: str, year: Year, action: str, payload: StepIn) -> Any:
    current, _steps = plan_for_user(actor=request.user, slug=slug, year=year)
    changed = plan_transition(
        plan=current,
        action=action,
        on=payload.on,
        reference=payload.reference,
        comment=payload.comment,
        actor=request.user,
    )
    return _plan_out(changed)


@router.get(
    "/{slug}/sub-projects",
    response={200: list[SubProjectOut], **ERRORS},
    auth=user_auth,
    summary="Beslutets delprojekt",
    description="Hela listan, inte sidvis: ett beslut har några få delprojekt.",
)
def sub_projects(request: HttpRequest, slug: str) -> Any:
    require(request.user, "plan.view")
    decision = decision_brief(slug=slug)
    return [_sub_project_out(sp) for sp in sub_project_list(decision=decision)]


@router.post(
    "/{slug}/sub-projects",
    response={201: SubProjectOut, **ERRORS},
    auth=user_auth,
    summary="Nytt delprojekt",
)
def sub_project_add(request: HttpRequest, slug: str, payload: SubProjectIn) -> Any:
    require(request.user, "plan.view")
    decision = decision_brief(slug=slug)
    created = subproject_create(decision=decision, actor=request.user, **payload.dict())
    return 201, _sub_project_out(created)


@router.patch(
    "/{slug}/sub-projects/{number}",
    response={200: SubProjectOut, **ERRORS},
    auth=user_auth,
    summary="Ändra ett delprojekt",
)
def sub_project_patch(request: HttpRequest, slug: str, number: Number, payload: SubProjectPatch) -> Any:
    target = sub_project_for_user(actor=request.user, slug=slug, number=number)
    changed = subproject_update(sub_project=target, actor=request.user, **payload.dict(exclude_unset=True))
    return _sub_project_out(changed)


def _activity_filter(filters: FilterIn) -> ActivityFilter:
    fields = filters.dict(exclude={"limit", "offset", "sort"})
    return ActivityFilter.from_query({k: v for k, v in fields.items() if v is not None})


@router.get(
    "/{slug}/{int:year}/activities",
    response={200: Page[ActivityOut], **ERRORS},
    auth=user_auth,
    summary="Aktiviteter",
    description="Årets aktiviteter, sidvis (`limit` högst 500, `offset`; `total` är antalet som "
    "filtren behåller). Filter: `malomrade`, `delmal`, `malsattning`, `delprojekt`, `lan` (länets egna "
    "och de det deltar i), `part`, `status`, `q`; `sort` som kolumnen (`-` för fallande).",
)
def activities(request: HttpRequest, slug: str, year: Year, filters: Query[ActivityListIn]) -> Any:
    decision, number = decision_year_for_user(actor=request.user, action="plan.view", slug=slug, year=year)
    rows = activity_list(decision=decision, year=number, filters=_activity_filter(filters))
    return page(
        ordered(rows, filters.sort, ACTIVITY_ORDERS, "plan"), filters, lambda a: activity_dict(a, number)
    )


@router.get(
    "/{slug}/{int:year}/activities/{code}",
    response={200: ActivityOut, **ERRORS},
    auth=user_auth,
    summary="En aktivitet",
)
def activity(request: HttpRequest, slug: str, year: Year, code: str) -> Any:
    target, _verdict = activity_for_user(actor=request.user, slug=slug, year=year, code=code)
    return activity_dict(target, target.year)


@router.patch(
    "/{slug}/{int:year}/activities/{code}",
    response={200: ActivityOut, **ERRORS},
    auth=user_auth,
    summary="Ändra en aktivitet",
)
def activity_patch(request: HttpRequest, slug: str, year: Year, code: str, payload: ActivityPatch) -> Any:
    target, _verdict = activity_for_user(actor=request.user, slug=slug, year=year, code=code)
    changes = payload.dict(exclude_unset=True)
    if changes.get("status") is not None:
        changes["status"] = ActivityStatus(changes["status"]).value
    activity_update(activity=activity_row(activity=target), actor=request.user, **changes)
    return _activity_out(request, slug, year, code)


@router.post(
    "/{slug}/{int:year}/activities",
    response={201: ActivityOut, **ERRORS},
    auth=user_auth,
    summary="Ny aktivitet",
)
def activity_add(request: HttpRequest, slug: str, year: Year, payload: ActivityIn) -> Any:
    decision, number = decision_year_for_user(actor=request.user, action="plan.view", slug=slug, year=year)
    fields = payload.dict()
    fields["status"] = ActivityStatus(fields["status"]).value
    created = activity_create(decision=decision, year=number, actor=request.user, **fields)
    return 201, _activity_out(request, slug, number, created.code)


@router.delete(
    "/{slug}/{int:year}/activities/{code}",
    response={204: None, **ERRORS},
    auth=user_auth,
    summary="Ta bort en aktivitet (medan planen är ett utkast, utan resultat)",
)
def activity_remove(request: HttpRequest, slug: str, year: Year, code: str) -> Any:
    target, _verdict = activity_for_user(actor=request.user, slug=slug, year=year, code=code)
    activity_delete(activity=activity_row(activity=target), actor=request.user)
    return 204, None


# --- Outputs (results): read a year's, an activity's, one -----------------------------------------


class YearOutputOut(OutputOut):
    activity: str  # the activity's code
    activity_title: str
    owner_county: str | None  # the county whose implementation plan holds the activity


class OutputFilter(PageIn, FilterIn):
    """The activities' filters (`lan`: the activities of a county, its own and those it takes part
    in) and the page."""


@router.get(
    "/{slug}/{int:year}/outputs",
    response={200: Page[YearOutputOut], **ERRORS},
    auth=user_auth,
    summary="Årets resultat, aktivitet för aktivitet",
    description="Varje aktivitets resultat i planens ordning; samma filter som aktiviteterna. "
    "Sidvis (`limit`, `offset`; `total` är antalet resultat i allt).",
)
def year_outputs(request: HttpRequest, slug: str, year: Year, filters: Query[OutputFilter]) -> Any:
    decision, number = decision_year_for_user(actor=request.user, action="plan.view", slug=slug, year=year)
    rows = output_list(decision=decision, year=number, filters=_activity_filter(filters))
    return page(rows, filters, _year_output_out)


def _year_output_out(output: Output) -> dict[str, Any]:
    activity: Activity = output.activity
    return {
        **output_out(output),
        "activity": activity.code,
        "activity_title": activity.title,
        "owner_county": activity.owner_county.code if activity.owner_county is not None else None,
    }


@router.get(
    "/{slug}/{int:year}/activities/{code}/outputs",
    response={200: list[OutputOut], **ERRORS},
    auth=user_auth,
    summary="En aktivitets resultat",
    description="Hela listan: en aktivitet har få resultat (varje redovisat mått en rad).",
)
def outputs(request: HttpRequest, slug: str, year: Year, code: str) -> Any:
    target, _verdict = activity_for_user(actor=request.user, slug=slug, year=year, code=code)
    return [output_out(o) for o in target.outputs.order_by("position")]


@router.post(
    "/{slug}/{int:year}/activities/{code}/outputs",
    response={201: OutputOut, **ERRORS},
    auth=user_auth,
    summary="Lägg till ett resultat",
)
def output_add(request: HttpRequest, slug: str, year: Year, code: str, payload: OutputIn) -> Any:
    target, _verdict = activity_for_user(actor=request.user, slug=slug, year=year, code=code)
    output = output_create(activity=target, actor=request.user, **payload.dict())
    return 201, output_out(output)


@router.get(
    "/{slug}/{int:year}/evaluations",
    response={200: list[EvaluationOut], **ERRORS},
    auth=user_auth,
    summary="Utvärderingar",
    description="Hela listan, inte sidvis: årets få utvärderingar.",
)
def evaluations(request: HttpRequest, slug: str, year: Year) -> Any:
    decision, number = decision_year_for_user(actor=request.user, action="plan.view", slug=slug, year=year)
    return [evaluation_out(e) for e in evaluation_list(decision=decision, year=number)]


@router.get(
    "/{slug}/status-reports",
    response={200: list[StatusReportOut], **ERRORS},
    auth=user_auth,
    summary="Halvårsrapporter",
    description="Hela listan, inte sidvis: två per år under beslutets period.",
)
def status_reports(request: HttpRequest, slug: str) -> Any:
    return list(status_reports_for_user(actor=request.user, slug=slug))
