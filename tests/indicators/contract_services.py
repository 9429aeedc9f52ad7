"""A stand-in for `jamkoll.indicators.services` (helper "importers" writes the real one), with the
signatures of the contract in BRIEF.md, used only while the real module is not there: the API's
tests run against the real module as soon as it exists (see `services` in test_api.py)."""

from __future__ import annotations

from typing import Any

from jamkoll.accounts.policy import actor_label, actor_user, require
from jamkoll.indicators.models import ImportRun, ImportStatus, Indicator
from jamkoll.reference.models import PolicySubGoal, StrategyObjective


def import_run_create(*, actor: Any, format: str, filename: str, stored_file: str = "") -> ImportRun:
    require(actor, "indicator.import")
    return ImportRun.objects.create(
        format=format,
        filename=filename,
        stored_file=stored_file,
        status=ImportStatus.QUEUED,
        requested_by=actor_user(actor),
        requested_by_label=actor_label(actor),
    )


def import_run_enqueue(run: ImportRun) -> None:
    return None


def indicator_update(*, actor: Any, indicator: Indicator, **fields: Any) -> Indicator:
    require(actor, "indicator.edit")
    for name in ("title", "description", "unit", "higher_is_better"):
        if name in fields:
            setattr(indicator, name, fields[name])
    if fields.get("title"):
        indicator.provisional = False
    indicator.save()
    if "sub_goals" in fields:
        indicator.sub_goals.set(PolicySubGoal.objects.filter(number__in=fields["sub_goals"]))
    if "strategy_objectives" in fields:
        indicator.strategy_objectives.set(
            StrategyObjective.objects.filter(number__in=fields["strategy_objectives"])
        )
    return indicator
