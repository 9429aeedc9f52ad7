"""Imports in the background (DESIGN §4): a web upload is queued as an ImportRun, and this task
runs it, writing the progress to the run, which the page polls. The uploaded file is deleted when
the run is over (`services.import_run_execute`)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.utils import timezone
from django_tasks import task

from jamkoll.accounts.policy import WORKER, require
from jamkoll.process import start_sweeper as start_sweeper_thread

from .models import ImportRun, ImportStatus
from .services import import_run_execute, import_runs_recover, lease_end


@task()
def run_import(run_id: str) -> str:
    run = ImportRun.objects.filter(pk=run_id).first()
    if run is None or run.status != ImportStatus.QUEUED:
        return ""  # gone, or taken by another worker
    claimed = ImportRun.objects.filter(pk=run.pk, status=ImportStatus.QUEUED).update(
        status=ImportStatus.RUNNING, lease_until=lease_end(), attempts=F("attempts") + 1
    )
    if not claimed:
        return ""
    run.refresh_from_db()
    try:
        # Asked again as the run starts: a role withdrawn while the run waited must not import.
        require(run.requested_by or WORKER, "indicator.import")
    except PermissionDenied as exc:
        run.status = ImportStatus.FAILED
        run.problems = [{"where": "", "field": "", "message": str(exc)}]
        run.finished_at = timezone.now()
        run.save()
        return run.status
    try:
        import_run_execute(run)
    except (PermissionDenied, ValidationError):
        return run.status  # refused: the run lists the problems, and the page shows them
    return run.status


def runs_recover() -> list[ImportRun]:
    return import_runs_recover()


def start_sweeper() -> None:
    """A daemon thread that recovers dead imports every half lease for as long as the worker lives:
    without it a killed import stayed "Pågår" until someone opened that run's own page."""
    interval = max(settings.INDICATOR_IMPORT_LEASE_SECONDS / 2, 0.5)
    start_sweeper_thread("jamkoll-import-sweeper", import_runs_recover, interval)
