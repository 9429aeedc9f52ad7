from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammesConfig(AppConfig):
    name = "jamkoll.programmes"
    verbose_name = _("Satsningar och beslut")
