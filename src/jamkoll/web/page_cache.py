"""Whole pages kept in the server process's cache until anything is written (issue 16).

The pages that every user re-reads all day — the plan page, the activities of a year in the API,
the deadline calendar, a report version and the public programme page — cost tens of
milliseconds to assemble at national volume; twenty users reading them at once would queue
behind each other on two cores. `PageCacheMiddleware` keeps such an answer, per user, and serves
it again while the database's *generation* (`PageGeneration`, one row) is unchanged.

The generation changes after every committed write, whoever makes it: every connection runs
its statements through `_watch`, which sees an INSERT, UPDATE, DELETE or TRUNCATE of any table
but the few written on every request (sessions, the sign-in audit, API-key use, the worker
heartbeat), and has the generation set to a new random value once the transaction commits (a
random value, not a count, so that a restored backup never brings back a value under which a
cache holds pages of another history). ORM saves, bulk writes, `QuerySet.update()`, raw SQL, the
worker and the command line are all seen; what is left is a write whose process dies between
its commit and the new value, which `JAMKOLL_PAGE_CACHE_SECONDS` bounds.

A page is kept per user (their id and roles), language, scheme, host and address with its query
string, the htmx headers and the date, and only when it is a plain 200 answer in HTML or JSON that set no
cookie and left no message. The CSRF tokens in its forms are kept as a placeholder and filled in
with the reader's own token when it is served. Pages with a message waiting are never served
from the cache.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
import secrets
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.translation import get_language

from jamkoll.accounts.policy import user_roles

log = logging.getLogger("jamkoll.page_cache")

# The views whose answers are kept (URL names).
CACHED_VIEWS = frozenset(
    {
        "plans:plan",
        "api:activities",
        "obligations:calendar",
        "reports:version",
        "web:programme",
    }
)
MAX_BYTES = 512 * 1024  # a larger answer is not kept (settings.CACHES["pages"] keeps 200)
_KEPT_TYPES = ("text/html", "application/json")

# Tables written on every request or every half minute whose rows no kept page shows.
_QUIET_TABLES = frozenset(
    {
        "web_pagegeneration",
        "web_workerheartbeat",
        "django_session",
        "django_migrations",
        "accounts_auditevent",
        "accounts_apitokenuse",
        "accounts_apitoken",
    }
)
# A statement that writes a row into one named table (SQLite's many-to-many links are written with
# INSERT OR IGNORE), and the statements that never change data. Any other statement — a write of
# another shape (WITH … UPDATE, TRUNCATE of several tables, MERGE) or a change of the schema —
# counts as a write.
_ROW_WRITE = re.compile(
    r"\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|REPLACE\s+INTO|UPDATE|DELETE\s+FROM)\s+[\"`]?(\w+)[\"`]?\s",
    re.IGNORECASE,
)
_READ = re.compile(
    r"\s*(?:SELECT|SAVEPOINT|RELEASE|ROLLBACK|BEGIN|COMMIT|SET|SHOW|EXPLAIN|PRAGMA|VALUES|DECLARE|FETCH"
    r"|CLOSE|ANALYZE|VACUUM)\b",
    re.IGNORECASE,
)
_WRITE_WORD = re.compile(r"\b(?:INSERT|UPDATE|DELETE|TRUNCATE|MERGE)\b", re.IGNORECASE)
_TOKEN = re.compile(r'(name="csrfmiddlewaretoken" value=")[A-Za-z0-9]{32,64}(")')
_TOKEN_HOLE = "\x00csrf\x00"
_HEADERS_KEPT = ("Content-Type", "Cache-Control", "Vary", "Content-Language", "X-Total-Count", "Link")


def _bump(alias: str) -> None:
    """A new random generation (after the commit of a transaction that wrote)."""
    from .models import PageGeneration

    try:
        value = secrets.randbits(62)
        rows = PageGeneration.objects.using(alias)
        if not rows.filter(pk=1).update(value=value):
            rows.bulk_create([PageGeneration(pk=1, value=value)], ignore_conflicts=True)
    except DatabaseError as exc:
        # Before the web app's table exists (the first migrations) no page is kept yet either;
        # otherwise the kept pages live on until JAMKOLL_PAGE_CACHE_SECONDS: said in the log.
        if PageGeneration._meta.db_table not in str(exc):
            log.warning("page cache: no new generation after a write (%s)", exc)


@functools.cache
def _bumper(alias: str) -> Callable[[], None]:
    return functools.partial(_bump, alias)


def writes(sql: str) -> bool:
    """Whether `sql` may change a row a kept page shows (see `_ROW_WRITE` and `_READ`)."""
    row = _ROW_WRITE.match(sql)
    if row:
        return row.group(1).lower() not in _QUIET_TABLES
    if _READ.match(sql):
        return False
    if sql.lstrip()[:4].upper() == "WITH":
        return bool(_WRITE_WORD.search(sql))
    return True


def _watch(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
    result = execute(sql, params, many, context)
    conn: BaseDatabaseWrapper = context["connection"]
    # A connection of no configured database (PostgreSQL's to "postgres", making a test database)
    # holds no page's rows.
    if writes(sql) and conn.alias in connections.settings:
        bump = _bumper(conn.alias)
        if not any(entry[1] is bump for entry in conn.run_on_commit):
            try:
                conn.on_commit(bump)
            except transaction.TransactionManagementError:
                bump()  # a transaction managed by hand: set within it
    return result


def watch_connection(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """`connection_created`: every statement of the connection passes `_watch`."""
    if _watch not in connection.execute_wrappers:
        connection.execute_wrappers.append(_watch)


def generation(alias: str = "default") -> int | None:
    from .models import PageGeneration

    return PageGeneration.objects.using(alias).filter(pk=1).values_list("value", flat=True).first()


def _key(request: HttpRequest, view_name: str, stamp: int) -> str:
    user = request.user
    signed_in = bool(getattr(user, "is_authenticated", False))
    parts = (
        view_name,
        request.scheme,
        request.get_host(),  # links built from it: one host's page is never served to another
        request.get_full_path(),
        get_language(),
        user.pk if signed_in else None,
        sorted(user_roles(user), key=repr) if signed_in else (),
        request.session.get("otp_device_id") if signed_in else None,
        tuple(request.headers.get(h, "") for h in ("HX-Request", "HX-Target", "HX-Boosted", "Accept")),
        timezone.localdate().isoformat(),
        stamp,
    )
    return "page:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def _messages_waiting(request: HttpRequest) -> bool:
    storage = getattr(request, "_messages", None)
    return storage is not None and len(storage) > 0


def _keepable(request: HttpRequest, response: HttpResponse) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not response.has_header("Content-Disposition")
        and response.get("Content-Type", "").split(";")[0] in _KEPT_TYPES
        and len(response.content) <= MAX_BYTES
        and not request.session.modified
        and not _messages_waiting(request)
    )


class PageCacheMiddleware:
    """Serve a kept answer of a view in CACHED_VIEWS while the generation is unchanged (see the
    module's docstring). Sits last: after sign-in, the session's checks, messages and the refusal
    of hostile queries."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        seconds = int(getattr(settings, "JAMKOLL_PAGE_CACHE_SECONDS", 0))
        if seconds <= 0 or request.method != "GET" or _messages_waiting(request):
            return self.get_response(request)
        try:
            view_name = resolve(request.path_info).view_name
        except Resolver404:
            return self.get_response(request)
        if view_name not in CACHED_VIEWS:
            return self.get_response(request)
        stamp = generation()
        if stamp is None:
            return self.get_response(request)
        key = _key(request, view_name, stamp)
        kept = caches["pages"].get(key)
        if isinstance(kept, tuple) and len(kept) == 2:
            return _served(request, *kept)
        response = self.get_response(request)
        if _keepable(request, response):
            text = response.content.decode(response.charset)
            body = _TOKEN.sub(lambda m: m.group(1) + _TOKEN_HOLE + m.group(2), text)
            headers = {h: response[h] for h in _HEADERS_KEPT if response.has_header(h)}
            caches["pages"].set(key, (body, headers), seconds)
            response["X-JamKoll-Cache"] = "miss"
        return response


def _served(request: HttpRequest, body: str, headers: dict[str, str]) -> HttpResponse:
    if _TOKEN_HOLE in body:
        body = body.replace(_TOKEN_HOLE, get_token(request))
    response = HttpResponse(body)
    for name, value in headers.items():
        response[name] = value
    response["X-JamKoll-Cache"] = "hit"
    return response


def forget_all() -> None:
    """A new generation now, outside any transaction's commit (tests, restore)."""
    for alias in connections:
        _bump(alias)
