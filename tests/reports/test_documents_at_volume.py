"""Documents at volume (issue 16): the result report of a year with thousands of activities is
assembled with the same queries at any volume, lists every activity in its annex, and the version
page shows what was stored instead of assembling the document again."""

from typing import Any
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jamkoll.plans.models import Activity
from jamkoll.programmes.selectors import decision_get
from jamkoll.reports.assemblers import ANNEX_TITLE, DETAIL_ROWS_MAX, OTHERS_IN_FULL_MAX, result_report
from jamkoll.reports.document import Table
from jamkoll.reports.services import report_generate
from jamkoll.volume import VolumeArgs, volume_generate
from tests.conftest import client_for

pytestmark = pytest.mark.django_db
SLUG = "jamstalldhet-kvinnofrid-2018-2020"


def _assembly_queries() -> tuple[int, Any]:
    decision = decision_get(slug=SLUG)
    with CaptureQueriesContext(connection) as queries:
        document = result_report(decision=decision, year=2018)
    return len(queries), document


def _annex(document: Any) -> Table:
    (section,) = [s for s in document.sections if s.title.startswith(ANNEX_TITLE)]
    (table,) = [b for b in section.blocks if isinstance(b, Table)]
    return table


def _more_activities() -> None:
    # 21 counties × 15: more than DETAIL_ROWS_MAX outputs and OTHERS_IN_FULL_MAX unplaced activities.
    volume_generate(VolumeArgs(programmes=1, years=1, per_county=15))
    assert Activity.objects.filter(year=2018).count() > max(DETAIL_ROWS_MAX, OTHERS_IN_FULL_MAX) + 42


def test_the_result_report_is_assembled_with_the_same_queries_at_two_volumes() -> None:
    small, _document = _assembly_queries()
    _more_activities()
    large, document = _assembly_queries()
    assert small == large, (small, large)
    assert small < 80
    # The generated activities are summed and listed, not described one by one in the text.
    (others,) = [s for s in document.sections if s.title == "Övriga aktiviteter"]
    assert len(others.blocks) == 1 and "ytterligare 315 aktiviteter" in others.blocks[0].text


def test_the_annex_lists_every_activity_once() -> None:
    _more_activities()
    _queries, document = _assembly_queries()
    annex = _annex(document)
    expected = list(Activity.objects.filter(decision__slug=SLUG, year=2018).values_list("title", flat=True))
    assert len(annex.rows) == len(expected)
    assert sorted(row[1] for row in annex.rows) == sorted(expected)
    assert annex.compact


def test_the_summaries_per_goal_area_and_county_add_up() -> None:
    _more_activities()
    _queries, document = _assembly_queries()
    tables = {b.caption: b for s in document.sections for b in s.blocks if isinstance(b, Table)}
    areas, counties = tables["Aktiviteter 2018 per målområde"], tables["Aktiviteter 2018 per län"]
    total = Activity.objects.filter(decision__slug=SLUG, year=2018).count()
    for table in (areas, counties):
        assert sum(int(row[1].replace(" ", "")) for row in table.rows) == total
        assert table.footer is not None and int(table.footer[1].replace(" ", "")) == total
    assert len(counties.rows) >= 21


def test_the_summaries_say_a_planned_cost_is_not_stated_and_how_many_state_one() -> None:
    """2018's activities in the documents state no planned cost: the summaries say "ej angiven",
    not "0 kr", and "–" for a breakdown by sex no measured result gives (nothing invented, issue 13).
    The generated activities state costs for some: their rows say how many of them."""

    def tables() -> dict[str, Table]:
        _queries, document = _assembly_queries()
        return {b.caption: b for s in document.sections for b in s.blocks if isinstance(b, Table)}

    areas = tables()["Aktiviteter 2018 per målområde"]
    for row in (*areas.rows, areas.footer):
        assert row is not None and row[2] == "ej angiven" and "0 kr" not in row, row
    assert any(row[3:] == ("–", "–", "–") for row in areas.rows)
    _more_activities()
    counties = tables()["Aktiviteter 2018 per län"]
    costed = Activity.objects.filter(decision__slug=SLUG, year=2018, planned_cost__isnull=False).count()
    total = Activity.objects.filter(decision__slug=SLUG, year=2018).count()
    assert 0 < costed < total
    assert counties.footer is not None and counties.footer[2].endswith(f"\xa0kr ({costed} av {total})")


def test_the_half_year_report_counts_the_statuses_in_sql_at_two_volumes() -> None:
    """The half-year report's table of statuses is one grouped query: the same queries at two
    volumes, and the counts are the rows' (it read every activity of the year, with their
    prefetches, to count them in Python)."""
    import datetime as dt
    from collections import Counter

    from jamkoll.reports.assemblers import status_report

    def assembled() -> tuple[int, Table]:
        with CaptureQueriesContext(connection) as queries:
            document = status_report(
                decision=decision_get(slug=SLUG), year=2018, period_start=dt.date(2018, 1, 1)
            )
        (table,) = [
            b
            for s in document.sections
            for b in s.blocks
            if isinstance(b, Table) and b.caption == "Aktiviteter 2018 per status"
        ]
        return len(queries), table

    small, _table = assembled()
    _more_activities()
    with CaptureQueriesContext(connection) as queries:
        large, table = assembled()
    assert small == large, (small, large)
    # No query reads the activities themselves (their texts, or their links by the hundred).
    assert not [q for q in queries.captured_queries if '"plans_activity"."description"' in q["sql"]]
    rows = Activity.objects.filter(decision__slug=SLUG, year=2018)
    expected = Counter(a.get_status_display() for a in rows)
    assert {k: int(v.replace("\xa0", "")) for k, v in table.rows} == expected
    assert table.footer is not None and int(table.footer[1].replace("\xa0", "")) == rows.count() > 300


def _version_page_queries(client: Any, pk: int) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        page = client.get(f"/rapporter/{pk}/")
    assert page.status_code == 200
    return len(queries), page.content.decode()


def test_the_version_page_never_assembles_and_costs_the_same_at_two_volumes(coordinator: Any) -> None:
    decision = decision_get(slug=SLUG)
    client = client_for(coordinator)
    small_version = report_generate(
        kind="result", decision=decision, year=2018, actor=coordinator, formats=("html", "md")
    )
    _more_activities()
    large_version = report_generate(
        kind="result", decision=decision, year=2018, actor=coordinator, formats=("html", "md")
    )
    with (
        mock.patch("jamkoll.reports.assemblers.assemble", side_effect=AssertionError("assembled")) as a,
        mock.patch("jamkoll.reports.services.assemble", side_effect=AssertionError("assembled")) as b,
    ):
        _version_page_queries(client, small_version.pk)  # the first request fills the caches
        small, html_small = _version_page_queries(client, small_version.pk)
        large, html_large = _version_page_queries(client, large_version.pk)
    assert not a.called and not b.called
    assert small == large, (small, large)
    # The preview is the stored file's body: the small one whole, the large one too (under the cap).
    assert "Förhandsvisning" in html_small and "report-preview" in html_small
    assert ANNEX_TITLE in html_large


def test_a_stored_file_is_served_with_its_checksum_as_etag_and_not_read_again(coordinator: Any) -> None:
    decision = decision_get(slug=SLUG)
    version = report_generate(kind="result", decision=decision, year=2018, actor=coordinator, formats=("md",))
    client = client_for(coordinator)
    first = client.get(f"/rapporter/{version.pk}/fil/md/")
    assert first.status_code == 200 and first["ETag"] == f'"{first["X-Content-SHA256"]}"'
    assert first["Cache-Control"] == "private, no-cache"  # a draft: never in a shared cache
    again = client.get(f"/rapporter/{version.pk}/fil/md/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b""
