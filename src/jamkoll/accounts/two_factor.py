"""Two-step verification with a time-based code (TOTP, RFC 6238) through django-otp.

A user whose roles are offered it (`signin.TWO_FACTOR_ROLES`) enrols one authenticator app: the
page shows a QR code (SVG made here, no script) and the secret, and the device is stored only once
the user has typed a code it made (until then the secret waits in the session: showing the page
writes nothing). From then on signing in asks for a code after the password.
"""

from __future__ import annotations

import base64
import time
from binascii import unhexlify
from typing import Any

import segno
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

from .audit import record
from .models import AuditKind
from .policy import require
from .signin import two_factor_required

DEVICE_NAME = "JämKoll"
CODE_MAX = 12  # six digits, with spaces if the user types them in groups
SESSION_KEY = "jamkoll_two_factor_key"


def confirmed_device(user: Any) -> TOTPDevice | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def pending_device(*, actor: Any, request: HttpRequest) -> TOTPDevice:
    """The device being enrolled, not saved: its secret is kept in the session until confirmed."""
    require(actor, "account.two_factor")
    key = request.session.get(SESSION_KEY)
    if not isinstance(key, str) or len(key) != 40:
        key = default_key()
        request.session[SESSION_KEY] = key
    return TOTPDevice(user=actor, name=DEVICE_NAME, key=key, confirmed=False)


def secret_text(device: TOTPDevice) -> str:
    """The secret as an authenticator app wants it typed: base32 in groups of four."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// address as an inline SVG: paths only, no script, no style attribute."""
    return str(segno.make(device.config_url, error="m").svg_inline(scale=5, dark="#1b1b1b", border=2))


def clean_code(value: Any) -> str:
    text = str(value or "")
    code = "".join(text.split())
    if len(text) > CODE_MAX or not (code.isascii() and code.isdigit() and len(code) == 6):
        raise ValidationError(_("Ange de sex siffrorna som appen visar."), code="code")
    return code


def verify(device: TOTPDevice, value: Any) -> bool:
    """Does `value` match the device's code now (one step either side; a code is used once; the
    device slows down after failures)?"""
    try:
        code = clean_code(value)
    except ValidationError:
        return False
    return bool(device.verify_token(code))


def two_factor_confirm(*, actor: Any, request: HttpRequest, code: Any) -> TOTPDevice:
    """Store the pending device once `code` is one it made; it replaces any other of the user's."""
    device = pending_device(actor=actor, request=request)
    totp = TOTP(unhexlify(device.key), device.step, device.t0, device.digits, 0)
    totp.time = time.time()
    if not totp.verify(int(clean_code(code)), tolerance=device.tolerance):
        raise ValidationError(_("Koden stämmer inte. Kontrollera klockan i telefonen och försök igen."))
    device.last_t = totp.t()  # this code cannot sign in as well
    device.drift = totp.drift
    device.confirmed = True
    with transaction.atomic():
        TOTPDevice.objects.filter(user=actor).delete()
        device.save()
    request.session.pop(SESSION_KEY, None)
    record(AuditKind.TWO_FACTOR, request=request, user=actor)
    return device


def two_factor_disable(*, actor: Any, request: HttpRequest, code: Any) -> None:
    """Turn the second step off with a current code (a stolen session alone cannot)."""
    require(actor, "account.two_factor")
    device = confirmed_device(actor)
    if device is None:
        return
    if two_factor_required(actor):
        raise ValidationError(_("Dina roller kräver tvåstegsverifiering; den kan inte stängas av."))
    clean_code(code)
    if not verify(device, code):
        raise ValidationError(_("Koden stämmer inte."))
    device.delete()
    record(AuditKind.TWO_FACTOR, request=request, user=actor)
