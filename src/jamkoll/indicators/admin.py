"""Key figures in the admin: the catalogue may be corrected by the administrator; observations,
imports and their changes are written by the importers and only shown here."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from jamkoll.admin_show_only import ShowOnly

from .models import ImportRun, Indicator, Observation, ObservationChange


@admin.register(Indicator)
class IndicatorAdmin(SimpleHistoryAdmin):
    list_display = ("code", "title", "unit", "divided_by_gender", "provisional")
    list_filter = ("source", "divided_by_gender", "provisional")
    search_fields = ("code", "title")
    filter_horizontal = ("sub_goals", "strategy_objectives")


@admin.register(Observation)
class ObservationAdmin(ShowOnly, admin.ModelAdmin):
    list_display = ("indicator", "organisation", "period", "gender", "value", "count")
    list_filter = ("gender",)
    raw_id_fields = ("indicator", "organisation")
    show_full_result_count = False


@admin.register(ImportRun)
class ImportRunAdmin(ShowOnly, admin.ModelAdmin):
    list_display = ("created_at", "format", "filename", "status", "progress", "rows", "created", "updated")
    list_filter = ("status", "format")


@admin.register(ObservationChange)
class ObservationChangeAdmin(ShowOnly, admin.ModelAdmin):
    list_display = (
        "run",
        "indicator_code",
        "organisation_code",
        "period",
        "gender",
        "old_value",
        "new_value",
    )
    list_filter = ("gender",)
    raw_id_fields = ("run",)
    show_full_result_count = False
