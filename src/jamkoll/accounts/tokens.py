"""Personal API keys (issue 15).

A key is `jk_` followed by 43 URL-safe characters (32 random bytes from `secrets`). Only its
SHA-256 is stored: a key is found by the digest of what the client sends (an indexed, unique
column), so a guess is never compared character by character with a stored secret, and a copy of
the database holds no usable key. The first characters (`prefix`) are kept in clear to tell keys
apart on the user's page and on the command line.

A key acts as its user, through the one policy: its roles and scope, nothing more. A revoked or
expired key, or a key of an inactive user, is refused (`TokenRefused`, a 401 in the API). Every
request made with a key is written to `ApiTokenUse` (accounts/api_auth.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from jamkoll.errors import NotFound, field_error
from jamkoll.validation import clean_text

from .models import TOKEN_MAX, TOKEN_NAME_MAX, TOKEN_PREFIX_LEN, ApiToken, ApiTokenUse
from .policy import require

log = logging.getLogger("jamkoll.audit")

TOKEN_START = "jk_"
# A user holds at most this many keys that still work (revoked and expired ones do not count).
ACTIVE_TOKENS_MAX = 20
USE_PATH_MAX = 200


class TokenRefused(Exception):
    """A key that does not (or no longer does) open the API; the message says why, to the holder."""


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "replace")).hexdigest()


def _active(now: dt.datetime | None = None) -> Q:
    now = now or timezone.now()
    return Q(revoked_at__isnull=True) & (Q(expires_at__isnull=True) | Q(expires_at__gt=now))


def token_list(*, user: Any) -> QuerySet[ApiToken]:
    """The user's keys, newest first (revoked and expired ones too: the page shows their status)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-pk")


def token_create(
    *, user: Any, actor: Any, name: Any = "", expires_at: dt.datetime | None = None
) -> tuple[ApiToken, str]:
    """A new key for `user`: the stored row and the key itself, which is never shown again.
    A user makes keys for their own account; the command line (a system actor) for anyone."""
    require(actor, "account.api_tokens", user)
    if not getattr(user, "is_active", False):
        raise field_error("user", _("Kontot är avstängt."))
    clean_name = clean_text(name, field="name", max_length=TOKEN_NAME_MAX) or _("API-nyckel")
    if expires_at is not None and expires_at <= timezone.now():
        raise field_error("expires_at", _("Slutdagen måste ligga i framtiden."))
    with transaction.atomic():
        # Locks the user's row: two requests at once cannot both pass the count.
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        if ApiToken.objects.filter(_active(), user=user).count() >= ACTIVE_TOKENS_MAX:
            raise field_error(
                "name",
                _("Du har redan %(n)s giltiga API-nycklar. Återkalla någon innan du skapar en ny.")
                % {"n": ACTIVE_TOKENS_MAX},
            )
        raw = TOKEN_START + secrets.token_urlsafe(32)
        token = ApiToken.objects.create(
            user=user,
            name=clean_name,
            prefix=raw[:TOKEN_PREFIX_LEN],
            digest=_digest(raw),
            expires_at=expires_at,
        )
    log.info("api_token_created user=%r prefix=%s", user.get_username(), token.prefix)
    return token, raw


def token_find(*, key: Any, user: Any = None) -> ApiToken:
    """A key by its number or by the start of the key as shown (`jk_AbC…`), optionally among one
    user's keys; `NotFound` if none or more than one matches."""
    text = str(key or "").strip().rstrip("…").rstrip(".")[:TOKEN_MAX]
    found = ApiToken.objects.select_related("user")
    if user is not None:
        found = found.filter(user=user)
    if text.isdigit():
        matches = list(found.filter(pk=int(text[:18])))
    elif text.startswith(TOKEN_START) and len(text) > len(TOKEN_START):
        matches = list(found.filter(prefix__startswith=text[:TOKEN_PREFIX_LEN])[:2])
    else:
        matches = []
    if len(matches) != 1:
        if matches:
            raise NotFound(_("Flera API-nycklar börjar med %(key)s; ange nyckelns nummer.") % {"key": text})
        raise NotFound(_("Ingen API-nyckel %(key)s.") % {"key": text[:20]})
    return matches[0]


def token_revoke(*, token: ApiToken, actor: Any) -> ApiToken:
    """Revoke a key at once (idempotent: a revoked key keeps its first revocation time)."""
    require(actor, "account.api_tokens", token)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=token.revoked_at)
        log.info("api_token_revoked user=%r prefix=%s", token.user.get_username(), token.prefix)
    return token


def token_authenticate(raw: str) -> ApiToken:
    """The key's row, with its user, if the key opens the API; `TokenRefused` otherwise."""
    raw = raw.strip()
    if not raw or len(raw) > TOKEN_MAX or not raw.startswith(TOKEN_START):
        raise TokenRefused(_("API-nyckeln är ogiltig."))
    digest = _digest(raw)
    token = ApiToken.objects.select_related("user").filter(digest=digest).first()
    if token is None or not hmac.compare_digest(token.digest, digest):
        raise TokenRefused(_("API-nyckeln är ogiltig."))
    status = token.status()
    if status == "revoked":
        raise TokenRefused(_("API-nyckeln är återkallad."))
    if status == "expired":
        raise TokenRefused(_("API-nyckeln har gått ut."))
    if not token.user.is_active:
        raise TokenRefused(_("Kontot som API-nyckeln hör till är avstängt."))
    return token


def token_use_record(
    *, token: ApiToken, method: str, path: str, status: int | None, ip: str | None
) -> ApiTokenUse:
    """Write one use of a key, and when it was last used."""
    now = timezone.now()
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now
    return ApiTokenUse.objects.create(
        token=token,
        at=now,
        method=method[:10],
        path="".join(c if c.isprintable() else "?" for c in path[:USE_PATH_MAX]),
        status=status if status is not None and 100 <= status <= 599 else None,
        ip=ip,
    )
