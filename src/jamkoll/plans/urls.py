from django.urls import path

from . import views

app_name = "plans"

urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:slug>/<int:year>/", views.plan_page, name="plan"),
    path("<slug:slug>/<int:year>/skapa/", views.plan_create_view, name="create"),
    path("<slug:slug>/<int:year>/andra/", views.plan_edit_view, name="edit"),
    path("<slug:slug>/<int:year>/fordelning/", views.plan_budget_view, name="budget"),
    path("<slug:slug>/<int:year>/ny-version/", views.plan_version_view, name="new_version"),
    path("<slug:slug>/<int:year>/steg/<str:action>/", views.plan_step, name="step"),
    path("<slug:slug>/<int:year>/delprojekt/", views.subproject_create_view, name="subproject_create"),
    path(
        "<slug:slug>/<int:year>/delprojekt/<int:number>/", views.subproject_edit_view, name="subproject_edit"
    ),
    path("<slug:slug>/<int:year>/ny-aktivitet/", views.activity_create_view, name="activity_create"),
    path("<slug:slug>/<int:year>/aktivitet/<slug:code>/", views.activity_page, name="activity"),
    path(
        "<slug:slug>/<int:year>/aktivitet/<slug:code>/andra/", views.activity_edit_view, name="activity_edit"
    ),
    path(
        "<slug:slug>/<int:year>/aktivitet/<slug:code>/ta-bort/",
        views.activity_delete_view,
        name="activity_delete",
    ),
]
