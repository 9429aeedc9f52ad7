from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from . import models as m


class OutputInline(admin.TabularInline):
    model = m.Output
    extra = 0


@admin.register(m.Activity)
class ActivityAdmin(SimpleHistoryAdmin):
    list_display = ("code", "title", "sub_project", "goal_area", "owner_county", "status", "year")
    list_filter = ("year", "status", "sub_project", "goal_area__number")
    search_fields = ("code", "title", "description")
    filter_horizontal = ("sub_goals", "also_serves", "strategy_objectives", "partners", "counties")
    raw_id_fields = ("owner_county", "county_plan", "budget_line", "municipalities")
    inlines = [OutputInline]


class MemberInline(admin.TabularInline):
    model = m.SteeringGroupMember
    extra = 0


@admin.register(m.SteeringGroup)
class SteeringGroupAdmin(SimpleHistoryAdmin):
    inlines = [MemberInline]


class PlanBudgetLineInline(admin.TabularInline):
    model = m.PlanBudgetLine
    extra = 0


class PlanCommentInline(admin.TabularInline):
    model = m.PlanComment
    extra = 0
    fields = ("created", "kind", "author_name", "on", "reference", "text")
    readonly_fields = fields


@admin.register(m.ProjectPlan)
class ProjectPlanAdmin(SimpleHistoryAdmin):
    list_display = ("title", "decision", "year", "version", "status")
    list_filter = ("status", "year")
    inlines = [PlanBudgetLineInline, PlanCommentInline]


@admin.register(m.PlanComment)
class PlanCommentAdmin(admin.ModelAdmin):
    """The plan's timeline is written by the workflow; the administrator reads it here."""

    list_display = ("plan", "kind", "author_name", "on", "created")
    list_filter = ("kind",)
    raw_id_fields = ("plan", "author")


class StatusReportItemInline(admin.StackedInline):
    model = m.StatusReportItem
    extra = 0
    raw_id_fields = ("activity",)


@admin.register(m.StatusReport)
class StatusReportAdmin(SimpleHistoryAdmin):
    list_display = ("decision", "period_start", "period_end", "state")
    inlines = [StatusReportItemInline]


for model in (
    m.SteeringGroupMember,
    m.PlanBudgetLine,
    m.SubProject,
    m.CountyPlan,
    m.Narrative,
    m.Output,
    m.Evaluation,
    m.StatusReportItem,
):
    admin.site.register(model, SimpleHistoryAdmin)
admin.site.register(m.ReportSection)
