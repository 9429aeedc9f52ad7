from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import WorkerHeartbeat


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    """Which workers were heard from, and when (written by `jamkoll worker`, read by /readyz)."""

    list_display = ("worker", "started_at", "seen_at")
    readonly_fields = ("worker", "started_at", "seen_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
