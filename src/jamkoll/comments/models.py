"""Comments on plans, activities, county plans and report versions, and the notifications an
@mention sends (issue 15).

A comment names its target by one of four nullable foreign keys (exactly one is set, a database
constraint): comments depend on plans and reports, never the reverse. The ministry's reasons for
sending a plan back stay where the plan's workflow keeps them (`plans.PlanComment`, kind
"send_back"); the comment list shows them beside the comments (`selectors.comment_list`), and a
notification (with an e-mail) tells the plan's owners, SKR's coordinators, that it came back.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jamkoll.plans.models import Activity, CountyPlan, PlanComment, ProjectPlan
from jamkoll.reports.models import ReportVersion
from jamkoll.validation import TextValidator

BODY_MAX = 5000
TARGET_FIELDS = ("plan", "activity", "county_plan", "report_version")


def _one_target() -> Q:
    """Exactly one of the four targets is set."""
    q = Q()
    for field in TARGET_FIELDS:
        others = [f for f in TARGET_FIELDS if f != field]
        q |= Q(**{f"{field}__isnull": False}, **{f"{o}__isnull": True for o in others})
    return q


class Comment(models.Model):
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("skriven av")
    )
    plan = models.ForeignKey(
        ProjectPlan,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("projektplan"),
    )
    activity = models.ForeignKey(
        Activity,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("aktivitet"),
    )
    county_plan = models.ForeignKey(
        CountyPlan,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("genomförandeplan"),
    )
    report_version = models.ForeignKey(
        ReportVersion,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("rapportversion"),
    )
    body = models.TextField(_("kommentar"), max_length=BODY_MAX, validators=[TextValidator()])
    created_at = models.DateTimeField(_("skriven"), default=timezone.now)

    class Meta:
        verbose_name = _("kommentar")
        verbose_name_plural = _("kommentarer")
        ordering = ["created_at", "pk"]
        constraints = [models.CheckConstraint(condition=_one_target(), name="comment_one_target")]

    def __str__(self) -> str:
        return f"{self.author} {self.created_at:%Y-%m-%d %H:%M}"


class Notification(models.Model):
    """A user was @mentioned in a comment, or their plan was sent back by the ministry with a
    comment (`send_back`, a line of the plan's timeline): shown in their notification list until
    read. Exactly one of the two is set."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="comment_notifications",
        verbose_name=_("mottagare"),
    )
    comment = models.ForeignKey(
        Comment,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("kommentar"),
    )
    send_back = models.ForeignKey(
        PlanComment,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("återsändning"),
    )
    created_at = models.DateTimeField(_("skapad"), default=timezone.now)
    read_at = models.DateTimeField(_("läst"), null=True, blank=True)

    class Meta:
        verbose_name = _("avisering")
        verbose_name_plural = _("aviseringar")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "comment"], name="notification_once_per_comment"),
            models.UniqueConstraint(
                fields=["recipient", "send_back"], name="notification_once_per_send_back"
            ),
            models.CheckConstraint(
                condition=Q(comment__isnull=False, send_back__isnull=True)
                | Q(comment__isnull=True, send_back__isnull=False),
                name="notification_one_subject",
            ),
        ]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return f"{self.recipient} ← {self.comment_id or self.send_back_id}"

    @property
    def kind(self) -> str:
        """ "comment" (an @mention) or "send_back" (the ministry sent the plan back)."""
        return "comment" if self.comment_id else "send_back"

    @property
    def author_name(self) -> str:
        if self.comment is not None:
            return self.comment.author.get_full_name() or self.comment.author.get_username()
        return self.send_back.author_name if self.send_back is not None else ""

    @property
    def body(self) -> str:
        if self.comment is not None:
            return self.comment.body
        return self.send_back.text if self.send_back is not None else ""
