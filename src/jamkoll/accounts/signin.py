"""Signing in: the throttle and the second step (issue 12, finding 6).

The throttle counts the failed sign-ins in the audit (`AuditEvent`): more than
JAMKOLL_LOGIN_FAILURE_LIMIT failures of one name from one address, or more than
JAMKOLL_LOGIN_IP_FAILURE_LIMIT from one address whatever the names, within
JAMKOLL_LOGIN_COOLOFF_MINUTES, and that name (that address) is refused until the window has
moved past enough of them. A successful sign-in starts a name's count from one address afresh;
it does not clear the address's count (one valid account must not reset an address that guesses
others). `ThrottleBackend` stands first among the authentication backends: a locked-out attempt
is refused before any backend runs the password hasher (≈0.6 s of CPU each), for the site's login
page and the admin's alike.

Why not django-axes: it compares one failure limit with every lockout parameter, so "5 per name
and address, 30 per address" needs a handler of our own anyway; its backend refuses
`authenticate()` without a request; and it keeps a second failure log beside the audit.

Known limits: no limit per name across addresses (it would let anyone lock any account out);
a lock names minutes, not the second it ends.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import ngettext

from .audit import _bounded, client_ip
from .models import FAILED_KINDS, AuditEvent, AuditKind, Role
from .policy import has_role

# The roles that move money or certify, offered (and with JAMKOLL_REQUIRE_2FA required) the second
# step. `rss` is among them: an RSS leader requisitions the county's money and reports its
# expenditure and repayments. `admin` too: an administrator can give any account any of these roles.
TWO_FACTOR_ROLES = (Role.COORDINATOR, Role.CERTIFIER, Role.SIGNATORY, Role.TREASURY, Role.RSS, Role.ADMIN)


@dataclass(frozen=True)
class Lockout:
    until: datetime

    @property
    def minutes(self) -> int:
        return max(1, math.ceil((self.until - timezone.now()).total_seconds() / 60))

    @property
    def message(self) -> str:
        return ngettext(
            "För många misslyckade inloggningar. Försök igen om %(minutes)d minut.",
            "För många misslyckade inloggningar. Försök igen om %(minutes)d minuter.",
            self.minutes,
        ) % {"minutes": self.minutes}


def _nth_newest(events: Any, n: int) -> datetime | None:
    """When the n-th newest of `events` happened (None with fewer than n): with n failures in the
    window, the lock lasts until that one leaves it."""
    if n <= 0:
        return None
    return events.order_by("-at").values_list("at", flat=True)[n - 1 : n].first()


def lockout_for(username: Any, ip: str | None) -> Lockout | None:
    """Is a sign-in as `username` from `ip` refused now? Two or three indexed queries, no hasher."""
    username = _bounded(username, 150)
    cooloff = timedelta(minutes=settings.JAMKOLL_LOGIN_COOLOFF_MINUTES)
    since = timezone.now() - cooloff
    failures = AuditEvent._default_manager.filter(kind__in=FAILED_KINDS, at__gt=since, ip=ip)
    last_login = (
        AuditEvent._default_manager.filter(kind=AuditKind.LOGIN, username=username, ip=ip, at__gt=since)
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )
    pair = failures.filter(username=username, at__gt=last_login or since)
    starts = [
        _nth_newest(pair, settings.JAMKOLL_LOGIN_FAILURE_LIMIT),
        _nth_newest(failures, settings.JAMKOLL_LOGIN_IP_FAILURE_LIMIT),
    ]
    found = [start for start in starts if start is not None]
    return Lockout(max(found) + cooloff) if found else None


def lockout_for_request(request: HttpRequest, username: Any) -> Lockout | None:
    return lockout_for(username, client_ip(request))


class ThrottleBackend:
    """First of AUTHENTICATION_BACKENDS: refuses a locked-out attempt before the password is
    checked. `authenticate()` then stops, sends `user_login_failed` (the audit writes
    "locked_out"), and the login form says why (`request.jamkoll_lockout`). It authenticates
    nobody itself and has no `get_user`, so a session never names it."""

    def authenticate(self, request: HttpRequest | None, username: Any = None, **credentials: Any) -> None:
        if request is None:  # no address to count by (a script); the other backends decide
            return None
        lockout = lockout_for_request(request, username)
        if lockout is not None:
            request.jamkoll_lockout = lockout  # type: ignore[attr-defined]
            raise PermissionDenied(lockout.message)
        return None


# --- The second step (TOTP, django-otp) ---


def two_factor_offered(user: Any) -> bool:
    """Does the user hold a role that is offered the second step?"""
    return any(has_role(user, role) for role in TWO_FACTOR_ROLES)


def two_factor_required(user: Any) -> bool:
    return bool(settings.JAMKOLL_REQUIRE_2FA) and two_factor_offered(user)
