"""Reads for the ledger: balances are sums of entries, computed here in one grouped query."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import OuterRef, QuerySet, Subquery, Sum
from django.utils.functional import lazy
from django.utils.translation import gettext as _

from jamkoll.accounts.policy import Verdict, check, record_visibility_q, require
from jamkoll.errors import NotFound
from jamkoll.money import to_str
from jamkoll.programmes.models import Budget, FundingDecision, GoalArea, Recipient
from jamkoll.programmes.selectors import (
    allocation_amounts,
    as_of,
    budget_get,
    budget_years,
    decisions_by_id,
    recipient_short_name,
)
from jamkoll.reference.models import Organisation
from jamkoll.reference.selectors import county_names
from jamkoll.validation import YEAR_MAX, YEAR_MIN, int_param

from .balance import Balance, Key, Limits, compute
from .models import LedgerEntry, LedgerTotal

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


def entry_count(
    *,
    actor: Any,
    decision: FundingDecision,
    year: int,
    county_code: str | None = None,
    kind: str | None = None,
) -> int:
    """How many entries `entry_list` (filtered by `kind` too) holds, read from the running sums:
    one row per group, so a page of a decision-year's entries is counted in the same time at
    500 000 entries as at 500 (a COUNT reads every entry of the year). The same visibility rule,
    on the groups' tier and county (`record_visibility_q`)."""
    code = Subquery(Organisation.objects.filter(pk=OuterRef("county_id")).values("code")[:1])
    groups = LedgerTotal.objects.filter(decision=decision, year=year).annotate(county_code=code)
    groups = groups.filter(record_visibility_q(actor, county_field="county_code"))
    if county_code:
        groups = groups.filter(county_code=county_code)
    if kind:
        groups = groups.filter(kind=kind)
    return int(groups.aggregate(n=Sum("entries"))["n"] or 0)


def ore_sum_sql(column: str, vendor: str) -> str:
    """SQL summing a two-decimal amount column exactly, in whole öre (an integer).

    PostgreSQL adds NUMERIC exactly. SQLite stores such a column as a double and its SUM would
    float (0.1 + 0.2 ≠ 0.3); so each amount is first turned into whole öre there. That is exact:
    an amount has at most 14 digits (`max_digits`), so the double is within 10⁻⁴ öre of the
    true value and ROUND lands on it; the integers then add up exactly (SQLite raises on
    overflow rather than rounding, at 9.2·10¹⁶ kr)."""
    if vendor == "sqlite":
        return f"SUM(CAST(ROUND({column} * 100) AS INTEGER))"
    return f"SUM({column} * 100)"


def ore_to_decimal(value: Any) -> Decimal:
    """Whole öre (an int, or PostgreSQL's integral NUMERIC) as kronor with two decimals."""
    return Decimal(int(value or 0)).scaleb(-2).quantize(Decimal("0.01"))


def _named(rows: list[tuple[Any, ...]]) -> dict[Key, Decimal]:
    """Rows of (tier, kind, county code, goal-area number, öre) as sums per `Key`."""
    sums: dict[Key, Decimal] = defaultdict(lambda: Decimal("0.00"))
    for tier, kind, county, line, ore in rows:
        sums[(tier, kind, county, line)] += ore_to_decimal(ore)
    return dict(sums)


def _decision_id(decision: FundingDecision | int) -> int:
    return decision if isinstance(decision, int) else decision.pk


def ledger_sums(*, decision: FundingDecision | int, year: int) -> dict[Key, Decimal]:
    """Summed amounts per (tier, kind, county, line) of one decision and year, as the running sums
    hold them (`LedgerTotal`, moved with every entry in its transaction): one query over at most
    5 kinds × (21 counties + lines) rows, whatever the number of entries. Exact (whole öre).
    `jamkoll verify` checks them against the entries (`group_sums`, `entry_sums_by_year`)."""
    counties = Organisation._meta.db_table
    areas = GoalArea._meta.db_table
    sql = (
        f"SELECT t.tier, t.kind, o.code, g.number, t.ore FROM {LedgerTotal._meta.db_table} t "
        f"LEFT JOIN {counties} o ON o.id = t.county_id LEFT JOIN {areas} g ON g.id = t.goal_area_id "
        "WHERE t.decision_id = %s AND t.year = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [_decision_id(decision), year])
        return _named(cursor.fetchall())


# A running sum's group: (decision id, year, tier, kind, county id or 0, goal-area id or 0).
Group = tuple[int, int, str, str, int, int]


def group_sums() -> dict[Group, tuple[int, int]]:
    """Every group of every decision-year summed from the entries, as (öre, number of entries):
    one grouped pass over the ledger, for `verify` and for a bulk load's `totals_rebuild`."""
    sql = (
        "SELECT decision_id, year, tier, kind, COALESCE(county_id, 0), COALESCE(goal_area_id, 0), "
        f"{ore_sum_sql('amount', connection.vendor)}, COUNT(*) FROM {LedgerEntry._meta.db_table} "
        "GROUP BY decision_id, year, tier, kind, county_id, goal_area_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return {
            (int(d), int(y), t, k, int(c), int(g)): (int(ore or 0), int(n))
            for d, y, t, k, c, g, ore, n in cursor.fetchall()
        }


def stored_group_sums() -> dict[Group, tuple[int, int]]:
    """Every running sum as stored (`LedgerTotal`): (öre, number of entries) per group."""
    return {
        (d, y, t, k, c, g): (ore, n)
        for d, y, t, k, c, g, ore, n in LedgerTotal.objects.values_list(
            "decision_id", "year", "tier", "kind", "county_id", "goal_area_id", "ore", "entries"
        )
    }


def entry_sums_by_year(groups: dict[Group, tuple[int, int]]) -> dict[tuple[int, int], dict[Key, Decimal]]:
    """`group_sums()` as `ledger_sums` answers, per (decision id, year): what the entries
    themselves add up to (what `verify` checks the invariants and the running sums on)."""
    ids = {c for (_d, _y, _t, _k, c, _g) in groups if c}
    codes = dict(Organisation.objects.filter(pk__in=ids).values_list("pk", "code"))
    ids = {g for (_d, _y, _t, _k, _c, g) in groups if g}
    numbers = dict(GoalArea.objects.filter(pk__in=ids).values_list("pk", "number"))
    years: dict[tuple[int, int], dict[Key, Decimal]] = defaultdict(dict)
    for (d, y, tier, kind, c, g), (ore, _n) in groups.items():
        key = (tier, kind, codes.get(c) if c else None, numbers.get(g) if g else None)
        years[(d, y)][key] = years[(d, y)].get(key, Decimal("0.00")) + ore_to_decimal(ore)
    return years


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
    on = as_of(budget.year)  # the names the year's messages use
    return Limits(
        total=budget.total,
        skr_lines=skr_lines,
        rss_line=rss_line,
        allocations=allocations,
        rss_goal_area=rss_goal_area,
        # SKL until 2019-11-27, SKR after: read only if a message names it.
        recipient=lazy(lambda: recipient_short_name(decision=budget.decision, on=on), str)(),
        county_name=lambda code: lazy(lambda: county_names([code], on).get(code, code), str)(),
    )


def balance_get(*, decision: FundingDecision, year: int) -> Balance:
    budget = budget_get(decision=decision, year=year)
    return compute(ledger_sums(decision=decision, year=year), ledger_limits(budget=budget))


def ledger_years() -> list[tuple[FundingDecision, int]]:
    """Every decision and year that has a budget or an entry: what `verify` walks."""
    pairs = budget_years() | set(LedgerTotal.objects.values_list("decision_id", "year").distinct())
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
    "entry_count",
    "entry_for_user",
    "entry_list",
    "entry_sums_by_year",
    "group_sums",
    "ledger_limits",
    "ledger_sums",
    "ledger_years",
    "ore_sum_sql",
    "ore_to_decimal",
    "reverse_verdict",
    "stored_group_sums",
]
