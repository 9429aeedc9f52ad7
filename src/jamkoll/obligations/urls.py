from django.urls import path

from . import views

app_name = "obligations"

urlpatterns = [
    path("", views.index, name="index"),
    path("kalenderflode/", views.feed_page, name="feed_page"),
    path("kalenderflode/ny/", views.feed_create_view, name="feed_create"),
    path("kalenderflode/aterkalla/", views.feed_revoke_view, name="feed_revoke"),
    path("feed/<str:token>.ics", views.feed, name="feed"),
    path("atagande/<int:pk>/", views.obligation_detail, name="obligation"),
    path("atagande/<int:pk>/inlamning/", views.obligation_submit_view, name="submit"),
    path("atagande/<int:pk>/undantag/", views.obligation_waive_view, name="waive"),
    path("atagande/<int:pk>/nytt-datum/", views.obligation_reschedule_view, name="reschedule"),
    path("<slug:decision>/registrera/", views.obligation_register_view, name="register"),
    path("<slug:decision>/<int:year>/", views.calendar, name="calendar"),
    path("<slug:decision>/<int:year>/rss-datum/", views.rss_reschedule_view, name="rss_reschedule"),
]
