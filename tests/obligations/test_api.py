"""/api/v1/obligations: list with filters, one obligation, and POST submit / waive / reschedule."""

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client

from tests.conftest import client_for

from .conftest import AGREEMENT, obligation

pytestmark = pytest.mark.django_db
API = "/api/v1/obligations"


def post(c: Client, path: str, data: dict[str, Any]) -> Any:
    return c.post(path, json.dumps(data), content_type="application/json")


def test_it_requires_login(client: Client) -> None:
    assert client.get(API).status_code == 401
    o = obligation("2018-financial_report")
    assert post(client, f"{API}/{o.pk}/submit", {"submitted_on": "2019-03-29"}).status_code == 401


def test_list_with_filters(coordinator: Any) -> None:
    c = client_for(coordinator)
    rows = c.get(API, {"decision": AGREEMENT, "year": 2019}).json()["items"]
    report = next(r for r in rows if r["kind"] == "financial_report" and r["year"] == 2018)
    assert (report["nominal_date"], report["effective_date"]) == ("2019-03-31", "2019-04-01")
    # Due before JämKoll kept the agreement's records, nothing registered: not known to be late.
    assert report["reclaim_risk"] is False and report["status"] == "unknown"
    skane = c.get(API, {"county": "12", "kind": "requisition"}).json()["items"]
    assert [r["county"] for r in skane] == ["12", "12", "12"]
    first = c.get(API, {"decision": AGREEMENT, "status": "not_scheduled"}).json()
    assert (first["total"], first["limit"], len(first["items"])) == (6 + 63, 50, 50)  # the default page
    undated = c.get(API, {"decision": AGREEMENT, "status": "not_scheduled", "limit": 100}).json()["items"]
    assert len(undated) == 6 + 63 and all(r["nominal_date"] is None for r in undated)


def test_bad_filters_are_422_and_unknown_decision_404(coordinator: Any) -> None:
    c = client_for(coordinator)
    assert c.get(API, {"kind": "planet"}).status_code == 422
    assert c.get(API, {"status": "sometime"}).status_code == 422
    assert c.get(API, {"year": "tjugo"}).status_code == 422
    assert c.get(API, {"county": "1"}).status_code == 422
    assert c.get(API, {"decision": "finns-inte"}).status_code == 404


def test_one_obligation_with_what_the_user_may_do(rss_skane: Any) -> None:
    o = obligation("2018-requisition-rss-25")
    data = client_for(rss_skane).get(f"{API}/{o.pk}").json()
    assert data["county"] == "25" and "instruktioner" in data["source_text"]
    assert data["actions"]["submit"]["allowed"] is False
    assert "ditt eget län" in data["actions"]["submit"]["reason"]
    assert client_for(rss_skane).get(f"{API}/999999").status_code == 404


def test_submit(certifier: Any) -> None:
    o = obligation("2018-financial_report")
    response = post(
        client_for(certifier),
        f"{API}/{o.pk}/submit",
        {
            "submitted_on": "2019-04-01",
            "receipt_reference": "KAMK 2019/77",
            "document_reference": "ek-red-2018.pdf",
        },
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["status"] == "submitted_on_time" and data["receipt_reference"] == "KAMK 2019/77"
    assert data["reclaim_risk"] is False
    assert obligation("2018-financial_report").submitted_by == certifier


def test_rss_skane_cannot_submit_norrbotten(rss_skane: Any) -> None:
    o = obligation("2018-requisition-rss-25")
    response = post(client_for(rss_skane), f"{API}/{o.pk}/submit", {"submitted_on": "2018-05-01"})
    assert response.status_code == 403
    assert "ditt eget län" in response.json()["detail"]
    assert obligation("2018-requisition-rss-25").submitted_on is None


def test_bad_input_is_422(coordinator: Any) -> None:
    o = obligation("2018-financial_report")
    c = client_for(coordinator)
    assert post(c, f"{API}/{o.pk}/submit", {"submitted_on": "igår"}).status_code == 422
    assert post(c, f"{API}/{o.pk}/submit", {}).status_code == 422
    future = post(c, f"{API}/{o.pk}/submit", {"submitted_on": "2099-01-01"})
    assert future.status_code == 422 and "framtiden" in future.json()["detail"]
    assert list(future.json()["errors"]) == ["submitted_on"]
    far = post(c, f"{API}/{o.pk}/submit", {"submitted_on": "2999-01-01"})  # beyond the schema's bound
    assert far.status_code == 422 and list(far.json()["errors"]) == ["submitted_on"]
    assert post(c, f"{API}/{o.pk}/waive", {"reason": ""}).status_code == 422
    assert post(c, f"{API}/{o.pk}/waive", {"reason": "   "}).status_code == 422


def test_illegal_transitions_are_422_with_the_reason(coordinator: Any) -> None:
    o = obligation("2018-status_report-h1")
    c = client_for(coordinator)
    assert post(c, f"{API}/{o.pk}/waive", {"reason": "Ersatt av möte"}).json()["status"] == "waived"
    again = post(c, f"{API}/{o.pk}/submit", {"submitted_on": "2018-07-01"})
    assert again.status_code == 422 and "undantaget" in again.json()["detail"]
    assert again.json()["errors"] == {}  # the obligation's state, not a field, is at fault
    stated = obligation("2018-requisition")
    refused = post(c, f"{API}/{stated.pk}/reschedule", {"nominal_date": "2018-11-01", "reason": "x"})
    assert refused.status_code == 422
    assert "står i beslutet" in refused.json()["detail"]


def test_reschedule_and_waive_are_refused_to_the_wrong_role(treasury: Any, ministry: Any) -> None:
    o = obligation("2019-activity_report")
    assert post(client_for(treasury), f"{API}/{o.pk}/waive", {"reason": "x"}).status_code == 403
    ok = post(
        client_for(ministry), f"{API}/{o.pk}/reschedule", {"nominal_date": "2020-04-15", "reason": "Beslut"}
    )
    assert ok.status_code == 200 and ok.json()["effective_date"] == "2020-04-15"
    assert obligation("2019-activity_report").nominal_date == dt.date(2020, 4, 15)


def test_posts_need_the_csrf_token(coordinator: Any) -> None:
    c = Client(enforce_csrf_checks=True)
    c.force_login(coordinator)
    o = obligation("2018-financial_report")
    assert post(c, f"{API}/{o.pk}/submit", {"submitted_on": "2019-03-29"}).status_code in {401, 403}
    assert obligation("2018-financial_report").submitted_on is None


def test_the_schema_lists_the_endpoints(client: Client) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert API in paths and f"{API}/{{pk}}/submit" in paths and f"{API}/{{pk}}/waive" in paths


def test_the_list_pages_with_a_total(coordinator: Any) -> None:
    """Issue 15: a year's deadlines a page at a time; the pages together are the whole list."""
    c = client_for(coordinator)
    whole = c.get(API, {"decision": AGREEMENT, "year": 2019, "limit": 500}).json()
    first = c.get(API, {"decision": AGREEMENT, "year": 2019, "limit": 10}).json()
    second = c.get(API, {"decision": AGREEMENT, "year": 2019, "limit": 10, "offset": 10}).json()
    assert first["total"] == whole["total"] > 20 and (first["limit"], second["offset"]) == (10, 10)
    assert first["items"] + second["items"] == whole["items"][:20]
    refused = c.get(API, {"limit": 501})
    assert refused.status_code == 422 and "limit" in refused.json()["errors"]
