from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("ansokan/", views.application_new, name="application_new"),
    path("jobb/<uuid:pk>/", views.job, name="job"),
    path("<int:pk>/", views.version_page, name="version"),
    path("<int:pk>/fil/<str:fmt>/", views.download, name="download"),
    path("<int:pk>/<str:action>/", views.act, name="act"),
]
