"""Who calls the API (issue 15): a signed-in session, or a personal API key sent as
`Authorization: Bearer <key>` (accounts/tokens.py).

- `BearerTokenMiddleware` (after authentication and django-otp's middleware) reads the header on
  /api/ paths only. A valid key makes its user the request's user, so every endpoint — the public
  ones too — acts with that user's roles and scope through the one policy; a request with a key
  needs no CSRF token (a browser never adds the header by itself). A key that is wrong, revoked,
  expired or belongs to an inactive account is refused with 401 in the API's one error body: never
  treated as anonymous. Each request made with a key is written to `ApiTokenUse` with its answer's
  status.
- `user_auth` is what an endpoint that needs a signed-in user declares (`auth=user_auth`): the key
  first, then ninja's own session check (`django_auth`, with its CSRF check for writes). Both
  schemes are in the OpenAPI document, so the docs page offers them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja.errors import HttpError
from ninja.security import HttpBearer, django_auth

from .audit import client_ip
from .tokens import TokenRefused, token_authenticate, token_use_record

API_PREFIX = "/api/"
# Set on a request that a key opened: the key's row.
REQUEST_ATTR = "jamkoll_api_token"


def bearer_key(request: HttpRequest) -> str | None:
    """The key in `Authorization: Bearer <key>`, "" for a Bearer header without one, None when
    the request sends no Bearer header (a session, or nobody)."""
    value = request.headers.get("Authorization", "")
    scheme, _sep, key = value.strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    return key.strip()


def _refusal(reason: str) -> JsonResponse:
    response = JsonResponse({"detail": reason, "errors": {}}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def _open(request: HttpRequest, key: str) -> Any:
    """The key's row, now the request's user; `TokenRefused` if the key does not open the API."""
    token = token_authenticate(key)
    request.user = token.user
    setattr(request, REQUEST_ATTR, token)
    # Like a client that is not a browser: no CSRF token to send (ninja's and Django's checks).
    request._dont_enforce_csrf_checks = True  # type: ignore[attr-defined]
    return token


class BearerTokenMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        key = bearer_key(request)
        if key is None:
            return self.get_response(request)
        try:
            token = _open(request, key)
        except TokenRefused as exc:
            return _refusal(str(exc))
        response = self.get_response(request)
        token_use_record(
            token=token,
            method=request.method or "",
            path=request.path,
            status=response.status_code,
            ip=client_ip(request),
        )
        return response


class ApiTokenAuth(HttpBearer):
    """The key, as the OpenAPI document declares it."""

    openapi_bearerFormat = "jk_…"
    openapi_description = (
        "Personlig API-nyckel: skapas under API-nycklar på ditt konto eller med "
        "`jamkoll token create ANVÄNDARNAMN`, skickas som `Authorization: Bearer <nyckel>`."
    )

    def __call__(self, request: HttpRequest) -> Any:
        token = getattr(request, REQUEST_ATTR, None)
        if token is None:
            key = bearer_key(request)
            if key is None:
                return None  # no key: the session decides
            # Reached only where the middleware did not run (it reads every /api/ request).
            try:
                token = _open(request, key)
            except TokenRefused as exc:
                raise HttpError(401, str(exc)) from None
            token_use_record(
                token=token,
                method=request.method or "",
                path=request.path,
                status=None,
                ip=client_ip(request),
            )
        return token.user

    def authenticate(self, request: HttpRequest, token: str) -> Any:  # pragma: no cover - __call__ decides
        return None


# The one auth of every endpoint that needs a signed-in user: an API key, or a session.
user_auth = (ApiTokenAuth(), django_auth)
