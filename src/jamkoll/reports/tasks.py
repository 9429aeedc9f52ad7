"""Report generation in the background (DESIGN §4): the task writes its progress to ReportJob,
which the page polls."""

from __future__ import annotations

from django_tasks import task

from .models import JobStatus, ReportJob
from .services import report_generate


@task()
def generate_report(job_id: str) -> str:
    job = ReportJob.objects.select_related("decision", "county", "requested_by").get(pk=job_id)
    if job.status == JobStatus.DONE:
        return str(job.result_id)

    def progress(percent: int, message: str) -> None:
        ReportJob.objects.filter(pk=job.pk).update(
            progress=percent, message=message, status=JobStatus.RUNNING
        )

    try:
        version = report_generate(
            kind=job.kind,
            decision=job.decision,
            year=job.year,
            county_code=job.county.code if job.county else None,
            period_start=job.period_start,
            user=job.requested_by,
            progress=progress,
        )
    except Exception as exc:
        ReportJob.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, message=str(exc)[:300])
        raise
    ReportJob.objects.filter(pk=job.pk).update(
        status=JobStatus.DONE, progress=100, message="Klar", result=version
    )
    return str(version.pk)
