from collections.abc import Callable

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


def _printable(text: str) -> str:
    return "".join(c if c.isprintable() else "?" for c in text)
