from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "jamkoll.plans"
    verbose_name = _("Planer, aktiviteter och resultat")

    def ready(self) -> None:
        from jamkoll.obligations.selectors import CLOSER_LINKS

        from .closures import KEY_PREFIX, plan_link

        # The deadline pages link a project-plan obligation closed by a proposal to its plan.
        CLOSER_LINKS[KEY_PREFIX] = plan_link
