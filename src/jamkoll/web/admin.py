from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import PageGeneration, WorkerHeartbeat


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    """Which workers were heard from, and when (written by `jamkoll worker`, read by /readyz)."""

    list_display = ("worker", "started_at", "seen_at")
    readonly_fields = ("worker", "started_at", "seen_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PageGeneration)
class PageGenerationAdmin(admin.ModelAdmin):
    """The value the page cache keys on (jamkoll.web.page_cache): changed by every committed write,
    shown, never edited."""

    list_display = ("value",)
    readonly_fields = ("value",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
