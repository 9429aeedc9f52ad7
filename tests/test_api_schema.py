"""schemathesis against the API's OpenAPI schema (issue 15): every operation, anonymously and as a
signed-in coordinator, with requests that fit the schema (some with paths to the seeded database's
real objects, so the fuzzing reaches past the 404s) and requests that do not. Each response must
be no server error, have a documented status code and content type, and fit its schema.

The schema is the one the site serves (`/api/v1/openapi.json`, loaded through the WSGI app); the
requests go through the whole Django stack (middleware, CSRF, session). Each example runs in a
savepoint that is rolled back, so writes (POST, PATCH, PUT, DELETE) run as often as reads and every
example starts from the same seeded data. Bounded for the test suite's time: `EXAMPLES` examples
an operation and identity (derandomised, so a failure reproduces); the whole test takes about
two minutes on SQLite on a slow machine.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from jamkoll.accounts.models import Role
from jamkoll.obligations.models import Obligation
from jamkoll.plans.models import Activity
from jamkoll.reports.models import ReportFile, ReportKind
from tests.conftest import client_for, persona

from .reports.factories import ReportVersionFactory

pytestmark = pytest.mark.django_db

EXAMPLES = 8
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
CSRF = "s" * 32  # the cookie and the header agree: Django's CSRF check passes, as a browser's would
SLUG = "jamstalldhet-kvinnofrid-2018-2020"


@pytest.fixture
def same_connection() -> Iterator[None]:
    """The WSGI handler closes "old" connections at each request's start and end; inside the test's
    transaction that would close the connection the test runs in. Django's test client turns it off
    the same way for its requests."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _known() -> dict[str, Any]:
    """Path parameters that name real objects of the seeded database (and one report version)."""
    version = ReportVersionFactory(kind=ReportKind.RSS, county_code="12")
    ReportFile.objects.create(version=version, format="md", content=b"# x", sha256="0" * 64, size=3)
    activity = Activity.objects.filter(decision__slug=SLUG, year=2018).order_by("pk").first()
    obligation = Obligation.objects.order_by("pk").first()
    known: dict[str, Any] = {
        "slug": SLUG,
        "year": 2018,
        "county": "12",
        "pk": version.pk,
        "fmt": "md",
        "username": "anna-samordnare",
        "number": 1,
        "period_start": dt.date(2018, 1, 1).isoformat(),
    }
    if activity is not None:
        known["code"] = activity.code
    if obligation is not None:
        known["obligation_pk"] = obligation.pk
    return known


def _identities(**users: Any) -> dict[str, tuple[dict[str, str], dict[str, str]]]:
    """(headers, cookies) of each identity: none, and each user's session (from the test client's
    sign-in) with a CSRF cookie and header that agree, as a browser's would."""
    identities: dict[str, tuple[dict[str, str], dict[str, str]]] = {"anonymous": ({}, {})}
    for name, user in users.items():
        session = client_for(user).cookies["sessionid"].value
        identities[name] = ({"X-CSRFToken": CSRF}, {"sessionid": session, "csrftoken": CSRF})
    return identities


def _fuzz(
    strategy: st.SearchStrategy[Any],
    identity: tuple[dict[str, str], dict[str, str]],
    seen: Counter[tuple[str, int]],
) -> None:
    """`EXAMPLES` requests from `strategy`, each in a savepoint rolled back after it."""

    headers, cookies = identity

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case: Any) -> None:
        with transaction.atomic():
            response = case.call(headers=headers, cookies=cookies)
            transaction.set_rollback(True)
        seen[(case.method.upper(), response.status_code)] += 1
        case.validate_response(response, checks=CHECKS, headers=headers)

    run()


def test_the_api_answers_every_operation_as_its_schema_says(coordinator: Any, same_connection: None) -> None:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler())
    known = _known()
    # The administrator only where the coordinator is refused throughout: the users and their roles.
    identities = _identities(coordinator=coordinator, admin=persona("ada-admin", Role.ADMIN))
    failures: list[str] = []
    seen: dict[str, Counter[tuple[str, int]]] = {who: Counter() for who in identities}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 60
    for operation in operations:
        names = {p.name for p in operation.path_parameters}
        lookup = {**known, "pk": known.get("obligation_pk")} if "/obligations/" in operation.path else known
        fixed = {name: lookup[name] for name in names if lookup.get(name) is not None}
        strategies = [
            operation.as_strategy(GenerationMode.POSITIVE),
            operation.as_strategy(GenerationMode.NEGATIVE),
        ]
        if fixed:
            strategies.append(operation.as_strategy(GenerationMode.POSITIVE, path_parameters=fixed))
        for who, identity in identities.items():
            if (who == "admin") != operation.path.startswith("/api/v1/users"):
                continue
            try:
                _fuzz(st.one_of(strategies), identity, seen[who])
            except (
                Exception,
                BaseExceptionGroup,
            ) as exc:  # collect every operation's failure, then report them all
                failures.append(f"{operation.method.upper()} {operation.path} as {who}: {exc}")
    assert not failures, "\n\n".join(failures)
    # The fuzzing reached past the refusals: the coordinator read and wrote, the visitor read.
    ok = {
        who: {m for (m, status), n in counts.items() if 200 <= status < 300} for who, counts in seen.items()
    }
    assert {"GET", "POST", "PATCH"} <= ok["coordinator"]
    assert "GET" in ok["admin"]
    assert "GET" in ok["anonymous"]
