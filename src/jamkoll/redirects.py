"""Where a form may send the user on after it is done (`next`): a path on this site only."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request: HttpRequest, value: str, fallback: str) -> str:
    """`value` if it is a path on this site ("/…", not "//host"), else `fallback`. A bare word is
    refused too: given to Django's `redirect` it is tried as a view's name (a 500 after the form's
    work was saved), and the browser would read it relative to the page."""
    if (
        value
        and value.startswith("/")
        and url_has_allowed_host_and_scheme(
            value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return value
    return fallback
