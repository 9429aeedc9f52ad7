"""A server process keeps its database connection between requests (opening one costs PostgreSQL a
new backend process: more than a whole cached page) and checks it before reusing it."""

from __future__ import annotations

from pathlib import Path

from tests.web.test_security import production_env, run

SCRIPT = (
    "import django; django.setup(); "
    "from django.db import close_old_connections, connection; "
    "connection.ensure_connection(); first = connection.connection; "
    "close_old_connections(); "  # what Django does when a request ends
    "connection.ensure_connection(); "
    "print(connection.connection is first, connection.settings_dict['CONN_MAX_AGE'], "
    "connection.settings_dict['CONN_HEALTH_CHECKS'])"
)


def test_a_request_ending_keeps_the_connection_for_the_next(tmp_path: Path) -> None:
    kept = run(production_env(tmp_path), "-c", SCRIPT)
    assert kept.stdout.split() == ["True", "60", "True"], kept.stderr


def test_the_time_a_connection_is_kept_is_a_setting(tmp_path: Path) -> None:
    closed = run(production_env(tmp_path, JAMKOLL_DB_CONN_MAX_AGE="0"), "-c", SCRIPT)
    assert closed.stdout.split() == ["False", "0", "True"], closed.stderr
