"""The plan's activities download as CSV and XLSX (issue 15) with the page's filters, formula
injection neutralised and numbers as numbers."""

import csv
import io
from typing import Any

import pytest
from openpyxl import load_workbook

from jamkoll.plans.models import Activity
from tests.conftest import client_for

pytestmark = pytest.mark.django_db
SLUG = "jamstalldhet-kvinnofrid-2018-2020"
PAGE = f"/planer/{SLUG}/2018/"


def test_the_plan_page_offers_and_serves_the_downloads(coordinator: Any) -> None:
    c = client_for(coordinator)
    html = c.get(PAGE).content.decode()
    assert "format=csv" in html and "format=xlsx" in html
    activities = Activity.objects.filter(decision__slug=SLUG, year=2018)
    assert activities.exists()
    first = activities.first()
    assert first is not None
    Activity.objects.filter(pk=first.pk).update(title='=HYPERLINK("http://evil","x")')
    rows = list(csv.reader(io.StringIO(c.get(PAGE, {"format": "csv"}).content.decode("utf-8-sig"))))
    body = rows[3:]
    assert len(body) == activities.count()
    assert '\'=HYPERLINK("http://evil","x")' in [r[2] for r in body]
    book = load_workbook(io.BytesIO(c.get(PAGE, {"format": "xlsx"}).content))
    values = list(book.active.iter_rows(values_only=True))
    assert values[2][2] == "Aktivitet" and len(values) == 3 + activities.count()
    assert any(isinstance(v[3], int) for v in values[3:])  # the goal area stays a number
