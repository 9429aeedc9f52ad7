from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "jamkoll.ledger"
    verbose_name = _("Medelsflöden")

    def ready(self) -> None:
        from jamkoll.obligations.selectors import CLOSER_LINKS, STILL_OWED
        from jamkoll.programmes.services import ALLOCATION_GUARDS, BUDGET_LINE_GUARDS

        from .closures import KEY_PREFIX, entry_link, still_owed
        from .services import allocation_guard, budget_line_guard

        if budget_line_guard not in BUDGET_LINE_GUARDS:
            BUDGET_LINE_GUARDS.append(budget_line_guard)
        if allocation_guard not in ALLOCATION_GUARDS:
            ALLOCATION_GUARDS.append(allocation_guard)
        # The deadline pages show what is left to repay and link a closure to its entry.
        if still_owed not in STILL_OWED:
            STILL_OWED.append(still_owed)
        CLOSER_LINKS[KEY_PREFIX] = entry_link
