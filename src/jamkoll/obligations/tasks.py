"""Background work for obligations (django-tasks, queue in our own database).

`reminders_daily` sends the day's reminders and queues itself for the next morning, so a running
`jamkoll worker` sends them every day without cron. Running it twice is harmless: every reminder is
claimed before it is sent (reminders.reminders_send), and only one next run is kept in the queue.
Without a worker, `jamkoll reminders` from cron does the same work.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.conf import settings
from django.utils import timezone
from django_tasks import TaskResultStatus, default_task_backend, task

from .reminders import reminders_send

SEND_AT = dt.time(6, 0)


def next_morning(now: dt.datetime) -> dt.datetime:
    """06:00 Stockholm time on the day after `now`."""
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    local = now.astimezone(zone)
    return dt.datetime.combine(local.date() + dt.timedelta(days=1), SEND_AT, tzinfo=zone)


@task()
def reminders_daily(today: str | None = None) -> dict[str, int]:
    day = dt.date.fromisoformat(today) if today else timezone.localdate()
    try:
        report = reminders_send(today=day)
    finally:
        # Tomorrow's run is queued even if today's failed: the chain must not break.
        reminders_schedule()
    return {"sent": len(report.sent), "skipped": report.skipped, "failed": report.failed}


def _already_queued() -> bool:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(
        task_path=reminders_daily.module_path, status=TaskResultStatus.READY
    ).exists()


def reminders_schedule(*, now: dt.datetime | None = None, immediately: bool = False) -> bool:
    """Queue the next daily run (tomorrow morning, or `immediately`) unless one is already waiting.
    True if one was queued."""
    if not default_task_backend.supports_defer or _already_queued():
        return False
    if immediately:
        reminders_daily.enqueue()
    else:
        reminders_daily.using(run_after=next_morning(now or timezone.now())).enqueue()
    return True
