"""Writes for plans: loading the year's content from the documents, the plan workflow
(draft → proposed → consulted → fixed, a fixed plan frozen, a change making a new version), and
activities and outputs. Every write takes a required `actor` and asks the one policy; a refusal is
a `ValidationError` keyed by the service's field names (a state rule has no field, but a `code`).
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from importlib import resources
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jamkoll.accounts.policy import actor_label, actor_user, require
from jamkoll.errors import field_error
from jamkoll.money import AmountError, parse_amount
from jamkoll.programmes.models import Budget, BudgetLine, FundingDecision, GoalArea
from jamkoll.programmes.services import BudgetError, budget_line_set
from jamkoll.reference.models import Organisation, OrganisationKind, PolicySubGoal, StrategyObjective
from jamkoll.seeding import SeedError, SeedReport, set_m2m, upsert
from jamkoll.validation import LONG, SHORT, clean_date, clean_int, clean_text

from .models import (
    Activity,
    ActivityStatus,
    CountyPlan,
    Evaluation,
    Narrative,
    Output,
    PlanBudgetLine,
    PlanStatus,
    ProjectPlan,
    ReportSection,
    SteeringGroup,
    SubProject,
)
from .transitions import TRANSITIONS

DATA_FILES = ["plans_2018.json"]


# --- loading --------------------------------------------------------------------------------


class _Resolver:
    """Organisation references in the data files: "other:SOS", "lan:12", "region:*", "other:LST*"."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.orgs = {(o.kind, o.code): o for o in Organisation.objects.exclude(kind=OrganisationKind.KOMMUN)}

    def many(self, refs: list[str], where: str) -> list[Organisation]:
        out: list[Organisation] = []
        for ref in refs:
            kind, _sep, code = ref.partition(":")
            if code.endswith("*"):
                prefix = code[:-1]
                matches = [o for (k, c), o in self.orgs.items() if k == kind and c.startswith(prefix)]
                if not matches:
                    raise SeedError(
                        f"referensen {ref!r} matchar ingen organisation", file=self.file, field=where
                    )
                out += matches
                continue
            org = self.orgs.get((kind, code))
            if org is None and kind == OrganisationKind.KOMMUN:
                org = Organisation.objects.filter(kind=kind, code=code).first()
            if org is None:
                raise SeedError(f"okänd organisation {ref!r}", file=self.file, field=where)
            out.append(org)
        return out

    def county(self, code: str | None, where: str) -> Organisation | None:
        if not code:
            return None
        county = self.orgs.get((OrganisationKind.LAN, code))
        if county is None:
            raise SeedError(f"okänt län {code!r}", file=self.file, field=where)
        return county


def _date(value: str | None, file: str, where: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise SeedError(f"ogiltigt datum {value!r}", file=file, field=where) from exc


def _load(file: str, report: SeedReport) -> None:
    data = json.loads(resources.files("jamkoll.plans").joinpath("data", file).read_text("utf-8"))
    decision = FundingDecision.objects.filter(slug=data["decision"]).first()
    if decision is None:
        raise SeedError(f"okänt beslut {data['decision']!r}", file=file, field="decision")
    year = data["year"]
    resolve = _Resolver(file)
    sg = data.get("steering_group")
    if sg:
        upsert(
            SteeringGroup,
            {"decision": decision},
            {"description": sg["description"], "source": sg.get("source", "")},
            report=report,
        )
    plan = data.get("project_plan")
    if plan:
        upsert(
            ProjectPlan,
            {"decision": decision, "year": year, "version": 1},
            {
                "title": plan["title"],
                "summary": plan.get("summary", ""),
                "status": plan.get("status", "draft"),
                "source": plan.get("source", ""),
            },
            report=report,
        )
    sub_projects = {
        sp["number"]: upsert(
            SubProject,
            {"decision": decision, "number": sp["number"]},
            {"name": sp["name"], "description": sp.get("description", ""), "source": sp.get("source", "")},
            report=report,
        )
        for sp in data.get("sub_projects", [])
    }
    for position, section in enumerate(data.get("sections", [])):
        upsert(
            ReportSection,
            {"decision": decision, "year": year, "number": section["number"]},
            {"title": section["title"], "numbered": section.get("numbered", True), "position": position},
            report=report,
        )
    narratives = list(data.get("narratives", []))
    if data.get("title"):
        narratives.insert(
            0,
            {
                "key": "title",
                "title": "Rapportens titel",
                "text": data["title"],
                "source": data.get("source", ""),
            },
        )
    for n in narratives:
        upsert(
            Narrative,
            {"decision": decision, "year": year, "key": n["key"]},
            {
                "title": n.get("title", ""),
                "text": n["text"],
                "section": n.get("section", ""),
                "position": n.get("position", 0),
                "footnote": n.get("footnote"),
                "source": n.get("source", ""),
            },
            report=report,
        )
    county_plans: dict[str, CountyPlan] = {}
    for cp in data.get("county_plans", []):
        county = resolve.county(cp["county"], "county_plans.county")
        assert county is not None
        county_plans[county.code] = upsert(
            CountyPlan,
            {"decision": decision, "year": year, "county": county},
            {
                "status": cp.get("status", "draft"),
                "summary": cp.get("summary", ""),
                "source": cp.get("source", ""),
            },
            report=report,
        )
    goal_areas = {g.number: g for g in GoalArea.objects.filter(decision=decision)}
    budget = Budget.objects.filter(decision=decision, year=year).first()
    sub_goals = {g.number: g for g in PolicySubGoal.objects.all()}
    objectives = {o.number: o for o in StrategyObjective.objects.all()}
    activities: dict[str, Activity] = {}
    for a in data.get("activities", []):
        where = f"activities[{a['code']}]"
        if a["sub_project"] not in sub_projects:
            raise SeedError(f"okänt delprojekt {a['sub_project']}", file=file, field=f"{where}.sub_project")
        if a["goal_area"] not in goal_areas:
            raise SeedError(f"okänt målområde {a['goal_area']}", file=file, field=f"{where}.goal_area")
        line = None
        if a.get("budget_line") and budget is not None:
            bl = a["budget_line"]
            line = BudgetLine.objects.filter(
                budget=budget, goal_area__number=bl["goal_area"], recipient=bl["recipient"]
            ).first()
            if line is None:
                raise SeedError(f"ingen budgetrad {bl}", file=file, field=f"{where}.budget_line")
        owner = resolve.county(a.get("owner_county"), f"{where}.owner_county")
        activity = upsert(
            Activity,
            {"decision": decision, "year": year, "code": a["code"]},
            {
                "sub_project": sub_projects[a["sub_project"]],
                "goal_area": goal_areas[a["goal_area"]],
                "owner_county": owner,
                "county_plan": county_plans.get(owner.code) if owner else None,
                "title": a["title"],
                "description": a.get("description", ""),
                "report_section": a.get("report_section", ""),
                "position": a.get("position", 0),
                "status": a.get("status", "planned"),
                "planned_start": _date(a.get("planned_start"), file, f"{where}.planned_start"),
                "planned_end": _date(a.get("planned_end"), file, f"{where}.planned_end"),
                "actual_start": _date(a.get("actual_start"), file, f"{where}.actual_start"),
                "actual_end": _date(a.get("actual_end"), file, f"{where}.actual_end"),
                "budget_line": line,
                "footnotes": ",".join(str(n) for n in a.get("footnotes", [])),
                "source": a.get("source", ""),
            },
            report=report,
        )
        activities[a["code"]] = activity
        try:
            set_m2m(activity, "sub_goals", [sub_goals[n] for n in a.get("sub_goals", [])], report)
            set_m2m(
                activity,
                "strategy_objectives",
                [objectives[n] for n in a.get("strategy_objectives", [])],
                report,
            )
        except KeyError as exc:
            raise SeedError(f"okänt delmål eller målsättning {exc}", file=file, field=where) from None
        set_m2m(activity, "partners", resolve.many(a.get("partners", []), f"{where}.partners"), report)
        counties = [resolve.county(c, f"{where}.counties") for c in a.get("counties", [])]
        set_m2m(activity, "counties", [c for c in counties if c is not None], report)
        set_m2m(
            activity,
            "municipalities",
            resolve.many([f"kommun:{m}" for m in a.get("municipalities", [])], f"{where}.municipalities"),
            report,
        )
        for position, o in enumerate(a.get("outputs", [])):
            output = Output(
                activity=activity,
                label=o["label"],
                unit=o["unit"],
                total=o["total"],
                women=o.get("women"),
                men=o.get("men"),
                other=o.get("other"),
            )
            try:
                output.clean()
            except ValidationError as exc:
                raise SeedError(
                    "; ".join(exc.messages), file=file, field=f"{where}.outputs[{position}]"
                ) from None
            upsert(
                Output,
                {"activity": activity, "position": position},
                {
                    "label": o["label"],
                    "unit": o["unit"],
                    "total": o["total"],
                    "women": o.get("women"),
                    "men": o.get("men"),
                    "other": o.get("other"),
                    "note": o.get("note", ""),
                },
                report=report,
            )
    for e in data.get("evaluations", []):
        evaluation = upsert(
            Evaluation,
            {"decision": decision, "year": year, "title": e["title"]},
            {
                "method": e.get("method", ""),
                "description": e.get("description", ""),
                "findings": e.get("findings", ""),
                "recommendations": e.get("recommendations", ""),
                "source": e.get("source", ""),
            },
            report=report,
        )
        linked = []
        for code in e.get("activities", []):
            if code not in activities:
                raise SeedError(f"okänd aktivitet {code!r}", file=file, field="evaluations.activities")
            linked.append(activities[code])
        set_m2m(evaluation, "activities", linked, report)


@transaction.atomic
def plans_seed(*, report: SeedReport | None = None) -> SeedReport:
    """Load every year's plan content from the packaged data files (seed 003 for 2018)."""
    report = report or SeedReport()
    for file in DATA_FILES:
        if resources.files("jamkoll.plans").joinpath("data", file).is_file():
            _load(file, report)
    return report


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


def _collect(errors: dict[str, list[str]], exc: ValidationError) -> None:
    for field, messages in exc.message_dict.items():
        errors.setdefault(field, []).extend(messages)


def plan_transition(
    *, plan: ProjectPlan, action: str, on: dt.date, reference: str, actor: Any
) -> ProjectPlan:
    """One guarded step of the table in `transitions`: who, when and the diary number are recorded
    with it; fixing the plan also sets the year's budget split it states (all or nothing)."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise field_error("action", _("Okänt steg: %(a)s.") % {"a": str(action)[:40]})
    require(actor, transition.permission, plan)
    errors: dict[str, list[str]] = {}
    try:
        on = clean_date(on, field="on", latest=timezone.localdate())  # type: ignore[assignment]
    except ValidationError as exc:
        _collect(errors, exc)
    try:
        reference = clean_text(reference, field="reference", max_length=REFERENCE_MAX, required=True)
    except ValidationError as exc:
        _collect(errors, exc)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        plan = ProjectPlan.objects.select_for_update().get(pk=plan.pk)
        if plan.status != transition.source:
            raise ValidationError(
                _("Planen har status %(status)s; steget kräver status %(required)s.")
                % {"status": plan.get_status_display(), "required": transition.source.label},
                code="wrong_status",
            )
        setattr(plan, f"{transition.record}_on", on)
        setattr(plan, f"{transition.record}_by", actor_label(actor))
        setattr(plan, f"{transition.record}_reference", reference)
        if transition.target == PlanStatus.FIXED:
            _apply_plan_budget(plan)
        plan.status = transition.target
        _recorded_by(plan, actor)
        plan.save()
    return plan


def _apply_plan_budget(plan: ProjectPlan) -> None:
    """A fixed plan sets the year's split where the decision left it open (never overrides a
    figure the decision itself states). The ledger's guard refuses a split below what is used;
    programmes' `BudgetError` becomes this service's non-field refusal."""
    for pbl in plan.budget_lines.select_related("budget_line__budget", "budget_line__goal_area"):
        line = pbl.budget_line
        if line.amount is not None and line.amount != pbl.amount and "projektplan" not in line.source:
            raise ValidationError(
                _("Budgetraden %(line)s är redan beslutad (%(amount)s kr) i beslutet.")
                % {"line": line, "amount": f"{line.amount:f}"},
                code="budget_decided",
            )
        try:
            budget_line_set(
                line=line,
                amount=pbl.amount,
                source=f"projektplan {plan.year} v{plan.version}, fastställd {plan.fixed_on}",
            )
        except BudgetError as exc:
            raise ValidationError(str(exc), code="budget") from None


def plan_update(*, plan: ProjectPlan, title: str, summary: str, actor: Any) -> ProjectPlan:
    require(actor, "plan.edit", plan)
    if plan.frozen:
        raise _frozen()
    errors: dict[str, list[str]] = {}
    try:
        title = clean_text(title, field="title", max_length=SHORT, required=True)
    except ValidationError as exc:
        _collect(errors, exc)
    try:
        summary = clean_text(summary, field="summary", max_length=LONG, multiline=True)
    except ValidationError as exc:
        _collect(errors, exc)
    if errors:
        raise ValidationError(errors)
    plan.title, plan.summary = title, summary
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
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    for name, value in changes.items():
        try:
            cleaned[name] = _activity_value(name, value)
        except ValidationError as exc:
            _collect(errors, exc)
    if errors:
        raise ValidationError(errors)
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


def _count(value: Any, field: str, errors: dict[str, list[str]], *, required: bool = False) -> int | None:
    if value is None and not required:
        return None
    try:
        return clean_int(value, field=field, minimum=0, maximum=COUNT_MAX)
    except ValidationError as exc:
        _collect(errors, exc)
        return None


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
    errors: dict[str, list[str]] = {}
    texts: dict[str, str] = {}
    for name, value, bound, required in (
        ("label", label, SHORT, True),
        ("unit", unit, UNIT_MAX, True),
        ("note", note, SHORT, False),
    ):
        try:
            texts[name] = clean_text(value, field=name, max_length=bound, required=required)
        except ValidationError as exc:
            _collect(errors, exc)
    counts = {
        "total": _count(total, "total", errors, required=True),
        "women": _count(women, "women", errors),
        "men": _count(men, "men", errors),
        "other": _count(other, "other", errors),
    }
    if errors:
        raise ValidationError(errors)
    position = (activity.outputs.order_by("-position").values_list("position", flat=True).first() or 0) + 1
    output = Output(activity=activity, position=position, **texts, **counts)
    output.full_clean()
    _recorded_by(output, actor)
    output.save()
    return output


__all__ = [
    "TRANSITIONS",
    "activity_update",
    "output_create",
    "plan_new_version",
    "plan_set_budget",
    "plan_transition",
    "plan_update",
    "plans_seed",
]
