"""The web app's one model: the worker heartbeat that /readyz reads (jamkoll.web.heartbeat)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkerHeartbeat(models.Model):
    """One row per running `jamkoll worker` process, touched every half minute while it runs."""

    worker = models.CharField(_("arbetare"), max_length=200, unique=True)  # host:pid
    started_at = models.DateTimeField(_("startad"))
    seen_at = models.DateTimeField(_("senast hörd av"), db_index=True)

    class Meta:
        verbose_name = _("bakgrundsarbetare")
        verbose_name_plural = _("bakgrundsarbetare")
        ordering = ["-seen_at"]

    def __str__(self) -> str:
        return self.worker
