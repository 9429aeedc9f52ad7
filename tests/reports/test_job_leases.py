"""A job never hangs (issue 12, finding 4): a running job holds a lease; when it runs out (the
worker was killed) the job is queued again, at most REPORT_JOB_ATTEMPTS times in all, then failed with
the reason; the page says when the worker has gone quiet. The real kill is in test_faults."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from jamkoll.reports.models import JobStatus, ReportJob, ReportVersion
from jamkoll.reports.services import report_job_create, report_jobs_recover
from jamkoll.reports.tasks import generate_report
from tests.conftest import client_for

pytestmark = pytest.mark.django_db
SLUG = "jamstalldhet-kvinnofrid-2018-2020"


def _running_job(actor: Any, *, attempts: int, expired: bool = True) -> ReportJob:
    """A job as a worker that died left it: running, its lease run out, its queue row running."""
    job = report_job_create(actor=actor, kind="financial", decision_slug=SLUG, year=2018, enqueue=False)
    task = generate_report.enqueue(str(job.pk))
    DBTaskResult.objects.filter(pk=task.id).update(status="RUNNING", started_at=timezone.now())
    lease = timezone.now() + dt.timedelta(seconds=-5 if expired else 60)
    ReportJob.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING,
        attempts=attempts,
        lease_until=lease,
        progress=2,
        worker="12345@elsewhere",
        task_id=str(task.id),
    )
    job.refresh_from_db()
    return job


def test_a_job_whose_worker_is_gone_is_queued_again(coordinator: Any) -> None:
    job = _running_job(coordinator, attempts=1)
    old_task = job.task_id
    assert [j.pk for j in report_jobs_recover()] == [job.pk]
    job.refresh_from_db()
    assert (job.status, job.attempts, job.progress) == ("queued", 1, 0)
    assert job.message == "Arbetaren avbröts; försöker igen (försök 2 av 3)."
    assert job.task_id and job.task_id != old_task
    assert DBTaskResult.objects.get(pk=old_task).status == "FAILED"
    assert DBTaskResult.objects.get(pk=job.task_id).status == "READY"
    # The retry runs to the end like any job.
    generate_report.call(str(job.pk))
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("done", 2) and job.result is not None
    assert ReportVersion.objects.count() == 1 and job.result.files.count() == 4


def test_after_the_last_attempt_the_job_fails_with_the_reason(coordinator: Any) -> None:
    job = _running_job(coordinator, attempts=3)
    report_jobs_recover()
    job.refresh_from_db()
    assert (job.status, job.message, job.lease_until) == (
        "failed",
        "Arbetaren avbröts (försök 3 av 3).",
        None,
    )
    assert DBTaskResult.objects.filter(status="READY").count() == 0  # not queued again
    assert generate_report.call(str(job.pk)) == "" and not ReportVersion.objects.exists()


@override_settings(REPORT_JOB_ATTEMPTS=1)
def test_the_number_of_attempts_is_a_setting(coordinator: Any) -> None:
    job = _running_job(coordinator, attempts=1)
    report_jobs_recover()
    job.refresh_from_db()
    assert job.message == "Arbetaren avbröts (försök 1 av 1)."


def test_a_job_with_a_live_lease_and_this_processs_own_jobs_are_left_alone(coordinator: Any) -> None:
    live = _running_job(coordinator, attempts=1, expired=False)
    assert report_jobs_recover() == []
    from jamkoll.reports.services import _worker_name

    ReportJob.objects.filter(pk=live.pk).update(
        lease_until=timezone.now() - dt.timedelta(seconds=5), worker=_worker_name()
    )
    assert report_jobs_recover() == []  # the sweeper thread of the worker that runs it
    assert [j.pk for j in report_jobs_recover(skip_own=False)] == [live.pk]


def test_a_dead_worker_with_this_processs_pid_and_host_is_not_taken_for_this_one(
    coordinator: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker restarted in a container often gets the pid of the one that died (pid 1 on the
    same host name): the job the dead one held must still be recovered (it hung "running")."""
    import secrets

    import jamkoll.process
    from jamkoll.reports.services import _worker_name

    job = _running_job(coordinator, attempts=1, expired=True)
    ReportJob.objects.filter(pk=job.pk).update(worker=_worker_name())  # the worker that died
    # This process started anew (same pid, same host): a new start token, as a fresh import draws
    # one; set for this test alone (reloading the module would also forget its sweeper threads).
    monkeypatch.setattr(jamkoll.process, "_STARTED", secrets.token_hex(4))
    assert _worker_name() != ReportJob.objects.get(pk=job.pk).worker
    assert [j.pk for j in report_jobs_recover()] == [job.pk]


def test_a_second_task_for_a_running_job_does_not_run_it_twice(coordinator: Any) -> None:
    job = _running_job(coordinator, attempts=1, expired=False)
    assert generate_report.call(str(job.pk)) == ""
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("running", 1) and not ReportVersion.objects.exists()


def test_the_job_page_says_when_the_worker_has_gone_quiet(coordinator: Any) -> None:
    job = _running_job(coordinator, attempts=1)
    page = client_for(coordinator).get(f"/rapporter/jobb/{job.pk}/")
    assert page.status_code == 200
    assert "Arbetaren svarar inte" in page.content.decode()
    ReportJob.objects.filter(pk=job.pk).update(lease_until=timezone.now() + dt.timedelta(seconds=60))
    assert (
        "Arbetaren svarar inte"
        not in client_for(coordinator).get(f"/rapporter/jobb/{job.pk}/").content.decode()
    )


def test_the_worker_recovers_jobs_when_it_starts(coordinator: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from django.apps import apps

    import jamkoll.reports.tasks as tasks

    monkeypatch.setattr(tasks, "start_sweeper", lambda: None)  # no thread in the test process
    job = _running_job(coordinator, attempts=1)
    line = apps.get_app_config("reports").worker_started()
    assert line == "Rapportjobb vars arbetare avbröts: 1 (köade igen eller misslyckade)."
    job.refresh_from_db()
    assert job.status == "queued"


def test_a_run_taken_over_by_another_worker_stores_nothing_and_leaves_the_job_alone(
    coordinator: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker that stalled past its lease while rendering: the job was queued again and taken by
    another worker (one more attempt). The stale run must not store a second version, move the
    progress, nor finish or fail the job that the other run now owns."""
    from jamkoll.reports import services

    job = report_job_create(actor=coordinator, kind="financial", decision_slug=SLUG, year=2018, enqueue=False)
    real = services.render_files

    def stalled(*args: Any, **kwargs: Any) -> dict[str, bytes]:
        files = real(*args, **kwargs)
        # Meanwhile: the lease ran out, the sweeper re-queued the job, another worker claimed it.
        ReportJob.objects.filter(pk=job.pk).update(attempts=2, worker="999@other", progress=7)
        return files

    monkeypatch.setattr(services, "render_files", stalled)
    with pytest.raises(ValidationError) as caught:
        services.report_job_run(job=job, actor=coordinator, formats=("md",))
    assert caught.value.code == "superseded"
    job.refresh_from_db()
    assert (job.status, job.attempts, job.worker, job.progress) == ("running", 2, "999@other", 7)
    assert not ReportVersion.objects.exists()
