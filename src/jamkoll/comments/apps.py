from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommentsConfig(AppConfig):
    name = "jamkoll.comments"
    verbose_name = _("Kommentarer och aviseringar")

    def ready(self) -> None:
        from jamkoll.plans.signals import plan_sent_back

        from .services import send_back_received

        plan_sent_back.connect(send_back_received, dispatch_uid="comments.send_back_notify")
