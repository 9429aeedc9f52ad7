"""The state guards of an obligation: one per transition, each answering why not.

    open (upcoming, due soon, overdue, not scheduled) --submit--> submitted (on time / late)
    open                                             --waive---> waived
    open, derived or without a stated date           --reschedule--> open (new nominal date)

Submitted and waived are final here; a mistaken registration is corrected by an administrator,
and the change history keeps both. Who may act is the policy's question (accounts.policy); these
guards only ask whether the obligation's state allows the act. Services enforce both; pages use
both to show or explain a form.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from .models import Obligation


def _closed(obligation: Obligation) -> str:
    if obligation.waived_at is not None:
        return _("Åtagandet är undantaget.")
    if obligation.submitted_on is not None:
        return _("Åtagandet är redan registrerat som inlämnat %(date)s.") % {
            "date": obligation.submitted_on.isoformat()
        }
    return ""


def submit_refusal(obligation: Obligation) -> str:
    return _closed(obligation)


def waive_refusal(obligation: Obligation) -> str:
    return _closed(obligation)


def reschedule_refusal(obligation: Obligation) -> str:
    closed = _closed(obligation)
    if closed:
        return closed
    stated = (
        obligation.nominal_date is not None and not obligation.derived and obligation.rescheduled_at is None
    )
    if stated:
        return _("Datumet står i beslutet för just detta år och kan inte ändras här.")
    return ""


REFUSALS = {
    "obligation.submit": submit_refusal,
    "obligation.waive": waive_refusal,
    "obligation.edit": reschedule_refusal,
}
