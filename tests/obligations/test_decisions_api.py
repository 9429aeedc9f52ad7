"""`POST /api/v1/decisions` and `GET /api/v1/decisions/{slug}` (issue 11)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from jamkoll.obligations.models import Obligation
from jamkoll.obligations.transitions import obligation_submit
from jamkoll.programmes.models import FundingDecision
from tests.conftest import client_for
from tests.hostile import HOSTILE_TEXT, assert_refused, nothing_stored, row_counts

from .conftest import AGREEMENT
from .decision_docs import SLUG, grant_2022

pytestmark = pytest.mark.django_db
URL = "/api/v1/decisions"


def post(client: Client, body: Any, query: str = "") -> Any:
    return client.post(URL + query, body, content_type="application/json")


def test_it_registers_a_decision_with_201_and_its_obligations(coordinator: Any) -> None:
    response = post(client_for(coordinator), grant_2022())
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["decision"] == SLUG and data["created"] and not data["dry_run"]
    plan = next(o for o in data["obligations"] if o["key"] == "2022-project_plan")
    assert (plan["nominal_date"], plan["effective_date"], plan["moved"]) == ("2022-06-06", "2022-06-07", True)
    assert plan["change"] == "created"
    assert FundingDecision.objects.filter(slug=SLUG).exists()


def test_the_same_document_again_is_200_and_changes_nothing(coordinator: Any) -> None:
    client = client_for(coordinator)
    post(client, grant_2022())
    before = row_counts()
    response = post(client, grant_2022())
    assert response.status_code == 200
    assert response.json()["changed"] is False
    assert row_counts() == before


def test_a_dry_run_returns_the_preview_and_stores_nothing(coordinator: Any) -> None:
    with nothing_stored():
        response = post(client_for(coordinator), grant_2022(), "?dry_run=true")
    assert response.status_code == 200
    data = response.json()
    assert data["dry_run"] and data["created"]
    assert [o["effective_date"] for o in data["obligations"]] == ["2022-06-07", "2022-12-01", "2023-03-31"]


def test_get_returns_the_document_that_post_takes_back_unchanged(coordinator: Any) -> None:
    client = client_for(coordinator)
    for slug in (AGREEMENT, "hedersrelaterat-2021"):
        document = client.get(f"{URL}/{slug}").json()
        assert document["slug"] == slug and document["programme"]
        before = row_counts()
        response = post(client, document)
        assert response.status_code == 200, response.content
        assert response.json()["changed"] is False
        assert row_counts() == before
    document = client.get(f"{URL}/{AGREEMENT}").json()
    assert document["budgets"][0]["total"] == "20000000.00"
    assert document["conditions"][3]["text"].startswith("Medel avseende 2018 får rekvireras")


def test_get_edit_post_round_trip_changes_the_decision(coordinator: Any) -> None:
    client = client_for(coordinator)
    post(client, grant_2022())
    document = client.get(f"{URL}/{SLUG}").json()
    document["conditions"][1]["text"] = document["conditions"][1]["text"].replace("1 december", "2 december")
    data = post(client, document).json()
    changed = [o["key"] for o in data["obligations"] if o["change"] == "changed"]
    assert changed == ["2022-requisition"]


def test_an_unknown_decision_is_404(coordinator: Any) -> None:
    response = client_for(coordinator).get(f"{URL}/finns-inte")
    assert response.status_code == 404 and "okänt beslut" in response.json()["detail"]


@pytest.mark.parametrize(
    ("change", "key"),
    [
        (lambda d: d["conditions"][2].update(text=""), "conditions.2.text"),
        (lambda d: d["conditions"][2].update(text="a\x00b"), "conditions.2.text"),
        (lambda d: d.update(grantor="NOPE"), "grantor"),
        (lambda d: d.pop("programme"), "programme"),
        (lambda d: d.update(amount_per_year=1.5), "amount_per_year"),
    ],
)
def test_an_invalid_document_is_422_naming_the_path(coordinator: Any, change: Any, key: str) -> None:
    doc = grant_2022()
    change(doc)
    with nothing_stored():
        response = post(client_for(coordinator), doc)
    assert response.status_code == 422
    body = response.json()
    assert list(body["errors"]) == [key] and body["detail"].startswith(f"{key}: ")


def test_a_body_that_is_not_json_is_422(coordinator: Any) -> None:
    with nothing_stored():
        response = client_for(coordinator).post(URL, "{nej", content_type="application/json")
    assert response.status_code == 422 and list(response.json()["errors"]) == ["body"]


def test_removing_a_condition_whose_obligation_was_submitted_is_422(coordinator: Any) -> None:
    client = client_for(coordinator)
    post(client, grant_2022())
    requisition = Obligation.objects.get(decision__slug=SLUG, key="2022-requisition")
    obligation_submit(obligation=requisition, submitted_on=dt.date(2022, 11, 20), actor=coordinator)
    doc = grant_2022()
    del doc["conditions"][1]
    with nothing_stored():
        response = post(client, doc)
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["conditions.1"]
    assert "inlämnat 2022-11-20" in response.json()["detail"]


@pytest.mark.parametrize("who", ["rss_skane", "ministry", "treasury", "signatory"])
def test_other_roles_are_refused_with_the_reason(who: str, request: pytest.FixtureRequest) -> None:
    client = client_for(request.getfixturevalue(who))
    with nothing_stored():
        response = post(client, grant_2022())
    assert response.status_code == 403
    assert "samordnare" in response.json()["detail"]
    assert client.get(f"{URL}/{AGREEMENT}").status_code == 200  # but they may read it


def test_an_anonymous_post_is_401() -> None:
    with nothing_stored():
        assert post(Client(), grant_2022()).status_code == 401


def test_the_post_needs_the_csrf_token(coordinator: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator)
    with nothing_stored():
        response = post(client, grant_2022())
    assert response.status_code in (401, 403)


@pytest.mark.parametrize("value", HOSTILE_TEXT)
def test_hostile_text_in_any_field_stores_nothing(coordinator: Any, value: str) -> None:
    client = client_for(coordinator)
    for place in ("title", "slug", "purpose", "grantor", "programme"):
        doc = grant_2022(**{place: value})
        with nothing_stored():
            response = post(client, doc)
        assert_refused(response, where=place)
    doc = grant_2022()
    doc["conditions"][0]["text"] = value
    with nothing_stored():
        assert_refused(post(client, doc), where="conditions.0.text")


def test_a_body_over_the_upload_limit_is_refused_without_a_server_error(coordinator: Any) -> None:
    client = client_for(coordinator)
    client.raise_request_exception = False
    doc = grant_2022(note="x" * 3_000_000)
    with nothing_stored():
        response = post(client, doc)
    assert 400 <= response.status_code < 500
