"""Comments and notifications in the admin: shown, never written there (comments are written
through `services.comment_create`, with the policy and the mentions). The administrator may delete
one, to take down what should not have been written (and so that a person's account can be removed)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from jamkoll.admin_show_only import ShowOnly

from .models import Comment, Notification


class _Deletable(ShowOnly):
    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_superuser)


@admin.register(Comment)
class CommentAdmin(_Deletable, admin.ModelAdmin):
    list_display = ("created_at", "author", "body")
    list_select_related = ("author",)
    search_fields = ("body", "author__username")
    date_hierarchy = "created_at"


@admin.register(Notification)
class NotificationAdmin(_Deletable, admin.ModelAdmin):
    list_display = ("created_at", "recipient", "read_at")
    list_select_related = ("recipient",)
