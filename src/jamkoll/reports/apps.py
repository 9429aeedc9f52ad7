from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "jamkoll.reports"
    verbose_name = _("Rapporter och redovisningar")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate
        from django.urls import reverse

        from .triggers import install_after_migrate

        # The database's own guard of frozen versions and files, from the model as it is now.
        post_migrate.connect(install_after_migrate, sender=self, dispatch_uid="reports-frozen-triggers")

        from jamkoll.obligations.selectors import CLOSER_LINKS

        from .models import CLOSED_BY_PREFIX

        # The deadline pages link an obligation closed by a submission to the submitted version.
        CLOSER_LINKS[CLOSED_BY_PREFIX] = lambda _obligation, number: reverse("reports:version", args=[number])

    def worker_started(self) -> str | None:
        """Called by `jamkoll worker` as it starts: jobs whose worker died are queued again (or
        failed after their last attempt) now, and then every half lease by a sweeper thread, so
        that a worker that stays up also takes over from one that died beside it."""
        from .tasks import jobs_recover, start_sweeper

        changed = jobs_recover()
        start_sweeper()
        if changed:
            return f"Rapportjobb vars arbetare avbröts: {len(changed)} (köade igen eller misslyckade)."
        return None
