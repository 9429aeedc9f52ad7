"""Every legal and illegal transition of an obligation, through the services, with the policy."""

import datetime as dt
import inspect
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jamkoll.accounts.policy import operator
from jamkoll.obligations.models import Obligation, ObligationStatus
from jamkoll.obligations.transitions import (
    Refusal,
    obligation_actions,
    obligation_reschedule,
    obligation_submit,
    obligation_waive,
    obligations_reschedule_rss,
)

from .conftest import obligation

pytestmark = pytest.mark.django_db
D = dt.date.fromisoformat
TODAY = D("2025-06-01")


def submit(o: Obligation, user: Any, on: str = "2019-03-29", **kw: Any) -> Obligation:
    return obligation_submit(
        obligation=o, submitted_on=D(on), receipt_reference="KAMK 2019/123", actor=user, today=TODAY, **kw
    )


@contextmanager
def refused(code: Refusal, match: str | None = None) -> Iterator[None]:
    """A refusal by the obligation's state: a ValidationError not tied to a field, with its code."""
    with pytest.raises(ValidationError, match=match) as info:
        yield
    assert not hasattr(info.value, "error_dict")
    assert [e.code for e in info.value.error_list] == [code]


def test_open_to_submitted_on_time(coordinator: Any) -> None:
    o = submit(obligation("2018-financial_report"), coordinator)
    assert o.status_on(TODAY) == ObligationStatus.SUBMITTED_ON_TIME
    assert (o.submitted_by, o.receipt_reference) == (coordinator, "KAMK 2019/123")
    record = o.history.latest()
    assert record.history_user == coordinator and record.history_change_reason == "Registrerad som inlämnad"


def test_open_to_submitted_late_is_still_a_reclaim_risk(certifier: Any) -> None:
    o = submit(obligation("2018-financial_report"), certifier, on="2019-04-02")
    assert o.status_on(TODAY) == ObligationStatus.SUBMITTED_LATE
    assert o.reclaim_risk_on(TODAY)


def test_the_receiver_registers_receipt(treasury: Any) -> None:
    o = submit(obligation("2018-repayment"), treasury)
    assert o.submitted_by == treasury


def test_an_undated_obligation_can_be_submitted(rss_skane: Any) -> None:
    o = submit(obligation("2018-requisition-rss-12"), rss_skane)
    assert o.status_on(TODAY) == ObligationStatus.SUBMITTED_ON_TIME


def test_submitted_cannot_be_submitted_again_or_waived_or_rescheduled(coordinator: Any) -> None:
    o = submit(obligation("2019-requisition"), coordinator)
    with refused(Refusal.SUBMITTED, match="redan registrerat som inlämnat"):
        submit(o, coordinator)
    with refused(Refusal.SUBMITTED):
        obligation_waive(obligation=o, reason="x", actor=coordinator)
    with refused(Refusal.SUBMITTED):
        obligation_reschedule(obligation=o, nominal_date=D("2019-11-01"), reason="x", actor=coordinator)


def test_open_to_waived_and_then_nothing(ministry: Any, coordinator: Any) -> None:
    o = obligation_waive(
        obligation=obligation("2018-status_report-h1"), reason="Ersatt av muntlig dragning", actor=ministry
    )
    assert o.status_on(TODAY) == ObligationStatus.WAIVED
    assert (o.waived_by, o.waiver_reason) == (ministry, "Ersatt av muntlig dragning")
    assert o.history.latest().history_change_reason == "Ersatt av muntlig dragning"
    with refused(Refusal.WAIVED, match="undantaget"):
        submit(o, coordinator)
    with refused(Refusal.WAIVED):
        obligation_waive(obligation=o, reason="igen", actor=ministry)


def test_a_waiver_needs_a_reason(coordinator: Any) -> None:
    with pytest.raises(ValidationError):
        obligation_waive(obligation=obligation("2018-status_report-h1"), reason="  ", actor=coordinator)
    assert obligation("2018-status_report-h1").waived_at is None


def test_reschedule_a_derived_year_with_a_reason(ministry: Any) -> None:
    o = obligation_reschedule(
        obligation=obligation("2019-financial_report"),
        nominal_date=D("2020-04-04"),
        reason="Beslut S2020/0001 om senare redovisning",
        actor=ministry,
    )
    assert (o.nominal_date, o.effective_date) == (D("2020-04-04"), D("2020-04-06"))
    assert o.rescheduled_by == ministry and o.reschedule_reason.startswith("Beslut")
    record = o.history.latest()
    assert record.history_user == ministry and record.history_change_reason.startswith("Beslut")
    # Rescheduled once, it may be rescheduled again.
    obligation_reschedule(obligation=o, nominal_date=D("2020-04-15"), reason="Nytt beslut", actor=ministry)


def test_reschedule_an_undated_obligation(coordinator: Any) -> None:
    o = obligation_reschedule(
        obligation=obligation("2018-status_report-h2"),
        nominal_date=D("2019-01-31"),
        reason="Överenskommet med Socialdepartementet",
        actor=coordinator,
    )
    assert o.effective_date == D("2019-01-31")


def test_a_date_the_document_states_for_that_year_cannot_be_rescheduled(coordinator: Any) -> None:
    with refused(Refusal.DATE_STATED, match="står i beslutet"):
        obligation_reschedule(
            obligation=obligation("2018-financial_report"),
            nominal_date=D("2019-05-01"),
            reason="x",
            actor=coordinator,
        )


def test_reschedule_needs_a_reason_and_a_new_date(coordinator: Any) -> None:
    o = obligation("2019-requisition")
    with pytest.raises(ValidationError):
        obligation_reschedule(obligation=o, nominal_date=D("2019-11-01"), reason="", actor=coordinator)
    with pytest.raises(ValidationError):
        obligation_reschedule(obligation=o, nominal_date=D("2019-12-01"), reason="samma", actor=coordinator)


def test_submission_date_cannot_be_in_the_future(coordinator: Any) -> None:
    with pytest.raises(ValidationError, match="framtiden"):
        submit(obligation("2018-financial_report"), coordinator, on="2025-06-02")


def test_rss_may_submit_only_their_own_county(rss_skane: Any) -> None:
    with pytest.raises(PermissionDenied, match="ditt eget län"):
        submit(obligation("2018-requisition-rss-25"), rss_skane)
    assert obligation("2018-requisition-rss-25").submitted_on is None
    with pytest.raises(PermissionDenied):
        submit(obligation("2018-financial_report"), rss_skane)


def test_who_may_do_what(
    coordinator: Any,
    rss_skane: Any,
    certifier: Any,
    treasury: Any,
    ministry: Any,
    signatory: Any,
    analyst: Any,
) -> None:
    def allowed(user: Any, key: str) -> dict[str, bool]:
        return {a: bool(v) for a, v in obligation_actions(user, obligation(key)).items()}

    fin = "2018-financial_report"
    assert allowed(coordinator, fin) == {"submit": True, "waive": True, "edit": False}
    assert allowed(certifier, fin) == {"submit": True, "waive": False, "edit": False}
    assert allowed(signatory, fin) == {"submit": True, "waive": False, "edit": False}
    assert allowed(treasury, fin) == {"submit": True, "waive": True, "edit": False}
    assert allowed(ministry, fin) == {"submit": False, "waive": False, "edit": False}
    assert allowed(ministry, "2019-activity_report") == {"submit": True, "waive": True, "edit": True}
    assert allowed(treasury, "2019-activity_report") == {"submit": False, "waive": False, "edit": False}
    assert allowed(certifier, "2019-activity_report")["submit"] is False
    assert allowed(rss_skane, "2018-requisition-rss-12") == {"submit": True, "waive": False, "edit": False}
    assert allowed(rss_skane, "2018-requisition-rss-25") == {"submit": False, "waive": False, "edit": False}
    assert allowed(coordinator, "2018-requisition-rss-25") == {"submit": True, "waive": True, "edit": True}
    assert allowed(analyst, fin) == {"submit": False, "waive": False, "edit": False}
    reasons = obligation_actions(rss_skane, obligation("2018-requisition-rss-25"))
    assert "ditt eget län" in reasons["submit"].reason


def test_one_date_for_every_county_at_once(coordinator: Any, rss_norrbotten: Any) -> None:
    submit(obligation("2018-requisition-rss-25"), rss_norrbotten, on="2018-05-02")
    changed = obligations_reschedule_rss(
        decision=obligation("2018-requisition").decision,
        year=2018,
        kind="requisition",
        nominal_date=D("2018-05-15"),
        reason="SKR:s instruktioner till RSS, april 2018",
        actor=coordinator,
    )
    assert len(changed) == 20
    assert obligation("2018-requisition-rss-12").effective_date == D("2018-05-15")
    assert obligation("2018-requisition-rss-25").nominal_date is None  # already handed in


def test_rss_cannot_set_the_date_for_all_counties(rss_skane: Any) -> None:
    with pytest.raises(PermissionDenied):
        obligations_reschedule_rss(
            decision=obligation("2018-requisition").decision,
            year=2018,
            kind="requisition",
            nominal_date=D("2018-05-15"),
            reason="x",
            actor=rss_skane,
        )
    assert obligation("2018-requisition-rss-12").nominal_date is None


# --- The actor is never optional -------------------------------------------------------------------


@pytest.mark.parametrize(
    "service", [obligation_submit, obligation_waive, obligation_reschedule, obligations_reschedule_rss]
)
def test_it_requires_an_actor(service: Any) -> None:
    parameter = inspect.signature(service).parameters["actor"]
    assert parameter.kind is inspect.Parameter.KEYWORD_ONLY
    assert parameter.default is inspect.Parameter.empty


def test_it_refuses_an_anonymous_actor_with_the_reason() -> None:
    with pytest.raises(PermissionDenied, match="Logga in"):
        obligation_waive(obligation=obligation("2018-status_report-h1"), reason="x", actor=None)
    assert obligation("2018-status_report-h1").waived_at is None


def test_the_operator_at_the_command_line_is_recorded_by_name() -> None:
    o = obligation_submit(
        obligation=obligation("2018-repayment"),
        submitted_on=D("2019-03-29"),
        receipt_reference="KAMK 2019/9",
        actor=operator("anna"),
        today=TODAY,
    )
    assert o.submitted_by is None and o.submitted_on == D("2019-03-29")
    record = o.history.latest()
    assert record.history_user is None
    assert record.history_change_reason == "Registrerad som inlämnad (kommandoraden (anna))"
    long = obligation_waive(
        obligation=obligation("2018-status_report-h2"), reason="x" * 100, actor=operator("b")
    )
    assert len(long.history.latest().history_change_reason) == 100


def test_it_bounds_every_text_and_date_it_is_given(coordinator: Any) -> None:
    fin = obligation("2018-financial_report")
    cases: list[tuple[dict[str, Any], str]] = [
        ({"receipt_reference": "x" * 101}, "receipt_reference"),
        ({"receipt_reference": "a\x00b"}, "receipt_reference"),
        ({"document_reference": "Faktura \u202egnp.exe"}, "document_reference"),
        ({"document_reference": "x" * 301}, "document_reference"),
        ({"submitted_on": D("2000-01-01")}, "submitted_on"),  # before the decision's period − 2 years
        ({"submitted_on": None}, "submitted_on"),
    ]
    for extra, field_name in cases:
        kwargs = {"submitted_on": D("2019-03-29"), "actor": coordinator, "today": TODAY, **extra}
        with pytest.raises(ValidationError) as info:
            obligation_submit(obligation=fin, **kwargs)
        assert list(info.value.message_dict) == [field_name], extra
    for reason in ("", "  ", "x" * 101, "rad\nbrytning", "\x1b[31m"):
        with pytest.raises(ValidationError) as info:
            obligation_waive(obligation=obligation("2018-status_report-h1"), reason=reason, actor=coordinator)
        assert list(info.value.message_dict) == ["reason"], reason
    for day in (D("9999-12-31"), D("0001-01-01"), D("2023-01-01"), D("2015-12-31")):
        with pytest.raises(ValidationError) as info:
            obligation_reschedule(
                obligation=obligation("2019-requisition"), nominal_date=day, reason="r", actor=coordinator
            )
        assert list(info.value.message_dict) == ["nominal_date"], day
        with pytest.raises(ValidationError) as info:
            obligations_reschedule_rss(
                decision=fin.decision,
                year=2018,
                kind="requisition",
                nominal_date=day,
                reason="r",
                actor=coordinator,
            )
        assert list(info.value.message_dict) == ["nominal_date"], day
    with pytest.raises(ValidationError) as info:
        obligations_reschedule_rss(
            decision=fin.decision,
            year=2018,
            kind="project_plan",
            nominal_date=D("2018-05-15"),
            reason="r",
            actor=coordinator,
        )
    assert list(info.value.message_dict) == ["kind"]
    assert obligation("2018-financial_report").submitted_on is None
    assert not Obligation.objects.filter(tier="rss", nominal_date__isnull=False).exists()


def test_a_feed_belongs_to_a_user_not_to_a_system_actor() -> None:
    from jamkoll.obligations.feeds import feed_create, feed_revoke

    for service in (feed_create, feed_revoke):
        with pytest.raises(ValidationError) as info:
            service(actor=operator("anna"))
        assert info.value.error_list[0].code == "no_user"
        with pytest.raises(PermissionDenied, match="Logga in"):
            service(actor=None)
