from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "jamkoll.accounts"
    verbose_name = _("Användare och roller")

    def ready(self) -> None:
        # The audit of sign-ins (issue 12): Django's own signals, sent by every way of signing in
        # (the site's login page, the admin's, the test client) and out.
        from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

        from . import audit

        user_logged_in.connect(audit.on_logged_in, dispatch_uid="jamkoll_audit_login")
        user_login_failed.connect(audit.on_login_failed, dispatch_uid="jamkoll_audit_login_failed")
        user_logged_out.connect(audit.on_logged_out, dispatch_uid="jamkoll_audit_logout")
