"""The county's own work (issue 11): an RSS leader creates and edits their county's
genomförandeplan and its activities, sees the other counties read-only with the reason, and a
plan marked "Framtagen" locks its planning (`county_plan_lock`); the coordinator does all and sees
the 21 counties side by side with what is missing. Services, web and API."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from jamkoll.accounts.policy import SEED_LOADER
from jamkoll.plans.locks import county_plan_lock
from jamkoll.plans.models import Activity, CountyPlan, CountyPlanStatus
from jamkoll.plans.services import (
    county_activity_create,
    county_activity_update,
    county_plan_create,
    county_plan_update,
    plan_create,
)
from jamkoll.programmes.selectors import decision_get
from tests.conftest import client_for
from tests.hostile import HOSTILE_DATES, assert_refused, nothing_stored

from .factories import SLUG

pytestmark = pytest.mark.django_db

PLAN_REASON = "Du kan bara ändra ditt eget läns genomförandeplan."
ACTIVITY_REASON = "Du kan bara ändra aktiviteter i ditt eget län."
REOPEN_REASON = "En framtagen genomförandeplan öppnas igen av SKR:s samordnare."
VIEW_REASON = "Planer och aktiviteter visas för användare med en roll i satsningen."
LOCK_MARK = "är framtagen, så planeringen är låst"
ACTIVITY = {
    "title": "Utbildning för socialtjänstens chefer",
    "description": "Två utbildningsdagar om våld i nära relationer.",
    "goal_area": "3",
    "sub_project": "2",
    "status": "planned",
    "planned_start": "2019-03-01",
    "planned_end": "2019-10-31",
    "actual_start": "",
    "actual_end": "",
    "planned_cost": "150 000",
}


def _page(county: str, year: int = 2019) -> str:
    return f"/planer/{SLUG}/{year}/lan/{county}/"


def _api(county: str, year: int = 2019) -> str:
    return f"/api/v1/plans/{SLUG}/{year}/counties/{county}"


def _send(client: Client, method: str, url: str, body: Any) -> Any:
    return client.generic(method.upper(), url, json.dumps(body), content_type="application/json")


def _service_activity(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        **ACTIVITY,
        "planned_start": dt.date(2019, 3, 1),
        "planned_end": dt.date(2019, 10, 31),
        "actual_start": None,
        "actual_end": None,
    }
    return {**values, **changes}


@pytest.fixture
def decision() -> Any:
    return decision_get(slug=SLUG)


@pytest.fixture
def norrbotten_plan(decision: Any) -> CountyPlan:
    return county_plan_create(
        decision=decision, year=2019, county_code="25", summary="Norrbottens plan", actor=SEED_LOADER
    )


@pytest.fixture
def norrbotten_activity(norrbotten_plan: CountyPlan) -> Activity:
    return county_activity_create(county_plan=norrbotten_plan, actor=SEED_LOADER, **_service_activity())


@pytest.fixture
def skane_plan(decision: Any) -> CountyPlan:
    return county_plan_create(decision=decision, year=2019, county_code="12", actor=SEED_LOADER)


# --- services ----------------------------------------------------------------------------------


def test_it_lets_an_rss_leader_keep_their_own_county_plan(rss_skane: Any, decision: Any) -> None:
    plan = county_plan_create(
        decision=decision, year=2019, county_code="12", summary="Skånes plan", actor=rss_skane
    )
    assert (plan.county.code, plan.status, plan.summary) == ("12", CountyPlanStatus.DRAFT, "Skånes plan")
    activity = county_activity_create(county_plan=plan, actor=rss_skane, **_service_activity())
    assert (activity.owner_county, activity.county_plan, activity.year) == (plan.county, plan, 2019)
    assert activity.code.startswith("2019-rss-12-utbildning") and activity.planned_cost == 150000
    assert list(activity.counties.values_list("code", flat=True)) == ["12"]
    assert activity.report_section == "4.1"  # where the decision's county activities are reported
    plan = county_plan_update(county_plan=plan, summary="Ändrad", status="fixed", actor=rss_skane)
    assert (plan.summary, plan.status) == ("Ändrad", CountyPlanStatus.FIXED)
    assert plan.history.first().history_user == rss_skane


def test_it_refuses_another_county_with_the_reason(
    rss_skane: Any, decision: Any, norrbotten_plan: CountyPlan, norrbotten_activity: Activity
) -> None:
    with nothing_stored():
        for call in (
            lambda: county_plan_create(decision=decision, year=2019, county_code="25", actor=rss_skane),
            lambda: county_plan_update(county_plan=norrbotten_plan, summary="Kapad", actor=rss_skane),
            lambda: county_activity_create(
                county_plan=norrbotten_plan, actor=rss_skane, **_service_activity()
            ),
        ):
            with pytest.raises(PermissionDenied, match=PLAN_REASON):
                call()
        with pytest.raises(PermissionDenied, match=ACTIVITY_REASON):
            county_activity_update(activity=norrbotten_activity, title="Kapad", actor=rss_skane)


@pytest.mark.parametrize("persona_name", ["ministry", "treasury", "analyst", "certifier"])
def test_it_refuses_a_role_that_does_not_keep_county_plans(
    persona_name: str, request: pytest.FixtureRequest, decision: Any, norrbotten_activity: Activity
) -> None:
    user = request.getfixturevalue(persona_name)
    with nothing_stored():
        with pytest.raises(PermissionDenied, match=PLAN_REASON):
            county_plan_create(decision=decision, year=2019, county_code="12", actor=user)
        with pytest.raises(PermissionDenied, match=ACTIVITY_REASON):
            county_activity_update(activity=norrbotten_activity, status="ongoing", actor=user)


def test_it_lets_the_coordinator_keep_any_county_plan(coordinator: Any, decision: Any) -> None:
    plan = county_plan_create(decision=decision, year=2020, county_code="25", actor=coordinator)
    activity = county_activity_create(
        county_plan=plan,
        actor=coordinator,
        **_service_activity(planned_start=dt.date(2020, 1, 1), planned_end=dt.date(2020, 2, 1)),
    )
    changed = county_activity_update(activity=activity, title="Ny rubrik", goal_area=2, actor=coordinator)
    assert (changed.title, changed.goal_area.number) == ("Ny rubrik", 2)


def test_a_framtagen_plan_locks_the_planning_and_leaves_the_follow_up_open(
    rss_norrbotten: Any, coordinator: Any, norrbotten_plan: CountyPlan, norrbotten_activity: Activity
) -> None:
    plan = county_plan_update(county_plan=norrbotten_plan, status="fixed", actor=rss_norrbotten)
    verdict = county_plan_lock(county_plan=plan)
    assert not verdict and LOCK_MARK in verdict.reason and "Norrbottens län 2019" in verdict.reason
    assert county_plan_lock(county_plan=plan, fields=["status", "actual_start"])
    activity = Activity.objects.get(pk=norrbotten_activity.pk)
    with nothing_stored():
        for changes in ({"title": "Ny"}, {"planned_end": dt.date(2019, 12, 1)}, {"goal_area": 1}):
            with pytest.raises(ValidationError) as refused:
                county_activity_update(activity=activity, actor=rss_norrbotten, **changes)
            assert refused.value.code == "locked" and LOCK_MARK in refused.value.message
        with pytest.raises(ValidationError, match=LOCK_MARK):
            county_activity_create(county_plan=plan, actor=rss_norrbotten, **_service_activity())
        with pytest.raises(ValidationError, match=LOCK_MARK):
            county_plan_update(county_plan=plan, summary="Ny", actor=rss_norrbotten)
        with pytest.raises(PermissionDenied, match=REOPEN_REASON):
            county_plan_update(county_plan=plan, status="draft", actor=rss_norrbotten)
    followed = county_activity_update(
        activity=activity, status="ongoing", actual_start=dt.date(2019, 4, 2), actor=rss_norrbotten
    )
    assert (followed.status, followed.actual_start) == ("ongoing", dt.date(2019, 4, 2))
    reopened = county_plan_update(county_plan=plan, status="draft", actor=coordinator)
    assert county_plan_lock(county_plan=reopened)
    assert county_activity_update(activity=followed, title="Ny", actor=rss_norrbotten).title == "Ny"


def test_it_names_the_bad_field_and_stores_nothing(
    rss_skane: Any, decision: Any, skane_plan: CountyPlan
) -> None:
    with nothing_stored():
        with pytest.raises(ValidationError) as refused:
            county_activity_create(
                county_plan=skane_plan,
                actor=rss_skane,
                **_service_activity(
                    title="",
                    goal_area=9,
                    sub_project="x",
                    planned_start=dt.date(2020, 1, 1),
                    actual_end=dt.date(2018, 12, 31),
                    planned_cost="1e30",
                    status="zz",
                ),
            )
        errors = refused.value.message_dict
        assert set(errors) == {
            "title",
            "goal_area",
            "sub_project",
            "planned_start",
            "actual_end",
            "planned_cost",
            "status",
        }
        assert "Datumet ska ligga inom 2019 (2019-01-01–2019-12-31)" in errors["planned_start"][0]
        assert "målområden (1, 2, 3)" in errors["goal_area"][0]
        with pytest.raises(ValidationError) as ordered:
            county_activity_create(
                county_plan=skane_plan,
                actor=rss_skane,
                **_service_activity(planned_start=dt.date(2019, 6, 1), planned_end=dt.date(2019, 5, 1)),
            )
        assert "planned_end" in ordered.value.message_dict
        with pytest.raises(ValidationError) as outside:
            county_plan_create(decision=decision, year=2021, county_code="12", actor=rss_skane)
        assert "year" in outside.value.message_dict
        with pytest.raises(ValidationError) as twice:
            county_plan_create(decision=decision, year=2019, county_code="12", actor=rss_skane)
        assert "redan en genomförandeplan" in twice.value.message_dict["county"][0]
        with pytest.raises(ValidationError) as status:
            county_plan_update(county_plan=skane_plan, status="klar", actor=rss_skane)
        assert "status" in status.value.message_dict


# --- web ------------------------------------------------------------------------------------------


def test_it_shows_another_countys_plan_read_only_with_the_reason(
    rss_skane: Any, norrbotten_plan: CountyPlan, norrbotten_activity: Activity
) -> None:
    client = client_for(rss_skane)
    page = client.get(_page("25"))
    body = page.content.decode()
    assert page.status_code == 200 and PLAN_REASON in body
    assert "Norrbottens plan" in body and norrbotten_activity.title in body
    assert '<form method="post" action="/planer/' not in body  # no write form for Skåne here
    with nothing_stored():
        for url, data in (
            (_page("25"), {"summary": "Kapad", "status": "draft"}),
            (f"{_page('25')}ny-aktivitet/", ACTIVITY),
        ):
            refused = client.post(url, data)
            assert refused.status_code == 403 and PLAN_REASON in assert_refused(refused), url
        activity_url = f"{_page('25')}aktivitet/{norrbotten_activity.code}/"
        assert ACTIVITY_REASON in client.get(activity_url).content.decode()
        refused = client.post(activity_url, {**ACTIVITY, "title": "Kapad"})
        assert refused.status_code == 403 and ACTIVITY_REASON in assert_refused(refused)
    assert Activity.objects.get(pk=norrbotten_activity.pk).title == ACTIVITY["title"]
    # A year without a plan: the reason is the page's one note (what the browser journey reads).
    empty = client.get(_page("25", 2020)).content.decode()
    assert empty.count('<p class="note') == 1 and PLAN_REASON in empty and "Spara" not in empty


def test_an_rss_leader_enters_their_county_plan_and_an_activity_in_the_web(rss_skane: Any) -> None:
    client = client_for(rss_skane)
    empty = client.get(_page("12")).content.decode()
    assert "Ingen genomförandeplan är registrerad för 2019." in empty and "Skapa genomförandeplanen" in empty
    created = client.post(_page("12"), {"summary": "Skånes plan för 2019"})
    assert created.status_code == 302 and created["Location"] == _page("12")
    plan = CountyPlan.objects.get(decision__slug=SLUG, year=2019, county__code="12")
    added = client.post(f"{_page('12')}ny-aktivitet/", ACTIVITY)
    assert added.status_code == 302
    activity = Activity.objects.get(county_plan=plan)
    assert (activity.title, activity.owner_county.code, str(activity.planned_cost)) == (
        ACTIVITY["title"],
        "12",
        "150000.00",
    )
    edit_url = f"{_page('12')}aktivitet/{activity.code}/"
    edited = client.post(edit_url, {**ACTIVITY, "title": "Ändrad rubrik", "status": "ongoing"})
    assert edited.status_code == 302 and Activity.objects.get(pk=activity.pk).title == "Ändrad rubrik"
    fixed = client.post(_page("12"), {"summary": "Skånes plan för 2019", "status": "fixed"})
    assert fixed.status_code == 302
    page = client.get(_page("12")).content.decode()
    assert "Framtagen" in page and LOCK_MARK in page
    # The lock's note already says who opens the plan again: the policy's reason is not repeated.
    assert page.count(LOCK_MARK) == 1 and "samordnaren kan öppna planen igen" in page
    assert REOPEN_REASON not in page
    assert "Ny aktivitet i genomförandeplanen" not in page
    locked = client.get(edit_url).content.decode()
    assert LOCK_MARK in locked and 'name="title"' in locked and "disabled" in locked
    # The locked planning is not sent; the follow-up is.
    followed = client.post(edit_url, {**ACTIVITY, "title": "Ignorerad", "status": "completed"})
    assert followed.status_code == 302
    assert Activity.objects.filter(pk=activity.pk, title="Ändrad rubrik", status="completed").exists()


def test_the_web_names_the_bad_field_and_stores_nothing(rss_skane: Any, skane_plan: CountyPlan) -> None:
    client = client_for(rss_skane)
    url = f"{_page('12')}ny-aktivitet/"
    with nothing_stored():
        outside = client.post(url, {**ACTIVITY, "planned_end": "2020-01-15"})
        body = assert_refused(outside)
        assert outside.status_code == 400 and 'id="id_planned_end_error"' in body
        assert "Datumet ska ligga inom 2019" in body
        for name, value in [
            ("title", ""),
            ("title", "a\x00b"),
            ("goal_area", "9"),
            ("planned_cost", "1E+400"),
        ]:
            refused = client.post(url, {**ACTIVITY, name: value})
            assert refused.status_code == 400 and f'id="id_{name}_error"' in assert_refused(refused), name
        for value in HOSTILE_DATES:
            refused = client.post(url, {**ACTIVITY, "actual_start": value})
            assert refused.status_code == 400, value
        summary = client.post(_page("12"), {"summary": "x" * 20_001, "status": "draft"})
        assert summary.status_code == 400 and 'id="id_plan_summary_error"' in assert_refused(summary)


def test_the_web_requires_login_and_the_right_method(
    rss_skane: Any, no_role: Any, skane_plan: CountyPlan
) -> None:
    anonymous = Client()
    with nothing_stored():
        for url in (_page("12"), f"{_page('12')}ny-aktivitet/"):
            response = anonymous.post(url, ACTIVITY)
            assert response.status_code == 302 and "logga-in" in response["Location"]
        client = client_for(rss_skane)
        for method in ("put", "patch", "delete"):
            assert getattr(client, method)(_page("12")).status_code == 405, method
        assert client.get(f"{_page('12')}ny-aktivitet/").status_code == 405
    assert client.get(_page("99")).status_code == 404
    refused = client_for(no_role).get(_page("12"))
    assert refused.status_code == 403 and VIEW_REASON in assert_refused(refused)


def test_the_21_counties_page_shows_each_plan_and_what_is_missing(
    coordinator: Any, rss_skane: Any, skane_plan: CountyPlan
) -> None:
    county_activity_create(county_plan=skane_plan, actor=rss_skane, **_service_activity())
    page = client_for(coordinator).get(f"/rss/{SLUG}/2019/")
    body = page.content.decode()
    assert page.status_code == 200
    assert f'href="/planer/{SLUG}/2019/lan/12/">Genomförandeplan</a>' in body
    assert f'href="/planer/{SLUG}/2019/?lan=25">25 Norrbottens län</a>' in body  # the county's activities
    assert body.count("Ingen genomförandeplan") == 20  # every county but Skåne
    assert "Inga resultat" in body and "Rekvirerat" in body
    assert "20 län saknar genomförandeplan." in body and "21 län saknar resultat." in body


# --- API ------------------------------------------------------------------------------------------


def _api_activity(**changes: Any) -> dict[str, Any]:
    body = {k: v for k, v in ACTIVITY.items() if v != ""}
    body.update(goal_area=3, sub_project=2, planned_cost="150000.00")
    return {**body, **changes}


def test_the_api_lets_an_rss_leader_keep_their_county_plan(rss_skane: Any) -> None:
    client = client_for(rss_skane)
    created = _send(client, "post", _api("12"), {"summary": "Skånes plan"})
    assert created.status_code == 201, created.content
    assert created.json()["status"] == "draft" and created.json()["may_edit"] is True
    added = _send(client, "post", f"{_api('12')}/activities", _api_activity())
    assert added.status_code == 201, added.content
    code = added.json()["id"]
    assert added.json()["owner_county"] == "12"
    patched = _send(client, "patch", f"{_api('12')}/activities/{code}", {"status": "ongoing", "goal_area": 2})
    assert patched.status_code == 200 and patched.json()["status"] == "ongoing"
    assert patched.json()["goal_area"] == 2
    fixed = _send(client, "patch", _api("12"), {"status": "fixed"})
    assert fixed.status_code == 200 and fixed.json()["status"] == "fixed"
    locked = _send(client, "patch", f"{_api('12')}/activities/{code}", {"title": "Sent"})
    assert locked.status_code == 422 and LOCK_MARK in locked.json()["detail"]
    reopen = _send(client, "patch", _api("12"), {"status": "draft"})
    assert reopen.status_code == 403 and reopen.json()["detail"] == REOPEN_REASON
    shown = client.get(_api("12")).json()
    assert [a["id"] for a in shown["activities"]["items"]] == [code]
    assert shown["activities"]["total"] == 1


def test_the_api_refuses_another_county_with_the_reason(
    rss_skane: Any, norrbotten_plan: CountyPlan, norrbotten_activity: Activity
) -> None:
    client = client_for(rss_skane)
    shown = client.get(_api("25")).json()
    assert shown["may_edit"] is False and shown["reason"] == PLAN_REASON
    with nothing_stored():
        for method, url, body, reason in (
            ("post", _api("25", 2020), {"summary": "Kapad"}, PLAN_REASON),
            ("patch", _api("25"), {"summary": "Kapad"}, PLAN_REASON),
            ("post", f"{_api('25')}/activities", _api_activity(), PLAN_REASON),
            (
                "patch",
                f"{_api('25')}/activities/{norrbotten_activity.code}",
                {"title": "Kapad"},
                ACTIVITY_REASON,
            ),
        ):
            refused = _send(client, method, url, body)
            assert refused.status_code == 403, (url, refused.content)
            assert refused.json() == {"detail": reason, "errors": {}}


def test_the_api_names_the_bad_field_and_stores_nothing(rss_skane: Any, skane_plan: CountyPlan) -> None:
    client = client_for(rss_skane)
    with nothing_stored():
        outside = _send(client, "post", f"{_api('12')}/activities", _api_activity(planned_start="2020-02-01"))
        assert outside.status_code == 422 and "planned_start" in outside.json()["errors"]
        cost = _send(client, "post", f"{_api('12')}/activities", _api_activity(planned_cost="1E+400"))
        assert cost.status_code == 422 and "planned_cost" in cost.json()["errors"]
        unknown = _send(client, "post", f"{_api('12')}/activities", _api_activity(colour="blå"))
        assert unknown.status_code == 422 and "colour" in unknown.json()["errors"]
        twice = _send(client, "post", _api("12"), {})
        assert twice.status_code == 422 and "county" in twice.json()["errors"]
        nowhere = _send(client, "post", f"{_api('12', 2020)}/activities", _api_activity())
        assert nowhere.status_code == 404 and "skapa den först" in nowhere.json()["detail"]


def test_the_api_lists_the_21_counties_with_what_is_missing(
    analyst: Any, rss_skane: Any, skane_plan: CountyPlan
) -> None:
    county_activity_create(county_plan=skane_plan, actor=rss_skane, **_service_activity())
    rows = client_for(analyst).get(f"/api/v1/plans/{SLUG}/2019/counties")
    assert rows.status_code == 200
    by_code = {r["county"]: r for r in rows.json()}
    assert len(by_code) == 21
    assert by_code["12"] == {
        "county": "12",
        "name": "Skåne län",
        "plan_status": "draft",
        "activities": 1,
        "activities_with_outputs": 0,
        "outputs": 0,
        "outputs_not_measured": 0,
        "missing": ["Inga resultat"],
    }
    assert by_code["25"]["missing"] == ["Ingen genomförandeplan", "Inga egna aktiviteter"]
    seeded = client_for(analyst).get(f"/api/v1/plans/{SLUG}/2018/counties").json()
    assert all(r["plan_status"] == "fixed" for r in seeded)
    assert Client().get(f"/api/v1/plans/{SLUG}/2019/counties").status_code == 401


# --- two requests that make the same activity code at once ------------------------------------


def test_a_made_code_taken_before_the_insert_is_made_again(
    norrbotten_plan: CountyPlan,
    norrbotten_activity: Activity,
    monkeypatch: pytest.MonkeyPatch,
    coordinator: Any,
) -> None:
    """Two RSS leaders' activities with the same title at once: both requests chose the same free
    code and the second insert broke the unique code (a 500). The code chosen before the other
    insert is simulated: the first choice is the code an activity already holds. The second
    activity gets the next free code, in a county plan and in the national plan alike."""
    from jamkoll.plans import services

    real = services._new_code
    stale: list[str] = [norrbotten_activity.code]  # what the next choice returns, once
    chosen: list[str] = []

    def choose(decision: Any, year: int, base: str) -> str:
        code = stale.pop() if stale else real(decision, year, base)
        chosen.append(code)
        return code

    monkeypatch.setattr(services, "_new_code", choose)
    again = county_activity_create(county_plan=norrbotten_plan, actor=SEED_LOADER, **_service_activity())
    made = norrbotten_activity.code
    assert chosen == [made, f"{made}-2"] and again.code == f"{made}-2"
    assert again.counties.get().code == "25"

    plan_create(decision=norrbotten_plan.decision, year=2019, copy_from=None, actor=coordinator)
    national = {"title": "Nationell träff", "goal_area": "3", "sub_project": "2"}
    first = services.activity_create(
        decision=norrbotten_plan.decision, year=2019, actor=coordinator, **national
    )
    stale.append(first.code)
    chosen.clear()
    twin = services.activity_create(
        decision=norrbotten_plan.decision, year=2019, actor=coordinator, **national
    )
    assert chosen == [first.code, f"{first.code}-2"] and twin.code == f"{first.code}-2"


def test_a_new_activitys_goal_area_and_sub_project_are_chosen_not_defaulted(
    rss_skane: Any, skane_plan: CountyPlan, coordinator: Any
) -> None:
    """The lists began with goal area 1 and sub-project 1 selected: an RSS leader who did not look
    filed a county's work under the equality goal. Both now start at "– välj –", and a form sent
    without them says so beside each and stores nothing."""
    import re

    client = client_for(rss_skane)
    page = client.get(_page("12")).content.decode()
    for name in ("goal_area", "sub_project"):
        select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', page, re.S)
        assert select is not None, name
        assert re.match(r'\s*<option value="" selected>– välj –</option>', select.group(1)), select.group(1)[
            :200
        ]
    with nothing_stored():
        sent = client.post(f"{_page('12')}ny-aktivitet/", {**ACTIVITY, "goal_area": "", "sub_project": ""})
    assert sent.status_code == 400
    assert sent.content.decode().count("Välj ur listan.") >= 2
    plan_create(decision=skane_plan.decision, year=2019, copy_from=None, actor=coordinator)
    national = client_for(coordinator).get(f"/planer/{SLUG}/2019/ny-aktivitet/").content.decode()
    assert '<option value="" selected>– välj –</option>' in national
