""" "My obligations" is the policy's: each predicate (`owes_obligation`, `receives_obligation`)
and its Q form agree for every persona and every obligation, as the statuses do (test_status.py),
and the lists built on the Q forms (the calendar feed, Att göra) hold exactly what the predicates
allow."""

import datetime as dt
from typing import Any

import pytest

from jamkoll.accounts.models import Role, RoleAssignment
from jamkoll.accounts.policy import (
    SEED_LOADER,
    obligation_owners_q,
    owes_obligation,
    owes_obligation_q,
    receives_obligation,
    receives_obligation_q,
)
from jamkoll.accounts.services import role_assign
from jamkoll.obligations.models import Obligation
from jamkoll.obligations.selectors import (
    obligation_queryset,
    obligations_for_user,
    reminder_recipients,
    todo_for_user,
)
from tests.conftest import persona

pytestmark = pytest.mark.django_db


def _matches(q: Any) -> set[int]:
    return set(Obligation.objects.filter(q).values_list("pk", flat=True))


@pytest.fixture
def everyone(personas: dict[str, Any]) -> list[Any]:
    users = list(personas.values())
    # Someone holding several roles, two of them RSS roles for two counties.
    several = persona("vera-flera", Role.RSS, "01")
    role_assign(user=several, role=Role.RSS, county_code="14", actor=SEED_LOADER)
    role_assign(user=several, role=Role.TREASURY, actor=SEED_LOADER)
    return [*users, several]


def test_it_states_owes_and_receives_once_predicate_and_q_agree(everyone: list[Any]) -> None:
    obligations = list(obligation_queryset())
    assert len(obligations) > 80
    for user in everyone:
        owed = {o.pk for o in obligations if owes_obligation.test(user, o)}
        received = {o.pk for o in obligations if receives_obligation.test(user, o)}
        assert _matches(owes_obligation_q(user)) == owed, user.username
        assert _matches(receives_obligation_q(user)) == received, user.username


def test_it_gives_the_anonymous_visitor_nothing() -> None:
    from django.contrib.auth.models import AnonymousUser

    anonymous = AnonymousUser()
    assert _matches(owes_obligation_q(anonymous)) == set()
    assert _matches(receives_obligation_q(anonymous)) == set()
    assert not owes_obligation.test(anonymous, Obligation.objects.first())


def test_it_builds_the_feed_and_att_gora_from_the_policy(everyone: list[Any]) -> None:
    obligations = list(obligation_queryset())
    by_pk = {o.pk: o for o in obligations}
    today = dt.date(2019, 3, 25)
    for user in everyone:
        mine = {
            o.pk for o in obligations if owes_obligation.test(user, o) or receives_obligation.test(user, o)
        }
        assert {o.pk for o in obligations_for_user(user=user)} == mine, user.username
        todo = todo_for_user(user, today)
        listed = {item.obligation.pk for item in [*todo.overdue, *todo.upcoming]}
        open_dated = {
            o.pk
            for o in obligations
            if o.pk in mine and o.effective_date and not o.submitted_on and not o.waived_at and not o.evidence
        }
        assert listed == open_dated, user.username
        owes = {item.obligation.pk for item in [*todo.overdue, *todo.upcoming] if item.owes}
        assert owes == {pk for pk in listed if owes_obligation.test(user, by_pk[pk])}, user.username


def test_it_scopes_rss_to_the_county(rss_skane: Any) -> None:
    codes = set(obligations_for_user(user=rss_skane).values_list("county__code", flat=True))
    assert codes == {"12"}


def test_it_reminds_exactly_those_who_owe_the_obligation(everyone: list[Any]) -> None:
    """`obligation_owners_q` (the reminders' recipients, over role assignments) agrees with
    `owes_obligation` for every obligation and every persona."""
    obligations = list(obligation_queryset())
    assert len(obligations) > 80
    ids = {user.pk for user in everyone}
    for obligation in obligations:
        owners = set(
            RoleAssignment.objects.filter(obligation_owners_q(obligation), user_id__in=ids).values_list(
                "user_id", flat=True
            )
        )
        assert owners == {u.pk for u in everyone if owes_obligation.test(u, obligation)}, obligation.pk
        recipients = {u.pk for u in reminder_recipients(obligation)} & ids
        assert recipients <= owners, obligation.pk
