"""Plan a year (issue 11), through the services: the 2019 plan created from 2018's, its
activities, the lock (only a draft changes; the ministry sends a proposal back with a comment; a
change after fixing is a new version), the activities' lock (planning fields with their plan,
progress all year), sub-projects, and the sanity rules (a planned cost within what its budget line
has left, dates within the activity's year, Swedish amounts)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jamkoll.accounts.models import Role
from jamkoll.plans.locks import activity_lock_verdict
from jamkoll.plans.models import (
    Activity,
    ActivityStatus,
    Evaluation,
    Output,
    PlanBudgetLine,
    PlanComment,
    PlanStatus,
    ProjectPlan,
    SubProject,
)
from jamkoll.plans.services import (
    activity_create,
    activity_delete,
    activity_update,
    output_create,
    plan_create,
    plan_new_version,
    plan_set_budget,
    plan_transition,
    plan_update,
    subproject_create,
    subproject_update,
)
from jamkoll.programmes.models import BudgetLine, FundingDecision
from tests.conftest import persona
from tests.hostile import nothing_stored

pytestmark = pytest.mark.django_db

SLUG = "jamstalldhet-kvinnofrid-2018-2020"
SEND_BACK_REASON = "Ett förslag skickas tillbaka till SKR av Regeringskansliet (departementet)."
EDIT_REASON = "Projektplanen ändras av SKR:s samordnare."
CREATE_REASON = (
    "Nationella aktiviteter läggs till av SKR:s samordnare; en RSS-ledare lägger bara till "
    "aktiviteter för sitt eget län."
)


@pytest.fixture
def decision(db: None) -> FundingDecision:
    return FundingDecision.objects.get(slug=SLUG)


@pytest.fixture
def plan_2019(decision: FundingDecision, coordinator: Any) -> ProjectPlan:
    return plan_create(decision=decision, year=2019, copy_from=2018, actor=coordinator)


def _step(plan: ProjectPlan, action: str, user: Any, comment: str = "") -> ProjectPlan:
    return plan_transition(
        plan=plan,
        action=action,
        on=dt.date(2019, 3, 29),
        reference=f"S2019/{action}",
        comment=comment,
        actor=user,
    )


def _new(decision: FundingDecision, user: Any, **fields: Any) -> Activity:
    values: dict[str, Any] = {"title": "Ny aktivitet", "sub_project": 1, "goal_area": 1, **fields}
    return activity_create(decision=decision, year=2019, actor=user, **values)


def _line(year: int, goal_area: int, recipient: str) -> BudgetLine:
    return BudgetLine.objects.get(
        budget__decision__slug=SLUG, budget__year=year, goal_area__number=goal_area, recipient=recipient
    )


# --- create the year's plan ----------------------------------------------------------------------


def test_it_creates_2019_from_2018_with_the_continuing_activities_and_nothing_else(
    decision: FundingDecision, coordinator: Any
) -> None:
    source = Activity.objects.filter(decision=decision, year=2018, owner_county__isnull=True)
    continuing = {a.code for a in source if a.status in ("planned", "ongoing")}
    finished = {a.code for a in source if a.status in ("completed", "cancelled")}
    assert continuing and finished

    plan = plan_create(decision=decision, year=2019, copy_from=2018, actor=coordinator)

    assert (plan.version, plan.status, plan.title) == (1, PlanStatus.DRAFT, "Projektplan 2019")
    assert "2018-2020" in plan.summary  # the period is not "made about 2019"
    copied = Activity.objects.filter(decision=decision, year=2019)
    assert {a.code for a in copied} == continuing
    assert not copied.filter(code__in=finished).exists()
    assert not Output.objects.filter(activity__in=copied).exists()
    assert set(copied.values_list("status", flat=True)) == {"planned"}
    assert not copied.exclude(
        actual_start=None, actual_end=None, planned_start=None, planned_end=None
    ).exists()
    assert not copied.filter(owner_county__isnull=False).exists()
    old = Activity.objects.get(decision=decision, year=2018, code="2018-3-1-kunskapsstyrning")
    new = copied.get(code=old.code)
    assert (new.title, new.sub_project, new.goal_area, new.report_section) == (
        old.title,
        old.sub_project,
        old.goal_area,
        old.report_section,
    )
    for link in ("sub_goals", "strategy_objectives", "partners", "counties", "municipalities"):
        assert set(getattr(new, link).all()) == set(getattr(old, link).all()), link
    assert new.partners.count() == 21
    assert old.budget_line is not None and new.budget_line is not None
    assert new.budget_line.budget.year == 2019
    assert (new.budget_line.goal_area, new.budget_line.recipient) == (
        old.budget_line.goal_area,
        old.budget_line.recipient,
    )
    (created,) = PlanComment.objects.filter(plan=plan)
    assert created.kind == "created" and f"{len(continuing)} pågående" in created.text


def test_it_copies_the_split_to_the_lines_the_new_year_leaves_open(
    decision: FundingDecision, coordinator: Any
) -> None:
    plan = plan_create(decision=decision, year=2019, copy_from=None, actor=coordinator)
    assert plan.title == "Projektplan 2019"
    assert not Activity.objects.filter(decision=decision, year=2019).exists()
    plan_set_budget(plan=plan, line=_line(2019, 1, "SKR"), amount=Decimal("2500000.00"), actor=coordinator)
    plan_set_budget(plan=plan, line=_line(2019, 3, "RSS"), amount=Decimal("9000000.00"), actor=coordinator)
    ProjectPlan.objects.filter(pk=plan.pk).update(status=PlanStatus.FIXED)
    copy = plan_create(decision=decision, year=2020, copy_from=2019, actor=coordinator)
    split = {
        (p.budget_line.goal_area.number, p.budget_line.recipient, p.budget_line.budget.year): p.amount
        for p in copy.budget_lines.all()
    }
    # 2020's RSS line is decided by the decision itself (9 MSEK): the split fills only what is open.
    assert split == {(1, "SKR", 2020): Decimal("2500000.00")}
    assert copy.title == "Projektplan 2020"


def test_it_refuses_a_year_outside_the_decision_or_one_that_has_a_plan(
    decision: FundingDecision, coordinator: Any
) -> None:
    with nothing_stored():
        with pytest.raises(ValidationError) as outside:
            plan_create(decision=decision, year=2021, copy_from=None, actor=coordinator)
        assert "utanför beslutets period 2018–2020" in outside.value.message_dict["year"][0]
        with pytest.raises(ValidationError) as exists:
            plan_create(decision=decision, year=2018, copy_from=None, actor=coordinator)
        assert (
            exists.value.code == "plan_exists"
            and "finns redan en projektplan för 2018" in exists.value.messages[0]
        )
        with pytest.raises(ValidationError) as nothing:
            plan_create(decision=decision, year=2019, copy_from=2020, actor=coordinator)
        assert "ingen projektplan för 2020" in nothing.value.message_dict["copy_from"][0]
        with pytest.raises(ValidationError) as hostile:
            plan_create(decision=decision, year=2019, copy_from=None, title="a\x00b", actor=coordinator)
        assert "title" in hostile.value.message_dict


@pytest.mark.parametrize("name", ["rss_skane", "ministry", "certifier", "treasury", "no_role"])
def test_only_a_coordinator_creates_a_plan(decision: FundingDecision, name: str, request: Any) -> None:
    user = request.getfixturevalue(name)
    with nothing_stored(), pytest.raises(PermissionDenied, match=EDIT_REASON):
        plan_create(decision=decision, year=2019, copy_from=2018, actor=user)


# --- the 2019 cycle --------------------------------------------------------------------------------


def test_the_2019_cycle_through_the_services(
    decision: FundingDecision, plan_2019: ProjectPlan, coordinator: Any, ministry: Any
) -> None:
    first = _new(
        decision, coordinator, title="Nätverk för jämställd budgetering", planned_start=dt.date(2019, 4, 1)
    )
    second = _new(
        decision, coordinator, title="Webbinarier om våld i nära relationer", sub_project=2, goal_area=3
    )
    assert first.code == "2019-natverk-for-jamstalld-budgetering" and second.sub_project.number == 2

    plan = _step(plan_2019, "propose", coordinator)
    # Proposed: frozen, with the reason.
    with pytest.raises(ValidationError, match="föreslagen till Regeringskansliet och låst") as locked:
        plan_update(plan=plan, title="Ändrad", actor=coordinator)
    assert locked.value.code == "locked"
    with pytest.raises(ValidationError, match="föreslagen till Regeringskansliet") as activity_locked:
        activity_update(activity=first, actor=coordinator, title="Ändrad")
    assert activity_locked.value.error_dict["title"][0].code == "locked"  # beside the field
    with pytest.raises(ValidationError, match="låst"):
        _new(decision, coordinator, title="En till")
    # The coordinator cannot send it back; the ministry must say why.
    with pytest.raises(PermissionDenied, match=re.escape(SEND_BACK_REASON)):
        _step(plan, "send_back", coordinator, comment="Nej")
    with pytest.raises(ValidationError) as silent:
        _step(plan, "send_back", ministry)
    assert "comment" in silent.value.message_dict
    plan = _step(plan, "send_back", ministry, comment="Beskriv uppföljningen av delmål 6 tydligare.")
    assert plan.status == PlanStatus.DRAFT

    # A draft again: the coordinator corrects and proposes again.
    plan = plan_update(
        plan=plan, summary="Uppföljningen av delmål 6 beskrivs i avsnitt 3.", actor=coordinator
    )
    activity_update(activity=first, actor=coordinator, title="Nätverk för jämställd budgetering i kommuner")
    plan = _step(plan, "propose", coordinator)
    plan = _step(plan, "consult", ministry)
    plan = _step(plan, "fix", coordinator)
    assert plan.status == PlanStatus.FIXED

    # Fixed: a planning field is refused with the reason, progress is recorded.
    first.refresh_from_db()
    with pytest.raises(ValidationError) as frozen:
        activity_update(activity=first, actor=coordinator, planned_end=dt.date(2019, 11, 30))
    assert frozen.value.error_dict["planned_end"][0].code == "locked"
    assert (
        "fastställd och låst" in frozen.value.messages[0]
        and "Status, faktiska datum" in frozen.value.messages[0]
    )
    activity_update(activity=first, actor=coordinator, status="ongoing", actual_start=dt.date(2019, 4, 2))
    output_create(activity=first, actor=coordinator, label="Deltagare", unit="personer", total=12)

    timeline = list(PlanComment.objects.filter(plan=plan).values_list("kind", "author_name", "text"))
    assert [k for k, _a, _t in timeline] == ["created", "propose", "send_back", "propose", "consult", "fix"]
    assert timeline[2] == ("send_back", "mia-departement", "Beskriv uppföljningen av delmål 6 tydligare.")

    # A change after fixing: a new version, a draft, whose activities are open again.
    new = plan_new_version(plan=plan, actor=coordinator)
    assert (new.version, new.status, new.supersedes) == (2, PlanStatus.DRAFT, plan)
    first.refresh_from_db()
    activity_update(activity=first, actor=coordinator, planned_end=dt.date(2019, 11, 30))
    assert PlanComment.objects.filter(plan=new, kind="new_version").exists()


def test_a_new_version_is_made_of_a_fixed_plan_only(plan_2019: ProjectPlan, coordinator: Any) -> None:
    with pytest.raises(ValidationError) as draft:
        plan_new_version(plan=plan_2019, actor=coordinator)
    assert draft.value.code == "not_fixed" and "Ett utkast ändras direkt" in draft.value.messages[0]
    proposed = _step(plan_2019, "propose", coordinator)
    with pytest.raises(ValidationError, match="skickas tillbaka av Regeringskansliet"):
        plan_new_version(plan=proposed, actor=coordinator)


def test_the_ministry_sends_back_only_a_proposal(
    plan_2019: ProjectPlan, ministry: Any, rss_skane: Any
) -> None:
    with pytest.raises(ValidationError) as draft:
        _step(plan_2019, "send_back", ministry, comment="För tidigt")
    assert draft.value.code == "wrong_status"
    with pytest.raises(PermissionDenied, match=re.escape(SEND_BACK_REASON)):
        _step(plan_2019, "send_back", rss_skane, comment="x")


def test_an_activity_of_the_fixed_2018_plan_can_no_longer_be_replanned(coordinator: Any) -> None:
    activity = Activity.objects.get(decision__slug=SLUG, year=2018, code="2018-3-1-kunskapsstyrning")
    assert not activity_lock_verdict(activity)
    with nothing_stored(), pytest.raises(ValidationError) as refused:
        activity_update(activity=activity, actor=coordinator, title="Kapad")
    assert refused.value.error_dict["title"][0].code == "locked"  # beside the field it names
    assert refused.value.messages[0].startswith(
        "Projektplanen 2018 är fastställd och låst; skapa en ny version"
    )
    with pytest.raises(ValidationError, match="fastställd"):
        activity_update(activity=activity, actor=coordinator, partners=[])
    # The year goes on: its status and its results may still be recorded.
    activity_update(
        activity=activity, actor=coordinator, status="completed", actual_end=dt.date(2018, 12, 14)
    )
    output_create(activity=activity, actor=coordinator, label="Möten", unit="st", total=3)
    assert Activity.objects.get(pk=activity.pk).status == "completed"


# --- who may add an activity, and where ------------------------------------------------------------


def test_an_rss_leader_adds_activities_only_for_their_own_county(
    decision: FundingDecision, plan_2019: ProjectPlan, rss_skane: Any, rss_norrbotten: Any, coordinator: Any
) -> None:
    own = _new(decision, rss_skane, title="Skånes nätverk mot hedersrelaterat våld", goal_area=3)
    assert own.owner_county is not None and own.owner_county.code == "12"
    assert {c.code for c in own.counties.all()} == {"12"}
    with nothing_stored():
        with pytest.raises(PermissionDenied, match=re.escape(CREATE_REASON)):
            _new(decision, rss_skane, owner_county="25", title="Kapad")
        with pytest.raises(PermissionDenied, match="Du kan bara ändra aktiviteter i ditt eget län"):
            activity_update(activity=own, actor=rss_norrbotten, title="Kapad")
        with pytest.raises(ValidationError) as unknown:
            _new(decision, coordinator, owner_county="99", title="x")
        assert "owner_county" in unknown.value.message_dict
    activity_update(activity=own, actor=rss_skane, description="Med polisen i Malmö.")
    # An RSS activity follows its county's plan, not the national one: proposing does not lock it.
    _step(plan_2019, "propose", coordinator)
    activity_update(activity=Activity.objects.get(pk=own.pk), actor=rss_skane, title="Skånes nätverk")
    _new(decision, rss_skane, title="Utbildning för socialtjänsten", goal_area=3)


@pytest.mark.parametrize("name", ["ministry", "certifier", "treasury", "analyst", "no_role"])
def test_other_roles_add_no_activity(
    decision: FundingDecision, plan_2019: ProjectPlan, name: str, request: Any
) -> None:
    user = request.getfixturevalue(name)
    with nothing_stored(), pytest.raises(PermissionDenied, match=re.escape(CREATE_REASON)):
        _new(decision, user)


def test_a_national_activity_needs_a_draft_plan(decision: FundingDecision, coordinator: Any) -> None:
    with nothing_stored(), pytest.raises(ValidationError, match="ingen projektplan för 2019") as refused:
        _new(decision, coordinator)
    assert refused.value.code == "locked"


# --- sanity, with reasons --------------------------------------------------------------------------


def test_a_planned_cost_may_not_exceed_what_the_line_has_left(
    decision: FundingDecision, plan_2019: ProjectPlan, coordinator: Any
) -> None:
    big = _new(decision, coordinator, goal_area=3, budget_line="3-RSS", planned_cost="8 000 000")
    assert big.planned_cost == Decimal("8000000.00")
    with nothing_stored(), pytest.raises(ValidationError) as over:
        _new(decision, coordinator, goal_area=3, budget_line="3-RSS", planned_cost="1 500 000")
    (message,) = over.value.message_dict["planned_cost"]
    assert "överstiger vad budgetraden har kvar: 1\u00a0000\u00a0000\u00a0kr" in message
    assert "8\u00a0000\u00a0000\u00a0kr redan planerat" in message
    # The activity's own cost is not counted against itself when it changes.
    activity_update(activity=big, actor=coordinator, planned_cost="9000000")
    with pytest.raises(ValidationError) as moved:
        activity_update(activity=big, actor=coordinator, planned_cost="9 000 000,01")
    assert "planned_cost" in moved.value.message_dict
    # A line whose amount the decision leaves open: first the plan's split, then a cost.
    with pytest.raises(ValidationError) as undecided:
        _new(decision, coordinator, budget_line="1-SKR", planned_cost="1,5")
    assert "Budgetraden har inget beslutat belopp" in undecided.value.message_dict["planned_cost"][0]
    plan_set_budget(plan=plan_2019, line=_line(2019, 1, "SKR"), amount=Decimal("2500000"), actor=coordinator)
    small = _new(decision, coordinator, budget_line="1-SKR", planned_cost="1,5")
    assert small.planned_cost == Decimal("1.50")
    with pytest.raises(ValidationError) as hostile:
        _new(decision, coordinator, budget_line="1-SKR", planned_cost="1e30")
    assert "planned_cost" in hostile.value.message_dict
    with pytest.raises(ValidationError) as lineless:
        _new(decision, coordinator, planned_cost="100")
    assert "budget_line" in lineless.value.message_dict
    with pytest.raises(ValidationError) as other_year:
        _new(decision, coordinator, budget_line=_line(2018, 1, "SKR"))
    assert "budget_line" in other_year.value.message_dict


def test_dates_lie_within_the_activitys_year(
    decision: FundingDecision, plan_2019: ProjectPlan, coordinator: Any
) -> None:
    with nothing_stored(), pytest.raises(ValidationError) as refused:
        _new(decision, coordinator, planned_start=dt.date(2019, 2, 1), planned_end=dt.date(2020, 1, 31))
    (message,) = refused.value.message_dict["planned_end"]
    assert "utanför aktivitetens år 2019 (2019-01-01–2019-12-31)" in message
    activity = _new(decision, coordinator, planned_start=dt.date(2019, 2, 1))
    with pytest.raises(ValidationError) as actual:
        activity_update(activity=activity, actor=coordinator, actual_start=dt.date(2018, 12, 31))
    assert "actual_start" in actual.value.message_dict
    with pytest.raises(ValidationError) as backwards:
        activity_update(activity=activity, actor=coordinator, planned_end=dt.date(2019, 1, 15))
    assert "Planerat slut ligger före planerad start." in backwards.value.message_dict["planned_end"]


def test_links_are_chosen_from_the_lists(
    decision: FundingDecision, plan_2019: ProjectPlan, coordinator: Any
) -> None:
    activity = _new(
        decision,
        coordinator,
        sub_goals=["1", 6],
        strategy_objectives=[2],
        partners=["SKR", "LST12"],
        counties=["12", "25"],
        municipalities=["1280"],
    )
    assert {g.number for g in activity.sub_goals.all()} == {1, 6}
    assert {p.code for p in activity.partners.all()} == {"SKR", "LST12"}
    assert {m.code for m in activity.municipalities.all()} == {"1280"}
    for field, value in (
        ("sub_goals", [99]),
        ("partners", ["1280"]),  # a municipality is not a partner organisation here
        ("counties", ["SKR"]),
        ("municipalities", "1280"),  # not a list
        ("sub_goals", ["a\x00b"]),
        ("sub_project", 9),
        ("goal_area", "x"),
    ):
        with nothing_stored(), pytest.raises(ValidationError) as refused:
            activity_update(activity=activity, actor=coordinator, **{field: value})
        assert field in refused.value.message_dict, field


# --- remove an activity ------------------------------------------------------------------------------


def test_an_activity_is_removed_only_while_editable_and_unused(
    decision: FundingDecision, plan_2019: ProjectPlan, coordinator: Any, rss_norrbotten: Any
) -> None:
    spare = _new(decision, coordinator, title="Inlagd av misstag")
    used = _new(decision, coordinator, title="Med resultat")
    output_create(activity=used, actor=coordinator, label="Deltagare", unit="personer", total=4)
    evaluated = _new(decision, coordinator, title="Utvärderad")
    Evaluation.objects.create(decision=decision, year=2019, title="Lärande utvärdering 2019").activities.add(
        evaluated
    )
    with pytest.raises(PermissionDenied):
        activity_delete(activity=spare, actor=rss_norrbotten)
    with pytest.raises(ValidationError) as has_outputs:
        activity_delete(activity=used, actor=coordinator)
    assert has_outputs.value.code == "in_use" and "1 registrerat resultat" in has_outputs.value.messages[0]
    with pytest.raises(ValidationError, match="utvärderingen Lärande utvärdering 2019"):
        activity_delete(activity=evaluated, actor=coordinator)
    activity_delete(activity=spare, actor=coordinator)
    assert not Activity.objects.filter(pk=spare.pk).exists()
    fixed = Activity.objects.get(decision__slug=SLUG, year=2018, code="2018-3-1-kunskapsstyrning")
    with pytest.raises(ValidationError, match="fastställd"):
        activity_delete(activity=fixed, actor=coordinator)


# --- sub-projects --------------------------------------------------------------------------------------


def test_sub_projects_belong_to_the_decision(
    decision: FundingDecision, coordinator: Any, rss_skane: Any
) -> None:
    third = subproject_create(decision=decision, name="Mäns våld – förebyggande arbete", actor=coordinator)
    assert third.number == 3
    subproject_update(sub_project=third, description="Med MVP i skolor.", actor=coordinator)
    assert SubProject.objects.get(pk=third.pk).description == "Med MVP i skolor."
    with nothing_stored():
        with pytest.raises(ValidationError) as taken:
            subproject_create(decision=decision, number=2, name="Dubblett", actor=coordinator)
        assert "number" in taken.value.message_dict
        with pytest.raises(ValidationError) as hostile:
            subproject_create(decision=decision, name="x" * 201, number="٣", actor=coordinator)
        assert set(hostile.value.message_dict) == {"name", "number"}
        with pytest.raises(PermissionDenied, match=EDIT_REASON):
            subproject_create(decision=decision, name="RSS eget", actor=rss_skane)
        with pytest.raises(PermissionDenied, match=EDIT_REASON):
            subproject_update(sub_project=third, name="Kapad", actor=rss_skane)


def test_it_records_who_created_and_changed(decision: FundingDecision, coordinator: Any) -> None:
    plan = plan_create(decision=decision, year=2019, copy_from=2018, actor=coordinator)
    copied = Activity.objects.filter(decision=decision, year=2019).first()
    assert copied is not None
    record = copied.history.latest()
    assert record.history_user == coordinator and record.history_change_reason == "kopierad från 2018"
    assert plan.history.latest().history_user == coordinator
    other = persona("olof-samordnare", Role.COORDINATOR)
    activity_update(activity=copied, actor=other, status=ActivityStatus.ONGOING)
    assert copied.history.latest().history_user == other


@pytest.mark.postgres
def test_two_new_versions_at_once_make_one_and_refuse_the_other(decision: FundingDecision) -> None:
    """A double click on "Ny version" of the fixed 2018 plan, on two real connections: one new
    version, the other refused as superseded (it was a 500 on the unique `supersedes`, as the
    lock on "the latest version" was re-read by PostgreSQL as the same old row)."""
    from jamkoll.accounts.policy import operator
    from tests.parallel import at_once, committed_cleanup, needs_postgresql

    needs_postgresql()
    fixed = ProjectPlan.objects.get(decision=decision, year=2018, version=1)
    assert fixed.status == PlanStatus.FIXED

    def make() -> str:
        return (
            f"v{plan_new_version(plan=ProjectPlan.objects.get(pk=fixed.pk), actor=operator('test')).version}"
        )

    def hold() -> None:  # the lock both clicks wait for, held until both wait
        ProjectPlan.objects.select_for_update().get(pk=fixed.pk)

    def remove() -> None:
        made = list(ProjectPlan.objects.filter(decision=decision, year=2018, version__gt=1))
        ids = [p.pk for p in made]
        PlanComment.objects.filter(plan_id__in=ids).delete()
        for plan in made:
            plan.budget_lines.all().delete()
            plan.delete()
        ProjectPlan.history.filter(id__in=ids).delete()
        PlanBudgetLine.history.filter(plan_id__in=ids).delete()

    try:
        assert at_once(make, hold=hold) == ["refused:superseded", "v2"]
    finally:
        committed_cleanup(remove)
    assert not ProjectPlan.objects.filter(decision=decision, year=2018, version__gt=1).exists()
