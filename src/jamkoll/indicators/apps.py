from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "jamkoll.indicators"
    verbose_name = _("Nyckeltal")

    def worker_started(self) -> str | None:
        """Called by `jamkoll worker` as it starts: imports whose process died (their lease ran
        out) are queued again or failed with the reason, now and then every half lease by a sweeper
        thread; a page asking for a run does the same for that run (`services.import_runs_recover`)."""
        from .tasks import runs_recover, start_sweeper

        changed = runs_recover()
        start_sweeper()
        if changed:
            return f"Importer vars arbetare avbröts: {len(changed)} (köade igen eller misslyckade)."
        return None
