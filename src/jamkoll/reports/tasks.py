"""Report generation in the background (DESIGN §4): the task writes its progress to ReportJob,
which the page polls.

The task runs as the user who asked for the report, and the policy is asked again when it runs:
the version records that person as its author, and a role withdrawn (or a county changed) while
the job waited in the queue must not still produce a draft in their name. Running as `WORKER`
would pass the policy unasked and record "bakgrundsjobb" instead of the person. Only a job asked
for by a system actor (no user) runs as `WORKER`.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django_tasks import task

from jamkoll.accounts.policy import WORKER

from .models import JobStatus, ReportJob
from .services import report_job_run


@task()
def generate_report(job_id: str) -> str:
    job = ReportJob.objects.select_related("decision", "county", "requested_by").get(pk=job_id)
    if job.status == JobStatus.DONE:
        return str(job.result_id)
    try:
        version = report_job_run(job=job, actor=job.requested_by or WORKER)
    except (PermissionDenied, ValidationError):
        return ""  # refused: the job says why, and the page shows it
    return str(version.pk)
