"""Writes to the ledger. Every write runs in one transaction that first locks the chain head,
so concurrent writers queue up and the invariants are checked against the latest state: two
requisitions submitted at the same moment can never together exceed the budget.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from jamkoll.accounts.policy import require
from jamkoll.errors import NotFound
from jamkoll.money import AmountError, parse_amount
from jamkoll.programmes.models import Budget, BudgetLine, FundingDecision, GoalArea
from jamkoll.programmes.selectors import budget_get
from jamkoll.programmes.services import programmes_verify
from jamkoll.reference.models import Organisation, OrganisationKind

from .balance import Key, compute, new_breaches, violations
from .models import ChainHead, EntryKind, LedgerEntry, Tier
from .selectors import balance_get, ledger_limits, ledger_sums, ledger_years

GENESIS = "0" * 64


class LedgerError(ValueError):
    """A refused ledger write; the message names the field or the broken rule."""


def action_for(tier: str, kind: str) -> str:
    return f"ledger.{tier}.{kind}"


def _actor(user: Any, actor_name: str | None) -> tuple[Any, str]:
    if user is not None and getattr(user, "is_authenticated", False):
        return user, user.get_full_name() or user.get_username()
    if actor_name:
        return None, actor_name
    raise LedgerError("registrerad av: ange en användare")


def _lock_head() -> ChainHead:
    head = ChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        ChainHead.objects.get_or_create(pk=1)
        head = ChainHead.objects.select_for_update().get(pk=1)
    return head


def _append(head: ChainHead, entry: LedgerEntry) -> LedgerEntry:
    entry.sequence = head.sequence + 1
    entry.previous_digest = head.digest or GENESIS
    entry.recorded_at = timezone.now()
    entry.digest = entry.compute_digest()
    entry.save()
    head.sequence = entry.sequence
    head.digest = entry.digest
    head.save(update_fields=["sequence", "digest"])
    return entry


def _check(budget: Budget, decision: FundingDecision, year: int, key: Key, amount: Decimal) -> None:
    """Refuse a write that breaks a rule, or makes an existing breach worse; a write that reduces
    a breach (a correction in steps) is allowed."""
    sums: dict[Key, Decimal] = defaultdict(lambda: Decimal("0.00"), ledger_sums(decision=decision, year=year))
    limits = ledger_limits(budget=budget)
    before = compute(sums, limits)
    sums[key] += amount
    new = new_breaches(before, compute(sums, limits))
    if new:
        raise LedgerError(new[0])


def budget_line_guard(line: BudgetLine, amount: Decimal) -> list[str]:
    """What changing a budget line's amount would break in the ledger (under the ledger's lock, so
    no write slips in between the check and the change)."""
    _lock_head()
    budget = line.budget
    limits = ledger_limits(budget=budget)
    if line.recipient == "SKR":
        after = replace(limits, skr_lines={**limits.skr_lines, line.goal_area.number: amount})
    else:
        after = replace(limits, rss_line=(limits.rss_line or Decimal("0.00")) - (line.amount or 0) + amount)
    sums = ledger_sums(decision=budget.decision, year=budget.year)
    return new_breaches(compute(sums, limits), compute(sums, after))


def entry_record(
    *,
    decision: FundingDecision,
    year: int,
    kind: str,
    amount: Any,
    reference: str,
    county_code: str | None = None,
    line: int | None = None,
    entry_date: dt.date | None = None,
    note: str = "",
    user: Any = None,
    actor_name: str | None = None,
) -> LedgerEntry:
    """Record one requisition, disbursement, expenditure, repayment or reclaim. All or nothing.

    `county_code` set: the RSS tier (that county ↔ SKR); otherwise the state tier (SKR ↔ state).
    `line`: the goal area of SKR's own expenditure. `user` is checked against the policy; the
    command line, run by an operator, passes `actor_name` instead.
    """
    if kind not in EntryKind.values:
        raise LedgerError(f"slag: okänt {kind!r}")
    try:
        value = parse_amount(amount)
    except AmountError as exc:
        raise LedgerError(f"belopp: {exc}") from None
    if value == 0:
        raise LedgerError("belopp: måste vara större än noll")
    if not reference or not reference.strip():
        raise LedgerError("referens: ange diarienummer eller annan referens")
    tier = Tier.RSS if county_code else Tier.STATE
    if kind == EntryKind.RECLAIM and tier == Tier.RSS:
        raise LedgerError("återkrav görs av staten mot SKR, inte mot ett län")
    if line is not None and not (tier == Tier.STATE and kind == EntryKind.EXPENDITURE):
        raise LedgerError("målområde: anges bara för SKR:s egna utgifter")
    if user is not None:
        require(user, action_for(tier, kind), county_code)
    recorder, recorder_name = _actor(user, actor_name)
    try:
        budget = budget_get(decision=decision, year=year)
    except NotFound as exc:
        raise LedgerError(str(exc)) from None
    county = None
    if county_code:
        county = Organisation.objects.filter(kind=OrganisationKind.LAN, code=county_code).first()
        if county is None:
            raise LedgerError(f"mottagare: okänt län {county_code!r}")
    goal_area = None
    if line is not None:
        goal_area = GoalArea.objects.filter(decision=decision, number=line).first()
        if goal_area is None:
            raise LedgerError(f"målområde: {decision.slug} har inget målområde {line}")
    with transaction.atomic():
        head = _lock_head()
        _check(budget, decision, year, (tier, kind, county_code, line), value)
        return _append(
            head,
            LedgerEntry(
                decision=decision,
                year=year,
                tier=tier,
                kind=kind,
                county=county,
                goal_area=goal_area,
                amount=value,
                entry_date=entry_date or timezone.localdate(),
                reference=reference.strip(),
                note=note,
                recorded_by=recorder,
                recorded_by_name=recorder_name,
            ),
        )


def entry_reverse(
    *,
    entry: LedgerEntry,
    reason: str,
    entry_date: dt.date | None = None,
    user: Any = None,
    actor_name: str | None = None,
) -> LedgerEntry:
    """Correct an entry by a reversing entry with a reason. An entry is reversed at most once,
    and only if the ledger still adds up without it."""
    if not reason or not reason.strip():
        raise LedgerError("skäl: ange varför posten rättas")
    if entry.reverses_id is not None:
        raise LedgerError(f"post #{entry.sequence} är själv en rättelse och kan inte rättas")
    if LedgerEntry.objects.filter(reverses=entry).exists():
        raise LedgerError(f"post #{entry.sequence} är redan rättad")
    county_code = entry.county.code if entry.county else None
    if user is not None:
        require(user, action_for(entry.tier, entry.kind), county_code)
    recorder, recorder_name = _actor(user, actor_name)
    budget = budget_get(decision=entry.decision, year=entry.year)
    line = entry.goal_area.number if entry.goal_area else None
    with transaction.atomic():
        head = _lock_head()
        if LedgerEntry.objects.filter(reverses=entry).exists():
            raise LedgerError(f"post #{entry.sequence} är redan rättad")
        _check(budget, entry.decision, entry.year, (entry.tier, entry.kind, county_code, line), -entry.amount)
        return _append(
            head,
            LedgerEntry(
                decision=entry.decision,
                year=entry.year,
                tier=entry.tier,
                kind=entry.kind,
                county=entry.county,
                goal_area=entry.goal_area,
                amount=-entry.amount,
                entry_date=entry_date or timezone.localdate(),
                reference=entry.reference,
                reverses=entry,
                reason=reason.strip(),
                recorded_by=recorder,
                recorded_by_name=recorder_name,
            ),
        )


def chain_verify() -> list[str]:
    """Walk the chain: contiguous sequence numbers, each digest matching its entry's contents and
    its predecessor's digest, and the head matching the last entry."""
    problems: list[str] = []
    expected_previous = GENESIS
    expected_sequence = 1
    for entry in LedgerEntry.objects.order_by("sequence").iterator(chunk_size=2000):
        if entry.sequence != expected_sequence:
            problems.append(f"post #{expected_sequence} saknas (nästa är #{entry.sequence}): borttagen?")
        if entry.previous_digest != expected_previous:
            problems.append(
                f"post #{entry.sequence}: kedjan är bruten (föregående post ändrad eller borttagen)"
            )
        if entry.compute_digest() != entry.digest:
            problems.append(
                f"post #{entry.sequence}: innehållet stämmer inte med kontrollsumman "
                "(ändrad utanför programmet?)"
            )
        expected_previous = entry.digest
        expected_sequence = entry.sequence + 1
    head = ChainHead.objects.filter(pk=1).first()
    last_sequence = expected_sequence - 1
    if head is None and last_sequence:
        problems.append("kedjans huvud saknas (borttaget utanför programmet?)")
    if head is not None and (
        head.sequence != last_sequence or (last_sequence and head.digest != expected_previous)
    ):
        problems.append(f"kedjans huvud pekar på #{head.sequence} men sista posten är #{last_sequence}")
    return problems


@dataclass(frozen=True)
class VerifyResult:
    problems: list[str]
    budgets: int
    allocations: int
    entries: int


def ledger_verify() -> VerifyResult:
    """Everything `jamkoll verify` checks: budgets and allocations, the ledger invariants of every
    decision and year (counties included), and the digest chain."""
    problems, n_budgets, n_allocations = programmes_verify()
    for decision, year in ledger_years():
        try:
            balance = balance_get(decision=decision, year=year)
        except NotFound as exc:
            problems.append(f"{decision.slug} {year}: poster utan budget ({exc})")
            continue
        problems += [f"{decision.slug} {year}: {v}" for v in violations(balance)]
    problems += chain_verify()
    return VerifyResult(problems, n_budgets, n_allocations, LedgerEntry.objects.count())
