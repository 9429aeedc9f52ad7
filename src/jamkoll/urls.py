from django.conf import settings
from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path, re_path
from django.views.generic.base import RedirectView

from jamkoll.api import api
from jamkoll.web import account_views, health

admin.site.site_header = "JämKoll – administration"
admin.site.site_title = "JämKoll"
admin.site.index_title = "Administration"
# The admin signs in through the site's login page: one throttle, one audit, one second step.
admin.site.login = account_views.admin_login  # type: ignore[method-assign]

urlpatterns = [
    path("", include("jamkoll.web.urls")),
    path("medel/", include("jamkoll.ledger.urls")),
    path("tidsfrister/", include("jamkoll.obligations.urls")),
    # The pages' first address: bookmarks and subscribed calendar feeds follow it here.
    re_path(
        r"^deadlines/(?P<rest>.*)$",
        RedirectView.as_view(url="/tidsfrister/%(rest)s", permanent=True, query_string=True),
    ),
    path("planer/", include("jamkoll.plans.urls")),
    path("rapporter/", include("jamkoll.reports.urls")),
    path("nyckeltal/", include("jamkoll.indicators.urls")),
    path("", include("jamkoll.comments.urls")),
    path("logga-in/", account_views.SigninView.as_view(), name="login"),
    path("logga-in/kod/", account_views.login_code, name="login_code"),
    path("logga-ut/", account_views.SignoutView.as_view(), name="logout"),
    path("i18n/setlang/", account_views.set_language, name="set_language"),
    path(settings.ADMIN_PATH, admin.site.urls),  # not /admin/, where every scanner looks first
    # For load balancers: the process answers; the database, its migrations and a worker are there.
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("api/v1/", api.urls),
    # Browsers ask for /favicon.ico whatever the page says: the site's icon, not a 404.
    path("favicon.ico", RedirectView.as_view(url=static("jamkoll/favicon.svg"), permanent=True)),
]

# The site's own refusal pages (layout, language, the reason, a way back).
handler400 = "jamkoll.web.views.bad_request"
handler403 = "jamkoll.web.views.permission_denied"
handler404 = "jamkoll.web.views.page_not_found"
# A lost database (OperationalError, InterfaceError) anywhere, middleware included, answers 503 with
# a short page or the API's JSON body instead of a 500 (jamkoll.web.health).
handler500 = "jamkoll.web.health.server_error"
