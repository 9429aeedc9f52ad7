from typing import Any

from django.http import HttpRequest

from jamkoll.accounts.models import Role
from jamkoll.accounts.policy import user_roles


def jamkoll(request: HttpRequest) -> dict[str, Any]:
    labels = []
    for role, county in sorted(user_roles(request.user), key=lambda rc: (rc[0], rc[1] or "")):
        label = str(Role(role).label)
        labels.append(f"{label} ({county})" if county else label)
    return {"user_role_labels": labels}
