"""The short form of the ledger load test (issue 12): 20 concurrent writers, each on its own
connection, for a few seconds through the services — 0 errors other than refusals, 0 lost or
duplicated entries, `jamkoll verify` clean including the anchor. `make bench` runs the same code
(bench/ledger_load.py) for 60 s on PostgreSQL.

The writers commit for real, so they run on a copy of this session's seeded test database (a
SQLite backup, or a PostgreSQL `CREATE DATABASE … TEMPLATE`), in a process of their own with their
own key and anchor file; the suite's own database is never written. Runs on whichever database the
suite runs on.

Marked `transaction=True` so that the test holds no transaction (and on PostgreSQL no session) on
the database it copies; `available_apps` names an app without tables, so the flush that ends a
transactional test empties nothing, and the session's seeded data stays for the tests after."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, connections

pytestmark = pytest.mark.django_db(transaction=True, available_apps=["django.contrib.humanize"])
ROOT = Path(__file__).resolve().parents[2]
WRITERS = 20
SECONDS = 4


def _pg_admin(settings_dict: dict[str, Any]) -> Any:
    import psycopg

    return psycopg.connect(
        dbname="postgres",
        host=settings_dict["HOST"] or None,
        port=settings_dict["PORT"] or None,
        user=settings_dict["USER"] or None,
        password=settings_dict["PASSWORD"] or None,
        autocommit=True,
    )


@pytest.fixture
def database_copy(django_db_blocker: Any, tmp_path: Path) -> Iterator[str]:
    """A URL of a copy of the seeded test database, dropped afterwards."""
    with django_db_blocker.unblock():
        connections.close_all()  # a template database must have no other session
        settings_dict = connection.settings_dict
        if connection.vendor == "sqlite":
            target = tmp_path / "load.sqlite3"
            source, copy = sqlite3.connect(settings_dict["NAME"]), sqlite3.connect(target)
            try:
                source.backup(copy)
            finally:
                source.close()
                copy.close()
            yield f"sqlite:///{target}"
            return
        from psycopg import errors, sql

        name = f"{settings_dict['NAME']}_load"
        with _pg_admin(settings_dict) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
            for attempt in range(20):
                try:
                    admin.execute(
                        sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                            sql.Identifier(name), sql.Identifier(settings_dict["NAME"])
                        )
                    )
                    break
                except errors.ObjectInUse:  # a closing session of an earlier test still lingers
                    if attempt == 19:
                        raise
                    time.sleep(0.5)
        auth = settings_dict["USER"] or ""
        if settings_dict["PASSWORD"]:
            auth += f":{settings_dict['PASSWORD']}"
        host = settings_dict["HOST"] or "localhost"
        port = f":{settings_dict['PORT']}" if settings_dict["PORT"] else ""
        try:
            yield f"postgres://{auth}@{host}{port}/{name}"
        finally:
            with _pg_admin(settings_dict) as admin:
                admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def test_concurrent_writers_lose_nothing_and_the_chain_verifies(database_copy: str) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "JAMKOLL_LEDGER_KEY")}
    env["PYTHONPATH"] = os.pathsep.join(p for p in [str(ROOT / "src"), env.get("PYTHONPATH", "")] if p)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.ledger_load",
            "--seconds",
            str(SECONDS),
            "--writers",
            str(WRITERS),
            "--baseline-seconds",
            "1",
            "--database-url",
            database_copy,
            "--prepared",
            "--json",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.stdout.strip(), proc.stderr[-3000:]
    figures = json.loads(proc.stdout.strip().splitlines()[-1])
    print(json.dumps(figures, indent=1))
    assert figures["errors"] == 0, figures["error_samples"]
    assert figures["committed"] > WRITERS, figures
    assert (figures["lost"], figures["duplicated"], figures["unexpected"]) == (0, 0, 0), figures
    assert figures["entries_in_db"] == figures["committed"]
    assert figures["verify_exit"] == 0, figures["verify_output"]
    assert figures["anchor_head"] == figures["entries_in_db"], figures
    assert figures["clean"] and proc.returncode == 0
