"""Personal calendar feeds: a secret address per user that calendar programs subscribe to.

Whoever knows the token can read the user's deadlines, so a user may replace the address (the old
one stops working) or revoke it at any time. A feed belongs to a user: a system actor has none.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jamkoll.accounts.policy import actor_user, require

from .models import CalendarFeed


def _feed_user(actor: Any) -> Any:
    require(actor, "feed.manage")
    user = actor_user(actor)
    if user is None:
        raise ValidationError(_("Ett kalenderflöde hör till en inloggad användare."), code="no_user")
    return user


def feed_create(*, actor: Any) -> CalendarFeed:
    """A new secret feed address for the actor; an earlier one stops working."""
    user = _feed_user(actor)
    with transaction.atomic():
        feed_revoke(actor=actor)
        return CalendarFeed.objects.create(user=user, token=secrets.token_urlsafe(32))


def feed_revoke(*, actor: Any) -> int:
    """Stop the actor's feed address from working; the number of addresses revoked (0 or 1)."""
    user = _feed_user(actor)
    revoked = 0
    for feed in CalendarFeed.objects.filter(user=user, revoked_at__isnull=True):
        feed.revoked_at = timezone.now()
        feed._history_user = user  # type: ignore[attr-defined]
        feed.save(update_fields=["revoked_at"])
        revoked += 1
    return revoked
