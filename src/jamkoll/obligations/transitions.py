"""The transitions of an obligation: the state guard of each (why not) and the service that does it.

    open (upcoming, due soon, overdue, not scheduled) --submit--> submitted (on time / late)
    open                                             --close---> submitted, closed by <key>
    submitted, closed by <key>                       --reopen--> open (with the reason)
    open                                             --waive---> waived
    open, derived or without a stated date           --reschedule--> open (new nominal date)
    fulfilled per a document, date unknown           --submit--> submitted (the date found)

Submitted by hand and waived are final here; a mistaken registration is corrected by an
administrator, and the change history keeps both. An obligation *closed* by the act that fulfils
it (`obligation_close`: a ledger entry, a proposed plan, a submitted report, named by a key such as
"ledger-entry:57") is reopened when that act is undone (`obligations_reopen`: the entry reversed).
Close and reopen are called by the services of those acts, inside their transactions, after they
have asked the policy about the act itself: they are not the user's actions on an obligation (the
treasury records the repayment that SKR owes, yet may not register SKR's obligation), so they ask
no policy of their own. They record the act's actor as the account and the act as the reason.

Each service is the only way the web, the API and the CLI change an obligation. It asks the policy
(who: `PermissionDenied` with the policy's reason) and the guard (what: a `ValidationError` not tied
to a field, with a `code=` that tells the refusals apart), validates its own input (a
`ValidationError` keyed by the field), locks the row and writes in one transaction, and leaves a
history record with the actor and the reason. Pages ask the same guards to show or explain a form.

The actor is required: a user, or a `SystemActor` (the operator at the command line, a loader).
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from jamkoll.accounts.policy import Verdict, actor_label, actor_user, check, require
from jamkoll.errors import field_error
from jamkoll.programmes.models import FundingDecision
from jamkoll.validation import DATE_MAX, DATE_MIN, REASON, SHORT, clean_date, clean_text

from .models import CLOSED_BY_MAX, Obligation, ObligationKind, Tier


class Action(StrEnum):
    """The policy's actions on an obligation; `short` is the key pages and the API use."""

    SUBMIT = "obligation.submit"
    WAIVE = "obligation.waive"
    EDIT = "obligation.edit"  # reschedule

    @property
    def short(self) -> str:
        return self.value.split(".", 1)[1]


class Refusal(StrEnum):
    """The `code=` of a refused transition."""

    WAIVED = "waived"
    SUBMITTED = "submitted"
    DATE_STATED = "date_stated"
    NOT_CLOSED = "not_closed"
    FULFILLED = "fulfilled"


# The column the receiver's diary number is stored in; a document reference made by the reports
# (title, version and checksum) may be longer than a typed one, up to its column.
RECEIPT_REFERENCE_MAX = 100
DOCUMENT_REFERENCE_MAX = 300
# A new date lies within the decision's period and the year the obligation concerns, with this margin.
RESCHEDULE_MARGIN_YEARS = 2


# --- The state guards ------------------------------------------------------------------------------


def _closed(obligation: Obligation) -> ValidationError | None:
    if obligation.waived_at is not None:
        return ValidationError(_("Åtagandet är undantaget."), code=Refusal.WAIVED)
    if obligation.submitted_on is not None:
        return ValidationError(
            _("Åtagandet är redan registrerat som inlämnat %(date)s.")
            % {"date": obligation.submitted_on.isoformat()},
            code=Refusal.SUBMITTED,
        )
    return None


def submit_refusal(obligation: Obligation) -> ValidationError | None:
    return _closed(obligation)


def waive_refusal(obligation: Obligation) -> ValidationError | None:
    """What a document shows done is not excused: registering its date is still possible."""
    if obligation.evidence and obligation.waived_at is None and obligation.submitted_on is None:
        return ValidationError(
            _("Åtagandet är fullgjort enligt underlaget och kan inte undantas."), code=Refusal.FULFILLED
        )
    return _closed(obligation)


def reschedule_refusal(obligation: Obligation) -> ValidationError | None:
    closed = _closed(obligation)
    if closed is not None:
        return closed
    stated = (
        obligation.nominal_date is not None and not obligation.derived and obligation.rescheduled_at is None
    )
    if stated:
        return ValidationError(
            _("Datumet står i beslutet för just detta år och kan inte ändras här."), code=Refusal.DATE_STATED
        )
    return None


def close_refusal(obligation: Obligation) -> ValidationError | None:
    """An obligation already handed in (by hand or by another act) or waived stays as it is."""
    return _closed(obligation)


def reopen_refusal(obligation: Obligation, closed_by: str) -> ValidationError | None:
    """Only a closure by `closed_by` is undone by undoing that act; a registration by hand is not."""
    if obligation.submitted_on is None or not closed_by or obligation.closed_by != closed_by:
        return ValidationError(
            _("Åtagandet är inte stängt av %(key)s.") % {"key": closed_by[:CLOSED_BY_MAX]},
            code=Refusal.NOT_CLOSED,
        )
    return None


GUARDS = {Action.SUBMIT: submit_refusal, Action.WAIVE: waive_refusal, Action.EDIT: reschedule_refusal}


def action_verdict(actor: Any, action: Action, obligation: Obligation) -> Verdict:
    """May `actor` do `action` to `obligation` now? The policy (who) first, then the state (what)."""
    verdict = check(actor, action, obligation)
    if not verdict:
        return verdict
    refusal = GUARDS[action](obligation)
    return Verdict(False, refusal.messages[0]) if refusal is not None else verdict


def obligation_actions(actor: Any, obligation: Obligation) -> dict[str, Verdict]:
    """`{"submit": Verdict, "waive": …, "edit": …}`: what the actor may do, or why not."""
    return {action.short: action_verdict(actor, action, obligation) for action in Action}


# --- The services ----------------------------------------------------------------------------------


def _lockable() -> QuerySet[Obligation]:
    """What the policy needs to decide (owners, county), with the obligation's row locked."""
    return (
        Obligation.objects.select_for_update(of=("self",))
        .select_related("decision", "county")
        .prefetch_related("owners")
    )


def _authorise(actor: Any, action: Action, obligation: Obligation) -> None:
    require(actor, action, obligation)
    refusal = GUARDS[action](obligation)
    if refusal is not None:
        raise refusal


def _reason(reason: Any) -> str:
    """A reason, required, on one line: it is also the history's change reason (100 characters)."""
    return str(clean_text(reason, field="reason", max_length=REASON, required=True))


def _record(obligation: Obligation, actor: Any, reason: str) -> None:
    """Who and why, for the change history; a system actor is named in the reason."""
    user = actor_user(actor)
    if user is None:
        reason = f"{reason} ({actor_label(actor)})"
        if len(reason) > REASON:
            reason = reason[: REASON - 1] + "…"
    obligation._history_user = user  # type: ignore[attr-defined]
    obligation._change_reason = reason  # type: ignore[attr-defined]


def date_bounds(decision: FundingDecision, year: int) -> tuple[dt.date, dt.date]:
    """The dates a deadline of `decision` concerning `year` may be set to: the decision's period
    and the year, widened by two years each way, within DATE_MIN..DATE_MAX."""
    years = [y for y in (decision.start_year, decision.end_year, year) if y]
    first = max(min(years) - RESCHEDULE_MARGIN_YEARS, DATE_MIN.year)
    last = min(max(years) + RESCHEDULE_MARGIN_YEARS, DATE_MAX.year)
    return dt.date(first, 1, 1), dt.date(last, 12, 31)


def obligation_submit(
    *,
    obligation: Obligation,
    submitted_on: dt.date | None,
    receipt_reference: str = "",
    document_reference: str = "",
    actor: Any,
    today: dt.date | None = None,
) -> Obligation:
    """Register that the obligation was handed in (or, by the receiver, received) on a date."""
    today = today or timezone.localdate()
    with transaction.atomic():
        ob = _lockable().get(pk=obligation.pk)
        _authorise(actor, Action.SUBMIT, ob)
        if isinstance(submitted_on, dt.date) and submitted_on > today:
            raise ValidationError(
                {"submitted_on": _("Datumet för inlämningen kan inte ligga i framtiden.")}, code="future"
            )
        earliest, _latest = date_bounds(ob.decision, ob.year)
        ob.submitted_on = clean_date(submitted_on, field="submitted_on", earliest=earliest, latest=today)
        ob.receipt_reference = clean_text(
            receipt_reference, field="receipt_reference", max_length=RECEIPT_REFERENCE_MAX
        )
        ob.document_reference = clean_text(
            document_reference, field="document_reference", max_length=DOCUMENT_REFERENCE_MAX
        )
        ob.submitted_by = actor_user(actor)
        ob.submitted_at = timezone.now()
        ob.reopened_at, ob.reopened_by, ob.reopen_reason = None, None, ""
        ob.full_clean()
        _record(ob, actor, _("Registrerad som inlämnad"))
        ob.save()
    return ob


# A closure's own history reason names the act ("Stängd av post #57 i medelsflödet"); the text of
# a reopening may say more than the history's 100 characters (the reversal's own reason and which
# entry it reversed), so it is kept whole on the obligation.
REOPEN_REASON_MAX = SHORT
_CLOSED_BY = re.compile(r"^[a-z][a-z-]*:[0-9]{1,20}$")


def _closed_by(value: Any) -> str:
    key = str(value or "")
    if not _CLOSED_BY.match(key) or len(key) > CLOSED_BY_MAX:
        raise field_error("closed_by", _("Ange vad som stängde åtagandet som slag:nummer."))
    return key


def _history_reason(text: str) -> str:
    return text if len(text) <= REASON else text[: REASON - 1] + "…"


def obligation_close(
    *,
    obligation: Obligation,
    on: dt.date | None,
    closed_by: str,
    document_reference: str,
    actor: Any,
    receipt_reference: str = "",
    today: dt.date | None = None,
) -> Obligation:
    """The act `closed_by` ("ledger-entry:57") fulfilled the obligation on `on`: record the date,
    the act (its key, and `document_reference` in words), and so whether it was on time against
    the effective date (`status_on`). Called by the act's own service inside its transaction,
    after that service asked the policy (see the module's docstring): the actor is recorded, not
    asked. Refused (code "submitted"/"waived") when the obligation is no longer open, which the
    caller checks first with `close_refusal`; a `ValidationError` keyed `on` for a date outside
    the obligation's bounds or in the future."""
    today = today or timezone.localdate()
    key = _closed_by(closed_by)
    with transaction.atomic():
        ob = _lockable().get(pk=obligation.pk)
        refusal = close_refusal(ob)
        if refusal is not None:
            raise refusal
        earliest, _latest = date_bounds(ob.decision, ob.year)
        ob.submitted_on = clean_date(on, field="on", earliest=earliest, latest=today)
        ob.closed_by = key
        ob.document_reference = clean_text(
            document_reference, field="document_reference", max_length=DOCUMENT_REFERENCE_MAX, required=True
        )
        ob.receipt_reference = clean_text(
            receipt_reference, field="receipt_reference", max_length=RECEIPT_REFERENCE_MAX
        )
        ob.submitted_by = actor_user(actor)
        ob.submitted_at = timezone.now()
        ob.reopened_at, ob.reopened_by, ob.reopen_reason = None, None, ""
        ob.full_clean()
        _record(ob, actor, _history_reason(_("Stängd av %(what)s") % {"what": ob.document_reference}))
        ob.save()
    return ob


def obligations_reopen(*, closed_by: str, reason: str, actor: Any) -> list[Obligation]:
    """The act `closed_by` was undone (a ledger entry reversed): every obligation it closed is
    open again, its submission cleared and `reason` kept on it and in the change history. Those
    registered by hand or closed by another act are left alone (`reopen_refusal`). Like
    `obligation_close`, called by the undoing service inside its transaction; the actor is recorded."""
    key = _closed_by(closed_by)
    text = str(clean_text(reason, field="reason", max_length=REOPEN_REASON_MAX, required=True))
    reopened: list[Obligation] = []
    with transaction.atomic():
        for ob in _lockable().filter(closed_by=key).order_by("pk"):
            if reopen_refusal(ob, key) is not None:
                continue
            ob.submitted_on = None
            ob.submitted_by = None
            ob.submitted_at = None
            ob.closed_by = ""
            ob.document_reference = ""
            ob.receipt_reference = ""
            ob.reopened_at = timezone.now()
            ob.reopened_by = actor_user(actor)
            ob.reopen_reason = text
            ob.full_clean()
            _record(ob, actor, _history_reason(text))
            ob.save()
            reopened.append(ob)
    return reopened


def obligation_waive(*, obligation: Obligation, reason: str, actor: Any) -> Obligation:
    """Record that the obligation need not be met, why, and who decided."""
    with transaction.atomic():
        ob = _lockable().get(pk=obligation.pk)
        _authorise(actor, Action.WAIVE, ob)
        ob.waiver_reason = _reason(reason)
        ob.waived_at = timezone.now()
        ob.waived_by = actor_user(actor)
        ob.full_clean()
        _record(ob, actor, ob.waiver_reason)
        ob.save()
    return ob


def obligation_reschedule(
    *, obligation: Obligation, nominal_date: dt.date | None, reason: str, actor: Any
) -> Obligation:
    """Set another nominal date (a derived year, or one no document dated), with a reason. The
    effective date follows; reminders start over for the new date."""
    with transaction.atomic():
        ob = _lockable().get(pk=obligation.pk)
        _authorise(actor, Action.EDIT, ob)
        day = _new_date(ob.decision, ob.year, nominal_date)
        text = _reason(reason)
        if day == ob.nominal_date:
            raise ValidationError({"nominal_date": _("Åtagandet har redan detta datum.")}, code="unchanged")
        return _reschedule(ob, nominal_date=day, reason=text, actor=actor)


def _new_date(decision: FundingDecision, year: int, nominal_date: dt.date | None) -> dt.date:
    earliest, latest = date_bounds(decision, year)
    day = clean_date(nominal_date, field="nominal_date", earliest=earliest, latest=latest)
    assert day is not None
    return day


def _reschedule(ob: Obligation, *, nominal_date: dt.date, reason: str, actor: Any) -> Obligation:
    ob.nominal_date = nominal_date
    ob.rescheduled_at = timezone.now()
    ob.rescheduled_by = actor_user(actor)
    ob.reschedule_reason = reason
    ob.full_clean()
    _record(ob, actor, reason)
    ob.save()
    ob.reminders.all().delete()
    return ob


RSS_KINDS = (ObligationKind.REQUISITION, ObligationKind.FINANCIAL_REPORT, ObligationKind.REPAYMENT)


def obligations_reschedule_rss(
    *,
    decision: FundingDecision,
    year: int,
    kind: str,
    nominal_date: dt.date | None,
    reason: str,
    actor: Any,
) -> list[Obligation]:
    """One date for the same obligation of every county (SKR's instructions to RSS), with a reason.
    Counties that have already handed in or been excused keep theirs. All or nothing."""
    require(actor, Action.EDIT)
    if kind not in RSS_KINDS:
        raise ValidationError({"kind": _("Välj rekvisition, redovisning eller återbetalning.")}, code="kind")
    day = _new_date(decision, year, nominal_date)
    text = _reason(reason)
    changed: list[Obligation] = []
    with transaction.atomic():
        rows = list(
            _lockable()
            .filter(decision=decision, year=year, kind=kind, tier=Tier.RSS)
            .order_by("county__code")
        )
        if not rows:
            raise ValidationError({"kind": _("Det finns inga sådana RSS-åtaganden detta år.")}, code="none")
        for ob in rows:
            require(actor, Action.EDIT, ob)
        for ob in rows:
            if GUARDS[Action.EDIT](ob) is not None or ob.nominal_date == day:
                continue
            changed.append(_reschedule(ob, nominal_date=day, reason=text, actor=actor))
    return changed
