"""What users owe follows from what they do (issue 11): a ledger entry that fulfils an obligation
closes it in the entry's transaction, on the entry's date, on time or late; a reversal reopens it
with the reason; a repayment closes only when nothing is left to repay, and until then the
obligation shows what is still owed."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jamkoll.accounts.policy import operator
from jamkoll.ledger.models import ChainHead, LedgerEntry
from jamkoll.ledger.services import entry_record, entry_reverse
from jamkoll.obligations.models import Obligation, ObligationStatus
from jamkoll.obligations.registration import obligation_register
from jamkoll.obligations.transitions import obligation_submit, obligation_waive
from jamkoll.programmes.models import FundingDecision
from jamkoll.programmes.selectors import decision_get
from tests.conftest import client_for

pytestmark = pytest.mark.django_db
AGREEMENT = "jamstalldhet-kvinnofrid-2018-2020"
OP = operator("testkörning")
CAL_2019 = f"/tidsfrister/{AGREEMENT}/2019/"


@pytest.fixture
def decision() -> FundingDecision:
    return decision_get(slug=AGREEMENT)


def obligation(key: str) -> Obligation:
    return Obligation.objects.get(decision__slug=AGREEMENT, key=key)


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def deadline_rows(year: str = "2019", today: str = "2020-06-01") -> dict[str, dict[str, Any]]:
    rows = json.loads(run("deadlines", AGREEMENT, "--year", year, "--format", "json", "--today", today))
    return {f"{r['year']}-{r['kind']}" + (f"-rss-{r['county']}" if r["county"] else ""): r for r in rows}


def record(decision: FundingDecision, kind: str, amount: str, day: str, **kw: Any) -> LedgerEntry:
    kw.setdefault("actor", OP)
    return entry_record(
        decision=decision,
        year=2019,
        kind=kind,
        amount=amount,
        reference=kw.pop("reference", "Fi2019/1"),
        entry_date=dt.date.fromisoformat(day),
        **kw,
    )


# --- the done-when, at the command line ---------------------------------------------------------


def test_a_requisition_at_the_command_line_closes_the_years_requisition_on_time() -> None:
    out = run(
        "ledger", "requisition", AGREEMENT, "2019", "20000000", "--ref", "Fi2019/77", "--date", "2019-11-20"
    )
    entry = LedgerEntry.objects.get()
    assert f"post #{entry.sequence}" in out
    row = deadline_rows()["2019-requisition"]
    assert row["submitted_on"] == "2019-11-20"
    assert row["status"] == ObligationStatus.SUBMITTED_ON_TIME == "submitted_on_time"
    assert row["effective_date"] == "2019-12-02"  # 1 December 2019 is a Sunday
    assert row["closed_by"] == f"ledger-entry:{entry.sequence}"
    assert row["closure"] == f"Stängd av post #{entry.sequence} i medelsflödet, 2019-11-20, i tid"
    assert row["reopen_reason"] == "" and row["still_owed"] is None
    table = run("deadlines", AGREEMENT, "--year", "2019", "--today", "2020-06-01")
    assert (
        f"Inlämnad i tid (överfört: JämKolls tolkning) – Stängd av post #{entry.sequence} i medelsflödet"
        in table
    )


def test_reversing_the_entry_at_the_command_line_reopens_it_with_the_reason() -> None:
    run("ledger", "requisition", AGREEMENT, "2019", "20000000", "--ref", "Fi2019/77", "--date", "2019-11-20")
    first = LedgerEntry.objects.get()
    run("ledger", "reverse", str(first.sequence), "--reason", "Fel belopp", "--date", "2019-11-21")
    reversal = LedgerEntry.objects.get(reverses=first)
    row = deadline_rows(today="2019-11-22")["2019-requisition"]
    assert (row["submitted_on"], row["closed_by"], row["closure"]) == (None, "", "")
    assert row["status"] == "due_soon"
    assert row["reopen_reason"] == (
        f"Post #{first.sequence} rättad genom post #{reversal.sequence}: Fel belopp"
    )
    ob = obligation("2019-requisition")
    assert ob.history.latest().history_change_reason.startswith(f"Post #{first.sequence} rättad")


def test_a_county_requisition_closes_only_that_countys(decision: FundingDecision) -> None:
    run(
        "ledger", "requisition", AGREEMENT, "2019", "600000", "--recipient", "12",
        "--ref", "RSS 12/2019", "--date", "2019-04-15",
    )  # fmt: skip
    rows = deadline_rows()
    assert rows["2019-requisition-rss-12"]["status"] == "submitted_on_time"  # no stated date: not late
    assert rows["2019-requisition-rss-12"]["submitted_on"] == "2019-04-15"
    assert rows["2019-requisition-rss-25"]["submitted_on"] is None
    assert rows["2019-requisition"]["submitted_on"] is None  # the state tier's is SKR's own
    assert obligation("2018-requisition-rss-12").submitted_on is None  # another year


def test_a_late_requisition_is_submitted_late_and_the_page_says_so(
    decision: FundingDecision, coordinator: Any
) -> None:
    entry = record(decision, "requisition", "20000000", "2019-12-03")
    ob = obligation("2019-requisition")
    assert ob.status_on(dt.date(2020, 1, 1)) == ObligationStatus.SUBMITTED_LATE
    html = client_for(coordinator).get(CAL_2019).content.decode()
    assert "Inlämnad för sent" in html
    late = '<span class="nowrap">2019-12-03</span>, för sent'
    assert f"Stängd av post #{entry.sequence} i medelsflödet, {late}" in html
    assert f'href="/medel/{AGREEMENT}/2019/#post-{entry.sequence}"' in html
    detail = client_for(coordinator).get(f"/tidsfrister/atagande/{ob.pk}/").content.decode()
    assert "Stängd av post" in detail and "för sent" in detail


# --- repayments ----------------------------------------------------------------------------------


def _spend(decision: FundingDecision, *, spent: str = "19500000") -> None:
    record(decision, "requisition", "20000000", "2019-11-20")
    record(decision, "disbursement", "20000000", "2019-12-10")
    record(decision, "expenditure", spent, "2020-01-31")


def test_a_partial_repayment_leaves_it_open_with_what_is_still_owed(
    decision: FundingDecision, treasury: Any, coordinator: Any
) -> None:
    _spend(decision)
    ob = obligation("2019-repayment")
    assert deadline_rows("2020")["2019-repayment"]["still_owed"] == "500000.00"
    record(decision, "repayment", "300000", "2020-03-20", actor=treasury)
    row = deadline_rows("2020")["2019-repayment"]
    assert (row["submitted_on"], row["still_owed"], row["closed_by"]) == (None, "200000.00", "")
    html = client_for(coordinator).get(f"/tidsfrister/{AGREEMENT}/2020/").content.decode()
    assert "Kvar att återbetala enligt medelsflödet: 200\xa0000,00\xa0kr" in html
    api = client_for(coordinator).get(f"/api/v1/obligations/{ob.pk}").json()
    assert api["still_owed"] == "200000.00" and api["closure"] == ""

    last = record(decision, "repayment", "200000", "2020-03-25", actor=treasury)
    row = deadline_rows("2020")["2019-repayment"]
    assert (row["submitted_on"], row["status"], row["still_owed"]) == (
        "2020-03-25",
        "submitted_on_time",
        None,
    )
    assert row["closed_by"] == f"ledger-entry:{last.sequence}"


def test_the_treasury_records_the_repayment_skr_owes_and_is_recorded_as_the_account(
    decision: FundingDecision, treasury: Any
) -> None:
    _spend(decision)
    ob = obligation("2019-repayment")
    entry = record(decision, "repayment", "500000", "2020-03-20", actor=treasury)
    ob.refresh_from_db()
    assert (ob.submitted_on, ob.submitted_by, ob.closed_by) == (
        dt.date(2020, 3, 20),
        treasury,
        f"ledger-entry:{entry.sequence}",
    )
    latest = ob.history.latest()
    assert latest.history_user == treasury
    assert latest.history_change_reason == f"Stängd av post #{entry.sequence} i medelsflödet"


def test_reversing_a_partial_repayment_reopens_a_settled_obligation(decision: FundingDecision) -> None:
    _spend(decision)
    first = record(decision, "repayment", "300000", "2020-03-20")
    record(decision, "repayment", "200000", "2020-03-25")
    assert obligation("2019-repayment").submitted_on == dt.date(2020, 3, 25)
    entry_reverse(actor=OP, entry=first, reason="Dubbelbokad", entry_date=dt.date(2020, 3, 26))
    row = deadline_rows("2020")["2019-repayment"]
    assert (row["submitted_on"], row["still_owed"]) == (None, "300000.00")
    reversal = LedgerEntry.objects.get(reverses=first)
    owed = "300\xa0000,00\xa0kr"  # format_sek's non-breaking spaces
    assert row["reopen_reason"] == (
        f"Post #{first.sequence} rättad genom post #{reversal.sequence}: Dubbelbokad; "
        f"{owed} kvar att återbetala"
    )


def test_money_paid_out_after_settling_reopens_the_repayment(decision: FundingDecision) -> None:
    record(decision, "requisition", "20000000", "2019-11-20")
    record(decision, "disbursement", "19000000", "2019-12-10")
    record(decision, "expenditure", "18500000", "2020-01-31")
    record(decision, "repayment", "500000", "2020-03-20")
    assert obligation("2019-repayment").submitted_on == dt.date(2020, 3, 20)
    late = record(decision, "disbursement", "1000000", "2020-03-22")
    ob = obligation("2019-repayment")
    assert ob.submitted_on is None
    owed = "1\xa0000\xa0000,00\xa0kr"
    assert ob.reopen_reason == f"Efter post #{late.sequence} (utbetalning) finns {owed} kvar att återbetala"


def county_repayment(code: str) -> Obligation:
    return Obligation.objects.get(decision__slug=AGREEMENT, year=2019, kind="repayment", county__code=code)


def test_a_countys_repayment_closes_the_countys_repayment(
    decision: FundingDecision, rss_skane: Any, coordinator: Any
) -> None:
    # No document states a county's repayment to SKR (issue 13): a user registers it with its source.
    for code in ("12", "25"):
        obligation_register(
            decision=decision,
            tier="rss",
            kind="repayment",
            year=2019,
            county=code,
            title=f"Återbetalning av RSS-medel för 2019, län {code}",
            source_text="Medel som inte används återbetalas till SKR.",
            source="SKR:s instruktioner till RSS 2019",
            actor=coordinator,
        )
    record(decision, "requisition", "20000000", "2019-11-20")
    record(decision, "disbursement", "20000000", "2019-12-10")
    record(decision, "requisition", "600000", "2019-04-15", county_code="12", actor=rss_skane)
    record(decision, "disbursement", "600000", "2019-05-01", county_code="12")
    record(decision, "expenditure", "500000", "2019-12-20", county_code="12", actor=rss_skane)
    assert deadline_rows()["2019-repayment-rss-12"]["still_owed"] == "100000.00"
    record(decision, "repayment", "60000", "2020-01-15", county_code="12", actor=rss_skane)
    assert county_repayment("12").submitted_on is None
    last = record(decision, "repayment", "40000", "2020-01-20", county_code="12", actor=rss_skane)
    ob = county_repayment("12")
    assert (ob.submitted_on, ob.closed_by, ob.submitted_by) == (
        dt.date(2020, 1, 20),
        f"ledger-entry:{last.sequence}",
        rss_skane,
    )
    assert county_repayment("25").submitted_on is None
    assert obligation("2019-repayment").submitted_on is None  # SKR still owes the state its part


# --- what was registered by people stays ------------------------------------------------------------


def test_an_obligation_registered_by_hand_or_waived_stays_as_it_is(
    decision: FundingDecision, coordinator: Any
) -> None:
    by_hand = obligation_submit(
        obligation=obligation("2019-requisition"),
        submitted_on=dt.date(2019, 11, 1),
        receipt_reference="KAMK 2019/5",
        actor=coordinator,
    )
    waived = obligation_waive(
        obligation=obligation("2019-requisition-rss-12"), reason="Avstår", actor=coordinator
    )
    state = record(decision, "requisition", "20000000", "2019-11-20")
    county = record(decision, "requisition", "600000", "2019-04-15", county_code="12")
    for entry in (state, county):
        entry_reverse(actor=OP, entry=entry, reason="Fel", entry_date=dt.date(2019, 11, 21))
    by_hand.refresh_from_db()
    waived.refresh_from_db()
    assert (by_hand.submitted_on, by_hand.closed_by, by_hand.submitted_by) == (
        dt.date(2019, 11, 1),
        "",
        coordinator,
    )
    assert waived.waived_at is not None and waived.submitted_on is None


def test_a_second_requisition_keeps_the_first_as_the_closure_until_it_is_reversed(
    decision: FundingDecision,
) -> None:
    first = record(decision, "requisition", "15000000", "2019-11-20")
    second = record(decision, "requisition", "5000000", "2019-11-25")
    assert obligation("2019-requisition").closed_by == f"ledger-entry:{first.sequence}"
    entry_reverse(actor=OP, entry=first, reason="Fel belopp", entry_date=dt.date(2019, 11, 26))
    ob = obligation("2019-requisition")
    assert (ob.closed_by, ob.submitted_on) == (f"ledger-entry:{second.sequence}", dt.date(2019, 11, 25))
    reversal = LedgerEntry.objects.get(reverses=first)
    closed, reopened = [h.history_change_reason for h in ob.history.order_by("-history_id")[:2]]
    assert closed.startswith(f"Stängd av post #{second.sequence} i medelsflödet")  # (+ the system actor)
    assert reopened.startswith(f"Post #{first.sequence} rättad genom post #{reversal.sequence}: Fel belopp")


# --- all or nothing ------------------------------------------------------------------------------


class Boom(RuntimeError):
    pass


def _boom(**kwargs: Any) -> Any:
    raise Boom("obligation write failed")


def test_a_failing_obligation_write_leaves_no_entry(decision: FundingDecision, monkeypatch: Any) -> None:
    head = ChainHead.objects.filter(pk=1).values_list("sequence", flat=True).first() or 0
    monkeypatch.setattr("jamkoll.ledger.closures.obligation_close", _boom)
    with pytest.raises(Boom):
        record(decision, "requisition", "20000000", "2019-11-20")
    assert not LedgerEntry.objects.exists()
    assert (ChainHead.objects.filter(pk=1).values_list("sequence", flat=True).first() or 0) == head
    assert obligation("2019-requisition").submitted_on is None


def test_a_failing_reopen_leaves_no_reversal(decision: FundingDecision, monkeypatch: Any) -> None:
    entry = record(decision, "requisition", "20000000", "2019-11-20")
    monkeypatch.setattr("jamkoll.ledger.closures.obligations_reopen", _boom)
    with pytest.raises(Boom):
        entry_reverse(actor=OP, entry=entry, reason="Fel", entry_date=dt.date(2019, 11, 21))
    assert list(LedgerEntry.objects.values_list("sequence", flat=True)) == [entry.sequence]
    assert obligation("2019-requisition").closed_by == f"ledger-entry:{entry.sequence}"


# --- properties ----------------------------------------------------------------------------------

DAYS = st.dates(min_value=dt.date(2019, 1, 1), max_value=dt.date(2019, 12, 31))
REQUISITION_OPS = st.one_of(
    st.tuples(st.just("record"), st.integers(min_value=1, max_value=5_000_000), DAYS),
    st.tuples(st.just("reverse"), st.integers(min_value=0, max_value=20), DAYS),
)


def _standing(kind: str) -> list[LedgerEntry]:
    """The state tier's entries of `kind` for 2019 that still count."""
    return list(
        LedgerEntry.objects.filter(
            year=2019, kind=kind, county__isnull=True, reverses__isnull=True, reversed_by__isnull=True
        )
    )


def _apply(decision: FundingDecision, op: tuple[str, int, dt.date], kind: str, **kw: Any) -> None:
    action, number, day = op
    try:
        if action == "record":
            entry_record(
                actor=OP, decision=decision, year=2019, kind=kind, amount=str(number), reference="P",
                entry_date=day, **kw,
            )  # fmt: skip
        else:
            entries = list(LedgerEntry.objects.filter(year=2019, kind=kind, reverses__isnull=True))
            if entries:
                entry_reverse(
                    actor=OP, entry=entries[number % len(entries)], reason="Rättelse", entry_date=day
                )
    except ValidationError:
        pass  # a write the ledger refuses (over budget, already reversed) changes nothing


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(REQUISITION_OPS, min_size=1, max_size=10))
def test_requisition_closed_iff_a_standing_requisition_exists(
    decision: FundingDecision, ops: list[tuple[str, int, dt.date]]
) -> None:
    sid = transaction.savepoint()
    try:
        for op in ops:
            _apply(decision, op, "requisition")
            ob = obligation("2019-requisition")
            standing = {f"ledger-entry:{e.sequence}": e for e in _standing("requisition")}
            assert (ob.submitted_on is not None) == bool(standing)
            if standing:
                closer = standing[ob.closed_by]  # closed by an entry that still stands
                assert ob.submitted_on == closer.entry_date
                late = ob.effective_date is not None and closer.entry_date > ob.effective_date
                assert ob.status_on(dt.date(2020, 6, 1)) == (
                    ObligationStatus.SUBMITTED_LATE if late else ObligationStatus.SUBMITTED_ON_TIME
                )
            else:
                assert ob.closed_by == ""
    finally:
        transaction.savepoint_rollback(sid)


REPAY_DAYS = st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2020, 3, 31))
REPAYMENT_OPS = st.one_of(
    st.tuples(st.just("record"), st.sampled_from([50_000, 100_000, 200_000, 250_000]), REPAY_DAYS),
    st.tuples(st.just("reverse"), st.integers(min_value=0, max_value=20), REPAY_DAYS),
)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(REPAYMENT_OPS, min_size=1, max_size=10))
def test_repayment_closed_iff_nothing_is_left_and_a_standing_repayment_exists(
    decision: FundingDecision, ops: list[tuple[str, int, dt.date]]
) -> None:
    sid = transaction.savepoint()
    try:
        _spend(decision)  # 500 000 kr to repay
        for op in ops:
            _apply(decision, op, "repayment")
            ob = obligation("2019-repayment")
            standing = _standing("repayment")
            left = Decimal("500000.00") - sum((e.amount for e in standing), Decimal("0.00"))
            assert (ob.submitted_on is not None) == (left == 0 and bool(standing))
            row = deadline_rows("2020")["2019-repayment"]
            assert row["still_owed"] == (None if ob.submitted_on else f"{left:.2f}")
    finally:
        transaction.savepoint_rollback(sid)
