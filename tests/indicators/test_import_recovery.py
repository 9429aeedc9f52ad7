"""A killed import (kill -9, out of memory) does not stay "Pågår" for ever: its lease runs out and
`import_runs_recover` queues it again while attempts and its file are left, else fails it."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.test import override_settings
from django.utils import timezone

from jamkoll.indicators.models import ImportRun, ImportStatus, Observation
from jamkoll.indicators.services import import_run_create, import_runs_recover, imports_dir

from .docs import kolada_doc, obs, write_json

pytestmark = pytest.mark.django_db
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def _upload(tmp_path: Path, analyst: Any, name: str = "up.json") -> ImportRun:
    folder = imports_dir()
    folder.mkdir(parents=True, exist_ok=True)
    source = write_json(tmp_path / name, kolada_doc([obs("N00945", "0180", 2024, K=1, M=2)]))
    stored = folder / f"recover-{name}"
    shutil.copy(source, stored)
    return import_run_create(actor=analyst, format="kolada", filename=name, stored_file=str(stored))


def _die(run: ImportRun, *, attempts: int, ago: int = 5) -> None:
    """What a worker killed mid-run leaves: RUNNING, with a lease that ran out `ago` seconds ago."""
    ImportRun.objects.filter(pk=run.pk).update(
        status=ImportStatus.RUNNING,
        attempts=attempts,
        progress=40,
        lease_until=timezone.now() - dt.timedelta(seconds=ago),
    )


@override_settings(TASKS=IMMEDIATE, INDICATOR_IMPORT_ATTEMPTS=2)
def test_a_dead_run_is_run_again_and_finishes(tmp_path: Path, analyst: Any) -> None:
    run = _upload(tmp_path, analyst)
    _die(run, attempts=1)
    changed = import_runs_recover()
    assert [r.pk for r in changed] == [run.pk]
    run.refresh_from_db()
    # Queued again and (the immediate backend) run at once: done, attempt 2, file deleted.
    assert run.status == ImportStatus.DONE and run.attempts == 2 and run.created == 2
    assert run.lease_until is None
    assert not Path(run.stored_file).exists()


@override_settings(TASKS=DUMMY, INDICATOR_IMPORT_ATTEMPTS=2)
def test_after_the_last_attempt_the_run_fails_with_the_reason(tmp_path: Path, analyst: Any) -> None:
    run = _upload(tmp_path, analyst)
    _die(run, attempts=2)
    import_runs_recover()
    run.refresh_from_db()
    assert run.status == ImportStatus.FAILED and run.finished_at is not None
    assert run.problems[0]["message"].startswith("Importen avbröts (försök 2 av 2)")
    assert not Observation.objects.exists()
    assert not Path(run.stored_file).exists()  # the upload is cleaned up with the failed run


@override_settings(TASKS=DUMMY)
def test_a_run_whose_lease_holds_is_left_alone(tmp_path: Path, analyst: Any) -> None:
    run = _upload(tmp_path, analyst)
    ImportRun.objects.filter(pk=run.pk).update(
        status=ImportStatus.RUNNING, attempts=1, lease_until=timezone.now() + dt.timedelta(seconds=60)
    )
    assert import_runs_recover() == []
    run.refresh_from_db()
    assert run.status == ImportStatus.RUNNING


@override_settings(TASKS=DUMMY)
def test_a_cli_run_without_a_file_to_retry_fails(analyst: Any) -> None:
    run = import_run_create(actor=analyst, format="kolada", filename="cli.json")
    _die(run, attempts=0)
    import_runs_recover()
    run.refresh_from_db()
    assert run.status == ImportStatus.FAILED
    assert "Ladda upp filen igen" in run.problems[0]["message"]


@override_settings(TASKS=DUMMY)
def test_the_status_page_and_the_api_recover_the_run_they_show(
    client: Any, tmp_path: Path, analyst: Any
) -> None:
    run = _upload(tmp_path, analyst)
    _die(run, attempts=9)
    client.force_login(analyst)
    answer = client.get(f"/api/v1/indicators/imports/{run.pk}")
    assert answer.status_code == 200 and answer.json()["status"] == ImportStatus.FAILED
    other = _upload(tmp_path, analyst, "b.json")
    _die(other, attempts=9)
    page = client.get(f"/nyckeltal/import/{other.pk}/")
    assert page.status_code == 200
    assert "Importen avbröts" in page.content.decode()


@override_settings(TASKS=DUMMY)
def test_the_worker_recovers_at_start_and_then_keeps_sweeping(
    tmp_path: Path, analyst: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At start, and from then on in a sweeper thread: a killed import stayed "Pågår" until
    someone opened that run's own page."""
    import jamkoll.indicators.tasks as tasks

    started: list[bool] = []
    monkeypatch.setattr(tasks, "start_sweeper", lambda: started.append(True))  # no thread here
    run = _upload(tmp_path, analyst)
    _die(run, attempts=0)
    line = apps.get_app_config("indicators").worker_started()
    assert line == "Importer vars arbetare avbröts: 1 (köade igen eller misslyckade)."
    run.refresh_from_db()
    assert run.status == ImportStatus.QUEUED and run.progress == 0 and run.lease_until is None
    assert started == [True]


def test_a_sweeper_runs_its_round_again_and_again_once_per_name() -> None:
    import threading

    from jamkoll.process import start_sweeper

    rounds: list[int] = []
    enough = threading.Event()

    def sweep() -> None:
        rounds.append(1)
        if len(rounds) >= 3:
            enough.set()
        if len(rounds) == 1:
            raise RuntimeError("a locked database")  # logged; the next round tries again

    stop = start_sweeper("test-sweeper", sweep, 0.01)
    try:
        assert start_sweeper("test-sweeper", sweep, 0.01) is stop  # running: not a second thread
        assert enough.wait(timeout=10)
        assert [t.name for t in threading.enumerate()].count("test-sweeper") == 1
    finally:
        stop.set()


@override_settings(TASKS=DUMMY)
def test_an_attempt_taken_over_by_another_worker_writes_nothing(tmp_path: Path, analyst: Any) -> None:
    """A worker that stalled past its lease (SIGSTOP) while its run was queued again and taken by
    another worker (attempts + 1): resumed, it must neither merge nor write its counts, progress
    or refusal over the other attempt's record (it wrote "updated 0" over "updated 243 600")."""
    from django.core.exceptions import ValidationError
    from django.db.models import F

    from jamkoll.indicators.services import import_run_execute

    run = _upload(tmp_path, analyst)
    ImportRun.objects.filter(pk=run.pk).update(status=ImportStatus.RUNNING, attempts=1)
    run.refresh_from_db()

    def taken_over(percent: int) -> None:
        if percent >= 1 and ImportRun.objects.get(pk=run.pk).attempts == 1:
            ImportRun.objects.filter(pk=run.pk).update(attempts=F("attempts") + 1, progress=7)

    with pytest.raises(ValidationError) as refused:
        import_run_execute(run, progress=taken_over)
    assert refused.value.code == "superseded"
    stored = ImportRun.objects.get(pk=run.pk)
    assert (stored.status, stored.attempts, stored.progress, stored.created) == (
        ImportStatus.RUNNING,
        2,
        7,
        0,
    )
    assert not Observation.objects.exists()
    assert Path(run.stored_file).exists()  # the other attempt still reads it


@override_settings(TASKS=DUMMY)
def test_an_attempt_refused_after_its_run_was_queued_again_leaves_the_upload(
    tmp_path: Path, analyst: Any
) -> None:
    """The sweeper queued the run again before the stalled attempt woke: the next worker needs
    the file (it deleted it, and the retry failed with "filen finns inte")."""
    from django.core.exceptions import ValidationError

    from jamkoll.indicators.services import import_run_execute

    run = _upload(tmp_path, analyst)
    ImportRun.objects.filter(pk=run.pk).update(status=ImportStatus.RUNNING, attempts=1)
    run.refresh_from_db()

    def queued_again(percent: int) -> None:
        if percent >= 1:
            ImportRun.objects.filter(pk=run.pk).update(status=ImportStatus.QUEUED, lease_until=None)

    with pytest.raises(ValidationError):
        import_run_execute(run, progress=queued_again)
    assert ImportRun.objects.get(pk=run.pk).status == ImportStatus.QUEUED
    assert Path(run.stored_file).exists()


def test_lease_renew_moves_a_running_lease_on(tmp_path: Path, analyst: Any) -> None:
    from jamkoll.indicators.services import lease_renew

    run = _upload(tmp_path, analyst)
    _die(run, attempts=1, ago=30)
    assert lease_renew(run.pk) == 1
    run.refresh_from_db()
    assert run.lease_until is not None and run.lease_until > timezone.now()
    ImportRun.objects.filter(pk=run.pk).update(status=ImportStatus.DONE)
    assert lease_renew(run.pk) == 0  # a finished run is not renewed


@override_settings(INDICATOR_IMPORT_LEASE_SECONDS=0.3)
def test_a_running_import_renews_its_lease_from_its_own_thread(
    tmp_path: Path, analyst: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the import works (here: a slow progress callback), a thread of its own renews the lease
    every third of it, and stops when the run is over. (The renewal itself writes on the thread's own
    connection, which a test transaction would hide: `lease_renew` is tested above.)"""
    import threading
    import time

    from jamkoll.indicators import services

    renewed: list[tuple[Any, str]] = []

    def record(pk: Any) -> int:
        renewed.append((pk, threading.current_thread().name))
        return 1

    monkeypatch.setattr(services, "lease_renew", record)
    path = write_json(tmp_path / "slow.json", kolada_doc([obs("N00945", "0180", 2024, K=1, M=2)]))

    def slow(percent: int) -> None:
        if not renewed:
            time.sleep(0.5)  # about five renewals at 0.1 s

    run = services.import_file(actor=analyst, path=path, progress=slow)
    assert len(renewed) >= 2
    assert {pk for pk, _ in renewed} == {run.pk}
    assert {name for _, name in renewed} == {"jamkoll-import-lease"}
    count = len(renewed)
    time.sleep(0.3)
    assert len(renewed) == count  # the thread stopped with the run
    run.refresh_from_db()
    assert run.status == ImportStatus.DONE and run.lease_until is None
