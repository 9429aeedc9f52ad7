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


def _counted(activity: Activity, label: str) -> Output:
    return output_create(activity=activity, actor=SEED_LOADER, label=label, unit="st", total=1)


def test_the_years_outputs_are_those_of_the_activities_the_filters_keep_in_their_order(
    coordinator: Any, output: Output
) -> None:
    """The year's outputs are the outputs of exactly the activities the activities list keeps
    (same filters), activity by activity in the same order; another year's never."""
    skane = output.activity
    blekinge = ActivityFactory(county="10", report_section="1.1")  # sorts before Skåne's 4.1
    _counted(blekinge, "Blekinge")
    second = _counted(skane, "Skåne, andra")
    elsewhere = _counted(ActivityFactory(county="12", year=2019), "Ett annat år")
    client = client_for(coordinator)
    base = f"/api/v1/plans/{SLUG}/{skane.year}"
    for query in ({}, {"lan": "12"}, {"lan": "10"}, {"q": "nätverk"}, {"status": "planned"}):
        params = {**query, "limit": 500}
        codes = [a["id"] for a in client.get(f"{base}/activities", params).json()["items"]]
        rows = client.get(f"{base}/outputs", params).json()
        expected = [
            o.pk
            for code in codes
            for o in Output.objects.filter(activity__code=code, activity__year=skane.year).order_by(
                "position", "pk"
            )
        ]
        assert [r["id"] for r in rows["items"]] == expected, query
        assert rows["total"] == len(expected)
        assert elsewhere.pk not in expected
    only_skane = client.get(f"{base}/outputs", {"lan": "12", "limit": 500}).json()["items"]
    assert {r["id"] for r in only_skane} >= {output.pk, second.pk}
    assert blekinge.code not in {r["activity"] for r in only_skane}


def test_the_years_outputs_read_the_activities_once_when_nothing_is_filtered(output: Output) -> None:
    """Unfiltered, the year is a condition of the join to the activities, not a subquery over them
    (PostgreSQL read the year's activities twice: a third of this list's time at national volume)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from jamkoll.plans.selectors import ActivityFilter, output_list

    a = output.activity
    with CaptureQueriesContext(connection) as unfiltered:
        assert output.pk in [o.pk for o in output_list(decision=a.decision, year=a.year)]
    with CaptureQueriesContext(connection) as filtered:
        chosen = output_list(decision=a.decision, year=a.year, filters=ActivityFilter(county="12"))
        assert output.pk in [o.pk for o in chosen]
    assert "IN (SELECT" not in unfiltered.captured_queries[-1]["sql"].upper()
    assert "IN (SELECT" in filtered.captured_queries[-1]["sql"].upper()


def test_the_years_outputs_are_chosen_by_their_own_decision_and_year() -> None:
    """An output carries its activity's decision and year (`Output.save`), and the year's list
    selects by them: the index `output_year` then reads the year's outputs, not every output in the
    database joined to the year's activities (issue 16). The year of another activity of the same
    code is not mixed in."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from jamkoll.plans.selectors import output_list

    this, other = ActivityFactory(year=2018, county="12"), ActivityFactory(year=2019, county="12")
    mine = Output.objects.create(activity=this, label="a", unit="st", total=1)
    theirs = output_create(activity=other, actor=SEED_LOADER, label="b", unit="st", total=2)
    for o in (mine, theirs):
        o.refresh_from_db()
        assert (o.decision_id, o.year) == (o.activity.decision_id, o.activity.year)
    assert theirs.year == 2019
    with CaptureQueriesContext(connection) as ctx:
        ids = [o.pk for o in output_list(decision=this.decision, year=2018)]
    assert mine.pk in ids and theirs.pk not in ids
    where = ctx.captured_queries[-1]["sql"].split(" WHERE ", 1)[1]
    assert '"plans_output"."decision_id" = ' in where and '"plans_output"."year" = ' in where


def test_an_activity_moved_to_another_year_takes_its_outputs_copies_along(output: Output) -> None:
    """Only the admin can move an activity (its form offers the year); its outputs' copies follow
    in the same save, and a save that moves nothing costs no extra query."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    activity = Activity.objects.get(pk=output.activity_id)
    with CaptureQueriesContext(connection) as ctx:
        activity.title = "Samma år"
        activity.save()
    assert [q for q in ctx.captured_queries if '"plans_output"' in q["sql"]] == []
    activity.year = 2019
    activity.save()
    output.refresh_from_db()
    assert (output.decision_id, output.year) == (activity.decision_id, 2019)
    deferred = Activity.objects.only("pk", "title").get(pk=activity.pk)
    Output.objects.filter(pk=output.pk).update(year=2020)  # stale, as if written around save()
    deferred.save()
    output.refresh_from_db()
    assert output.year == 2019


def test_the_migration_copies_each_activitys_decision_and_year_to_its_outputs(output: Output) -> None:
    """`0008_output_year` fills the copies of the outputs that existed before it, each from its
    own activity, in one UPDATE."""
    import importlib

    from django.apps import apps
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    migration = importlib.import_module("jamkoll.plans.migrations.0008_output_year")
    other = ActivityFactory(year=2019, county="12")
    second = Output.objects.create(activity=other, label="b", unit="st", total=2)
    Output.objects.update(year=1, decision_id=output.activity.decision_id)
    with CaptureQueriesContext(connection) as ctx:
        migration.copy_from_activities(apps, None)
    assert len(ctx.captured_queries) == 1
    for o in Output.objects.select_related("activity"):
        assert (o.decision_id, o.year) == (o.activity.decision_id, o.activity.year)
    second.refresh_from_db()
    assert second.year == 2019


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
