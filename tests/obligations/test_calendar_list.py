"""The year's deadlines as a list that works: sorted, paged and downloaded as CSV and XLSX by the
shared table toolkit (`jamkoll.tables`), compact rows, and no server error on hostile parameters."""

import csv
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
CAL_2019 = f"/deadlines/{AGREEMENT}/2019/"


def _csv(body: bytes) -> list[list[str]]:
    text = body.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_sort_by_title_descending_and_back(coordinator: Any) -> None:
    c = client_for(coordinator)
    html = c.get(CAL_2019, {"sortera": "atagande", "ordning": "fallande", "sida": "alla"}).content.decode()
    assert 'aria-sort="descending"' in html
    decision = FundingDecision.objects.get(slug=AGREEMENT)
    titles = [escape(o.title) for o in obligation_list(decision=decision, year=2019)]
    first, last = max(titles), min(titles)
    assert html.index(first) < html.index(last)
    assert "Ej fastställt datum" not in html  # no month headings outside date order
    ascending = c.get(CAL_2019, {"sortera": "atagande", "sida": "alla"}).content.decode()
    assert 'aria-sort="ascending"' in ascending and ascending.index(last) < ascending.index(first)


def test_pages_and_show_all(coordinator: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(views, "CALENDAR_PAGE_SIZE", 10)
    c = client_for(coordinator)
    full = c.get(CAL_2019, {"sida": "alla"}).content.decode()
    total = int(full.split(" rader</p>")[0].rsplit(">", 1)[1])
    assert 20 < total <= 30
    first = c.get(CAL_2019).content.decode()
    assert f"Rad 1–10 av {total}" in first and "sida=2" in first and "Visa alla" in first
    last = c.get(CAL_2019, {"sida": "3"}).content.decode()
    assert f"Rad 21–{total} av {total}" in last and 'rel="prev"' in last and 'rel="next"' not in last
    assert c.get(CAL_2019, {"sida": "99"}).content.decode().count(f"Rad 21–{total}") >= 1  # the last page
    # Compact: no inline forms, a fraction of the old 270 KB.
    assert '<form method="post" action="/deadlines/atagande/' not in full
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
