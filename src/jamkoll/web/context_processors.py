from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from jamkoll.accounts.models import Role
from jamkoll.accounts.policy import check, user_roles
from jamkoll.reference.selectors import county_names


def role_labels(user: Any) -> list[str]:
    """The user's roles as the header shows them: an RSS role with its county's name today
    ("Regional utvecklingsledare för kvinnofrid (RSS), Skåne"), not its code. One query, and only
    for a user who holds a county's role, once per request."""
    cached = getattr(user, "_jamkoll_role_labels", None)
    if cached is not None:
        return list(cached)
    pairs = sorted(user_roles(user), key=lambda rc: (rc[0], rc[1] or ""))
    names = county_names((county for _role, county in pairs if county), timezone.localdate(), short=True)
    labels = [
        f"{Role(role).label}, {names.get(county, county)}" if county else str(Role(role).label)
        for role, county in pairs
    ]
    if getattr(user, "is_authenticated", False):
        user._jamkoll_role_labels = tuple(labels)
    return labels


def jamkoll(request: HttpRequest) -> dict[str, Any]:
    # The header links to the user's own two-step verification page when their roles are offered it.
    return {
        # Read only by the header: a fragment (an HTMX partial) costs no query for it.
        "user_role_labels": SimpleLazyObject(lambda: role_labels(request.user)),
        "two_factor_offered": bool(check(request.user, "account.two_factor")),
    }
