from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "jamkoll.ledger"
    verbose_name = _("Medelsflöden")

    def ready(self) -> None:
        from jamkoll.programmes.services import BUDGET_LINE_GUARDS

        from .services import budget_line_guard

        if budget_line_guard not in BUDGET_LINE_GUARDS:
            BUDGET_LINE_GUARDS.append(budget_line_guard)
