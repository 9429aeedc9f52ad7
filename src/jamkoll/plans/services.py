"""Writes for plans: loading the year's content from the documents, the plan workflow
(draft → proposed → consulted → fixed, a fixed plan frozen, a change making a new version), and
activities and outputs — each asking the one policy when a user is given.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from jamkoll.accounts.policy import require
from jamkoll.programmes.models import BudgetLine
from jamkoll.programmes.services import BudgetError, budget_line_set

from .models import (
    Activity,
    Output,
    PlanBudgetLine,
    PlanStatus,
    ProjectPlan,
)


class PlanError(ValueError):
    """A refused plan or activity change; the message names the field or the rule."""


def _actor_name(user: Any) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else ""


# --- the plan workflow ----------------------------------------------------------------------

TRANSITIONS: dict[str, tuple[str, str, str]] = {
    # action: (from, to, policy action)
    "propose": (PlanStatus.DRAFT, PlanStatus.PROPOSED, "plan.propose"),
    "consult": (PlanStatus.PROPOSED, PlanStatus.CONSULTED, "plan.consult"),
    "fix": (PlanStatus.CONSULTED, PlanStatus.FIXED, "plan.fix"),
}


def plan_transition(
    *, plan: ProjectPlan, action: str, on: dt.date, reference: str, user: Any = None, actor_name: str = ""
) -> ProjectPlan:
    """One guarded step: who, when and the diary number are recorded with it."""
    if action not in TRANSITIONS:
        raise PlanError(f"okänt steg {action!r}")
    source, target, permission = TRANSITIONS[action]
    if user is not None:
        require(user, permission, plan)
    if not reference.strip():
        raise PlanError("diarienummer: ange diarienummer för steget")
    with transaction.atomic():
        plan = ProjectPlan.objects.select_for_update().get(pk=plan.pk)
        if plan.status != source:
            raise PlanError(
                f"planen har status {plan.get_status_display()}; "
                f"steget kräver status {PlanStatus(source).label}"
            )
        who = _actor_name(user) or actor_name
        if action == "propose":
            plan.proposed_on, plan.proposed_by, plan.proposed_reference = on, who, reference
        elif action == "consult":
            plan.consulted_on, plan.consulted_by, plan.consulted_reference = on, who, reference
        else:
            plan.fixed_on, plan.fixed_by, plan.fixed_reference = on, who, reference
            _apply_plan_budget(plan)
        plan.status = target
        plan.save()
    return plan


def _apply_plan_budget(plan: ProjectPlan) -> None:
    """A fixed plan sets the year's split where the decision left it open (never overrides a
    figure the decision itself states). The ledger's guard refuses a split below what is used."""
    for pbl in plan.budget_lines.select_related("budget_line__budget", "budget_line__goal_area"):
        line = pbl.budget_line
        if line.amount is not None and line.amount != pbl.amount and not line.decided_by_plan:
            raise PlanError(f"budgetraden {line} är redan beslutad ({line.amount:f} kr) i beslutet")
        try:
            budget_line_set(
                line=line,
                amount=pbl.amount,
                source=f"projektplan {plan.year} v{plan.version}, fastställd {plan.fixed_on}",
            )
        except BudgetError as exc:
            raise PlanError(str(exc)) from None


def plan_update(*, plan: ProjectPlan, title: str, summary: str, user: Any = None) -> ProjectPlan:
    if user is not None:
        require(user, "plan.edit", plan)
    if plan.frozen:
        raise PlanError("planen är fastställd och kan inte ändras; skapa en ny version")
    plan.title, plan.summary = title, summary
    plan.full_clean()
    plan.save()
    return plan


def plan_set_budget(
    *, plan: ProjectPlan, line: BudgetLine, amount: Decimal, user: Any = None
) -> PlanBudgetLine:
    if user is not None:
        require(user, "plan.edit", plan)
    if plan.frozen:
        raise PlanError("planen är fastställd och kan inte ändras; skapa en ny version")
    if line.budget.decision_id != plan.decision_id or line.budget.year != plan.year:
        raise PlanError("budgetrad: hör inte till planens beslut och år")
    pbl, _created = PlanBudgetLine.objects.update_or_create(
        plan=plan, budget_line=line, defaults={"amount": amount}
    )
    return pbl


def plan_new_version(*, plan: ProjectPlan, user: Any = None) -> ProjectPlan:
    """A fixed plan is frozen: a change starts a new draft version that copies it."""
    if user is not None:
        require(user, "plan.edit", plan)
    with transaction.atomic():
        latest = (
            ProjectPlan.objects.filter(decision=plan.decision, year=plan.year).order_by("-version").first()
        )
        assert latest is not None
        if latest.pk != plan.pk:
            raise PlanError(f"det finns redan en nyare version (v{latest.version})")
        new = ProjectPlan.objects.create(
            decision=plan.decision,
            year=plan.year,
            version=plan.version + 1,
            title=plan.title,
            summary=plan.summary,
            supersedes=plan,
            source=plan.source,
        )
        for pbl in plan.budget_lines.all():
            PlanBudgetLine.objects.create(plan=new, budget_line=pbl.budget_line, amount=pbl.amount)
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


def activity_update(*, activity: Activity, user: Any, **changes: Any) -> Activity:
    """Change an activity's text, status, dates or cost. An RSS user only for their own county."""
    require(user, "activity.edit", activity)
    unknown = set(changes) - set(ACTIVITY_FIELDS)
    if unknown:
        raise PlanError(f"okända fält: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        for name, value in changes.items():
            setattr(activity, name, value)
        activity.full_clean()
        activity.save()
    return activity


def output_create(
    *,
    activity: Activity,
    user: Any,
    label: str,
    unit: str,
    total: int,
    women: int | None = None,
    men: int | None = None,
    other: int | None = None,
    note: str = "",
) -> Output:
    """Add a measured result; a breakdown by sex must add up to the total (names the field)."""
    require(user, "activity.edit", activity)
    position = (activity.outputs.order_by("-position").values_list("position", flat=True).first() or 0) + 1
    output = Output(
        activity=activity,
        label=label,
        unit=unit,
        total=total,
        women=women,
        men=men,
        other=other,
        note=note,
        position=position,
    )
    output.full_clean()
    output.save()
    return output


__all__ = [
    "PermissionDenied",
    "PlanError",
    "activity_update",
    "output_create",
    "plan_new_version",
    "plan_set_budget",
    "plan_transition",
    "plan_update",
]
