"""Reads for the ledger: balances are sums of entries, computed here in one grouped query."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from jamkoll.accounts.policy import Verdict, check, record_visibility_q, require
from jamkoll.errors import NotFound
from jamkoll.money import to_str
from jamkoll.programmes.models import Budget, FundingDecision, Recipient
from jamkoll.programmes.selectors import allocation_amounts, budget_get, budget_years, decisions_by_id
from jamkoll.validation import YEAR_MAX, YEAR_MIN, int_param

from .balance import Balance, Key, Limits, compute
from .models import LedgerEntry

SEQUENCE_MAX = 2**63 - 1  # the sequence column is a (positive) bigint

# What the entry form, the API and the CLI take as the recipient for the state tier (state ↔ SKR);
# any other recipient is a county code (the RSS tier, that county ↔ SKR).
STATE_RECIPIENT: str = Recipient.SKR.value


def county_code_for(recipient: str) -> str | None:
    """The county code a recipient names, or None for STATE_RECIPIENT (in any case: "skr")."""
    return None if recipient.strip().upper() == STATE_RECIPIENT else recipient


def action_for(tier: str, kind: str) -> str:
    """The policy's action for recording (or reversing) an entry of `kind` on `tier`."""
    return f"ledger.{tier}.{kind}"


def reverse_verdict(actor: Any, entry: LedgerEntry) -> Verdict:
    """May `actor` reverse `entry`? The same rule as recording it (the policy's reason if not):
    the page asks it per row to offer "Rätta" or say why not, the services enforce it."""
    return check(actor, action_for(entry.tier, entry.kind), entry.county.code if entry.county else None)


def entry_for_user(
    *, actor: Any, sequence: int | str, slug: str | None = None, year: int | str | None = None
) -> tuple[LedgerEntry, Verdict]:
    """The one access helper for a ledger entry (web, API and CLI alike): the entry with
    `sequence` (within the decision `slug` and `year` when given) if `actor` may see it
    ("ledger.view_entry": another county's entry is refused, as a draft is), and whether `actor`
    may reverse it. `PermissionDenied` with the policy's reason, or `NotFound` for an unknown
    entry."""
    require(actor, "ledger.view")
    number = int_param(sequence, minimum=1, maximum=SEQUENCE_MAX)
    qs = LedgerEntry.objects.select_related("decision", "county", "goal_area", "reverses")
    if slug is not None:
        qs = qs.filter(decision__slug=slug)
    if year is not None:
        qs = qs.filter(year=int_param(year, minimum=YEAR_MIN, maximum=YEAR_MAX) or 0)
    entry = qs.filter(sequence=number).first() if number is not None else None
    if entry is None:
        raise NotFound(_("Ingen post med löpnummer %(n)s.") % {"n": str(sequence)[:20]})
    require(actor, "ledger.view_entry", entry)
    return entry, reverse_verdict(actor, entry)


def entry_list(
    *,
    actor: Any,
    decision: FundingDecision | None = None,
    year: int | None = None,
    county_code: str | None = None,
) -> QuerySet[LedgerEntry]:
    """The entries `actor` may see ("ledger.view_entry", as a query: `record_visibility_q`), newest
    first. The totals are `balance_get`'s, over every entry, for every role."""
    qs = (
        LedgerEntry.objects.filter(record_visibility_q(actor))
        .select_related("decision", "county", "goal_area", "recorded_by", "reverses", "reversed_by")
        .prefetch_related("county__names")
    )
    if decision is not None:
        qs = qs.filter(decision=decision)
    if year is not None:
        qs = qs.filter(year=year)
    if county_code:
        qs = qs.filter(county__code=county_code)
    return qs.order_by("-sequence")


def ledger_sums(*, decision: FundingDecision, year: int) -> dict[Key, Decimal]:
    """Summed amounts per (tier, kind, county, line), added up here as Decimals.

    Not with SQL SUM: SQLite adds NUMERIC columns as floating point (0.1 + 0.2 ≠ 0.3), and money
    never floats. Each amount is read back exactly and the sums are exact on every database.
    """
    rows = LedgerEntry.objects.filter(decision=decision, year=year).values_list(
        "tier", "kind", "county__code", "goal_area__number", "amount"
    )
    sums: dict[Key, Decimal] = defaultdict(lambda: Decimal("0.00"))
    for tier, kind, county, line, amount in rows:
        sums[(tier, kind, county, line)] += amount
    return dict(sums)


def ledger_limits(*, budget: Budget) -> Limits:
    skr_lines: dict[int, Decimal | None] = {}
    rss_line: Decimal | None = None
    rss_goal_area: int | None = None
    for line in budget.lines.all():
        if line.recipient == Recipient.SKR:
            skr_lines[line.goal_area.number] = line.amount
        elif line.recipient == Recipient.RSS:
            rss_line = (rss_line or Decimal("0.00")) + (line.amount or Decimal("0.00"))
            rss_goal_area = line.goal_area.number
    allocations = allocation_amounts(budget=budget)
    return Limits(
        total=budget.total,
        skr_lines=skr_lines,
        rss_line=rss_line,
        allocations=allocations,
        rss_goal_area=rss_goal_area,
    )


def balance_get(*, decision: FundingDecision, year: int) -> Balance:
    budget = budget_get(decision=decision, year=year)
    return compute(ledger_sums(decision=decision, year=year), ledger_limits(budget=budget))


def ledger_years() -> list[tuple[FundingDecision, int]]:
    """Every decision and year that has a budget or an entry: what `verify` walks."""
    pairs = budget_years() | set(LedgerEntry.objects.values_list("decision_id", "year").distinct())
    decisions = decisions_by_id(d for d, _y in pairs)
    return [(decisions[d], y) for d, y in sorted(pairs)]


def balance_dict(*, decision: FundingDecision, year: int) -> dict[str, Any]:
    """The CLI and API form of a balance (DESIGN §5), amounts as decimal strings."""
    b = balance_get(decision=decision, year=year)
    return {
        "decision": decision.slug,
        "year": year,
        "budgeted": to_str(b.budgeted),
        "requisitioned": to_str(b.requisitioned),
        "disbursed": to_str(b.disbursed),
        "spent": to_str(b.spent),
        "repaid": to_str(b.repaid),
        "reclaimed": to_str(b.reclaimed),
        "to_repay": to_str(b.to_repay),
        "counties": [
            {
                "code": c.code,
                "allocation": to_str(c.allocation),
                "requisitioned": to_str(c.requisitioned),
                "disbursed": to_str(c.disbursed),
                "spent": to_str(c.spent),
                "repaid": to_str(c.repaid),
                "to_repay": to_str(c.to_repay),
            }
            for c in b.counties
        ],
    }


__all__ = [
    "STATE_RECIPIENT",
    "NotFound",
    "action_for",
    "balance_dict",
    "balance_get",
    "county_code_for",
    "entry_for_user",
    "entry_list",
    "ledger_limits",
    "ledger_sums",
    "ledger_years",
    "reverse_verdict",
]
