"""The page cache (jamkoll.web.page_cache, issue 16): the pages every user re-reads are served again
from the server's cache while nothing has been written, per user, with the reader's own CSRF
token; any committed write — a service, a bulk write, `QuerySet.update()`, raw SQL — changes the
generation and so every kept page; a rolled-back write, a session save or the worker's heartbeat
does not."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jamkoll.plans.models import Activity
from jamkoll.plans.services import activity_update
from jamkoll.web import page_cache
from jamkoll.web.models import PageGeneration, WorkerHeartbeat
from tests.conftest import client_for

pytestmark = pytest.mark.django_db
SLUG = "jamstalldhet-kvinnofrid-2018-2020"
PLAN = f"/planer/{SLUG}/2018/"
API = f"/api/v1/plans/{SLUG}/2018/activities"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]*)"')


@pytest.fixture(autouse=True)
def page_cache_on(settings: Any) -> None:
    settings.JAMKOLL_PAGE_CACHE_SECONDS = 300


@contextmanager
def committed(capture: Any) -> Iterator[None]:
    """Writes made inside run their commit callbacks at the end, as a real commit would (a test's
    transaction is never committed). A bump left pending by the fixtures' writes is dropped first,
    so that the writes inside register their own."""
    bump = page_cache._bumper(connection.alias)
    connection.run_on_commit = [entry for entry in connection.run_on_commit if entry[1] is not bump]
    with capture(execute=True):
        yield


def _get(client: Client, url: str) -> tuple[str, str]:
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return response.content.decode(), response.get("X-JamKoll-Cache", "")


def _unmasked(html: str) -> str:
    return TOKEN.sub("", html)


def test_a_page_read_again_is_served_from_the_cache_in_few_queries(coordinator: Any) -> None:
    client = client_for(coordinator)
    first, state = _get(client, PLAN)
    assert state == "miss"
    with CaptureQueriesContext(connection) as ctx:
        second, state = _get(client, PLAN)
    assert state == "hit"
    assert _unmasked(second) == _unmasked(first)
    assert len(ctx.captured_queries) <= 5, [q["sql"][:80] for q in ctx.captured_queries]
    body, state = _get(client, API)
    assert state == "miss" and _get(client, API) == (body, "hit")


def test_a_served_page_carries_the_readers_own_working_csrf_token(coordinator: Any) -> None:
    client = client_for(coordinator)
    client.handler.enforce_csrf_checks = True
    _get(client, PLAN)
    second, state = _get(client, PLAN)
    tokens = TOKEN.findall(second)
    assert state == "hit" and tokens and page_cache._TOKEN_HOLE not in second
    # The token of the page served from the cache is accepted with the client's cookie.
    response = client.post("/logga-ut/", {"csrfmiddlewaretoken": tokens[-1]})
    assert response.status_code in (302, 303), response.status_code


def test_another_user_is_never_served_the_first_users_page(coordinator: Any, rss_skane: Any) -> None:
    mine, _state = _get(client_for(coordinator), PLAN)
    theirs, state = _get(client_for(rss_skane), PLAN)
    assert state == "miss"
    assert rss_skane.get_username() in theirs and coordinator.get_username() not in theirs
    assert coordinator.get_username() in mine


def test_a_committed_service_write_is_seen_at_once(
    coordinator: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(coordinator)
    url = PLAN + "?status=cancelled"
    activity = Activity.objects.filter(decision__slug=SLUG, year=2018).exclude(status="cancelled").first()
    assert activity is not None
    _get(client, url)
    before, state = _get(client, url)
    assert state == "hit" and activity.title not in before
    with committed(django_capture_on_commit_callbacks):
        activity_update(activity=activity, actor=coordinator, status="cancelled")
    after, state = _get(client, url)
    assert state == "miss" and activity.title in after
    assert _get(client, url) == (after, "hit") or _unmasked(_get(client, url)[0]) == _unmasked(after)


@pytest.mark.parametrize("how", ["update", "bulk", "raw", "delete"])
def test_every_kind_of_committed_write_changes_the_generation(
    how: str, django_capture_on_commit_callbacks: Any
) -> None:
    before = page_cache.generation()
    with committed(django_capture_on_commit_callbacks):
        if how == "update":
            Activity.objects.filter(decision__slug=SLUG, year=2018).update(title="x")
        elif how == "bulk":
            WorkerHeartbeat.objects.bulk_create([])  # nothing written: no change
            from jamkoll.reference.models import StrategyObjective

            StrategyObjective.objects.bulk_create([StrategyObjective(number=99, text="x", source="test")])
        elif how == "raw":
            with connection.cursor() as cursor:
                pk = Activity.objects.values_list("pk", flat=True).first()
                cursor.execute("UPDATE plans_activity SET title = %s WHERE id = %s", ["y", pk])
        else:
            last = Activity.objects.filter(decision__slug=SLUG, year=2018).last()
            assert last is not None
            last.outputs.all().delete()
            last.delete()
    assert page_cache.generation() != before


def test_a_rolled_back_write_and_the_quiet_tables_leave_the_generation(
    coordinator: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(coordinator)  # signing in writes the user's last sign-in: outside
    before = page_cache.generation()
    with committed(django_capture_on_commit_callbacks):
        try:
            with transaction.atomic():
                Activity.objects.filter(decision__slug=SLUG).update(title="z")
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
        now = timezone.now()
        WorkerHeartbeat.objects.create(worker="test:1", started_at=now, seen_at=now)
        client.get("/")  # the session is saved
    assert page_cache.generation() == before


def test_a_waiting_message_is_shown_not_a_kept_page(coordinator: Any, rf: Any) -> None:
    client = client_for(coordinator)
    _get(client, PLAN)
    assert _get(client, PLAN)[1] == "hit"
    message = Message(constants.SUCCESS, "Sparat i testet")
    client.cookies["messages"] = CookieStorage(rf.get("/"))._encode([message])  # type: ignore[attr-defined]
    shown, state = _get(client, PLAN)
    assert "Sparat i testet" in shown and state == ""
    # Once shown, the kept page is served again.
    assert _get(client, PLAN)[1] == "hit"


def test_refusals_other_views_and_posts_are_never_kept(coordinator: Any, rss_skane: Any) -> None:
    client = client_for(coordinator)
    for url in ("/planer/okand/2018/", f"/planer/{SLUG}/1999/", "/"):
        first = client.get(url)
        second = client.get(url)
        assert "X-JamKoll-Cache" not in second, (url, first.status_code)
    assert client.post(PLAN).get("X-JamKoll-Cache") is None


def test_the_language_and_the_query_each_have_their_own_page(coordinator: Any) -> None:
    client = client_for(coordinator)
    swedish, _state = _get(client, PLAN)
    client.cookies["django_language"] = "en"
    english, state = _get(client, PLAN)
    assert state == "miss" and english != swedish
    _page, state = _get(client, PLAN + "?lan=12")
    assert state == "miss"


def test_off_when_the_setting_is_zero(coordinator: Any, settings: Any) -> None:
    settings.JAMKOLL_PAGE_CACHE_SECONDS = 0
    client = client_for(coordinator)
    _get(client, PLAN)
    assert _get(client, PLAN)[1] == ""


def test_a_restored_generation_row_is_recreated(django_capture_on_commit_callbacks: Any) -> None:
    PageGeneration.objects.all().delete()
    page_cache.forget_all()
    assert page_cache.generation() is not None


def test_a_page_larger_than_the_bound_is_not_kept(coordinator: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(page_cache, "MAX_BYTES", 10_000)
    client = client_for(coordinator)
    assert _get(client, PLAN)[1] == ""
    assert _get(client, PLAN)[1] == ""


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ('SELECT "plans_activity"."id" FROM "plans_activity"', False),
        ('SELECT 1 FROM "plans_activity" FOR UPDATE', False),
        ('SAVEPOINT "s1_x1"', False),
        ("PRAGMA foreign_keys = ON", False),
        ("WITH x AS (SELECT 1) SELECT * FROM x", False),
        ('INSERT INTO "django_session" ("session_key") VALUES (%s)', False),
        ('UPDATE "accounts_apitoken" SET "last_used_at" = %s', False),
        ('UPDATE "web_workerheartbeat" SET "seen_at" = %s', False),
        ('INSERT INTO "plans_activity" ("title") VALUES (%s)', True),
        ('INSERT OR IGNORE INTO "plans_activity_counties" ("activity_id") VALUES (%s)', True),
        ('UPDATE "plans_activity" SET "title" = %s', True),
        ('DELETE FROM "plans_output" WHERE "id" = %s', True),
        ('TRUNCATE "accounts_apitoken", "plans_activity"', True),
        ("WITH moved AS (UPDATE t SET a = 1 RETURNING a) SELECT * FROM moved", True),
        ("CREATE TABLE x (a integer)", True),
    ],
)
def test_what_counts_as_a_write(sql: str, expected: bool) -> None:
    assert page_cache.writes(sql) is expected


def test_a_change_of_links_alone_changes_the_generation(django_capture_on_commit_callbacks: Any) -> None:
    from jamkoll.reference.models import Organisation

    activity = Activity.objects.filter(decision__slug=SLUG, year=2018).first()
    county = Organisation.objects.filter(kind="lan").exclude(pk__in=activity.counties.all()).first()
    before = page_cache.generation()
    with committed(django_capture_on_commit_callbacks):
        activity.counties.add(county)
    assert page_cache.generation() != before


def test_a_connection_of_no_configured_database_is_left_alone() -> None:
    from types import SimpleNamespace

    done = []
    context = {"connection": SimpleNamespace(alias="__no_db__", run_on_commit=[])}
    page_cache._watch(lambda *args: done.append(args[0]), 'CREATE DATABASE "test_x"', None, False, context)
    assert done == ['CREATE DATABASE "test_x"']
