"""Writes for plans: the plan workflow (draft → proposed → consulted → fixed, a fixed plan frozen,
a change making a new version), and activities and outputs (the documents' content is loaded by
`plans.seed`). Every write takes a required `actor` and asks the one policy; a refusal is
a `ValidationError` keyed by the service's field names (a state rule has no field, but a `code`).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jamkoll.accounts.policy import actor_label, actor_user, require
from jamkoll.errors import ErrorCollector, field_error
from jamkoll.money import AmountError, parse_amount
from jamkoll.programmes.models import BudgetLine
from jamkoll.programmes.services import BudgetError, budget_lines_set
from jamkoll.validation import LONG, SHORT, clean_date, clean_int, clean_text

from .closures import project_plan_close
from .models import (
    Activity,
    ActivityStatus,
    Output,
    PlanBudgetLine,
    PlanStatus,
    ProjectPlan,
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
        "total": _count(total, "total", errors, required=True),
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


__all__ = [
    "TRANSITIONS",
    "activity_update",
    "output_create",
    "plan_new_version",
    "plan_set_budget",
    "plan_transition",
    "plan_update",
]
