from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


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
