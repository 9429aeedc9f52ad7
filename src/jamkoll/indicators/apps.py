from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "jamkoll.indicators"
    verbose_name = _("Nyckeltal")

    def worker_started(self) -> str | None:
        """Called by `jamkoll worker` as it starts: imports whose process died (their lease ran
        out) are queued again or failed with the reason; a page asking for a run does the same
        for that run (`services.import_runs_recover`)."""
        from .tasks import runs_recover

        changed = runs_recover()
        if changed:
            return f"Importer vars arbetare avbröts: {len(changed)} (köade igen eller misslyckade)."
        return None
