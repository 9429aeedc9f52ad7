"""Seed 003 states when activities happen only as years or events ("genomförs under 2019",
"lanseras … Skolriksdagen 2019"): the system holds those words, never a day the document does
not give (issue 13, class 2)."""

from typing import Any

import pytest

from jamkoll.plans.models import Activity
from tests.conftest import client_for
from tests.seeds import normalise, seed_text

pytestmark = pytest.mark.django_db
SLUG = "jamstalldhet-kvinnofrid-2018-2020"


def _seeded() -> list[Activity]:
    return list(Activity.objects.filter(decision__slug=SLUG, year=2018).exclude(source=""))


def test_seeded_activities_carry_no_date_the_report_does_not_state() -> None:
    activities = _seeded()
    assert len(activities) > 30
    dated = [
        a.code for a in activities if any((a.planned_start, a.planned_end, a.actual_start, a.actual_end))
    ]
    assert dated == []


def test_seeded_time_words_are_the_reports_own() -> None:
    periods = {a.code: a.planned_period for a in _seeded() if a.planned_period}
    assert len(periods) == 7
    text = seed_text("003")
    for code, words in periods.items():
        assert normalise(words) in text, (code, words)
    assert periods["2018-4-3-arbetsgivarstod"] == "Stödinsatsen kommer att genomföras 2019–2020."


def test_the_activity_page_shows_the_documents_words_not_a_date(coordinator: Any) -> None:
    page = client_for(coordinator).get(f"/planer/{SLUG}/2018/aktivitet/2018-3-3-pojkars-skolresultat/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Skriften lanseras i samband med Skolriksdagen 2019." in body
    assert "2019-12-31" not in body and "2019-01-01" not in body
