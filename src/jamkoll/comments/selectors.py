"""Reading comments and notifications. A comment's target is described once (`Target`): what it
is, its county, whether it is a report draft, its title and its page; the policy
("comment.view", accounts/policy.py) reads that description."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import F, IntegerField, Q, QuerySet, Value
from django.urls import reverse
from django.utils.translation import gettext as _

from jamkoll.accounts.policy import actor_label, check, comment_visibility_q, require
from jamkoll.errors import NotFound
from jamkoll.plans.models import Activity, CountyPlan, PlanComment, PlanCommentKind, ProjectPlan
from jamkoll.programmes.selectors import as_of
from jamkoll.reports.models import ReportState, ReportVersion
from jamkoll.validation import int_param

from .models import Comment, Notification

PK_MAX = 2**31 - 1
# The newest comments a page or the API shows (oldest first among them).
LIST_MAX = 200

# The target kinds as they appear in URLs and the API, with their model and Comment field.
KINDS: dict[str, tuple[type[Any], str]] = {
    "plan": (ProjectPlan, "plan"),
    "activity": (Activity, "activity"),
    "county-plan": (CountyPlan, "county_plan"),
    "report": (ReportVersion, "report_version"),
}
_RELATED: dict[str, tuple[str, ...]] = {
    "plan": ("decision",),
    "activity": ("decision", "owner_county"),
    "county-plan": ("decision", "county"),
    "report": ("decision", "county"),
}


@dataclass(frozen=True)
class Target:
    """What a comment is about, as the policy and the pages need it."""

    kind: str
    obj: Any
    county_code: str | None
    draft: bool  # a report version not yet submitted ("report.view_draft")

    @property
    def field(self) -> str:
        return KINDS[self.kind][1]

    @property
    def pk(self) -> int:
        return int(self.obj.pk)

    @property
    def title(self) -> str:
        obj = self.obj
        if self.kind == "plan":
            return f"{obj.title} ({obj.year})"
        if self.kind == "activity":
            return f"{obj.title} ({obj.year})"
        if self.kind == "county-plan":
            return _("Genomförandeplan %(year)s, %(county)s") % {
                "year": obj.year,
                "county": obj.county.name_at(as_of(obj.year)),
            }
        return f"{obj.title} v{obj.version}"

    @property
    def url(self) -> str:
        obj = self.obj
        if self.kind == "plan":
            return reverse("plans:plan", args=[obj.decision.slug, obj.year])
        if self.kind == "activity":
            return reverse("plans:activity", args=[obj.decision.slug, obj.year, obj.code])
        if self.kind == "county-plan":
            return reverse("plans:county_plan", args=[obj.decision.slug, obj.year, obj.county.code])
        return reverse("reports:version", args=[obj.pk])

    def comments(self) -> QuerySet[Comment]:
        return Comment.objects.filter(**{self.field: self.obj})


def target_of(obj: Any) -> Target:
    """The target for one of the four models (`TypeError` for anything else)."""
    for kind, (model, _field) in KINDS.items():
        if isinstance(obj, model):
            if kind == "activity":
                code = obj.owner_county_code
            elif kind == "plan":
                code = None
            else:
                code = obj.county_code
            draft = kind == "report" and obj.state != ReportState.SUBMITTED
            return Target(kind=kind, obj=obj, county_code=code, draft=draft)
    raise TypeError(f"no comments on {type(obj).__name__}")


def target_get(*, kind: str, pk: Any) -> Target:
    """The target named in a URL or an API path; `NotFound` for an unknown kind or id."""
    number = int_param(pk, minimum=1, maximum=PK_MAX)
    if kind not in KINDS or number is None:
        raise NotFound(_("Det finns inget sådant att kommentera."))
    model, _field = KINDS[kind]
    obj = model.objects.select_related(*_RELATED[kind]).filter(pk=number).first()
    if obj is None:
        raise NotFound(_("Det finns inget sådant att kommentera."))
    return target_of(obj)


@dataclass(frozen=True)
class CommentRow:
    """One line of a comment list: a comment, or the ministry's reason for sending a plan back."""

    kind: str  # "comment" or "send_back"
    author: str
    created_at: dt.datetime
    body: str
    pk: int | None = None


def comment_list(*, actor: Any, target: Target) -> list[CommentRow]:
    """The target's comments, oldest first (the newest LIST_MAX), with a plan's send-back reasons
    among them; `PermissionDenied` unless the actor may read them. Two queries."""
    require(actor, "comment.view", target)
    comments = list(target.comments().select_related("author").order_by("-created_at", "-pk")[:LIST_MAX])
    rows = [
        CommentRow(
            kind="comment", author=actor_label(c.author), created_at=c.created_at, body=c.body, pk=c.pk
        )
        for c in comments
    ]
    if target.kind == "plan":
        send_backs = PlanComment.objects.filter(plan=target.obj, kind=PlanCommentKind.SEND_BACK).order_by(
            "-created", "-pk"
        )[:LIST_MAX]
        rows += [
            CommentRow(kind="send_back", author=s.author_name, created_at=s.created, body=s.text)
            for s in send_backs
        ]
    rows.sort(key=lambda r: r.created_at)
    return rows[-LIST_MAX:]


def comment_page(*, actor: Any, target: Target, offset: int, limit: int) -> tuple[int, list[CommentRow]]:
    """How many comments (with a plan's send-back reasons) the target has, and `limit` of them from
    `offset`, oldest first; `PermissionDenied` unless the actor may read them. The database merges,
    counts and slices: at most five queries, however many there are."""
    require(actor, "comment.view", target)
    comments = target.comments()
    total = comments.count()
    keys = (
        comments.order_by()
        .annotate(source=Value(0, IntegerField()), at=F("created_at"))
        .values_list("source", "pk", "at")
    )
    send_backs = PlanComment.objects.none()
    if target.kind == "plan":
        send_backs = PlanComment.objects.filter(plan=target.obj, kind=PlanCommentKind.SEND_BACK)
        total += send_backs.count()
        keys = keys.union(
            send_backs.order_by()
            .annotate(source=Value(1, IntegerField()), at=F("created"))
            .values_list("source", "pk", "at"),
            all=True,
        )
    chosen = list(keys.order_by("at", "source", "pk")[offset : offset + limit]) if total > offset else []
    wanted = [pk for source, pk, _at in chosen if source == 0]
    found = (
        {c.pk: c for c in Comment.objects.filter(pk__in=wanted).select_related("author")} if wanted else {}
    )
    backs = [pk for source, pk, _at in chosen if source == 1]
    found_backs = {s.pk: s for s in send_backs.filter(pk__in=backs)} if backs else {}
    rows = []
    for source, pk, _at in chosen:
        if source == 0:
            c = found[pk]
            rows.append(
                CommentRow(
                    kind="comment",
                    author=actor_label(c.author),
                    created_at=c.created_at,
                    body=c.body,
                    pk=c.pk,
                )
            )
        else:
            b = found_backs[pk]
            rows.append(CommentRow(kind="send_back", author=b.author_name, created_at=b.created, body=b.text))
    return total, rows


def notification_visibility_q(user: Any) -> Q:
    """The notifications whose subject `user` may read ("comment.view"), as a condition: one per
    kind of subject, each the policy's `comment_visibility_q` at that subject's place. A notification
    about something a role since taken away showed is neither listed, counted nor marked."""
    return (
        (Q(send_back__isnull=False) | Q(comment__plan__isnull=False)) & comment_visibility_q(user)
        | Q(comment__activity__isnull=False)
        & comment_visibility_q(user, county_field="comment__activity__owner_county__code")
        | Q(comment__county_plan__isnull=False)
        & comment_visibility_q(user, county_field="comment__county_plan__county__code")
        | Q(comment__report_version__isnull=False)
        & comment_visibility_q(
            user,
            county_field="comment__report_version__county__code",
            draft=~Q(comment__report_version__state=ReportState.SUBMITTED),
        )
    )


def notification_queryset(*, user: Any) -> QuerySet[Notification]:
    """The user's notifications that they may still read, newest first, with what
    `notification_target` reads."""
    return (
        Notification.objects.filter(recipient=user)
        .filter(notification_visibility_q(user))
        .select_related(
            "comment__author",
            "comment__plan__decision",
            "comment__activity__decision",
            "comment__activity__owner_county",
            "comment__county_plan__decision",
            "comment__county_plan__county",
            "comment__report_version__county",
            "send_back__plan__decision",
        )
        .prefetch_related("comment__county_plan__county__names")
        .order_by("-created_at", "-pk")
    )


def notification_target(notification: Notification) -> Target:
    comment = notification.comment
    if comment is None:  # the ministry sent a plan back
        assert notification.send_back is not None
        return target_of(notification.send_back.plan)
    obj = comment.plan or comment.activity or comment.county_plan or comment.report_version
    return target_of(obj)


def notifications_visible(*, user: Any, rows: Any) -> list[tuple[Notification, Target]]:
    """Of `rows` (the user's notifications), those whose subject the user may still read, each with
    it: a notification about something a role since taken away showed is left out, in the web and
    in the API alike (its text quotes the comment)."""
    pairs = [(n, notification_target(n)) for n in rows]
    return [(n, target) for n, target in pairs if check(user, "comment.view", target)]


def unread_count(*, user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return (
        Notification.objects.filter(recipient=user, read_at__isnull=True)
        .filter(notification_visibility_q(user))
        .count()
    )
