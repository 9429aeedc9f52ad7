"""Personal API keys (issue 15): made and revoked by the user or on the command line, sent as
`Authorization: Bearer <key>`, stored hashed, every use logged, acting with the user's roles."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from jamkoll.accounts.models import ApiToken, ApiTokenUse
from jamkoll.accounts.policy import operator
from jamkoll.accounts.tokens import TokenRefused, token_authenticate, token_create, token_revoke
from jamkoll.ledger.models import LedgerEntry
from tests.conftest import client_for

pytestmark = pytest.mark.django_db
SLUG = "jamstalldhet-kvinnofrid-2018-2020"
BALANCE = f"/api/v1/ledger/{SLUG}/2018/balance"
COUNTY_PLANS = f"/api/v1/plans/{SLUG}/2019/counties"
ENTRIES = f"/api/v1/ledger/{SLUG}/2018/entries"
ENTRY = {
    "kind": "requisition",
    "amount": "1000.00",
    "reference": "Ju2018/1",
    "recipient": "SKR",
    "entry_date": "2018-11-20",
    "note": "",
}


def _key(user: Any, name: str = "skript") -> str:
    return token_create(user=user, actor=operator("test"), name=name)[1]


def _bearer(key: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


# --- The command line -------------------------------------------------------------------------


def test_token_create_prints_only_the_key(coordinator: Any) -> None:
    out, err = io.StringIO(), io.StringIO()
    call_command("token", "create", coordinator.username, "--name", "curl", stdout=out, stderr=err)
    key = out.getvalue().strip()
    assert key.startswith("jk_") and "\n" not in key and len(key) == 46
    assert "visas inte igen" in err.getvalue()
    token = ApiToken.objects.get()
    assert token.user == coordinator and token.name == "curl" and key.startswith(token.prefix)
    # Stored hashed: the key itself is nowhere in the row.
    assert token.digest == hashlib.sha256(key.encode()).hexdigest()
    assert key not in {str(getattr(token, f.attname)) for f in ApiToken._meta.fields}
    assert Client().get(BALANCE, **_bearer(key)).status_code == 200


def test_token_create_refuses_an_unknown_user_in_swedish() -> None:
    with pytest.raises(CommandError, match="okänd användare 'ingen'"):
        call_command("token", "create", "ingen", stdout=io.StringIO())


def test_token_create_refuses_a_too_long_name(coordinator: Any) -> None:
    with pytest.raises(CommandError, match="--name: "):
        call_command("token", "create", coordinator.username, "--name", "x" * 101, stdout=io.StringIO())
    assert not ApiToken.objects.exists()


def test_token_list_and_revoke_by_prefix(coordinator: Any) -> None:
    key = _key(coordinator)
    token = ApiToken.objects.get()
    out = io.StringIO()
    call_command("token", "list", coordinator.username, "--format", "json", stdout=out)
    rows = json.loads(out.getvalue())
    assert [(r["prefix"], r["status"]) for r in rows] == [(token.prefix, "active")]
    assert key not in out.getvalue()
    out = io.StringIO()
    call_command("token", "revoke", token.prefix, stdout=out)
    assert "återkallad" in out.getvalue()
    assert Client().get(BALANCE, **_bearer(key)).status_code == 401
    with pytest.raises(CommandError, match="Ingen API-nyckel"):
        call_command("token", "revoke", "jk_finnsinte", stdout=io.StringIO())


# --- The API ----------------------------------------------------------------------------------


def test_a_key_opens_an_endpoint_that_needs_login_and_without_it_is_refused(coordinator: Any) -> None:
    key = _key(coordinator)
    for url in (BALANCE, COUNTY_PLANS):
        assert Client().get(url, **_bearer(key)).status_code == 200
        refused = Client().get(url)
        assert refused.status_code == 401
        assert set(refused.json()) == {"detail", "errors"}


@pytest.mark.parametrize(
    "header", ["Bearer jk_wrong", "Bearer ", "Bearer " + "x" * 500, "bearer jk_" + "a" * 43]
)
def test_a_wrong_key_is_refused_in_the_one_error_body(coordinator: Any, header: str) -> None:
    _key(coordinator)
    for url in (BALANCE, "/api/v1/programmes"):  # a public endpoint too: never silently anonymous
        response = Client().get(url, HTTP_AUTHORIZATION=header)
        assert response.status_code == 401
        assert response.json() == {"detail": "API-nyckeln är ogiltig.", "errors": {}}
        assert response["WWW-Authenticate"].startswith("Bearer")
    assert not ApiTokenUse.objects.exists()


def test_a_revoked_an_expired_key_and_an_inactive_users_key_are_refused(
    coordinator: Any, analyst: Any
) -> None:
    token, key = token_create(user=coordinator, actor=operator("test"), name="a")
    token_revoke(token=token, actor=coordinator)
    response = Client().get(BALANCE, **_bearer(key))
    assert response.status_code == 401 and response.json()["detail"] == "API-nyckeln är återkallad."

    token, key = token_create(user=coordinator, actor=operator("test"), name="b")
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert Client().get(BALANCE, **_bearer(key)).json()["detail"] == "API-nyckeln har gått ut."

    key = _key(analyst)
    analyst.is_active = False
    analyst.save()
    response = Client().get("/api/v1/programmes", **_bearer(key))
    assert response.status_code == 401 and "avstängt" in response.json()["detail"]
    with pytest.raises(TokenRefused):
        token_authenticate(key)


def test_every_use_is_logged(coordinator: Any) -> None:
    key = _key(coordinator)
    token = ApiToken.objects.get()
    assert token.last_used_at is None
    Client().get(BALANCE, **_bearer(key))
    Client().get(f"/api/v1/ledger/{SLUG}/1999/balance", **_bearer(key))
    Client().get("/api/v1/programmes", **_bearer(key))  # public endpoints too
    uses = list(ApiTokenUse.objects.order_by("pk").values_list("method", "path", "status"))
    assert uses == [
        ("GET", BALANCE, 200),
        ("GET", f"/api/v1/ledger/{SLUG}/1999/balance", 422),
        ("GET", "/api/v1/programmes", 200),
    ]
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_post_with_a_key_needs_no_csrf_token_but_a_session_does(coordinator: Any) -> None:
    key = _key(coordinator)
    body = json.dumps(ENTRY)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(coordinator)
    assert browser.post(ENTRIES, body, content_type="application/json").status_code == 403
    assert LedgerEntry.objects.count() == 0
    response = Client(enforce_csrf_checks=True).post(
        ENTRIES, body, content_type="application/json", **_bearer(key)
    )
    assert response.status_code == 201, response.content
    entry = LedgerEntry.objects.get()
    assert entry.recorded_by == coordinator


def test_a_key_acts_with_its_users_scope(rss_skane: Any) -> None:
    key = _key(rss_skane)
    body = json.dumps({**ENTRY, "recipient": "25"})  # Norrbotten's money: not Skåne's RSS leader's
    response = Client().post(ENTRIES, body, content_type="application/json", **_bearer(key))
    assert response.status_code == 403
    assert response.json()["errors"] == {}
    assert LedgerEntry.objects.count() == 0


def test_a_key_makes_every_api_request_act_as_its_user(coordinator: Any) -> None:
    """Public endpoints too (the middleware sets the user): the key's roles and scope apply."""
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpResponse
    from django.test import RequestFactory

    from jamkoll.accounts.api_auth import BearerTokenMiddleware

    key = _key(coordinator)
    seen: list[Any] = []

    def view(request: Any) -> HttpResponse:
        seen.append(request.user)
        return HttpResponse()

    middleware = BearerTokenMiddleware(view)
    for path in ("/api/v1/programmes", "/satsningar/"):
        request = RequestFactory().get(path, **_bearer(key))
        request.user = AnonymousUser()
        middleware(request)
    assert seen == [coordinator, AnonymousUser()]  # the header counts on /api/ paths only


def test_the_openapi_schema_declares_the_bearer_scheme_and_the_docs_work_offline() -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    schemes = schema["components"]["securitySchemes"]
    assert schemes["ApiTokenAuth"]["type"] == "http" and schemes["ApiTokenAuth"]["scheme"] == "bearer"
    operation = schema["paths"][BALANCE.replace(SLUG, "{slug}").replace("2018", "{year}")]["get"]
    assert {"ApiTokenAuth": []} in operation["security"] and {"SessionAuth": []} in operation["security"]
    html = Client().get("/api/v1/docs").content.decode()
    assert '<html lang="' in html
    assert "https://" not in html and "http://" not in html.replace('xmlns="http://www.w3.org', "")


# --- The web page -----------------------------------------------------------------------------

PAGE = "/konto/api-nycklar/"


def test_the_page_makes_a_key_shown_once_and_lists_it(coordinator: Any) -> None:
    client = client_for(coordinator)
    response = client.post(PAGE, {"name": "Rapportskript"})
    assert response.status_code == 200
    html = response.content.decode()
    token = ApiToken.objects.get()
    key = html.split('id="new-token"', 1)[1].split('value="', 1)[1].split('"', 1)[0]
    assert key.startswith(token.prefix) and hashlib.sha256(key.encode()).hexdigest() == token.digest
    assert "visas bara den här gången" in html
    assert Client().get(BALANCE, **_bearer(key)).status_code == 200
    again = client.get(PAGE).content.decode()
    assert key not in again and "Rapportskript" in again and token.prefix in again and "Giltig" in again


def test_the_page_refuses_a_too_long_name_beside_the_field(coordinator: Any) -> None:
    response = client_for(coordinator).post(PAGE, {"name": "x" * 101})
    assert (
        response.status_code == 400
        and 'id="id_name_error"' in response.content.decode()
        and "data-error-summary" in response.content.decode()
    )
    assert not ApiToken.objects.exists()


def test_the_page_needs_login() -> None:
    assert Client().get(PAGE).status_code == 302


def test_a_user_revokes_their_own_key_but_not_anothers(coordinator: Any, rss_skane: Any) -> None:
    mine, _key_mine = token_create(user=coordinator, actor=coordinator, name="min")
    theirs, key_theirs = token_create(user=rss_skane, actor=rss_skane, name="hennes")
    client = client_for(coordinator)
    assert "hennes" not in client.get(PAGE).content.decode()
    assert client.post(f"/konto/api-nycklar/{theirs.pk}/aterkalla/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    assert Client().get("/api/v1/programmes", **_bearer(key_theirs)).status_code == 200
    response = client.post(f"/konto/api-nycklar/{mine.pk}/aterkalla/")
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.revoked_at is not None
    assert "Återkallad" in client.get(PAGE).content.decode()
    # The service refuses too, whatever the surface.
    with pytest.raises(PermissionDenied):
        token_revoke(token=theirs, actor=coordinator)
    with pytest.raises(PermissionDenied):
        token_create(user=rss_skane, actor=coordinator, name="x")


def test_the_admin_shows_keys_and_uses_and_can_still_delete_their_user(coordinator: Any) -> None:
    from django.contrib.auth import get_user_model

    admin_user = get_user_model().objects.create_superuser("root-tokens", password="pw")
    key = _key(coordinator)
    Client().get(BALANCE, **_bearer(key))
    client = client_for(admin_user)
    html = client.get("/forvaltning/accounts/apitoken/").content.decode()
    assert ApiToken.objects.get().prefix in html and key not in html
    assert client.get("/forvaltning/accounts/apitokenuse/").status_code == 200
    response = client.post(f"/forvaltning/auth/user/{coordinator.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not ApiToken.objects.exists() and not ApiTokenUse.objects.exists()
