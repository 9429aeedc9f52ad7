"""Report generation in the background (DESIGN §4): the task writes its progress to ReportJob,
which the page polls.

The task runs as the user who asked for the report, and the policy is asked again when it runs:
the version records that person as its author, and a role withdrawn (or a county changed) while
the job waited in the queue must not still produce a draft in their name. Running as `WORKER`
would pass the policy unasked and record "bakgrundsjobb" instead of the person. Only a job asked
for by a system actor (no user) runs as `WORKER`.

A job never hangs (issue 12): a running job holds a lease its worker renews; `jobs_recover` (when a
worker starts, and then in a sweeper thread of every worker) queues a job whose lease ran out again
or, after its last attempt, fails it with the reason.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django_tasks import task

from jamkoll.accounts.policy import WORKER
from jamkoll.process import start_sweeper as start_sweeper_thread

from .models import JobStatus, ReportJob
from .services import report_job_run, report_jobs_recover

logger = logging.getLogger(__name__)


@task()
def generate_report(job_id: str) -> str:
    job = ReportJob.objects.select_related("decision", "county", "requested_by").get(pk=job_id)
    if job.status == JobStatus.DONE:
        return str(job.result_id)
    if job.status != JobStatus.QUEUED:
        return ""  # failed (its attempts used up), or taken by another worker
    try:
        version = report_job_run(job=job, actor=job.requested_by or WORKER)
    except (PermissionDenied, ValidationError):
        return ""  # refused: the job says why, and the page shows it
    return str(version.pk)


def jobs_recover() -> list[ReportJob]:
    return report_jobs_recover()


def start_sweeper() -> None:
    """A daemon thread that runs `jobs_recover` every half lease for as long as the worker lives."""
    start_sweeper_thread(
        "jamkoll-job-sweeper", report_jobs_recover, max(settings.REPORT_JOB_LEASE_SECONDS / 2, 0.5)
    )
