from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "jamkoll.plans"
    verbose_name = _("Planer, aktiviteter och resultat")
