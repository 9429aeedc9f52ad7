"""What issue 13 added to an activity — the goal areas it also serves, whether the document gives
it as an example or names no county, the document's own words for when — is kept through the web
form and the API, not only through the data file or the admin."""

from typing import Any

import pytest

from jamkoll.accounts.policy import SEED_LOADER
from jamkoll.plans.models import Activity
from jamkoll.plans.services import plan_create
from jamkoll.programmes.selectors import decision_get
from tests.conftest import client_for

pytestmark = pytest.mark.django_db
SLUG = "jamstalldhet-kvinnofrid-2018-2020"
API = f"/api/v1/plans/{SLUG}/2019/activities"


@pytest.fixture(autouse=True)
def plan_2019() -> None:
    plan_create(decision=decision_get(slug=SLUG), year=2019, copy_from=None, actor=SEED_LOADER)


def _new(client: Any, **extra: Any) -> Any:
    body = {"title": "Nätverk för kvinnofridssamordnare", "sub_project": 2, "goal_area": 3, **extra}
    return client.post(API, body, content_type="application/json")


def test_the_api_keeps_what_the_document_says_about_an_activity(coordinator: Any) -> None:
    client = client_for(coordinator)
    created = _new(
        client,
        also_serves=[1],
        is_example=True,
        counties_not_named=True,
        planned_period="genomförs under 2019",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["also_serves"] == [1]
    assert body["is_example"] is True and body["counties_not_named"] is True
    assert body["planned_period"] == "genomförs under 2019"
    stored = Activity.objects.get(decision__slug=SLUG, year=2019, code=body["id"])
    assert [g.number for g in stored.also_serves.all()] == [1]

    patched = client.patch(f"{API}/{body['id']}", {"also_serves": []}, content_type="application/json")
    assert patched.status_code == 200 and patched.json()["also_serves"] == []


def test_an_activity_is_not_also_serving_the_goal_it_is_reported_under(coordinator: Any) -> None:
    client = client_for(coordinator)
    refused = _new(client, also_serves=[3])
    assert refused.status_code == 422
    assert "also_serves" in refused.content.decode()
    assert not Activity.objects.filter(decision__slug=SLUG, year=2019, title__startswith="Nätverk").exists()


def test_an_unknown_goal_area_is_refused_at_its_field(coordinator: Any) -> None:
    refused = _new(client_for(coordinator), also_serves=[9])
    assert refused.status_code == 422
    assert "also_serves" in refused.content.decode()


def test_the_edit_form_offers_and_keeps_the_fields(coordinator: Any) -> None:
    client = client_for(coordinator)
    code = _new(client).json()["id"]
    url = f"/planer/{SLUG}/2019/aktivitet/{code}/andra/"
    page = client.get(url).content.decode()
    for name in ("also_serves", "is_example", "counties_not_named", "planned_period"):
        assert f'name="{name}"' in page, name
    form = {
        "title": "Nätverk för kvinnofridssamordnare",
        "sub_project": "2",
        "goal_area": "3",
        "also_serves": ["1"],
        "is_example": "on",
        "planned_period": "under 2019",
        "status": "planned",
    }
    saved = client.post(url, form)
    assert saved.status_code == 302, saved.content.decode()[:2000]
    stored = Activity.objects.get(decision__slug=SLUG, year=2019, code=code)
    assert [g.number for g in stored.also_serves.all()] == [1]
    assert stored.is_example and not stored.counties_not_named
    assert stored.planned_period == "under 2019"
