from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ObligationsConfig(AppConfig):
    name = "jamkoll.obligations"
    verbose_name = _("Åtaganden och tidsfrister")

    def worker_started(self) -> str | None:
        """Called by `jamkoll worker` as it starts: today's reminders at once (sending is
        idempotent) unless a run is already waiting; the task then queues itself daily."""
        from .tasks import reminders_schedule  # django-tasks only where a worker runs

        if reminders_schedule(immediately=True):
            return "Dagliga påminnelser lades i kön."
        return None
