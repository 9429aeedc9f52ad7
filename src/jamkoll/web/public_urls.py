"""The public's pages (no login): `jamkoll.web.public_views`, included by `web/urls.py`."""

from django.urls import path

from . import public_views

urlpatterns = [
    path(
        "medel-och-redovisningar/<slug:slug>/lan/",
        public_views.public_county_choose,
        name="public_county_choose",
    ),
    path("medel-och-redovisningar/<slug:slug>/<int:year>/", public_views.public_year, name="public_year"),
    path(
        "medel-och-redovisningar/<slug:slug>/<int:year>/lan/<str:code>/",
        public_views.public_county,
        name="public_county",
    ),
    path(
        "medel-och-redovisningar/<slug:slug>/<int:year>/redovisning/<slug:key>/",
        public_views.public_obligation,
        name="public_obligation",
    ),
    path(
        "medel-och-redovisningar/<slug:slug>/<int:year>/json/",
        public_views.public_year_json,
        name="public_year_json",
    ),
]
