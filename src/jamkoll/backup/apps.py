from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BackupConfig(AppConfig):
    """`jamkoll backup` and `jamkoll restore`: at the top of the layering (it reads every app's
    tables; nothing imports it). No models of its own."""

    name = "jamkoll.backup"
    verbose_name = _("Säkerhetskopior")
