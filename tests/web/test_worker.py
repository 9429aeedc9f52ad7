"""`jamkoll worker`: the generic background worker (moved out of obligations). It knows no app's
work; the obligations app queues its daily reminders through its AppConfig's `worker_started`."""

import inspect
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from jamkoll.web.management.commands.worker import Command

pytestmark = pytest.mark.django_db


def _script(*args: str) -> list[str]:
    exe = Path(sys.executable).with_name("jamkoll")
    return [str(exe), *args] if exe.exists() else [sys.executable, "-m", "jamkoll.cli", *args]


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(_script(*args), env=env, capture_output=True, text=True, timeout=300, check=False)


def test_it_names_no_app_of_its_own() -> None:
    text = inspect.getsource(sys.modules[Command.__module__])
    assert "jamkoll.obligations" not in text and "reminders_schedule" not in text
    help_text = Command().create_parser("jamkoll", "worker").format_help()
    assert "--batch" in help_text and "--interval" in help_text


def test_the_worker_queues_the_daily_reminders_once(tmp_path: Path) -> None:
    """A real `jamkoll worker` process against its own fresh SQLite file."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["JAMKOLL_DATA_DIR"] = str(tmp_path)
    migrated = _run(env, "migrate", "--verbosity", "0")
    assert migrated.returncode == 0, migrated.stderr
    worker = _run(env, "worker", "--batch", "--verbosity", "0")
    assert worker.returncode == 0, worker.stderr
    assert "Dagliga påminnelser lades i kön" in worker.stdout
    # Its heartbeat, which /readyz reads (issue 12).
    with sqlite3.connect(tmp_path / "jamkoll.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM web_workerheartbeat").fetchone() == (1,)
    again = _run(env, "worker", "--batch", "--verbosity", "0")
    assert again.returncode == 0 and "lades i kön" not in again.stdout  # one daily run is enough
