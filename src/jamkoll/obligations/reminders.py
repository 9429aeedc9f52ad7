"""Reminders by e-mail 30, 7 and 1 days before an obligation's effective date and when it becomes
overdue, each exactly once however often the job runs (`jamkoll reminders`, the daily task).

A reminder stage is due from its day on (`<=`), so a day the job did not run is caught up the next
day. Only the latest due stage is sent: after a week without runs, nobody wants "30 days left"
when there are 5. Overdue reminders are caught up for a month; a database seeded years after the
deadlines should not mail every owner about every deadline since 2018.

The job acts for nobody: it authorises nothing and records no actor. Each reminder row is claimed
(created) before its e-mail is sent, so two runs at once send it once (healthchecks' way).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from jamkoll.accounts.selectors import user_language

from .models import OPEN_STATUSES, Obligation, ObligationKind, Reminder, ReminderKind, Tier
from .selectors import about_date, obligation_queryset, party_name, reminder_recipients

logger = logging.getLogger(__name__)

STAGE_ORDER = [ReminderKind.DAYS_30, ReminderKind.DAYS_7, ReminderKind.DAYS_1, ReminderKind.OVERDUE]
OVERDUE_CATCH_UP_DAYS = 30


def reminder_stage(effective: dt.date, today: dt.date) -> ReminderKind | None:
    days_left = (effective - today).days
    if days_left < 0:
        return ReminderKind.OVERDUE if -days_left <= OVERDUE_CATCH_UP_DAYS else None
    if days_left <= 1:
        return ReminderKind.DAYS_1
    if days_left <= 7:
        return ReminderKind.DAYS_7
    if days_left <= 30:
        return ReminderKind.DAYS_30
    return None


@dataclass
class ReminderReport:
    sent: list[Reminder] = field(default_factory=list)
    skipped: int = 0
    failed: int = 0


def _claim(obligation: Obligation, kind: str, user: Any) -> Reminder | None:
    """Create the reminder row before sending; if another run got there first, None."""
    assert obligation.effective_date is not None
    try:
        with transaction.atomic():
            return Reminder.objects.create(
                obligation=obligation, kind=kind, user=user, due_date=obligation.effective_date
            )
    except IntegrityError:
        return None


def _send(reminder: Reminder, obligation: Obligation, today: dt.date) -> None:
    on = about_date(obligation)
    context = {
        "obligation": obligation,
        "reminder": reminder,
        "user": reminder.user,
        "days_left": obligation.days_left_on(today),
        "owed_to": party_name(obligation.owed_to, on),
        "owed_by": party_name(obligation.owed_by, on),
        "reclaim_risk": obligation.kind == ObligationKind.FINANCIAL_REPORT and obligation.tier == Tier.STATE,
    }
    with translation.override(user_language(reminder.user)):
        subject = " ".join(render_to_string("obligations/email/reminder_subject.txt", context).split())
        body = render_to_string("obligations/email/reminder_body.txt", context)
    send_mail(subject, body, None, [reminder.user.email])


def reminders_send(*, today: dt.date) -> ReminderReport:
    """E-mail each owner of an open obligation 30, 7 and 1 days before its effective date and when it
    becomes overdue, each reminder exactly once however often this runs. None for one that fell due
    before the decision's records were kept ("Uppgift saknas") or that a document shows done."""
    report = ReminderReport()
    candidates = obligation_queryset().filter(
        waived_at__isnull=True,
        submitted_on__isnull=True,
        evidence="",
        effective_date__lte=today + dt.timedelta(days=30),
        effective_date__gte=today - dt.timedelta(days=OVERDUE_CATCH_UP_DAYS),
    )
    for obligation in candidates.order_by("effective_date", "pk"):
        assert obligation.effective_date is not None
        if obligation.status_on(today) not in OPEN_STATUSES:
            continue  # "Uppgift saknas" (due before the records were kept): no reminder
        stage = reminder_stage(obligation.effective_date, today)
        if stage is None:
            continue
        this_or_later = STAGE_ORDER[STAGE_ORDER.index(stage) :]
        for user in reminder_recipients(obligation):
            if Reminder.objects.filter(obligation=obligation, user=user, kind__in=this_or_later).exists():
                report.skipped += 1
                continue
            reminder = _claim(obligation, stage, user)
            if reminder is None:
                report.skipped += 1
                continue
            try:
                _send(reminder, obligation, today)
            except Exception:
                # Give the claim back so that the next run tries again.
                logger.exception("påminnelse kunde inte skickas: %s", reminder)
                reminder.delete()
                report.failed += 1
                continue
            reminder.sent_at = timezone.now()
            reminder.save(update_fields=["sent_at"])
            report.sent.append(reminder)
    return report
