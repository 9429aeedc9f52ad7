from typing import Any

from django.http import HttpRequest

from jamkoll.accounts.models import Role
from jamkoll.accounts.policy import check, user_roles


def jamkoll(request: HttpRequest) -> dict[str, Any]:
    labels = []
    for role, county in sorted(user_roles(request.user), key=lambda rc: (rc[0], rc[1] or "")):
        label = str(Role(role).label)
        labels.append(f"{label} ({county})" if county else label)
    # The header links to the user's own two-step verification page when their roles are offered it.
    return {"user_role_labels": labels, "two_factor_offered": bool(check(request.user, "account.two_factor"))}
