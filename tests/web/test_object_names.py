"""Objects name themselves as a user reads them (issue 15): titles and names, never a slug or a
code, wherever they appear (the change history's "what", the admin, a refusal)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from jamkoll.history import value_text
from jamkoll.obligations.models import Obligation
from jamkoll.plans.models import CountyPlan, SteeringGroup
from jamkoll.programmes.models import Budget, BudgetLine, FundingDecision, Programme
from jamkoll.reference.sources import cite

pytestmark = pytest.mark.django_db


def _slug_pattern() -> re.Pattern[str]:
    slugs = [
        *FundingDecision.objects.values_list("slug", flat=True),
        *Programme.objects.values_list("slug", flat=True),
    ]
    return re.compile("|".join(re.escape(s) for s in slugs if s))


@pytest.mark.parametrize("model", [Budget, BudgetLine, SteeringGroup, CountyPlan])
def test_str_is_a_name_not_a_slug_or_code(model: Any) -> None:
    objects = list(model.objects.all()[:20])
    if not objects:
        pytest.skip(f"no {model.__name__} in the seeded database")
    pattern = _slug_pattern()
    for obj in objects:
        text = str(obj)
        assert not pattern.search(text), text
        assert "None" not in text and not re.search(r"\b(state|rss|skr)\b", text), text


def test_a_budget_line_names_its_recipient() -> None:
    line = BudgetLine.objects.select_related("budget__decision", "goal_area").first()
    if line is None:
        pytest.skip("no budget line")
    assert line.budget.decision.title in str(line)
    assert str(line.get_recipient_display()) in str(line)


def test_the_history_cites_a_data_file_by_its_title() -> None:
    field = Obligation._meta.get_field("evidence")
    text = value_text(field, "seed 003 §1")
    assert "seed 003" not in text and text == cite("seed 003 §1")
