"""The site's URLs plus a stand-in for the decision registration page ("programmes:decision_new"),
which another part of issue 11 builds: the application's version page links to it once it exists."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from jamkoll.urls import urlpatterns as site


def decision_new(request: HttpRequest) -> HttpResponse:  # pragma: no cover - only reversed
    return HttpResponse("")


urlpatterns = [
    *site,
    path("test-beslut/", include(([path("nytt/", decision_new, name="decision_new")], "programmes"))),
]
