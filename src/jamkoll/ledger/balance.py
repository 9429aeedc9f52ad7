"""Balances and invariants as pure functions over summed entries (DESIGN §2).

The write path checks the balance *after* a proposed entry; `jamkoll verify` checks every stored
balance. Both use `violations`, so the rule is written once.

Definitions for one decision and year:
- state tier: requisitioned, disbursed, repaid and reclaimed between the state (Kammarkollegiet)
  and SKR; SKR's own expenditure, optionally against a goal-area line;
- RSS tier, per county: requisitioned from SKR, disbursed by SKR, spent by the county, repaid to SKR;
- spent = SKR's own expenditure + what the counties spent;
- to_repay = disbursed − spent + reclaimed − repaid  (what must go back to the state);
- SKR's cash = disbursed − paid to counties + repaid by counties − own expenditure − repaid to
  the state.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from jamkoll.money import format_sek
from jamkoll.programmes.models import Recipient

from .models import EntryKind, Tier

ZERO = Decimal("0.00")
# (tier, kind, county code or None, goal-area number or None) -> summed amount
Key = tuple[str, str, str | None, int | None]
Sums = Mapping[Key, Decimal]


@dataclass(frozen=True)
class Limits:
    total: Decimal | None
    skr_lines: Mapping[int, Decimal | None]
    rss_line: Decimal | None
    allocations: Mapping[str, Decimal]
    rss_goal_area: int | None = None  # the goal area of the budget's RSS line
    # The recipient as the year names it (SKL until 2019-11-27, SKR after), for the messages: a
    # lazy text, so that the name is read only when a message is made.
    recipient: Any = "SKR"
    # A county's name as the year names it ("Uppsala län"), by code, for the messages: lazy too.
    county_name: Callable[[str], Any] = field(default=lambda code: f"län {code}")


@dataclass(frozen=True)
class CountyBalance:
    code: str
    allocation: Decimal
    requisitioned: Decimal
    disbursed: Decimal
    spent: Decimal
    repaid: Decimal

    @property
    def to_repay(self) -> Decimal:
        return self.disbursed - self.spent - self.repaid


@dataclass(frozen=True)
class LineBalance:
    goal_area: int | None
    recipient: str
    budget: Decimal | None
    spent: Decimal


@dataclass(frozen=True)
class Balance:
    limits: Limits
    requisitioned: Decimal
    disbursed: Decimal
    skr_spent: Decimal
    skr_spent_by_line: Mapping[int | None, Decimal]
    repaid: Decimal
    reclaimed: Decimal
    counties: list[CountyBalance]
    raw_negative: list[Key] = field(default_factory=list)

    @property
    def budgeted(self) -> Decimal | None:
        return self.limits.total

    @property
    def county_spent(self) -> Decimal:
        return sum((c.spent for c in self.counties), ZERO)

    @property
    def county_disbursed(self) -> Decimal:
        return sum((c.disbursed for c in self.counties), ZERO)

    @property
    def county_repaid(self) -> Decimal:
        return sum((c.repaid for c in self.counties), ZERO)

    @property
    def county_requisitioned(self) -> Decimal:
        return sum((c.requisitioned for c in self.counties), ZERO)

    @property
    def spent(self) -> Decimal:
        return self.skr_spent + self.county_spent

    @property
    def to_repay(self) -> Decimal:
        return self.disbursed - self.spent + self.reclaimed - self.repaid

    @property
    def skr_cash(self) -> Decimal:
        return self.disbursed - self.county_disbursed + self.county_repaid - self.skr_spent - self.repaid

    def lines(self) -> list[LineBalance]:
        rows = [
            LineBalance(number, Recipient.SKR, budget, self.skr_spent_by_line.get(number, ZERO))
            for number, budget in sorted(self.limits.skr_lines.items())
        ]
        if self.limits.rss_line is not None or self.counties:
            limits = self.limits
            rows.append(LineBalance(limits.rss_goal_area, Recipient.RSS, limits.rss_line, self.county_spent))
        return rows


def compute(sums: Sums, limits: Limits) -> Balance:
    def total(tier: str, kind: str, county: str | None = None, *, any_county: bool = False) -> Decimal:
        return sum(
            (
                v
                for (t, k, c, _l), v in sums.items()
                if t == tier and k == kind and (any_county or c == county)
            ),
            ZERO,
        )

    codes = sorted(set(limits.allocations) | {c for (t, _k, c, _l) in sums if t == Tier.RSS and c})
    counties = [
        CountyBalance(
            code=code,
            allocation=limits.allocations.get(code, ZERO),
            requisitioned=total(Tier.RSS, EntryKind.REQUISITION, code),
            disbursed=total(Tier.RSS, EntryKind.DISBURSEMENT, code),
            spent=total(Tier.RSS, EntryKind.EXPENDITURE, code),
            repaid=total(Tier.RSS, EntryKind.REPAYMENT, code),
        )
        for code in codes
    ]
    by_line: dict[int | None, Decimal] = {}
    for (t, k, _c, line), v in sums.items():
        if t == Tier.STATE and k == EntryKind.EXPENDITURE:
            by_line[line] = by_line.get(line, ZERO) + v
    return Balance(
        limits=limits,
        requisitioned=total(Tier.STATE, EntryKind.REQUISITION),
        disbursed=total(Tier.STATE, EntryKind.DISBURSEMENT),
        skr_spent=total(Tier.STATE, EntryKind.EXPENDITURE),
        skr_spent_by_line=by_line,
        repaid=total(Tier.STATE, EntryKind.REPAYMENT),
        reclaimed=total(Tier.STATE, EntryKind.RECLAIM),
        counties=counties,
        raw_negative=[key for key, v in sums.items() if v < 0],
    )


@dataclass(frozen=True)
class Breach:
    """One broken invariant: by how much, and the message with the figures, filled in only when
    it is read (a figure may be the recipient's name for the year, read from the database, and a
    write compares every breach before and after it but shows only a new one)."""

    excess: Decimal
    text: str
    figures: Mapping[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> str:
        """The text with its figures: an amount (a Decimal) in kronor, "1 000 kr"."""
        if not self.figures:
            return self.text
        return self.text % {
            k: format_sek(v) if isinstance(v, Decimal) else v for k, v in self.figures.items()
        }


def breaches(b: Balance) -> dict[str, Breach]:
    """Every broken invariant keyed by rule (and county or line), so that a write can be judged by
    whether it breaks a new rule or makes an existing breach worse, not by its message text."""
    out: dict[str, Breach] = {}

    def over(key: str, value: Decimal, limit: Decimal, message: str, **figures: Any) -> None:
        """A breach when `value` exceeds `limit` (its message is filled in when read)."""
        if value > limit:
            out[key] = Breach(value - limit, message, figures)

    for tier, kind, county, line in b.raw_negative:
        label = f"{EntryKind(kind).label} ({Tier(tier).label})"
        key = f"negative:{tier}:{kind}:{county}:{line}"
        if county:
            figures = {"what": label, "county": b.limits.county_name(county)}
            out[key] = Breach(ZERO, _("summan av %(what)s för %(county)s är negativ"), figures)
        elif line:
            out[key] = Breach(
                ZERO, _("summan av %(what)s på målområde %(line)s är negativ"), {"what": label, "line": line}
            )
        else:
            out[key] = Breach(ZERO, _("summan av %(what)s är negativ"), {"what": label})
    if b.limits.total is None:
        over(
            "requisition-undecided", b.requisitioned, ZERO, _("rekvirerat fast årets budget inte är beslutad")
        )
    else:
        over(
            "requisition-budget",
            b.requisitioned,
            b.limits.total,
            _("rekvirerat %(requisitioned)s överstiger budgeten %(budget)s"),
            requisitioned=b.requisitioned,
            budget=b.limits.total,
        )
    over(
        "disbursed-requisitioned",
        b.disbursed,
        b.requisitioned,
        _("utbetalt %(disbursed)s överstiger rekvirerat %(requisitioned)s (registrera först rekvisitionen)"),
        disbursed=b.disbursed,
        requisitioned=b.requisitioned,
    )
    for number, spent in b.skr_spent_by_line.items():
        budget = b.limits.skr_lines.get(number) if number is not None else None
        if budget is not None:
            over(
                f"line:{number}",
                spent,
                budget,
                _(
                    "%(short)s:s utgifter på målområde %(number)s (%(spent)s) överstiger "
                    "budgetraden %(budget)s"
                ),
                short=b.limits.recipient,
                number=number,
                spent=spent,
                budget=budget,
            )
    over(
        "reclaim-spent",
        b.reclaimed,
        b.spent,
        _("återkrävt %(reclaimed)s överstiger det som använts %(spent)s"),
        reclaimed=b.reclaimed,
        spent=b.spent,
    )
    if b.spent > b.disbursed:
        over(
            "spent-disbursed",
            b.spent,
            b.disbursed,
            _("använt %(spent)s överstiger utbetalt %(disbursed)s (registrera först utbetalningen)"),
            spent=b.spent,
            disbursed=b.disbursed,
        )
    else:
        over(
            "repaid-owed",
            -b.to_repay,
            ZERO,
            _("återbetalt %(repaid)s är mer än det som ska återbetalas"),
            repaid=b.repaid,
        )
    over(
        "skr-cash",
        -b.skr_cash,
        ZERO,
        _(
            "%(short)s har betalat ut och använt mer än vad som betalats ut från staten "
            "(underskott %(deficit)s)"
        ),
        short=b.limits.recipient,
        deficit=-b.skr_cash,
    )
    if b.limits.rss_line is not None:
        over(
            "rss-line",
            b.county_requisitioned,
            b.limits.rss_line,
            _("länens rekvisitioner %(requisitioned)s överstiger RSS-raden %(line)s"),
            requisitioned=b.county_requisitioned,
            line=b.limits.rss_line,
        )
    for c in b.counties:
        county = b.limits.county_name(c.code)  # read only if a message is shown
        over(
            f"county:{c.code}:allocation",
            c.requisitioned,
            c.allocation,
            _("%(county)s: rekvirerat %(requisitioned)s överstiger tilldelningen %(allocation)s"),
            county=county,
            requisitioned=c.requisitioned,
            allocation=c.allocation,
        )
        over(
            f"county:{c.code}:disbursed",
            c.disbursed,
            c.requisitioned,
            _(
                "%(county)s: utbetalt %(disbursed)s överstiger rekvirerat %(requisitioned)s "
                "(registrera först länets rekvisition)"
            ),
            county=county,
            disbursed=c.disbursed,
            requisitioned=c.requisitioned,
        )
        over(
            f"county:{c.code}:spent",
            c.spent,
            c.disbursed,
            _(
                "%(county)s: använt %(spent)s överstiger utbetalt %(disbursed)s "
                "(registrera först utbetalningen till länet)"
            ),
            county=county,
            spent=c.spent,
            disbursed=c.disbursed,
        )
        over(
            f"county:{c.code}:repaid",
            -c.to_repay,
            ZERO,
            _("%(county)s: återbetalt %(repaid)s är mer än det oanvända beloppet"),
            county=county,
            repaid=c.repaid,
        )
    return out


def new_breaches(before: Balance, after: Balance) -> list[str]:
    """What a write would break: a rule not broken before, or a breach made larger. A county's
    own rule comes first: it names the figures of the county the write is about (an RSS leader's
    expenditure beyond what was paid to the county), where the year's total is the consequence."""
    old = breaches(before)
    found = [
        (key, breach.message)
        for key, breach in breaches(after).items()
        if key not in old or breach.excess > old[key].excess
    ]
    return [message for key, message in sorted(found, key=lambda kv: not kv[0].startswith("county:"))]


def violations(b: Balance) -> list[str]:
    """Every broken invariant, in the active language, with the figures."""
    return [breach.message for breach in breaches(b).values()]
