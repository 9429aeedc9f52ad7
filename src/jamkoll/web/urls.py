from django.urls import path

from . import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("historik/", views.history, name="history"),
    path("satsningar/<slug:slug>/", views.programme_detail, name="programme"),
    path("rss/<slug:slug>/<int:year>/", views.rss_overview, name="rss_overview"),
]
