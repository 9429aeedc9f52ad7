"""`table_from_request`: the HTML lists page in SQL and take their count from the query that reads
the page, not from a COUNT before it; what they show is what Django's paginator would show."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jamkoll.plans.models import Activity
from jamkoll.tables import Column, table_from_request

pytestmark = pytest.mark.django_db

COLUMNS = [
    Column("kod", "Kod", order=("code", "pk")),
    Column("kostnad", "Planerad kostnad", order=("planned_cost", "pk")),
]
LISTS = [
    lambda: Activity.objects.all(),
    lambda: Activity.objects.select_related("sub_project").prefetch_related("counties"),  # two steps
    lambda: Activity.objects.filter(year=2018),
    lambda: Activity.objects.filter(year=1900),  # none
]


def _table(items: Any, query: dict[str, str], page_size: int, show_all_max: int = 0) -> Any:
    request = RequestFactory().get("/lista/", query)
    return table_from_request(
        request, items, COLUMNS, default_sort="kod", page_size=page_size, show_all_max=show_all_max
    )


def _counts(queries: list[dict[str, Any]]) -> int:
    return sum(q["sql"].lstrip().upper().startswith("SELECT COUNT(") for q in queries)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    items=st.sampled_from(LISTS),
    page=st.one_of(st.integers(1, 12), st.sampled_from([50, 999_999, 1_000_000])),
    page_size=st.integers(1, 30),
    sort=st.sampled_from(["kod", "kostnad"]),
)
def test_a_table_page_is_the_paginators_page_with_its_count(
    items: Any, page: int, page_size: int, sort: str
) -> None:
    rows = items()
    expected = Paginator(rows.order_by(*{c.key: c.order for c in COLUMNS}[sort]), page_size)
    shown = expected.get_page(min(page, expected.num_pages))
    with CaptureQueriesContext(connection) as queries:
        table = _table(rows, {"sida": str(page), "sortera": sort}, page_size)
    assert table.total == expected.count
    assert table.page.number == shown.number
    assert [a.pk for a in table.rows] == [a.pk for a in shown.object_list]
    assert (table.page.has_next(), table.page.has_previous()) == (shown.has_next(), shown.has_previous())
    within = (page - 1) * page_size < expected.count
    # A page with rows is counted in its own query; only a page past the end asks for a COUNT.
    assert _counts(queries.captured_queries) == (0 if within or page == 1 else 1)


def test_show_all_still_counts_first_and_shows_every_row() -> None:
    n = Activity.objects.count()
    table = _table(Activity.objects.all(), {"sida": "alla"}, page_size=10, show_all_max=n)
    assert table.showing_all and table.total == n and len(table.rows) == n
    table = _table(Activity.objects.all(), {"sida": "alla"}, page_size=10, show_all_max=n - 1)
    assert not table.showing_all and len(table.rows) == 10  # too many to show at once: page 1


def test_a_page_of_a_known_total_is_not_counted_again() -> None:
    with CaptureQueriesContext(connection) as queries:
        table = _table(Activity.objects.all(), {"sida": "2"}, page_size=10)
    assert "OVER ()" in queries.captured_queries[0]["sql"] and len(queries.captured_queries) == 1
    assert table.total == Activity.objects.count() and len(table.rows) == 10
