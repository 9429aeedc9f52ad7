from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "jamkoll.web"
    verbose_name = _("Webb")

    def ready(self) -> None:
        from django.db import connections
        from django.db.backends.signals import connection_created

        from . import checks  # noqa: F401  (registers the deployment checks)
        from .page_cache import watch_connection

        # Every write, on every connection, changes the generation the page cache keys on.
        connection_created.connect(watch_connection, dispatch_uid="jamkoll-page-generation")
        for conn in connections.all(initialized_only=True):
            watch_connection(None, conn)
