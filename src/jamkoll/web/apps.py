from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "jamkoll.web"
    verbose_name = _("Webb")

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the deployment checks)
