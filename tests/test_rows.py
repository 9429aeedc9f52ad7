"""`page_rows`: a page read in two steps (primary keys in order, then the rows with what they
show) is exactly the page a slice gives."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, transaction
from django.db.models import Window
from django.db.models.functions import RowNumber
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jamkoll.plans.models import Activity
from jamkoll.rows import counted_page_rows, page_rows

pytestmark = pytest.mark.django_db

ORDERS = [
    ("sub_project__number", "report_section", "position", "code"),
    ("-planned_cost", "pk"),
    ("status", "-title", "pk"),
    ("goal_area__number", "-pk"),
]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(order=st.sampled_from(ORDERS), start=st.integers(0, 60), size=st.integers(0, 30))
def test_a_page_read_in_two_steps_is_the_slice(order: tuple[str, ...], start: int, size: int) -> None:
    rows = Activity.objects.select_related("sub_project", "goal_area").prefetch_related("counties")
    rows = rows.order_by(*order)
    expected = [a.pk for a in rows[start : start + size]]
    got = page_rows(rows, start, start + size)
    assert [a.pk for a in got] == expected
    for a in got:  # what they show came with them
        assert "sub_project" in a._state.fields_cache
        assert "counties" in a._prefetched_objects_cache


COUNTED = [
    lambda: Activity.objects.select_related("sub_project").prefetch_related("counties"),  # read in two steps
    lambda: Activity.objects.all(),  # nothing joined: one query
    lambda: Activity.objects.filter(year=2018, status="completed"),
    lambda: Activity.objects.filter(counties__code="12").select_related("goal_area"),
    # A join that repeats rows repeats them in the count too, as `count()` and a slice do.
    lambda: Activity.objects.filter(counties__code__in=["12", "01"]),
]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.sampled_from(COUNTED),
    order=st.sampled_from(ORDERS),
    start=st.integers(0, 60),
    size=st.integers(1, 30),
)
def test_a_counted_page_is_the_count_and_the_slice(
    rows: Any, order: tuple[str, ...], start: int, size: int
) -> None:
    qs = rows().order_by(*order)
    expected = ([a.pk for a in qs[start : start + size]], qs.count())
    with CaptureQueriesContext(connection) as queries:
        total, got = counted_page_rows(qs, start, start + size)
    assert ([a.pk for a in got], total) == expected
    # Counted in the query that reads the page's keys (or rows): no COUNT of its own while there
    # are rows on the page; a page past the end asks for the count (none when it starts at 0).
    counts = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT COUNT(*)")]
    assert len(counts) == (1 if not got and start else 0), counts
    assert "OVER ()" in queries.captured_queries[0]["sql"]


@pytest.mark.parametrize(
    "rows",
    [
        lambda: Activity.objects.values("pk", "title").order_by("pk"),
        lambda: Activity.objects.select_related("goal_area").order_by("goal_area__number", "pk").distinct(),
    ],
)
def test_lists_a_window_would_miscount_are_counted_apart(rows: Any) -> None:
    qs = rows()
    total, got = counted_page_rows(qs, 1, 6)
    assert total == qs.count() and list(got) == list(qs[1:6])


def test_a_list_filtered_on_a_window_is_counted_after_the_filter() -> None:
    # Django filters on a window in an outer query: a window of ours inside it would count the
    # rows before that filter (42 seeded activities instead of 5).
    qs = Activity.objects.annotate(n=Window(RowNumber(), order_by="pk")).filter(n__lte=5).order_by("pk")
    total, got = counted_page_rows(qs, 0, 3)
    assert (total, [a.pk for a in got]) == (5, [a.pk for a in qs[0:3]])


def test_a_locked_list_is_counted_apart() -> None:
    # PostgreSQL refuses FOR UPDATE beside a window function.
    with transaction.atomic():
        qs = Activity.objects.select_for_update().order_by("pk")
        total, got = counted_page_rows(qs, 2, 4)
        assert (total, list(got)) == (qs.count(), list(qs[2:4]))


def test_an_empty_slice_still_counts() -> None:
    total, got = counted_page_rows(Activity.objects.order_by("pk"), 0, 0)
    assert (total, list(got)) == (Activity.objects.count(), [])


def test_the_wide_rows_are_read_for_the_page_alone() -> None:
    rows = Activity.objects.select_related("sub_project", "goal_area").order_by("title", "pk")
    assert rows.count() > 20
    with CaptureQueriesContext(connection) as queries:
        got = page_rows(rows, 5, 15)
    assert len(got) == 10
    narrow, wide = (q["sql"] for q in queries.captured_queries)
    assert "plans_subproject" not in narrow.split("FROM")[0]  # the sort reads keys, no joined columns
    assert "LIMIT 10" in narrow and "OFFSET 5" in narrow
    assert "plans_subproject" in wide and "LIMIT" not in wide


@pytest.mark.parametrize(
    "rows",
    [
        lambda: Activity.objects.order_by("pk"),  # nothing joined: one query, as a slice
        lambda: Activity.objects.values("pk", "title").order_by("pk"),
        lambda: Activity.objects.select_related("goal_area").order_by("goal_area__number", "pk").distinct(),
    ],
)
def test_other_lists_are_sliced_as_they_were(rows: Any) -> None:
    qs = rows()
    with CaptureQueriesContext(connection) as queries:
        got = list(page_rows(qs, 2, 7))
    assert len(queries.captured_queries) == 1
    assert got == list(qs[2:7])


def test_an_empty_page_reads_nothing_more() -> None:
    rows = Activity.objects.select_related("goal_area").order_by("pk")
    with CaptureQueriesContext(connection) as queries:
        assert page_rows(rows, 10_000, 10_050) == []
    assert len(queries.captured_queries) == 1


def _shown(activity: Activity) -> tuple[Any, ...]:
    """Everything a row of the plan page and of the API reads through its prefetches."""
    return (
        [c.code for c in activity.counties.all()],
        [g.number for g in activity.also_serves.all()],
        [(p.code, [n.name for n in p.names.all()]) for p in activity.partners.all()],
        [g.number for g in activity.sub_goals.all()],
        [o.number for o in activity.strategy_objectives.all()],
        [m.code for m in activity.municipalities.all()],
        [n.name for n in activity.owner_county.names.all()] if activity.owner_county else None,
        [n.name for n in activity.county_plan.county.names.all()] if activity.county_plan else None,
        [(o.pk, o.label, o.activity is activity) for o in activity.outputs.all()],
    )


def test_the_prefetches_read_per_field_give_what_djangos_give() -> None:
    from jamkoll.plans.selectors import activity_page_rows

    rows = activity_page_rows(Activity.objects.order_by("year", "code"))
    assert rows.count() > 40
    with CaptureQueriesContext(connection) as queries:
        got = page_rows(rows, 0, 60)
        shown = [_shown(a) for a in got]
    expected = [_shown(a) for a in rows[0:60]]
    assert shown == expected
    assert any(s[0] for s in shown) and any(s[2] for s in shown) and any(s[8] for s in shown)
    assert len(queries.captured_queries) <= 2 + 2 * 9, len(queries.captured_queries)


def test_a_relation_read_per_field_refuses_a_further_query() -> None:
    from jamkoll.plans.selectors import activity_page_rows

    got = page_rows(activity_page_rows(Activity.objects.order_by("pk")), 0, 5)
    with pytest.raises((AttributeError, TypeError)):
        got[0].counties.filter(code="12")


def test_a_relation_read_per_field_answers_count_exists_and_first_without_a_query() -> None:
    from jamkoll.plans.selectors import activity_page_rows

    got = page_rows(activity_page_rows(Activity.objects.order_by("pk")), 0, 40)
    with CaptureQueriesContext(connection) as queries:
        for a in got:
            outputs = a.outputs.all()
            assert a.outputs.count() == len(outputs)
            assert a.counties.exists() == bool(list(a.counties.all()))
            assert a.outputs.first() == (outputs[0] if outputs else None)
    assert queries.captured_queries == []


def test_lookups_that_share_a_first_step_are_left_to_django() -> None:
    from django.db.models import Prefetch

    from jamkoll.plans.models import Output

    rows = (
        Activity.objects.select_related("goal_area")
        .prefetch_related(
            Prefetch("outputs", queryset=Output.objects.filter(total__gt=0).order_by("-position")),
            "outputs__activity__counties",
        )
        .order_by("pk")
    )
    got = page_rows(rows, 0, 40)
    expected = list(rows[0:40])

    def kept(activities: list[Activity]) -> list[list[int]]:
        return [[o.pk for o in a.outputs.all()] for a in activities]

    assert kept(got) == kept(expected) and any(kept(got))


def test_a_sliced_prefetch_or_a_subclass_of_prefetch_is_left_to_django() -> None:
    from django.db.models import Prefetch

    from jamkoll.plans.models import Output
    from jamkoll.rows import _steps

    class Other(Prefetch):  # as GenericPrefetch: querysets the fast path cannot read
        pass

    assert _steps(Prefetch("outputs", queryset=Output.objects.order_by("pk")[:1])) is None
    assert _steps(Other("outputs")) is None
    assert _steps(Prefetch("outputs", to_attr="kept")) is None
    assert _steps(Prefetch("outputs")) == (["outputs"], None)
    assert _steps("partners__names") == (["partners", "names"], None)
