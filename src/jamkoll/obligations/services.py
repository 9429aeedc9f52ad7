"""Writes for obligations: generation from the decisions' conditions, the three transitions
(submit, waive, reschedule), personal calendar feeds, and reminders.

The transitions are the only way the web, the API and the CLI change an obligation. Each asks the
policy (who) and the state guard (what), locks the row and writes in one transaction, and leaves a
history record with the user and the reason.

Generation is idempotent (`seeding.upsert`): a second run writes nothing. It never overwrites what
people recorded: submissions, waivers, and a nominal date that someone rescheduled.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import secrets
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from jamkoll.accounts.models import Role
from jamkoll.accounts.policy import check
from jamkoll.money import format_sek
from jamkoll.programmes.models import Condition, FundingDecision
from jamkoll.programmes.selectors import budgets_for_decision
from jamkoll.reference.models import Organisation, OrganisationCategory
from jamkoll.reference.selectors import county_list, organisation_get
from jamkoll.seeding import SeedReport, upsert

from .models import (
    CalendarFeed,
    Obligation,
    ObligationKind,
    ObligationOwner,
    Reminder,
    ReminderKind,
    Tier,
)
from .selectors import about_date, obligation_queryset, party_name, reminder_recipients
from .transitions import REFUSALS

logger = logging.getLogger(__name__)


class TransitionRefused(Exception):
    """The obligation's state does not allow the act; the message says why, in Swedish."""


# --- Generation ---------------------------------------------------------------------------------

MONTHS = {
    name: number
    for number, name in enumerate(
        [
            "januari",
            "februari",
            "mars",
            "april",
            "maj",
            "juni",
            "juli",
            "augusti",
            "september",
            "oktober",
            "november",
            "december",
        ],
        start=1,
    )
}
_STATED_DATE = re.compile(r"senast den (\d{1,2}) (" + "|".join(MONTHS) + r") (\d{4})", re.IGNORECASE)


def stated_date(text: str) -> dt.date | None:
    """The last day a condition states ("senast den 31 mars 2019"), or None when it states none."""
    match = _STATED_DATE.search(text)
    if match is None:
        return None
    return dt.date(int(match.group(3)), MONTHS[match.group(2).lower()], int(match.group(1)))


def _shift_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class StateRule:
    """How a dated condition of a decision becomes SKR's obligation towards the state."""

    owed_to: str  # "ministry": the decision's responsible ministry; otherwise an organisation code
    owners: tuple[str, ...]
    title: str


# The requisition, the financial report and the activity reports are signed by SKR's authorised
# representative, and the ekonomichef certifies the financial report (seed 001 §8).
STATE_RULES: dict[str, StateRule] = {
    ObligationKind.PROJECT_PLAN: StateRule(
        "ministry", (Role.COORDINATOR,), "Förslag till projektplan för {year}"
    ),
    ObligationKind.REQUISITION: StateRule(
        "KAMK", (Role.COORDINATOR, Role.SIGNATORY), "Rekvisition av medel för {year} från Kammarkollegiet"
    ),
    ObligationKind.REPAYMENT: StateRule(
        "KAMK", (Role.COORDINATOR,), "Återbetalning av medel för {year} som inte har använts"
    ),
    ObligationKind.FINANCIAL_REPORT: StateRule(
        "KAMK",
        (Role.COORDINATOR, Role.CERTIFIER, Role.SIGNATORY),
        "Ekonomisk redovisning för {year}, intygad av ekonomichefen",
    ),
    ObligationKind.ACTIVITY_REPORT: StateRule(
        "ministry", (Role.COORDINATOR, Role.SIGNATORY), "Redovisning av hela arbetet inom satsningen {year}"
    ),
}

HALVES = (
    ("h1", (1, 1), (6, 30), "Halvårsrapport från styrgruppen, första halvåret {year}"),
    ("h2", (7, 1), (12, 31), "Halvårsrapport från styrgruppen, andra halvåret {year}"),
)

RSS_SOURCE = "seed 002"
RSS_SOURCE_TEXT = (
    "RSS ska få möjlighet att rekvirera dessa medel enligt instruktioner som SKL kommer att skicka ut "
    "i mars eller april, men detta är ännu inte klart."
)
RSS_RULES = (
    (ObligationKind.REQUISITION, "Rekvisition från SKR av RSS-medel för {year} ({amount}), {county}"),
    (ObligationKind.FINANCIAL_REPORT, "Redovisning av hur RSS-medlen för {year} har använts, {county}"),
    (
        ObligationKind.REPAYMENT,
        "Återbetalning till SKR av RSS-medel för {year} som inte har använts, {county}",
    ),
)

NOTE_DERIVED = (
    "Villkoret står för {first} och gäller genom överenskommelsen även {year}; datumet är överfört "
    "från {first} års villkor. Ett senare beslut kan ange annat."
)
NOTE_STATUS = "Överenskommelsen anger att styrgruppen rapporterar halvårsvis men inga datum."
NOTE_APPLICATION = "SKR planerar nya ansökningar; underlaget anger inget datum."
NOTE_RSS = (
    "Underlagen anger inget datum: SKR skickar instruktioner till RSS. Datumet sätts för alla län samtidigt."
)


def citation(condition: Condition) -> str:
    """The condition's document and section as one citation: "seed 001, bilaga 1 §8"."""
    source, section = condition.source, condition.section
    if not section:
        return source
    head = section.split(" §")[0]
    if head in source:
        return source.replace(head, section, 1)
    if " " not in section:  # a bare name such as "pressmeddelandet" repeats the document
        return source
    return f"{source}, {section}"


def receiver_role_for(organisation: Organisation) -> str:
    """The role that registers receipt at the receiving party."""
    if organisation.code == "SKR":
        return Role.COORDINATOR
    if organisation.code == "KAMK":
        return Role.TREASURY
    if organisation.category in {OrganisationCategory.GOVERNMENT, OrganisationCategory.MINISTRY}:
        return Role.MINISTRY
    return ""


@dataclass
class _Spec:
    key: str
    year: int
    kind: str
    tier: str
    title: str
    owed_by: Organisation
    owed_to: Organisation
    owners: tuple[str, ...]
    source_text: str
    source: str
    condition: Condition | None = None
    county: Organisation | None = None
    derived: bool = False
    nominal_date: dt.date | None = None
    date_note: str = ""
    period_start: dt.date | None = None
    period_end: dt.date | None = None


def _state_specs(decision: FundingDecision, kamk: Organisation) -> list[_Spec]:
    recipient, ministry, grantor = decision.recipient, decision.responsible_ministry, decision.grantor
    if recipient is None:
        return []
    specs: list[_Spec] = []
    for condition in decision.conditions.all():
        common: dict[str, Any] = {
            "kind": condition.kind,
            "owed_by": recipient,
            "source_text": condition.text,
            "source": citation(condition),
            "condition": condition,
        }
        rule = STATE_RULES.get(condition.kind)
        if rule is not None and condition.year is not None:
            owed_to = ministry if rule.owed_to == "ministry" else kamk
            if owed_to is None:
                continue
            stated = stated_date(condition.text)
            # Conditions stated for the first year carry over to the decision's later years.
            for year in [y for y in decision.years if y >= condition.year]:
                derived = year != condition.year
                specs.append(
                    _Spec(
                        key=f"{year}-{condition.kind}",
                        year=year,
                        tier=Tier.STATE,
                        title=rule.title.format(year=year),
                        owed_to=owed_to,
                        owners=rule.owners,
                        derived=derived,
                        nominal_date=_shift_years(stated, year - condition.year) if stated else None,
                        date_note=NOTE_DERIVED.format(first=condition.year, year=year) if derived else "",
                        **common,
                    )
                )
        elif condition.kind == ObligationKind.STATUS_REPORT and grantor is not None:
            for year in decision.years:
                for half, (m1, d1), (m2, d2), title in HALVES:
                    specs.append(
                        _Spec(
                            key=f"{year}-status_report-{half}",
                            year=year,
                            tier=Tier.STATE,
                            title=title.format(year=year),
                            owed_to=grantor,
                            owners=(Role.COORDINATOR,),
                            period_start=dt.date(year, m1, d1),
                            period_end=dt.date(year, m2, d2),
                            date_note=NOTE_STATUS,
                            **common,
                        )
                    )
        elif condition.kind == ObligationKind.APPLICATION and decision.applications_until:
            owed_to = ministry or grantor
            if owed_to is None or decision.end_year is None:
                continue
            for year in range(decision.end_year + 1, decision.applications_until + 1):
                specs.append(
                    _Spec(
                        key=f"{year}-application",
                        year=year,
                        tier=Tier.STATE,
                        title=f"Ansökan om medel för {year}",
                        owed_to=owed_to,
                        owners=(Role.COORDINATOR,),
                        date_note=NOTE_APPLICATION,
                        **common,
                    )
                )
    return specs


def _rss_specs(decision: FundingDecision, skr: Organisation) -> list[_Spec]:
    counties = {c.code: c for c in county_list()}
    specs: list[_Spec] = []
    for table in budgets_for_decision(decision=decision):
        for row in table.counties:
            county = counties[row.code]
            name = county.name_at(dt.date(table.year, 12, 31))
            for kind, title in RSS_RULES:
                specs.append(
                    _Spec(
                        key=f"{table.year}-{kind}-rss-{row.code}",
                        year=table.year,
                        kind=kind,
                        tier=Tier.RSS,
                        title=title.format(year=table.year, amount=format_sek(row.amount), county=name),
                        owed_by=county,
                        owed_to=skr,
                        owners=(Role.RSS,),
                        county=county,
                        source_text=RSS_SOURCE_TEXT,
                        source=RSS_SOURCE,
                        date_note=NOTE_RSS,
                    )
                )
    return specs


def _save_spec(decision: FundingDecision, spec: _Spec, report: SeedReport) -> Obligation:
    values: dict[str, Any] = {
        "year": spec.year,
        "kind": spec.kind,
        "tier": spec.tier,
        "title": spec.title,
        "owed_by": spec.owed_by,
        "owed_to": spec.owed_to,
        "county": spec.county,
        "receiver_role": receiver_role_for(spec.owed_to),
        "condition": spec.condition,
        "source_text": spec.source_text,
        "source": spec.source,
        "derived": spec.derived,
        "period_start": spec.period_start,
        "period_end": spec.period_end,
        "nominal_date": spec.nominal_date,
        "date_note": spec.date_note,
    }
    existing = Obligation.objects.filter(decision=decision, key=spec.key).first()
    if existing is not None and existing.rescheduled_at is not None:
        # Someone decided another date with a reason; the documents do not overrule that.
        del values["nominal_date"], values["date_note"]
    obligation = upsert(Obligation, {"decision": decision, "key": spec.key}, values, report=report)
    wanted = set(spec.owners)
    have = set(obligation.owners.values_list("role", flat=True))
    for role in sorted(wanted - have):
        upsert(ObligationOwner, {"obligation": obligation, "role": role}, report=report)
    if have - wanted:
        for owner in obligation.owners.filter(role__in=have - wanted):
            owner.delete()
        report.count(ObligationOwner, False, True)
    return obligation


def _stated_year(spec: _Spec) -> int:
    return (spec.condition.year or 0) if spec.condition is not None else 0


@transaction.atomic
def obligations_generate(*, report: SeedReport | None = None) -> SeedReport:
    """Every obligation the decisions' conditions set, for both tiers. Idempotent."""
    report = report or SeedReport()
    kamk = organisation_get(code="KAMK")
    skr = organisation_get(code="SKR")
    decisions = (
        FundingDecision.objects.filter(conditions__isnull=False)
        .distinct()
        .select_related("recipient", "responsible_ministry", "grantor")
        .prefetch_related("conditions")
        .order_by("start_year", "slug")
    )
    for decision in decisions:
        specs: dict[str, _Spec] = {}
        for spec in _state_specs(decision, kamk) + _rss_specs(decision, skr):
            # The latest condition wins: one stated for the year itself over one carried over to
            # it, and one carried over from 2019 over one carried over from 2018.
            if spec.key not in specs or _stated_year(spec) > _stated_year(specs[spec.key]):
                specs[spec.key] = spec
        for spec in specs.values():
            _save_spec(decision, spec, report)
    return report


# --- Transitions ----------------------------------------------------------------------------------


def _locked(obligation: Obligation) -> Obligation:
    """The row, locked for the rest of the transaction, with what the policy needs to decide."""
    return obligation_queryset().select_for_update(of=("self",)).get(pk=obligation.pk)


def _authorise(user: Any, action: str, obligation: Obligation) -> None:
    verdict = check(user, action, obligation)
    if not verdict:
        raise PermissionDenied(verdict.reason)
    refusal = REFUSALS[action](obligation)
    if refusal:
        raise TransitionRefused(refusal)


def _reason(reason: str, field_name: str = "reason") -> str:
    text = (reason or "").strip()
    if not text:
        raise ValidationError({field_name: _("Ange ett skäl.")})
    return text


def obligation_submit(
    *,
    obligation: Obligation,
    submitted_on: dt.date,
    receipt_reference: str = "",
    document_reference: str = "",
    user: Any,
    today: dt.date | None = None,
) -> Obligation:
    """Register that the obligation was handed in (or, by the receiver, received) on a date."""
    today = today or timezone.localdate()
    with transaction.atomic():
        ob = _locked(obligation)
        _authorise(user, "obligation.submit", ob)
        if submitted_on is None:
            raise ValidationError({"submitted_on": _("Ange datum för inlämningen.")})
        if submitted_on > today:
            raise ValidationError({"submitted_on": _("Datumet för inlämningen kan inte ligga i framtiden.")})
        ob.submitted_on = submitted_on
        ob.receipt_reference = (receipt_reference or "").strip()
        ob.document_reference = (document_reference or "").strip()
        ob.submitted_by = user
        ob.submitted_at = timezone.now()
        ob.full_clean()
        ob._history_user = user  # type: ignore[attr-defined]
        ob._change_reason = _("Registrerad som inlämnad")  # type: ignore[attr-defined]
        ob.save()
    return ob


def obligation_waive(*, obligation: Obligation, reason: str, user: Any) -> Obligation:
    """Record that the obligation need not be met, why, and who decided."""
    with transaction.atomic():
        ob = _locked(obligation)
        _authorise(user, "obligation.waive", ob)
        ob.waiver_reason = _reason(reason)
        ob.waived_at = timezone.now()
        ob.waived_by = user
        ob.full_clean()
        ob._history_user = user  # type: ignore[attr-defined]
        ob._change_reason = ob.waiver_reason  # type: ignore[attr-defined]
        ob.save()
    return ob


def obligation_reschedule(
    *, obligation: Obligation, nominal_date: dt.date, reason: str, user: Any
) -> Obligation:
    """Set another nominal date (a derived year, or one no document dated), with a reason. The
    effective date follows; reminders start over for the new date."""
    with transaction.atomic():
        ob = _locked(obligation)
        _authorise(user, "obligation.edit", ob)
        return _reschedule(ob, nominal_date=nominal_date, reason=reason, user=user)


def _reschedule(ob: Obligation, *, nominal_date: dt.date, reason: str, user: Any) -> Obligation:
    if nominal_date is None:
        raise ValidationError({"nominal_date": _("Ange ett datum.")})
    text = _reason(reason)
    if nominal_date == ob.nominal_date:
        raise ValidationError({"nominal_date": _("Åtagandet har redan detta datum.")})
    ob.nominal_date = nominal_date
    ob.rescheduled_at = timezone.now()
    ob.rescheduled_by = user
    ob.reschedule_reason = text
    ob.full_clean()
    ob._history_user = user  # type: ignore[attr-defined]
    ob._change_reason = text  # type: ignore[attr-defined]
    ob.save()
    ob.reminders.all().delete()
    return ob


def obligations_reschedule_rss(
    *, decision: FundingDecision, year: int, kind: str, nominal_date: dt.date, reason: str, user: Any
) -> list[Obligation]:
    """One date for the same obligation of every county (SKR's instructions to RSS), with a reason.
    Counties that have already handed in or been excused keep theirs. All or nothing."""
    _reason(reason)
    changed: list[Obligation] = []
    with transaction.atomic():
        rows = list(
            obligation_queryset()
            .select_for_update(of=("self",))
            .filter(decision=decision, year=year, kind=kind, tier=Tier.RSS)
            .order_by("county__code")
        )
        if not rows:
            raise ValidationError({"kind": _("Det finns inga sådana RSS-åtaganden detta år.")})
        for ob in rows:
            verdict = check(user, "obligation.edit", ob)
            if not verdict:
                raise PermissionDenied(verdict.reason)
        for ob in rows:
            if REFUSALS["obligation.edit"](ob) or ob.nominal_date == nominal_date:
                continue
            changed.append(_reschedule(ob, nominal_date=nominal_date, reason=reason, user=user))
    return changed


# --- Calendar feeds -------------------------------------------------------------------------------


def feed_create(*, user: Any) -> CalendarFeed:
    """A new secret feed address for the user; an earlier one stops working."""
    verdict = check(user, "feed.manage")
    if not verdict:
        raise PermissionDenied(verdict.reason)
    with transaction.atomic():
        feed_revoke(user=user)
        return CalendarFeed.objects.create(user=user, token=secrets.token_urlsafe(32))


def feed_revoke(*, user: Any) -> int:
    verdict = check(user, "feed.manage")
    if not verdict:
        raise PermissionDenied(verdict.reason)
    revoked = 0
    for feed in CalendarFeed.objects.filter(user=user, revoked_at__isnull=True):
        feed.revoked_at = timezone.now()
        feed._history_user = user  # type: ignore[attr-defined]
        feed.save(update_fields=["revoked_at"])
        revoked += 1
    return revoked


# --- Reminders ------------------------------------------------------------------------------------

# A reminder stage is due from its day on (`<=`), so a day the job did not run is caught up the next
# day. Only the latest due stage is sent: after a week without runs, nobody wants "30 days left"
# when there are 5. Overdue reminders are caught up for a month; a database seeded years after the
# deadlines should not mail every owner about every deadline since 2018.
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
    with translation.override("sv"):
        subject = " ".join(render_to_string("obligations/email/reminder_subject.txt", context).split())
        body = render_to_string("obligations/email/reminder_body.txt", context)
    send_mail(subject, body, None, [reminder.user.email])


def reminders_send(*, today: dt.date) -> ReminderReport:
    """E-mail each owner of an open obligation 30, 7 and 1 days before its effective date and when it
    becomes overdue, each reminder exactly once however often this runs."""
    report = ReminderReport()
    candidates = obligation_queryset().filter(
        waived_at__isnull=True,
        submitted_on__isnull=True,
        effective_date__lte=today + dt.timedelta(days=30),
        effective_date__gte=today - dt.timedelta(days=OVERDUE_CATCH_UP_DAYS),
    )
    for obligation in candidates.order_by("effective_date", "pk"):
        assert obligation.effective_date is not None
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
