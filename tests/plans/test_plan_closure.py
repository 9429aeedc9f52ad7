"""Proposing a project plan hands it in: the decision's project-plan obligation for the year closes
on the proposal date (issue 11, DESIGN §7.2), on time or late; later steps and later versions
leave it as the first proposal closed it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from jamkoll.obligations.models import Obligation, ObligationStatus
from jamkoll.obligations.selectors import closer_link, closure_text
from jamkoll.obligations.transitions import obligation_submit
from jamkoll.plans.models import PlanStatus, ProjectPlan
from jamkoll.plans.services import plan_new_version, plan_transition
from jamkoll.programmes.selectors import decision_get
from tests.conftest import client_for
from tests.hostile import nothing_stored

pytestmark = pytest.mark.django_db
SLUG = "jamstalldhet-kvinnofrid-2018-2020"


@pytest.fixture
def plan_2019(db: None) -> ProjectPlan:
    return ProjectPlan.objects.create(decision=decision_get(slug=SLUG), year=2019, title="Projektplan 2019")


def _step(plan: ProjectPlan, action: str, user: Any, on: dt.date = dt.date(2019, 3, 29)) -> ProjectPlan:
    return plan_transition(plan=plan, action=action, on=on, reference=f"S2019/{action}", actor=user)


def project_plan_obligation(year: int = 2019) -> Obligation:
    return Obligation.objects.get(decision__slug=SLUG, key=f"{year}-project_plan")


def test_proposing_closes_the_years_project_plan_obligation_on_time(
    plan_2019: ProjectPlan, coordinator: Any
) -> None:
    assert project_plan_obligation().submitted_on is None
    _step(plan_2019, "propose", coordinator)
    o = project_plan_obligation()
    assert (o.submitted_on, o.closed_by, o.submitted_by) == (
        dt.date(2019, 3, 29),
        f"project-plan:{plan_2019.pk}",
        coordinator,
    )
    assert o.status_on(dt.date(2019, 6, 1)) == ObligationStatus.SUBMITTED_ON_TIME  # due 2019-04-01
    assert closure_text(o) == "Stängd av förslaget till projektplan för 2019 (version 1), 2019-03-29, i tid"
    assert closer_link(o) == f"/planer/{SLUG}/2019/"
    assert project_plan_obligation(2020).submitted_on is None  # only the plan's own year
    html = client_for(coordinator).get(f"/tidsfrister/atagande/{o.pk}/").content.decode()
    assert "Stängd av förslaget till projektplan för 2019" in html and f'href="/planer/{SLUG}/2019/"' in html


def test_a_late_proposal_closes_it_late(plan_2019: ProjectPlan, coordinator: Any) -> None:
    _step(plan_2019, "propose", coordinator, on=dt.date(2019, 4, 2))
    assert project_plan_obligation().status_on(dt.date(2019, 6, 1)) == ObligationStatus.SUBMITTED_LATE


def test_the_later_steps_and_a_new_version_leave_the_first_proposals_closure(
    plan_2019: ProjectPlan, coordinator: Any
) -> None:
    plan = _step(plan_2019, "propose", coordinator)
    plan = _step(_step(plan, "consult", coordinator), "fix", coordinator)
    assert plan.status == PlanStatus.FIXED
    second = plan_new_version(plan=plan, actor=coordinator)
    _step(second, "propose", coordinator, on=dt.date(2019, 9, 1))
    o = project_plan_obligation()
    assert (o.submitted_on, o.closed_by) == (dt.date(2019, 3, 29), f"project-plan:{plan_2019.pk}")


def test_an_obligation_registered_by_hand_stays(plan_2019: ProjectPlan, coordinator: Any) -> None:
    obligation_submit(
        obligation=project_plan_obligation(), submitted_on=dt.date(2019, 3, 20), actor=coordinator
    )
    _step(plan_2019, "propose", coordinator)
    o = project_plan_obligation()
    assert (o.submitted_on, o.closed_by) == (dt.date(2019, 3, 20), "")


def test_a_proposal_dated_outside_the_obligations_years_is_refused_whole(
    plan_2019: ProjectPlan, coordinator: Any
) -> None:
    with nothing_stored(), pytest.raises(ValidationError) as info:
        _step(plan_2019, "propose", coordinator, on=dt.date(2000, 1, 1))
    assert "on" in info.value.message_dict
    plan_2019.refresh_from_db()
    assert plan_2019.status == PlanStatus.DRAFT and project_plan_obligation().submitted_on is None
