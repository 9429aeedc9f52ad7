"""Kolada's KPI catalogue (/v3/kpi documents): upserted indicators, provisional ones completed,
all or nothing; an analyst's edits."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jamkoll.accounts.policy import operator
from jamkoll.indicators.models import ImportRun, ImportStatus, Indicator
from jamkoll.indicators.services import catalogue_load, import_file, indicator_update
from jamkoll.reference.models import PolicySubGoal

from .docs import catalogue_doc, kolada_doc, obs, write_json

pytestmark = pytest.mark.django_db


def test_catalogue_creates_and_updates(tmp_path: Path) -> None:
    import_file(
        actor=operator(), path=write_json(tmp_path / "d.json", kolada_doc([obs("N00945", "0180", 2024, T=1)]))
    )
    assert Indicator.objects.get(code="N00945").provisional
    doc = catalogue_doc(
        [
            {
                "id": "N00945",
                "title": "Förvärvsarbetande invånare 20-64 år, andel (%)",
                "description": "Antal…",
            },
            {
                "id": "U00002",
                "title": "Kostnad",
                "is_divided_by_gender": False,
                "publication_date": "2024-03-01",
            },
        ]
    )
    run = catalogue_load(actor=operator(), path=write_json(tmp_path / "kpi.json", doc))
    assert run.status == ImportStatus.DONE and run.format == "catalogue"
    assert (run.rows, run.created, run.updated, run.unchanged, run.indicators_created) == (2, 1, 1, 0, 1)
    n945 = Indicator.objects.get(code="N00945")
    assert not n945.provisional and n945.title.startswith("Förvärvsarbetande") and n945.divided_by_gender
    assert n945.operating_area == "Arbetsmarknad" and n945.publication_date == dt.date(2025, 2, 21)
    u2 = Indicator.objects.get(code="U00002")
    assert not u2.divided_by_gender and u2.publication_date == dt.date(2024, 3, 1)
    assert u2.history.count() == 1 and n945.history.count() == 2

    # An analyst's unit and direction survive a reload; an unchanged catalogue changes nothing.
    Indicator.objects.filter(code="N00945").update(unit="%", higher_is_better=True)
    again = catalogue_load(actor=operator(), path=write_json(tmp_path / "kpi.json", doc))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    n945.refresh_from_db()
    assert n945.unit == "%" and n945.higher_is_better is True


def test_a_bad_catalogue_changes_nothing(tmp_path: Path) -> None:
    doc = catalogue_doc(
        [{"id": "N1"}, {"id": "N2", "title": "a\x00b"}, {"id": "bad id"}, {"id": "N1"}, {"id": "N3"}]
    )
    doc["values"][4]["publication_date"] = "2024-13-45"
    with pytest.raises(ValidationError):
        catalogue_load(actor=operator(), path=write_json(tmp_path / "kpi.json", doc))
    problems = [(p["where"], p["field"]) for p in ImportRun.objects.get().problems]
    assert problems == [
        ("$.values[1].title", "title"),
        ("$.values[2].id", "id"),
        ("$.values[3].id", "id"),
        ("$.values[4].publication_date", "publication_date"),
    ]
    assert not Indicator.objects.filter(code__in=["N1", "N2", "N3"]).exists()


def test_indicator_update(tmp_path: Path, analyst: Any, no_role: Any) -> None:
    import_file(
        actor=operator(), path=write_json(tmp_path / "d.json", kolada_doc([obs("N00945", "0180", 2024, T=1)]))
    )
    indicator = Indicator.objects.get(code="N00945")
    goal = PolicySubGoal.objects.order_by("number").first()
    assert goal is not None
    with pytest.raises(PermissionDenied):
        indicator_update(actor=no_role, indicator=indicator, title="x")
    with pytest.raises(ValidationError) as refused:
        indicator_update(actor=analyst, indicator=indicator, title="", sub_goals=[999], colour="red")
    assert set(refused.value.message_dict) == {"title", "sub_goals", "colour"}
    indicator_update(
        actor=analyst, indicator=indicator, title="Andel förvärvsarbetande", unit="%", sub_goals=[goal.number]
    )
    indicator.refresh_from_db()
    assert not indicator.provisional and indicator.unit == "%"
    assert list(indicator.sub_goals.all()) == [goal]
    assert indicator.history.first().history_user == analyst  # type: ignore[union-attr]
