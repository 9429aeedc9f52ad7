from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from .models import Organisation, OrganisationName, PolicySubGoal, StrategyObjective


class OrganisationNameInline(admin.TabularInline):
    model = OrganisationName
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ("code", "kind", "category", "current_name", "county")
    list_filter = ("kind", "category")
    search_fields = ("code", "names__name")
    inlines = [OrganisationNameInline]
    raw_id_fields = ("county", "parent")

    @admin.display(description="namn")
    def current_name(self, obj: Organisation) -> str:
        return obj.name_at(timezone.localdate())

    def get_queryset(self, request: HttpRequest) -> QuerySet[Organisation]:
        return super().get_queryset(request).prefetch_related("names").select_related("county")


@admin.register(OrganisationName)
class OrganisationNameAdmin(SimpleHistoryAdmin):
    list_display = ("name", "short_name", "organisation", "valid_from", "valid_to")
    search_fields = ("name", "short_name")
    raw_id_fields = ("organisation",)


@admin.register(PolicySubGoal)
class PolicySubGoalAdmin(SimpleHistoryAdmin):
    list_display = ("number", "title")


@admin.register(StrategyObjective)
class StrategyObjectiveAdmin(SimpleHistoryAdmin):
    list_display = ("number", "text")
