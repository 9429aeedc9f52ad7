"""Hostile values in every form and endpoint of the county's work and the results (issue 11),
on objects the site-wide walk (`tests/test_hostile_walk.py`) cannot reach from the seeded data: a
county plan under work with an activity, an output, a draft status report with a row, a steering
group member. The same values and the same judgement as the site-wide walk: a 4xx that says why,
never a 5xx, nothing stored."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from jamkoll.accounts.policy import SEED_LOADER
from jamkoll.plans.services import (
    county_activity_create,
    county_plan_create,
    output_create,
    status_report_create,
    status_report_item_set,
    steering_group_member_create,
)
from jamkoll.programmes.selectors import decision_get
from tests.conftest import client_for
from tests.hostile import row_counts
from tests.test_hostile_walk import API_TEXT, _OptionParser, hostile_values, judge, rolled_back

from .factories import SLUG

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> dict[str, Any]:
    """A 2019 Skåne plan under work with an activity and an output, a draft status report with a
    row, and a steering group member."""
    decision = decision_get(slug=SLUG)
    plan = county_plan_create(decision=decision, year=2019, county_code="12", actor=SEED_LOADER)
    activity = county_activity_create(
        county_plan=plan, actor=SEED_LOADER, title="Nätverk", goal_area=3, sub_project=2
    )
    output = output_create(
        activity=activity,
        actor=SEED_LOADER,
        label="Deltagare",
        unit="personer",
        total=5,
        women=2,
        men=2,
        other=1,
    )
    report = status_report_create(decision=decision, period_start=dt.date(2019, 1, 1), actor=SEED_LOADER)
    status_report_item_set(report=report, activity=activity.code, progress="Igång.", actor=SEED_LOADER)
    member = steering_group_member_create(
        decision=decision, name="Anna", title="Chef", department="Ekonomi", actor=SEED_LOADER
    )
    return {"activity": activity, "output": output, "member": member}


def _walk(client: Any, pages: list[str], who: str) -> tuple[int, list[str]]:
    walked, problems = 0, []
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        parser = _OptionParser(f"http://testserver{page}")
        parser.feed(response.content.decode())
        for form in parser.forms:
            if form.method != "post" or "/planer/" not in form.action:
                continue
            for name, kind in form.kinds.items():
                for value in hostile_values(name, kind):
                    with rolled_back():
                        before = row_counts()
                        answer = client.post(form.action, {**form.fields, name: value})
                        walked += 1
                        problem = judge(answer, before, f"{who}: POST {form.action} [{name}={value[:20]!r}]")
                        if problem:
                            problems.append(problem)
    return walked, problems


def test_every_results_form_refuses_hostile_values(
    world: dict[str, Any], rss_skane: Any, coordinator: Any
) -> None:
    a = world["activity"]
    base = f"/planer/{SLUG}/2019"
    skane_pages = [
        f"{base}/lan/12/",
        f"{base}/lan/12/aktivitet/{a.code}/",
        f"{base}/aktivitet/{a.code}/",
        f"{base}/aktivitet/{a.code}/resultat/{world['output'].pk}/",
    ]
    coordinator_pages = [
        f"{base}/lan/25/",  # no plan yet: the form that creates it
        f"{base}/utvarderingar/",
        f"/planer/{SLUG}/halvarsrapporter/",
        f"/planer/{SLUG}/halvarsrapporter/2019-01-01/",
        f"/planer/{SLUG}/styrgrupp/",
        f"/planer/{SLUG}/styrgrupp/{world['member'].pk}/",
    ]
    walked, problems = _walk(client_for(rss_skane), skane_pages, "rss_skane")
    more, others = _walk(client_for(coordinator), coordinator_pages, "coordinator")
    assert walked + more > 300, walked + more
    assert not problems + others, "\n".join((problems + others)[:40])


API_BODIES: list[tuple[str, str, dict[str, Any]]] = [
    ("post", "/2019/counties/25", {"summary": "Plan"}),
    ("patch", "/2019/counties/12", {"summary": "Plan", "status": "draft"}),
    (
        "post",
        "/2019/counties/12/activities",
        {
            "title": "T",
            "goal_area": 3,
            "sub_project": 2,
            "planned_start": "2019-02-01",
            "planned_cost": "100",
        },
    ),
    ("patch", "/2019/counties/12/activities/{code}", {"title": "T", "planned_end": "2019-05-01"}),
    ("patch", "/2019/activities/{code}/outputs/{output}", {"label": "L", "total": 6, "women": 3}),
    ("post", "/2019/evaluations", {"title": "U", "findings": "F", "activities": []}),
    ("post", "/status-reports", {"period_start": "2019-07-01", "summary": "S"}),
    (
        "patch",
        "/status-reports/2019-01-01",
        {"summary": "S", "items": [{"activity": "{code}", "progress": "P"}]},
    ),
    ("post", "/steering-group/members", {"name": "N", "title": "T", "department": "D"}),
    ("patch", "/steering-group/members/{member}", {"name": "N", "period_start": "2019-01-01"}),
]


def _hostile_for(name: str, value: Any) -> list[Any]:
    if isinstance(value, int) and not isinstance(value, bool):
        return [-10, 10**20, "²", "\x00", 1.5]
    if isinstance(value, list):
        return ["a\x00b", [{"activity": "a\x00b", "progress": "P"}], ["x" * 100]]
    if name.endswith(("_start", "_end")):
        return [
            "0001-01-01",
            "9999-12-31",
            "2018-02-30",
            "\x00",
            "2020-01-01" if name != "period_start" else "x",
        ]
    if name == "planned_cost":
        return ["1e30", "1E+400", "NaN", "٣٠٠", "9" * 40]
    if name == "status":
        return ["zz", "\x00", "fixed2"]
    return API_TEXT


def test_every_results_endpoint_refuses_hostile_values(world: dict[str, Any], coordinator: Any) -> None:
    client = client_for(coordinator)
    problems: list[str] = []
    attempts = 0
    names = {"code": world["activity"].code, "output": world["output"].pk, "member": world["member"].pk}
    for method, path, body in API_BODIES:
        url = f"/api/v1/plans/{SLUG}" + path.format(**names)
        filled = {
            k: ([{**v[0], "activity": names["code"]}] if isinstance(v, list) and v else v)
            for k, v in body.items()
        }
        for name, value in filled.items():
            for bad in _hostile_for(name, value):
                with rolled_back():
                    before = row_counts()
                    answer = client.generic(
                        method.upper(),
                        url,
                        json.dumps({**filled, name: bad}),
                        content_type="application/json",
                    )
                    attempts += 1
                    problem = judge(answer, before, f"{method.upper()} {url} [{name}={str(bad)[:20]!r}]")
                    if problem:
                        problems.append(problem)
    assert attempts > 80
    assert not problems, "\n".join(problems[:40])
