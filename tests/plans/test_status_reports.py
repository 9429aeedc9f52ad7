"""`GET /api/v1/plans/{slug}/status-reports`: reachable beside `/{slug}/{year}`, drafts only for
those the policy lets see them."""

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from jamkoll.plans.models import StatusReport, StatusReportState
from jamkoll.programmes.selectors import decision_get
from tests.conftest import client_for

pytestmark = pytest.mark.django_db
SLUG = "jamstalldhet-kvinnofrid-2018-2020"
URL = f"/api/v1/plans/{SLUG}/status-reports"
DRAFT_REASON = "Utkast till halvårsrapporter visas bara för SKR:s samordnare"


@pytest.fixture
def reports(db: None) -> list[StatusReport]:
    decision = decision_get(slug=SLUG)
    return [
        StatusReport.objects.create(
            decision=decision,
            period_start=dt.date(2018, 1, 1),
            period_end=dt.date(2018, 6, 30),
            state=StatusReportState.SUBMITTED,
            summary="Första halvåret",
        ),
        StatusReport.objects.create(
            decision=decision,
            period_start=dt.date(2018, 7, 1),
            period_end=dt.date(2018, 12, 31),
            state=StatusReportState.DRAFT,
            summary="Andra halvåret, utkast",
        ),
    ]


@pytest.mark.parametrize("persona_name", ["coordinator", "certifier", "signatory"])
def test_it_answers_200_with_the_drafts_for_those_who_may_see_them(
    reports: list[StatusReport], persona_name: str, request: pytest.FixtureRequest
) -> None:
    response = client_for(request.getfixturevalue(persona_name)).get(URL)
    assert response.status_code == 200, response.content
    assert [(r["period_start"], r["state"]) for r in response.json()] == [
        ("2018-01-01", "submitted"),
        ("2018-07-01", "draft"),
    ]


@pytest.mark.parametrize("persona_name", ["rss_skane", "ministry", "treasury", "analyst"])
def test_it_does_not_show_a_draft_to_a_role_without_the_draft_right(
    reports: list[StatusReport], persona_name: str, request: pytest.FixtureRequest
) -> None:
    response = client_for(request.getfixturevalue(persona_name)).get(URL)
    assert response.status_code == 200, response.content
    assert [(r["summary"], r["state"]) for r in response.json()] == [("Första halvåret", "submitted")]


def test_it_refuses_anonymous_and_a_user_without_a_role_with_the_reason(
    reports: list[StatusReport], no_role: Any
) -> None:
    assert Client().get(URL).status_code == 401
    refused = client_for(no_role).get(URL)
    assert refused.status_code == 403
    assert refused.json()["detail"] == "Planer och aktiviteter visas för användare med en roll i satsningen."


def test_it_answers_404_for_an_unknown_decision_and_405_for_a_put(coordinator: Any) -> None:
    client = client_for(coordinator)
    missing = client.get("/api/v1/plans/finns-inte/status-reports")
    assert missing.status_code == 404 and "finns-inte" in missing.json()["detail"]
    assert client.put(URL).status_code == 405  # POST starts a report (issue 11); PUT is no method here


def test_it_still_reaches_the_years_plan_and_refuses_a_year_out_of_bounds(coordinator: Any) -> None:
    client = client_for(coordinator)
    assert client.get(f"/api/v1/plans/{SLUG}/2018").status_code == 200
    out_of_bounds = client.get(f"/api/v1/plans/{SLUG}/99999")
    assert out_of_bounds.status_code == 422 and "year" in out_of_bounds.json()["errors"]


def test_the_draft_rule_carries_its_reason(rss_skane: Any) -> None:
    from jamkoll.accounts.policy import check

    verdict = check(rss_skane, "status_report.view_draft")
    assert not verdict and DRAFT_REASON in verdict.reason
