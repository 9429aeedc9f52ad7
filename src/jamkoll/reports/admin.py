"""The report archive in the admin: shown, never changed. Versions are made by the services
(generate, certify, sign, submit); a certified, signed or submitted version and its files are
frozen everywhere (the models' guards and the database's triggers refuse it too), so the admin
neither adds, changes nor deletes a version or a file — a submitted report's public link never
breaks because of the admin."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from jamkoll.admin_show_only import ShowOnly

from .models import ReportFile, ReportJob, ReportVersion


class FileInline(ShowOnly, admin.TabularInline):
    model = ReportFile
    fields = ("format", "size", "sha256")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(ReportVersion)
class ReportVersionAdmin(ShowOnly, SimpleHistoryAdmin):
    list_display = ("title", "decision", "year", "scope", "version", "state", "generated_at")
    list_filter = ("kind", "state", "year")
    inlines = [FileInline]  # simple-history's "revert" needs the change permission: none


@admin.register(ReportFile)
class ReportFileAdmin(ShowOnly, admin.ModelAdmin):
    list_display = ("version", "format", "size", "sha256")
    exclude = ("content",)


@admin.register(ReportJob)
class ReportJobAdmin(admin.ModelAdmin):
    list_display = ("kind", "decision", "year", "status", "progress", "created_at")
    list_filter = ("status", "kind")
