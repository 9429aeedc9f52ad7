"""The archive of generated documents.

A `ReportVersion` is one generation of one document (kind, decision, year; county or period where
they apply), with every format it was rendered to as a `ReportFile` (bytes and SHA-256). Versions
are never changed once certified or signed: certifying or signing produces a new version whose
files carry the certification or signature, and a later change to the data makes a version
*outdated* (its `fingerprint` no longer matches the data), which the pages show — it is never
altered silently.

Frozen means frozen everywhere (issue 12, finding 8): a version that is certified, signed or
submitted, and its files, are neither changed nor deleted — not by the admin, not by `save()` or
`delete()` here, and not by SQL (triggers on SQLite and PostgreSQL: `triggers`). The one
change a certified or signed version takes is its submission (state, date, receipt, who). A file
is never changed; a draft's files go with the draft.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from jamkoll.programmes.models import FundingDecision
from jamkoll.reference.models import Organisation

from .triggers import FROZEN_FILE, FROZEN_VERSION  # the database's triggers say the same


class ReportKind(models.TextChoices):
    RESULT = "result", _("Resultatrapport")
    FINANCIAL = "financial", _("Ekonomisk redovisning")
    STATUS = "status", _("Halvårsrapport")
    RSS = "rss", _("Länsrapport (RSS)")
    APPLICATION = "application", _("Ansökan om medel")


class ReportFormat(models.TextChoices):
    PDF = "pdf", "PDF"
    DOCX = "docx", "DOCX"
    HTML = "html", "HTML"
    MD = "md", "Markdown"


class ReportState(models.TextChoices):
    DRAFT = "draft", _("Utkast")
    CERTIFIED = "certified", _("Intygad")
    SIGNED = "signed", _("Undertecknad")
    SUBMITTED = "submitted", _("Inlämnad")


# The key an obligation closed by a version's submission records (`closed_by` "report-version:<pk>").
CLOSED_BY_PREFIX = "report-version"

# The free introduction of an application, as the coordinator types it (about two pages).
INTRODUCTION_MAX = 5000

# A certifier's or signatory's title line: their title and their organisation's name.
TITLE_LINE_MAX = 300

# What a submission changes on a certified or signed version; nothing else of it ever changes.
SUBMISSION_FIELDS = frozenset(
    {"state", "submitted_on", "receipt_reference", "submitted_by_id", "submitted_by_name"}
)


class FrozenError(RuntimeError):
    """A certified, signed or submitted version, or a file of one, was to be changed or deleted."""


AMOUNT_HELP = _("Bara för en ansökan om medel; tomt när inget belopp anges.")
INTRODUCTION_HELP = _("Bara för en ansökan om medel: samordnarens egen inledning.")


class ReportVersion(models.Model):
    kind = models.CharField(_("slag"), max_length=20, choices=ReportKind.choices)
    decision = models.ForeignKey(
        FundingDecision, on_delete=models.PROTECT, related_name="report_versions", verbose_name=_("beslut")
    )
    year = models.PositiveSmallIntegerField(_("år"))
    county = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("län"),
        limit_choices_to={"kind": "lan"},
    )
    period_start = models.DateField(_("period från"), null=True, blank=True)
    scope = models.CharField(
        _("avgränsning"),
        max_length=40,
        blank=True,
        help_text=_("Länskod för en länsrapport, periodens startdatum för en halvårsrapport."),
    )
    version = models.PositiveSmallIntegerField(_("version"))
    state = models.CharField(
        _("status"), max_length=20, choices=ReportState.choices, default=ReportState.DRAFT
    )
    title = models.CharField(_("titel"), max_length=300)
    fingerprint = models.CharField(
        _("underlagets kontrollsumma"),
        max_length=64,
        help_text=_("SHA-256 av innehållet ur databasen; ändras underlaget blir versionen inaktuell."),
    )
    supersedes = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="successors",
        verbose_name=_("bygger på version"),
    )
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("skapad av"),
    )
    generated_by_name = models.CharField(_("skapad av (namn)"), max_length=200)
    generated_at = models.DateTimeField(_("skapad"))
    # Certification (ekonomichefen, seed 001 §8): who (the account), name, title, date, deviations,
    # proposed actions. The name and title are the account's and its organisation's on the day,
    # kept as they were (a later change of title does not alter a certified document).
    certified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("intygad av (konto)"),
    )
    certified_by_name = models.CharField(_("intygad av"), max_length=200, blank=True)
    certified_title = models.CharField(_("titel"), max_length=TITLE_LINE_MAX, blank=True)
    certified_on = models.DateField(_("intygad den"), null=True, blank=True)
    deviations = models.TextField(_("avvikelser"), blank=True)
    proposed_actions = models.TextField(_("åtgärdsförslag"), blank=True)
    # Signature of an authorised representative: the account, as for the certification.
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("undertecknad av (konto)"),
    )
    signed_by_name = models.CharField(_("undertecknad av"), max_length=200, blank=True)
    signed_title = models.CharField(_("titel"), max_length=TITLE_LINE_MAX, blank=True)
    signed_on = models.DateField(_("undertecknad den"), null=True, blank=True)
    signed_place = models.CharField(_("ort"), max_length=100, blank=True)
    # Submission to the receiving party, and the account that registered it.
    submitted_on = models.DateField(_("inlämnad den"), null=True, blank=True)
    receipt_reference = models.CharField(_("mottagarens diarienummer"), max_length=100, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("inlämnad av (konto)"),
    )
    submitted_by_name = models.CharField(_("inlämnad av"), max_length=200, blank=True)
    # What the coordinator typed for an application (issue 11); empty for the other kinds.
    amount_applied = models.DecimalField(
        _("sökt belopp"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=AMOUNT_HELP,
    )
    introduction = models.TextField(
        _("inledning"), max_length=INTRODUCTION_MAX, blank=True, help_text=INTRODUCTION_HELP
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rapportversion")
        verbose_name_plural = _("rapportversioner")
        ordering = ["-generated_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "decision", "year", "scope", "version"], name="reportversion_unique"
            ),
            # A certified version names the account that certified it (and its name and date); a
            # signed one the account that signed it.
            models.CheckConstraint(
                condition=~Q(state="certified")
                | (Q(certified_by__isnull=False) & ~Q(certified_by_name="") & Q(certified_on__isnull=False)),
                name="reportversion_certified_has_certifier",
            ),
            models.CheckConstraint(
                condition=~Q(state="signed")
                | (Q(signed_by__isnull=False) & ~Q(signed_by_name="") & Q(signed_on__isnull=False)),
                name="reportversion_signed_has_signatory",
            ),
            models.CheckConstraint(
                condition=Q(kind="application") | (Q(amount_applied__isnull=True) & Q(introduction="")),
                name="reportversion_application_fields_only_for_application",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version} ({self.get_state_display()})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """A frozen version is never changed, except by its submission (SUBMISSION_FIELDS)."""
        if not self._state.adding and self.pk is not None:
            stored = ReportVersion.objects.filter(pk=self.pk).first()
            if stored is not None and stored.frozen:
                changed = {
                    f.attname
                    for f in self._meta.concrete_fields
                    if getattr(stored, f.attname) != getattr(self, f.attname)
                }
                submitting = stored.state != ReportState.SUBMITTED and self.state == ReportState.SUBMITTED
                if changed - (SUBMISSION_FIELDS if submitting else frozenset()):
                    raise FrozenError(FROZEN_VERSION)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if self.frozen or ReportVersion.objects.filter(pk=self.pk).exclude(state=ReportState.DRAFT).exists():
            raise FrozenError(FROZEN_VERSION)
        return super().delete(*args, **kwargs)

    @property
    def county_code(self) -> str | None:
        return self.county.code if self.county_id and self.county else None

    @property
    def frozen(self) -> bool:
        return self.state != ReportState.DRAFT


class ReportFile(models.Model):
    version = models.ForeignKey(
        ReportVersion, on_delete=models.CASCADE, related_name="files", verbose_name=_("version")
    )
    format = models.CharField(_("format"), max_length=10, choices=ReportFormat.choices)
    content = models.BinaryField(_("innehåll"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveIntegerField(_("storlek (byte)"))

    class Meta:
        verbose_name = _("rapportfil")
        verbose_name_plural = _("rapportfiler")
        constraints = [models.UniqueConstraint(fields=["version", "format"], name="reportfile_unique")]

    def __str__(self) -> str:
        return f"{self.version} {self.format}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise FrozenError(FROZEN_FILE)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if ReportVersion.objects.filter(pk=self.version_id).exclude(state=ReportState.DRAFT).exists():
            raise FrozenError(
                "en fil i en intygad, undertecknad eller inlämnad rapportversion tas aldrig bort"
            )
        return super().delete(*args, **kwargs)


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("I kö")
    RUNNING = "running", _("Pågår")
    DONE = "done", _("Klar")
    FAILED = "failed", _("Misslyckades")


class ReportJob(models.Model):
    """Progress of a generation in the background, written by the task and polled by the page."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("slag"), max_length=20, choices=ReportKind.choices)
    decision = models.ForeignKey(FundingDecision, on_delete=models.CASCADE, verbose_name=_("beslut"))
    year = models.PositiveSmallIntegerField(_("år"))
    county = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("län")
    )
    period_start = models.DateField(_("period från"), null=True, blank=True)
    amount_applied = models.DecimalField(
        _("sökt belopp"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=AMOUNT_HELP,
    )
    introduction = models.TextField(
        _("inledning"), max_length=INTRODUCTION_MAX, blank=True, help_text=INTRODUCTION_HELP
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        verbose_name=_("beställd av"),
    )
    status = models.CharField(_("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(_("förlopp (%)"), default=0)
    message = models.CharField(_("meddelande"), max_length=300, blank=True)
    result = models.ForeignKey(
        ReportVersion, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("resultat")
    )
    created_at = models.DateTimeField(_("skapad"), auto_now_add=True)
    updated_at = models.DateTimeField(_("uppdaterad"), auto_now=True)
    # Keeping a job from hanging when its worker dies (issue 12, services.report_jobs_recover).
    attempts = models.PositiveSmallIntegerField(_("försök"), default=0)
    lease_until = models.DateTimeField(
        _("arbetaren hörs av senast"),
        null=True,
        blank=True,
        help_text=_("Förnyas av arbetaren medan jobbet körs; när tiden gått ut antas arbetaren borta."),
    )
    worker = models.CharField(_("arbetare"), max_length=100, blank=True)
    task_id = models.CharField(_("uppgiftens id i kön"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("rapportjobb")
        verbose_name_plural = _("rapportjobb")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.year}: {self.get_status_display()} {self.progress} %"

    @property
    def worker_silent(self) -> bool:
        """Running, but its worker has not renewed the lease in time (it is probably gone; the next
        worker to look queues the job again)."""
        return (
            self.status == JobStatus.RUNNING
            and self.lease_until is not None
            and self.lease_until < timezone.now()
        )
