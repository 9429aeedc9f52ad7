"""Organisations with names that change over time, and the policy goals the programmes serve.

Every name is stored with a validity interval, because the documents use the names valid on their
own dates (SKL before 2019-11-27, SKR after; landsting before 2019-01-01, regioner after). Pages and
documents ask `name_at(date)` for the date they are about.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol, TypeVar

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class OrganisationKind(models.TextChoices):
    RIKET = "riket", _("Riket")
    LAN = "lan", _("Län")
    KOMMUN = "kommun", _("Kommun")
    REGION = "region", _("Region")
    OTHER = "other", _("Övrig organisation")


class OrganisationCategory(models.TextChoices):
    """What kind of body an organisation of kind `other` is."""

    NONE = "", _("—")
    GOVERNMENT = "government", _("Regering och Regeringskansliet")
    MINISTRY = "ministry", _("Departement")
    AGENCY = "agency", _("Statlig myndighet")
    COUNTY_ADMINISTRATIVE_BOARD = "lansstyrelse", _("Länsstyrelse")
    ASSOCIATION = "association", _("Förbund och förening")
    NETWORK = "network", _("Nätverk och samverkansorgan")
    KNOWLEDGE_CENTRE = "knowledge_centre", _("Kunskapscentrum")


class Organisation(models.Model):
    code = models.CharField(_("kod"), max_length=20, help_text=_("SCB-kod där en sådan finns."))
    kind = models.CharField(_("typ"), max_length=10, choices=OrganisationKind.choices)
    category = models.CharField(
        _("kategori"), max_length=20, choices=OrganisationCategory.choices, blank=True, default=""
    )
    county = models.ForeignKey(
        "self",
        verbose_name=_("län"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="county_members",
        limit_choices_to={"kind": OrganisationKind.LAN},
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("överordnad organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    valid_from = models.DateField(_("finns från"), null=True, blank=True)
    valid_to = models.DateField(_("finns till och med"), null=True, blank=True)
    note = models.TextField(_("anmärkning"), blank=True)
    source = models.CharField(_("källa"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisationer")
        ordering = ["kind", "code"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "code"], name="organisation_kind_code_unique"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="organisation_validity_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name_at(timezone.localdate())} ({self.code})"

    def name_record_at(self, on: dt.date) -> OrganisationName | None:
        """The name valid on `on`; before the first name the first, after the last the last.

        Uses prefetched names when the caller prefetched them (selectors do), so a list of
        organisations costs no extra query per row.
        """
        return name_valid_on(list(self.names.all()), on)

    def name_at(self, on: dt.date) -> str:
        return name_text(self.name_record_at(on), self.code)

    def short_name_at(self, on: dt.date) -> str:
        return name_text(self.name_record_at(on), self.code, short=True)


class _Span(Protocol):
    @property
    def valid_from(self) -> dt.date | None: ...
    @property
    def valid_to(self) -> dt.date | None: ...


SpanT = TypeVar("SpanT", bound=_Span)


def _covers(span: _Span, on: dt.date) -> bool:
    return (span.valid_from is None or span.valid_from <= on) and (
        span.valid_to is None or on <= span.valid_to
    )


class _Named(_Span, Protocol):
    @property
    def name(self) -> str: ...
    @property
    def short_name(self) -> str: ...


def name_text(record: _Named | None, code: str, *, short: bool = False) -> str:
    """What an organisation is called by the name `record` (its short name when `short` and it has
    one); its code when it has no name."""
    if record is None:
        return code
    return (record.short_name or record.name) if short else record.name


def name_valid_on(names: list[SpanT], on: dt.date) -> SpanT | None:
    """Of an organisation's names (records or rows with `valid_from` and `valid_to`), the one
    valid on `on`; before the first the first, after the last the last; None when it has none."""
    names = sorted(names, key=lambda n: n.valid_from or dt.date.min)
    if not names:
        return None
    for name in names:
        if _covers(name, on):
            return name
    if names[0].valid_from and on < names[0].valid_from:
        return names[0]
    return names[-1]


class OrganisationName(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="names", verbose_name=_("organisation")
    )
    name = models.CharField(_("namn"), max_length=200)
    short_name = models.CharField(_("kortnamn"), max_length=40, blank=True)
    form = models.CharField(
        _("form"),
        max_length=20,
        blank=True,
        help_text=_("Till exempel landsting, region eller kommun med regionens uppgifter."),
    )
    valid_from = models.DateField(_("gäller från"), null=True, blank=True)
    valid_to = models.DateField(_("gäller till och med"), null=True, blank=True)
    source = models.CharField(_("källa"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("namn")
        verbose_name_plural = _("namn")
        ordering = ["organisation", "valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="organisationname_validity_ordered",
            ),
            models.UniqueConstraint(
                fields=["organisation", "valid_from"],
                condition=Q(valid_from__isnull=False),
                name="organisationname_one_start",
            ),
            models.UniqueConstraint(
                fields=["organisation"],
                condition=Q(valid_from__isnull=True),
                name="organisationname_one_open_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def covers(self, on: dt.date) -> bool:
        return _covers(self, on)


class PolicySubGoal(models.Model):
    """One of the six jämställdhetspolitiska delmål (skr. 2016/17:10, quoted in seed 001 §2)."""

    number = models.PositiveSmallIntegerField(_("nummer"), unique=True)
    title = models.CharField(_("rubrik"), max_length=200)
    text = models.TextField(_("text"))
    source = models.CharField(_("källa"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("jämställdhetspolitiskt delmål")
        verbose_name_plural = _("jämställdhetspolitiska delmål")
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class StrategyObjective(models.Model):
    """One of the four målsättningar of the national strategy against men's violence against
    women (seed 001 §2)."""

    number = models.PositiveSmallIntegerField(_("nummer"), unique=True)
    text = models.TextField(_("text"))
    source = models.CharField(_("källa"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("målsättning i den nationella strategin")
        verbose_name_plural = _("målsättningar i den nationella strategin")
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.number}. {self.text}"
