"""Closing an obligation by the act that fulfils it (`obligation_close`) and undoing it
(`obligations_reopen`): the guards, what is recorded, and what the deadline pages, the API and the
CLI show ("Stängd av post #57 i medelsflödet, 2019-11-20, i tid"; after a reopen, the reason)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from jamkoll.accounts.policy import operator
from jamkoll.errors import error_messages
from jamkoll.obligations.models import Obligation, ObligationStatus
from jamkoll.obligations.selectors import closure_text, obligation_row
from jamkoll.obligations.transitions import (
    Refusal,
    obligation_close,
    obligation_submit,
    obligation_waive,
    obligations_reopen,
)
from tests.conftest import client_for
from tests.hostile import nothing_stored

from .conftest import AGREEMENT, obligation

pytestmark = pytest.mark.django_db
KEY = "ledger-entry:57"
WORDS = "post #57 i medelsflödet"


def close(o: Obligation, on: dt.date = dt.date(2019, 11, 20), key: str = KEY, **kw: Any) -> Obligation:
    kw.setdefault("actor", operator("test"))
    kw.setdefault("document_reference", WORDS)
    return obligation_close(obligation=o, on=on, closed_by=key, **kw)


def refusal(exc: ValidationError) -> dict[str, list[str]]:
    return error_messages(exc)


# --- the service ----------------------------------------------------------------------------------


def test_close_records_the_date_the_act_and_whether_it_was_on_time(coordinator: Any) -> None:
    o = close(obligation("2019-requisition"), actor=coordinator)
    o.refresh_from_db()
    assert (o.submitted_on, o.closed_by, o.document_reference, o.submitted_by) == (
        dt.date(2019, 11, 20),
        KEY,
        WORDS,
        coordinator,
    )
    assert o.status_on(dt.date(2020, 1, 1)) == ObligationStatus.SUBMITTED_ON_TIME
    assert closure_text(o) == "Stängd av post #57 i medelsflödet, 2019-11-20, i tid"
    assert o.history.latest().history_change_reason == "Stängd av post #57 i medelsflödet"


def test_a_closure_after_the_effective_date_is_late() -> None:
    o = close(obligation("2019-requisition"), on=dt.date(2019, 12, 3))  # effective 2019-12-02
    assert o.status_on(dt.date(2020, 1, 1)) == ObligationStatus.SUBMITTED_LATE
    assert closure_text(o) == "Stängd av post #57 i medelsflödet, 2019-12-03, för sent"
    assert obligation_row(o, dt.date(2020, 1, 1), viewer=operator("test"))["status"] == "submitted_late"


def test_a_system_actor_is_named_in_the_history() -> None:
    o = close(obligation("2019-requisition"), actor=operator("olle"))
    latest = o.history.latest()
    assert latest.history_user is None and o.submitted_by is None
    assert latest.history_change_reason == "Stängd av post #57 i medelsflödet (kommandoraden (olle))"


def test_close_refuses_what_was_registered_by_hand_or_waived(coordinator: Any) -> None:
    by_hand = obligation_submit(
        obligation=obligation("2019-requisition"), submitted_on=dt.date(2019, 11, 1), actor=coordinator
    )
    waived = obligation_waive(
        obligation=obligation("2019-requisition-rss-12"), reason="Avstår", actor=coordinator
    )
    for o, code in ((by_hand, Refusal.SUBMITTED), (waived, Refusal.WAIVED)):
        with nothing_stored(), pytest.raises(ValidationError) as info:
            close(o)
        assert info.value.error_list[0].code == code
        assert NON_FIELD_ERRORS in refusal(info.value)
    by_hand.refresh_from_db()
    assert (by_hand.submitted_on, by_hand.closed_by) == (dt.date(2019, 11, 1), "")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"key": ""}, "closed_by"),
        ({"key": "post 57"}, "closed_by"),
        ({"key": "ledger-entry:" + "9" * 60}, "closed_by"),
        ({"on": None}, "on"),
        ({"on": dt.date(2000, 1, 1)}, "on"),  # outside the decision's years, widened by two
        ({"on": "tomorrow"}, "on"),  # resolved when the test runs: the suite may cross midnight
        ({"document_reference": ""}, "document_reference"),
        ({"document_reference": "x" * 301}, "document_reference"),
        ({"document_reference": "rad\x00"}, "document_reference"),
    ],
)
def test_close_refuses_bad_input_by_field_and_stores_nothing(changes: dict[str, Any], field: str) -> None:
    o = obligation("2019-requisition")
    if changes.get("on") == "tomorrow":
        changes = {"on": timezone.localdate() + dt.timedelta(days=1)}
    with nothing_stored(), pytest.raises(ValidationError) as info:
        close(o, **changes)
    assert field in refusal(info.value)
    o.refresh_from_db()
    assert o.submitted_on is None and o.closed_by == ""


def test_close_asks_no_policy_of_its_own(no_role: Any) -> None:
    """The act that closes it was authorised by its own service (the ledger's, the plan's); the
    closure follows from it and records the act's actor, whatever that actor may do to obligations."""
    o = close(obligation("2019-requisition"), actor=no_role)
    assert o.submitted_by == no_role


def test_closed_by_needs_a_submission_in_the_database() -> None:
    o = obligation("2019-requisition")
    with transaction.atomic(), pytest.raises(IntegrityError):
        Obligation.objects.filter(pk=o.pk).update(closed_by=KEY)


def test_reopen_clears_the_submission_and_keeps_the_reason(coordinator: Any) -> None:
    close(obligation("2019-requisition"), receipt_reference="KAMK 1")
    [o] = obligations_reopen(
        closed_by=KEY, reason="Post #57 rättad genom post #58: fel belopp", actor=coordinator
    )
    o.refresh_from_db()
    assert (o.submitted_on, o.submitted_by, o.closed_by, o.document_reference, o.receipt_reference) == (
        None,
        None,
        "",
        "",
        "",
    )
    assert o.reopen_reason == "Post #57 rättad genom post #58: fel belopp" and o.reopened_by == coordinator
    assert o.status_on(dt.date(2019, 11, 22)) == ObligationStatus.DUE_SOON
    assert o.history.latest().history_change_reason == "Post #57 rättad genom post #58: fel belopp"
    row = obligation_row(o, dt.date(2019, 11, 22), viewer=operator("test"))
    assert (row["closed_by"], row["closure"], row["reopen_reason"]) == (
        "",
        "",
        "Post #57 rättad genom post #58: fel belopp",
    )


def test_reopen_leaves_what_another_act_or_a_person_registered(coordinator: Any) -> None:
    close(obligation("2019-requisition"), key="ledger-entry:1")
    by_hand = obligation_submit(
        obligation=obligation("2019-repayment"), submitted_on=dt.date(2019, 11, 1), actor=coordinator
    )
    with nothing_stored():
        assert obligations_reopen(closed_by="ledger-entry:2", reason="Fel", actor=coordinator) == []
    assert obligation("2019-requisition").closed_by == "ledger-entry:1"
    by_hand.refresh_from_db()
    assert by_hand.submitted_on == dt.date(2019, 11, 1)


@pytest.mark.parametrize("reason", ["", "  ", "x" * 201, "två\nrader"])
def test_reopen_needs_a_reason_on_one_line(coordinator: Any, reason: str) -> None:
    close(obligation("2019-requisition"))
    with nothing_stored(), pytest.raises(ValidationError) as info:
        obligations_reopen(closed_by=KEY, reason=reason, actor=coordinator)
    assert "reason" in refusal(info.value)


def test_a_long_reopen_reason_is_kept_whole_and_shortened_in_the_history(coordinator: Any) -> None:
    close(obligation("2019-requisition"))
    reason = "Post #57 rättad genom post #58: " + "x" * 150
    [o] = obligations_reopen(closed_by=KEY, reason=reason, actor=coordinator)
    assert o.reopen_reason == reason
    assert len(o.history.latest().history_change_reason) == 100


def test_closing_again_or_registering_by_hand_clears_the_reopen_reason(coordinator: Any) -> None:
    close(obligation("2019-requisition"))
    obligations_reopen(closed_by=KEY, reason="Fel belopp", actor=coordinator)
    o = close(
        obligation("2019-requisition"), key="ledger-entry:59", document_reference="post #59 i medelsflödet"
    )
    assert (o.reopen_reason, o.reopened_at) == ("", None)
    obligations_reopen(closed_by="ledger-entry:59", reason="Fel igen", actor=coordinator)
    o = obligation_submit(
        obligation=obligation("2019-requisition"), submitted_on=dt.date(2019, 11, 30), actor=coordinator
    )
    assert (o.reopen_reason, o.closed_by) == ("", "")
    assert closure_text(o) == "Inlämnad 2019-11-30, i tid"


# --- what the pages, the API and the CLI show --------------------------------------------------------


def test_the_pages_say_what_closed_it_and_link_to_it(coordinator: Any) -> None:
    o = close(obligation("2019-requisition"))
    c = client_for(coordinator)
    calendar = c.get(f"/tidsfrister/{AGREEMENT}/2019/").content.decode()
    detail = c.get(f"/tidsfrister/atagande/{o.pk}/").content.decode()
    for html in (calendar, detail):
        assert 'Stängd av post #57 i medelsflödet, <span class="nowrap">2019-11-20</span>, i tid' in html
        assert f'href="/medel/{AGREEMENT}/2019/#post-57"' in html


def test_a_closure_by_a_report_or_a_plan_links_to_it() -> None:
    report = close(obligation("2018-financial_report"), on=dt.date(2019, 3, 29), key="report-version:3")
    plan = close(obligation("2019-project_plan"), on=dt.date(2019, 3, 29), key="project-plan:12")
    from jamkoll.obligations.selectors import closer_link

    assert closer_link(report) == "/rapporter/3/"
    assert closer_link(plan) == f"/planer/{AGREEMENT}/2019/"
    assert closer_link(obligation("2019-repayment")) is None  # open


def test_the_pages_say_why_it_was_reopened(coordinator: Any) -> None:
    close(obligation("2019-requisition"))
    obligations_reopen(closed_by=KEY, reason="Post #57 rättad genom post #58: fel belopp", actor=coordinator)
    o = obligation("2019-requisition")
    c = client_for(coordinator)
    for url in (f"/tidsfrister/{AGREEMENT}/2019/", f"/tidsfrister/atagande/{o.pk}/"):
        html = c.get(url).content.decode()
        assert "Post #57 rättad genom post #58: fel belopp" in html and "Återöppnad" in html
        assert "Stängd av post #57 i medelsflödet, 2019-11-20" not in html  # the history keeps it


def test_the_api_shows_the_closure_and_the_reopen_reason(coordinator: Any) -> None:
    o = close(obligation("2019-requisition"))
    c = client_for(coordinator)
    detail = c.get(f"/api/v1/obligations/{o.pk}").json()
    assert (detail["closed_by"], detail["closure"], detail["document_reference"]) == (
        KEY,
        "Stängd av post #57 i medelsflödet, 2019-11-20, i tid",
        WORDS,
    )
    assert detail["still_owed"] is None and detail["reopen_reason"] == ""
    rows = c.get("/api/v1/obligations", {"decision": AGREEMENT, "year": 2019, "kind": "requisition"}).json()[
        "items"
    ]
    row = next(r for r in rows if r["id"] == o.pk)
    assert row["closed_by"] == KEY and row["status"] == "submitted_on_time"
    obligations_reopen(closed_by=KEY, reason="Fel belopp", actor=coordinator)
    detail = c.get(f"/api/v1/obligations/{o.pk}").json()
    assert (detail["closed_by"], detail["closure"], detail["reopen_reason"]) == ("", "", "Fel belopp")
    schema = c.get("/api/v1/openapi.json").json()["components"]["schemas"]["ObligationOut"]["properties"]
    assert {"closed_by", "closure", "reopen_reason", "still_owed"} <= set(schema)
