"""Writes for plans: the plan workflow (draft → proposed → consulted → fixed, a fixed plan frozen,
a change making a new version), and activities and outputs (the documents' content is loaded by
`plans.seed`). Every write takes a required `actor` and asks the one policy; a refusal is
a `ValidationError` keyed by the service's field names (a state rule has no field, but a `code`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from jamkoll.accounts.policy import ALLOW, Verdict, actor_label, actor_user, require
from jamkoll.errors import ErrorCollector, NotFound, field_error
from jamkoll.money import AmountError, parse_amount
from jamkoll.programmes.models import BudgetLine, FundingDecision, GoalArea
from jamkoll.programmes.services import BudgetError, budget_lines_set
from jamkoll.reference.selectors import county_get
from jamkoll.validation import LONG, SHORT, clean_date, clean_int, clean_text

from .closures import project_plan_close
from .models import (
    Activity,
    ActivityStatus,
    CountyPlan,
    CountyPlanStatus,
    Evaluation,
    Output,
    PlanBudgetLine,
    PlanStatus,
    ProjectPlan,
    StatusReport,
    StatusReportItem,
    StatusReportState,
    SteeringGroup,
    SteeringGroupMember,
    SubProject,
)
from .transitions import TRANSITIONS

# --- the plan workflow ----------------------------------------------------------------------

# The columns' bounds: a diary number (`proposed_reference` and its siblings), an output's unit.
REFERENCE_MAX = 100
UNIT_MAX = 60
# An output counts people, meetings, municipalities: never negative, never absurd.
COUNT_MAX = 1_000_000_000


def _recorded_by(obj: models.Model, actor: Any) -> None:
    """The account simple-history records beside the change: the user, or none for a system
    actor (whose name the workflow records in the plan's own `*_by` fields)."""
    obj._history_user = actor_user(actor)  # type: ignore[attr-defined]


def _frozen() -> ValidationError:
    return ValidationError(_("Planen är fastställd och kan inte ändras; skapa en ny version."), code="frozen")


def plan_transition(
    *, plan: ProjectPlan, action: str, on: dt.date, reference: str, actor: Any
) -> ProjectPlan:
    """One guarded step of the table in `transitions`: who, when and the diary number are recorded
    with it; fixing the plan also sets the year's budget split it states (all or nothing)."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise field_error("action", _("Okänt steg: %(a)s.") % {"a": str(action)[:40]})
    require(actor, transition.permission, plan)
    errors = ErrorCollector()
    day = errors.run(partial(clean_date, on, field="on", latest=timezone.localdate()))
    ref = errors.run(
        partial(clean_text, reference, field="reference", max_length=REFERENCE_MAX, required=True)
    )
    errors.raise_if_any()
    with transaction.atomic():
        plan = ProjectPlan.objects.select_for_update().get(pk=plan.pk)
        if plan.status != transition.source:
            raise ValidationError(
                _("Planen har status %(status)s; steget kräver status %(required)s.")
                % {"status": plan.get_status_display(), "required": transition.source.label},
                code="wrong_status",
            )
        setattr(plan, f"{transition.record}_on", day)
        setattr(plan, f"{transition.record}_by", actor_label(actor))
        setattr(plan, f"{transition.record}_reference", ref)
        if transition.target == PlanStatus.FIXED:
            _apply_plan_budget(plan, actor)
        plan.status = transition.target
        _recorded_by(plan, actor)
        plan.save()
        if transition.action == "propose":  # handed in: closes the project-plan obligation (closures.py)
            project_plan_close(plan=plan, actor=actor)
    return plan


def _apply_plan_budget(plan: ProjectPlan, actor: Any) -> None:
    """A fixed plan sets the year's split where the decision left it open (never overrides a
    figure the decision itself states). Every line is set first and the budget checked once, so
    a split that moves money between lines can be fixed; the ledger's guard refuses a line below
    what is used. programmes' `BudgetError` becomes this service's non-field refusal."""
    lines = []
    for pbl in plan.budget_lines.select_related("budget_line__budget", "budget_line__goal_area"):
        line = pbl.budget_line
        if line.amount is not None and line.amount != pbl.amount and not line.decided_by_plan:
            raise ValidationError(
                _("Budgetraden %(line)s är redan beslutad (%(amount)s kr) i beslutet.")
                % {"line": line, "amount": f"{line.amount:f}"},
                code="budget_decided",
            )
        lines.append((line, pbl.amount))
    try:
        budget_lines_set(
            lines=lines,
            source=f"projektplan {plan.year} v{plan.version}, fastställd {plan.fixed_on}",
            actor=actor,
        )
    except BudgetError as exc:
        raise ValidationError(" ".join(exc.messages), code="budget") from None


def plan_update(*, plan: ProjectPlan, title: str, summary: str, actor: Any) -> ProjectPlan:
    require(actor, "plan.edit", plan)
    if plan.frozen:
        raise _frozen()
    errors = ErrorCollector()
    clean_title = errors.run(partial(clean_text, title, field="title", max_length=SHORT, required=True))
    clean_summary = errors.run(partial(clean_text, summary, field="summary", max_length=LONG, multiline=True))
    errors.raise_if_any()
    plan.title, plan.summary = str(clean_title), str(clean_summary)
    plan.full_clean()
    _recorded_by(plan, actor)
    plan.save()
    return plan


def plan_set_budget(*, plan: ProjectPlan, line: BudgetLine, amount: Decimal, actor: Any) -> PlanBudgetLine:
    """The plan's amount for one budget line; applied to the line when the plan is fixed."""
    require(actor, "plan.edit", plan)
    if plan.frozen:
        raise _frozen()
    if line.budget.decision_id != plan.decision_id or line.budget.year != plan.year:
        raise field_error("line", _("Budgetraden hör inte till planens beslut och år."))
    try:
        value = parse_amount(amount)
    except AmountError as exc:
        raise field_error("amount", str(exc)) from None
    pbl = PlanBudgetLine.objects.filter(plan=plan, budget_line=line).first() or PlanBudgetLine(
        plan=plan, budget_line=line
    )
    pbl.amount = value
    _recorded_by(pbl, actor)
    pbl.save()
    return pbl


def plan_new_version(*, plan: ProjectPlan, actor: Any) -> ProjectPlan:
    """A fixed plan is frozen: a change starts a new draft version that copies it."""
    require(actor, "plan.edit", plan)
    with transaction.atomic():
        latest = (
            ProjectPlan.objects.filter(decision=plan.decision, year=plan.year).order_by("-version").first()
        )
        assert latest is not None
        if latest.pk != plan.pk:
            raise ValidationError(
                _("Det finns redan en nyare version (v%(version)s).") % {"version": latest.version},
                code="superseded",
            )
        new = ProjectPlan(
            decision=plan.decision,
            year=plan.year,
            version=plan.version + 1,
            title=plan.title,
            summary=plan.summary,
            supersedes=plan,
            source=plan.source,
        )
        _recorded_by(new, actor)
        new.save()
        for pbl in plan.budget_lines.all():
            copy = PlanBudgetLine(plan=new, budget_line=pbl.budget_line, amount=pbl.amount)
            _recorded_by(copy, actor)
            copy.save()
    return new


# --- activities and outputs -----------------------------------------------------------------

ACTIVITY_FIELDS = (
    "title",
    "description",
    "status",
    "planned_start",
    "planned_end",
    "actual_start",
    "actual_end",
    "planned_cost",
)
_DATES = ("planned_start", "planned_end", "actual_start", "actual_end")


def _activity_value(name: str, value: Any) -> Any:
    """One field of an activity change, within its declared bound."""
    if name == "title":
        return clean_text(value, field=name, max_length=SHORT, required=True)
    if name == "description":
        return clean_text(value, field=name, max_length=LONG, multiline=True)
    if name == "status":
        if value not in ActivityStatus.values:
            raise field_error(
                name, _("Okänd status; tillåtna: %(s)s.") % {"s": ", ".join(ActivityStatus.values)}
            )
        return str(value)
    if name in _DATES:
        return clean_date(value, field=name, required=False)
    if value is None:  # planned_cost
        return None
    try:
        return parse_amount(value)
    except AmountError as exc:
        raise field_error(name, str(exc)) from None


def activity_update(*, activity: Activity, actor: Any, **changes: Any) -> Activity:
    """Change an activity's text, status, dates or cost. An RSS user only for their own county."""
    require(actor, "activity.edit", activity)
    unknown = set(changes) - set(ACTIVITY_FIELDS)
    if unknown:
        raise ValidationError(
            _("Okända fält: %(f)s.") % {"f": ", ".join(sorted(str(u)[:40] for u in unknown))},
            code="unknown_field",
        )
    errors = ErrorCollector()
    cleaned = {name: errors.run(partial(_activity_value, name, value)) for name, value in changes.items()}
    errors.raise_if_any()
    cleaned = {name: value for name, value in cleaned.items() if getattr(activity, name) != value}
    if not cleaned:  # nothing changed: no save, no empty line in the change history
        return activity
    with transaction.atomic():
        for name, value in cleaned.items():
            setattr(activity, name, value)
        activity.full_clean()
        _recorded_by(activity, actor)
        activity.save()
    return activity


def _count(value: Any, field: str, errors: ErrorCollector, *, required: bool = False) -> int | None:
    if value is None and not required:
        return None
    return errors.run(lambda: clean_int(value, field=field, minimum=0, maximum=COUNT_MAX))


def _total(value: Any, errors: ErrorCollector) -> int | None:
    """An output's total: what was counted, so at least one (a part of the breakdown may be 0)."""
    total = _count(value, "total", errors, required=True)
    if total == 0:
        errors.add(
            "total",
            _("Ett resultat räknar minst 1. Blev det inget, ta bort resultatet (historiken behåller det)."),
        )
        return None
    return total


def output_create(
    *,
    activity: Activity,
    actor: Any,
    label: str,
    unit: str,
    total: int,
    women: int | None = None,
    men: int | None = None,
    other: int | None = None,
    note: str = "",
) -> Output:
    """Add a measured result; a breakdown by sex must add up to the total (names the field)."""
    require(actor, "activity.edit", activity)
    errors = ErrorCollector()
    texts = {
        name: errors.run(partial(clean_text, value, field=name, max_length=bound, required=required))
        for name, value, bound, required in (
            ("label", label, SHORT, True),
            ("unit", unit, UNIT_MAX, True),
            ("note", note, SHORT, False),
        )
    }
    counts = {
        "total": _total(total, errors),
        "women": _count(women, "women", errors),
        "men": _count(men, "men", errors),
        "other": _count(other, "other", errors),
    }
    errors.raise_if_any()
    position = (activity.outputs.order_by("-position").values_list("position", flat=True).first() or 0) + 1
    output = Output(activity=activity, position=position, **texts, **counts)
    output.full_clean()
    _recorded_by(output, actor)
    output.save()
    return output


# === The county's own work and the results (issue 11) ======================================
# An RSS leader keeps their county's genomförandeplan for a year and the county's activities in
# it (the coordinator may do it for any county); outputs are corrected and removed with their
# change history; SKR's coordinator records evaluations, the half-yearly status report and the
# steering group's members. Dates lie within the year they belong to, and a refusal says which
# year and why.

# A county activity's planning: frozen once its county plan is "Framtagen". Its status, actual
# dates and outputs are follow-up and stay open.
COUNTY_PLANNING_FIELDS = (
    "title",
    "description",
    "goal_area",
    "sub_project",
    "planned_start",
    "planned_end",
    "planned_cost",
)
COUNTY_ACTIVITY_FIELDS = (*COUNTY_PLANNING_FIELDS, "status", "actual_start", "actual_end")
OUTPUT_FIELDS = ("label", "unit", "total", "women", "men", "other", "note")
EVALUATION_FIELDS = ("title", "method", "description", "findings", "recommendations", "activities")
STATUS_REPORT_TEXTS = ("summary", "deviations", "risks")
MEMBER_FIELDS = ("name", "title", "department", "period_start", "period_end")
# An evaluation names the activities it looked at: at most this many (a year has some fifty).
EVALUATION_ACTIVITIES_MAX = 500
ACTIVITY_CODE_MAX = 80


def _unknown_fields(changes: dict[str, Any], allowed: Iterable[str]) -> None:
    unknown = set(changes) - set(allowed)
    if unknown:
        raise ValidationError(
            _("Okända fält: %(f)s.") % {"f": ", ".join(sorted(str(u)[:40] for u in unknown))},
            code="unknown_field",
        )


def _county_name(plan: CountyPlan) -> str:
    return plan.county.name_at(dt.date(plan.year, 12, 31))


def county_plan_lock(
    *, county_plan: CountyPlan | None, fields: Iterable[str] = COUNTY_PLANNING_FIELDS
) -> Verdict:
    """May `fields` of a county plan (its `summary`) or of its activities change now? While the
    plan is "Under arbete": yes. Once it is "Framtagen": not the planning (`COUNTY_PLANNING_FIELDS`
    and the summary), with the reason; status, actual dates and outputs stay open. The national
    plan's lock is decided beside it (issue 11 joins the two for an activity)."""
    if county_plan is None or county_plan.status != CountyPlanStatus.FIXED:
        return ALLOW
    if not any(f in COUNTY_PLANNING_FIELDS or f == "summary" for f in fields):
        return ALLOW
    return Verdict(
        False,
        _(
            "Genomförandeplanen för %(county)s %(year)s är framtagen, så planeringen är låst. "
            "Status, faktiska datum och resultat kan ändras; SKR:s samordnare kan öppna planen igen."
        )
        % {"county": _county_name(county_plan), "year": county_plan.year},
    )


def _require_open(county_plan: CountyPlan | None, fields: Iterable[str]) -> None:
    verdict = county_plan_lock(county_plan=county_plan, fields=fields)
    if not verdict:
        raise ValidationError(verdict.reason, code="locked")


def county_plan_of(activity: Activity) -> CountyPlan | None:
    """The county plan an activity belongs to: its own link, or its county's plan for the year."""
    if activity.county_plan_id:
        return activity.county_plan
    if activity.owner_county_id is None:
        return None
    return CountyPlan.objects.filter(
        decision_id=activity.decision_id, year=activity.year, county_id=activity.owner_county_id
    ).first()


def _date_in_year(value: Any, *, field: str, year: int, what: str, required: bool = False) -> dt.date | None:
    """A date of `year` (what it belongs to, `what`, says why)."""
    day = clean_date(value, field=field, required=required)
    if day is not None and day.year != year:
        raise field_error(
            field,
            _("Datumet ska ligga inom %(year)s (%(a)s–%(b)s): %(what)s hör till det året.")
            % {"year": year, "a": dt.date(year, 1, 1), "b": dt.date(year, 12, 31), "what": what},
        )
    return day


def county_plan_create(
    *, decision: FundingDecision, year: int, county_code: str, actor: Any, summary: str = ""
) -> CountyPlan:
    """Start a county's genomförandeplan for a year ("Under arbete")."""
    require(actor, "county_plan.edit", county_code)
    errors = ErrorCollector()
    if year not in decision.years:
        errors.add("year", _("Året ligger utanför beslutets period %(p)s.") % {"p": decision.period})

    def county() -> Any:
        try:
            return county_get(code=county_code)
        except NotFound as exc:
            raise field_error("county", str(exc)) from None

    org = errors.run(county)
    text = errors.run(partial(clean_text, summary, field="summary", max_length=LONG, multiline=True))
    errors.raise_if_any()
    plan = CountyPlan(decision=decision, year=year, county=org, summary=str(text))
    exists = _("%(county)s har redan en genomförandeplan för %(year)s.")
    if CountyPlan.objects.filter(decision=decision, year=year, county=org).exists():
        raise field_error("county", exists % {"county": _county_name(plan), "year": year})
    _recorded_by(plan, actor)
    try:
        with transaction.atomic():
            plan.save()
    except IntegrityError:  # created by someone else a moment ago
        raise field_error("county", exists % {"county": _county_name(plan), "year": year}) from None
    return plan


def county_plan_update(
    *, county_plan: CountyPlan, actor: Any, summary: str | None = None, status: str | None = None
) -> CountyPlan:
    """Change the plan's summary (while it is under work) or its status: "Under arbete" →
    "Framtagen" by the county, back again only by SKR's coordinator."""
    require(actor, "county_plan.edit", county_plan)
    errors = ErrorCollector()
    changes: dict[str, Any] = {}
    if summary is not None:
        changes["summary"] = errors.run(
            partial(clean_text, summary, field="summary", max_length=LONG, multiline=True)
        )
    if status is not None:
        if status not in CountyPlanStatus.values:
            errors.add(
                "status",
                _("Okänd status; tillåtna: %(s)s.") % {"s": ", ".join(CountyPlanStatus.values)},
            )
        else:
            changes["status"] = str(status)
    errors.raise_if_any()
    changes = {k: v for k, v in changes.items() if getattr(county_plan, k) != v}
    if not changes:
        return county_plan
    if changes.get("status") == CountyPlanStatus.DRAFT:
        require(actor, "county_plan.reopen", county_plan)
    # A fixed plan's summary is locked; changing it while marking the plan "Framtagen", or while
    # SKR opens it again, is allowed.
    if "summary" in changes and changes.get("status", county_plan.status) == CountyPlanStatus.FIXED:
        _require_open(county_plan, ["summary"])
    with transaction.atomic():
        plan = CountyPlan.objects.select_for_update().get(pk=county_plan.pk)
        for name, value in changes.items():
            setattr(plan, name, value)
        _recorded_by(plan, actor)
        plan.save()
    return plan


def _goal_area(decision: FundingDecision, value: Any) -> GoalArea:
    number = clean_int(value, field="goal_area", minimum=1, maximum=999)
    area = GoalArea.objects.filter(decision=decision, number=number).first()
    if area is None:
        numbers = ", ".join(str(n) for n in decision.goal_areas.values_list("number", flat=True))
        raise field_error(
            "goal_area",
            _("Beslutet har inget målområde %(n)s; välj bland %(all)s.") % {"n": number, "all": numbers},
        )
    return area


def _sub_project(decision: FundingDecision, value: Any) -> SubProject:
    number = clean_int(value, field="sub_project", minimum=1, maximum=999)
    sub = SubProject.objects.filter(decision=decision, number=number).first()
    if sub is None:
        numbers = ", ".join(str(n) for n in decision.sub_projects.values_list("number", flat=True))
        raise field_error(
            "sub_project",
            _("Beslutet har inget delprojekt %(n)s; välj bland %(all)s.") % {"n": number, "all": numbers},
        )
    return sub


def _county_activity_values(decision: FundingDecision, year: int, changes: dict[str, Any]) -> dict[str, Any]:
    """The cleaned values of a county activity's fields, every bad field named at once."""
    what = _("aktiviteten i genomförandeplanen för %(year)s") % {"year": year}
    errors = ErrorCollector()
    cleaned: dict[str, Any] = {}
    for name, value in changes.items():
        if name == "goal_area":
            cleaned[name] = errors.run(partial(_goal_area, decision, value))
        elif name == "sub_project":
            cleaned[name] = errors.run(partial(_sub_project, decision, value))
        elif name in _DATES:
            cleaned[name] = errors.run(partial(_date_in_year, value, field=name, year=year, what=what))
        else:
            cleaned[name] = errors.run(partial(_activity_value, name, value))
    errors.raise_if_any()
    return cleaned


def _new_activity_code(decision: FundingDecision, year: int, county_code: str, title: str) -> str:
    base = slugify(f"{year}-rss-{county_code}-{title}")[: ACTIVITY_CODE_MAX - 4].strip("-")
    taken = set(
        Activity.objects.filter(decision=decision, year=year, code__startswith=base).values_list(
            "code", flat=True
        )
    )
    code, n = base, 1
    while code in taken:
        n += 1
        code = f"{base}-{n}"
    return code


def _county_report_section(decision: FundingDecision) -> str:
    """Where the result report puts the counties' own activities: where it put them before."""
    last = (
        Activity.objects.filter(decision=decision, owner_county__isnull=False)
        .exclude(report_section="")
        .order_by("-year", "-position")
        .values_list("report_section", flat=True)
        .first()
    )
    return last or ""


def county_activity_create(
    *,
    county_plan: CountyPlan,
    actor: Any,
    title: str,
    goal_area: Any,
    sub_project: Any,
    description: str = "",
    status: str = ActivityStatus.PLANNED,
    planned_start: dt.date | None = None,
    planned_end: dt.date | None = None,
    actual_start: dt.date | None = None,
    actual_end: dt.date | None = None,
    planned_cost: Any = None,
) -> Activity:
    """Add an activity to a county's plan while the plan is under work; the county runs it."""
    require(actor, "county_plan.edit", county_plan)
    _require_open(county_plan, COUNTY_PLANNING_FIELDS)
    decision, year = county_plan.decision, county_plan.year
    values = _county_activity_values(
        decision,
        year,
        {
            "title": title,
            "description": description,
            "goal_area": goal_area,
            "sub_project": sub_project,
            "status": status,
            "planned_start": planned_start,
            "planned_end": planned_end,
            "actual_start": actual_start,
            "actual_end": actual_end,
            "planned_cost": planned_cost,
        },
    )
    county = county_plan.county
    section = _county_report_section(decision)
    last = (
        Activity.objects.filter(decision=decision, year=year, report_section=section)
        .order_by("-position")
        .values_list("position", flat=True)
        .first()
    )
    with transaction.atomic():
        activity = Activity(
            decision=decision,
            year=year,
            code=_new_activity_code(decision, year, county.code, values["title"]),
            owner_county=county,
            county_plan=county_plan,
            report_section=section,
            position=(last or 0) + 1,
            **values,
        )
        activity.full_clean()
        _recorded_by(activity, actor)
        activity.save()
        activity.counties.add(county)
    return activity


def county_activity_update(*, activity: Activity, actor: Any, **changes: Any) -> Activity:
    """Change a county's activity: its planning while the county plan is under work, its status
    and actual dates at any time. An RSS leader only for their own county."""
    require(actor, "activity.edit", activity)
    if activity.owner_county_id is None:
        raise ValidationError(
            _("Aktiviteten genomförs inte av ett län; den ändras i projektplanen."), code="not_county"
        )
    _unknown_fields(changes, COUNTY_ACTIVITY_FIELDS)
    values = _county_activity_values(activity.decision, activity.year, changes)
    values = {k: v for k, v in values.items() if getattr(activity, k) != v}
    if not values:
        return activity
    _require_open(county_plan_of(activity), values)
    with transaction.atomic():
        row = Activity.objects.select_for_update().get(pk=activity.pk)
        for name, value in values.items():
            setattr(row, name, value)
        row.full_clean()
        _recorded_by(row, actor)
        row.save()
    return row


# --- outputs: corrected and removed, with their history ---------------------------------------


def output_update(*, output: Output, actor: Any, **changes: Any) -> Output:
    """Correct an output; the breakdown by sex must still add up (the model names the field)."""
    require(actor, "activity.edit", output.activity)
    _unknown_fields(changes, OUTPUT_FIELDS)
    errors = ErrorCollector()
    cleaned: dict[str, Any] = {}
    bounds = {"label": SHORT, "unit": UNIT_MAX, "note": SHORT}
    for name, value in changes.items():
        if name in bounds:
            cleaned[name] = errors.run(
                partial(clean_text, value, field=name, max_length=bounds[name], required=name != "note")
            )
        else:
            cleaned[name] = _total(value, errors) if name == "total" else _count(value, name, errors)
    errors.raise_if_any()
    cleaned = {k: v for k, v in cleaned.items() if getattr(output, k) != v}
    if not cleaned:
        return output
    with transaction.atomic():
        row = Output.objects.select_for_update().get(pk=output.pk)
        for name, value in cleaned.items():
            setattr(row, name, value)
        row.full_clean()
        _recorded_by(row, actor)
        row.save()
    return row


def output_delete(*, output: Output, actor: Any) -> None:
    """Remove an output; its history keeps what it said and who removed it."""
    require(actor, "activity.edit", output.activity)
    _recorded_by(output, actor)
    output.delete()


# --- evaluations --------------------------------------------------------------------------------


def _evaluation_values(decision: FundingDecision, year: int, changes: dict[str, Any]) -> dict[str, Any]:
    errors = ErrorCollector()
    cleaned: dict[str, Any] = {}
    for name, value in changes.items():
        if name == "activities":
            cleaned[name] = errors.run(partial(_evaluation_activities, decision, year, value))
        else:
            long = name not in ("title", "method")
            cleaned[name] = errors.run(
                partial(
                    clean_text,
                    value,
                    field=name,
                    max_length=LONG if long else SHORT,
                    multiline=long,
                    required=name == "title",
                )
            )
    errors.raise_if_any()
    return cleaned


def _evaluation_activities(decision: FundingDecision, year: int, codes: Any) -> list[Activity]:
    if codes is None:
        return []
    if isinstance(codes, str) or not isinstance(codes, list | tuple | set):
        raise field_error("activities", _("Ange en lista med aktiviteternas koder."))
    if len(codes) > EVALUATION_ACTIVITIES_MAX:
        raise field_error("activities", _("Högst %(n)s aktiviteter.") % {"n": EVALUATION_ACTIVITIES_MAX})
    wanted = [clean_text(c, field="activities", max_length=ACTIVITY_CODE_MAX, required=True) for c in codes]
    found = {a.code: a for a in Activity.objects.filter(decision=decision, year=year, code__in=wanted)}
    unknown = [c for c in wanted if c not in found]
    if unknown:
        raise field_error(
            "activities",
            _("Okända aktiviteter för %(year)s: %(codes)s.")
            % {"year": year, "codes": ", ".join(unknown[:5])},
        )
    return list(found.values())


def _evaluation_save(evaluation: Evaluation, values: dict[str, Any], actor: Any) -> Evaluation:
    activities = values.pop("activities", None)
    for name, value in values.items():
        setattr(evaluation, name, value)
    taken = Evaluation.objects.filter(
        decision=evaluation.decision, year=evaluation.year, title=evaluation.title
    ).exclude(pk=evaluation.pk)
    if taken.exists():
        raise field_error(
            "title", _("Det finns redan en utvärdering med den rubriken för %(y)s.") % {"y": evaluation.year}
        )
    with transaction.atomic():
        _recorded_by(evaluation, actor)
        evaluation.save()
        if activities is not None:
            evaluation.activities.set(activities)
    return evaluation


def evaluation_create(
    *,
    decision: FundingDecision,
    year: int,
    actor: Any,
    title: str,
    method: str = "",
    description: str = "",
    findings: str = "",
    recommendations: str = "",
    activities: Iterable[str] = (),
) -> Evaluation:
    """Record an evaluation of a year (findings, recommendations, the activities it looked at)."""
    require(actor, "evaluation.edit")
    if year not in decision.years:
        raise field_error("year", _("Året ligger utanför beslutets period %(p)s.") % {"p": decision.period})
    values = _evaluation_values(
        decision,
        year,
        {
            "title": title,
            "method": method,
            "description": description,
            "findings": findings,
            "recommendations": recommendations,
            "activities": list(activities) if not isinstance(activities, str) else activities,
        },
    )
    return _evaluation_save(Evaluation(decision=decision, year=year), values, actor)


def evaluation_update(*, evaluation: Evaluation, actor: Any, **changes: Any) -> Evaluation:
    require(actor, "evaluation.edit", evaluation)
    _unknown_fields(changes, EVALUATION_FIELDS)
    values = _evaluation_values(evaluation.decision, evaluation.year, changes)
    if "activities" in values and {a.pk for a in values["activities"]} == set(
        evaluation.activities.values_list("pk", flat=True)
    ):
        del values["activities"]
    values = {k: v for k, v in values.items() if k == "activities" or getattr(evaluation, k) != v}
    if not values:
        return evaluation
    return _evaluation_save(evaluation, values, actor)


def evaluation_delete(*, evaluation: Evaluation, actor: Any) -> None:
    require(actor, "evaluation.edit", evaluation)
    _recorded_by(evaluation, actor)
    evaluation.delete()


# --- the half-yearly status report ------------------------------------------------------------


def half_year(*, decision: FundingDecision, period_start: Any) -> tuple[dt.date, dt.date]:
    """The half-year starting `period_start` (1 January or 1 July of one of the decision's years)."""
    day = clean_date(period_start, field="period_start")
    assert day is not None
    if (day.month, day.day) not in ((1, 1), (7, 1)):
        raise field_error("period_start", _("Ett halvår börjar 1 januari eller 1 juli."))
    if day.year not in decision.years:
        raise field_error(
            "period_start",
            _("Halvåret ska ligga inom beslutets period %(p)s.") % {"p": decision.period},
        )
    return day, dt.date(day.year, 6, 30) if day.month == 1 else dt.date(day.year, 12, 31)


def _submitted() -> ValidationError:
    return ValidationError(_("Halvårsrapporten är inlämnad och kan inte ändras."), code="submitted")


def _report_texts(changes: dict[str, Any]) -> dict[str, str]:
    errors = ErrorCollector()
    cleaned = {
        name: errors.run(partial(clean_text, value, field=name, max_length=LONG, multiline=True))
        for name, value in changes.items()
        if value is not None
    }
    errors.raise_if_any()
    return {k: str(v) for k, v in cleaned.items()}


def status_report_create(
    *,
    decision: FundingDecision,
    period_start: Any,
    actor: Any,
    summary: str = "",
    deviations: str = "",
    risks: str = "",
) -> StatusReport:
    """Start the steering group's report for a half-year, as a draft."""
    require(actor, "status_report.edit")
    errors = ErrorCollector()
    period = errors.run(lambda: half_year(decision=decision, period_start=period_start))
    texts = errors.run(lambda: _report_texts({"summary": summary, "deviations": deviations, "risks": risks}))
    errors.raise_if_any()
    assert period is not None and texts is not None
    exists = field_error("period_start", _("Det finns redan en halvårsrapport för perioden."))
    if StatusReport.objects.filter(decision=decision, period_start=period[0]).exists():
        raise exists
    report = StatusReport(
        decision=decision, period_start=period[0], period_end=period[1], created_by=actor_user(actor), **texts
    )
    _recorded_by(report, actor)
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError:
        raise exists from None
    return report


def status_report_update(
    *,
    report: StatusReport,
    actor: Any,
    summary: str | None = None,
    deviations: str | None = None,
    risks: str | None = None,
) -> StatusReport:
    require(actor, "status_report.edit", report)
    if report.state != StatusReportState.DRAFT:
        raise _submitted()
    texts = _report_texts({"summary": summary, "deviations": deviations, "risks": risks})
    texts = {k: v for k, v in texts.items() if getattr(report, k) != v}
    if not texts:
        return report
    with transaction.atomic():
        row = StatusReport.objects.select_for_update().get(pk=report.pk)
        if row.state != StatusReportState.DRAFT:
            raise _submitted()
        for name, value in texts.items():
            setattr(row, name, value)
        _recorded_by(row, actor)
        row.save()
    return row


def status_report_item_set(
    *, report: StatusReport, actor: Any, activity: Any, progress: str, deviation: str = ""
) -> StatusReportItem:
    """An activity's progress (and deviation) in the report: added, or replaced if it is there."""
    require(actor, "status_report.edit", report)
    if report.state != StatusReportState.DRAFT:
        raise _submitted()
    errors = ErrorCollector()
    year = report.period_start.year

    def the_activity() -> Activity:
        code = clean_text(activity, field="activity", max_length=ACTIVITY_CODE_MAX, required=True)
        found = Activity.objects.filter(decision_id=report.decision_id, year=year, code=code).first()
        if found is None:
            raise field_error("activity", _("Ingen aktivitet %(c)s för %(y)s.") % {"c": code, "y": year})
        return found

    target = errors.run(the_activity)
    texts = {
        name: errors.run(
            partial(
                clean_text, value, field=name, max_length=LONG, multiline=True, required=name == "progress"
            )
        )
        for name, value in (("progress", progress), ("deviation", deviation))
    }
    errors.raise_if_any()
    item = StatusReportItem.objects.filter(report=report, activity=target).first() or StatusReportItem(
        report=report, activity=target
    )
    if item.pk and all(getattr(item, k) == v for k, v in texts.items()):
        return item
    for name, value in texts.items():
        setattr(item, name, value)
    _recorded_by(item, actor)
    item.save()
    return item


def status_report_item_delete(*, item: StatusReportItem, actor: Any) -> None:
    require(actor, "status_report.edit", item.report)
    if item.report.state != StatusReportState.DRAFT:
        raise _submitted()
    _recorded_by(item, actor)
    item.delete()


def status_report_submit(*, report: StatusReport, actor: Any) -> StatusReport:
    """Draft → submitted: the report is final and may no longer change."""
    require(actor, "status_report.edit", report)
    with transaction.atomic():
        row = StatusReport.objects.select_for_update().get(pk=report.pk)
        if row.state != StatusReportState.DRAFT:
            raise _submitted()
        if not row.summary:
            raise field_error("summary", _("Skriv en sammanfattning innan halvårsrapporten lämnas in."))
        row.state = StatusReportState.SUBMITTED
        _recorded_by(row, actor)
        row.save()
    return row


# --- the steering group's members ------------------------------------------------------------


def _member_values(decision: FundingDecision, changes: dict[str, Any], current: Any = None) -> dict[str, Any]:
    errors = ErrorCollector()
    cleaned: dict[str, Any] = {}
    for name, value in changes.items():
        if name in ("period_start", "period_end"):
            cleaned[name] = errors.run(partial(clean_date, value, field=name, required=False))
        else:
            cleaned[name] = errors.run(
                partial(clean_text, value, field=name, max_length=SHORT, required=True)
            )
    errors.raise_if_any()
    start = cleaned.get("period_start", getattr(current, "period_start", None))
    end = cleaned.get("period_end", getattr(current, "period_end", None))
    if start and end and end < start:
        raise field_error("period_end", _("Perioden slutar före den börjar."))
    years = decision.years
    if years:
        first, last = dt.date(years[0], 1, 1), dt.date(years[-1], 12, 31)
        outside = _(
            "Ledamoten sitter i styrgruppen för beslutet %(p)s; perioden ska överlappa %(a)s–%(b)s."
        ) % {"p": decision.period, "a": first, "b": last}
        if start and start > last:
            raise field_error("period_start", outside)
        if end and end < first:
            raise field_error("period_end", outside)
    return cleaned


def steering_group_member_create(
    *,
    decision: FundingDecision,
    actor: Any,
    name: str,
    title: str,
    department: str,
    period_start: dt.date | None = None,
    period_end: dt.date | None = None,
) -> SteeringGroupMember:
    """Record a member of the decision's steering group (the group is made with its first member)."""
    require(actor, "steering_group.edit")
    values = _member_values(
        decision,
        {
            "name": name,
            "title": title,
            "department": department,
            "period_start": period_start,
            "period_end": period_end,
        },
    )
    with transaction.atomic():
        group = SteeringGroup.objects.filter(decision=decision).first()
        if group is None:
            group = SteeringGroup(decision=decision, description="")
            _recorded_by(group, actor)
            group.save()
        member = SteeringGroupMember(group=group, **values)
        _recorded_by(member, actor)
        member.save()
    return member


def steering_group_member_update(
    *, member: SteeringGroupMember, actor: Any, **changes: Any
) -> SteeringGroupMember:
    require(actor, "steering_group.edit", member)
    _unknown_fields(changes, MEMBER_FIELDS)
    values = _member_values(member.group.decision, changes, current=member)
    values = {k: v for k, v in values.items() if getattr(member, k) != v}
    if not values:
        return member
    for name, value in values.items():
        setattr(member, name, value)
    _recorded_by(member, actor)
    member.save()
    return member


def steering_group_member_delete(*, member: SteeringGroupMember, actor: Any) -> None:
    require(actor, "steering_group.edit", member)
    _recorded_by(member, actor)
    member.delete()


__all__ = [
    "TRANSITIONS",
    "activity_update",
    "county_activity_create",
    "county_activity_update",
    "county_plan_create",
    "county_plan_lock",
    "county_plan_update",
    "evaluation_create",
    "evaluation_delete",
    "evaluation_update",
    "output_create",
    "output_delete",
    "output_update",
    "plan_new_version",
    "plan_set_budget",
    "plan_transition",
    "plan_update",
    "status_report_create",
    "status_report_item_delete",
    "status_report_item_set",
    "status_report_submit",
    "status_report_update",
    "steering_group_member_create",
    "steering_group_member_delete",
    "steering_group_member_update",
]
