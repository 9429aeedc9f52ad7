from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ObligationsConfig(AppConfig):
    name = "jamkoll.obligations"
    verbose_name = _("Åtaganden och deadlines")
