from django.urls import path

from . import views, views_results

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

# The county's own work and the results (issue 11): `views_results`.
urlpatterns += [
    path("<slug:slug>/<int:year>/lan/<str:county>/", views_results.county_plan_page, name="county_plan"),
    path(
        "<slug:slug>/<int:year>/lan/<str:county>/ny-aktivitet/",
        views_results.county_activity_new,
        name="county_activity_new",
    ),
    path(
        "<slug:slug>/<int:year>/lan/<str:county>/aktivitet/<slug:code>/",
        views_results.county_activity_page,
        name="county_activity",
    ),
    path(
        "<slug:slug>/<int:year>/aktivitet/<slug:code>/resultat/<int:pk>/",
        views_results.output_page,
        name="output",
    ),
    path(
        "<slug:slug>/<int:year>/aktivitet/<slug:code>/resultat/<int:pk>/ta-bort/",
        views_results.output_remove,
        name="output_delete",
    ),
    path("<slug:slug>/<int:year>/utvarderingar/", views_results.evaluations_page, name="evaluations"),
    path("<slug:slug>/<int:year>/utvarderingar/<int:pk>/", views_results.evaluation_page, name="evaluation"),
    path(
        "<slug:slug>/<int:year>/utvarderingar/<int:pk>/ta-bort/",
        views_results.evaluation_remove,
        name="evaluation_delete",
    ),
    path("<slug:slug>/halvarsrapporter/", views_results.status_reports_page, name="status_reports"),
    path(
        "<slug:slug>/halvarsrapporter/<str:period>/", views_results.status_report_page, name="status_report"
    ),
    path(
        "<slug:slug>/halvarsrapporter/<str:period>/rad/",
        views_results.status_report_item,
        name="status_report_item",
    ),
    path(
        "<slug:slug>/halvarsrapporter/<str:period>/rad/<int:pk>/ta-bort/",
        views_results.status_report_item_remove,
        name="status_report_item_delete",
    ),
    path(
        "<slug:slug>/halvarsrapporter/<str:period>/lamna-in/",
        views_results.status_report_send,
        name="status_report_submit",
    ),
    path("<slug:slug>/styrgrupp/", views_results.steering_group_page, name="steering_group"),
    path("<slug:slug>/styrgrupp/<int:pk>/", views_results.steering_member_page, name="steering_member"),
    path(
        "<slug:slug>/styrgrupp/<int:pk>/ta-bort/",
        views_results.steering_member_remove,
        name="steering_member_delete",
    ),
]
