from django.urls import path

from . import views

app_name = "indicators"

urlpatterns = [
    path("", views.index, name="index"),
    path("import/", views.import_page, name="import"),
    path("import/<uuid:pk>/", views.import_status, name="import_status"),
    path("<str:code>/", views.detail, name="detail"),
    path("<str:code>/andra/", views.edit, name="edit"),
    path("<str:code>/fil/<str:fmt>/", views.download, name="download"),
    path("<str:code>/lan/<str:county>/", views.county_page, name="county"),
]
