from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from .models import ReportFile, ReportJob, ReportVersion


class FileInline(admin.TabularInline):
    model = ReportFile
    fields = ("format", "size", "sha256")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ReportVersion)
class ReportVersionAdmin(SimpleHistoryAdmin):
    """Versions are made by the services (generate, certify, sign, submit); the admin shows them.
    A certified or signed version is frozen: nothing here may change it."""

    list_display = ("title", "decision", "year", "scope", "version", "state", "generated_at")
    list_filter = ("kind", "state", "year")
    inlines = [FileInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ReportFile)
class ReportFileAdmin(admin.ModelAdmin):
    list_display = ("version", "format", "size", "sha256")
    exclude = ("content",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ReportJob)
class ReportJobAdmin(admin.ModelAdmin):
    list_display = ("kind", "decision", "year", "status", "progress", "created_at")
    list_filter = ("status", "kind")
