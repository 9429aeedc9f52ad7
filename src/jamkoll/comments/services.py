"""Writing comments and marking notifications read (issue 15).

`comment_create` is all or nothing: the policy, the text, every @mention (an existing, active
user who may read the target), then the comment and one notification per person mentioned, in one
transaction; the e-mails go after the commit (`transaction.on_commit`), so a refused or rolled
back comment mails nobody. Mentioning someone who may not read the target is refused, naming them:
the writer learns it now rather than that person never seeing it.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from jamkoll.accounts.models import Role
from jamkoll.accounts.policy import actor_label, actor_user, check, require
from jamkoll.accounts.selectors import user_language
from jamkoll.errors import NotFound, field_error
from jamkoll.plans.models import PlanComment
from jamkoll.validation import clean_text

from .models import BODY_MAX, Comment, Notification
from .selectors import Target, notification_target, notification_visibility_q, target_of

logger = logging.getLogger(__name__)

MENTIONS_MAX = 10
# "@name" not preceded by a word character or "@" (so an e-mail address is not a mention);
# Django's usernames are letters, digits and @.+-_ (a trailing full stop ends the sentence).
_MENTION = re.compile(r"(?<![\w@])@([\w.+-]{1,150})")


def mentioned_names(body: str) -> list[str]:
    """The distinct @names in `body`, in order of appearance."""
    names: list[str] = []
    for match in _MENTION.finditer(body):
        name = match.group(1).rstrip(".")
        if name and name not in names:
            names.append(name)
    return names


def _recipients(body: str, target: Target, author: Any) -> list[Any]:
    names = mentioned_names(body)
    if len(names) > MENTIONS_MAX:
        raise field_error(
            "body", _("Nämn högst %(max)s personer i en kommentar (@namn).") % {"max": MENTIONS_MAX}
        )
    if not names:
        return []
    users = {u.get_username(): u for u in get_user_model().objects.filter(username__in=names, is_active=True)}
    unknown = [n for n in names if n not in users]
    if unknown:
        raise field_error(
            "body",
            _("Det finns ingen aktiv användare som heter %(names)s.")
            % {"names": ", ".join(f"@{n}" for n in unknown)},
        )
    blind = [n for n in names if not check(users[n], "comment.view", target)]
    if blind:
        raise field_error(
            "body",
            _("%(names)s får inte se det här och kan därför inte nämnas.")
            % {"names": ", ".join(f"@{n}" for n in blind)},
        )
    return [users[n] for n in names if users[n].pk != author.pk]


def _mail(notification_ids: list[int]) -> None:
    """E-mail each notified person who has an address (after the commit). A failed e-mail is
    logged: the comment and the notification list stand."""
    for notification in Notification.objects.filter(pk__in=notification_ids).select_related(
        "recipient", "comment__author", "send_back__plan__decision"
    ):
        if not notification.recipient.email:
            continue
        target = notification_target(notification)
        comment = notification.comment
        context = {
            "user": notification.recipient,
            "author": actor_label(comment.author) if comment is not None else notification.author_name,
            "comment": notification.comment,
            "body": notification.body,
            "target_title": target.title,
            "target_url": target.url,
        }
        template = "mention" if comment is not None else "send_back"
        try:
            with translation.override(user_language(notification.recipient)):
                subject = " ".join(
                    render_to_string(f"comments/email/{template}_subject.txt", context).split()
                )
                body = render_to_string(f"comments/email/{template}_body.txt", context)
            send_mail(subject, body, None, [notification.recipient.email])
        except Exception:  # an unreachable mail server must not turn a saved comment into an error
            logger.exception("comment notification %s: e-mail not sent", notification.pk)


def comment_create(*, actor: Any, target: Target, body: Any) -> Comment:
    """A comment on `target` by `actor`, with a notification (and an e-mail) for each person it
    @mentions. `PermissionDenied` unless the actor may comment; `ValidationError({"body": …})`
    for an empty, too long or unreadable text, or a mention of someone unknown or who may not see
    the target. Nothing is stored unless everything is."""
    require(actor, "comment.create", target)
    author = actor_user(actor)
    text = clean_text(body, field="body", max_length=BODY_MAX, multiline=True, required=True)
    recipients = _recipients(text, target, author)
    with transaction.atomic():
        comment = Comment.objects.create(author=author, body=text, **{target.field: target.obj})
        notifications = Notification.objects.bulk_create(
            [
                Notification(recipient=user, comment=comment, created_at=comment.created_at)
                for user in recipients
            ]
        )
        ids = [n.pk for n in notifications]
        if ids:
            transaction.on_commit(lambda: _mail(ids))
    return comment


def notification_mark_read(*, actor: Any, pk: Any = None) -> int:
    """Mark one of the actor's notifications read (or, with `pk` None, all of them); the number
    marked. `NotFound` for a notification that is not the actor's, or that is about something they
    may no longer read (as the list leaves it out)."""
    user = actor_user(actor)
    if user is None:
        raise NotFound(_("Aviseringen finns inte."))
    mine = Notification.objects.filter(recipient=user).filter(notification_visibility_q(user))
    unread = mine.filter(read_at__isnull=True)
    if pk is not None:
        if not mine.filter(pk=pk).exists():
            raise NotFound(_("Aviseringen finns inte."))
        unread = unread.filter(pk=pk)
    return unread.update(read_at=timezone.now())


def send_back_received(sender: Any, *, send_back: PlanComment, **_kwargs: Any) -> None:
    """The receiver of `plans.signals.plan_sent_back` (connected in `apps.CommentsConfig.ready`)."""
    send_back_notify(send_back=send_back)


def send_back_notify(*, send_back: PlanComment) -> list[Notification]:
    """Tell the owners of a plan the ministry sent back — SKR's coordinators, who may change it —
    with the ministry's comment, in their notification list and by e-mail (after the commit).
    Called on `plans.signals.plan_sent_back`, inside the transition's transaction; the comment itself is the
    plan's timeline line, which the plan's comment list shows (`selectors.comment_list`)."""
    target = target_of(send_back.plan)
    owners = (
        get_user_model()
        .objects.filter(is_active=True, role_assignments__role=Role.COORDINATOR)
        .exclude(pk=send_back.author_id or 0)
        .distinct()
    )
    recipients = [
        u for u in owners if check(u, "plan.edit", send_back.plan) and check(u, "comment.view", target)
    ]
    notifications = Notification.objects.bulk_create(
        [Notification(recipient=u, send_back=send_back, created_at=send_back.created) for u in recipients]
    )
    ids = [n.pk for n in notifications]
    if ids:
        transaction.on_commit(lambda: _mail(ids))
    return notifications
