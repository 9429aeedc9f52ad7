"""Fault tests (issue 12): a real `jamkoll worker` killed with SIGKILL in the middle of a report, and
a real `jamkoll decision import` killed in the middle of its transaction, each against a file SQLite
database copied from the test database.

The report job is retried by the restarted worker and, after its last attempt, failed with the
reason; no version and no file is left half-written. The import leaves every table as it was.
Nothing here asserts a duration: each step waits for a state, with generous timeouts, so a loaded
machine makes the test slower, never red. Runs only on SQLite (the subprocesses share the file).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from tests.obligations.decision_docs import grant_2022

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
SLUG = "jamstalldhet-kvinnofrid-2018-2020"
WAIT = 120.0  # seconds for any one state to be reached, on a loaded machine


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    if connection.vendor != "sqlite":
        pytest.skip("the fault tests run on a SQLite file shared with their subprocesses")
    # The seeded test database as committed: read through a connection of our own (WAL lets it
    # read beside the test's open transaction, which the backup through the test's own would wait on).
    source = sqlite3.connect(connection.settings_dict["NAME"], timeout=30)
    target = sqlite3.connect(tmp_path / "jamkoll.sqlite3")
    source.backup(target)
    source.close()
    target.close()
    return tmp_path


def _env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(JAMKOLL_DATA_DIR=str(data_dir), **extra)
    return env


def _jamkoll(*args: str) -> list[str]:
    return [sys.executable, "-m", "jamkoll.cli", *args]


def _query(data_dir: Path, sql: str) -> list[tuple[Any, ...]]:
    db = sqlite3.connect(data_dir / "jamkoll.sqlite3", timeout=30)
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


def _wait(what: str, check: Callable[[], Any], process: subprocess.Popen[Any] | None = None) -> Any:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        if process is not None and process.poll() is not None:
            raise AssertionError(f"the process ended (exit {process.returncode}) before: {what}")
        time.sleep(0.05)
    raise AssertionError(f"not reached in {WAIT} s: {what}")


@pytest.fixture
def started(data_dir: Path) -> Iterator[Callable[..., subprocess.Popen[Any]]]:
    """Starts subprocesses in their own process group; at the end, whatever is left of each group
    (a worker's forkserver and render child) is killed by its id."""
    processes: list[subprocess.Popen[Any]] = []

    def start(args: list[str], env: dict[str, str]) -> subprocess.Popen[Any]:
        process = subprocess.Popen(
            args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
        )
        processes.append(process)
        return process

    yield start
    for process in processes:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        if process.stderr:
            process.stderr.close()


def _job(data_dir: Path) -> dict[str, Any]:
    rows = _query(data_dir, "SELECT status, attempts, message, progress FROM reports_reportjob")
    assert len(rows) <= 1
    return dict(zip(("status", "attempts", "message", "progress"), rows[0], strict=True)) if rows else {}


def _kill(process: subprocess.Popen[Any]) -> None:
    process.send_signal(signal.SIGKILL)  # the worker itself, as the kernel's OOM killer would
    process.wait(timeout=30)


def test_a_worker_killed_in_the_middle_of_a_report_is_retried_then_the_job_fails_with_the_reason(
    data_dir: Path, started: Callable[..., subprocess.Popen[Any]]
) -> None:
    env = _env(data_dir, JAMKOLL_JOB_LEASE_SECONDS="3", JAMKOLL_JOB_ATTEMPTS="2")
    t0 = time.monotonic()
    create = (
        "from jamkoll.accounts.policy import operator\n"
        "from jamkoll.reports.services import report_job_create\n"
        f"report_job_create(actor=operator(), kind='result', decision_slug='{SLUG}', year=2018)\n"
    )
    made = subprocess.run(
        _jamkoll("shell", "-c", create), env=env, capture_output=True, text=True, timeout=300
    )
    assert made.returncode == 0, made.stderr
    worker = ["worker", "--interval", "0.2", "--verbosity", "0"]
    timings = {}

    # Attempt 1: killed while it runs.
    first = started(_jamkoll(*worker), env)
    _wait("attempt 1 running", lambda: _job(data_dir).get("attempts") == 1, first)
    _kill(first)
    timings["attempt 1 killed"] = time.monotonic() - t0
    assert _job(data_dir)["status"] == "running"  # what the page showed for ever before

    # A restarted worker sees the lease run out and runs it again: attempt 2, killed too.
    second = started(_jamkoll(*worker), env)
    _wait("attempt 2 running", lambda: _job(data_dir).get("attempts") == 2, second)
    _kill(second)
    timings["attempt 2 killed"] = time.monotonic() - t0

    # The next worker fails it with the reason: no third attempt.
    third = started(_jamkoll(*worker), env)
    job = _wait("the job failed", lambda: (j := _job(data_dir)).get("status") == "failed" and j, third)
    timings["failed"] = time.monotonic() - t0
    assert job["message"] == "Arbetaren avbröts (försök 2 av 2)." and job["attempts"] == 2
    # Nothing half-written: no version, no file; the queue shows no run as running.
    assert _query(data_dir, "SELECT count(*) FROM reports_reportversion") == [(0,)]
    assert _query(data_dir, "SELECT count(*) FROM reports_reportfile") == [(0,)]
    tasks = _query(data_dir, "SELECT status FROM django_tasks_database_dbtaskresult ORDER BY enqueued_at")
    assert ("RUNNING",) not in tasks, tasks
    assert len(tasks) >= 2  # the first run's and the retry's

    # The surviving worker is not wedged: a new report is made whole.
    made = subprocess.run(
        _jamkoll("shell", "-c", create), env=env, capture_output=True, text=True, timeout=300
    )
    assert made.returncode == 0, made.stderr
    done = "SELECT count(*) FROM reports_reportjob WHERE status = 'done'"
    _wait("the second job done", lambda: _query(data_dir, done) == [(1,)], third)
    timings["second job done"] = time.monotonic() - t0
    assert _query(data_dir, "SELECT count(*) FROM reports_reportfile") == [(4,)]
    print("fault test timings (s):", {k: round(v, 1) for k, v in timings.items()})


def _snapshot(data_dir: Path) -> dict[str, str]:
    """Every table's rows, as a digest per table."""
    tables = [
        name
        for (name,) in _query(data_dir, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    ]
    digests = {}
    for table in tables:
        rows = _query(data_dir, f'SELECT * FROM "{table}" ORDER BY 1')
        digests[table] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return digests


def test_an_import_killed_in_the_middle_leaves_the_database_as_it_was(
    data_dir: Path, started: Callable[..., subprocess.Popen[Any]]
) -> None:
    document = data_dir / "beslut-2022.json"
    document.write_text(json.dumps(grant_2022(), ensure_ascii=False), encoding="utf-8")
    marker = data_dir / "mitt-i-importen"
    before = _snapshot(data_dir)
    decisions = _query(data_dir, "SELECT count(*) FROM programmes_fundingdecision")[0][0]
    env = _env(data_dir, JAMKOLL_FAULT_MARKER=str(marker))
    runner = str(Path(__file__).with_name("fault_import.py"))
    env["PYTHONPATH"] = os.pathsep.join([str(Path(__file__).parents[2]), env.get("PYTHONPATH", "")])
    process = started([sys.executable, runner, "decision", "import", str(document)], env)
    seen = _wait(
        "the import in the middle of its transaction", lambda: marker.exists() and marker.read_text(), process
    )
    assert seen == f"decisions={decisions + 1}"  # inside its transaction the decision was written
    _kill(process)
    assert _snapshot(data_dir) == before
