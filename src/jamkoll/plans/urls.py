from django.urls import path

from . import views

app_name = "plans"

urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:slug>/<int:year>/", views.plan_page, name="plan"),
    path("<slug:slug>/<int:year>/steg/<str:action>/", views.plan_step, name="step"),
    path("<slug:slug>/<int:year>/aktivitet/<slug:code>/", views.activity_page, name="activity"),
]
