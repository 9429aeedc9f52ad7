"""Signing in (issue 12, finding 6): the throttle by name and address, the audit of sign-ins,
logouts and refusals, and two-step verification with a time-based code."""

from __future__ import annotations

import logging
import re
import time
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from jamkoll.accounts.audit import AuditMiddleware, client_ip
from jamkoll.accounts.models import AuditEvent, AuditKind
from jamkoll.accounts.policy import check, require
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

LOGIN = "/logga-in/"
CODE = "/logga-in/kod/"
TWO_FACTOR = "/konto/tvastegsverifiering/"
LOCKED = "För många misslyckade inloggningar. Försök igen om 15 minuter."


class CountingHasher(PBKDF2PasswordHasher):
    """Django's hasher (same algorithm and cost, so the personas' passwords verify), counting."""

    runs = 0

    def verify(self, password: str, encoded: str) -> bool:
        CountingHasher.runs += 1
        return super().verify(password, encoded)

    def encode(self, password: str, salt: str, iterations: int | None = None) -> str:
        CountingHasher.runs += 1
        return super().encode(password, salt, iterations)


counting = override_settings(PASSWORD_HASHERS=["tests.accounts.test_signin.CountingHasher"])


def _post_login(client: Client, username: str, password: str) -> Any:
    return client.post(LOGIN, {"username": username, "password": password})


def _signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


# --- The throttle ---


@counting
def test_it_refuses_the_sixth_attempt_without_checking_the_password(coordinator: Any) -> None:
    client = Client()
    for _ in range(5):
        response = _post_login(client, "anna-samordnare", "fel")
        assert response.status_code == 200
        assert "Användarnamnet eller lösenordet är fel" in response.content.decode()
    CountingHasher.runs = 0
    started = time.process_time()
    response = _post_login(client, "anna-samordnare", "pw-anna-samordnare")  # the right password
    spent = time.process_time() - started
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert 'role="alert"' in response.content.decode()  # the login page, saying why
    assert CountingHasher.runs == 0, "a locked-out attempt ran the password hasher"
    assert not _signed_in(client)
    assert spent < 0.3, f"a refused attempt cost {spent:.3f} s of CPU"
    assert AuditEvent.objects.filter(kind=AuditKind.LOCKED_OUT, username="anna-samordnare").count() == 1


@counting
def test_it_lets_the_right_password_in_again_after_the_cool_off(coordinator: Any) -> None:
    client = Client()
    for _ in range(5):
        _post_login(client, "anna-samordnare", "fel")
    assert _post_login(client, "anna-samordnare", "pw-anna-samordnare").status_code == 429
    # Fifteen minutes and a second pass.
    AuditEvent.objects.update(at=F("at") - timedelta(minutes=15, seconds=1))
    response = _post_login(client, "anna-samordnare", "pw-anna-samordnare")
    assert response.status_code == 302 and _signed_in(client)


def test_it_counts_by_name_and_address(coordinator: Any) -> None:
    for _ in range(5):
        _post_login(Client(), "anna-samordnare", "fel")
    # The same name from another address, another name from the same address: not locked.
    other_address = Client(REMOTE_ADDR="10.1.2.3")
    assert _post_login(other_address, "anna-samordnare", "pw-anna-samordnare").status_code == 302
    AuditEvent.objects.create(kind=AuditKind.LOGIN_FAILED, username="nobody", ip="127.0.0.1")
    assert "Användarnamnet" in _post_login(Client(), "someone-else", "fel").content.decode()


def test_a_successful_sign_in_starts_the_count_afresh(coordinator: Any) -> None:
    client = Client()
    for _ in range(4):
        _post_login(client, "anna-samordnare", "fel")
    assert _post_login(client, "anna-samordnare", "pw-anna-samordnare").status_code == 302
    client.post(reverse("logout"))
    assert _post_login(client, "anna-samordnare", "fel").status_code == 200  # the 5th failure, not locked
    assert _post_login(client, "anna-samordnare", "pw-anna-samordnare").status_code == 302


@counting
def test_it_locks_an_address_that_tries_many_names(coordinator: Any, settings: Any) -> None:
    limit = settings.JAMKOLL_LOGIN_IP_FAILURE_LIMIT
    assert limit > settings.JAMKOLL_LOGIN_FAILURE_LIMIT
    AuditEvent.objects.bulk_create(
        AuditEvent(kind=AuditKind.LOGIN_FAILED, username=f"guess-{i}", ip="127.0.0.1")
        for i in range(limit - 1)
    )
    assert _post_login(Client(), "one-more-guess", "fel").status_code == 200  # the limit-th failure
    CountingHasher.runs = 0
    response = _post_login(Client(), "anna-samordnare", "pw-anna-samordnare")
    assert response.status_code == 429 and LOCKED in response.content.decode()
    assert CountingHasher.runs == 0
    # Another address is not affected.
    assert (
        _post_login(Client(REMOTE_ADDR="10.9.9.9"), "anna-samordnare", "pw-anna-samordnare").status_code
        == 302
    )


def test_the_admin_signs_in_through_the_site_login(client: Client) -> None:
    admin_index = reverse("admin:index")  # wherever the admin lives
    response = client.get(f"{reverse('admin:login')}?next={admin_index}")
    assert response.status_code == 302 and response["Location"] == f"/logga-in/?next={admin_index}"


def test_it_believes_x_forwarded_for_only_behind_a_configured_proxy(settings: Any) -> None:
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 192.0.2.7")
    settings.JAMKOLL_TRUSTED_PROXIES = 0
    assert client_ip(request) == "10.0.0.1"  # a client cannot choose its own address
    settings.JAMKOLL_TRUSTED_PROXIES = 1
    assert client_ip(request) == "192.0.2.7"  # what our proxy saw, not what the client wrote
    settings.JAMKOLL_TRUSTED_PROXIES = 3  # a header shorter than the proxies: the connection
    assert client_ip(request) == "10.0.0.1"
    bad = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="not-an-address")
    settings.JAMKOLL_TRUSTED_PROXIES = 1
    assert client_ip(bad) == "10.0.0.1"


def test_a_spoofed_forwarded_header_does_not_escape_the_lock(coordinator: Any) -> None:
    for i in range(5):
        Client(HTTP_X_FORWARDED_FOR=f"10.0.0.{i}").post(
            LOGIN, {"username": "anna-samordnare", "password": "x"}
        )
    response = Client(HTTP_X_FORWARDED_FOR="10.0.0.99").post(
        LOGIN, {"username": "anna-samordnare", "password": "pw-anna-samordnare"}
    )
    assert response.status_code == 429


# --- The audit ---


def test_it_audits_sign_in_failure_and_logout(coordinator: Any, caplog: Any) -> None:
    client = Client(HTTP_USER_AGENT="Mozilla/5.0 " + "x" * 5000)
    with caplog.at_level(logging.INFO, logger="jamkoll.audit"):
        _post_login(client, "anna-samordnare", "fel")
        _post_login(client, "anna-samordnare", "pw-anna-samordnare")
        client.post(reverse("logout"))
    rows = list(AuditEvent.objects.order_by("at", "pk"))
    assert [r.kind for r in rows] == [AuditKind.LOGIN_FAILED, AuditKind.LOGIN, AuditKind.LOGOUT]
    failed, login, logout = rows
    assert failed.username == "anna-samordnare" and failed.user is None and failed.ip == "127.0.0.1"
    assert login.user == coordinator and logout.user == coordinator
    assert all(len(r.user_agent) == 200 and r.user_agent.startswith("Mozilla/5.0") for r in rows)
    logged = caplog.text
    assert "login_failed user='anna-samordnare' ip=127.0.0.1" in logged and "logout" in logged


def test_it_audits_a_refusal_of_require_but_not_of_check(no_role: Any) -> None:
    assert not check(no_role, "plan.edit")
    assert not AuditEvent.objects.filter(kind=AuditKind.REFUSAL).exists()  # a hidden button is no attempt
    response = client_for(no_role).get("/planer/")
    assert response.status_code == 403
    refusal = AuditEvent.objects.get(kind=AuditKind.REFUSAL)
    assert refusal.user == no_role and refusal.action == "plan.view" and refusal.ip == "127.0.0.1"
    assert refusal.reason == "Planer och aktiviteter visas för användare med en roll i satsningen."
    assert refusal.path == "/planer/"


def test_a_refusal_inside_a_transaction_is_kept(no_role: Any) -> None:
    """A service refuses inside its transaction, which rolls back: the refusal is still written."""

    def view(request: HttpRequest) -> HttpResponse:
        try:
            with transaction.atomic():
                require(no_role, "report.certify", "version 7")
        except PermissionDenied:
            return HttpResponse(status=403)
        return HttpResponse()

    request = RequestFactory().post("/rapporter/7/intyga/")
    assert AuditMiddleware(view)(request).status_code == 403
    refusal = AuditEvent.objects.get(kind=AuditKind.REFUSAL)
    assert (refusal.action, refusal.target) == ("report.certify", "version 7")
    assert refusal.reason == "Den ekonomiska redovisningen intygas av ekonomichefen."


def test_a_refusal_in_a_transaction_outside_a_request_is_not_left_for_a_later_request(
    no_role: Any, coordinator: Any, caplog: Any
) -> None:
    """A script's (or a worker's) refusal inside a transaction reaches the log only: kept aside, it
    would be written by the next request, naming an account that may be gone (it broke the
    PostgreSQL suite's deferred foreign-key check)."""
    with caplog.at_level(logging.INFO, logger="jamkoll.audit"):
        with pytest.raises(PermissionDenied), transaction.atomic():
            require(no_role, "report.certify", "version 8")
        assert "action=report.certify" in caplog.text
    assert client_for(coordinator).get("/planer/").status_code == 200  # a later request flushes
    assert not AuditEvent.objects.filter(kind=AuditKind.REFUSAL, target="version 8").exists()


def test_an_anonymous_refusal_is_logged_not_stored(client: Client, caplog: Any) -> None:
    with caplog.at_level(logging.INFO, logger="jamkoll.audit"), pytest.raises(PermissionDenied):
        require(None, "plan.edit")
    assert "refusal" in caplog.text and "plan.edit" in caplog.text
    assert not AuditEvent.objects.exists()


def test_the_admin_reads_the_audit_and_cannot_change_it(adminpersona: Any, coordinator: Any) -> None:
    _post_login(Client(), "anna-samordnare", "fel")
    event = AuditEvent.objects.get()
    admin = client_for(adminpersona)
    assert "anna-samordnare" in admin.get(reverse("admin:accounts_auditevent_changelist")).content.decode()
    change = reverse("admin:accounts_auditevent_change", args=[event.pk])
    assert admin.get(change).status_code == 200  # a read-only view
    assert "Spara" not in admin.get(change).content.decode()
    delete = reverse("admin:accounts_auditevent_delete", args=[event.pk])
    assert admin.post(delete, {"post": "yes"}).status_code == 403
    assert admin.get(reverse("admin:accounts_auditevent_add")).status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


# --- Two-step verification ---


def _code(device: TOTPDevice, drift: int = 0) -> str:
    return str(totp(device.bin_key, drift=drift)).zfill(6)


def _wrong(code: str) -> str:
    return str((int(code) + 1) % 1_000_000).zfill(6)


def _enrol(client: Client, user: Any) -> TOTPDevice:
    page = client.get(TWO_FACTOR)
    assert page.status_code == 200
    html = page.content.decode()
    # The QR code is an inline SVG: no inline script or style (the site's own deferred files only).
    assert "<svg" in html and "style=" not in html
    assert all(tag.startswith('<script src="/static/') for tag in re.findall(r"<script[^>]*>", html))
    assert not TOTPDevice.objects.filter(user=user).exists()  # showing the page stores nothing
    pending = TOTPDevice(key=client.session["jamkoll_two_factor_key"])
    wrong = client.post(TWO_FACTOR, {"code": _wrong(_code(pending))})
    # The error is beside the field and in the summary at the top (which takes the focus).
    assert wrong.status_code == 400 and 'id="id_code_error"' in wrong.content.decode()
    assert "data-error-summary" in wrong.content.decode()
    response = client.post(TWO_FACTOR, {"code": _code(pending)})
    assert response.status_code == 302
    device = TOTPDevice.objects.get(user=user)
    assert device.confirmed and device.key == pending.key
    return device


@override_settings(OTP_TOTP_THROTTLE_FACTOR=0)
def test_an_enrolled_user_signs_in_with_password_and_code(coordinator: Any) -> None:
    device = _enrol(client_for(coordinator), coordinator)
    client = Client()
    response = _post_login(client, "anna-samordnare", "pw-anna-samordnare")
    assert response.status_code == 302 and response["Location"] == CODE
    assert not _signed_in(client), "signed in before the code"
    assert client.get(CODE).status_code == 200
    response = client.post(CODE, {"code": _wrong(_code(device, drift=1))})
    assert "Koden stämmer inte" in response.content.decode() and not _signed_in(client)
    assert AuditEvent.objects.filter(kind=AuditKind.CODE_FAILED, username="anna-samordnare").count() == 1
    response = client.post(CODE, {"code": _code(device, drift=1)})  # the next step's code, once
    assert response.status_code == 302 and _signed_in(client)
    assert client.session.get("otp_device_id") == device.persistent_id


@override_settings(OTP_TOTP_THROTTLE_FACTOR=0)
def test_wrong_codes_count_towards_the_throttle(coordinator: Any) -> None:
    device = _enrol(client_for(coordinator), coordinator)
    client = Client()
    _post_login(client, "anna-samordnare", "pw-anna-samordnare")
    for _ in range(5):
        client.post(CODE, {"code": "000000" if _code(device, 1) != "000000" else "111111"})
    response = client.post(CODE, {"code": _code(device, drift=1)})
    assert response.status_code == 429 and LOCKED in response.content.decode()
    assert not _signed_in(client)
    assert _post_login(Client(), "anna-samordnare", "pw-anna-samordnare").status_code == 429


def test_the_code_page_needs_the_password_first(client: Client) -> None:
    response = client.get(CODE)
    assert response.status_code == 302 and response["Location"] == LOGIN


def test_two_factor_is_offered_to_the_roles_that_move_money_or_certify(personas: dict[str, Any]) -> None:
    offered = {name for name, user in personas.items() if client_for(user).get(TWO_FACTOR).status_code == 200}
    assert offered == {
        "coordinator",
        "rss_skane",
        "rss_norrbotten",
        "certifier",
        "signatory",
        "treasury",
        "admin_user",
    }
    refused = client_for(personas["analyst"]).get(TWO_FACTOR)
    assert refused.status_code == 403 and "Tvåstegsverifiering erbjuds" in refused.content.decode()


@override_settings(JAMKOLL_REQUIRE_2FA=True)
def test_required_two_factor_sends_those_roles_to_enrol_first(coordinator: Any, analyst: Any) -> None:
    client = client_for(coordinator)
    response = client.get("/planer/")
    assert response.status_code == 302 and response["Location"] == TWO_FACTOR
    api = client.get("/api/v1/programmes")
    assert api.status_code == 403 and "tvåstegsverifiering" in api.json()["detail"]
    assert client_for(analyst).get("/planer/").status_code == 200  # not a role that moves money
    _enrol(client, coordinator)
    assert client.get("/planer/").status_code == 200  # enrolling verified this session
    # Required: it cannot be turned off.
    device = TOTPDevice.objects.get(user=coordinator)
    assert client.post(TWO_FACTOR, {"code": _code(device, 1)}).status_code == 400
    assert TOTPDevice.objects.filter(user=coordinator).exists()


@override_settings(OTP_TOTP_THROTTLE_FACTOR=0)
def test_two_factor_can_be_turned_off_with_a_code_when_not_required(coordinator: Any) -> None:
    client = client_for(coordinator)
    device = _enrol(client, coordinator)
    assert client.post(TWO_FACTOR, {"code": _wrong(_code(device, 1))}).status_code == 400
    assert client.post(TWO_FACTOR, {"code": _code(device, 1)}).status_code == 302
    assert not TOTPDevice.objects.filter(user=coordinator).exists()
    assert AuditEvent.objects.filter(kind=AuditKind.TWO_FACTOR, user=coordinator).count() == 2


def _summary(page: str) -> str:
    start = page.index('class="error-summary" role="alert"')
    return page[start : page.index("</div>", start)]


def test_a_failed_sign_in_shows_the_shared_error_summary(coordinator: Any) -> None:
    page = Client().post(LOGIN, {"username": "samordnare", "password": ""}).content.decode()
    summary = _summary(page)
    assert "data-error-summary" in summary and '<a href="#id_password">Lösenord:' in summary
    assert 'id="id_password_error"' in page and 'aria-invalid="true"' in page
    page = _post_login(Client(), "samordnare", "fel lösenord").content.decode()
    assert "Användarnamnet eller lösenordet är fel" in _summary(page)
    assert 'value="samordnare"' in page and "autofocus" not in page
    page = Client().get(LOGIN).content.decode()
    assert "data-error-summary" not in page and "autofocus" in page
    assert 'autocomplete="current-password"' in page
