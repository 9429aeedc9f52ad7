"""Roles as data (DESIGN §1). A user may hold several; the `rss` role is scoped to one county."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from jamkoll.reference.models import Organisation
from jamkoll.validation import TextValidator

# A title as a certification or signature shows it ("Ekonomichef", "Biträdande avdelningschef").
TITLE_MAX = 100


class Role(models.TextChoices):
    # The roles are timeless (an account holds one from one year to the next): they name the
    # organisation by what it is, "förbundet" (SKL until 2019-11-27, SKR after), not by a name that
    # is wrong for some of the years the account works on (issue 13).
    COORDINATOR = "coordinator", _("Samordnare (förbundet)")
    CERTIFIER = "certifier", _("Ekonomichef, intygar (förbundet)")
    SIGNATORY = "signatory", _("Behörig företrädare (förbundet)")
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


class AuditKind(models.TextChoices):
    LOGIN = "login", _("Inloggning")
    LOGIN_FAILED = "login_failed", _("Fel lösenord")
    CODE_FAILED = "code_failed", _("Fel engångskod")
    LOCKED_OUT = "locked_out", _("Spärrad inloggning")
    LOGOUT = "logout", _("Utloggning")
    REFUSAL = "refusal", _("Nekad åtgärd")
    TWO_FACTOR = "two_factor", _("Tvåstegsverifiering ändrad")


# The kinds that count towards the sign-in throttle (accounts/signin.py).
FAILED_KINDS = (AuditKind.LOGIN_FAILED, AuditKind.CODE_FAILED)


class AuditEvent(models.Model):
    """One sign-in event or one refused attempt (issue 12, finding 6). Written by accounts.audit;
    read by the administrator in the admin, where it cannot be changed or deleted. The sign-in
    throttle counts its failed rows, so the record and the lock cannot disagree."""

    at = models.DateTimeField(_("tidpunkt"), default=timezone.now)
    kind = models.CharField(_("händelse"), max_length=20, choices=AuditKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("användare"),
    )
    # As typed at sign-in (bounded): a failed attempt may name no existing account.
    username = models.CharField(_("användarnamn"), max_length=150, blank=True)
    ip = models.GenericIPAddressField(_("adress"), null=True, blank=True)
    user_agent = models.CharField(_("webbläsare"), max_length=200, blank=True)
    path = models.CharField(_("sökväg"), max_length=200, blank=True)
    # A refusal: the policy's action, the object it was about and the policy's reason.
    action = models.CharField(_("åtgärd"), max_length=80, blank=True)
    target = models.CharField(_("objekt"), max_length=200, blank=True)
    reason = models.CharField(_("skäl"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("händelse i granskningsloggen")
        verbose_name_plural = _("granskningslogg")
        ordering = ["-at", "-pk"]
        indexes = [
            # The throttle's two questions: failures of one name from one address, and from one address.
            models.Index(fields=["username", "ip", "kind", "at"], name="audit_throttle_user_ip"),
            models.Index(fields=["ip", "kind", "at"], name="audit_throttle_ip"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {AuditKind(self.kind).label} {self.username}"


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
    language = models.CharField(
        _("språk"),
        max_length=5,
        choices=[("sv", "Svenska"), ("en", "English")],
        blank=True,
        help_text=_("Språket för e-post från JämKoll; sparas när personen byter språk på webbplatsen."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("befattning")
        verbose_name_plural = _("befattningar")

    def __str__(self) -> str:
        return self.title or str(self.user)


# A token is "jk_" + 43 URL-safe characters (32 random bytes); its first 11 characters are shown.
TOKEN_NAME_MAX = 100
TOKEN_PREFIX_LEN = 11
TOKEN_MAX = 100  # what an Authorization header may carry before it is refused unread


class ApiToken(models.Model):
    """A personal API key (issue 15): sent as `Authorization: Bearer <token>`, acting with its
    user's roles and scope. Only the SHA-256 of the token is stored; the token itself is shown
    once, when it is made (accounts/tokens.py)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("användare"),
    )
    name = models.CharField(_("namn"), max_length=TOKEN_NAME_MAX, validators=[TextValidator(multiline=False)])
    prefix = models.CharField(_("början av nyckeln"), max_length=TOKEN_PREFIX_LEN, db_index=True)
    digest = models.CharField(_("kontrollsumma"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("skapad"), default=timezone.now)
    last_used_at = models.DateTimeField(_("senast använd"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("återkallad"), null=True, blank=True)
    expires_at = models.DateTimeField(_("gäller till"), null=True, blank=True)

    class Meta:
        verbose_name = _("API-nyckel")
        verbose_name_plural = _("API-nycklar")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"

    def status(self, now: Any = None) -> str:
        """ "active", "revoked" or "expired"."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= (now or timezone.now()):
            return "expired"
        return "active"

    def status_label(self) -> str:
        return str(TOKEN_STATUS_LABELS[self.status()])


TOKEN_STATUS_LABELS = {
    "active": _("Giltig"),
    "revoked": _("Återkallad"),
    "expired": _("Har gått ut"),
}


class ApiTokenUse(models.Model):
    """One request made with an API key: when, what and how it was answered."""

    token = models.ForeignKey(
        ApiToken, on_delete=models.CASCADE, related_name="uses", verbose_name=_("nyckel")
    )
    at = models.DateTimeField(_("tidpunkt"), default=timezone.now)
    method = models.CharField(_("metod"), max_length=10)
    path = models.CharField(_("sökväg"), max_length=200)
    status = models.PositiveSmallIntegerField(_("svarskod"), null=True, blank=True)
    ip = models.GenericIPAddressField(_("adress"), null=True, blank=True)

    class Meta:
        verbose_name = _("användning av API-nyckel")
        verbose_name_plural = _("användningar av API-nycklar")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["token", "at"], name="apitokenuse_token_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.method} {self.path}"
