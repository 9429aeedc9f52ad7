"""Work done at the same moment on real database connections (PostgreSQL), for the races a
double click or two workers make, and the clean-up of what those connections committed."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction


def needs_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("real parallel connections are tested on PostgreSQL")


def at_once(work: Callable[[], str], times: int = 2, timeout: float = 120) -> list[str]:
    """Run `work` `times` times at the same moment, each on a thread with its own connection, and
    say what each did, sorted: what `work` returned, "refused:<code>" for a `ValidationError`, or
    the repr of any other exception (a 500 in a request)."""
    barrier = threading.Barrier(times)
    results: list[str] = []

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
