"""Roles as data (DESIGN §1). A user may hold several; the `rss` role is scoped to one county."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from jamkoll.reference.models import Organisation
from jamkoll.validation import TextValidator

# A title as a certification or signature shows it ("Ekonomichef", "Biträdande avdelningschef").
TITLE_MAX = 100


class Role(models.TextChoices):
    COORDINATOR = "coordinator", _("Samordnare (SKR)")
    CERTIFIER = "certifier", _("Ekonomichef, intygar (SKR)")
    SIGNATORY = "signatory", _("Behörig företrädare (SKR)")
    RSS = "rss", _("Regional utvecklingsledare för kvinnofrid (RSS)")
    MINISTRY = "ministry", _("Handläggare, Regeringskansliet")
    TREASURY = "treasury", _("Handläggare, Kammarkollegiet")
    ANALYST = "analyst", _("Analytiker")
    ADMIN = "admin", _("Systemadministratör")


class RoleAssignment(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="role_assignments",
        verbose_name=_("användare"),
    )
    role = models.CharField(_("roll"), max_length=20, choices=Role.choices)
    county = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("län"),
        limit_choices_to={"kind": "lan"},
        help_text=_("Krävs för rollen RSS och får inte anges för andra roller."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("roll")
        verbose_name_plural = _("roller")
        constraints = [
            # Two partial constraints instead of nulls_distinct=False, which SQLite ignores.
            models.UniqueConstraint(
                fields=["user", "role", "county"],
                condition=Q(county__isnull=False),
                name="roleassignment_unique_scoped",
            ),
            models.UniqueConstraint(
                fields=["user", "role"], condition=Q(county__isnull=True), name="roleassignment_unique_global"
            ),
            models.CheckConstraint(
                condition=(Q(role="rss") & Q(county__isnull=False))
                | (~Q(role="rss") & Q(county__isnull=True)),
                name="roleassignment_rss_scoped",
                violation_error_message=_("Rollen RSS gäller ett län; andra roller gäller inte ett län."),
            ),
        ]

    def __str__(self) -> str:
        label = str(self.get_role_display())
        if self.county is not None:
            return f"{label} – {self.county.code}"
        return label


class Profile(models.Model):
    """What a document says about the person behind an account, beside the account's name: the
    title (befattning) and the organisation they work for. A certification or signature takes them
    from here (never from text typed into the form); the system administrator keeps them."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="profile",
        verbose_name=_("användare"),
    )
    title = models.CharField(
        _("titel"),
        max_length=TITLE_MAX,
        blank=True,
        validators=[TextValidator(multiline=False)],
        help_text=_("Befattningen som står i intyganden och underskrifter, t.ex. Ekonomichef."),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
        help_text=_("Organisationen som personen arbetar för; dess namn vid dagen för intygandet står med."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("befattning")
        verbose_name_plural = _("befattningar")

    def __str__(self) -> str:
        return self.title or str(self.user)
