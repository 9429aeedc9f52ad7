"""JämKoll's own deployment checks (`jamkoll check --deploy`), beside Django's security checks."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def secret_key_from_environment(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """Without JAMKOLL_SECRET_KEY every process has a random key of its own (settings.py): fine for
    commands, never for serving pages."""
    if settings.SECRET_KEY_FROM_ENVIRONMENT:
        return []
    return [
        Error(
            "JAMKOLL_SECRET_KEY är inte satt.",
            hint="Sätt JAMKOLL_SECRET_KEY till en lång slumpmässig sträng som bara servern känner till.",
            id="jamkoll.E001",
        )
    ]
