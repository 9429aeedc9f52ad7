"""Every plans write endpoint, in the web and in the API — activity edit, output add, plan steps:
it requires login, rejects the wrong method, rejects another county with the policy's reason, and
refuses hostile values in every field with a reason and nothing stored. Also the access helpers,
the required actor, and filters that never make a server error."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from jamkoll.accounts.models import Role
from jamkoll.accounts.policy import operator
from jamkoll.errors import NotFound
from jamkoll.plans.models import Activity, CountyPlan, PlanStatus, ProjectPlan
from jamkoll.plans.selectors import activity_for_user, plan_for_user
from jamkoll.plans.services import activity_update, output_create, plan_transition
from tests.conftest import client_for, persona
from tests.hostile import (
    HOSTILE_AMOUNTS,
    HOSTILE_DATES,
    HOSTILE_INTS,
    HOSTILE_TEXT,
    assert_refused,
    nothing_stored,
)

from .factories import SLUG, ActivityFactory, ProjectPlanFactory

pytestmark = pytest.mark.django_db

COUNTY_REASON = "Du kan bara ändra aktiviteter i ditt eget län."
PROPOSE_REASON = "Förslaget lämnas av SKR:s samordnare."
VIEW_REASON = "Planer och aktiviteter visas för användare med en roll i satsningen."
LOGIN_REASON = "Logga in (session) eller ange en API-nyckel."

# A browser cannot put a lone surrogate into a form body (it is not encodable as UTF-8, and the
# test client refuses it too); the API walks get it as a JSON escape.
WEB_TEXT = [v for v in HOSTILE_TEXT if v != "\ud800"]
STEP_WEB = f"/planer/{SLUG}/2019/steg/propose/"
STEP_API = f"/api/v1/plans/{SLUG}/2019/steps/propose"
STEP = {"on": "2019-03-29", "reference": "S2019/00123"}
OUTPUT = {
    "label": "Deltagare",
    "unit": "personer",
    "total": "10",
    "women": "4",
    "men": "3",
    "other": "3",
    "note": "",
}


def tomorrow() -> str:
    """Tomorrow in Stockholm, when the test runs: a constant taken when the module is collected goes
    stale if the suite crosses midnight (it did, in CI at 23:00 UTC), and the date becomes today."""
    return (timezone.localdate() + dt.timedelta(days=1)).isoformat()


@pytest.fixture
def skane_activity(db: None) -> Activity:
    """A Skåne activity of 2018 whose planning is open: Skåne's genomförandeplan taken back to
    "Under arbete" (the seeded one is "Framtagen", which locks the planning)."""
    CountyPlan.objects.filter(decision__slug=SLUG, year=2018, county__code="12").update(status="draft")
    return ActivityFactory(county="12")


@pytest.fixture
def plan_2019(db: None) -> ProjectPlan:
    return ProjectPlanFactory()


def _web(activity: Activity) -> str:
    return f"/planer/{SLUG}/{activity.year}/aktivitet/{activity.code}/"


def _api(activity: Activity) -> str:
    return f"/api/v1/plans/{SLUG}/{activity.year}/activities/{activity.code}"


def _activity_form(activity: Activity, **changes: str) -> dict[str, str]:
    data = {
        "form": "activity",
        "title": activity.title,
        "description": activity.description,
        "status": "ongoing",
        "planned_start": "",
        "planned_end": "",
        "actual_start": "",
        "actual_end": "",
        "planned_cost": "",
    }
    return {**data, **changes}


def _send(client: Client, method: str, url: str, body: Any) -> Any:
    return client.generic(method.upper(), url, json.dumps(body), content_type="application/json")


def _unchanged(activity: Activity) -> None:
    now = Activity.objects.get(pk=activity.pk)
    assert (now.title, now.description, now.status) == (activity.title, activity.description, "planned")
    assert not now.outputs.exists()


# --- requires login ----------------------------------------------------------------------------


def test_it_requires_login_for_every_web_write(skane_activity: Activity, plan_2019: ProjectPlan) -> None:
    anonymous = Client()
    with nothing_stored():
        for url, data in (
            (_web(skane_activity), _activity_form(skane_activity, title="Anonym")),
            (_web(skane_activity), {"form": "output", **OUTPUT}),
            (STEP_WEB, STEP),
        ):
            response = anonymous.post(url, data)
            assert response.status_code == 302 and "logga-in" in response["Location"], url
    _unchanged(skane_activity)


def test_it_requires_login_for_every_api_write(skane_activity: Activity, plan_2019: ProjectPlan) -> None:
    anonymous = Client()
    with nothing_stored():
        for method, url, body in (
            ("patch", _api(skane_activity), {"title": "Anonym"}),
            ("post", f"{_api(skane_activity)}/outputs", OUTPUT),
            ("post", STEP_API, STEP),
        ):
            response = _send(anonymous, method, url, body)
            assert response.status_code == 401, url
            assert response.json()["detail"] == LOGIN_REASON
    _unchanged(skane_activity)


# --- rejects the wrong method ------------------------------------------------------------------


def test_it_rejects_the_wrong_method_in_the_web(
    coordinator: Any, skane_activity: Activity, plan_2019: ProjectPlan
) -> None:
    client = client_for(coordinator)
    with nothing_stored():
        for method in ("put", "patch", "delete"):
            assert getattr(client, method)(_web(skane_activity)).status_code == 405, method
        for method in ("get", "put", "delete"):
            assert getattr(client, method)(STEP_WEB).status_code == 405, method


def test_it_rejects_the_wrong_method_in_the_api(
    coordinator: Any, skane_activity: Activity, plan_2019: ProjectPlan
) -> None:
    client = client_for(coordinator)
    with nothing_stored():
        for method, url in (
            ("put", _api(skane_activity)),
            ("post", _api(skane_activity)),
            ("put", f"{_api(skane_activity)}/outputs"),
            ("get", STEP_API),
            ("patch", STEP_API),
        ):
            assert _send(client, method, url, {}).status_code == 405, (method, url)


# --- rejects another county, and every refusal says why ---------------------------------------


def test_it_rejects_another_county_in_the_web_with_the_reason(
    rss_norrbotten: Any, rss_skane: Any, skane_activity: Activity
) -> None:
    client = client_for(rss_norrbotten)
    page = client.get(_web(skane_activity))
    assert page.status_code == 200 and COUNTY_REASON in page.content.decode()
    with nothing_stored():
        for data in (
            _activity_form(skane_activity, title="Kapad"),
            {"form": "output", **OUTPUT},
        ):
            refused = client.post(_web(skane_activity), data)
            assert refused.status_code == 403
            assert COUNTY_REASON in assert_refused(refused)
    _unchanged(skane_activity)
    # Skåne's 2018 genomförandeplan is "Framtagen": its own leader records progress (the status).
    own = client_for(rss_skane).post(_web(skane_activity), _activity_form(skane_activity, status="completed"))
    assert own.status_code == 302 and Activity.objects.get(pk=skane_activity.pk).status == "completed"


def test_it_rejects_another_county_in_the_api_with_the_reason(
    rss_norrbotten: Any, rss_skane: Any, skane_activity: Activity
) -> None:
    client = client_for(rss_norrbotten)
    with nothing_stored():
        for method, url, body in (
            ("patch", _api(skane_activity), {"title": "Kapad"}),
            ("post", f"{_api(skane_activity)}/outputs", OUTPUT),
        ):
            refused = _send(client, method, url, body)
            assert refused.status_code == 403
            assert refused.json() == {"detail": COUNTY_REASON, "errors": {}}
    _unchanged(skane_activity)
    own = _send(client_for(rss_skane), "post", f"{_api(skane_activity)}/outputs", OUTPUT)
    assert own.status_code == 201 and own.json()["total"] == 10


def test_it_rejects_an_rss_leader_taking_a_plan_step_with_the_reason(
    rss_norrbotten: Any, plan_2019: ProjectPlan
) -> None:
    client = client_for(rss_norrbotten)
    with nothing_stored():
        web = client.post(STEP_WEB, STEP)
        assert web.status_code == 403 and PROPOSE_REASON in assert_refused(web)
        api = _send(client, "post", STEP_API, STEP)
        assert api.status_code == 403 and api.json()["detail"] == PROPOSE_REASON
    assert ProjectPlan.objects.get(pk=plan_2019.pk).status == PlanStatus.DRAFT


def test_it_refuses_a_user_without_a_role_with_the_reason(
    no_role: Any, skane_activity: Activity, plan_2019: ProjectPlan
) -> None:
    client = client_for(no_role)
    with nothing_stored():
        for url, data in (
            (_web(skane_activity), _activity_form(skane_activity, title="Utan roll")),
            (_web(skane_activity), {"form": "output", **OUTPUT}),
            (STEP_WEB, STEP),
        ):
            refused = client.post(url, data)
            assert refused.status_code == 403 and VIEW_REASON in assert_refused(refused), url
        for method, url, body in (
            ("patch", _api(skane_activity), {"title": "Utan roll"}),
            ("post", f"{_api(skane_activity)}/outputs", OUTPUT),
            ("post", STEP_API, STEP),
        ):
            refused = _send(client, method, url, body)
            assert refused.status_code == 403 and refused.json()["detail"] == VIEW_REASON, url


# --- hostile values in every field: a 4xx with a reason, never a 5xx, nothing stored -----------


def test_it_refuses_hostile_values_in_the_web_activity_form(rss_skane: Any, skane_activity: Activity) -> None:
    client = client_for(rss_skane)
    walk: list[tuple[str, str]] = [("title", v) for v in [*WEB_TEXT, "", "x" * 201]]
    walk += [("description", v) for v in WEB_TEXT]
    walk += [("status", v) for v in ("zz", "a\x00b", "x" * 300)]
    for name in ("planned_start", "planned_end", "actual_start", "actual_end"):
        walk += [(name, v) for v in HOSTILE_DATES]
    walk += [("planned_cost", v) for v in [*HOSTILE_AMOUNTS, "-5", "1,005"]]
    with nothing_stored():
        for name, value in walk:
            response = client.post(_web(skane_activity), _activity_form(skane_activity, **{name: value}))
            assert_refused(response, where=f"{name}={value[:20]!r}")
            assert response.status_code == 400 and "has-error" in response.content.decode()
        ordered = client.post(
            _web(skane_activity),
            _activity_form(skane_activity, planned_start="2018-06-01", planned_end="2018-05-01"),
        )
        assert "Planerat slut ligger före planerad start." in assert_refused(ordered)
    _unchanged(skane_activity)


def test_it_refuses_hostile_values_in_the_web_output_form(rss_skane: Any, skane_activity: Activity) -> None:
    client = client_for(rss_skane)
    walk: list[tuple[str, str]] = []
    for name in ("label", "unit", "note"):
        walk += [(name, v) for v in WEB_TEXT]
    walk += [("label", ""), ("unit", "x" * 61)]
    for name in ("total", "women", "men", "other"):
        # With 10 = 4 + 3 + 3 around it, even a plain 0 is refused (the parts must add up).
        walk += [(name, v) for v in [*HOSTILE_INTS, "1000000001", "2.5"]]
    with nothing_stored():
        for name, value in walk:
            response = client.post(_web(skane_activity), {"form": "output", **OUTPUT, name: value})
            assert_refused(response, where=f"{name}={value[:20]!r}")
            assert response.status_code == 400 and "has-error" in response.content.decode()
    _unchanged(skane_activity)
    beside = client.post(_web(skane_activity), {"form": "output", **OUTPUT, "total": "11"}).content.decode()
    total_field = beside[beside.index('name="total"') :]
    assert "stämmer inte med totalt 11" in total_field[: total_field.index("</div>")]


def test_it_refuses_hostile_values_in_the_web_plan_step(coordinator: Any, plan_2019: ProjectPlan) -> None:
    client = client_for(coordinator)
    walk: list[tuple[str, str]] = [("on", v) for v in [*HOSTILE_DATES, tomorrow(), ""]]
    walk += [("reference", v) for v in [*WEB_TEXT, "", "x" * 101]]
    with nothing_stored():
        for name, value in walk:
            response = client.post(STEP_WEB, {**STEP, name: value})
            assert_refused(response, where=f"{name}={value[:20]!r}")
            body = response.content.decode()
            assert response.status_code == 400 and "has-error" in body
            # The error stands beside its own field (the shared field partial) and in the summary.
            assert f'id="id_propose_{name}_error" class="error field-error"' in body, name
            assert "data-error-summary" in body
        future = client.post(STEP_WEB, {**STEP, "on": tomorrow()}).content.decode()
        assert "Datumet får inte ligga i framtiden." in future
    assert ProjectPlan.objects.get(pk=plan_2019.pk).status == PlanStatus.DRAFT


def test_it_shows_a_step_that_does_not_follow_the_status_on_the_page(
    coordinator: Any, plan_2019: ProjectPlan
) -> None:
    with nothing_stored():
        refused = client_for(coordinator).post(f"/planer/{SLUG}/2019/steg/fix/", STEP)
        assert refused.status_code == 400
        assert "steget kräver status Samråd genomfört" in assert_refused(refused)
        unknown = client_for(coordinator).post(f"/planer/{SLUG}/2019/steg/hoppa/", STEP)
        assert unknown.status_code == 404 and "Okänt steg" in unknown.content.decode()
    ok = client_for(coordinator).post(STEP_WEB, STEP)
    assert ok.status_code == 302
    assert ProjectPlan.objects.get(pk=plan_2019.pk).proposed_reference == "S2019/00123"


def test_it_refuses_hostile_values_in_the_api_activity_patch(
    rss_skane: Any, skane_activity: Activity
) -> None:
    client = client_for(rss_skane)
    walk: list[tuple[str, Any]] = [("title", v) for v in [*HOSTILE_TEXT, "", None, "x" * 201, 5]]
    walk += [("description", v) for v in [*HOSTILE_TEXT, "x" * 20_001]]
    walk += [("status", v) for v in ("zz", "a\x00b", "x" * 300, 5, None)]
    for name in ("planned_start", "planned_end", "actual_start", "actual_end"):
        walk += [(name, v) for v in HOSTILE_DATES]
    walk += [("planned_cost", "100"), ("code", "kapad")]
    with nothing_stored():
        for name, value in walk:
            response = _send(client, "patch", _api(skane_activity), {name: value})
            where = f"{name}={str(value)[:20]!r}"
            assert_refused(response, where=where)
            assert response.status_code == 422 and response.json()["errors"], where
        backwards = {"planned_start": "2018-06-01", "planned_end": "2018-05-01"}
        ordered = _send(client, "patch", _api(skane_activity), backwards)
        assert ordered.status_code == 422 and "planned_end" in ordered.json()["errors"]
    _unchanged(skane_activity)


def test_it_refuses_hostile_values_in_the_api_output_add(rss_skane: Any, skane_activity: Activity) -> None:
    client = client_for(rss_skane)
    url = f"{_api(skane_activity)}/outputs"
    walk: list[tuple[str, Any]] = []
    for name in ("label", "unit", "note"):
        walk += [(name, v) for v in HOSTILE_TEXT]
    walk += [("label", ""), ("unit", "x" * 61), ("label", None), ("note", ["x"])]
    for name in ("total", "women", "men", "other"):
        walk += [(name, v) for v in [*HOSTILE_INTS, -10, 10**20, 1_000_000_001, 2.5, "10 000"]]
    with nothing_stored():
        for name, value in walk:
            response = _send(client, "post", url, {**OUTPUT, name: value})
            where = f"{name}={str(value)[:20]!r}"
            assert_refused(response, where=where)
            # A plain 0 is a count, but 10 = 0 + 3 + 3 is not: the sum rule names the total.
            blamed = {name, "total"} if value in ("0", 0) else {name}
            assert response.status_code == 422 and blamed & set(response.json()["errors"]), where
    _unchanged(skane_activity)


def test_it_refuses_hostile_values_in_the_api_plan_step(coordinator: Any, plan_2019: ProjectPlan) -> None:
    client = client_for(coordinator)
    walk: list[tuple[str, Any]] = [("on", v) for v in [*HOSTILE_DATES, tomorrow(), "", None, 20190329]]
    walk += [("reference", v) for v in [*HOSTILE_TEXT, "", "  ", None, "x" * 101]]
    with nothing_stored():
        for name, value in walk:
            response = _send(client, "post", STEP_API, {**STEP, name: value})
            where = f"{name}={str(value)[:20]!r}"
            assert_refused(response, where=where)
            assert response.status_code == 422 and name in response.json()["errors"], where
        wrong = _send(client, "post", f"/api/v1/plans/{SLUG}/2019/steps/fix", STEP)
        assert wrong.status_code == 422 and "steget kräver status" in wrong.json()["detail"]
        assert wrong.json()["errors"] == {}
        unknown = _send(client, "post", f"/api/v1/plans/{SLUG}/2019/steps/hoppa", STEP)
        assert unknown.status_code == 422 and "action" in unknown.json()["errors"]
    assert ProjectPlan.objects.get(pk=plan_2019.pk).status == PlanStatus.DRAFT


ODD = ["²", "0", "-1", "x" * 500, "٣", "1e3"]
FILTERS = ("malomrade", "delmal", "malsattning", "lan", "part", "status")


def test_it_never_fails_on_an_odd_filter_on_the_page(coordinator: Any) -> None:
    client = client_for(coordinator)
    for value in ODD:  # every filter at once
        response = client.get(f"/planer/{SLUG}/2018/", dict.fromkeys(FILTERS, value))
        assert response.status_code == 200, value[:20]
        assert "Jämställdhetssatsningen" in response.content.decode()
    # A number that cannot apply is ignored: the page lists as if it were not given.
    everything = client.get(f"/planer/{SLUG}/2018/").content.decode().count("/aktivitet/")
    for value in ("²", "0", "-1", "٣"):
        odd = client.get(f"/planer/{SLUG}/2018/", {"malomrade": value, "delmal": value, "status": value})
        assert odd.content.decode().count("/aktivitet/") == everything, value


def test_it_never_fails_on_an_odd_filter_in_the_api(coordinator: Any) -> None:
    client = client_for(coordinator)
    for name in FILTERS:
        for value in ODD:
            response = client.get(f"/api/v1/plans/{SLUG}/2018/activities", {name: value})
            assert response.status_code in (200, 422), (name, value[:20])
            if response.status_code == 422:
                assert name in response.json()["errors"]
    assert client.get(f"/api/v1/plans/{SLUG}/2018/activities", {"lan": "06"}).json()


# --- the access helpers and the required actor --------------------------------------------------


def test_it_gives_the_plan_with_its_open_step_and_the_verdict(
    coordinator: Any, certifier: Any, plan_2019: ProjectPlan
) -> None:
    plan, steps = plan_for_user(actor=coordinator, slug=SLUG, year=2019)
    assert plan == plan_2019 and [(s.action, bool(s.verdict)) for s in steps] == [("propose", True)]
    _plan, refused = plan_for_user(actor=certifier, slug=SLUG, year="2019")
    assert refused[0].verdict.reason == PROPOSE_REASON
    with pytest.raises(NotFound, match="Ingen projektplan"):
        plan_for_user(actor=coordinator, slug=SLUG, year=2020)
    with pytest.raises(NotFound):
        plan_for_user(actor=coordinator, slug=SLUG, year="²")
    with pytest.raises(PermissionDenied, match=VIEW_REASON):
        plan_for_user(actor=persona("utan-roll"), slug=SLUG, year=2019)


def test_it_gives_the_activity_with_the_edit_verdict(
    rss_skane: Any, rss_norrbotten: Any, skane_activity: Activity
) -> None:
    activity, verdict = activity_for_user(actor=rss_skane, slug=SLUG, year=2018, code=skane_activity.code)
    assert activity == skane_activity and verdict
    _activity, refused = activity_for_user(
        actor=rss_norrbotten, slug=SLUG, year=2018, code=skane_activity.code
    )
    assert not refused and refused.reason == COUNTY_REASON
    with pytest.raises(NotFound, match="Okänd aktivitet"):
        activity_for_user(actor=rss_skane, slug=SLUG, year=2019, code=skane_activity.code)


def test_it_takes_a_required_actor_and_records_a_system_actor_by_name(
    plan_2019: ProjectPlan, skane_activity: Activity
) -> None:
    with pytest.raises(TypeError):
        activity_update(activity=skane_activity, status="completed")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        output_create(activity=skane_activity, label="x", unit="st", total=1)  # type: ignore[call-arg]
    with pytest.raises(PermissionDenied):
        activity_update(activity=skane_activity, actor=None, status="completed")
    plan = plan_transition(
        plan=plan_2019, action="propose", on=dt.date(2019, 3, 1), reference="S1", actor=operator("olle")
    )
    assert plan.proposed_by == "kommandoraden (olle)"
    assert plan.history.latest().history_user is None
    jonna = persona("jonna-jonkoping", Role.RSS, "06")
    activity_update(activity=skane_activity, actor=persona("sara", Role.RSS, "12"), status="ongoing")
    assert skane_activity.history.latest().history_user.username == "sara"
    with pytest.raises(PermissionDenied, match=COUNTY_REASON):
        activity_update(activity=skane_activity, actor=jonna, status="completed")


def test_the_objective_filter_shortens_between_words(coordinator: Any) -> None:
    """The strategy's objectives are long sentences: the filter's options end at a word with
    " …", not inside one ("…förebygga v…")."""
    from jamkoll.web.templatetags.jamkoll import shorten

    assert shorten("Att förebygga våld och stärka skyddet för kvinnor", 20) == "Att förebygga våld …"
    assert shorten("Kort", 40) == "Kort"
    html = client_for(coordinator).get("/planer/jamstalldhet-kvinnofrid-2018-2020/2018/").content.decode()
    select = html[
        html.index('name="malsattning"') : html.index("</select>", html.index('name="malsattning"'))
    ]
    options = re.findall(r"<option value=\"\d+\"[^>]*>([^<]*)</option>", select)
    assert options, "no objectives listed"
    for text in options:
        if text.endswith("…"):
            assert text.endswith(" …"), text
