"""Writes to the ledger. Every write runs in one transaction that first locks its decision-year
(`_lock_year`), so concurrent writers to the same year queue up and the invariants are checked
against the latest state: two requisitions submitted at the same moment can never together exceed
the budget. The check reads the year's running sums (`selectors.ledger_sums`: one row per group,
exact in whole öre), which the write then moves in the same transaction (`_total_add`), so a write
costs the same at 500 entries as at 500 000. Only then is the chain head locked, for the insert and
the commit: the chain is one sequence. `jamkoll verify` sums the entries again and compares
(`totals_verify`).

Each entry's digest is keyed (`chain.py`); once the transaction commits, the new head is written
to the anchor file outside the database.

In the same transaction an entry closes (or a reversal reopens) the obligation it fulfils
(`closures.entry_closures`): a failed obligation write leaves no entry either.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from jamkoll.accounts.policy import actor_label, actor_user, require
from jamkoll.errors import ErrorCollector, NotFound, field_error
from jamkoll.locking import LEDGER_YEAR, lock_decision_year
from jamkoll.money import AmountError, parse_amount
from jamkoll.programmes.models import Budget, BudgetLine, FundingDecision, GoalArea, Recipient
from jamkoll.programmes.selectors import budget_get, decisions_by_id
from jamkoll.programmes.services import programmes_verify
from jamkoll.reference.models import Organisation
from jamkoll.reference.selectors import county_get
from jamkoll.validation import REASON, SHORT, clean_date, clean_int, clean_text

from .balance import Key, compute, new_breaches, violations
from .chain import (
    CATCHUP_EVENT,
    GENESIS,
    KEY_EVENT,
    LedgerKeyError,
    anchor_after_commit,
    anchor_read,
    anchor_started,
    anchor_write,
    chain_report,
    entry_digest,
    key_create,
    key_for_append,
    key_load,
    legacy_chain_report,
)
from .closures import entry_closures
from .models import NOTE_MAX_LENGTH, ChainHead, EntryKind, LedgerEntry, LedgerTotal, Tier
from .selectors import (
    Group,
    action_for,
    entry_sums_by_year,
    group_sums,
    ledger_limits,
    ledger_sums,
    ledger_years,
    ore_to_decimal,
    stored_group_sums,
)

logger = logging.getLogger(__name__)

LINE_MAX = 99  # goal areas are numbered 1, 2, 3 …

__all__ = [
    "action_for",
    "budget_line_guard",
    "chain_verify",
    "entry_date_bounds",
    "entry_record",
    "entry_reverse",
    "ledger_anchor",
    "ledger_seal",
    "ledger_verify",
    "totals_rebuild",
    "totals_verify",
]


def entry_date_bounds(year: int) -> tuple[dt.date, dt.date]:
    """An entry for `year` is dated from 1 January of the year before (a requisition or a
    disbursement made ahead of its year) up to today, Europe/Stockholm: never in the future."""
    return dt.date(year - 1, 1, 1), timezone.localdate()


def _lock_year(decision_id: int, year: int) -> None:
    """Serialise the writes to one decision-year until the transaction ends: its invariants are
    checked under this lock, and writers to other decision-years never wait on it."""
    lock_decision_year(LEDGER_YEAR, decision_id, year)


def _lock_head() -> ChainHead:
    head = ChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        ChainHead.objects.get_or_create(pk=1)
        head = ChainHead.objects.select_for_update().get(pk=1)
    return head


def _key(head: ChainHead) -> bytes:
    """The chain's key, or a refusal the user can read (the operator's details go to the log)."""
    try:
        return key_for_append(head.sequence)
    except LedgerKeyError as exc:
        logger.error("Medelsflödet tar inte emot poster: %s", exc)
        raise ValidationError(
            _(
                "Medelsflödet tar just nu inte emot poster: dess nyckel eller ankarfil saknas. "
                "Kontakta systemförvaltaren."
            ),
            code="ledger_key",
        ) from None


def _append(head: ChainHead, entry: LedgerEntry) -> LedgerEntry:
    key = _key(head)
    entry.sequence = head.sequence + 1
    entry.previous_digest = head.digest or GENESIS
    entry.recorded_at = timezone.now()
    entry.digest = entry_digest(entry, key)
    entry.save()
    _total_add(entry)
    head.sequence = entry.sequence
    head.digest = entry.digest
    head.save(update_fields=["sequence", "digest"])
    sequence, digest = entry.sequence, entry.digest
    transaction.on_commit(lambda: anchor_after_commit(key=key, sequence=sequence, digest=digest))
    return entry


def _group(entry: LedgerEntry) -> dict[str, Any]:
    return {
        "decision_id": entry.decision_id,
        "year": entry.year,
        "tier": entry.tier,
        "kind": entry.kind,
        "county_id": entry.county_id or 0,
        "goal_area_id": entry.goal_area_id or 0,
    }


def _total_add(entry: LedgerEntry) -> None:
    """Move the running sum of `entry`'s group by its amount, in the entry's transaction and under
    its decision-year's lock (so no other writer moves the same row in between)."""
    ore = int((Decimal(entry.amount) * 100).to_integral_exact())
    group = _group(entry)
    moved = LedgerTotal.objects.filter(**group).update(ore=F("ore") + ore, entries=F("entries") + 1)
    if not moved:
        LedgerTotal.objects.create(**group, ore=ore, entries=1)


def totals_rebuild() -> int:
    """Set every running sum from the entries, for a bulk load that writes entries without the
    services (`jamkoll demo-volume`, the benchmarks), inside its transaction. Returns the number
    of groups. The services never need it: they move the sums with every entry."""
    sums = group_sums()
    LedgerTotal.objects.all().delete()
    LedgerTotal.objects.bulk_create(
        LedgerTotal(decision_id=d, year=y, tier=t, kind=k, county_id=c, goal_area_id=g, ore=ore, entries=n)
        for (d, y, t, k, c, g), (ore, n) in sums.items()
    )
    return len(sums)


def _group_label(group: Group) -> str:
    decision_id, year, tier, kind, county_id, goal_area_id = group
    decision = decisions_by_id([decision_id]).get(decision_id)
    parts = [decision.slug if decision else f"beslut {decision_id}", str(year), tier, kind]
    if county_id:
        county = Organisation.objects.filter(pk=county_id).values_list("code", flat=True).first()
        parts.append(f"län {county or county_id}")
    if goal_area_id:
        number = GoalArea.objects.filter(pk=goal_area_id).values_list("number", flat=True).first()
        parts.append(f"målområde {number or goal_area_id}")
    return " ".join(parts)


def totals_verify(actual: dict[Group, tuple[int, int]] | None = None) -> list[str]:
    """The running sums that differ from what their entries add up to (`actual`: `group_sums()`,
    one grouped pass over the ledger, unless the caller has it): a sum or an entry changed behind
    the application's back."""
    stored = stored_group_sums()
    actual = group_sums() if actual is None else actual
    problems = []
    for group in sorted(stored.keys() | actual.keys()):
        (ore, n), (true_ore, true_n) = stored.get(group, (0, 0)), actual.get(group, (0, 0))
        if (ore, n) != (true_ore, true_n):
            problems.append(
                _(
                    "%(group)s: den löpande summan är %(stored)s kr över %(n)s poster, men posterna "
                    "summerar till %(actual)s kr över %(true_n)s poster."
                )
                % {
                    "group": _group_label(group),
                    "stored": ore_to_decimal(ore),
                    "n": n,
                    "actual": ore_to_decimal(true_ore),
                    "true_n": true_n,
                }
            )
    return problems


def _check(
    budget: Budget, decision: FundingDecision, year: int, key: Key, amount: Decimal
) -> dict[Key, Decimal]:
    """Refuse a write that breaks a rule, or makes an existing breach worse; a write that reduces
    a breach (a correction in steps) is allowed. A breach is about the year's balance, not one
    field, so it is a non-field `ValidationError` (code "invariant") naming the figures.

    Returns the year's sums with the write included (for the closures: the year is summed once)."""
    sums: dict[Key, Decimal] = defaultdict(lambda: Decimal("0.00"), ledger_sums(decision=decision, year=year))
    limits = ledger_limits(budget=budget)
    before = compute(sums, limits)
    sums[key] += amount
    new = new_breaches(before, compute(sums, limits))
    if new:
        raise ValidationError(new[0], code="invariant")
    return dict(sums)


def budget_line_guard(line: BudgetLine, amount: Decimal) -> list[str]:
    """What changing a budget line's amount would break in the ledger (under the lock of its
    decision-year, so no write slips in between the check and the change)."""
    budget = line.budget
    _lock_year(budget.decision_id, budget.year)
    limits = ledger_limits(budget=budget)
    if line.recipient == Recipient.SKR:
        after = replace(limits, skr_lines={**limits.skr_lines, line.goal_area.number: amount})
    else:
        after = replace(limits, rss_line=(limits.rss_line or Decimal("0.00")) - (line.amount or 0) + amount)
    sums = ledger_sums(decision=budget.decision, year=budget.year)
    return new_breaches(compute(sums, limits), compute(sums, after))


def allocation_guard(line: BudgetLine, amounts: dict[str, Decimal]) -> list[str]:
    """What setting the counties' allocations of an RSS line to `amounts` (county code -> amount)
    would break in the ledger: above all, a county's allocation below what it has already
    requisitioned (under the decision-year's lock, as `budget_line_guard`)."""
    budget = line.budget
    _lock_year(budget.decision_id, budget.year)
    limits = ledger_limits(budget=budget)
    after = replace(limits, allocations={**limits.allocations, **amounts})
    sums = ledger_sums(decision=budget.decision, year=budget.year)
    return new_breaches(compute(sums, limits), compute(sums, after))


def _amount(value: Any) -> Decimal:
    try:
        amount = parse_amount(value)
    except AmountError as exc:
        raise field_error("amount", str(exc)) from None
    if amount == 0:
        raise field_error("amount", _("Beloppet måste vara större än noll."))
    return amount


def _required_text(value: Any, *, field: str, max_length: int, missing: str) -> str:
    text = clean_text(value, field=field, max_length=max_length)
    if not text:
        raise field_error(field, missing)
    return text


def _entry_date(value: dt.date | None, year: int) -> dt.date:
    earliest, latest = entry_date_bounds(year)
    if value is None:
        return latest
    checked = clean_date(value, field="entry_date", earliest=earliest, latest=latest)
    assert checked is not None
    return checked


def entry_record(
    *,
    actor: Any,
    decision: FundingDecision,
    year: int,
    kind: str,
    amount: Any,
    reference: str,
    county_code: str | None = None,
    line: int | str | None = None,
    entry_date: dt.date | None = None,
    note: str = "",
) -> LedgerEntry:
    """Record one requisition, disbursement, expenditure, repayment or reclaim. All or nothing.

    `county_code` set: the RSS tier (that county ↔ SKR); otherwise the state tier (SKR ↔ state).
    `line`: the goal area of SKR's own expenditure. `actor` (a user, or the operator at the
    command line) is checked against the policy and recorded. Refusals: `PermissionDenied` with
    the policy's reason; `ValidationError` keyed by `kind`, `amount`, `reference`, `county`,
    `line`, `entry_date`, `note`, or a non-field one for a broken invariant; `NotFound` for a year
    without a budget.
    """
    if kind not in EntryKind.values:
        raise field_error("kind", _("Okänt slag: %(kind)s.") % {"kind": str(kind)[:40]})
    tier = Tier.RSS if county_code else Tier.STATE
    require(actor, action_for(tier, kind), county_code)
    errors = ErrorCollector()
    value = errors.run(lambda: _amount(amount))
    text = errors.run(
        lambda: _required_text(
            reference,
            field="reference",
            max_length=SHORT,
            missing=_("Ange diarienummer eller annan referens."),
        )
    )
    clean_note = errors.run(
        lambda: clean_text(note, field="note", max_length=NOTE_MAX_LENGTH, multiline=True)
    )
    date = errors.run(lambda: _entry_date(entry_date, year))
    if kind == EntryKind.RECLAIM and tier == Tier.RSS:
        errors.add("kind", _("Återkrav görs av staten mot SKR, inte mot ett län."))
    number = None
    if line not in (None, ""):
        if tier == Tier.STATE and kind == EntryKind.EXPENDITURE:
            number = errors.run(lambda: clean_int(line, field="line", minimum=1, maximum=LINE_MAX))
        else:
            errors.add("line", _("Målområde anges bara för SKR:s egna utgifter."))
    county = None
    if county_code:
        try:
            county = county_get(code=county_code)
        except NotFound as exc:
            errors.add("county", str(exc))
    goal_area: GoalArea | None = None
    if number is not None:
        goal_area = next((g for g in decision.goal_areas.all() if g.number == number), None)
        if goal_area is None:
            errors.add(
                "line",
                _("%(slug)s har inget målområde %(n)s.") % {"slug": decision.slug, "n": number},
            )
    errors.raise_if_any()
    assert value is not None and text is not None and clean_note is not None and date is not None
    budget = budget_get(decision=decision, year=year)
    with transaction.atomic():
        _lock_year(decision.pk, year)
        sums = _check(budget, decision, year, (tier, kind, county_code, number), value)
        entry = _append(
            _lock_head(),
            LedgerEntry(
                decision=decision,
                year=year,
                tier=tier,
                kind=kind,
                county=county,
                goal_area=goal_area,
                amount=value,
                entry_date=date,
                reference=text,
                note=clean_note,
                recorded_by=actor_user(actor),
                recorded_by_name=actor_label(actor),
            ),
        )
        entry_closures(entry=entry, actor=actor, sums=sums)
    return entry


def entry_reverse(
    *,
    actor: Any,
    entry: LedgerEntry,
    reason: str,
    entry_date: dt.date | None = None,
) -> LedgerEntry:
    """Correct an entry by a reversing entry with a reason. An entry is reversed at most once,
    and only if the ledger still adds up without it. `actor` must be allowed to record an entry
    of the same kind (the policy's reason if not). Refusals: `ValidationError` keyed by `reason`
    or `entry_date`, or a non-field one (code "reversal" or "invariant")."""
    county_code = entry.county.code if entry.county else None
    require(actor, action_for(entry.tier, entry.kind), county_code)
    errors = ErrorCollector()
    text = errors.run(
        lambda: _required_text(
            reason, field="reason", max_length=REASON, missing=_("Ange skälet till rättelsen.")
        )
    )
    date = errors.run(lambda: _entry_date(entry_date, entry.year))
    errors.raise_if_any()
    assert text is not None and date is not None
    if entry.reverses_id is not None:
        raise ValidationError(
            _("Post #%(n)s är själv en rättelse och kan inte rättas.") % {"n": entry.sequence},
            code="reversal",
        )
    budget = budget_get(decision=entry.decision, year=entry.year)
    line = entry.goal_area.number if entry.goal_area else None
    with transaction.atomic():
        _lock_year(entry.decision_id, entry.year)
        if LedgerEntry.objects.filter(reverses=entry).exists():
            raise ValidationError(_("Post #%(n)s är redan rättad.") % {"n": entry.sequence}, code="reversal")
        key = (entry.tier, entry.kind, county_code, line)
        sums = _check(budget, entry.decision, entry.year, key, -entry.amount)
        reversal = _append(
            _lock_head(),
            LedgerEntry(
                decision=entry.decision,
                year=entry.year,
                tier=entry.tier,
                kind=entry.kind,
                county=entry.county,
                goal_area=entry.goal_area,
                amount=-entry.amount,
                entry_date=date,
                reference=entry.reference,
                reverses=entry,
                reason=text,
                recorded_by=actor_user(actor),
                recorded_by_name=actor_label(actor),
            ),
        )
        entry_closures(entry=reversal, actor=actor, sums=sums)
    return reversal


def chain_verify() -> list[str]:
    """What is wrong with the chain: contiguous sequence numbers, each digest matching its entry
    under the key and its predecessor's digest, the head matching the last entry, the anchor file
    agreeing with the database, the database's refusal of UPDATE/DELETE in place."""
    return chain_report().problems


def ledger_seal(*, actor: Any) -> int:
    """Take the key into use on a ledger chained with plain SHA-256 before issue 12: after
    checking the whole old chain, write the key line for its head to the anchor. The old entries
    keep their digests (no UPDATE: the database refuses them, and rewriting would erase the proof
    that the old chain held); every later entry is keyed and chains onto them, and the signed key
    line fixes the old head. Returns the sealed head's sequence. Refusals: `ValidationError`
    (code "seal") naming what is in the way."""
    require(actor, "ledger.seal")
    with transaction.atomic():
        head = _lock_head()
        if anchor_started():
            raise ValidationError(_("Medelsflödet är redan förseglat: ankarfilen finns."), code="seal")
        try:
            key = key_load()
        except LedgerKeyError as exc:
            raise ValidationError(str(exc), code="seal") from None
        report = legacy_chain_report()
        if report.problems:
            raise ValidationError(
                _("Den gamla kedjan håller inte, inget förseglades: %(problem)s")
                % {"problem": report.problems[0]},
                code="seal",
            )
        key = key or key_create()
        anchor_write(key=key, sequence=head.sequence, digest=head.digest or GENESIS, event=KEY_EVENT)
    return head.sequence


def ledger_anchor(*, actor: Any) -> tuple[int, int]:
    """Bring a lagging anchor up to the database's head (after a crash between a commit and its
    anchor line), once the chain has been checked under the key. Returns (anchored before, now).
    Refusals: `ValidationError` (code "anchor")."""
    require(actor, "ledger.seal")
    with transaction.atomic():
        head = _lock_head()
        report = chain_report()
        if report.problems:
            raise ValidationError(
                _("Kedjan håller inte, ankaret skrevs inte: %(problem)s") % {"problem": report.problems[0]},
                code="anchor",
            )
        lines, _malformed = anchor_read()
        before = max((line.sequence for line in lines), default=0)
        if head.sequence > before:
            key = key_load()
            assert key is not None  # chain_report found no problem, so the key is there
            anchor_write(key=key, sequence=head.sequence, digest=head.digest, event=CATCHUP_EVENT)
    return before, max(before, head.sequence)


@dataclass(frozen=True)
class VerifyResult:
    problems: list[str]
    budgets: int
    allocations: int
    entries: int
    # Worth telling the operator, not a violation (the anchor behind the database after a crash).
    notices: list[str] = field(default_factory=list)


def ledger_verify() -> VerifyResult:
    """Everything `jamkoll verify` checks: budgets and allocations, the ledger invariants of every
    decision and year (counties included), the running sums against the entries, and the digest
    chain."""
    problems, n_budgets, n_allocations = programmes_verify()
    # The invariants are checked on what the entries themselves add up to (one grouped pass), not
    # on the running sums, which are checked against the same figures below.
    groups = group_sums()
    from_entries = entry_sums_by_year(groups)
    pairs = {(d.pk, y) for d, y in ledger_years()} | from_entries.keys()
    decisions = decisions_by_id(d for d, _y in pairs)
    for decision_id, year in sorted(pairs):
        decision = decisions[decision_id]
        try:
            budget = budget_get(decision=decision, year=year)
        except NotFound as exc:
            problems.append(f"{decision.slug} {year}: poster utan budget ({exc})")
            continue
        balance = compute(from_entries.get((decision_id, year), {}), ledger_limits(budget=budget))
        problems += [f"{decision.slug} {year}: {v}" for v in violations(balance)]
    problems += totals_verify(groups)
    chain = chain_report()
    problems += chain.problems
    return VerifyResult(problems, n_budgets, n_allocations, chain.entries, chain.notices)
