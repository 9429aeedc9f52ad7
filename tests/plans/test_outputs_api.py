"""Reading outputs (results) through the API (issue 15): the year's outputs activity by activity
(filtered like the activities, a page at a time), one activity's, one output. Plans are shown to
users with a role in the programme: a signed-in user without one is refused with the policy's
reason, the anonymous visitor with 401; bad input is a 422 naming the field."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from jamkoll.accounts.policy import SEED_LOADER
from jamkoll.plans.models import Activity, Output
from jamkoll.plans.services import output_create
from tests.conftest import client_for

from .factories import SLUG, ActivityFactory

pytestmark = pytest.mark.django_db
REASON = "Planer och aktiviteter visas för användare med en roll i satsningen."


@pytest.fixture
def skane_activity() -> Activity:
    return ActivityFactory(county="12")


@pytest.fixture
def output(skane_activity: Activity) -> Output:
    return output_create(
        activity=skane_activity,
        actor=SEED_LOADER,
        label="Deltagare",
        unit="personer",
        total=10,
        women=6,
        men=3,
        other=1,
    )


def _urls(output: Output) -> list[str]:
    a = output.activity
    base = f"/api/v1/plans/{SLUG}/{a.year}"
    return [
        f"{base}/outputs",
        f"{base}/activities/{a.code}/outputs",
        f"{base}/activities/{a.code}/outputs/{output.pk}",
    ]


def test_a_role_reads_the_years_outputs_an_activitys_and_one(rss_norrbotten: Any, output: Output) -> None:
    year_url, activity_url, one_url = _urls(output)
    client = client_for(rss_norrbotten)  # another county's leader reads them too: plans are shared
    year = client.get(year_url, {"lan": "12", "limit": 500}).json()
    mine = [row for row in year["items"] if row["id"] == output.pk]
    assert year["total"] == len(year["items"])
    assert mine and mine[0]["activity"] == output.activity.code and mine[0]["owner_county"] == "12"
    assert mine[0]["figure"] and mine[0]["women"] == 6
    assert [o["id"] for o in client.get(activity_url).json()] == [output.pk]
    assert client.get(one_url).json()["label"] == "Deltagare"


def test_the_years_outputs_page_with_a_total(coordinator: Any, output: Output) -> None:
    year_url = _urls(output)[0]
    client = client_for(coordinator)
    everything = client.get(year_url, {"limit": 500}).json()
    first = client.get(year_url, {"limit": 1}).json()
    assert first["total"] == everything["total"] >= 1
    assert first["items"] == everything["items"][:1]


def test_a_user_without_a_role_is_refused_with_the_policys_reason(no_role: Any, output: Output) -> None:
    client = client_for(no_role)
    for url in _urls(output):
        response = client.get(url)
        assert response.status_code == 403, url
        assert response.json()["detail"] == REASON


def test_the_anonymous_visitor_is_refused(output: Output) -> None:
    for url in _urls(output):
        assert Client().get(url).status_code == 401, url


def test_bad_input_is_a_422_naming_the_field_and_an_unknown_output_a_404(
    coordinator: Any, output: Output
) -> None:
    year_url, activity_url, _one_url = _urls(output)
    client = client_for(coordinator)
    response = client.get(year_url, {"limit": 0})
    assert response.status_code == 422 and "limit" in response.json()["errors"]
    response = client.get(year_url, {"malomrade": "x"})
    assert response.status_code == 422 and "malomrade" in response.json()["errors"]
    assert client.get(f"{activity_url}/999999").status_code == 404
    assert client.get(f"/api/v1/plans/{SLUG}/2025/outputs").status_code == 404  # outside the period
