"""Asking for a report: one `report_job_create` for the page, the API and the CLI; the background
task runs as the user who asked (the policy asked again) and the CLI as the operator."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from jamkoll.accounts.models import RoleAssignment
from jamkoll.accounts.policy import operator
from jamkoll.reports.models import JobStatus, ReportJob, ReportVersion
from jamkoll.reports.services import report_job_create, report_job_run
from jamkoll.reports.tasks import generate_report
from tests.hostile import nothing_stored

pytestmark = pytest.mark.django_db
SLUG = "jamstalldhet-kvinnofrid-2018-2020"


def _job(actor: Any, **kwargs: Any) -> ReportJob:
    return report_job_create(
        actor=actor, **{"kind": "result", "decision_slug": SLUG, "year": 2018, **kwargs}, enqueue=False
    )


def test_it_states_what_each_kind_takes_once_for_every_caller(coordinator: Any) -> None:
    cases = [
        ({"kind": "rss"}, {"county": ["Länsrapporten kräver ett län."]}),
        ({"kind": "financial", "county_code": "12"}, {"county": ["Län anges bara för länsrapporten."]}),
        (
            {"kind": "result", "period_start": dt.date(2018, 7, 1)},
            {"period_start": ["Halvårets första dag anges bara för halvårsrapporten."]},
        ),
        (
            {"kind": "status", "period_start": dt.date(2018, 3, 1)},
            {"period_start": ["Ett halvår börjar 1 januari eller 1 juli."]},
        ),
        (
            {"kind": "annual"},
            {"kind": ["Välj ett rapportslag: result, financial, status, rss, application."]},
        ),
        ({"decision_slug": "nope"}, {"decision": ["okänt beslut: 'nope'"]}),
        ({"year": "2017"}, {"year": ["Året ligger utanför beslutets period 2018–2020."]}),
        ({"year": "²"}, {"year": ["Ange ett heltal."]}),
        ({"kind": "rss", "county_code": "99"}, {"county": ["Okänt län: 99."]}),
        ({"kind": "rss", "county_code": "1\x002"}, {"county": ["Otillåtet tecken (U+0000) på plats 2."]}),
    ]
    with nothing_stored():
        for kwargs, errors in cases:
            with pytest.raises(ValidationError) as caught:
                _job(coordinator, **kwargs)
            assert caught.value.message_dict == errors, kwargs


def test_it_checks_generating_for_the_county_asked_for(rss_skane: Any) -> None:
    with nothing_stored(), pytest.raises(PermissionDenied, match="RSS-ledare skapar sitt läns rapport"):
        _job(rss_skane, kind="rss", county_code="25")
    job = _job(rss_skane, kind="rss", county_code="12")
    assert (job.status, job.requested_by, job.county.code if job.county else None) == (
        "queued",
        rss_skane,
        "12",
    )


def test_it_runs_the_task_as_the_requester_and_asks_the_policy_again(rss_skane: Any) -> None:
    job = _job(rss_skane, kind="rss", county_code="12")
    RoleAssignment.objects.filter(user=rss_skane).delete()  # the role is withdrawn while it waits
    assert generate_report.call(str(job.pk)) == ""
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "RSS-ledare skapar sitt läns rapport" in job.message
    assert not ReportVersion.objects.exists()


def test_it_records_the_requester_as_the_author(rss_skane: Any) -> None:
    job = _job(rss_skane, kind="rss", county_code="12")
    version = report_job_run(job=job, actor=rss_skane, formats=("md",))
    job.refresh_from_db()
    assert (job.status, job.progress, job.result) == (JobStatus.DONE, 100, version)
    assert (version.generated_by, version.generated_by_name) == (rss_skane, "sara-skane")


def test_it_runs_the_cli_as_the_operator_and_archives_what_it_wrote(tmp_path: Path) -> None:
    out = tmp_path / "status.md"
    stdout = io.StringIO()
    call_command(
        "report",
        "status",
        SLUG,
        "2018",
        "--period",
        "2018-07-01",
        "--format",
        "md",
        "-o",
        str(out),
        stdout=stdout,
    )
    version = ReportVersion.objects.get()
    assert version.generated_by is None and version.generated_by_name == operator().name
    assert version.period_start == dt.date(2018, 7, 1)
    assert out.read_bytes() == bytes(version.files.get(format="md").content)
    assert list(version.files.values_list("format", flat=True)) == ["md"]
    assert f"{version.title} v1" in stdout.getvalue()
    job = ReportJob.objects.get()
    assert (job.status, job.result, job.requested_by) == (JobStatus.DONE, version, None)


def test_it_says_in_one_line_what_the_cli_was_given_wrong(tmp_path: Path) -> None:
    out = str(tmp_path / "x.md")
    with nothing_stored():
        with pytest.raises(CommandError, match=r"^--county: Okänt län: 99\.$"):
            call_command("report", "rss", SLUG, "2018", "--county", "99", "--format", "md", "-o", out)
        with pytest.raises(CommandError, match=r"^--county: Län anges bara för länsrapporten\.$"):
            call_command("report", "result", SLUG, "2018", "--county", "12", "--format", "md", "-o", out)
        with pytest.raises(CommandError, match=r"^--period: Halvårets första dag anges bara"):
            call_command(
                "report", "result", SLUG, "2018", "--period", "2018-07-01", "--format", "md", "-o", out
            )
        with pytest.raises(CommandError, match=r"^year: Ange ett heltal\.$"):
            call_command("report", "result", SLUG, "20x8", "--format", "md", "-o", out)
        with pytest.raises(CommandError, match=r"^--period: ogiltigt datum"):
            call_command(
                "report", "status", SLUG, "2018", "--period", "2018-13-01", "--format", "md", "-o", out
            )
    assert not Path(out).exists()
