"""Plans, activities and outputs: the 2018 content, the workflow, the county scope, the sums."""

import datetime as dt
import io
import json
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.test import Client

from jamkoll.accounts.models import Role
from jamkoll.accounts.policy import SEED_LOADER
from jamkoll.plans.models import Activity, Output, PlanStatus, ProjectPlan, SubProject
from jamkoll.plans.seed import plans_seed
from jamkoll.plans.selectors import ActivityFilter, activity_list, activity_summary
from jamkoll.plans.services import (
    activity_update,
    output_create,
    plan_new_version,
    plan_set_budget,
    plan_transition,
    plan_update,
)
from jamkoll.programmes.models import BudgetLine
from jamkoll.programmes.selectors import decision_get
from jamkoll.seeding import SeedReport
from tests.conftest import client_for, persona

pytestmark = pytest.mark.django_db
SLUG = "jamstalldhet-kvinnofrid-2018-2020"
ALL_COUNTIES = {
    "01",
    "03",
    "04",
    "05",
    "06",
    "07",
    "08",
    "09",
    "10",
    "12",
    "13",
    "14",
    "17",
    "18",
    "19",
    "20",
    "21",
    "22",
    "23",
    "24",
    "25",
}


@pytest.fixture
def rss_jonkoping(db: None) -> Any:
    return persona("jonna-jonkoping", Role.RSS, "06")


def _county_activity(code: str) -> Activity:
    activity = Activity.objects.filter(decision__slug=SLUG, year=2018, owner_county__code=code).first()
    assert activity is not None, f"no seeded activity owned by county {code}"
    return activity


def test_the_activities_command_lists_both_sub_projects_and_all_goal_areas() -> None:
    out = io.StringIO()
    call_command("activities", SLUG, "2018", "--format", "json", stdout=out)
    rows = json.loads(out.getvalue())
    assert {r["sub_project"] for r in rows} == {"Jämställdhetssatsningen", "Kvinnofridssatsningen"}
    # Seed 003 §2: no activities are reported under the collaboration goal (goal area 1); those
    # done in collaboration serve it, and say so.
    assert {r["goal_area"] for r in rows} == {2, 3}
    assert any(1 in r["also_serves"] for r in rows)
    rss_counties = set().union(*(set(r["counties"]) for r in rows if r["goal_area"] == 3))
    assert rss_counties == ALL_COUNTIES
    assert set(rows[0]) >= {
        "id",
        "sub_project",
        "goal_area",
        "title",
        "counties",
        "partners",
        "status",
        "outputs",
    }


def test_the_activities_command_filters_by_county_and_refuses_bad_input() -> None:
    out = io.StringIO()
    call_command("activities", SLUG, "2018", "--county", "06", "--format", "json", stdout=out)
    rows = json.loads(out.getvalue())
    assert rows and all("06" in r["counties"] for r in rows)
    with pytest.raises(CommandError, match="okänt län '99'"):
        call_command("activities", SLUG, "2018", "--county", "99")
    with pytest.raises(CommandError, match="utanför beslutets period"):
        call_command("activities", SLUG, "2017")


def test_the_2018_figures_are_there() -> None:
    totals = {(o.label, o.total) for o in Output.objects.filter(activity__decision__slug=SLUG)}
    values = {t for _label, t in totals}
    for figure in (11, 5, 2, 21, 8, 13):
        assert figure in values, figure
    assert SubProject.objects.filter(decision__slug=SLUG).count() == 2


def test_every_output_breakdown_adds_up() -> None:
    for o in Output.objects.exclude(women__isnull=True):
        assert o.women + o.men + o.other == o.total  # type: ignore[operator]


def test_seeding_plans_twice_changes_nothing() -> None:
    report = SeedReport()
    plans_seed(actor=SEED_LOADER, report=report)
    assert not report.changed, (report.created, report.updated)


def test_what_have_we_done_for_sub_goal_5_and_for_a_county() -> None:
    decision = decision_get(slug=SLUG)
    health = activity_list(decision=decision, year=2018, filters=ActivityFilter(sub_goal=5))
    assert health.count() >= 7 and all(a.report_section.startswith("3.1") for a in health)
    jonkoping = activity_list(decision=decision, year=2018, filters=ActivityFilter(county="06"))
    assert any(a.owner_county and a.owner_county.code == "06" for a in jonkoping)


def test_the_summary_has_money_per_sub_project() -> None:
    summary = activity_summary(decision=decision_get(slug=SLUG), year=2018)
    rows = summary.by_sub_project
    assert len(rows) == 2 and all(r.activities > 0 for r in rows)
    assert all(r.budget is not None and r.budget > 0 for r in rows)
    assert summary.total.activities == sum(r.activities for r in rows)


# --- outputs ---------------------------------------------------------------------------------


def test_an_output_whose_breakdown_does_not_add_up_is_refused_naming_the_field(coordinator: Any) -> None:
    activity = _county_activity("06")
    with pytest.raises(ValidationError) as exc:
        output_create(
            activity=activity,
            actor=coordinator,
            label="Deltagare",
            unit="personer",
            total=10,
            women=5,
            men=3,
            other=0,
        )
    assert "total" in exc.value.message_dict
    assert "kvinnor 5 + män 3 + annat eller okänt 0 = 8" in exc.value.message_dict["total"][0]
    with pytest.raises(ValidationError) as partial:
        output_create(activity=activity, actor=coordinator, label="x", unit="st", total=2, women=2)
    assert set(partial.value.message_dict) == {"men", "other"}
    ok = output_create(
        activity=activity,
        actor=coordinator,
        label="Deltagare",
        unit="personer",
        total=10,
        women=6,
        men=3,
        other=1,
    )
    assert ok.has_breakdown


def test_the_web_form_shows_the_breakdown_error(coordinator: Any) -> None:
    activity = _county_activity("06")
    url = f"/planer/{SLUG}/2018/aktivitet/{activity.code}/"
    response = client_for(coordinator).post(
        url,
        {
            "form": "output",
            "label": "Deltagare",
            "unit": "personer",
            "total": "10",
            "women": "5",
            "men": "3",
            "other": "0",
        },
    )
    assert response.status_code == 400
    assert "stämmer inte med totalt 10" in response.content.decode()


def test_the_api_refuses_a_bad_breakdown_naming_the_field(coordinator: Any) -> None:
    activity = _county_activity("06")
    response = client_for(coordinator).post(
        f"/api/v1/plans/{SLUG}/2018/activities/{activity.code}/outputs",
        json.dumps({"label": "Deltagare", "unit": "personer", "total": 10, "women": 5, "men": 3, "other": 0}),
        content_type="application/json",
    )
    assert response.status_code == 422 and response.json()["detail"].startswith("total:")
    assert "stämmer inte med totalt 10" in response.json()["errors"]["total"][0]


# --- the county scope ------------------------------------------------------------------------


def test_an_rss_user_cannot_change_another_countys_activity(rss_skane: Any, rss_jonkoping: Any) -> None:
    activity = _county_activity("06")
    with pytest.raises(PermissionDenied, match="ditt eget län"):
        activity_update(activity=activity, actor=rss_skane, status="completed")
    updated = activity_update(activity=activity, actor=rss_jonkoping, status="completed")
    assert updated.status == "completed"


def test_the_web_refuses_another_county_with_403(rss_skane: Any, rss_jonkoping: Any) -> None:
    activity = _county_activity("06")
    url = f"/planer/{SLUG}/2018/aktivitet/{activity.code}/"
    page = client_for(rss_skane).get(url)
    assert (
        page.status_code == 200 and "Du kan bara ändra aktiviteter i ditt eget län." in page.content.decode()
    )
    refused = client_for(rss_skane).post(url, {"form": "activity", "title": "Kapad", "status": "completed"})
    assert refused.status_code == 403
    assert "Du kan bara ändra aktiviteter i ditt eget län." in refused.content.decode()
    assert Activity.objects.get(pk=activity.pk).title != "Kapad"
    # Jönköping's 2018 genomförandeplan is "Framtagen": its own leader records the progress.
    own = client_for(rss_jonkoping).post(url, {"form": "activity", "status": "completed"})
    assert own.status_code == 302
    assert Activity.objects.get(pk=activity.pk).status == "completed"


def test_the_api_refuses_another_county_with_403(rss_skane: Any, rss_jonkoping: Any) -> None:
    activity = _county_activity("06")
    url = f"/api/v1/plans/{SLUG}/2018/activities/{activity.code}"
    refused = client_for(rss_skane).patch(
        url, json.dumps({"status": "completed"}), content_type="application/json"
    )
    assert refused.status_code == 403 and "ditt eget län" in refused.json()["detail"]
    ok = client_for(rss_jonkoping).patch(
        url, json.dumps({"status": "completed"}), content_type="application/json"
    )
    assert ok.status_code == 200 and ok.json()["status"] == "completed"


def test_an_rss_user_cannot_change_skrs_national_activities(rss_skane: Any) -> None:
    national = Activity.objects.filter(decision__slug=SLUG, owner_county__isnull=True).first()
    assert national is not None
    with pytest.raises(PermissionDenied):
        activity_update(activity=national, actor=rss_skane, status="completed")


# --- the plan workflow -----------------------------------------------------------------------


@pytest.fixture
def plan_2019(db: None) -> ProjectPlan:
    return ProjectPlan.objects.create(decision=decision_get(slug=SLUG), year=2019, title="Projektplan 2019")


def _step(plan: ProjectPlan, action: str, user: Any) -> ProjectPlan:
    return plan_transition(
        plan=plan, action=action, on=dt.date(2019, 3, 29), reference=f"S2019/{action}", actor=user
    )


def test_every_legal_transition_records_who_when_and_the_diary_number(
    plan_2019: ProjectPlan, coordinator: Any
) -> None:
    ministry = persona("maria-departement", Role.MINISTRY)
    plan = _step(plan_2019, "propose", coordinator)
    assert (plan.status, plan.proposed_by, plan.proposed_reference) == (
        "proposed",
        "anna-samordnare",
        "S2019/propose",
    )
    plan = _step(plan, "consult", ministry)
    assert plan.status == "consulted" and plan.consulted_by == "maria-departement"
    plan = _step(plan, "fix", coordinator)
    assert plan.status == PlanStatus.FIXED and plan.fixed_on == dt.date(2019, 3, 29)


@pytest.mark.parametrize(
    ("status", "action"),
    [
        ("draft", "consult"),
        ("draft", "fix"),
        ("proposed", "propose"),
        ("proposed", "fix"),
        ("consulted", "propose"),
        ("fixed", "fix"),
        ("fixed", "propose"),
    ],
)
def test_every_illegal_transition_is_refused(
    plan_2019: ProjectPlan, coordinator: Any, status: str, action: str
) -> None:
    ProjectPlan.objects.filter(pk=plan_2019.pk).update(status=status)
    plan_2019.refresh_from_db()
    with pytest.raises(ValidationError, match="steget kräver status") as exc:
        _step(plan_2019, action, coordinator)
    assert exc.value.code == "wrong_status"


def test_transitions_are_limited_by_role(plan_2019: ProjectPlan, rss_skane: Any, certifier: Any) -> None:
    with pytest.raises(PermissionDenied):
        _step(plan_2019, "propose", rss_skane)
    with pytest.raises(PermissionDenied):
        _step(plan_2019, "propose", certifier)


def test_a_fixed_plan_is_frozen_and_a_change_makes_a_new_version(
    plan_2019: ProjectPlan, coordinator: Any
) -> None:
    for action in ("propose", "consult", "fix"):
        plan_2019 = _step(plan_2019, action, coordinator)
    with pytest.raises(ValidationError, match="fastställd") as frozen:
        plan_update(plan=plan_2019, title="Ändrad", summary="", actor=coordinator)
    assert frozen.value.code == "frozen"
    new = plan_new_version(plan=plan_2019, actor=coordinator)
    assert (new.version, new.status, new.supersedes) == (2, "draft", plan_2019)
    plan_update(plan=new, title="Projektplan 2019, reviderad", summary="", actor=coordinator)
    with pytest.raises(ValidationError, match="nyare version"):
        plan_new_version(plan=plan_2019, actor=coordinator)


def test_a_fixed_plan_sets_the_split_the_decision_left_open(plan_2019: ProjectPlan, coordinator: Any) -> None:
    lines = {
        line.goal_area.number: line
        for line in BudgetLine.objects.filter(budget__decision__slug=SLUG, budget__year=2019, recipient="SKR")
    }
    assert all(line.amount is None for line in lines.values())
    for number, amount in ((1, "2500000.00"), (2, "2500000.00"), (3, "6000000.00")):
        plan_set_budget(plan=plan_2019, line=lines[number], amount=Decimal(amount), actor=coordinator)
    for action in ("propose", "consult", "fix"):
        plan_2019 = _step(plan_2019, action, coordinator)
    line = BudgetLine.objects.get(pk=lines[3].pk)
    assert line.amount == Decimal("6000000.00") and "projektplan 2019 v1" in line.source


def test_a_plan_split_that_exceeds_the_year_is_refused_at_fixing(
    plan_2019: ProjectPlan, coordinator: Any
) -> None:
    line = BudgetLine.objects.get(
        budget__decision__slug=SLUG, budget__year=2019, recipient="SKR", goal_area__number=1
    )
    plan_set_budget(plan=plan_2019, line=line, amount=Decimal("12000000.00"), actor=coordinator)
    plan_2019 = _step(_step(plan_2019, "propose", coordinator), "consult", coordinator)
    with pytest.raises(ValidationError, match="överstiger totalen"):
        _step(plan_2019, "fix", coordinator)
    assert BudgetLine.objects.get(pk=line.pk).amount is None


def test_the_web_shows_workflow_buttons_only_to_those_allowed(
    plan_2019: ProjectPlan, coordinator: Any, certifier: Any
) -> None:
    url = f"/planer/{SLUG}/2019/"
    assert "Föreslå till Regeringskansliet" in client_for(coordinator).get(url).content.decode()
    certifier_page = client_for(certifier).get(url).content.decode()
    assert (
        "Föreslå till Regeringskansliet" not in certifier_page
        and "Förslaget lämnas av SKR:s samordnare." in certifier_page
    )
    refused = client_for(certifier).post(f"{url}steg/propose/", {"on": "2019-03-29", "reference": "x"})
    assert refused.status_code == 403
    assert "Förslaget lämnas av SKR:s samordnare." in refused.content.decode()
    assert ProjectPlan.objects.get(pk=plan_2019.pk).status == PlanStatus.DRAFT


# --- pages -----------------------------------------------------------------------------------


def test_pages_require_login(client: Client) -> None:
    for url in (f"/planer/{SLUG}/2018/", f"/rss/{SLUG}/2018/"):
        response = client.get(url)
        assert response.status_code == 302 and "logga-in" in response["Location"]


def test_the_plan_page_filters_and_stays_within_a_query_budget(
    coordinator: Any, django_assert_max_num_queries: Any
) -> None:
    client = client_for(coordinator)
    # 41: one prefetch for the goal areas an activity also serves (issue 13); 45: the summaries
    # per sub-project, goal area and county and the table's count (issue 16), whatever the volume.
    with django_assert_max_num_queries(45):
        html = client.get(f"/planer/{SLUG}/2018/").content.decode()
    assert "Jämställdhetssatsningen" in html and "Kvinnofridssatsningen" in html
    filtered = client.get(f"/planer/{SLUG}/2018/", {"delmal": "3"}).content.decode()
    assert "pojkar" in filtered.lower() and "Mentors in Violence Prevention" not in filtered


def test_the_rss_overview_has_21_counties(coordinator: Any) -> None:
    html = client_for(coordinator).get(f"/rss/{SLUG}/2018/").content.decode()
    assert "21 av 21 län har en framtagen genomförandeplan." in html
    assert "25 Norrbottens län" in html and "<svg" in html


def test_it_fixes_a_new_version_that_moves_money_between_two_lines(
    plan_2019: ProjectPlan, coordinator: Any
) -> None:
    lines = {
        line.goal_area.number: line
        for line in BudgetLine.objects.filter(budget__decision__slug=SLUG, budget__year=2019, recipient="SKR")
    }
    for number, amount in ((1, "2500000.00"), (2, "2500000.00"), (3, "6000000.00")):
        plan_set_budget(plan=plan_2019, line=lines[number], amount=Decimal(amount), actor=coordinator)
    for action in ("propose", "consult", "fix"):
        plan_2019 = _step(plan_2019, action, coordinator)
    # Version 2 moves 100 000 kr from goal area 1 to goal area 2: each line alone would break the
    # year's total, the split as a whole does not.
    new = plan_new_version(plan=plan_2019, actor=coordinator)
    plan_set_budget(plan=new, line=lines[1], amount=Decimal("2400000.00"), actor=coordinator)
    plan_set_budget(plan=new, line=lines[2], amount=Decimal("2600000.00"), actor=coordinator)
    for action in ("propose", "consult", "fix"):
        new = _step(new, action, coordinator)
    assert new.status == PlanStatus.FIXED
    amounts = {n: BudgetLine.objects.get(pk=line.pk).amount for n, line in lines.items()}
    assert amounts == {1: Decimal("2400000.00"), 2: Decimal("2600000.00"), 3: Decimal("6000000.00")}
    assert "projektplan 2019 v2" in BudgetLine.objects.get(pk=lines[1].pk).source


def test_it_refuses_a_split_that_does_not_add_up_with_a_readable_message(
    plan_2019: ProjectPlan, coordinator: Any
) -> None:
    lines = {
        line.goal_area.number: line
        for line in BudgetLine.objects.filter(budget__decision__slug=SLUG, budget__year=2019, recipient="SKR")
    }
    for number, amount in ((1, "2500000.00"), (2, "2500000.00"), (3, "5000000.00")):
        plan_set_budget(plan=plan_2019, line=lines[number], amount=Decimal(amount), actor=coordinator)
    plan_2019 = _step(_step(plan_2019, "propose", coordinator), "consult", coordinator)
    with pytest.raises(ValidationError) as refused:
        _step(plan_2019, "fix", coordinator)
    assert refused.value.code == "budget"
    (message,) = refused.value.messages
    assert "budgetraderna summerar till" in message and not message.startswith("[")
    assert all(BudgetLine.objects.get(pk=line.pk).amount is None for line in lines.values())


def test_it_loads_plans_only_for_an_actor_who_may_change_programmes(rss_skane: Any) -> None:
    with pytest.raises(PermissionDenied, match="Kräver rollen samordnare"):
        plans_seed(actor=rss_skane)
