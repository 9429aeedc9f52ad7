"""Signing in (the password, then a code for a user who enrolled one) and the user's own page for
two-step verification (issue 12, finding 6). The throttle and the audit are in accounts."""

from __future__ import annotations

import time
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView, LogoutView, redirect_to_login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from jamkoll.accounts import tokens, two_factor
from jamkoll.accounts.audit import record
from jamkoll.accounts.models import TOKEN_NAME_MAX, AuditKind
from jamkoll.accounts.policy import require
from jamkoll.accounts.signin import lockout_for_request, two_factor_required
from jamkoll.errors import NotFound, form_add_errors
from jamkoll.redirects import safe_next

PENDING = "jamkoll_signin_pending"
PENDING_SECONDS = 300  # the code must follow the password within five minutes


class SigninForm(AuthenticationForm):
    """Django's form, in Swedish, that says so when the throttle refused the attempt. Drawn by
    the shared `web/_form_fields.html` (error summary at the top, each error beside its field)."""

    error_messages = {
        "invalid_login": gettext_lazy("Användarnamnet eller lösenordet är fel. Försök igen."),
        "inactive": gettext_lazy("Kontot är avstängt."),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Användarnamn")
        self.fields["password"].label = _("Lösenord")
        for field in self.fields.values():
            if self.is_bound:  # after a failed attempt the error summary takes the focus
                field.widget.attrs.pop("autofocus", None)

    def get_invalid_login_error(self) -> ValidationError:
        lockout = getattr(self.request, "jamkoll_lockout", None)
        if lockout is not None:
            return ValidationError(lockout.message, code="locked")
        return super().get_invalid_login_error()


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Engångskod"),
        max_length=two_factor.CODE_MAX,
        strip=True,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9 ]*"}
        ),
    )


def _safe_next(request: HttpRequest, value: str) -> str:
    return safe_next(request, value, reverse("web:home"))


def _locked(form: forms.Form) -> bool:
    return any(e.code == "locked" for e in form.errors.as_data().get("__all__", []))


class SignoutView(LogoutView):
    """Signing out is a form sent by the header's button (POST). The address opened directly (a
    bookmark, a typed URL) shows that button with a line on what it does, not a bare 405."""

    http_method_names = ["get", "post", "options"]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return render(request, "registration/logout.html")

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        signed_in = request.user.is_authenticated
        response = super().post(request, *args, **kwargs)
        if signed_in:  # said on the page the user lands on (the session is new by now)
            messages.success(request, _("Du är utloggad."))
        return response


class SigninView(LoginView):
    """The password step. A user with an enrolled device is not signed in yet: the session
    remembers who passed the password, and the code page finishes the sign-in."""

    form_class = SigninForm
    template_name = "registration/login.html"

    def form_valid(self, form: Any) -> HttpResponse:
        user = form.get_user()
        if two_factor.confirmed_device(user) is None:
            return super().form_valid(form)
        self.request.session.cycle_key()
        self.request.session[PENDING] = {
            "user": user.pk,
            "backend": user.backend,
            "at": time.time(),
            "next": self.get_success_url(),
        }
        return redirect("login_code")

    def form_invalid(self, form: Any) -> HttpResponse:
        response = super().form_invalid(form)
        if _locked(form):
            response.status_code = 429
        return response


def _pending_user(request: HttpRequest) -> tuple[Any, dict[str, Any]] | None:
    pending = request.session.get(PENDING)
    if not isinstance(pending, dict) or time.time() - float(pending.get("at", 0)) > PENDING_SECONDS:
        return None
    user = get_user_model().objects.filter(pk=int(pending.get("user") or 0), is_active=True).first()
    return (user, pending) if user is not None else None


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def login_code(request: HttpRequest) -> HttpResponse:
    """The second step: the code from the user's authenticator app. A wrong code counts towards
    the same throttle as a wrong password."""
    found = _pending_user(request)
    if found is None:
        request.session.pop(PENDING, None)
        messages.info(request, _("Logga in med ditt lösenord först."))
        return redirect("login")
    user, pending = found
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        lockout = lockout_for_request(request, user.get_username())
        device = two_factor.confirmed_device(user)
        if lockout is not None:
            record(AuditKind.LOCKED_OUT, request=request, username=user.get_username())
            form.add_error(None, ValidationError(lockout.message, code="locked"))
            status = 429
        elif form.is_valid() and device is not None and two_factor.verify(device, form.cleaned_data["code"]):
            del request.session[PENDING]
            login(request, user, backend=pending["backend"])
            otp_login(request, device)
            return HttpResponseRedirect(_safe_next(request, str(pending.get("next", ""))))
        else:
            record(AuditKind.CODE_FAILED, request=request, username=user.get_username())
            form.errors.clear()
            form.add_error(None, _("Koden stämmer inte. Försök igen med koden som appen visar nu."))
    return render(request, "registration/login_code.html", {"form": form}, status=status)


@login_required
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def two_factor_page(request: HttpRequest) -> HttpResponse:
    """Tvåstegsverifiering: enrol an authenticator app (QR code, secret, a code to confirm), or
    turn it off with a code."""
    require(request.user, "account.two_factor")
    device = two_factor.confirmed_device(request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if device is None:
                device = two_factor.two_factor_confirm(
                    actor=request.user, request=request, code=form.cleaned_data["code"]
                )
                otp_login(request, device)
                messages.success(request, _("Tvåstegsverifieringen är aktiverad."))
            else:
                two_factor.two_factor_disable(
                    actor=request.user, request=request, code=form.cleaned_data["code"]
                )
                messages.success(request, _("Tvåstegsverifieringen är avstängd."))
            return redirect("web:two_factor")
        except ValidationError as exc:
            form.add_error("code", exc)
    context: dict[str, Any] = {
        "form": form,
        "device": device,
        "required": two_factor_required(request.user),
    }
    if device is None:
        pending = two_factor.pending_device(actor=request.user, request=request)
        context["qr"] = mark_safe(two_factor.qr_svg(pending))
        context["secret"] = two_factor.secret_text(pending)
    status = 400 if form.errors else 200
    return render(request, "registration/two_factor.html", context, status=status)


def admin_login(request: HttpRequest, extra_context: Any = None) -> HttpResponse:
    """The admin's login page is the site's (its own form would skip the code step)."""
    wanted = request.GET.get("next", "")
    return redirect_to_login(_safe_next(request, wanted) if wanted else reverse("admin:index"))


def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch, which also keeps a signed-in user's choice for the e-mail JämKoll
    sends them (`accounts.services.language_remember`)."""
    from django.views.i18n import set_language as django_set_language

    from jamkoll.accounts.services import language_remember

    response = django_set_language(request)
    if request.method == "POST" and response.status_code in (200, 302):
        language_remember(user=request.user, language=str(request.POST.get("language", ""))[:10])
    return response


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Namn"),
        max_length=TOKEN_NAME_MAX,
        required=False,
        help_text=gettext_lazy("Vad nyckeln används till, t.ex. ”Rapportskript”. Högst 100 tecken."),
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def api_tokens_page(request: HttpRequest) -> HttpResponse:
    """API-nycklar: the user's own personal API keys. A new key is shown once, on the answer to
    the form that made it (never stored in clear, never in the session)."""
    require(request.user, "account.api_tokens", request.user)
    form = ApiTokenForm(request.POST or None)
    created = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                created = tokens.token_create(
                    user=request.user, actor=request.user, name=form.cleaned_data["name"]
                )
                form = ApiTokenForm()
            except ValidationError as exc:
                form_add_errors(form, exc)
        if form.errors:
            status = 400
    context: dict[str, Any] = {
        "form": form,
        "tokens": tokens.token_list(user=request.user),
        "created": created[0] if created else None,
        "plaintext": created[1] if created else None,
    }
    return render(request, "registration/api_tokens.html", context, status=status)


@login_required
@require_POST
def api_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Revoke one of the user's own keys. Another user's key is not found (404), so the page does
    not tell whether it exists."""
    try:
        token = tokens.token_find(key=str(pk), user=request.user)
    except NotFound:
        raise NotFound(_("Ingen sådan API-nyckel bland dina.")) from None
    tokens.token_revoke(token=token, actor=request.user)
    messages.success(request, _("API-nyckeln %(prefix)s… är återkallad.") % {"prefix": token.prefix})
    return redirect("web:api_tokens")
