"""JAMKOLL_REQUIRE_2FA (issue 12): the roles that move money or certify act only in a session
verified with a code. Off by default (the demo and the browser journeys sign in with a password)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from .signin import two_factor_required
from .two_factor import confirmed_device

# Where an unverified user may still go: enrolling, signing in and out, the language switch.
OPEN_URL_NAMES = ("web:two_factor", "login", "login_code", "logout", "set_language")
OPEN_PREFIXES = ("/static/", "/favicon.ico")


class TwoFactorRequiredMiddleware:
    """After django-otp's OTPMiddleware. A user who must use the second step and has not enrolled
    is sent to enrol (the API answers 403 with the reason); one who has enrolled but whose session
    was not verified with a code (signed in before the setting was turned on) signs in again."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not settings.JAMKOLL_REQUIRE_2FA or getattr(request, "jamkoll_api_token", None) is not None:
            # An API key is its own credential (made in a session that passed this check, or by
            # the operator on the server), not a session to verify.
            return self.get_response(request)
        user = request.user
        verified = getattr(user, "is_verified", lambda: False)  # set by django-otp's OTPMiddleware
        if not user.is_authenticated or verified() or not two_factor_required(user):
            return self.get_response(request)
        if request.path.startswith(OPEN_PREFIXES) or request.path in {reverse(n) for n in OPEN_URL_NAMES}:
            return self.get_response(request)
        if request.path.startswith("/api/"):
            reason = _("Dina roller kräver tvåstegsverifiering. Aktivera den under Tvåstegsverifiering.")
            return JsonResponse({"detail": reason, "errors": {}}, status=403)
        if confirmed_device(user) is not None:
            logout(request)
            return redirect_to_login(request.get_full_path())
        return redirect("web:two_factor")  # the page says why
