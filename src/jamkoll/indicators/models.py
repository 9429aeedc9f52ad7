"""Indicators (nyckeltal) and their observations (mätvärden), DESIGN §2.

An observation is one value for indicator × organisation × period (year) × gender (`T` total,
`K` women, `M` men). There is one row per key; a re-import updates it in place, and what changed is
recorded as an `ObservationChange` of the `ImportRun` that changed it. A missing or deleted value is
stored as NULL, never as 0.

Observations carry no simple-history table: at national scale (a few hundred million rows) a
history row per change would double the store; the import run and its changes are the history.
On PostgreSQL the table is partitioned by period (migration 0002); see the README.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from jamkoll.reference.models import Organisation, PolicySubGoal, StrategyObjective
from jamkoll.validation import TextValidator

# The years an observation may be about (Kolada's series start in the 1990s; a few go further back).
PERIOD_MIN = 1950
PERIOD_MAX = 2100
# Bounds of a value: Kolada publishes up to six decimals; no key figure reaches 10^14.
VALUE_MAX_DIGITS = 20
VALUE_DECIMAL_PLACES = 6
VALUE_LIMIT = 10**14
CODE_MAX = 20


class Gender(models.TextChoices):
    TOTAL = "T", _("Totalt")
    WOMEN = "K", _("Kvinnor")
    MEN = "M", _("Män")


class IndicatorSource(models.TextChoices):
    KOLADA = "kolada", _("Kolada (RKA)")
    OWN = "own", _("Egen")
    OTHER = "other", _("Annan källa")


class Indicator(models.Model):
    """A key figure (KPI). `code` is Kolada's id where there is one (`N00945`)."""

    code = models.CharField(_("id"), max_length=CODE_MAX, unique=True)
    title = models.CharField(_("titel"), max_length=500, validators=[TextValidator(multiline=False)])
    description = models.TextField(
        _("beskrivning"), max_length=10000, blank=True, validators=[TextValidator()]
    )
    unit = models.CharField(
        _("enhet"), max_length=100, blank=True, validators=[TextValidator(multiline=False)]
    )
    source = models.CharField(
        _("källa"), max_length=20, choices=IndicatorSource.choices, default=IndicatorSource.KOLADA
    )
    divided_by_gender = models.BooleanField(_("uppdelat på kön"), default=False)
    higher_is_better = models.BooleanField(
        _("högre är bättre"), null=True, blank=True, help_text=_("Tomt: ingen riktning angiven.")
    )
    municipality_type = models.CharField(
        _("organisationstyp"),
        max_length=10,
        blank=True,
        help_text=_("Koladas municipality_type: K, L eller A."),
    )
    operating_area = models.CharField(_("verksamhetsområde"), max_length=500, blank=True)
    perspective = models.CharField(_("perspektiv"), max_length=200, blank=True)
    publication_date = models.DateField(_("publiceringsdatum"), null=True, blank=True)
    provisional = models.BooleanField(
        _("preliminär"),
        default=False,
        help_text=_(
            "Skapad ur en datafil utan katalogpost; titeln är bara id:t tills en analytiker kompletterar."
        ),
    )
    generated = models.BooleanField(
        _("genererat exempel"),
        default=False,
        help_text=_("Demonstrationsdata som JämKoll har genererat, inte verklig statistik."),
    )
    sub_goals = models.ManyToManyField(
        PolicySubGoal, verbose_name=_("jämställdhetspolitiska delmål"), blank=True, related_name="indicators"
    )
    strategy_objectives = models.ManyToManyField(
        StrategyObjective, verbose_name=_("målsättningar i strategin"), blank=True, related_name="indicators"
    )
    created_at = models.DateTimeField(_("skapad"), auto_now_add=True)
    updated_at = models.DateTimeField(_("ändrad"), auto_now=True)
    history = HistoricalRecords(m2m_fields=[sub_goals, strategy_objectives])

    class Meta:
        verbose_name = _("nyckeltal")
        verbose_name_plural = _("nyckeltal")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.title}" if self.title != self.code else self.code


class Observation(models.Model):
    """One value. `value` NULL is a missing (or deleted) value; `count` is the number of persons or
    cases behind it where the source says (used to suppress small counts in public views)."""

    id = models.BigAutoField(primary_key=True)
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="observations")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="observations")
    period = models.PositiveSmallIntegerField(_("period (år)"))
    gender = models.CharField(_("kön"), max_length=1, choices=Gender.choices)
    value = models.DecimalField(
        _("värde"), max_digits=VALUE_MAX_DIGITS, decimal_places=VALUE_DECIMAL_PLACES, null=True, blank=True
    )
    count = models.PositiveIntegerField(_("antal"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("mätvärde")
        verbose_name_plural = _("mätvärden")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period", "organisation", "gender"], name="observation_one_per_key"
            ),
            models.CheckConstraint(
                condition=Q(period__gte=PERIOD_MIN) & Q(period__lte=PERIOD_MAX),
                name="observation_period_range",
            ),
            models.CheckConstraint(condition=Q(gender__in=["T", "K", "M"]), name="observation_gender_code"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.organisation_id} {self.period} {self.gender}: {self.value}"


class ImportFormat(models.TextChoices):
    KOLADA = "kolada", _("Kolada (JSON)")
    CATALOGUE = "catalogue", _("Koladas nyckeltalskatalog (JSON)")
    CSV = "csv", _("CSV")
    XLSX = "xlsx", _("Excel (XLSX)")
    API = "api", _("Koladas API")


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("I kö")
    RUNNING = "running", _("Pågår")
    DONE = "done", _("Klar")
    FAILED = "failed", _("Avvisad")


class ImportRun(models.Model):
    """One import: who, what file, how far it has come (pages poll `progress`), and its outcome —
    counts, or every problem found (by line or JSON path) when the file was refused as a whole."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    format = models.CharField(_("format"), max_length=20, choices=ImportFormat.choices)
    filename = models.CharField(_("fil"), max_length=255, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("förlopp (%)"), default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("begärd av"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="indicator_imports",
    )
    requested_by_label = models.CharField(_("begärd av (namn)"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("skapad"), auto_now_add=True)
    finished_at = models.DateTimeField(_("klar"), null=True, blank=True)
    # A running import holds a lease its process renews; one whose lease ran out lost its process
    # (kill -9, out of memory) and is queued again or failed (`services.import_runs_recover`).
    lease_until = models.DateTimeField(_("pågår till och med"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("försök"), default=0)
    rows = models.PositiveIntegerField(_("rader"), default=0)
    created = models.PositiveIntegerField(_("nya värden"), default=0)
    updated = models.PositiveIntegerField(_("ändrade värden"), default=0)
    unchanged = models.PositiveIntegerField(_("oförändrade värden"), default=0)
    indicators_created = models.PositiveIntegerField(_("nya nyckeltal"), default=0)
    problems = models.JSONField(_("fel"), default=list, blank=True)
    stored_file = models.CharField(
        _("uppladdad fil"),
        max_length=500,
        blank=True,
        help_text=_("Sökväg under datakatalogen, tas bort när importen är klar."),
    )

    class Meta:
        verbose_name = _("import av nyckeltal")
        verbose_name_plural = _("importer av nyckeltal")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_format_display()} {self.filename}: {self.get_status_display()} {self.progress} %"


class ObservationChange(models.Model):
    """A value a re-import changed: the key, the value before and after."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="changes")
    indicator_code = models.CharField(_("nyckeltal"), max_length=CODE_MAX)
    organisation_code = models.CharField(_("organisation"), max_length=20)
    organisation_kind = models.CharField(_("organisationstyp"), max_length=10)
    period = models.PositiveSmallIntegerField(_("period"))
    gender = models.CharField(_("kön"), max_length=1, choices=Gender.choices)
    old_value = models.DecimalField(
        _("tidigare värde"), max_digits=VALUE_MAX_DIGITS, decimal_places=VALUE_DECIMAL_PLACES, null=True
    )
    new_value = models.DecimalField(
        _("nytt värde"), max_digits=VALUE_MAX_DIGITS, decimal_places=VALUE_DECIMAL_PLACES, null=True
    )

    class Meta:
        verbose_name = _("ändrat mätvärde")
        verbose_name_plural = _("ändrade mätvärden")
        ordering = ["run", "id"]

    def __str__(self) -> str:
        key = f"{self.indicator_code} {self.organisation_code} {self.period} {self.gender}"
        return f"{key}: {self.old_value} → {self.new_value}"
