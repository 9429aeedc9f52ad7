"""The two-tier ledger: state ↔ SKR and SKR ↔ each county's RSS (DESIGN §2).

Append-only. A correction is a new entry that reverses an earlier one, with a reason. Every entry
carries a keyed digest (HMAC-SHA256, the key outside the database) chained to the previous
entry's, and every head is also written to an anchor file outside the database (`chain.py`), so
`jamkoll verify` notices an entry that was changed, removed or slipped in behind the application's
back. The database itself refuses UPDATE and DELETE on entries (migration 0003).

Balances are sums of entries. So that a write's checks cost the same at 500 000 entries as at
500, each decision-year keeps a running sum per group (`LedgerTotal`), moved in the same
transaction as the entry it counts; it is a cached figure that `jamkoll verify` checks against
the entries themselves (STYLE §7).
"""

from __future__ import annotations

import json
from datetime import UTC as _UTC
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jamkoll.programmes.models import FundingDecision, GoalArea
from jamkoll.reference.models import Organisation

# The longest note an entry keeps (the column is unbounded text; the services bound it).
NOTE_MAX_LENGTH = 2000


class Tier(models.TextChoices):
    STATE = "state", _("Staten – SKR")
    RSS = "rss", _("SKR – RSS")


class EntryKind(models.TextChoices):
    REQUISITION = "requisition", _("Rekvisition")
    DISBURSEMENT = "disbursement", _("Utbetalning")
    EXPENDITURE = "expenditure", _("Utgift")
    REPAYMENT = "repayment", _("Återbetalning")
    RECLAIM = "reclaim", _("Återkrav")


class AppendOnlyError(RuntimeError):
    pass


class LedgerEntry(models.Model):
    sequence = models.PositiveBigIntegerField(_("löpnummer"), unique=True, editable=False)
    decision = models.ForeignKey(
        FundingDecision, on_delete=models.PROTECT, related_name="ledger_entries", verbose_name=_("beslut")
    )
    year = models.PositiveSmallIntegerField(_("år"))
    tier = models.CharField(_("nivå"), max_length=10, choices=Tier.choices)
    kind = models.CharField(_("slag"), max_length=20, choices=EntryKind.choices)
    county = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_entries",
        verbose_name=_("län"),
        limit_choices_to={"kind": "lan"},
    )
    goal_area = models.ForeignKey(
        GoalArea, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("målområde")
    )
    amount = models.DecimalField(
        _("belopp"),
        max_digits=14,
        decimal_places=2,
        help_text=_("Negativt endast för en rättelse som vänder en tidigare post."),
    )
    entry_date = models.DateField(_("datum"))
    reference = models.CharField(
        _("diarienummer eller referens"), max_length=200, help_text=_("Ett eller flera, kommaseparerade.")
    )
    note = models.TextField(_("anteckning"), blank=True)
    reverses = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
        verbose_name=_("rättar post"),
    )
    reason = models.TextField(_("skäl för rättelsen"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("registrerad av"),
    )
    recorded_by_name = models.CharField(_("registrerad av (namn)"), max_length=200)
    recorded_at = models.DateTimeField(_("registrerad"))
    previous_digest = models.CharField(_("föregående kontrollsumma"), max_length=64)
    digest = models.CharField(_("kontrollsumma"), max_length=64, unique=True)

    class Meta:
        verbose_name = _("post i medelsflödet")
        verbose_name_plural = _("poster i medelsflödet")
        ordering = ["sequence"]
        indexes = [
            # What a write sums and `ledger_sums` groups by, with the amount, so that PostgreSQL
            # answers the sums from the index alone (an index-only scan of one decision-year).
            models.Index(
                fields=["decision", "year", "tier", "kind", "county", "goal_area", "amount"],
                name="ledger_sums_idx",
            ),
            # The ledger page and the API: one decision-year's entries, newest first.
            models.Index(fields=["decision", "year", "sequence"], name="ledger_year_sequence_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="ledger_amount_not_zero"),
            models.CheckConstraint(
                condition=(Q(tier="rss") & Q(county__isnull=False))
                | (Q(tier="state") & Q(county__isnull=True)),
                name="ledger_county_iff_rss",
            ),
            models.CheckConstraint(
                condition=Q(goal_area__isnull=True) | (Q(tier="state") & Q(kind="expenditure")),
                name="ledger_line_only_for_skr_expenditure",
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0) | (Q(reverses__isnull=False) & ~Q(reason="")),
                name="ledger_negative_only_as_reversal",
            ),
            models.CheckConstraint(
                condition=Q(tier="state") | ~Q(kind="reclaim"), name="ledger_reclaim_only_state"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.get_kind_display()} {self.amount} kr ({self.year})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("poster i medelsflödet ändras aldrig; registrera en rättelse i stället")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnlyError("poster i medelsflödet tas aldrig bort; registrera en rättelse i stället")

    @property
    def county_code(self) -> str | None:
        """The RSS tier's county (None on the state tier): what the policy scopes a reader by."""
        return self.county.code if self.county_id and self.county else None

    def canonical(self) -> str:
        """The fields the digest covers (`chain.entry_digest`), in a fixed textual form identical
        on every database (`canonical_form`)."""
        return canonical_form(*(getattr(self, name) for name in CANONICAL_FIELDS))


# The columns an entry's digest covers, in their order: `chain._walk` reads exactly these (and the
# digest) as plain tuples, without building an entry per row.
CANONICAL_FIELDS = (
    "sequence",
    "decision_id",
    "year",
    "tier",
    "kind",
    "county_id",
    "goal_area_id",
    "amount",
    "entry_date",
    "reference",
    "note",
    "reverses_id",
    "reason",
    "recorded_by_id",
    "recorded_by_name",
    "recorded_at",
    "previous_digest",
)


def canonical_form(
    sequence: int,
    decision_id: int,
    year: int,
    tier: str,
    kind: str,
    county_id: int | None,
    goal_area_id: int | None,
    amount: Decimal,
    entry_date: Any,
    reference: str,
    note: str,
    reverses_id: int | None,
    reason: str,
    recorded_by_id: int | None,
    recorded_by_name: str,
    recorded_at: Any,
    previous_digest: str,
) -> str:
    """An entry's canonical text: a JSON array, so that no text can move from one field to the
    next unnoticed. Never change it: every stored digest was computed over this form."""
    return json.dumps(
        [
            str(sequence),
            str(decision_id),
            str(year),
            tier,
            kind,
            str(county_id or ""),
            str(goal_area_id or ""),
            f"{Decimal(amount):.2f}",
            entry_date.isoformat(),
            reference,
            note,
            str(reverses_id or ""),
            reason,
            str(recorded_by_id or ""),
            recorded_by_name,
            recorded_at.astimezone(_UTC).isoformat(),
            previous_digest,
        ],
        ensure_ascii=False,
    )


class LedgerTotal(models.Model):
    """The running sum of one group of a decision-year's entries: what the entries of (tier, kind,
    county, goal area) add up to, in whole öre (an integer, exact on every database), and how many
    there are. Written only by `services._append`, in the transaction of the entry it counts and
    under that decision-year's lock; read by `selectors.ledger_sums`. `jamkoll verify` sums the
    entries again and reports any group that differs (`services.totals_verify`).

    `county_id` and `goal_area_id` are plain integers (0 for none) so that the group is one unique
    key on every database (a NULL is never equal to another NULL in a unique constraint)."""

    decision = models.ForeignKey(FundingDecision, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    tier = models.CharField(max_length=10, choices=Tier.choices)
    kind = models.CharField(max_length=20, choices=EntryKind.choices)
    county_id = models.PositiveBigIntegerField(default=0)
    goal_area_id = models.PositiveBigIntegerField(default=0)
    ore = models.BigIntegerField(default=0)
    entries = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("löpande summa i medelsflödet")
        verbose_name_plural = _("löpande summor i medelsflödet")
        constraints = [
            models.UniqueConstraint(
                fields=["decision", "year", "tier", "kind", "county_id", "goal_area_id"],
                name="ledger_total_group",
            )
        ]

    def __str__(self) -> str:
        return f"{self.decision_id} {self.year} {self.tier} {self.kind}: {self.ore} öre"


class ChainHead(models.Model):
    """One row: the last sequence number and digest of the one chain. Every append locks it, for
    as long as the insert and the commit take: the chain is one sequence, so appends are
    serialised here. The invariants are checked before, under the lock of the decision-year alone
    (`services._lock_year`), so writers to other decision-years never wait on a check."""

    sequence = models.PositiveBigIntegerField(default=0)
    digest = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        verbose_name = _("kedjans huvud")
        verbose_name_plural = _("kedjans huvud")

    def __str__(self) -> str:
        return f"#{self.sequence} {self.digest[:12]}"
