from django.urls import include, path

from . import account_views, decision_views, views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("historik/", views.history, name="history"),
    path("sok/", views.search, name="search"),
    path("satsningar/<slug:slug>/", views.programme_detail, name="programme"),
    path("beslut/ny/", decision_views.decision_new, name="decision_new"),
    path("beslut/<slug:slug>/", decision_views.decision_edit, name="decision_edit"),
    path("beslut/<slug:slug>/handlingar/", views.decision_documents, name="decision_documents"),
    path("rss/<slug:slug>/<int:year>/", views.rss_overview, name="rss_overview"),
    path("", include("jamkoll.web.public_urls")),  # the public's pages (issue 15)
    path("konto/tvastegsverifiering/", account_views.two_factor_page, name="two_factor"),
    path("konto/api-nycklar/", account_views.api_tokens_page, name="api_tokens"),
    path("konto/api-nycklar/<int:pk>/aterkalla/", account_views.api_token_revoke, name="api_token_revoke"),
]
