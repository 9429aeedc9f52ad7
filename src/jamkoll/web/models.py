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


class PageGeneration(models.Model):
    """One row whose value changes after every committed write to the database, from any process
    (jamkoll.web.page_cache): the pages kept in a server process's cache are kept under it, so a
    page is served from the cache only while nothing has been written since it was made."""

    value = models.BigIntegerField(_("generation"), default=0)

    class Meta:
        verbose_name = _("sidornas generation")
        verbose_name_plural = _("sidornas generation")

    def __str__(self) -> str:
        return str(self.value)
