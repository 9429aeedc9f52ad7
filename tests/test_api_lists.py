"""Every API list answers one page (issue 16): at most `limit` items, the `total` of all rows the
filters keep, and the same number of queries at a small and a larger volume (`jamkoll demo-volume`
or rows made in bulk here)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.models import Q
from django.test import Client
from django.test.utils import CaptureQueriesContext

from jamkoll.comments.models import Comment, Notification
from jamkoll.ledger.models import LedgerEntry
from jamkoll.ledger.services import entry_record
from jamkoll.plans.models import Activity, Output, PlanComment, PlanCommentKind
from jamkoll.plans.services import plan_create
from jamkoll.programmes.models import Programme
from jamkoll.programmes.selectors import decision_get
from jamkoll.reference.models import Organisation, OrganisationKind
from tests.conftest import add_volume, client_for

SLUG = "jamstalldhet-kvinnofrid-2018-2020"
PLAN_API = f"/api/v1/plans/{SLUG}/2018"
LIMIT = 7


def _get(client: Client, url: str, **params: Any) -> tuple[dict[str, Any], int]:
    """The page and the queries it cost (a second request: the first of a session also writes it)."""
    client.get(url, {"limit": LIMIT, **params})
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"limit": LIMIT, **params})
    assert response.status_code == 200, response.content
    return response.json(), len(queries.captured_queries)


def _one_page(body: dict[str, Any], total: int, offset: int = 0) -> None:
    assert set(body) == {"total", "limit", "offset", "items"}
    assert body["total"] == total
    assert (body["limit"], body["offset"]) == (LIMIT, offset)
    assert len(body["items"]) == min(LIMIT, max(total - offset, 0))


@pytest.fixture
def volume(db: None, django_capture_on_commit_callbacks: Any) -> Any:
    """Call to add about 100 activities (5 per county) with outputs to 2018, and 300 ledger entries."""

    def grow() -> None:
        add_volume(django_capture_on_commit_callbacks, per_county=5, ledger_entries=300)

    return grow


def test_activities_page_and_cost_the_same_at_volume(coordinator: Any, volume: Any) -> None:
    client = client_for(coordinator)
    year = Activity.objects.filter(decision__slug=SLUG, year=2018)
    # The same page (the seeded activities' codes sort before the generated ones) before and after
    # the volume grows; then two pages of generated activities deep in the list. The queries a page
    # costs depend on what its rows link to (no partners: no partner names to read), not on the volume.
    small, small_queries = _get(client, f"{PLAN_API}/activities", sort="code")
    _one_page(small, year.count())
    volume()
    assert year.count() > small["total"] + 50
    again, again_queries = _get(client, f"{PLAN_API}/activities", sort="code")
    _one_page(again, year.count())
    assert again["items"] == small["items"] and again_queries == small_queries
    large, large_queries = _get(client, f"{PLAN_API}/activities", sort="code", offset=year.count() - LIMIT)
    _one_page(large, year.count(), year.count() - LIMIT)
    deep, deep_queries = _get(client, f"{PLAN_API}/activities", sort="code", offset=year.count() - 4 * LIMIT)
    assert all(a["id"].startswith("syntetisk-") for a in large["items"] + deep["items"])
    assert large_queries == deep_queries <= small_queries + 2
    # Filtered and sorted in the database: a county's (own or taking part), by title descending.
    skane, _queries = _get(client, f"{PLAN_API}/activities", lan="12", sort="-title", limit=500)
    titles = [a["title"] for a in skane["items"]]
    assert skane["total"] == len(titles) > 5
    assert titles == sorted(titles, reverse=True)
    assert all("12" in a["counties"] for a in skane["items"])
    # Money stays a decimal string.
    costs = [a["planned_cost"] for a in large["items"] if a["planned_cost"] is not None]
    assert all(isinstance(c, str) and "." in c for c in costs)


def test_activities_refuse_a_page_too_large_and_an_unknown_sort(coordinator: Any) -> None:
    client = client_for(coordinator)
    for params in ({"limit": 501}, {"limit": 0}, {"offset": -1}, {"sort": "description"}, {"sort": "\x00"}):
        response = client.get(f"{PLAN_API}/activities", params)
        assert response.status_code in (400, 422), params  # a NUL byte: 400 before the API reads it
        assert set(response.json()) == {"detail", "errors"}


def test_year_outputs_page_in_the_database(coordinator: Any, volume: Any) -> None:
    client = client_for(coordinator)
    outputs = Output.objects.filter(activity__decision__slug=SLUG, activity__year=2018)
    skane = outputs.filter(Q(activity__owner_county__code="12") | Q(activity__counties__code="12")).distinct()
    small, small_queries = _get(client, f"{PLAN_API}/outputs")
    _one_page(small, outputs.count())
    small_skane, small_skane_queries = _get(client, f"{PLAN_API}/outputs", lan="12")
    _one_page(small_skane, skane.count())
    volume()
    large, large_queries = _get(client, f"{PLAN_API}/outputs", offset=LIMIT)
    _one_page(large, outputs.count(), LIMIT)
    assert large["total"] > small["total"] + 50
    assert large_queries == small_queries
    # A county's (own or taking part): the same queries, its outputs only.
    large_skane, large_skane_queries = _get(client, f"{PLAN_API}/outputs", lan="12")
    _one_page(large_skane, skane.count())
    assert large_skane["total"] > small_skane["total"]
    assert large_skane_queries == small_skane_queries


def test_a_county_plans_activities_page(coordinator: Any, volume: Any) -> None:
    """A county's plan carries its own activities a page at a time (a county may run hundreds)."""
    client = client_for(coordinator)
    # Jönköping runs one activity of its own in the seeded 2018, so both volumes' pages have rows.
    own = Activity.objects.filter(decision__slug=SLUG, year=2018, owner_county__code="06")
    url = f"{PLAN_API}/counties/06"
    small, small_queries = _get(client, url)
    _one_page(small["activities"], own.count())
    volume()
    assert own.count() >= small["activities"]["total"] + 5
    large, large_queries = _get(client, url, offset=2)
    _one_page(large["activities"], own.count(), 2)
    assert large_queries == small_queries
    # Every activity once, in the plan's order, across the pages.
    seen = []
    for offset in range(0, own.count(), LIMIT):
        body, _queries = _get(client, url, offset=offset)
        seen += [a["id"] for a in body["activities"]["items"]]
    assert sorted(seen) == sorted(own.values_list("code", flat=True)) and len(set(seen)) == len(seen)
    assert large["summary"] == small["summary"] and large["county"] == "06"
    for params in ({"limit": 501}, {"offset": -1}, {"limit": "1E+400"}):
        refused = client.get(url, params)
        assert refused.status_code == 422 and set(refused.json()) == {"detail", "errors"}, params


def test_ledger_entries_page_with_total(coordinator: Any, volume: Any) -> None:
    client = client_for(coordinator)
    decision = decision_get(slug=SLUG)
    common = {
        "actor": coordinator,
        "decision": decision,
        "year": 2018,
        "kind": "requisition",
        "amount": "10.00",
    }
    entry_record(**common, reference="Ju2018/1")
    entry_record(**common, reference="Ju2018/2", county_code="12")  # a county's: its names are read too
    url = f"/api/v1/ledger/{SLUG}/2018/entries"
    entries = LedgerEntry.objects.filter(decision__slug=SLUG, year=2018)
    small, small_queries = _get(client, url)
    _one_page(small, entries.count())
    volume()
    assert entries.count() > small["total"] + 50
    large, large_queries = _get(client, url, sort="amount")
    _one_page(large, entries.count())
    assert large_queries == small_queries
    amounts = [float(e["amount"]) for e in large["items"]]
    assert amounts == sorted(amounts)
    newest, _queries = _get(client, url)
    sequences = [e["sequence"] for e in newest["items"]]
    assert sequences == sorted(sequences, reverse=True)


def test_comments_and_notifications_page(coordinator: Any, rss_skane: Any) -> None:
    decision = decision_get(slug=SLUG)
    plan = plan_create(decision=decision, year=2019, copy_from=2018, actor=coordinator)
    client = client_for(coordinator)
    url = f"/api/v1/comments/plan/{plan.pk}"

    def add(n: int, start: int) -> None:
        made = Comment.objects.bulk_create(
            Comment(author=rss_skane, plan=plan, body=f"Kommentar {start + i}") for i in range(n)
        )
        PlanComment.objects.bulk_create(
            PlanComment(plan=plan, kind=PlanCommentKind.SEND_BACK, text=f"Åter {start + i}", author_name="RK")
            for i in range(n)
        )
        Notification.objects.bulk_create(Notification(recipient=coordinator, comment=c) for c in made)

    add(5, 0)
    small, small_queries = _get(client, url)
    _one_page(small, 10)
    notes, notes_queries = _get(client, "/api/v1/notifications")
    _one_page(notes, 5)
    add(60, 5)
    # Oldest first: 5 comments, 5 send-backs, 60 comments, 60 send-backs; a page with both, as above.
    large, large_queries = _get(client, url, offset=66)
    _one_page(large, 130, 66)
    assert large_queries == small_queries
    assert (
        {c["kind"] for c in large["items"]} == {c["kind"] for c in small["items"]} == {"comment", "send_back"}
    )
    stamps = [c["created_at"] for c in large["items"]]
    assert stamps == sorted(stamps)  # oldest first
    more_notes, more_notes_queries = _get(client, "/api/v1/notifications")
    _one_page(more_notes, 65)
    assert more_notes_queries == notes_queries
    assert client_for(rss_skane).get(url, {"limit": 501}).status_code == 422


def test_organisations_and_programmes_page(db: None, client: Client) -> None:
    small, small_queries = _get(client, "/api/v1/organisations", kind="kommun")
    assert small["total"] == 290 and len(small["items"]) == LIMIT  # Sweden's municipalities
    programmes, programme_queries = _get(client, "/api/v1/programmes")
    _one_page(programmes, Programme.objects.count())
    Organisation.objects.bulk_create(
        Organisation(kind=OrganisationKind.KOMMUN, code=f"X{i:04d}") for i in range(200)
    )
    Programme.objects.bulk_create(Programme(slug=f"syntetisk-{i}", title=f"Satsning {i}") for i in range(50))
    large, large_queries = _get(client, "/api/v1/organisations", kind="kommun", offset=LIMIT)
    assert large["total"] == small["total"] + 200
    assert len(large["items"]) == LIMIT
    assert large_queries == small_queries
    more, more_queries = _get(client, "/api/v1/programmes", offset=LIMIT)
    _one_page(more, Programme.objects.count(), LIMIT)
    assert more_queries == programme_queries
