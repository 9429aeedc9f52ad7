"""The worker's heartbeat: how /readyz knows that a background worker is running.

`jamkoll worker` writes a row of its own (WorkerHeartbeat, keyed by `jamkoll.process.process_name`) when it
starts and then every HEARTBEAT_SECONDS from a small daemon thread, independent of what the worker's
loop is doing; a worker is "seen" when some row is younger than settings.WORKER_STALE_SECONDS.
Rows not touched for a day are removed by the next heartbeat. Limitation: the thread proves the
process is alive and reaches the database, not that its loop takes tasks.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

from jamkoll.process import process_name

from .models import WorkerHeartbeat

HEARTBEAT_SECONDS = 30.0
FORGET_AFTER = dt.timedelta(days=1)

log = logging.getLogger(__name__)


def worker_name() -> str:
    return process_name(200)


def beat(name: str) -> None:
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        worker=name, defaults={"seen_at": now}, create_defaults={"started_at": now, "seen_at": now}
    )
    WorkerHeartbeat.objects.filter(seen_at__lt=now - FORGET_AFTER).delete()


def last_seen() -> dt.datetime | None:
    row = WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()
    return row


def worker_seen(now: dt.datetime | None = None) -> bool:
    seen = last_seen()
    limit = (now or timezone.now()) - dt.timedelta(seconds=settings.WORKER_STALE_SECONDS)
    return seen is not None and seen >= limit


def start(name: str, interval: float = HEARTBEAT_SECONDS) -> threading.Event:
    """Beat every `interval` seconds in a daemon thread until the returned event is set."""
    stop = threading.Event()

    def run() -> None:
        while not stop.wait(interval):
            try:
                beat(name)
            except DatabaseError as exc:  # the database is away: /readyz says so; try again later
                log.warning("Arbetarens livstecken kunde inte skrivas: %s", exc)
            finally:
                connection.close()  # this thread's own connection

    threading.Thread(target=run, name="jamkoll-heartbeat", daemon=True).start()
    return stop
