"""The ledger: invariants on every write, append-only, the digest chain, and `jamkoll verify`."""

import datetime as dt
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.db import connection, connections, transaction
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jamkoll.accounts.policy import operator
from jamkoll.errors import NotFound, error_messages
from jamkoll.ledger.balance import violations
from jamkoll.ledger.chain import append_only_lifted
from jamkoll.ledger.models import AppendOnlyError, LedgerEntry
from jamkoll.ledger.selectors import balance_get, group_sums, ledger_sums, stored_group_sums
from jamkoll.ledger.services import entry_record, entry_reverse, ledger_verify, totals_rebuild
from jamkoll.locking import LEDGER_YEAR, lock_decision_year
from jamkoll.obligations.models import Obligation
from jamkoll.programmes.models import FundingDecision
from jamkoll.programmes.selectors import decision_get
from tests.parallel import at_once, committed_cleanup, needs_postgresql

pytestmark = pytest.mark.django_db
SLUG = "jamstalldhet-kvinnofrid-2018-2020"
OP = operator("testkörning")


@contextmanager
def refused(field: str | None, match: str = "") -> Iterator[None]:
    """A `ValidationError` with a message matching `match` under `field` (None: a rule not tied to
    one field, such as a broken invariant)."""
    with pytest.raises(ValidationError) as info:
        yield
    messages = error_messages(info.value)
    key = field or NON_FIELD_ERRORS
    assert key in messages, messages
    assert any(re.search(match, m) for m in messages[key]), messages


@pytest.fixture
def decision() -> FundingDecision:
    return decision_get(slug=SLUG)


def record(decision: FundingDecision, kind: str, amount: str, **kw: Any) -> LedgerEntry:
    kw.setdefault("reference", "Ju2018/00001")
    kw.setdefault("year", 2018)
    kw.setdefault("actor", OP)
    return entry_record(decision=decision, kind=kind, amount=amount, **kw)


def test_it_computes_the_done_when_balance(decision: FundingDecision) -> None:
    record(decision, "requisition", "20000000.00")
    record(decision, "disbursement", "20000000.00")
    record(decision, "expenditure", "19500000.00")
    b = balance_get(decision=decision, year=2018)
    assert (b.requisitioned, b.disbursed, b.spent, b.to_repay) == (
        Decimal("20000000.00"),
        Decimal("20000000.00"),
        Decimal("19500000.00"),
        Decimal("500000.00"),
    )


def test_it_refuses_a_requisition_over_budget_and_changes_nothing(decision: FundingDecision) -> None:
    with refused(None, "överstiger budgeten"):
        record(decision, "requisition", "20000000.01")
    assert LedgerEntry.objects.count() == 0


def test_it_refuses_to_disburse_more_than_requisitioned(decision: FundingDecision) -> None:
    record(decision, "requisition", "100.00")
    with refused(None, "utbetalt .* överstiger rekvirerat"):
        record(decision, "disbursement", "100.01")


def test_it_refuses_spending_more_than_disbursed(decision: FundingDecision) -> None:
    record(decision, "requisition", "100.00")
    record(decision, "disbursement", "100.00")
    with refused(None, "använt .* överstiger utbetalt"):
        record(decision, "expenditure", "100.01")


def test_skr_cannot_pass_on_more_than_it_received(decision: FundingDecision) -> None:
    record(decision, "requisition", "100.00")
    record(decision, "disbursement", "100.00")
    record(decision, "requisition", "400000.00", county_code="25")
    with refused(None, "underskott"):
        record(decision, "disbursement", "100.01", county_code="25")


def test_it_refuses_skr_spending_beyond_a_decided_line(decision: FundingDecision) -> None:
    record(decision, "requisition", "20000000.00")
    record(decision, "disbursement", "20000000.00")
    record(decision, "expenditure", "2500000.00", line=1)
    # 2018: the recipient was SKL (SKR from 2019-11-27), and the message names it so.
    with refused(None, "^SKL:s utgifter på målområde 1 "):
        record(decision, "expenditure", "0.01", line=1)
    with translation.override("en"), refused(None, "^SKL's expenditure on goal area 1 "):
        record(decision, "expenditure", "0.01", line=1)


def test_it_refuses_repaying_more_than_is_owed(decision: FundingDecision) -> None:
    record(decision, "requisition", "1000.00")
    record(decision, "disbursement", "1000.00")
    record(decision, "expenditure", "900.00")
    record(decision, "repayment", "100.00")
    with refused(None, "mer än det som ska återbetalas"):
        record(decision, "repayment", "0.01")


def test_a_countys_expenditure_beyond_its_disbursement_names_the_countys_figures(
    decision: FundingDecision,
) -> None:
    """An RSS leader's expenditure breaks the county's rule and the year's: the county's comes
    first, with its own figures (the year's totals said "utbetalt 5 000 000 kr" to her)."""
    record(decision, "requisition", "1000000.00")
    record(decision, "disbursement", "1000000.00")
    record(decision, "requisition", "300000.00", county_code="12")
    record(decision, "disbursement", "300000.00", county_code="12")
    with refused(None, "^Skåne län: använt 5\xa0000\xa0000\xa0kr överstiger utbetalt 300\xa0000\xa0kr"):
        record(decision, "expenditure", "5000000.00", county_code="12")


def test_the_rss_tier_per_county(decision: FundingDecision) -> None:
    record(decision, "requisition", "9000000.00")
    record(decision, "disbursement", "9000000.00")
    record(decision, "requisition", "600000.00", county_code="12")
    with refused(None, "^Norrbottens län: rekvirerat .* överstiger tilldelningen 400"):
        record(decision, "requisition", "400000.01", county_code="25")
    record(decision, "disbursement", "600000.00", county_code="12")
    record(decision, "expenditure", "550000.00", county_code="12")
    record(decision, "repayment", "50000.00", county_code="12")
    b = balance_get(decision=decision, year=2018)
    skane = next(c for c in b.counties if c.code == "12")
    assert (skane.spent, skane.to_repay) == (Decimal("550000.00"), Decimal("0.00"))
    assert b.spent == Decimal("550000.00")
    # SKR got 9 MSEK, passed 600 000 to Skåne, got 50 000 back: all of it except 550 000 goes back.
    assert b.to_repay == Decimal("8450000.00")


def test_rss_users_act_only_for_their_own_county(decision: FundingDecision, rss_skane: Any) -> None:
    entry = record(decision, "requisition", "600000.00", county_code="12", actor=rss_skane)
    assert entry.recorded_by == rss_skane and entry.recorded_by_name == "sara-skane"
    with pytest.raises(PermissionDenied, match="ditt eget län"):
        record(decision, "requisition", "1.00", county_code="25", actor=rss_skane)
    with pytest.raises(PermissionDenied, match="Rekvisition kräver rollen samordnare"):
        record(decision, "requisition", "1.00", actor=rss_skane)


def test_roles_per_kind(decision: FundingDecision, coordinator: Any, treasury: Any, certifier: Any) -> None:
    record(decision, "requisition", "10.00", actor=coordinator)
    with pytest.raises(PermissionDenied, match="Kammarkollegiet"):
        record(decision, "disbursement", "10.00", actor=coordinator)
    record(decision, "disbursement", "10.00", actor=treasury)
    with pytest.raises(PermissionDenied, match="Rekvisition kräver rollen samordnare"):
        record(decision, "requisition", "1.00", actor=certifier)


def test_bad_input_names_the_field(decision: FundingDecision) -> None:
    with refused("amount", "belopp.*två decimaler"):
        record(decision, "requisition", "1.001")
    with refused("reference", "referens"):
        record(decision, "requisition", "1.00", reference=" ")
    with pytest.raises(NotFound, match="utanför beslutets period"):
        record(decision, "requisition", "1.00", year=2021)
    with refused("county", "okänt län '99'"):
        record(decision, "requisition", "1.00", county_code="99")
    with refused("line", "inget målområde 7"):
        record(decision, "expenditure", "1.00", line=7)
    with refused("kind", "(?i)återkrav"):
        record(decision, "reclaim", "1.00", county_code="12")


def test_the_2019_requisition_is_limited_by_the_decided_total(decision: FundingDecision) -> None:
    record(decision, "requisition", "20000000.00", year=2019)
    with refused(None):
        record(decision, "requisition", "0.01", year=2019)


def test_entries_are_append_only(decision: FundingDecision) -> None:
    entry = record(decision, "requisition", "10.00")
    entry.amount = Decimal("11.00")
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()


def test_a_correction_is_a_reversing_entry_with_a_reason(decision: FundingDecision) -> None:
    entry = record(decision, "requisition", "10.00")
    with refused("reason", "skäl"):
        entry_reverse(entry=entry, reason="", actor=OP)
    reversal = entry_reverse(entry=entry, reason="Fel belopp", actor=OP)
    assert reversal.amount == Decimal("-10.00") and reversal.reverses == entry
    assert balance_get(decision=decision, year=2018).requisitioned == Decimal("0.00")
    with refused(None, "redan rättad"):
        entry_reverse(entry=entry, reason="igen", actor=OP)
    with refused(None, "själv en rättelse"):
        entry_reverse(entry=reversal, reason="igen", actor=OP)


def test_a_reversal_that_would_break_an_invariant_is_refused(decision: FundingDecision) -> None:
    requisition = record(decision, "requisition", "10.00")
    record(decision, "disbursement", "10.00")
    with refused(None, "överstiger rekvirerat"):
        entry_reverse(entry=requisition, reason="fel", actor=OP)


def test_verify_passes_on_the_seeded_database_and_a_clean_ledger(decision: FundingDecision) -> None:
    assert ledger_verify().problems == []
    record(decision, "requisition", "10.00")
    record(decision, "disbursement", "10.00")
    assert ledger_verify().problems == []
    call_command("verify", stdout=io.StringIO())


def test_verify_finds_an_entry_altered_in_the_database(decision: FundingDecision) -> None:
    record(decision, "requisition", "10.00")
    entry = record(decision, "disbursement", "10.00")
    with append_only_lifted():
        LedgerEntry.objects.filter(pk=entry.pk).update(amount=Decimal("9.00"))
    problems = ledger_verify().problems
    assert any(f"post #{entry.sequence}: innehållet stämmer inte" in p for p in problems)
    err = io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("verify", stderr=err)
    assert exit_info.value.code == 1
    assert "kontrollsumman" in err.getvalue()


def test_verify_finds_a_deleted_entry_and_a_broken_invariant(decision: FundingDecision) -> None:
    first = record(decision, "requisition", "10.00")
    record(decision, "disbursement", "10.00")
    with append_only_lifted(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM ledger_ledgerentry WHERE id = %s", [first.pk])
    problems = ledger_verify().problems
    assert any("post #1 saknas" in p for p in problems)
    assert any("överstiger rekvirerat" in p for p in problems)


def test_verify_finds_a_budget_changed_behind_the_applications_back(decision: FundingDecision) -> None:
    from jamkoll.programmes.models import BudgetLine

    BudgetLine.objects.filter(budget__decision=decision, budget__year=2018, goal_area__number=1).update(
        amount=Decimal("3000000.00")
    )
    assert any("budgetraderna" in p for p in ledger_verify().problems)


def test_cli_ledger_commands(decision: FundingDecision) -> None:
    out = io.StringIO()
    call_command("ledger", "requisition", SLUG, "2018", "20000000.00", "--ref", "R1", stdout=out)
    call_command("ledger", "disburse", SLUG, "2018", "20000000.00", "--ref", "U1", stdout=out)
    call_command(
        "ledger", "expense", SLUG, "2018", "19500000.00", "--ref", "B1", "--date", "2018-12-31", stdout=out
    )
    out = io.StringIO()
    call_command("ledger", "balance", SLUG, "2018", "--format", "json", stdout=out)
    assert '"to_repay": "500000.00"' in out.getvalue()
    with pytest.raises(CommandError, match="ingenting registrerades: rekvirerat"):
        call_command("ledger", "requisition", SLUG, "2018", "0.01", "--ref", "R2")
    with pytest.raises(CommandError, match="--date: ogiltigt datum"):
        call_command("ledger", "repay", SLUG, "2018", "1.00", "--ref", "X", "--date", "2018-02-30")
    with pytest.raises(CommandError, match="okänt beslut"):
        call_command("ledger", "balance", "nope", "2018")


def test_cli_as_user_applies_the_policy(decision: FundingDecision, rss_skane: Any) -> None:
    with pytest.raises(CommandError, match="nekad: Du kan bara rekvirera för ditt eget län"):
        call_command(
            "ledger",
            "requisition",
            SLUG,
            "2018",
            "1.00",
            "--recipient",
            "25",
            "--ref",
            "X",
            "--as",
            "sara-skane",
        )


# Random sequences: whatever is accepted keeps every invariant, and the balance is the sum of entries.
operation = st.tuples(
    st.sampled_from(["requisition", "disbursement", "expenditure", "repayment", "reclaim", "reverse"]),
    st.sampled_from([None, None, "12", "25"]),
    st.integers(min_value=1, max_value=25_000_000_00).map(lambda c: Decimal(c) / 100),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(operation, min_size=1, max_size=12))
def test_random_operations_never_break_an_invariant(decision: FundingDecision, ops: list[Any]) -> None:

    sid = transaction.savepoint()
    try:
        for kind, county, amount in ops:
            try:
                if kind == "reverse":
                    last = LedgerEntry.objects.filter(reverses__isnull=True, reversed_by__isnull=True).last()
                    if last is not None:
                        entry_reverse(entry=last, reason="hypothesis", actor=OP)
                else:
                    record(decision, kind, f"{amount:.2f}", county_code=county)
            except ValidationError:
                pass
            balance = balance_get(decision=decision, year=2018)
            assert violations(balance) == []
            entries = LedgerEntry.objects.filter(decision=decision, year=2018)
            assert sum(ledger_sums(decision=decision, year=2018).values(), Decimal(0)) == sum(
                (e.amount for e in entries), Decimal(0)
            )
            # The running sums the write moved are what the entries add up to, group by group.
            assert stored_group_sums() == group_sums()
        assert ledger_verify().problems == []
    finally:
        transaction.savepoint_rollback(sid)


@pytest.mark.postgres
def test_parallel_requisitions_never_exceed_the_budget(decision: FundingDecision) -> None:
    """Two real connections submit 15 MSEK each at the same moment; the budget is 20 MSEK."""
    needs_postgresql()

    def submit() -> str:
        record(decision, "requisition", "15000000.00", reference="parallell")
        return "ok"

    def hold() -> None:  # the decision-year's lock both writes wait for, held until both wait
        lock_decision_year(LEDGER_YEAR, decision.pk, 2018)

    def remove() -> None:
        # The requisition that went through also closed the 2018 requisition obligation: open it again.
        with append_only_lifted(), connections["default"].cursor() as cursor:
            cursor.execute("DELETE FROM ledger_ledgerentry WHERE reference = 'parallell'")
            cursor.execute("UPDATE ledger_chainhead SET sequence = 0, digest = %s", ["0" * 64])
            totals_rebuild()  # the running sums they moved, set again from the entries left
            cursor.execute(
                "UPDATE obligations_obligation SET submitted_on = NULL, submitted_by_id = NULL, "
                "submitted_at = NULL, closed_by = '', document_reference = '' "
                "WHERE closed_by LIKE 'ledger-entry:%%'"
            )
            cursor.execute(
                "DELETE FROM obligations_historicalobligation WHERE history_change_reason LIKE %s",
                ["Stängd av post #%"],
            )

    try:
        assert at_once(submit, hold=hold) == ["ok", "refused:invariant"]
        committed = LedgerEntry.objects.filter(reference="parallell")
        assert sum(e.amount for e in committed) == Decimal("15000000.00")
        assert ledger_verify().problems == []
        # The requisition that went through closed the year's obligation in its own transaction.
        [entry] = committed
        obligation = Obligation.objects.get(decision=decision, key="2018-requisition")
        assert obligation.closed_by == f"ledger-entry:{entry.sequence}"
    finally:
        committed_cleanup(remove)


def test_dates_default_to_today(decision: FundingDecision) -> None:
    entry = record(decision, "requisition", "1.00")
    assert entry.entry_date <= dt.date.today() + dt.timedelta(days=1)


def test_sums_are_exact_decimals_on_every_database(decision: FundingDecision) -> None:
    """SQLite's SUM adds NUMERIC columns as floats; the ledger must not."""
    for amount in ("0.10", "0.20", "0.01", "1234567.89"):
        record(decision, "requisition", amount)
    total = balance_get(decision=decision, year=2018).requisitioned
    assert total == Decimal("1234568.20") and str(total) == "1234568.20"


def test_verify_finds_a_deleted_tail_and_head(decision: FundingDecision) -> None:
    record(decision, "requisition", "10.00")
    last = record(decision, "requisition", "5.00")
    with append_only_lifted(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM ledger_ledgerentry WHERE id = %s", [last.pk])
        cursor.execute("DELETE FROM ledger_chainhead")
    assert any("kedjans huvud saknas" in p for p in ledger_verify().problems)


def test_text_cannot_move_between_fields_unnoticed(decision: FundingDecision) -> None:
    entry = record(decision, "requisition", "10.00", reference="A|B", note="C")
    with append_only_lifted():
        LedgerEntry.objects.filter(pk=entry.pk).update(reference="A", note="B|C")
    assert any("kontrollsumman" in p for p in ledger_verify().problems)


def test_a_correction_that_reduces_an_existing_breach_is_allowed(decision: FundingDecision) -> None:
    """If a county's allocation ends up below what it requisitioned, it can be corrected in steps."""
    from jamkoll.programmes.models import Allocation

    record(decision, "requisition", "9000000.00")
    record(decision, "disbursement", "9000000.00")
    first = record(decision, "requisition", "300000.00", county_code="25")
    record(decision, "requisition", "100000.00", county_code="25")
    Allocation.objects.filter(budget_line__budget__year=2018, county__code="25").update(
        amount=Decimal("250000.00")
    )
    entry_reverse(entry=first, reason="tilldelningen sänkt", actor=OP)  # 400 000 → 100 000: now within
    with refused(None, "tilldelningen"):
        record(decision, "requisition", "150000.01", county_code="25")


def test_a_plan_cannot_set_a_line_below_what_the_ledger_has_used(
    decision: FundingDecision, coordinator: Any
) -> None:
    from django.core.exceptions import ValidationError

    from jamkoll.plans.models import ProjectPlan
    from jamkoll.plans.services import plan_set_budget, plan_transition
    from jamkoll.programmes.models import BudgetLine

    record(decision, "requisition", "5000000.00", year=2019)
    record(decision, "disbursement", "5000000.00", year=2019)
    record(decision, "expenditure", "2000000.00", year=2019, line=1)
    plan = ProjectPlan.objects.create(decision=decision, year=2019, title="Projektplan 2019")
    line = BudgetLine.objects.get(
        budget__decision=decision, budget__year=2019, recipient="SKR", goal_area__number=1
    )
    plan_set_budget(plan=plan, line=line, amount=Decimal("1500000.00"), actor=coordinator)
    for action in ("propose", "consult"):
        plan = plan_transition(
            plan=plan, action=action, on=dt.date(2019, 3, 1), reference="x", actor=coordinator
        )
    with pytest.raises(ValidationError, match="målområde 1"):
        plan_transition(plan=plan, action="fix", on=dt.date(2019, 3, 2), reference="x", actor=coordinator)
    assert BudgetLine.objects.get(pk=line.pk).amount is None


def test_a_breach_fills_in_its_amounts_in_kronor_when_it_is_read() -> None:
    """The rules keep their figures as numbers (every write compares all breaches before and after
    it, and shows at most one); the message writes the amounts as kronor, other figures as given."""
    from jamkoll.ledger.balance import Breach

    breach = Breach(
        Decimal("1.00"),
        "%(county)s: %(spent)s över %(number)s",
        {"county": "Skåne län", "spent": Decimal("2500000.5"), "number": 3},
    )
    assert breach.message == "Skåne län: 2\xa0500\xa0000,50\xa0kr över 3"
    assert Breach(Decimal(0), "utan siffror").message == "utan siffror"
