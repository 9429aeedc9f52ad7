"""Plan a year through the API (issue 11): the same services, policy and error contract as the web.
The 2019 cycle, wrong roles with the policy's reason, another county, hostile values (422 naming
the field, nothing stored)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from jamkoll.plans.models import Activity, PlanStatus, ProjectPlan, SubProject
from tests.conftest import client_for
from tests.hostile import HOSTILE_AMOUNTS, HOSTILE_DATES, HOSTILE_TEXT, assert_refused, nothing_stored

pytestmark = pytest.mark.django_db

SLUG = "jamstalldhet-kvinnofrid-2018-2020"
PLAN = f"/api/v1/plans/{SLUG}/2019"
STEP = {"on": "2019-03-29", "reference": "S2019/00123"}
NEW = {
    "title": "Nätverk för jämställd budgetering",
    "sub_project": 1,
    "goal_area": 1,
    "sub_goals": [2],
    "partners": ["SKR"],
    "counties": ["12"],
    "planned_start": "2019-04-01",
    "budget_line": "3-RSS",
    "planned_cost": "250 000",
}


def _send(client: Client, method: str, url: str, body: Any = None) -> Any:
    data = json.dumps(body) if body is not None else ""
    return client.generic(method.upper(), url, data, content_type="application/json")


def _created(client: Client) -> Any:
    response = _send(client, "post", PLAN, {"copy_from": 2018})
    assert response.status_code == 201, response.content
    return response.json()


def test_the_2019_cycle_through_the_api(coordinator: Any, ministry: Any) -> None:
    api, dep = client_for(coordinator), client_for(ministry)
    plan = _created(api)
    assert (plan["version"], plan["status"], plan["title"], plan["editable"]) == (
        1,
        "draft",
        "Projektplan 2019",
        True,
    )
    assert [c["kind"] for c in plan["timeline"]] == ["created"]
    copied = api.get(f"{PLAN}/activities").json()["items"]
    assert copied and all(a["status"] == "planned" and not a["outputs"] for a in copied)

    first = _send(api, "post", f"{PLAN}/activities", NEW)
    assert first.status_code == 201, first.content
    body = first.json()
    assert (body["planned_cost"], body["budget_line"], body["partner_codes"]) == (
        "250000.00",
        "3-RSS",
        ["SKR"],
    )
    code = body["id"]
    second = _send(
        api, "post", f"{PLAN}/activities", {**NEW, "title": "Webbinarier", "code": "2019-webbinarier"}
    )
    assert second.status_code == 201 and second.json()["id"] == "2019-webbinarier"

    assert _send(api, "post", f"{PLAN}/steps/propose", STEP).json()["status"] == "proposed"
    locked = _send(api, "patch", f"{PLAN}/activities/{code}", {"title": "Ändrad"})
    assert (
        locked.status_code == 422 and "föreslagen till Regeringskansliet och låst" in locked.json()["detail"]
    )
    assert _send(api, "patch", PLAN, {"summary": "Ny"}).status_code == 422
    wrong_role = _send(api, "post", f"{PLAN}/steps/send_back", {**STEP, "comment": "x"})
    assert wrong_role.status_code == 403 and "Regeringskansliet" in wrong_role.json()["detail"]
    silent = _send(dep, "post", f"{PLAN}/steps/send_back", STEP)
    assert silent.status_code == 422 and "comment" in silent.json()["errors"]
    back = _send(dep, "post", f"{PLAN}/steps/send_back", {**STEP, "comment": "Beskriv delmål 6 tydligare."})
    assert back.status_code == 200 and back.json()["status"] == "draft"
    assert back.json()["timeline"][-1] == {
        **back.json()["timeline"][-1],
        "kind": "send_back",
        "text": "Beskriv delmål 6 tydligare.",
        "author": "mia-departement",
    }

    assert (
        _send(api, "patch", f"{PLAN}/activities/{code}", {"title": "Nätverk i kommuner"}).status_code == 200
    )
    assert (
        _send(api, "patch", PLAN, {"summary": "Delmål 6 i avsnitt 3."}).json()["summary"]
        == "Delmål 6 i avsnitt 3."
    )
    assert _send(api, "post", f"{PLAN}/steps/propose", STEP).status_code == 200
    assert _send(dep, "post", f"{PLAN}/steps/consult", STEP).status_code == 200
    fixed = _send(api, "post", f"{PLAN}/steps/fix", STEP).json()
    assert fixed["status"] == "fixed" and not fixed["editable"] and "ny version" in fixed["lock_reason"]

    frozen = _send(api, "patch", f"{PLAN}/activities/{code}", {"planned_end": "2019-11-30"})
    assert frozen.status_code == 422 and "fastställd och låst" in frozen.json()["detail"]
    progress = _send(
        api, "patch", f"{PLAN}/activities/{code}", {"status": "ongoing", "actual_start": "2019-04-02"}
    )
    assert progress.status_code == 200 and progress.json()["actual_start"] == "2019-04-02"
    assert _send(api, "delete", f"{PLAN}/activities/2019-webbinarier").status_code == 422
    assert _send(dep, "post", f"{PLAN}/versions").status_code == 403

    version = _send(api, "post", f"{PLAN}/versions")
    assert version.status_code == 201 and (version.json()["version"], version.json()["status"]) == (
        2,
        "draft",
    )
    assert _send(api, "post", f"{PLAN}/versions").status_code == 422  # a draft is changed as it is
    assert _send(api, "delete", f"{PLAN}/activities/2019-webbinarier").status_code == 204
    assert not Activity.objects.filter(year=2019, code="2019-webbinarier").exists()
    kinds = [c["kind"] for c in api.get(PLAN).json()["timeline"]]
    assert kinds == ["created", "propose", "send_back", "propose", "consult", "fix", "new_version"]


def test_the_api_refuses_wrong_roles_with_the_reason(
    coordinator: Any, rss_skane: Any, certifier: Any, no_role: Any
) -> None:
    with nothing_stored():
        refused = _send(client_for(rss_skane), "post", PLAN, {"copy_from": 2018})
        assert (
            refused.status_code == 403
            and refused.json()["detail"] == "Projektplanen ändras av SKR:s samordnare."
        )
        nobody = _send(client_for(no_role), "post", PLAN, {})
        assert nobody.status_code == 403
        anonymous = _send(Client(), "post", PLAN, {})
        assert anonymous.status_code == 401
    _created(client_for(coordinator))
    with nothing_stored():
        for user in (certifier, no_role):
            response = _send(client_for(user), "post", f"{PLAN}/activities", NEW)
            assert response.status_code == 403 and assert_refused(response)
        sub = _send(client_for(rss_skane), "post", f"/api/v1/plans/{SLUG}/sub-projects", {"name": "RSS"})
        assert sub.status_code == 403 and "samordnare" in sub.json()["detail"]
        split = _send(client_for(rss_skane), "put", f"{PLAN}/budget/1/SKR", {"amount": "1"})
        assert split.status_code == 403


def test_an_rss_leader_adds_only_their_own_countys_activity_through_the_api(
    coordinator: Any, rss_skane: Any, rss_norrbotten: Any
) -> None:
    _created(client_for(coordinator))
    skane = client_for(rss_skane)
    with nothing_stored():
        other = _send(skane, "post", f"{PLAN}/activities", {**NEW, "owner_county": "25"})
        assert other.status_code == 403 and "sitt eget län" in other.json()["detail"]
    own = _send(skane, "post", f"{PLAN}/activities", {**NEW, "budget_line": None, "planned_cost": None})
    assert own.status_code == 201 and own.json()["owner_county"] == "12"
    code = own.json()["id"]
    with nothing_stored():
        hijack = _send(client_for(rss_norrbotten), "patch", f"{PLAN}/activities/{code}", {"title": "Kapad"})
        assert hijack.status_code == 403 and "ditt eget län" in hijack.json()["detail"]
        removal = _send(client_for(rss_norrbotten), "delete", f"{PLAN}/activities/{code}")
        assert removal.status_code == 403
    assert _send(skane, "patch", f"{PLAN}/activities/{code}", {"counties": ["12", "25"]}).status_code == 200


def test_the_api_refuses_a_cost_above_the_line_naming_the_field(coordinator: Any) -> None:
    api = client_for(coordinator)
    _created(api)
    assert _send(api, "post", f"{PLAN}/activities", {**NEW, "planned_cost": "8 000 000"}).status_code == 201
    with nothing_stored():
        over = _send(api, "post", f"{PLAN}/activities", {**NEW, "planned_cost": "1 500 000"})
        assert over.status_code == 422 and over.json()["detail"].startswith("planned_cost:")
        assert "har kvar: 1\u00a0000\u00a0000\u00a0kr" in over.json()["errors"]["planned_cost"][0]
        undecided = _send(api, "post", f"{PLAN}/activities", {**NEW, "budget_line": "1-SKR"})
        assert "inget beslutat belopp" in undecided.json()["errors"]["planned_cost"][0]
        outside = _send(
            api, "post", f"{PLAN}/activities", {**NEW, "planned_cost": None, "planned_start": "2020-01-02"}
        )
        assert (
            outside.status_code == 422
            and "utanför aktivitetens år 2019" in outside.json()["errors"]["planned_start"][0]
        )
    split = _send(api, "put", f"{PLAN}/budget/1/SKR", {"amount": "2 500 000"})
    assert split.status_code == 200 and split.json() == {
        "goal_area": 1,
        "recipient": "SKR",
        "amount": "2500000.00",
    }
    assert (
        _send(
            api, "post", f"{PLAN}/activities", {**NEW, "budget_line": "1-SKR", "planned_cost": "1,5"}
        ).status_code
        == 201
    )
    with nothing_stored():
        assert _send(api, "put", f"{PLAN}/budget/9/SKR", {"amount": "1"}).status_code == 404
        assert _send(api, "put", f"{PLAN}/budget/1/XYZ", {"amount": "1"}).status_code == 404
        assert (
            _send(api, "put", f"/api/v1/plans/{SLUG}/2018/budget/1/SKR", {"amount": "1"}).status_code == 422
        )


def test_the_api_refuses_hostile_values_and_stores_nothing(coordinator: Any) -> None:
    api = client_for(coordinator)
    _created(api)
    code = _send(api, "post", f"{PLAN}/activities", {**NEW, "planned_cost": None}).json()["id"]
    walk: list[tuple[str, Any]] = [
        (n, v) for n in ("title", "description", "report_section", "code") for v in HOSTILE_TEXT
    ]
    walk += [(n, v) for n in ("planned_start", "actual_end") for v in HOSTILE_DATES]
    walk += [("planned_cost", v) for v in HOSTILE_AMOUNTS]
    walk += [
        (n, v)
        for n in ("partners", "counties", "municipalities")
        for v in ("12", ["a\x00b"], ["x" * 41], ["ZZ"], [5] * 401)
    ]
    walk += [(n, v) for n in ("sub_goals", "strategy_objectives") for v in ([0], [10**20], "1", [99])]
    walk += [(n, v) for n in ("sub_project", "goal_area") for v in (0, -1, 10**20, "²", 9, None)]
    walk += [("budget_line", v) for v in ("9-SKR", "a\x00b", 5)]
    walk += [("owner_county", v) for v in ("99", "a\x00b", "x" * 41)]
    walk += [("status", v) for v in ("zz", None)]
    walk += [("unknown", 1)]
    with nothing_stored():
        for name, value in walk:
            where = f"{name}={str(value)[:20]!r}"
            response = _send(api, "post", f"{PLAN}/activities", {**NEW, name: value})
            assert_refused(response, where=where)
            assert response.status_code == 422 and response.json()["errors"], where
            if name not in ("code", "owner_county", "unknown"):
                patched = _send(api, "patch", f"{PLAN}/activities/{code}", {name: value})
                assert patched.status_code == 422, where
        for name, value in [("copy_from", v) for v in (0, 9999, "x", 2021)] + [
            ("title", v) for v in HOSTILE_TEXT
        ]:
            response = _send(api, "post", f"/api/v1/plans/{SLUG}/2020", {name: value})
            assert response.status_code == 422 and name in response.json()["errors"], name
        for value in HOSTILE_AMOUNTS:
            response = _send(api, "put", f"{PLAN}/budget/1/SKR", {"amount": value})
            assert response.status_code == 422 and "amount" in response.json()["errors"], value
        for name, value in [("number", v) for v in (0, 100, "٣")] + [("name", v) for v in HOSTILE_TEXT]:
            response = _send(api, "post", f"/api/v1/plans/{SLUG}/sub-projects", {"name": "Tre", name: value})
            assert response.status_code == 422 and name in response.json()["errors"], name
        for value in HOSTILE_TEXT:
            response = _send(api, "post", f"{PLAN}/steps/propose", {**STEP, "comment": value})
            assert response.status_code == 422 and "comment" in response.json()["errors"]
    assert ProjectPlan.objects.get(decision__slug=SLUG, year=2019).status == PlanStatus.DRAFT


def test_sub_projects_through_the_api(coordinator: Any, analyst: Any) -> None:
    api = client_for(coordinator)
    created = _send(api, "post", f"/api/v1/plans/{SLUG}/sub-projects", {"name": "Förebyggande"})
    assert created.status_code == 201 and created.json()["number"] == 3
    patched = _send(api, "patch", f"/api/v1/plans/{SLUG}/sub-projects/3", {"description": "MVP"})
    assert patched.status_code == 200 and patched.json() == {
        "number": 3,
        "name": "Förebyggande",
        "description": "MVP",
    }
    listed = client_for(analyst).get(f"/api/v1/plans/{SLUG}/sub-projects").json()
    assert [sp["number"] for sp in listed] == [1, 2, 3]
    assert _send(api, "patch", f"/api/v1/plans/{SLUG}/sub-projects/9", {"name": "x"}).status_code == 404
    assert SubProject.objects.get(decision__slug=SLUG, number=3).description == "MVP"
