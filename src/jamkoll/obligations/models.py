"""Obligations: what a decision requires someone to hand in or pay, to whom, and by when.

Each obligation comes from a condition of a decision and quotes it. The nominal date is the date
the text states (NULL when no document states one: shown as "ej fastställt", never invented); the
effective date follows from it by Lag (1930:173) and is recomputed on every save. The status is
computed from the dates, the submission, what a document shows done (`evidence`: "fullgjord, datum
framgår inte av underlaget") and the decision's `records_from` (what fell due before JämKoll kept
the records and is not registered is "Uppgift saknas", not overdue), never stored.

An obligation is closed by the act that fulfils it (a ledger entry, a proposed plan, a submitted
report) or registered as handed in by hand. `closed_by` names that act as a stable key
("ledger-entry:57", "project-plan:12", "report-version:3"; blank by hand) and `document_reference`
says it in words: this app imports none of those apps. A closure undone (the entry reversed) leaves
the obligation open again with `reopen_reason`.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from jamkoll.accounts.models import Role
from jamkoll.programmes.models import Condition, FundingDecision
from jamkoll.reference.models import Organisation, OrganisationKind

from .deadlines import effective_date as effective_date_for

DUE_SOON_DAYS = 30
# "ledger-entry:123456", "report-version:42": the kind of record and its number.
CLOSED_BY_MAX = 60


class ObligationKind(models.TextChoices):
    PROJECT_PLAN = "project_plan", _("Projektplan")
    REQUISITION = "requisition", _("Rekvisition")
    REPAYMENT = "repayment", _("Återbetalning")
    FINANCIAL_REPORT = "financial_report", _("Ekonomisk redovisning")
    ACTIVITY_REPORT = "activity_report", _("Redovisning av arbetet")
    STATUS_REPORT = "status_report", _("Halvårsrapport")
    APPLICATION = "application", _("Ansökan")


class Tier(models.TextChoices):
    STATE = "state", _("SKR till staten")
    RSS = "rss", _("RSS till SKR")


class ObligationStatus(models.TextChoices):
    UPCOMING = "upcoming", _("Kommande")
    DUE_SOON = "due_soon", _("Snart dags")
    SUBMITTED_ON_TIME = "submitted_on_time", _("Inlämnad i tid")
    SUBMITTED_LATE = "submitted_late", _("Inlämnad för sent")
    OVERDUE = "overdue", _("Försenad")
    WAIVED = "waived", _("Undantagen")
    NOT_SCHEDULED = "not_scheduled", _("Ej fastställt")
    # A document shows it done but not when (seed 003 is the 2018 activity report).
    FULFILLED_UNDATED = "fulfilled_undated", _("Fullgjord – datum framgår inte av underlaget")
    # Fell due before JämKoll began keeping the decision's records and nothing is registered: the
    # documents say neither that it was handed in nor that it was late.
    UNKNOWN = "unknown", _("Uppgift saknas")


# The statuses of an obligation that is still owed (the to-do list, the reminders).
OPEN_STATUSES = frozenset(
    {
        ObligationStatus.UPCOMING,
        ObligationStatus.DUE_SOON,
        ObligationStatus.OVERDUE,
        ObligationStatus.NOT_SCHEDULED,
    }
)
EVIDENCE_MAX = 300
EVIDENCE_TEXT_MAX = 1000


class Obligation(models.Model):
    decision = models.ForeignKey(
        FundingDecision, on_delete=models.PROTECT, related_name="obligations", verbose_name=_("beslut")
    )
    key = models.SlugField(
        _("nyckel"),
        max_length=80,
        help_text=_(
            "Stabil identitet inom beslutet, t.ex. 2018-financial_report eller 2018-requisition-rss-12."
        ),
    )
    year = models.PositiveSmallIntegerField(_("avser år"))
    kind = models.CharField(_("slag"), max_length=20, choices=ObligationKind.choices)
    tier = models.CharField(_("nivå"), max_length=10, choices=Tier.choices, default=Tier.STATE)
    title = models.CharField(_("rubrik"), max_length=300)
    owed_by = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="obligations_owed", verbose_name=_("lämnas av")
    )
    owed_to = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="obligations_due", verbose_name=_("lämnas till")
    )
    county = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="county_obligations",
        verbose_name=_("län"),
        limit_choices_to={"kind": OrganisationKind.LAN},
        help_text=_("Anges bara för RSS-nivån."),
    )
    receiver_role = models.CharField(
        _("mottagarens roll"),
        max_length=20,
        choices=Role.choices,
        help_text=_("Den roll som registrerar mottagandet hos den som åtagandet lämnas till."),
    )
    condition = models.ForeignKey(
        Condition,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="obligations",
        verbose_name=_("villkor"),
    )
    source_text = models.TextField(_("text ur handlingen"))
    source = models.CharField(_("källa"), max_length=300, blank=True)
    derived = models.BooleanField(
        _("överfört"),
        default=False,
        help_text=_(
            "JämKolls tolkning, inte handlingens ord: villkoret står för ett tidigare år och JämKoll "
            "för över det till detta år."
        ),
    )
    period_start = models.DateField(_("period från"), null=True, blank=True)
    period_end = models.DateField(_("period till"), null=True, blank=True)
    nominal_date = models.DateField(
        _("sista dag enligt handlingen"),
        null=True,
        blank=True,
        help_text=_("Tomt (ej fastställt) när ingen handling anger ett datum."),
    )
    effective_date = models.DateField(
        _("sista dag enligt lagen (1930:173)"), null=True, blank=True, editable=False, db_index=True
    )
    date_note = models.TextField(_("anmärkning om datum"), blank=True)
    rescheduled_at = models.DateTimeField(_("datum ändrat"), null=True, blank=True)
    rescheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("datum ändrat av"),
    )
    reschedule_reason = models.TextField(_("skäl för ändrat datum"), blank=True)
    submitted_on = models.DateField(_("inlämnad den"), null=True, blank=True)
    receipt_reference = models.CharField(_("mottagarens diarienummer"), max_length=100, blank=True)
    document_reference = models.CharField(_("handling"), max_length=300, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registrerad av"),
    )
    submitted_at = models.DateTimeField(_("registrerad"), null=True, blank=True)
    closed_by = models.CharField(
        _("stängd av"),
        max_length=CLOSED_BY_MAX,
        blank=True,
        db_index=True,
        help_text=_(
            "Det som stängde åtagandet, som en stabil nyckel (ledger-entry:57, project-plan:12, "
            "report-version:3); tomt när inlämningen registrerades för hand."
        ),
    )
    reopened_at = models.DateTimeField(_("återöppnad"), null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("återöppnad av"),
    )
    reopen_reason = models.TextField(_("skäl för återöppnandet"), blank=True)
    waived_at = models.DateTimeField(_("undantagen"), null=True, blank=True)
    waived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("undantagen av"),
    )
    waiver_reason = models.TextField(_("skäl för undantag"), blank=True)
    registered_at = models.DateTimeField(
        _("registrerat åtagande"),
        null=True,
        blank=True,
        help_text=_(
            "När en användare registrerade åtagandet med en egen källa; tomt när det följer av "
            "beslutets villkor. Ett registrerat åtagande genereras aldrig om och tas aldrig bort av "
            "genereringen."
        ),
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registrerat av"),
    )
    evidence = models.CharField(
        _("underlag som visar att det är fullgjort"),
        max_length=EVIDENCE_MAX,
        blank=True,
        help_text=_(
            "Handlingen som visar att åtagandet är fullgjort när den inte anger när, t.ex. "
            "seed 003 §1. Tomt när ingen handling visar det."
        ),
    )
    evidence_text = models.CharField(
        _("ur underlaget"),
        max_length=EVIDENCE_TEXT_MAX,
        blank=True,
        help_text=_("Meningen i handlingen som visar det."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("åtagande")
        verbose_name_plural = _("åtaganden")
        ordering = ["decision", "effective_date", "key"]
        constraints = [
            models.UniqueConstraint(fields=["decision", "key"], name="obligation_unique_key"),
            models.CheckConstraint(
                condition=(Q(tier=Tier.RSS) & Q(county__isnull=False))
                | (~Q(tier=Tier.RSS) & Q(county__isnull=True)),
                name="obligation_county_only_for_rss",
                violation_error_message=_("Län anges för RSS-nivån och bara där."),
            ),
            models.CheckConstraint(
                condition=Q(submitted_on__isnull=True) | Q(waived_at__isnull=True),
                name="obligation_not_both_submitted_and_waived",
                violation_error_message=_("Ett åtagande kan inte både vara inlämnat och undantaget."),
            ),
            models.CheckConstraint(
                condition=Q(closed_by="") | Q(submitted_on__isnull=False),
                name="obligation_closed_by_only_when_submitted",
                violation_error_message=_("Bara ett inlämnat åtagande kan vara stängt av något."),
            ),
            models.CheckConstraint(
                condition=Q(waived_at__isnull=True) | ~Q(waiver_reason=""),
                name="obligation_waiver_has_reason",
                violation_error_message=_("Ett undantag måste ha ett skäl."),
            ),
            models.CheckConstraint(
                condition=Q(evidence="") | Q(waived_at__isnull=True),
                name="obligation_not_both_fulfilled_and_waived",
                violation_error_message=_("Ett fullgjort åtagande kan inte vara undantaget."),
            ),
            models.CheckConstraint(
                condition=Q(evidence_text="") | ~Q(evidence=""),
                name="obligation_evidence_text_has_source",
                violation_error_message=_("Texten ur underlaget kräver en källa."),
            ),
            models.CheckConstraint(
                condition=Q(period_start__isnull=True)
                | Q(period_end__isnull=True)
                | Q(period_end__gte=models.F("period_start")),
                name="obligation_period_ordered",
            ),
        ]
        indexes = [models.Index(fields=["kind", "year"], name="obligation_kind_year")]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: object, **kwargs: object) -> None:
        # The effective date always follows from the nominal date; never typed, never stale.
        self.effective_date = effective_date_for(self.nominal_date) if self.nominal_date else None
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "nominal_date" in update_fields:  # type: ignore[operator]
            kwargs["update_fields"] = {*update_fields, "effective_date"}  # type: ignore[misc]
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def county_code(self) -> str | None:
        return self.county.code if self.county_id and self.county else None

    @property
    def owner_roles(self) -> list[str]:
        """The roles that owe this obligation (uses prefetched owners when available)."""
        return sorted(o.role for o in self.owners.all())

    @property
    def moved(self) -> bool:
        """The nominal day is not a working day, so the effective date is later."""
        return bool(self.nominal_date and self.effective_date and self.effective_date != self.nominal_date)

    def status_on(self, today: dt.date) -> ObligationStatus:
        """Computed from the dates, the registrations and the decision's `records_from` (see
        `selectors.status_q`, which must agree)."""
        if self.waived_at is not None:
            return ObligationStatus.WAIVED
        if self.submitted_on is not None:
            if self.effective_date is not None and self.submitted_on > self.effective_date:
                return ObligationStatus.SUBMITTED_LATE
            return ObligationStatus.SUBMITTED_ON_TIME
        if self.evidence:
            return ObligationStatus.FULFILLED_UNDATED
        if self.effective_date is None:
            return ObligationStatus.NOT_SCHEDULED
        records_from = self.decision.records_from if self.decision_id else None
        if records_from is not None and records_from <= today and self.effective_date < records_from:
            # Due before JämKoll kept the records, and nothing registered: not known to be late.
            return ObligationStatus.UNKNOWN
        if today > self.effective_date:
            return ObligationStatus.OVERDUE
        if (self.effective_date - today).days <= DUE_SOON_DAYS:
            return ObligationStatus.DUE_SOON
        return ObligationStatus.UPCOMING

    def reclaim_risk_on(self, today: dt.date) -> bool:
        """A late or missing financial report to the state: "Om redovisning inte inkommer i tid kan
        regeringen återkräva stödet" (seed 001 §8). That condition is the state's, so the RSS tier's
        reports to SKR are not flagged."""
        return (
            self.kind == ObligationKind.FINANCIAL_REPORT
            and self.tier == Tier.STATE
            and self.status_on(today) in {ObligationStatus.SUBMITTED_LATE, ObligationStatus.OVERDUE}
        )

    def days_left_on(self, today: dt.date) -> int | None:
        if self.effective_date is None:
            return None
        return (self.effective_date - today).days


class ObligationOwner(models.Model):
    """A role that owes an obligation: it is on that role's to-do list and gets the reminders. For
    the RSS tier the role is scoped to the obligation's county."""

    obligation = models.ForeignKey(
        Obligation, on_delete=models.CASCADE, related_name="owners", verbose_name=_("åtagande")
    )
    role = models.CharField(_("roll"), max_length=20, choices=Role.choices)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("ansvarig roll")
        verbose_name_plural = _("ansvariga roller")
        ordering = ["obligation", "role"]
        constraints = [models.UniqueConstraint(fields=["obligation", "role"], name="obligationowner_unique")]

    def __str__(self) -> str:
        return str(self.get_role_display())


class ReminderKind(models.TextChoices):
    DAYS_30 = "days_30", _("30 dagar kvar")
    DAYS_7 = "days_7", _("7 dagar kvar")
    DAYS_1 = "days_1", _("1 dag kvar")
    OVERDUE = "overdue", _("Försenad")


class Reminder(models.Model):
    """One reminder to one user. The row is claimed (created) before the e-mail is sent; the unique
    constraint makes a second run, or a second worker, skip it."""

    obligation = models.ForeignKey(
        Obligation, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("åtagande")
    )
    kind = models.CharField(_("påminnelse"), max_length=10, choices=ReminderKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="obligation_reminders",
        verbose_name=_("mottagare"),
    )
    due_date = models.DateField(_("sista dag vid utskicket"))
    claimed_at = models.DateTimeField(_("påbörjad"), default=timezone.now)
    sent_at = models.DateTimeField(_("skickad"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("påminnelse")
        verbose_name_plural = _("påminnelser")
        ordering = ["-claimed_at"]
        constraints = [
            models.UniqueConstraint(fields=["obligation", "kind", "user"], name="reminder_once"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.obligation_id} → {self.user_id}"


class CalendarFeed(models.Model):
    """A personal iCalendar feed: whoever knows the secret token can read the user's deadlines,
    so it can be revoked (and replaced) at any time."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="calendar_feeds",
        verbose_name=_("användare"),
    )
    token = models.CharField(_("hemlig nyckel"), max_length=64, unique=True)
    created = models.DateTimeField(_("skapad"), default=timezone.now)
    revoked_at = models.DateTimeField(_("återkallad"), null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["token"])

    class Meta:
        verbose_name = _("kalenderflöde")
        verbose_name_plural = _("kalenderflöden")
        ordering = ["-created"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(revoked_at__isnull=True), name="calendarfeed_one_active"
            )
        ]

    def __str__(self) -> str:
        state = _("återkallad") if self.revoked_at else _("aktiv")
        return f"{self.user} ({state})"

    @property
    def active(self) -> bool:
        return self.revoked_at is None
