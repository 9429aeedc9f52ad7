"""What the ledger's entries close among the obligations (DESIGN §7.4), and what is still owed.

After every write (`services.entry_record`, `services.entry_reverse`), inside the entry's
transaction and under the lock of its decision-year, the obligations the entry bears on are brought into line
with the ledger, so that their closure is a function of the entries and not of the order of events:

- a requisition (the state tier, or a county's) closes the year's requisition obligation of its
  tier and county, on the entry's date: the first standing requisition closes it;
- a repayment closes the year's repayment obligation of its tier and county once nothing is left
  to repay (state: `Balance.to_repay` = disbursed − spent + reclaimed − repaid; a county:
  `CountyBalance.to_repay` = disbursed − spent − repaid), on the date of the last standing
  repayment; until then the obligation stays open and the deadline pages show what is still owed
  (`still_owed`, registered with the obligations app in `apps.LedgerConfig.ready`);
- a reversal of the entry that closed an obligation reopens it with the reversal's reason (or,
  where another standing entry fulfils it, that entry closes it again); an entry that makes money
  owed again (a disbursement, a reversed expenditure) reopens a settled repayment obligation.

"Standing" means neither a reversal nor reversed. Only obligations that are open or that the
ledger itself closed (`closed_by` "ledger-entry:<sequence>") are touched: one registered by hand,
closed by something else, or waived stays as it is.

Who is recorded: the closure follows from the entry and is done with the system's authority, not
the obligation's policy (the treasury records the repayment that SKR owes, but may not register
SKR's obligation). The obligation records the entry's actor as the account (`submitted_by` and
the history's user; a system actor is named in the history's reason) and the reason
"Stängd av post #N i medelsflödet".

Known limit: a repayment obligation settled without a repayment (everything was spent) is not
closed here: nothing was handed in; it shows that nothing is left to repay.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from jamkoll.money import format_sek
from jamkoll.obligations.models import Obligation, ObligationKind
from jamkoll.obligations.selectors import obligation_of_kind
from jamkoll.obligations.transitions import close_refusal, obligation_close, obligations_reopen
from jamkoll.programmes.models import FundingDecision

from .balance import Balance, Limits, Sums, compute
from .models import EntryKind, LedgerEntry, Tier
from .selectors import ledger_sums

KEY_PREFIX = "ledger-entry"

# The entries that change what is owed back: to the state (SKR's repayment) and to SKR (a county's).
STATE_OWED_KINDS = {
    (Tier.STATE, EntryKind.DISBURSEMENT),
    (Tier.STATE, EntryKind.EXPENDITURE),
    (Tier.STATE, EntryKind.RECLAIM),
    (Tier.STATE, EntryKind.REPAYMENT),
    (Tier.RSS, EntryKind.EXPENDITURE),  # the counties' spending is part of the year's spent
}
COUNTY_OWED_KINDS = {EntryKind.DISBURSEMENT, EntryKind.EXPENDITURE, EntryKind.REPAYMENT}


def entry_key(entry: LedgerEntry) -> str:
    return f"{KEY_PREFIX}:{entry.sequence}"


def entry_words(entry: LedgerEntry) -> str:
    return _("post #%(n)s i medelsflödet") % {"n": entry.sequence}


def _standing(entry: LedgerEntry, kind: str, county_id: int | None) -> QuerySet[LedgerEntry]:
    """The entries of `kind` on `entry`'s decision and year, for a county (the RSS tier) or the
    state tier (`county_id` None), that still count."""
    return LedgerEntry.objects.filter(
        decision_id=entry.decision_id,
        year=entry.year,
        tier=Tier.RSS if county_id is not None else Tier.STATE,
        county_id=county_id,
        kind=kind,
        reverses__isnull=True,
        reversed_by__isnull=True,
    )


def _current_closer(obligation: Obligation, standing: QuerySet[LedgerEntry]) -> LedgerEntry | None:
    """The standing entry that closed the obligation, if it is one of them."""
    kind, _sep, number = obligation.closed_by.partition(":")
    if obligation.submitted_on is None or kind != KEY_PREFIX or not number.isdigit():
        return None
    return standing.filter(sequence=int(number)).first()


def _sync(
    obligation: Obligation | None,
    *,
    entry: LedgerEntry,
    kind: str,
    county_id: int | None,
    actor: Any,
    owed: Decimal | None = None,
) -> None:
    """Bring one obligation into line with the ledger after `entry` (the module's docstring),
    deciding on the obligation's row as it is under its lock (a registration by hand at the same
    moment is seen, not overwritten)."""
    if obligation is None:
        return
    obligation = Obligation.objects.select_for_update().get(pk=obligation.pk)
    if obligation.waived_at is not None:
        return
    if obligation.submitted_on is not None and not obligation.closed_by.startswith(f"{KEY_PREFIX}:"):
        return  # registered by hand, or closed by something other than the ledger
    standing = _standing(entry, kind, county_id)
    if kind == EntryKind.REPAYMENT and owed is not None and owed > 0:
        target = None
    elif _current_closer(obligation, standing) is not None:
        return  # still closed by an entry that stands
    elif kind == EntryKind.REQUISITION:
        target = standing.order_by("entry_date", "sequence").first()
    else:  # a repayment obligation is settled by the last repayment
        target = standing.order_by("-entry_date", "-sequence").first()
    if obligation.submitted_on is not None:
        obligations_reopen(closed_by=obligation.closed_by, reason=_reopen_reason(entry, owed), actor=actor)
        obligation.refresh_from_db()
    if target is not None and close_refusal(obligation) is None:
        obligation_close(
            obligation=obligation,
            on=target.entry_date,
            closed_by=entry_key(target),
            document_reference=entry_words(target),
            actor=actor,
        )


def _reopen_reason(entry: LedgerEntry, owed: Decimal | None) -> str:
    """The reversal's reason and what it reversed (and what is owed again, for a repayment); or,
    after an entry that made money owed again, which entry and how much."""
    amount = format_sek(owed, decimals=True) if owed is not None and owed > 0 else ""
    if entry.reverses is None:
        return _("Efter post #%(n)s (%(kind)s) finns %(amount)s kvar att återbetala") % {
            "n": entry.sequence,
            "kind": entry.get_kind_display().lower(),
            "amount": amount,
        }
    text = _("Post #%(old)s rättad genom post #%(new)s: %(reason)s") % {
        "old": entry.reverses.sequence,
        "new": entry.sequence,
        "reason": entry.reason,
    }
    if not amount:
        return text
    return f"{text}; " + _("%(amount)s kvar att återbetala") % {"amount": amount}


# What is owed back does not depend on the budget (`Balance.to_repay`, `CountyBalance.to_repay`):
# the sums of the entries are enough, in one query.
NO_LIMITS = Limits(total=None, skr_lines={}, rss_line=None, allocations={})


def _balance(decision: FundingDecision, year: int) -> Balance:
    return compute(ledger_sums(decision=decision, year=year), NO_LIMITS)


def _owed(balance: Balance, county_code: str | None) -> Decimal:
    if county_code is None:
        return balance.to_repay
    county = next((c for c in balance.counties if c.code == county_code), None)
    return county.to_repay if county is not None else Decimal("0.00")


def entry_closures(*, entry: LedgerEntry, actor: Any, sums: Sums | None = None) -> None:
    """Close or reopen what `entry` (just appended, in its transaction) bears on. A failure here
    raises, and the entry is not written either. `sums`: the year's sums with `entry` included,
    when the caller has them already (the write has just checked them): not summed again."""
    decision, year = entry.decision, entry.year
    county = entry.county if entry.tier == Tier.RSS else None
    if entry.kind == EntryKind.REQUISITION:
        obligation = obligation_of_kind(
            decision=decision, year=year, kind=ObligationKind.REQUISITION, county=county
        )
        _sync(obligation, entry=entry, kind=EntryKind.REQUISITION, county_id=entry.county_id, actor=actor)
        return
    state = (entry.tier, entry.kind) in STATE_OWED_KINDS
    own = county is not None and entry.kind in COUNTY_OWED_KINDS
    if not (state or own):
        return
    balance = _balance(decision, year) if sums is None else compute(sums, NO_LIMITS)
    if state:
        obligation = obligation_of_kind(decision=decision, year=year, kind=ObligationKind.REPAYMENT)
        _sync(
            obligation,
            entry=entry,
            kind=EntryKind.REPAYMENT,
            county_id=None,
            actor=actor,
            owed=_owed(balance, None),
        )
    if own and county is not None:
        obligation = obligation_of_kind(
            decision=decision, year=year, kind=ObligationKind.REPAYMENT, county=county
        )
        _sync(
            obligation,
            entry=entry,
            kind=EntryKind.REPAYMENT,
            county_id=county.pk,
            actor=actor,
            owed=_owed(balance, county.code),
        )


def still_owed(obligations: Sequence[Obligation]) -> Mapping[int, Decimal]:
    """What is left to repay on each open repayment obligation, by pk, from the ledger's balance
    of its decision and year (one balance per decision and year); only where money was paid out
    on that tier (before that, nothing is owed and nothing is said)."""
    wanted: dict[tuple[int, int], list[Obligation]] = defaultdict(list)
    for o in obligations:
        if o.kind == ObligationKind.REPAYMENT:
            wanted[(o.decision_id, o.year)].append(o)
    owed: dict[int, Decimal] = {}
    for (_decision_id, year), group in wanted.items():
        balance = _balance(group[0].decision, year)
        counties = {c.code: c for c in balance.counties}
        for o in group:
            code = o.county_code
            if code is None:
                if balance.disbursed > 0:
                    owed[o.pk] = balance.to_repay
            elif code in counties and counties[code].disbursed > 0:
                owed[o.pk] = counties[code].to_repay
    return owed


def entry_link(obligation: Obligation, number: str) -> str | None:
    """The ledger page of the obligation's decision and year, at the entry's row."""
    return reverse("ledger:page", args=[obligation.decision.slug, obligation.year]) + f"#post-{number}"
