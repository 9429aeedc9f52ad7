"""The workflow generate → certify → sign → submit, stated once in reports.transitions: every legal
and every illegal step, as the page sees it (`open_step`) and as the services enforce it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from jamkoll.accounts.models import Role
from jamkoll.accounts.policy import SEED_LOADER
from jamkoll.accounts.services import role_assign
from jamkoll.obligations.models import Obligation
from jamkoll.programmes.selectors import decision_get
from jamkoll.reports import transitions
from jamkoll.reports.models import ReportKind, ReportState, ReportVersion
from jamkoll.reports.selectors import report_version_for_user
from jamkoll.reports.services import report_certify, report_generate, report_sign, report_submit
from jamkoll.reports.transitions import Step, open_step, step_refusal
from tests.conftest import persona

pytestmark = pytest.mark.django_db
SLUG = "jamstalldhet-kvinnofrid-2018-2020"
D = dt.date(2019, 3, 27)

# Every legal step: (kind, state) -> the one open step.
LEGAL = {
    (ReportKind.FINANCIAL, ReportState.DRAFT): Step.CERTIFY,
    (ReportKind.FINANCIAL, ReportState.CERTIFIED): Step.SIGN,
    (ReportKind.FINANCIAL, ReportState.SIGNED): Step.SUBMIT,
    (ReportKind.RESULT, ReportState.DRAFT): Step.SIGN,
    (ReportKind.RESULT, ReportState.SIGNED): Step.SUBMIT,
    (ReportKind.STATUS, ReportState.DRAFT): Step.SUBMIT,
    (ReportKind.RSS, ReportState.DRAFT): Step.SUBMIT,
}
# The states each kind passes through.
STATES = {
    ReportKind.FINANCIAL: (
        ReportState.DRAFT,
        ReportState.CERTIFIED,
        ReportState.SIGNED,
        ReportState.SUBMITTED,
    ),
    ReportKind.RESULT: (ReportState.DRAFT, ReportState.SIGNED, ReportState.SUBMITTED),
    ReportKind.STATUS: (ReportState.DRAFT, ReportState.SUBMITTED),
    ReportKind.RSS: (ReportState.DRAFT, ReportState.SUBMITTED),
}
CASES = [(kind, state, step) for kind, states in STATES.items() for state in states for step in Step]
EXPECTED_CODE = {
    # (kind, state, step) -> the refusal's code, for every illegal step
    **{(k, ReportState.SUBMITTED, s): transitions.SUBMITTED for k in STATES for s in Step},
    **{
        (k, st, Step.CERTIFY): transitions.NOT_FOR_KIND
        for k in (ReportKind.RESULT, ReportKind.STATUS, ReportKind.RSS)
        for st in STATES[k]
        if st != ReportState.SUBMITTED
    },
    **{
        (k, ReportState.DRAFT, Step.SIGN): transitions.NOT_FOR_KIND
        for k in (ReportKind.STATUS, ReportKind.RSS)
    },
    (ReportKind.FINANCIAL, ReportState.DRAFT, Step.SIGN): transitions.TOO_EARLY,
    (ReportKind.FINANCIAL, ReportState.DRAFT, Step.SUBMIT): transitions.TOO_EARLY,
    (ReportKind.FINANCIAL, ReportState.CERTIFIED, Step.CERTIFY): transitions.DONE,
    (ReportKind.FINANCIAL, ReportState.CERTIFIED, Step.SUBMIT): transitions.TOO_EARLY,
    (ReportKind.FINANCIAL, ReportState.SIGNED, Step.CERTIFY): transitions.DONE,
    (ReportKind.FINANCIAL, ReportState.SIGNED, Step.SIGN): transitions.DONE,
    (ReportKind.RESULT, ReportState.DRAFT, Step.SUBMIT): transitions.TOO_EARLY,
    (ReportKind.RESULT, ReportState.SIGNED, Step.SIGN): transitions.DONE,
}


def _version(kind: str, state: str) -> ReportVersion:
    """An unsaved version: the transitions look only at kind and state."""
    return ReportVersion(kind=kind, state=state, version=1)


def test_it_covers_every_step_of_every_state_once() -> None:
    legal = {(k, st, s) for (k, st), s in LEGAL.items()}
    assert legal.isdisjoint(EXPECTED_CODE)
    assert legal | set(EXPECTED_CODE) == set(CASES)


@pytest.mark.parametrize(("kind", "state"), [(k, st) for k, states in STATES.items() for st in states])
def test_it_opens_exactly_one_step_until_the_version_is_submitted(kind: str, state: str) -> None:
    assert open_step(_version(kind, state)) == LEGAL.get((kind, state))


@pytest.mark.parametrize(("kind", "state", "step"), CASES)
def test_it_allows_the_open_step_and_refuses_every_other_with_its_code(
    kind: str, state: str, step: Step
) -> None:
    refusal = step_refusal(_version(kind, state), step)
    if LEGAL.get((kind, state)) == step:
        assert refusal is None
    else:
        assert refusal is not None and refusal.code == EXPECTED_CODE[(kind, state, step)]
        assert refusal.messages[0].endswith(".")


@pytest.mark.parametrize(("kind", "state", "step"), sorted(EXPECTED_CODE, key=str))
def test_it_has_the_services_refuse_every_illegal_step_with_a_non_field_error(
    kind: str, state: str, step: Step
) -> None:
    # One person who holds every role the steps need (and acted on none of these versions), so
    # that only the state refuses.
    anyone = persona("alla-roller", Role.CERTIFIER)
    for role in (Role.COORDINATOR, Role.SIGNATORY):
        role_assign(user=anyone, role=role, actor=SEED_LOADER)
    version = _version(kind, state)
    with pytest.raises(ValidationError) as caught:
        _take(step, version, anyone)
    assert not hasattr(caught.value, "error_dict")  # not tied to a field
    assert caught.value.code == EXPECTED_CODE[(kind, state, step)]
    assert list(caught.value.messages) == list(step_refusal(version, step).messages)  # type: ignore[union-attr]


def test_it_says_why_in_the_known_refusals() -> None:
    assert "måste vara intygad" in str(step_refusal(_version("financial", "draft"), Step.SIGN))
    assert "bara den ekonomiska" in str(step_refusal(_version("result", "draft"), Step.CERTIFY))
    assert "redan inlämnad" in str(step_refusal(_version("status", "submitted"), Step.SUBMIT))
    assert "måste vara undertecknad" in str(step_refusal(_version("result", "draft"), Step.SUBMIT))
    done = str(step_refusal(_version("financial", "signed"), Step.CERTIFY))
    assert "redan undertecknad" in done and "lämna in" in done


@pytest.mark.parametrize("kind", list(STATES))
def test_it_takes_every_legal_step_through_the_services_and_the_page_agrees(
    kind: str, coordinator: Any, certifier: Any, signatory: Any
) -> None:
    agreement = decision_get(slug=SLUG)
    county = "12" if kind == ReportKind.RSS else None
    version = report_generate(
        actor=coordinator, kind=kind, decision=agreement, year=2018, county_code=county, formats=("md",)
    )
    actors = {Step.CERTIFY: certifier, Step.SIGN: signatory, Step.SUBMIT: coordinator}
    taken = []
    while (step := open_step(version)) is not None:
        _found, actions = report_version_for_user(actor=actors[step], pk=version.pk)
        assert list(actions) == [step] and actions[step]  # the page offers this step, to this role
        version = _take(step, version, actors[step])
        assert version.state == transitions.STATE_AFTER[step]
        taken.append(step)
    assert tuple(taken) == transitions.STEPS[kind]
    assert version.state == ReportState.SUBMITTED
    assert report_version_for_user(actor=coordinator, pk=version.pk)[1] == {}
    if kind == ReportKind.FINANCIAL:
        obligation = Obligation.objects.get(
            decision=agreement, year=2018, kind="financial_report", county__isnull=True
        )
        assert obligation.submitted_on == D


def _take(step: Step, version: ReportVersion, actor: Any) -> ReportVersion:
    if step == Step.CERTIFY:
        return report_certify(actor=actor, version=version, on=D)
    if step == Step.SIGN:
        return report_sign(actor=actor, version=version, on=D)
    return report_submit(actor=actor, version=version, on=D, receipt_reference="KAMK 1")


def test_it_refuses_a_step_on_a_version_that_a_newer_one_replaced(coordinator: Any, certifier: Any) -> None:
    agreement = decision_get(slug=SLUG)
    draft = report_generate(
        actor=coordinator, kind="financial", decision=agreement, year=2018, formats=("md",)
    )
    report_certify(actor=certifier, version=draft, on=D)
    with pytest.raises(ValidationError) as caught:
        report_certify(actor=certifier, version=draft, on=D)
    assert caught.value.code == "superseded" and "nyare version (v2)" in caught.value.messages[0]
    assert NON_FIELD_ERRORS not in getattr(caught.value, "error_dict", {})
