"""Reads for plans and activities: the access helpers (a plan, an activity, and what the actor may
do with it), the plan tree with money per branch, filters that answer "what have we done for
sub-goal X" and "what has county Y done", and the RSS overview."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast

from django.db import models
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.utils.translation import gettext as _

from jamkoll.accounts.policy import Verdict, check, require, rss_counties
from jamkoll.errors import NotFound
from jamkoll.history import history_entries
from jamkoll.money import to_str
from jamkoll.programmes.models import BudgetLine, FundingDecision
from jamkoll.programmes.selectors import as_of, county_name_map, decision_brief, decision_year_for_user
from jamkoll.reference.models import Organisation
from jamkoll.reference.selectors import county_get, names_on
from jamkoll.validation import int_param, text_problem

from .locks import activity_lock_verdict, plan_lock_verdict
from .models import (
    MEASURED,
    Activity,
    ActivityStatus,
    CountyPlan,
    Evaluation,
    Narrative,
    Output,
    PlanBudgetLine,
    PlanComment,
    ProjectPlan,
    ReportSection,
    StatusReport,
    StatusReportState,
    SteeringGroup,
    SteeringGroupMember,
    SubProject,
)
from .transitions import Step, open_steps

ZERO = Decimal("0.00")
# The filters' bounds: goal areas, sub-goals and objectives are small numbers; county and partner
# codes are short ("12", "SKR", "LST12"); a search is a few words.
FILTER_NUMBER_MAX = 999
FILTER_CODE_MAX = 40
FILTER_TEXT_MAX = 200


@dataclass(frozen=True)
class ActivityFilter:
    goal_area: int | None = None
    sub_goal: int | None = None
    strategy_objective: int | None = None
    county: str | None = None
    partner: str | None = None
    status: str | None = None
    sub_project: int | None = None
    text: str | None = None

    @classmethod
    def from_query(cls, params: Any) -> ActivityFilter:
        """From a query string (or the API's filter schema): a value that cannot apply (`²`, `0`,
        `-1`, an unknown status, 500 characters) is ignored, never a server error."""

        def number(name: str) -> int | None:
            return int_param(params.get(name), minimum=1, maximum=FILTER_NUMBER_MAX)

        def code(name: str) -> str | None:
            value = params.get(name)
            return value if isinstance(value, str) and 0 < len(value) <= FILTER_CODE_MAX else None

        status = params.get("status")
        text = params.get("q")
        text = text.strip()[:FILTER_TEXT_MAX] if isinstance(text, str) else ""
        return cls(
            goal_area=number("malomrade"),
            sub_goal=number("delmal"),
            strategy_objective=number("malsattning"),
            county=code("lan"),
            partner=code("part"),
            status=str(status) if status in ActivityStatus.values else None,
            sub_project=number("delprojekt"),
            text=text or None,
        )

    @property
    def active(self) -> bool:
        return any(v is not None for v in self.__dict__.values())


def activity_list(
    *, decision: FundingDecision, year: int | None = None, filters: ActivityFilter | None = None
) -> QuerySet[Activity]:
    return _with_related(_filtered(decision=decision, year=year, filters=filters)).order_by(*PLAN_ORDER)


def _with_related(qs: QuerySet[Activity]) -> QuerySet[Activity]:
    """What a listed activity shows and what its verdicts read, fetched with it."""
    return qs.select_related(
        "sub_project", "goal_area", "owner_county", "budget_line__goal_area", "county_plan__county"
    ).prefetch_related(
        "counties",
        "also_serves",
        "county_plan__county__names",  # a county plan's lock reason names its county
        "partners__names",
        "sub_goals",
        "strategy_objectives",
        "municipalities",
        "owner_county__names",
        Prefetch("outputs", queryset=Output.objects.order_by("position")),
    )


PLAN_ORDER = ("sub_project__number", "report_section", "position", "code")


def output_list(
    *, decision: FundingDecision, year: int, filters: ActivityFilter | None = None
) -> QuerySet[Output]:
    """The outputs of the year's activities that the filters select, activity by activity in the
    plan's order, each with its activity and the activity's owner county.

    The decision and year are a condition of the join to the activity, not `activity IN (the
    year's activities)`: PostgreSQL otherwise reads the activities twice (once for the subquery,
    once for the sort; the page's SQL went from about 32 to 24 ms at national volume). The outputs
    are chosen by the decision and year each carries (index `output_year`), so that only the year's
    outputs are joined, not every output in the database (21.6 → 9 ms at national volume). Filters,
    when there are any, still select by primary key as on the plan page."""
    qs = Output.objects.filter(decision=decision, year=year, activity__decision=decision, activity__year=year)
    if filters is not None and filters.active:
        qs = qs.filter(activity__in=_filtered(decision=decision, year=year, filters=filters).values("pk"))
    return qs.select_related("activity__owner_county").order_by(
        *(f"activity__{t}" for t in PLAN_ORDER), "position", "pk"
    )


@dataclass(frozen=True)
class ActivityChoices:
    """What a form offers to choose among a year's activities (an evaluation's, a status report's
    new row). A year with at most `limit` activities (a year of the documents has some fifty) is
    offered whole, in the plan's order; a larger one (a national year holds thousands, a list no
    one can scroll) offers the activities already chosen and those a search finds, at most
    `limit` of them. The services check every code sent either way."""

    choices: list[tuple[str, str]]  # (code, title)
    whole_year: bool
    searched: bool = False
    found: int = 0  # the search's matches offered
    more: bool = False  # the search matched more than `limit`: only the first are offered


CHOSEN_MAX = 1000  # chosen codes read at most (an evaluation links at most 500, a form sends as many)


def activity_choices(
    *,
    decision: FundingDecision,
    year: int,
    limit: int,
    filters: ActivityFilter | None = None,
    chosen: Iterable[str] = (),
) -> ActivityChoices:
    """The year's activities for a form to choose among (`ActivityChoices`): one query of two
    columns for a year that fits the list; for a larger one, the `chosen` codes' and the `filters`'
    matches (the plan page's filters, its text search among them), each at most `limit`."""
    year_rows = Activity.objects.filter(decision=decision, year=year)
    rows = list(year_rows.order_by(*PLAN_ORDER).values_list("code", "title")[: limit + 1])
    if len(rows) <= limit:
        return ActivityChoices(rows, whole_year=True)
    longest = Activity._meta.get_field("code").max_length or 80
    # Every chosen code is kept (an evaluation may link more than `limit`: a code left out of the
    # list would be unlinked by the next save); one that cannot be a code (a NUL, which
    # PostgreSQL refuses in a query, a control character, too long, not text) is no choice.
    codes = [
        c
        for c in list(chosen)[:CHOSEN_MAX]
        if isinstance(c, str) and 0 < len(c) <= longest and text_problem(c, multiline=False) is None
    ]
    kept = list(year_rows.filter(code__in=codes).order_by(*PLAN_ORDER).values_list("code", "title"))
    searched = filters is not None and filters.active
    found: list[tuple[str, str]] = []
    if searched:
        matches = _filtered(decision=decision, year=year, filters=filters).order_by(*PLAN_ORDER)
        found = list(matches.values_list("code", "title")[: limit + 1])
    seen = {code for code, _title in kept}
    offered = [row for row in found[:limit] if row[0] not in seen]
    return ActivityChoices(
        kept + offered, whole_year=False, searched=searched, found=len(found[:limit]), more=len(found) > limit
    )


def activity_selection(
    *, decision: FundingDecision, year: int, filters: ActivityFilter | None = None
) -> QuerySet[Activity]:
    """The year's activities the filters select, each once, unordered and without related rows:
    what the plan page's summaries group and its table sorts and pages. A filter on a many-valued
    relation (county, partner, sub-goal, objective) selects by primary key, so that neither a
    grouped sum nor a count meets an activity twice (`_filtered` does so for every filter)."""
    return _filtered(decision=decision, year=year, filters=filters)


def activity_status_order() -> Case:
    """An expression that sorts activities by status in the statuses' order (planned first)."""
    return Case(
        *(When(status=value, then=Value(i)) for i, value in enumerate(ActivityStatus.values)),
        output_field=IntegerField(),
    )


def activity_page_rows(qs: QuerySet[Activity]) -> QuerySet[Activity]:
    """`activity_selection` with what a row of the table shows (fetched for the page's rows only)."""
    return _with_related(qs)


def _filtered(
    *, decision: FundingDecision, year: int | None = None, filters: ActivityFilter | None = None
) -> QuerySet[Activity]:
    qs = Activity.objects.filter(decision=decision)
    if year is not None:
        qs = qs.filter(year=year)
    f = filters or ActivityFilter()
    if f.goal_area:
        qs = qs.filter(goal_area__number=f.goal_area)
    # A link (sub-goal, objective, county, partner) filters through a subquery, not a join: no
    # duplicate rows, so no DISTINCT over every column (which sorted whole descriptions at volume).
    if f.sub_goal:
        qs = qs.filter(_linked("sub_goals", number=f.sub_goal))
    if f.strategy_objective:
        qs = qs.filter(_linked("strategy_objectives", number=f.strategy_objective))
    if f.county:
        qs = qs.filter(_linked("counties", code=f.county) | Q(owner_county__code=f.county))
    if f.partner:
        qs = qs.filter(_linked("partners", code=f.partner))
    if f.status:
        qs = qs.filter(status=f.status)
    if f.sub_project:
        qs = qs.filter(sub_project__number=f.sub_project)
    if f.text:
        qs = qs.filter(Q(title__icontains=f.text) | Q(description__icontains=f.text))
    return qs


def _linked(relation: str, **lookup: Any) -> Exists:
    """Whether the activity is linked through the many-to-many `relation` to a row matching
    `lookup`: EXISTS over the link table by the activity's own key (its unique index), so the
    cost follows the activities already chosen (the year's), not every link of every year as
    `pk IN (activities linked to …)` did (the one-county plan page's three filtered queries at
    national volume: about 10 ms each before, 7–8 after, and no longer growing with other years)."""
    field = cast(models.ManyToManyField[Any, Any], Activity._meta.get_field(relation))
    through = cast(type[models.Model], field.remote_field.through)
    target = field.m2m_reverse_field_name()
    return Exists(
        through._default_manager.filter(
            **{field.m2m_field_name(): OuterRef("pk")},
            **{f"{target}__{name}": value for name, value in lookup.items()},
        )
    )


def activity_get(*, decision: FundingDecision, code: str, year: int | None = None) -> Activity | None:
    return activity_list(decision=decision, year=year).filter(code=code).first()


def activity_row(*, activity: Activity) -> Activity:
    """The activity's own row, fresh and without the list's prefetches: what a write changes."""
    return Activity.objects.get(pk=activity.pk)


def evaluation_list(*, decision: FundingDecision, year: int) -> QuerySet[Evaluation]:
    return Evaluation.objects.filter(decision=decision, year=year).prefetch_related("activities")


def status_reports_for_user(*, actor: Any, slug: str) -> QuerySet[StatusReport]:
    """A decision's half-yearly reports the actor may see: every submitted one (with "plan.view"),
    the drafts only with "status_report.view_draft". `PermissionDenied` without "plan.view",
    `NotFound` for an unknown decision."""
    require(actor, "plan.view")
    qs = StatusReport.objects.filter(decision=decision_brief(slug=slug))
    if not check(actor, "status_report.view_draft"):
        qs = qs.exclude(state=StatusReportState.DRAFT)
    return qs.order_by("period_start")


def plan_current(*, decision: FundingDecision, year: int) -> ProjectPlan | None:
    return ProjectPlan.objects.filter(decision=decision, year=year).order_by("-version").first()


def status_report_get(*, decision: FundingDecision, period_start: dt.date) -> StatusReport | None:
    """The steering group's half-yearly report for the period starting `period_start`, with its
    items and their activities (what the report's document lists)."""
    return (
        StatusReport.objects.filter(decision=decision, period_start=period_start)
        .prefetch_related("items__activity")
        .first()
    )


# --- access helpers: the object and what the actor may do, or NotFound / PermissionDenied -------


def plan_for_user(*, actor: Any, slug: str, year: int | str) -> tuple[ProjectPlan, list[Step]]:
    """The year's current plan and its open steps, each with the actor's verdict (web, API and
    CLI alike). `PermissionDenied` unless the actor may see plans; `NotFound` for an unknown
    decision, a year outside its period, or a year without a plan."""
    decision, number = decision_year_for_user(actor=actor, action="plan.view", slug=slug, year=year)
    plan = plan_current(decision=decision, year=number)
    if plan is None:
        raise NotFound(_("Ingen projektplan finns registrerad för året."))
    plan.decision = decision
    return plan, open_steps(plan=plan, actor=actor)


def activity_for_user(*, actor: Any, slug: str, year: int | str, code: str) -> tuple[Activity, Verdict]:
    """An activity of the year and whether the actor may change it (with the policy's reason).
    `PermissionDenied` unless the actor may see plans; `NotFound` for an unknown activity."""
    decision, number = decision_year_for_user(actor=actor, action="plan.view", slug=slug, year=year)
    activity = activity_get(decision=decision, code=code, year=number)
    if activity is None:
        raise NotFound(_("Okänd aktivitet: %(code)s") % {"code": str(code)[:80]})
    activity.decision = decision
    return activity, check(actor, "activity.edit", activity)


def sub_project_list(*, decision: FundingDecision) -> QuerySet[SubProject]:
    return SubProject.objects.filter(decision=decision).order_by("number")


def sub_project_for_user(*, actor: Any, slug: str, number: int | str) -> SubProject:
    """A sub-project of the decision (`PermissionDenied` unless the actor may see plans,
    `NotFound` for an unknown decision or number)."""
    require(actor, "plan.view")
    decision = decision_brief(slug=slug)
    found = None
    if isinstance(number, int) or (isinstance(number, str) and number.isascii() and number.isdigit()):
        found = sub_project_list(decision=decision).filter(number=int(number)).first()
    if found is None:
        raise NotFound(_("Okänt delprojekt: %(n)s") % {"n": str(number)[:20]})
    return found


def plan_timeline(*, plan: ProjectPlan) -> list[PlanComment]:
    """The year's plan history, every version's steps and comments, oldest first."""
    return list(
        PlanComment.objects.filter(plan__decision_id=plan.decision_id, plan__year=plan.year)
        .select_related("plan")
        .order_by("created", "pk")
    )


@dataclass(frozen=True)
class SplitRow:
    """A budget line of the year beside the plan's split: the decision's amount, or — where it
    leaves the amount open — the plan's; and what the year's activities plan on the line."""

    line: BudgetLine
    key: str  # "3-RSS"
    decided: Decimal | None  # by the decision (None: left open)
    planned_split: Decimal | None  # the plan's amount for the line, if it states one
    planned_cost: Decimal  # what the activities that state a planned cost plan on the line
    costed: int = 0  # the line's activities that state a planned cost (none: "ej angiven")

    @property
    def open(self) -> bool:
        return self.decided is None or self.line.decided_by_plan

    @property
    def amount(self) -> Decimal | None:
        return self.planned_split if self.open and self.planned_split is not None else self.decided

    @property
    def left(self) -> Decimal | None:
        return None if self.amount is None else self.amount - self.planned_cost


def year_budget_lines(*, decision: FundingDecision | int, year: int) -> QuerySet[BudgetLine]:
    """The year's budget lines by goal area and recipient."""
    decision_id = decision if isinstance(decision, int) else decision.pk
    return (
        BudgetLine.objects.filter(budget__decision_id=decision_id, budget__year=year)
        .select_related("goal_area")
        .order_by("goal_area__number", "recipient")
    )


def plan_split(*, plan: ProjectPlan) -> list[SplitRow]:
    lines = year_budget_lines(decision=plan.decision_id, year=plan.year)
    split = dict(PlanBudgetLine.objects.filter(plan=plan).values_list("budget_line_id", "amount"))
    stated = Activity.objects.filter(budget_line__in=lines, planned_cost__isnull=False)
    costs = {
        line_id: (total, costed)
        for line_id, total, costed in stated.values("budget_line_id")
        .annotate(s=Sum("planned_cost"), k=Count("pk"))
        .values_list("budget_line_id", "s", "k")
    }
    return [
        SplitRow(
            line=line,
            key=f"{line.goal_area.number}-{line.recipient}",
            decided=line.amount,
            planned_split=split.get(line.pk),
            planned_cost=costs.get(line.pk, (ZERO, 0))[0] or ZERO,
            costed=costs.get(line.pk, (ZERO, 0))[1],
        )
        for line in lines
    ]


def activity_edit_verdicts(*, actor: Any, activities: list[Activity]) -> dict[int, Verdict]:
    """Per activity (by pk): may `actor` open its edit form (the policy; its progress fields are
    open all year, its planning fields follow `locks`), without a query per activity."""
    return {a.pk: check(actor, "activity.edit", a) for a in activities}


def activity_add_verdict(*, actor: Any) -> Verdict:
    """May `actor` add some activity: a coordinator (a national one while the plan is a draft, an
    RSS one any time), an RSS leader one for their own county."""
    if rss_counties(actor):
        return Verdict(True)
    return check(actor, "activity.create", None)


def national_lock_verdict(*, decision: FundingDecision, year: int, plan: ProjectPlan | None) -> Verdict:
    """The lock of the year's national activities' planning (the plan's, or "no plan yet")."""
    return activity_lock_verdict(Activity(decision=decision, year=year), plan=plan)


def plan_editable(*, actor: Any, plan: ProjectPlan) -> Verdict:
    """May `actor` change the plan's title, summary and split now (policy, then lock)."""
    verdict = check(actor, "plan.edit", plan)
    return verdict if not verdict else plan_lock_verdict(plan)


def partner_choices(*, year: int) -> list[tuple[str, str]]:
    """The organisations an activity may name as partners (bodies and regions, not municipalities
    or counties as such), as (code, name in the year), by name."""
    orgs = Organisation.objects.filter(kind__in=("other", "region"))
    return sorted(names_on(orgs, as_of(year)), key=lambda x: x[1])


def municipality_choices(*, year: int) -> list[tuple[str, str]]:
    """The municipalities as (code, name in the year), by name: read as plain rows (290 model
    rows with their prefetched names cost the activity form some 40 ms)."""
    return sorted(names_on(Organisation.objects.filter(kind="kommun"), as_of(year)), key=lambda x: x[1])


def partner_list(*, decision: FundingDecision, year: int) -> list[tuple[str, str]]:
    """(code, name in the year) of every organisation that partners in one of the year's
    activities, by name: the plan page's partner filter."""
    on = as_of(year)
    # Each partner once (a subquery, not a join with every activity: that repeats a partner per
    # activity and grows with the plan).
    links = Activity.partners.through.objects.filter(activity__decision=decision, activity__year=year)
    partners = Organisation.objects.filter(pk__in=links.values("organisation_id"))
    return sorted(set(names_on(partners, on)), key=lambda x: (x[1], x[0]))


@dataclass
class SummaryRow:
    """One group of the selected activities: how many, their planned cost, how many in each
    status and (for sub-projects and goal areas) the budget of the lines they draw on, each line
    counted once (None — "not decided" — when a line's amount is not decided, or there is none;
    counties show no budget: theirs is their allocation, on the RSS overview)."""

    key: str  # the filter value that selects the group ("" for national activities)
    label: str
    activities: int = 0
    planned_cost: Decimal = ZERO  # the sum of the planned costs the activities state
    costed: int = 0  # how many state one: none is "ej angiven", not 0 kr (issue 13)
    statuses: dict[str, int] = field(default_factory=dict)  # status value -> count
    budget: Decimal | None = None
    href: str = ""  # the page's link that selects the group (set by the view)

    def status_counts(self) -> list[tuple[str, str, int]]:
        """(value, label, count) in the statuses' order, those with activities."""
        return [(v, str(lbl), self.statuses[v]) for v, lbl in ActivityStatus.choices if self.statuses.get(v)]


@dataclass
class ActivitySummary:
    total: SummaryRow
    by_sub_project: list[SummaryRow]
    by_goal_area: list[SummaryRow]
    by_county: list[SummaryRow]
    count: int = 0  # every selected activity, once (what the table below pages through)


GROUP_KEYS = ("sub_project_id", "goal_area_id", "owner_county__code")


@dataclass
class _Groups:
    """The selection counted per value of each of `GROUP_KEYS`, and per sub-project and goal area
    the budget lines its activities draw on (line id -> amount, None when not decided)."""

    rows: dict[str, dict[Any, SummaryRow]]
    lines: dict[str, dict[Any, dict[int, Decimal | None]]]
    count: int = 0


def _grouped(qs: QuerySet[Activity]) -> _Groups:
    """One grouped query for every summary of the page: count and planned cost per (sub-project,
    goal area, implementing county, budget line, status) — as many rows as there are such
    combinations (about 135 for a year of 4 242 activities), not activities — added up here per
    key; four grouped scans of the year before."""
    groups = _Groups(rows={k: {} for k in GROUP_KEYS}, lines={k: {} for k in GROUP_KEYS[:2]})
    grouped = (
        qs.order_by()
        .values(*GROUP_KEYS, "budget_line_id", "budget_line__amount", "status")
        .annotate(n=Count("id"), cost=Sum("planned_cost"), costed=Count("planned_cost"))
    )
    for g in grouped:
        groups.count += g["n"]
        for key in GROUP_KEYS:
            row = groups.rows[key].setdefault(g[key], SummaryRow(key="", label=""))
            row.activities += g["n"]
            row.planned_cost += g["cost"] or ZERO
            row.costed += g["costed"]
            row.statuses[g["status"]] = row.statuses.get(g["status"], 0) + g["n"]
        if g["budget_line_id"] is not None:
            for key in GROUP_KEYS[:2]:
                groups.lines[key].setdefault(g[key], {})[g["budget_line_id"]] = g["budget_line__amount"]
    return groups


def _budget(lines: dict[int, Decimal | None] | None) -> Decimal | None:
    """The budget of the distinct lines a group draws on, each counted once; None ("not decided")
    when it draws on none or one of them has no amount."""
    if not lines:
        return None
    values = list(lines.values())
    return None if any(a is None for a in values) else sum((a for a in values if a), ZERO)


def activity_summary(
    *,
    decision: FundingDecision,
    year: int,
    filters: ActivityFilter | None = None,
    sub_projects: list[SubProject] | None = None,
    goal_areas: list[Any] | None = None,
    county_names: dict[str, str] | None = None,
    national_label: str = "",
) -> ActivitySummary:
    """The plan page's first screen: the selected activities per sub-project, goal area and
    implementing county (national activities in a row of their own), counted and summed in SQL —
    the same few queries at 40 activities as at 40 000. Every group list adds up to `total`.
    `sub_projects`, `goal_areas` (the decision's, by number) and `county_names` (the year's) when
    the caller has them already."""
    qs = activity_selection(decision=decision, year=year, filters=filters)
    if sub_projects is None:
        sub_projects = list(SubProject.objects.filter(decision=decision).order_by("number"))
    if goal_areas is None:
        goal_areas = list(decision.goal_areas.order_by("number"))
    groups = _grouped(qs)
    total = SummaryRow(key="", label=_("Alla aktiviteter i urvalet"))
    by_sp = groups.rows["sub_project_id"]
    sp_rows = []
    for sp in sub_projects:
        row = by_sp.get(sp.pk, SummaryRow(key="", label=""))
        row.key, row.label = str(sp.number), str(sp)
        row.budget = _budget(groups.lines["sub_project_id"].get(sp.pk))
        sp_rows.append(row)
        total.activities += row.activities
        total.planned_cost += row.planned_cost
        total.costed += row.costed
        for status, n in row.statuses.items():
            total.statuses[status] = total.statuses.get(status, 0) + n

    by_ga = groups.rows["goal_area_id"]
    ga_rows = []
    for ga in goal_areas:
        if ga.pk in by_ga:
            row = by_ga[ga.pk]
            row.key, row.label = str(ga.number), f"{ga.number}. {ga.title}"
            row.budget = _budget(groups.lines["goal_area_id"].get(ga.pk))
            ga_rows.append(row)

    names = county_names if county_names is not None else county_name_map(as_of(year))
    by_county = groups.rows["owner_county__code"]
    county_rows = []
    if None in by_county:
        row = by_county.pop(None)
        row.label = national_label or _("Nationella aktiviteter")
        county_rows.append(row)
    for code in sorted(by_county, key=str):
        row = by_county[code]
        row.key, row.label = code, f"{code} {names.get(code, code)}"
        county_rows.append(row)
    return ActivitySummary(
        total=total, by_sub_project=sp_rows, by_goal_area=ga_rows, by_county=county_rows, count=groups.count
    )


@dataclass(frozen=True)
class CountyRow:
    code: str
    name: str
    plan: CountyPlan | None
    activities: int
    outputs: int  # measured results (exact figures and lower bounds) of own activities
    allocation: Decimal | None
    disbursed: Decimal | None
    spent: Decimal | None
    with_outputs: int = 0  # own activities with at least one measured result
    requisitioned: Decimal | None = None
    # Approximate, likely, planned and estimated figures: shown apart, never counted as results.
    unmeasured: int = 0

    @property
    def missing(self) -> list[str]:
        """What the county has not entered yet for the year, in the user's words."""
        gaps = []
        if self.plan is None:
            gaps.append(_("Ingen genomförandeplan"))
        if not self.activities:
            gaps.append(_("Inga egna aktiviteter"))
        elif not self.with_outputs:
            gaps.append(_("Inga resultat"))
        return gaps


def _county_counts(*, decision: FundingDecision, year: int) -> dict[str, dict[str, int]]:
    """Per county code, for the activities the county owns in the year: `n` activities,
    `n_outputs` measured outputs, `n_with` activities with a measured output and `n_unmeasured`
    outputs that are not measured. Two grouped queries that read the year's rows from indexes
    (`activity_year_county`, `output_year`: each output carries its activity's decision and year),
    not every output of every year, and no COUNT(DISTINCT) over the activities joined with their
    outputs (issue 16)."""
    measured = Q(qualifier__in=sorted(MEASURED))
    counts: dict[str, dict[str, int]] = {
        row["county"]: {"n": row["n"], "n_outputs": 0, "n_with": 0, "n_unmeasured": 0}
        for row in Activity.objects.filter(decision=decision, year=year, owner_county__isnull=False)
        .order_by()
        .values(county=F("owner_county__code"))
        .annotate(n=Count("id"))
    }
    outputs = (
        Output.objects.filter(
            decision=decision,
            year=year,
            activity__decision=decision,
            activity__year=year,
            activity__owner_county__isnull=False,
        )
        .order_by()
        .values(county=F("activity__owner_county__code"))
        .annotate(
            # Counted by `activity_id` (never null), which the index holds, not by `id`.
            n_outputs=Count("activity_id", filter=measured),
            n_with=Count("activity_id", filter=measured, distinct=True),
            n_unmeasured=Count("activity_id", filter=~measured),
        )
    )
    for row in outputs:
        # setdefault: the second query may see an activity committed after the first one ran.
        counts.setdefault(row["county"], {"n": 0}).update(
            n_outputs=row["n_outputs"], n_with=row["n_with"], n_unmeasured=row["n_unmeasured"]
        )
    return counts


def rss_overview(*, decision: FundingDecision, year: int, balances: Any = None) -> list[CountyRow]:
    """Per county: implementation plan status, own activities, those with outputs, outputs,
    money and what is missing.

    `balances` is the ledger's balance for the year (passed in by the caller so that plans do not
    import the ledger: both sit beside each other on top of programmes)."""
    names = county_name_map(as_of(year))
    plans = {
        p.county.code: p
        for p in CountyPlan.objects.filter(decision=decision, year=year).select_related("county")
    }
    counts = _county_counts(decision=decision, year=year)
    money = {c.code: c for c in balances.counties} if balances is not None else {}
    rows = []
    for code, name in names.items():
        c = money.get(code)
        rows.append(
            CountyRow(
                code=code,
                name=name,
                plan=plans.get(code),
                activities=counts.get(code, {}).get("n", 0),
                outputs=counts.get(code, {}).get("n_outputs", 0),
                allocation=c.allocation if c else None,
                disbursed=c.disbursed if c else None,
                spent=c.spent if c else None,
                with_outputs=counts.get(code, {}).get("n_with", 0),
                requisitioned=c.requisitioned if c else None,
                unmeasured=counts.get(code, {}).get("n_unmeasured", 0),
            )
        )
    return rows


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day is not None else None


def activity_dict(activity: Activity, year: int) -> dict[str, Any]:
    on = as_of(year)
    counties = sorted(
        {c.code for c in activity.counties.all()}
        | ({activity.owner_county.code} if activity.owner_county else set())
    )
    line = activity.budget_line
    return {
        "id": activity.code,
        "sub_project": activity.sub_project.name,
        "sub_project_number": activity.sub_project.number,
        "goal_area": activity.goal_area.number,
        # Goal areas served without being reported under them (not counted there).
        "also_serves": [g.number for g in activity.also_serves.all()],
        "title": activity.title,
        "is_example": activity.is_example,
        "counties_not_named": activity.counties_not_named,
        "description": activity.description,
        "report_section": activity.report_section,
        "owner_county": activity.owner_county.code if activity.owner_county else None,
        "counties": counties,
        "partners": [p.name_at(on) for p in activity.partners.all()],
        "partner_codes": [p.code for p in activity.partners.all()],
        "municipalities": [m.code for m in activity.municipalities.all()],
        "sub_goals": [g.number for g in activity.sub_goals.all()],
        "strategy_objectives": [o.number for o in activity.strategy_objectives.all()],
        "status": activity.status,
        "planned_start": _iso(activity.planned_start),
        "planned_end": _iso(activity.planned_end),
        "planned_period": activity.planned_period,
        "actual_start": _iso(activity.actual_start),
        "actual_end": _iso(activity.actual_end),
        "budget_line": f"{line.goal_area.number}-{line.recipient}" if line is not None else None,
        "planned_cost": to_str(activity.planned_cost),
        "outputs": [
            {
                "id": o.pk,
                "label": o.label,
                "unit": o.unit,
                "total": o.total,
                "qualifier": o.qualifier,
                "measured": o.measured,
                "figure": o.figure_sv,
                "women": o.women,
                "men": o.men,
                "other": o.other,
                "note": o.note,
            }
            for o in activity.outputs.all()
        ],
    }


@dataclass(frozen=True)
class ReportContent:
    """What a year's result report is assembled from, in the report's order."""

    title: str
    sections: list[Any]  # ReportSection
    narratives: dict[str, list[Any]]  # section number -> Narrative, by position
    activities: dict[str, list[Activity]]  # report section -> activities, by position
    footnotes: dict[int, str]
    evaluations: list[Any]
    # The year whose headings `sections` are: the year's own, or (a year the documents have no
    # report of) the latest earlier year's.
    structure_year: int | None = None


def report_sections(*, decision: FundingDecision, year: int) -> tuple[list[ReportSection], int | None]:
    """The result report's headings for the year, and the year they are from. A year that has none
    of its own (every year after the documents' 2018) keeps the structure of the latest earlier
    year's report: the agreement's goal areas do not change from year to year; the texts
    (narratives) stay the year's own."""
    own = list(ReportSection.objects.filter(decision=decision, year=year).order_by("position"))
    if own:
        return own, year
    earlier = (
        ReportSection.objects.filter(decision=decision, year__lt=year)
        .order_by("-year")
        .values_list("year", flat=True)
        .first()
    )
    if earlier is None:
        return [], None
    return list(ReportSection.objects.filter(decision=decision, year=earlier).order_by("position")), earlier


def report_content(*, decision: FundingDecision, year: int, with_activities: bool = True) -> ReportContent:
    """The year's report texts and structure; with `with_activities`, also every activity by its
    section (the result report fetches its own, leaner: `reports.assemblers.result_report`)."""
    narratives: dict[str, list[Any]] = {}
    footnotes: dict[int, str] = {}
    title = ""
    for n in Narrative.objects.filter(decision=decision, year=year).order_by("section", "position", "key"):
        if n.key == "title":
            title = n.text
        elif n.footnote is not None:
            footnotes[n.footnote] = n.text
        else:
            narratives.setdefault(n.section, []).append(n)
    activities: dict[str, list[Activity]] = {}
    if with_activities:
        for a in activity_list(decision=decision, year=year).order_by("report_section", "position", "code"):
            activities.setdefault(a.report_section, []).append(a)
    sections, structure_year = report_sections(decision=decision, year=year)
    return ReportContent(
        title=title,
        sections=sections,
        narratives=narratives,
        activities=activities,
        footnotes=footnotes,
        evaluations=list(
            Evaluation.objects.filter(decision=decision, year=year).prefetch_related("activities")
        ),
        structure_year=structure_year,
    )


def activity_notes(*, activity: Activity) -> list[tuple[int, str]]:
    """The notes of the year's report that the activity's text references ("[^n]"), in order."""
    from .footnotes import marks

    numbers = marks(activity.description)
    if not numbers:
        return []
    texts = dict(
        Narrative.objects.filter(
            decision_id=activity.decision_id, year=activity.year, footnote__in=numbers
        ).values_list("footnote", "text")
    )
    return [(n, texts[n]) for n in dict.fromkeys(numbers) if n in texts]


# === The county's own work and the results (issue 11) ======================================


def county_activities(*, decision: FundingDecision, year: int, county: Organisation) -> QuerySet[Activity]:
    """The activities the county's RSS runs in the year (its genomförandeplan's)."""
    return activity_list(decision=decision, year=year).filter(owner_county=county)


@dataclass(frozen=True)
class CountyPlanPage:
    """A county's genomförandeplan for a year as the actor sees it: the plan (None before it is
    made), the county's activities and whether the actor may change it (with the reason; the
    plan's lock is `locks.county_plan_lock`)."""

    decision: FundingDecision
    year: int
    county: Organisation
    name: str
    plan: CountyPlan | None
    activities: QuerySet[Activity]  # not read until used: the web page reads one page of it
    verdict: Verdict


def county_plan_for_user(*, actor: Any, slug: str, year: int | str, county_code: str) -> CountyPlanPage:
    """The access helper for a county's plan: `PermissionDenied` unless the actor may see plans;
    `NotFound` for an unknown decision, year or county. Everyone with a role reads every county;
    the verdict says whether the actor may change this one."""
    decision, number = decision_year_for_user(actor=actor, action="plan.view", slug=slug, year=year)
    county = county_get(code=county_code)
    plan = CountyPlan.objects.filter(decision=decision, year=number, county=county).first()
    return CountyPlanPage(
        decision=decision,
        year=number,
        county=county,
        name=county.name_at(as_of(number)),
        plan=plan,
        activities=county_activities(decision=decision, year=number, county=county),
        verdict=check(actor, "county_plan.edit", county.code),
    )


def county_activity_for_user(
    *, actor: Any, slug: str, year: int | str, county_code: str, code: str
) -> tuple[Activity, Verdict]:
    """A county's own activity and whether the actor may change it; `NotFound` if the activity is
    not the county's."""
    activity, verdict = activity_for_user(actor=actor, slug=slug, year=year, code=code)
    if activity.owner_county is None or activity.owner_county.code != county_code:
        raise NotFound(
            _("Aktiviteten %(code)s genomförs inte av län %(county)s.")
            % {"code": str(code)[:80], "county": str(county_code)[:10]}
        )
    return activity, verdict


def output_for_user(*, actor: Any, slug: str, year: int | str, code: str, pk: int) -> tuple[Output, Verdict]:
    """An output of an activity and whether the actor may change it (the activity's verdict)."""
    activity, verdict = activity_for_user(actor=actor, slug=slug, year=year, code=code)
    output = Output.objects.filter(activity_id=activity.pk, pk=pk).first()
    if output is None:
        raise NotFound(_("Aktiviteten har inget resultat %(pk)s.") % {"pk": pk})
    output.activity = activity
    return output, verdict


def activity_changes(*, activity: Activity, limit: int = 50) -> list[Any]:
    """The activity's change history with its outputs', including the outputs since removed."""
    latest: dict[int, Any] = {}
    for record in Output.history.filter(activity_id=activity.pk).order_by("history_date"):
        latest[record.id] = record
    outputs = [record.instance for record in latest.values()]
    return history_entries([activity_row(activity=activity), *outputs], limit=limit)


def evaluation_for_user(*, actor: Any, slug: str, year: int | str, pk: int) -> tuple[Evaluation, Verdict]:
    decision, number = decision_year_for_user(actor=actor, action="plan.view", slug=slug, year=year)
    evaluation = Evaluation.objects.filter(decision=decision, year=number, pk=pk).first()
    if evaluation is None:
        raise NotFound(_("Ingen utvärdering %(pk)s för %(year)s.") % {"pk": pk, "year": number})
    evaluation.decision = decision
    return evaluation, check(actor, "evaluation.edit", evaluation)


def half_years(*, decision: FundingDecision) -> list[dt.date]:
    """The first days of the decision's half-years (a status report covers one)."""
    return [dt.date(y, m, 1) for y in decision.years for m in (1, 7)]


def status_report_for_user(*, actor: Any, slug: str, period_start: dt.date) -> tuple[StatusReport, Verdict]:
    """A half-yearly report and whether the actor may change it. A draft is shown only with
    "status_report.view_draft" (`PermissionDenied` with its reason otherwise)."""
    require(actor, "plan.view")
    report = status_report_get(decision=decision_brief(slug=slug), period_start=period_start)
    if report is None:
        raise NotFound(_("Ingen halvårsrapport för perioden från %(d)s.") % {"d": period_start})
    if report.state == StatusReportState.DRAFT:
        require(actor, "status_report.view_draft", report)
    return report, check(actor, "status_report.edit", report)


@dataclass(frozen=True)
class SteeringGroupPage:
    decision: FundingDecision
    group: SteeringGroup | None
    members: list[SteeringGroupMember]
    verdict: Verdict


def steering_group_for_user(*, actor: Any, slug: str) -> SteeringGroupPage:
    require(actor, "plan.view")
    decision = decision_brief(slug=slug)
    group = SteeringGroup.objects.filter(decision=decision).first()
    members = list(group.members.order_by("department", "name")) if group else []
    return SteeringGroupPage(decision, group, members, check(actor, "steering_group.edit"))


def steering_group_member_for_user(*, actor: Any, slug: str, pk: int) -> tuple[SteeringGroupMember, Verdict]:
    require(actor, "plan.view")
    decision = decision_brief(slug=slug)
    member = (
        SteeringGroupMember.objects.filter(group__decision=decision, pk=pk).select_related("group").first()
    )
    if member is None:
        raise NotFound(_("Styrgruppen har ingen ledamot %(pk)s.") % {"pk": pk})
    member.group.decision = decision
    return member, check(actor, "steering_group.edit", member)
