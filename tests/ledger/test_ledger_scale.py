"""The ledger at volume (issue 16): the limits are checked with sums computed in SQL, exact on both
databases; a write issues the same queries at 50 entries as at 5 000; `verify` streams the chain
and still finds a tampered row.

Large ledgers are written here in bulk, chained exactly as `services._append` chains them (the
way `jamkoll demo-volume` writes them), so that the chain, the key and the anchor hold."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jamkoll.accounts.policy import operator
from jamkoll.ledger.balance import Key
from jamkoll.ledger.chain import GENESIS, append_only_lifted, chain_report, entry_digest, key_for_append
from jamkoll.ledger.models import ChainHead, EntryKind, LedgerEntry, LedgerTotal, Tier
from jamkoll.ledger.selectors import balance_get, entry_sums_by_year, group_sums, ledger_sums
from jamkoll.ledger.services import entry_record, ledger_verify, totals_rebuild
from jamkoll.programmes.models import FundingDecision
from jamkoll.programmes.selectors import decision_get
from jamkoll.reference.models import Organisation
from tests.conftest import client_for

pytestmark = pytest.mark.django_db
SLUG = "jamstalldhet-kvinnofrid-2018-2020"
OP = operator("test")
YEAR = 2018
BUDGET = Decimal("20000000.00")  # the seeded 2018 total

# (tier, kind, county code or None, amount)
Spec = tuple[str, str, str | None, Decimal]


@pytest.fixture
def decision() -> FundingDecision:
    return decision_get(slug=SLUG)


def bulk_chain(decision: FundingDecision, specs: Iterable[Spec], year: int = YEAR) -> int:
    """Append `specs` to the chain in bulk (keyed digests, head moved, anchor started); the number
    written. No invariant is checked: the caller keeps within the limits."""
    counties = {o.code: o for o in Organisation.objects.filter(kind="lan")}
    head = ChainHead.objects.select_for_update().get(pk=1)
    key = key_for_append(head.sequence)
    sequence, previous = head.sequence, head.digest or GENESIS
    now = timezone.now()
    rows = []
    for tier, kind, code, amount in specs:
        sequence += 1
        entry = LedgerEntry(
            sequence=sequence,
            decision=decision,
            year=year,
            tier=tier,
            kind=kind,
            county=counties[code] if code else None,
            amount=amount,
            entry_date=dt.date(year, 1, 1 + sequence % 28),
            reference=f"bulk-{sequence}",
            recorded_by_name="test",
            recorded_at=now,
            previous_digest=previous,
        )
        entry.digest = previous = entry_digest(entry, key)
        rows.append(entry)
    LedgerEntry.objects.bulk_create(rows, batch_size=1000)
    ChainHead.objects.filter(pk=1).update(sequence=sequence, digest=previous)
    totals_rebuild()
    return len(rows)


def python_sums(decision: FundingDecision, year: int = YEAR) -> dict[Key, Decimal]:
    """The reference: every amount read back and added as a Decimal."""
    sums: dict[Key, Decimal] = defaultdict(lambda: Decimal("0.00"))
    rows = LedgerEntry.objects.filter(decision=decision, year=year).values_list(
        "tier", "kind", "county__code", "goal_area__number", "amount"
    )
    for tier, kind, code, line, amount in rows:
        sums[(tier, kind, code, line)] += amount
    return dict(sums)


ore = st.integers(min_value=1, max_value=99_999_999_999_99).map(lambda c: Decimal(c).scaleb(-2))
small_ore = st.integers(min_value=1, max_value=999).map(lambda c: Decimal(c).scaleb(-2))
spec = st.tuples(
    st.sampled_from([(Tier.STATE, None), (Tier.RSS, "12"), (Tier.RSS, "25")]),
    st.sampled_from([EntryKind.REQUISITION, EntryKind.DISBURSEMENT, EntryKind.EXPENDITURE]),
    st.one_of(ore, small_ore),
).map(lambda t: (t[0][0], t[1], t[0][1], t[2]))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(specs=st.lists(spec, min_size=1, max_size=300))
def test_the_sql_sums_equal_the_decimal_sums_exactly(decision: FundingDecision, specs: list[Spec]) -> None:
    with transaction.atomic():
        bulk_chain(decision, specs)
        sums = ledger_sums(decision=decision, year=YEAR)
        assert sums == python_sums(decision) == entry_sums_by_year(group_sums())[(decision.pk, YEAR)]
        assert all(v.as_tuple().exponent == -2 for v in sums.values())
        transaction.set_rollback(True)


def test_sums_of_many_oren_that_a_float_would_round(decision: FundingDecision) -> None:
    """3 000 × 0,10 kr, 3 000 × 0,01 kr and a near-maximal amount: a floating-point SUM is off."""
    specs: list[Spec] = [(Tier.STATE, EntryKind.REQUISITION, None, Decimal("0.10"))] * 3000
    specs += [(Tier.STATE, EntryKind.REQUISITION, None, Decimal("0.01"))] * 3000
    specs += [(Tier.STATE, EntryKind.DISBURSEMENT, None, Decimal("999999999999.99"))]
    specs += [(Tier.STATE, EntryKind.DISBURSEMENT, None, Decimal("0.03"))] * 7
    bulk_chain(decision, specs)
    sums = ledger_sums(decision=decision, year=YEAR)
    assert str(sums[(Tier.STATE, EntryKind.REQUISITION, None, None)]) == "330.00"
    assert str(sums[(Tier.STATE, EntryKind.DISBURSEMENT, None, None)]) == "1000000000000.20"
    assert sums == python_sums(decision) == entry_sums_by_year(group_sums())[(decision.pk, YEAR)]


def test_a_limit_is_refused_exactly_at_the_boundary(decision: FundingDecision) -> None:
    """The budget less one öre, in 3 001 pieces with öre; one öre more fits, the next does not."""
    piece = Decimal("6664.44")  # 3 000 × 6 664,44 = 19 993 320,00
    specs: list[Spec] = [(Tier.STATE, EntryKind.REQUISITION, None, piece)] * 3000
    rest = BUDGET - piece * 3000 - Decimal("0.01")
    specs.append((Tier.STATE, EntryKind.REQUISITION, None, rest))
    bulk_chain(decision, specs)
    with pytest.raises(ValidationError, match="överstiger budgeten"):
        entry_record(actor=OP, decision=decision, year=YEAR, kind="requisition", amount="0.02", reference="R")
    entry_record(actor=OP, decision=decision, year=YEAR, kind="requisition", amount="0.01", reference="R")
    assert balance_get(decision=decision, year=YEAR).requisitioned == BUDGET
    with pytest.raises(ValidationError, match="överstiger budgeten"):
        entry_record(actor=OP, decision=decision, year=YEAR, kind="requisition", amount="0.01", reference="R")


def test_a_county_allocation_is_refused_exactly_at_the_boundary(decision: FundingDecision) -> None:
    allocation = balance_get(decision=decision, year=YEAR).limits.allocations["25"]
    pieces = [Decimal("0.07")] * 2000 + [allocation - Decimal("140.00") - Decimal("0.01")]
    bulk_chain(decision, [(Tier.RSS, EntryKind.REQUISITION, "25", p) for p in pieces])

    def requisition(amount: str) -> None:
        entry_record(
            actor=OP,
            decision=decision,
            year=YEAR,
            kind="requisition",
            amount=amount,
            reference="R",
            county_code="25",
        )

    with pytest.raises(ValidationError, match="tilldelningen"):
        requisition("0.02")
    requisition("0.01")
    with pytest.raises(ValidationError, match="tilldelningen"):
        requisition("0.01")


def _flow(n: int) -> list[Spec]:
    """`n` entries that keep every invariant: requisitions and disbursements of 1 kr, alternating."""
    return [
        (Tier.STATE, EntryKind.REQUISITION if i % 2 == 0 else EntryKind.DISBURSEMENT, None, Decimal("1.00"))
        for i in range(n)
    ]


def test_a_write_issues_the_same_queries_at_50_and_at_5000_entries(decision: FundingDecision) -> None:
    def write() -> list[str]:
        entry_record(actor=OP, decision=decision, year=YEAR, kind="requisition", amount="1.00", reference="R")
        with CaptureQueriesContext(connection) as queries:
            entry_record(
                actor=OP, decision=decision, year=YEAR, kind="disbursement", amount="1.00", reference="U"
            )
        return [q["sql"] for q in queries.captured_queries]

    bulk_chain(decision, _flow(50))
    at_50 = write()
    bulk_chain(decision, _flow(4950))
    at_5000 = write()
    assert len(at_50) == len(at_5000), "\n".join(at_5000)
    # And no query grows with the ledger: the checks read the running sums (one row per group),
    # the entries are only looked up by an index and a LIMIT, never summed or read row by row.
    reads = [q for q in at_5000 if q.startswith("SELECT") and "ledger_ledgerentry" in q.split("WHERE")[0]]
    assert all("LIMIT" in q and "SUM(" not in q for q in reads), "\n".join(reads)
    assert any("ledger_ledgertotal" in q for q in at_5000)


def test_verify_streams_the_chain_and_finds_a_tampered_row(decision: FundingDecision) -> None:
    bulk_chain(decision, _flow(3000))
    report = chain_report()
    assert report.problems == [] and report.entries == 3000
    target = LedgerEntry.objects.get(sequence=1717)
    with transaction.atomic(), append_only_lifted():
        LedgerEntry.objects.filter(pk=target.pk).update(amount=Decimal("1.01"))
    report = chain_report()
    assert report.entries == 3000
    assert report.problems == [
        "post #1717: innehållet stämmer inte med kontrollsumman (ändrad utanför programmet?)"
    ]


def test_verify_finds_a_running_sum_that_differs_from_its_entries(decision: FundingDecision) -> None:
    bulk_chain(decision, _flow(40))
    entry_record(actor=OP, decision=decision, year=YEAR, kind="requisition", amount="2.50", reference="R")
    assert ledger_verify().problems == []
    group = {"decision": decision, "year": YEAR, "tier": Tier.STATE, "kind": EntryKind.REQUISITION}
    assert LedgerTotal.objects.get(**group).ore == 20 * 100 + 250
    LedgerTotal.objects.filter(**group).update(ore=F("ore") + 1)
    problems = ledger_verify().problems
    assert problems == [
        f"{SLUG} 2018 state requisition: den löpande summan är 22.51 kr över 21 poster, men posterna "
        "summerar till 22.50 kr över 21 poster."
    ]
    # A write never repairs it silently: it moves the sum it finds.
    entry_record(actor=OP, decision=decision, year=YEAR, kind="disbursement", amount="1.00", reference="U")
    assert len(ledger_verify().problems) == 1


def test_an_entry_slipped_in_behind_the_app_is_reported_by_its_group(decision: FundingDecision) -> None:
    bulk_chain(decision, _flow(10))
    county = Organisation.objects.get(kind="lan", code="25")
    with connection.cursor() as cursor:
        cursor.execute("SELECT MAX(sequence) FROM ledger_ledgerentry")
        (top,) = cursor.fetchone()
    LedgerEntry.objects.bulk_create(
        [
            LedgerEntry(
                sequence=top + 1,
                decision=decision,
                year=YEAR,
                tier=Tier.RSS,
                kind=EntryKind.REQUISITION,
                county=county,
                amount=Decimal("5.00"),
                entry_date=dt.date(YEAR, 2, 1),
                reference="smuggled",
                recorded_by_name="x",
                recorded_at=timezone.now(),
                previous_digest="0" * 64,
                digest="f" * 64,
            )
        ]
    )
    problems = ledger_verify().problems
    assert (
        f"{SLUG} 2018 rss requisition län 25: den löpande summan är 0.00 kr över 0 poster, men posterna "
        "summerar till 5.00 kr över 1 poster."
    ) in problems


@pytest.mark.postgres
def test_a_write_locks_its_decision_year_only(decision: FundingDecision) -> None:
    """While one transaction holds the lock of (decision, 2018), another can take 2019's at once
    and 2018's not at all (PostgreSQL: SQLite has one write lock for the whole database)."""
    if connection.vendor != "postgresql":
        pytest.skip("advisory locks are PostgreSQL's")
    import threading

    from django.db import OperationalError, connections

    from jamkoll.ledger.services import _lock_year

    held, release = threading.Event(), threading.Event()
    results: dict[int, str] = {}

    def holder() -> None:
        try:
            with transaction.atomic():
                _lock_year(decision.pk, 2018)
                held.set()
                release.wait(timeout=20)
        finally:
            connections.close_all()

    def other(year: int) -> None:
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '300ms'")
                _lock_year(decision.pk, year)
                results[year] = "locked"
        except OperationalError:
            results[year] = "waited"
        finally:
            connections.close_all()

    first = threading.Thread(target=holder)
    first.start()
    try:
        assert held.wait(timeout=20)
        for year in (2019, 2018):
            t = threading.Thread(target=other, args=(year,))
            t.start()
            t.join(timeout=20)
    finally:
        release.set()
        first.join(timeout=20)
    assert results == {2019: "locked", 2018: "waited"}


def test_a_reader_of_every_entry_lists_them_without_a_condition(
    decision: FundingDecision, coordinator: Any, rss_skane: Any
) -> None:
    """The coordinator's list carries no visibility condition (`id IS NOT NULL` kept PostgreSQL
    from counting a decision-year from the index alone); an RSS leader's still keeps to the
    county."""
    from jamkoll.ledger.selectors import entry_list

    bulk_chain(decision, [(Tier.RSS, EntryKind.REQUISITION, "12", Decimal("1.00"))] * 3 + _flow(4))
    everything = entry_list(actor=coordinator, decision=decision, year=YEAR)
    assert "IS NOT NULL" not in str(everything.query) and everything.count() == 7
    skane = entry_list(actor=rss_skane, decision=decision, year=YEAR)
    assert skane.count() == 3 and {e.county.code for e in skane} == {"12"}


def test_the_entry_count_from_the_running_sums_equals_a_count_of_the_entries(
    decision: FundingDecision, coordinator: Any, rss_skane: Any, ministry: Any
) -> None:
    """What a page of entries reports as its total (read from the running sums) is what counting
    the entries the reader may see gives, for every reader and filter; and the API reads it."""
    from jamkoll.ledger.selectors import entry_count, entry_list

    specs: list[Spec] = [(Tier.RSS, EntryKind.REQUISITION, "12", Decimal("1.00"))] * 3
    specs += [(Tier.RSS, EntryKind.DISBURSEMENT, "12", Decimal("1.00"))] * 2
    specs += [(Tier.RSS, EntryKind.REQUISITION, "25", Decimal("1.00"))] * 4
    bulk_chain(decision, specs + _flow(6))
    for actor in (coordinator, rss_skane, ministry):
        for county in (None, "12", "25"):
            for kind in (None, EntryKind.REQUISITION, EntryKind.DISBURSEMENT):
                listed = entry_list(actor=actor, decision=decision, year=YEAR, county_code=county)
                if kind:
                    listed = listed.filter(kind=kind)
                counted = entry_count(
                    actor=actor, decision=decision, year=YEAR, county_code=county, kind=kind
                )
                assert counted == listed.count(), (actor.username, county, kind)
    assert entry_count(actor=coordinator, decision=decision, year=YEAR) == 15
    assert entry_count(actor=rss_skane, decision=decision, year=YEAR) == 5
    assert entry_count(actor=ministry, decision=decision, year=YEAR) == 6
    client = client_for(coordinator)
    with CaptureQueriesContext(connection) as ctx:
        body = client.get(f"/api/v1/ledger/{SLUG}/{YEAR}/entries", {"limit": 4}).json()
    assert body["total"] == 15 and len(body["items"]) == 4
    assert not any("COUNT(" in q["sql"] and "ledger_ledgerentry" in q["sql"] for q in ctx.captured_queries)
    page = client.get(f"/medel/{SLUG}/{YEAR}/")
    assert page.status_code == 200 and page.context["table"].total == 15
