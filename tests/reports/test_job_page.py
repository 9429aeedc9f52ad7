"""The report job's page polls with htmx, not with a timed refresh of the whole page (WCAG 2.2.1,
axe-core's meta-refresh), and sends the browser on to the report when it is done."""

from __future__ import annotations

import re
from typing import Any

import pytest

from jamkoll.reports.models import JobStatus, ReportJob
from jamkoll.reports.services import report_job_create
from jamkoll.reports.tasks import generate_report
from tests.conftest import client_for

pytestmark = pytest.mark.django_db
SLUG = "jamstalldhet-kvinnofrid-2018-2020"


def test_the_job_page_polls_without_a_timed_refresh(coordinator: Any) -> None:
    job = report_job_create(actor=coordinator, kind="financial", decision_slug=SLUG, year=2018, enqueue=False)
    html = client_for(coordinator).get(f"/rapporter/jobb/{job.pk}/").content.decode()
    outside_noscript = re.sub(r"<noscript>.*?</noscript>", "", html, flags=re.S)
    assert 'http-equiv="refresh"' not in outside_noscript
    assert f'hx-get="/rapporter/jobb/{job.pk}/"' in html and 'hx-trigger="every 2s"' in html


def test_the_poll_of_a_done_job_opens_the_report(coordinator: Any) -> None:
    job = report_job_create(actor=coordinator, kind="financial", decision_slug=SLUG, year=2018, enqueue=False)
    generate_report.call(str(job.pk))
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.result_id
    client = client_for(coordinator)
    polled = client.get(f"/rapporter/jobb/{job.pk}/", headers={"HX-Request": "true"})
    assert polled.status_code == 200 and polled["HX-Redirect"] == f"/rapporter/{job.result_id}/"
    plain = client.get(f"/rapporter/jobb/{job.pk}/")
    assert plain.status_code == 302 and plain["Location"] == f"/rapporter/{job.result_id}/"
    assert ReportJob.objects.count() == 1
