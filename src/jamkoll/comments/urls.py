from django.urls import path

from . import views

app_name = "comments"

urlpatterns = [
    path("kommentarer/<str:kind>/<int:pk>/", views.comment_post, name="post"),
    path("aviseringar/", views.notifications, name="notifications"),
    path("aviseringar/<str:pk>/last/", views.notification_read, name="read"),
    path("aviseringar/alla-lasta/", views.notifications_read_all, name="read_all"),
]
