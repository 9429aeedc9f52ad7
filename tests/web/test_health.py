"""When the database is gone (issue 12, finding 11): pages and the API answer 503 in Swedish and
recover by themselves; /healthz and /readyz for load balancers; the idle session timeout."""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from unittest import mock

import pytest
from django.contrib.sessions.models import Session
from django.db import InterfaceError, OperationalError, connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jamkoll.web import health, heartbeat
from jamkoll.web.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db
PROGRAMME = "/satsningar/starkt-jamstalldhet-kvinnofrid-2018-2020/"
SRC = Path(__file__).resolve().parents[2] / "src"


@contextmanager
def database_gone(error: type[Exception] = OperationalError) -> Iterator[None]:
    """Every new query fails as it does when the server is down or the connection was cut."""
    with mock.patch.object(connection, "ensure_connection", side_effect=error("connection lost")):
        yield


def signed_in(user: Any) -> Client:
    # As in production: the exception becomes a response, it is not raised into the test.
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def test_a_page_answers_503_in_swedish_while_the_database_is_gone_and_recovers(coordinator: Any) -> None:
    client = signed_in(coordinator)
    for url in ("/", PROGRAMME, reverse("ledger:index")):
        with database_gone():
            response = client.get(url)
        assert response.status_code == 503, url
        html = response.content.decode()
        assert "JämKoll är tillfälligt otillgänglig" in html and "Databasen kan inte nås" in html
        assert response["Retry-After"] == "30"
        assert client.get(url).status_code == 200, url  # the database is back


def test_the_api_answers_503_in_its_error_shape_and_recovers(coordinator: Any) -> None:
    client = signed_in(coordinator)
    with database_gone(InterfaceError):
        response = client.get("/api/v1/programmes")
    assert response.status_code == 503
    body = json.loads(response.content)
    assert body == {"detail": "Databasen kan inte nås just nu. Försök igen om en stund.", "errors": {}}
    assert client.get("/api/v1/programmes").status_code == 200


def test_a_failure_inside_the_session_middleware_is_a_503_too(coordinator: Any) -> None:
    client = signed_in(coordinator)
    gone = OperationalError("could not connect to server")
    with mock.patch("django.contrib.sessions.backends.db.SessionStore.load", side_effect=gone):
        page, api = client.get("/"), client.get("/api/v1/programmes")
    assert page.status_code == 503 and "Databasen kan inte nås" in page.content.decode()
    assert api.status_code == 503 and json.loads(api.content)["errors"] == {}


def test_any_other_error_is_still_a_500() -> None:
    client = Client(raise_request_exception=False)
    # "/" for an anonymous visitor is the public start page (web/public_views.py)
    with mock.patch("jamkoll.web.public_views.render", side_effect=RuntimeError("bug")):
        response = client.get("/")
    assert response.status_code == 500


# --- /healthz and /readyz ------------------------------------------------------------------------


def test_healthz_answers_without_the_database() -> None:
    with database_gone():
        response = Client().get("/healthz")
    assert response.status_code == 200 and json.loads(response.content) == {"status": "ok"}


def test_readyz_names_what_is_not_ready() -> None:
    WorkerHeartbeat.objects.all().delete()
    response = Client().get("/readyz")
    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["ready"] is False and body["not_ready"] == ["worker"]
    assert body["checks"]["database"] == "ok" and body["checks"]["migrations"] == "ok"

    heartbeat.beat("test-host:1")
    response = Client().get("/readyz")
    assert response.status_code == 200 and json.loads(response.content)["ready"] is True

    WorkerHeartbeat.objects.update(seen_at=timezone.now() - dt.timedelta(minutes=10))
    assert json.loads(Client().get("/readyz").content)["not_ready"] == ["worker"]


def test_readyz_answers_503_when_the_database_is_gone() -> None:
    with database_gone():
        response = Client().get("/readyz")
    assert response.status_code == 503
    assert json.loads(response.content)["not_ready"] == ["database"]


def test_readyz_names_unapplied_migrations(monkeypatch: pytest.MonkeyPatch) -> None:
    heartbeat.beat("test-host:1")
    monkeypatch.setattr(health, "_migrations_applied", False)
    fake = mock.Mock()
    migration = SimpleNamespace(app_label="web", name="0002_new")
    fake.return_value.migration_plan.return_value = [(migration, False)]
    fake.return_value.loader.graph.leaf_nodes.return_value = []
    monkeypatch.setattr(health, "MigrationExecutor", fake)
    body = json.loads(Client().get("/readyz").content)
    assert body["not_ready"] == ["migrations"] and "web.0002_new" in body["checks"]["migrations"]


def test_a_heartbeat_forgets_workers_gone_for_a_day() -> None:
    heartbeat.beat("old-host:1")
    WorkerHeartbeat.objects.update(seen_at=timezone.now() - dt.timedelta(days=2))
    heartbeat.beat("new-host:2")
    assert list(WorkerHeartbeat.objects.values_list("worker", flat=True)) == ["new-host:2"]


# --- The idle session timeout --------------------------------------------------------------------


def _expiry(client: Client) -> dt.datetime:
    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_a_session_ends_after_30_idle_minutes(coordinator: Any, settings: Any) -> None:
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    client = Client()
    client.force_login(coordinator)
    assert client.get(reverse("ledger:index")).status_code == 200
    expiry = _expiry(client)
    assert abs((expiry - timezone.now()) - dt.timedelta(minutes=30)) < dt.timedelta(minutes=1)
    # 31 idle minutes later
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - dt.timedelta(minutes=1)
    )
    response = client.get(reverse("ledger:index"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_an_active_session_is_extended_at_most_once_a_minute(coordinator: Any) -> None:
    client = Client()
    client.force_login(coordinator)
    client.get("/")
    first = _expiry(client)
    client.get("/")
    assert _expiry(client) == first  # within the minute: no write
    with mock.patch("jamkoll.web.middleware.time.time", return_value=time.time() + 61):
        client.get("/")
    assert _expiry(client) > first


def test_a_real_unreachable_database_gives_503_not_500(tmp_path: Path) -> None:
    """No mock: PostgreSQL on a port where nothing listens, production settings, a fresh process."""
    script = """
import json, django
django.setup()
from django.test import Client
c = Client(raise_request_exception=False)
page, api = c.get("/"), c.get("/api/v1/programmes")
print(json.dumps({
    "page": page.status_code, "text": "Databasen kan inte nås" in page.content.decode(),
    "api": api.status_code, "api_body": json.loads(api.content),
    "healthz": c.get("/healthz").status_code,
    "readyz": json.loads(c.get("/readyz").content)["not_ready"],
}))
"""
    env = {k: v for k, v in os.environ.items() if not k.startswith("JAMKOLL_")}
    env.update(
        DJANGO_SETTINGS_MODULE="jamkoll.settings",
        PYTHONPATH=os.pathsep.join(p for p in (str(SRC), os.environ.get("PYTHONPATH", "")) if p),
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{_closed_port()}/gone?connect_timeout=2",
        JAMKOLL_DATA_DIR=str(tmp_path),
        JAMKOLL_SECRET_KEY="k" * 60,
        JAMKOLL_ALLOWED_HOSTS="testserver",
        JAMKOLL_SECURE_COOKIES="0",
    )
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["page"] == 503 and result["text"]
    assert result["api"] == 503 and result["api_body"]["errors"] == {}
    assert result["healthz"] == 200 and result["readyz"] == ["database"]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # closed again when the socket is
