"""Work done at the same moment on real database connections (PostgreSQL), for the races a
double click or two workers make, and the clean-up of what those connections committed."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction


def needs_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("real parallel connections are tested on PostgreSQL")


def _waiting_on_locks() -> int:
    """How many connections to this database wait for a lock (a row's or an advisory one). The
    test's transaction would see one snapshot of the statistics: it is cleared first."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock'"
        )
        return int(cursor.fetchone()[0])


def _holding(hold: Callable[[], None], timeout: float) -> tuple[threading.Event, threading.Event]:
    """A thread with a connection of its own that runs `hold` (takes a lock) in a transaction and
    keeps it until told: (held, release)."""
    held, release = threading.Event(), threading.Event()

    def run() -> None:
        try:
            with transaction.atomic():
                hold()
                held.set()
                release.wait(timeout=timeout)
        finally:
            held.set()  # a `hold` that failed must not leave the test waiting
            connections.close_all()

    threading.Thread(target=run).start()
    return held, release


def at_once(
    work: Callable[[], str],
    times: int = 2,
    timeout: float = 120,
    hold: Callable[[], None] | None = None,
) -> list[str]:
    """Run `work` `times` times at the same moment, each on a thread with its own connection, and
    say what each did, sorted: what `work` returned, "refused:<code>" for a `ValidationError`, or
    the repr of any other exception (a 500 in a request).

    With `hold`, the overlap is certain, not left to the scheduler: another connection first takes
    the lock the workers contend for (`hold` runs in its transaction) and keeps it until all of
    them wait for a lock, then lets them go."""
    barrier = threading.Barrier(times)
    results: list[str] = []
    release: threading.Event | None = None
    if hold is not None:
        held, release = _holding(hold, timeout)
        assert held.wait(timeout=30), "the lock was not taken"

    def run() -> None:
        try:
            barrier.wait(timeout=10)
            results.append(work())
        except ValidationError as exc:
            results.append(f"refused:{exc.code}")
        except Exception as exc:  # what went wrong is the finding
            results.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for t in threads:
        t.start()
    if release is not None:
        deadline = time.monotonic() + 30
        while _waiting_on_locks() < times and time.monotonic() < deadline:
            time.sleep(0.02)
        waiting = _waiting_on_locks()
        release.set()
        assert waiting >= times, f"only {waiting} of {times} waited for the held lock"
    for t in threads:
        t.join(timeout=timeout)
    return sorted(results)


def committed_cleanup(remove: Callable[[], None]) -> None:
    """Run `remove` in one transaction on a connection of its own: what the threads committed,
    outside the test's transaction, would otherwise outlive the test."""

    def run() -> None:
        try:
            with transaction.atomic():
                remove()
        finally:
            connections.close_all()

    cleaner = threading.Thread(target=run)
    cleaner.start()
    cleaner.join(timeout=30)
