"""The audit of sign-ins and refusals (issue 12, finding 6).

Every successful and failed sign-in, every wrong one-time code, every attempt refused by the
sign-in throttle, every logout, and every refusal of the policy's `require` (an attempt to act, not
the `check` that decides whether to show a button) is written to `AuditEvent` and to the logger
`jamkoll.audit`. The administrator reads the rows in the admin, where they cannot be changed.

Known limits:
- A refusal raised inside a transaction would be rolled back with it, so it is kept aside and
  written by `AuditMiddleware` when the request ends (the log line is written at once). A refusal
  outside a request inside a transaction (a service called from a script) only reaches the log.
- Refusals of anonymous visitors only reach the log: a crawler must not fill the table.
- Repeated attempts while locked out are written at most once a minute per name and address
  (each is logged).

`AuditEvent._default_manager` rather than `.objects` here and in signin.py: policy imports this
module, so mypy's Django plugin meets the model inside an import cycle and misses `objects`.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Callable
from contextvars import ContextVar
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from .models import AuditEvent, AuditKind

log = logging.getLogger("jamkoll.audit")

USER_AGENT_MAX = 200
LOCKED_OUT_ROW_EVERY = timedelta(minutes=1)

_request: ContextVar[HttpRequest | None] = ContextVar("jamkoll_audit_request", default=None)
_pending: ContextVar[list[AuditEvent] | None] = ContextVar("jamkoll_audit_pending", default=None)


def _bounded(text: Any, limit: int) -> str:
    """Printable text of at most `limit` characters (a header or a typed name can hold anything)."""
    value = "" if text is None else str(text)
    return "".join(c if c.isprintable() else "?" for c in value[:limit])


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address. X-Forwarded-For is believed only when JAMKOLL_TRUSTED_PROXIES says
    how many proxies of our own stand in front (each appends the address it saw): then the
    address the outermost of them saw is the N-th from the right. Anything else — no proxy
    configured, a shorter header, a value that is not an address — falls back to REMOTE_ADDR,
    so a client cannot choose its own address by sending the header."""
    if request is None:
        return None
    meta = request.META
    proxies = getattr(settings, "JAMKOLL_TRUSTED_PROXIES", 0)
    candidate = meta.get("REMOTE_ADDR", "")
    if proxies > 0:
        hops = [h.strip() for h in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
        if len(hops) >= proxies:
            candidate = hops[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        try:
            return str(ipaddress.ip_address(meta.get("REMOTE_ADDR", "")))
        except ValueError:
            return None


def _event(
    kind: str, *, request: HttpRequest | None, user: Any = None, username: Any = "", **fields: Any
) -> AuditEvent:
    if user is not None and getattr(user, "is_authenticated", False):
        username = username or user.get_username()
    else:
        user = None
    return AuditEvent(
        kind=kind,
        user=user,
        username=_bounded(username, 150),
        ip=client_ip(request),
        user_agent=_bounded(request.META.get("HTTP_USER_AGENT", ""), USER_AGENT_MAX) if request else "",
        path=_bounded(request.path, 200) if request else "",
        **fields,
    )


def _log(event: AuditEvent, level: int = logging.INFO) -> None:
    extra = f" action={event.action} target={event.target!r} reason={event.reason!r}" if event.action else ""
    log.log(
        level,
        "%s user=%r ip=%s path=%s ua=%r%s",
        event.kind,
        event.username,
        event.ip or "-",
        event.path or "-",
        event.user_agent[:80],
        extra,
    )


def _in_transaction() -> bool:
    """Inside a transaction of the application (a test's own wrapping transaction does not count:
    it is never rolled back under a refusal)."""
    connection = transaction.get_connection()
    return any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


def _save(event: AuditEvent) -> None:
    if _in_transaction():
        if _request.get() is None:
            # Outside a request nobody writes it after the transaction: kept aside it would be
            # written later by another request (naming an account that may be gone). The log has it.
            return
        pending = _pending.get()
        if pending is None:
            pending = []
            _pending.set(pending)
        pending.append(event)
        return
    flush()
    event.save()


def flush() -> None:
    """Write the events kept aside while a transaction was open."""
    pending = _pending.get()
    if not pending or _in_transaction():
        return
    _pending.set([])
    AuditEvent._default_manager.bulk_create(pending)


def record(kind: str, *, request: HttpRequest | None, user: Any = None, username: Any = "") -> AuditEvent:
    """Write one sign-in event (login, failure, wrong code, logout, two-factor change)."""
    event = _event(kind, request=request, user=user, username=username)
    _log(event, logging.INFO if kind in {AuditKind.LOGIN, AuditKind.LOGOUT} else logging.WARNING)
    if kind == AuditKind.LOCKED_OUT:
        recent = AuditEvent._default_manager.filter(
            kind=kind, username=event.username, ip=event.ip, at__gt=timezone.now() - LOCKED_OUT_ROW_EVERY
        )
        if recent.exists():
            return event
    _save(event)
    return event


def _describe(obj: Any) -> str:
    if obj is None:
        return ""
    if isinstance(obj, str):
        return _bounded(obj, 200)
    try:
        text = f"{type(obj).__name__} {getattr(obj, 'pk', '') or ''} {obj}"
    except Exception:  # a broken __str__ must not turn a refusal into a server error
        text = type(obj).__name__
    return _bounded(" ".join(text.split()), 200)


def record_refusal(actor: Any, action: str, obj: Any, reason: str) -> None:
    """A refusal of `require`: who, what, on what, why. Anonymous visitors only reach the log."""
    request = _request.get()
    user = actor if getattr(actor, "is_authenticated", False) else None
    event = _event(
        AuditKind.REFUSAL,
        request=request,
        user=user,
        action=_bounded(action, 80),
        target=_describe(obj),
        reason=_bounded(reason, 300),
    )
    _log(event, logging.WARNING)
    if user is not None:
        _save(event)


class AuditMiddleware:
    """Makes the request known to `record_refusal` (address, path, browser) and writes the
    refusals kept aside during the request once its transactions are over."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _request.set(request)
        _pending.set([])
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)
            flush()


# --- Django's sign-in signals (connected in AccountsConfig.ready) ---


def on_logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    record(AuditKind.LOGIN, request=request, user=user)


def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kw: Any
) -> None:
    locked = request is not None and getattr(request, "jamkoll_lockout", None) is not None
    record(
        AuditKind.LOCKED_OUT if locked else AuditKind.LOGIN_FAILED,
        request=request,
        username=credentials.get("username", ""),
    )


def on_logged_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is not None:
        record(AuditKind.LOGOUT, request=request, user=user)
