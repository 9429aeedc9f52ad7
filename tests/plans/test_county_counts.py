"""The counties' summary of a year (`rss_overview`, the RSS overview page and
`GET /api/v1/plans/{slug}/{year}/counties`): its counts are the rows', and they are read from
the year's rows through indexes, not from every output of every year (issue 16)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jamkoll.plans.models import MEASURED, Activity, Output
from jamkoll.plans.selectors import rss_overview
from jamkoll.programmes.selectors import decision_get
from tests.conftest import add_volume
from tests.plans.factories import SLUG, ActivityFactory

pytestmark = pytest.mark.django_db


def _recount(year: int) -> dict[str, tuple[int, int, int, int]]:
    """Per county: activities, measured outputs, activities with one, outputs not measured —
    counted here, row by row."""
    activities: dict[str, int] = defaultdict(int)
    measured: dict[str, int] = defaultdict(int)
    with_measured: dict[str, set[int]] = defaultdict(set)
    unmeasured: dict[str, int] = defaultdict(int)
    owned = Activity.objects.filter(decision__slug=SLUG, year=year, owner_county__isnull=False)
    for a in owned.select_related("owner_county"):
        activities[a.owner_county.code] += 1
    for o in Output.objects.filter(activity__in=owned).select_related("activity__owner_county"):
        code = o.activity.owner_county.code
        if o.qualifier in MEASURED:
            measured[code] += 1
            with_measured[code].add(o.activity_id)
        else:
            unmeasured[code] += 1
    return {
        code: (n, measured[code], len(with_measured[code]), unmeasured[code])
        for code, n in activities.items()
    }


def test_the_counts_are_the_rows(django_capture_on_commit_callbacks: Any) -> None:
    add_volume(django_capture_on_commit_callbacks, per_county=3)
    # Skåne: one activity with two measured outputs and one that is not (counted once among the
    # activities with results), one with only a planned figure, one with none.
    two = ActivityFactory(county="12")
    for position, qualifier in enumerate(("exact", "at_least", "approximate")):
        Output.objects.create(
            activity=two, label=f"r{position}", total=1, qualifier=qualifier, position=position
        )
    planned = ActivityFactory(county="12")
    Output.objects.create(activity=planned, label="p", total=4, qualifier="planned")
    ActivityFactory(county="12")
    rows = {r.code: r for r in rss_overview(decision=decision_get(slug=SLUG), year=2018)}
    expected = _recount(2018)
    assert len(rows) == 21 and expected["12"][0] >= 3
    for code, row in rows.items():
        got = (row.activities, row.outputs, row.with_outputs, row.unmeasured)
        assert got == expected.get(code, (0, 0, 0, 0)), code


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the catalogue is PostgreSQL's")
def test_the_counting_indexes_hold_what_the_counts_read() -> None:
    """The two counting queries filter and group by the columns of these indexes, in this order,
    so that PostgreSQL can answer them from the indexes alone. (Which index the planner picks
    depends on the table's statistics, so the catalogue is checked, not a plan.)"""
    decision = decision_get(slug=SLUG)
    with CaptureQueriesContext(connection) as ctx:
        rss_overview(decision=decision, year=2018)
    assert len([q for q in ctx.captured_queries if "COUNT(" in q["sql"]]) == 2
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE indexname IN "
            "('activity_year_county', 'output_year') ORDER BY indexname"
        )
        defs = dict(cursor.fetchall())
    assert defs["activity_year_county"].endswith(
        "ON public.plans_activity USING btree (decision_id, year, owner_county_id, id)"
    )
    assert defs["output_year"].endswith(
        "ON public.plans_output USING btree (decision_id, year, activity_id, qualifier)"
    )


def test_the_outputs_are_counted_from_their_own_decision_and_year() -> None:
    """The outputs' counts select the year's outputs by the decision and year each output carries
    (`output_year`), not by joining every output in the database to the year's activities: that
    join read all 37 813 outputs at national volume for the 4 213 of one year (issue 16)."""
    decision = decision_get(slug=SLUG)
    with CaptureQueriesContext(connection) as ctx:
        rss_overview(decision=decision, year=2018)
    [outputs] = [q["sql"] for q in ctx.captured_queries if '"plans_output"' in q["sql"]]
    where = outputs.split(" WHERE ", 1)[1]
    assert '"plans_output"."decision_id" = ' in where and '"plans_output"."year" = ' in where
