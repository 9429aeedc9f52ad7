import time
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from jamkoll.errors import error_body, field_error
from jamkoll.validation import text_problem


class SwedishFirstMiddleware:
    """Swedish unless the user chose otherwise (the language cookie set by the switch).

    Django's LocaleMiddleware would otherwise follow the browser's Accept-Language, and most
    browsers in Swedish offices send English first. Must sit before LocaleMiddleware.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


MAX_QUERY_VALUE = 500


class HostileQueryMiddleware:
    """Refuse, with a 400 that names the parameter, a path or query string carrying a control
    character (a NUL byte that PostgreSQL would refuse mid-request), a bidi control, or a value
    longer than any filter needs. Form and API bodies are checked by their fields and schemas,
    where the message can stand beside the field."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        problem = self._problem(request)
        if problem is None:
            return self.get_response(request)
        if request.path.startswith("/api/"):
            return JsonResponse(error_body(field_error("query", problem)), status=400)
        from .views import bad_request  # the page needs the URL configuration, loaded by now

        return bad_request(request, ValidationError(problem))

    @staticmethod
    def _problem(request: HttpRequest) -> str | None:
        problem = text_problem(request.path, multiline=False)
        if problem:
            return _("Adressen: %(p)s") % {"p": problem}
        for key, values in request.GET.lists():
            for value in [key, *values]:
                problem = text_problem(value, multiline=False, max_length=MAX_QUERY_VALUE)
                if problem:
                    return _("Parametern %(k)s: %(p)s") % {"k": _printable(key[:40]), "p": problem}
        return None


class MethodNotAllowedPageMiddleware:
    """A page address opened with a method it does not take (a form's address opened in the
    browser: `require_POST` answers 405 with an empty body) gets the site's own page saying what
    to do, with the `Allow` header kept. The API's errors are its own (one JSON shape)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code != 405 or request.path.startswith("/api/") or response.content:
            return response
        from .views import method_not_allowed  # the page needs the URL configuration, loaded by now

        page = method_not_allowed(request)
        if response.has_header("Allow"):
            page["Allow"] = response["Allow"]
        return page


def _printable(text: str) -> str:
    return "".join(c if c.isprintable() else "?" for c in text)


class PermissionsPolicyMiddleware:
    """The `Permissions-Policy` header (settings.PERMISSIONS_POLICY): browser features the site
    never uses are switched off for it and anything it could be made to embed."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = settings.PERMISSIONS_POLICY

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.policy)
        return response


SESSION_REFRESH_SECONDS = 60


class IdleSessionMiddleware:
    """The idle timeout: a session expires SESSION_COOKIE_AGE after its last save, so a session in
    use is saved again, and its expiry pushed on, at most once a minute. Django's
    SESSION_SAVE_EVERY_REQUEST would write the session on every page view.

    Only a session the request already used is touched (a health probe or a static file never
    reads the session store); must sit after SessionMiddleware, which saves on the way out."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or not session.accessed or session.is_empty() or response.status_code >= 500:
            return response
        now = int(time.time())
        if now - int(session.get("_idle_seen", 0)) >= SESSION_REFRESH_SECONDS:
            session["_idle_seen"] = now
        return response
