"""The year's deadlines as a list that works: sorted, paged and downloaded as CSV and XLSX by the
shared table toolkit (`jamkoll.tables`), compact rows, and no server error on hostile parameters."""

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.utils.html import escape
from openpyxl import load_workbook

from jamkoll.obligations import views
from jamkoll.obligations.models import Obligation
from jamkoll.obligations.selectors import obligation_list
from jamkoll.programmes.models import FundingDecision
from tests.conftest import client_for

from .conftest import AGREEMENT, obligation

pytestmark = pytest.mark.django_db
CAL_2019 = f"/tidsfrister/{AGREEMENT}/2019/"


def _csv(body: bytes) -> list[list[str]]:
    text = body.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_sort_by_title_descending_and_back(coordinator: Any) -> None:
    c = client_for(coordinator)
    every = {"sida": "alla", "lan": "alla"}
    html = c.get(CAL_2019, {"sortera": "atagande", "ordning": "fallande", **every}).content.decode()
    assert 'aria-sort="descending"' in html
    decision = FundingDecision.objects.get(slug=AGREEMENT)
    titles = [escape(o.title) for o in obligation_list(decision=decision, year=2019)]
    first, last = max(titles), min(titles)
    assert html.index(first) < html.index(last)
    assert "Ej fastställt datum" not in html  # no month headings outside date order
    ascending = c.get(CAL_2019, {"sortera": "atagande", **every}).content.decode()
    assert 'aria-sort="ascending"' in ascending and ascending.index(last) < ascending.index(first)


def test_pages_and_show_all(coordinator: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(views, "CALENDAR_PAGE_SIZE", 10)
    c = client_for(coordinator)
    full = c.get(CAL_2019, {"sida": "alla", "lan": "alla"}).content.decode()
    total = int(full.split(" rader</p>")[0].rsplit(">", 1)[1])
    assert 20 < total <= 30
    first = c.get(CAL_2019, {"lan": "alla"}).content.decode()
    assert f"Rad 1–10 av {total}" in first and "sida=2" in first and "Visa alla" in first
    last = c.get(CAL_2019, {"sida": "3", "lan": "alla"}).content.decode()
    assert f"Rad 21–{total} av {total}" in last and 'rel="prev"' in last and 'rel="next"' not in last
    assert c.get(CAL_2019, {"sida": "99", "lan": "alla"}).content.decode().count(f"Rad 21–{total}") >= 1
    # Compact: no inline forms, a fraction of the old 270 KB.
    assert '<form method="post" action="/tidsfrister/atagande/' not in full
    assert len(full) < 120_000


def test_filters_and_exports_carry_the_same_rows(coordinator: Any) -> None:
    c = client_for(coordinator)
    params = {"kind": "requisition", "county": "12"}
    html = c.get(CAL_2019, params).content.decode()
    assert "format=csv" in html and "format=xlsx" in html
    response = c.get(CAL_2019, {**params, "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = _csv(response.content)
    assert rows[0][0].startswith("Tidsfrister 2019")
    body = rows[3:]
    assert [r[2] for r in body] == [obligation("2019-requisition-rss-12").title]
    xlsx = c.get(CAL_2019, {**params, "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[2][0] == "Sista dag"
    assert values[3][2] == obligation("2019-requisition-rss-12").title
    assert values[3][4] == 2019  # a number stays a number


def test_a_formula_in_a_title_is_neutralised_in_both_downloads(coordinator: Any) -> None:
    o = obligation("2019-requisition-rss-12")
    Obligation.objects.filter(pk=o.pk).update(title='=HYPERLINK("http://evil","x")')
    c = client_for(coordinator)
    params = {"kind": "requisition", "county": "12"}
    rows = _csv(c.get(CAL_2019, {**params, "format": "csv"}).content)
    assert rows[3][2] == '\'=HYPERLINK("http://evil","x")'
    sheet = load_workbook(io.BytesIO(c.get(CAL_2019, {**params, "format": "xlsx"}).content)).active
    cells = list(sheet.iter_rows(values_only=True))
    assert cells[3][2] == '\'=HYPERLINK("http://evil","x")'


@pytest.mark.parametrize(
    "params",
    [
        {"sida": "-1"},
        {"sida": "999999999999999999999"},
        {"sida": "alla' OR 1=1"},
        {"sortera": "<script>alert(1)</script>"},
        {"sortera": "pk", "ordning": "<b>"},
        {"sortera": "x" * 1_000_000},
        {"format": "exe"},
        {"format": "csv", "sortera": "status"},
    ],
)
def test_bad_parameters_are_no_server_error(coordinator: Any, params: dict[str, str]) -> None:
    response = client_for(coordinator).get(CAL_2019, params)
    assert response.status_code in (200, 400)  # 400: a query string over the site's limit
    assert b"<script>alert(1)" not in response.content


def test_the_filter_keeps_the_sort_and_the_bulk_form_sits_above_the_list(coordinator: Any) -> None:
    html = client_for(coordinator).get(CAL_2019, {"sortera": "atagande"}).content.decode()
    assert '<input type="hidden" name="sortera" value="atagande">' in html
    assert html.index("Datum för alla län") < html.index('class="deadlines"')


def _undated_requisitions(year: int) -> list[Obligation]:
    return list(
        Obligation.objects.filter(
            decision__slug=AGREEMENT, year=year, kind="requisition", effective_date__isnull=True
        ).exclude(county=None)
    )


def test_the_counties_undated_obligations_are_one_line_per_kind_with_a_link_to_them(coordinator: Any) -> None:
    c = client_for(coordinator)
    undated = _undated_requisitions(2019)
    assert len(undated) == 21
    html = c.get(CAL_2019).content.decode()
    section = html[html.index('id="lanens-ataganden"') :]
    assert "Länens åtaganden utan fastställt datum" in section and "Visa alla 21 län" in section
    assert all(escape(o.title) not in html for o in undated)
    assert "Rad" not in html or "av 7" in html  # the state's rows only
    href = 'href="?kind=requisition&amp;lan=alla#lanens-ataganden"'
    assert href in section
    expanded = c.get(CAL_2019, {"kind": "requisition", "lan": "alla"}).content.decode()
    assert all(escape(o.title) in expanded for o in undated) and 'id="lanens-ataganden"' not in expanded
    assert '<input type="hidden" name="lan" value="alla">' in expanded  # the filter keeps it
    one = c.get(CAL_2019, {"county": "12"}).content.decode()  # a chosen county: its own rows
    assert obligation("2019-requisition-rss-12").title in one and 'id="lanens-ataganden"' not in one
    csv_rows = _csv(c.get(CAL_2019, {"format": "csv"}).content)  # a download has every row
    assert {o.title for o in undated} <= {r[2] for r in csv_rows[3:]}


def test_an_rss_leader_sees_their_own_countys_undated_rows_and_the_rest_collapsed(rss_skane: Any) -> None:
    """What Skåne's RSS has to hand in stays a row of its own; the other 20 counties are one line."""
    html = client_for(rss_skane).get(CAL_2019).content.decode()
    assert escape(obligation("2019-requisition-rss-12").title) in html
    assert escape(obligation("2019-requisition-rss-25").title) not in html
    section = html[html.index('id="lanens-ataganden"') :]
    assert "Visa alla 20 län" in section


def test_the_calendar_costs_the_same_queries_at_ten_times_the_volume(coordinator: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    c = client_for(coordinator)
    c.get(CAL_2019)  # the session

    def cost() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            response = c.get(CAL_2019)
        assert response.status_code == 200
        return len(queries), len(response.content)

    small, small_size = cost()
    copies = []
    for n in range(1, 11):  # ten more kinds of undated county obligation, and ten more dated rows
        for o in _undated_requisitions(2019):
            o.pk, o.key, o.period_start, o.period_end = (
                None,
                f"{o.key}-x{n}",
                dt.date(2019, n, 1),
                dt.date(2019, n, 28),
            )
            copies.append(o)
        dated = obligation("2018-financial_report")
        dated.pk, dated.key = None, f"2018-financial_report-x{n}"
        copies.append(dated)
    Obligation.objects.bulk_create(copies)
    large, large_size = cost()
    assert large == small
    assert large_size < small_size * 1.5 + 10_000  # ten more summary lines, the same page of rows
