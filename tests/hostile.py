"""Hostile values for every field (issue 10, DESIGN §6), and the assertions every walk makes:
a 4xx with a reason, never a 5xx, and nothing stored."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.apps import apps
from django.db import connection

NUL = "a\x00b"
HOSTILE_TEXT = [
    NUL,
    "rad\x07ett",  # BEL, a control character
    "x" * 1_000_001,  # a 1 MB word
    "Faktura \u202egnp.exe",  # a bidi override
    "\ud800",  # a lone surrogate
    "\x1b[31mröd",  # an escape sequence
]
HOSTILE_AMOUNTS = ["1e30", "1E+400", "1_000", "5e2", "٣٠٠", "３００", "NaN", "-Infinity", "0x10", "9" * 40]
HOSTILE_DATES = ["0001-01-01", "9999-12-31", "2018-02-30", "18-01-01", "\x00"]
HOSTILE_INTS = ["-10", "0", "²", "1e3", "99999999999999999999", "\x00", "٣"]

# Tables whose rows the walk may add without storing anything of the user's: sessions for the
# login, the history of the login itself, the task queue of nothing; the audit of the refusals
# themselves (accounts.AuditEvent, issue 12).
IGNORED_TABLES = {"django_session", "accounts_auditevent"}


def row_counts() -> dict[str, int]:
    """Rows per table of every installed model: compared before and after a hostile walk."""
    counts: dict[str, int] = {}
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            table = model._meta.db_table
            if table in IGNORED_TABLES or table in counts:
                continue
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
            counts[table] = cursor.fetchone()[0]
    return counts


@contextmanager
def nothing_stored() -> Iterator[None]:
    before = row_counts()
    yield
    after = row_counts()
    changed = {t: (before.get(t), n) for t, n in after.items() if before.get(t) != n}
    assert not changed, f"stored despite a refusal: {changed}"


def assert_refused(response: Any, *, where: str = "") -> str:
    """A 4xx (never a 5xx, never a 2xx/3xx that accepted the value) that says why. Returns the
    reason it found."""
    status = response.status_code
    assert 400 <= status < 500, f"{where}: expected a refusal, got {status}"
    content_type = response.get("Content-Type", "")
    body = response.content.decode("utf-8", "replace")
    if "json" in content_type:
        data = json.loads(body)
        reason = data.get("detail") or ""
        assert reason, f"{where}: a {status} without a reason: {body[:300]}"
        if status == 422:
            assert isinstance(data.get("errors"), dict), f"{where}: 422 without an errors object"
        return str(reason)
    assert "<html" in body.lower(), f"{where}: not a page of the site: {body[:200]}"
    # A page says why: a form error beside a field, or the refusal page's reason.
    assert any(mark in body for mark in ('class="errorlist', "refusal-reason", 'role="alert"')), (
        f"{where}: a {status} page that does not say why"
    )
    return body
