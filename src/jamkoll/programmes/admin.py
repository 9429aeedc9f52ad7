"""Programmes in the admin. The money — budgets, budget lines, allocation rules and the counties'
allocations — is shown here but changed only through the services, which keep the invariants
(budget lines within the year's total; no county's allocation below what it has requisitioned):
the decision registration page (Beslut → Registrera/ändra) and `jamkoll decision`. Changed here,
an allocation could fall below a county's requisitions unnoticed (issue 12, finding 8)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from jamkoll.admin_show_only import ShowOnly

from . import models as m


class DecisionInline(admin.TabularInline):
    model = m.FundingDecision
    fields = ("slug", "kind", "title", "start_year", "end_year", "amount_per_year")
    extra = 0
    show_change_link = True


@admin.register(m.Programme)
class ProgrammeAdmin(SimpleHistoryAdmin):
    list_display = ("title", "start_year", "end_year", "relation")
    list_filter = ("relation",)
    search_fields = ("title", "slug")
    prepopulated_fields = {"slug": ("title",)}
    inlines = [DecisionInline]


class PartyInline(admin.TabularInline):
    model = m.Party
    extra = 0
    raw_id_fields = ("organisation", "acting_through")
    show_change_link = True


class DiaryNumberInline(admin.TabularInline):
    model = m.DiaryNumber
    extra = 0
    raw_id_fields = ("issuer",)


class ConditionInline(admin.StackedInline):
    model = m.Condition
    extra = 0
    raw_id_fields = ("document_section",)


class BudgetInline(ShowOnly, admin.TabularInline):
    model = m.Budget
    extra = 0
    show_change_link = True


@admin.register(m.FundingDecision)
class FundingDecisionAdmin(SimpleHistoryAdmin):
    list_display = ("slug", "kind", "programme", "start_year", "end_year", "amount_per_year")
    list_filter = ("kind",)
    search_fields = ("slug", "title")
    raw_id_fields = ("grantor", "responsible_ministry", "recipient")
    inlines = [PartyInline, DiaryNumberInline, ConditionInline, BudgetInline]


class BudgetLineInline(ShowOnly, admin.TabularInline):
    model = m.BudgetLine
    extra = 0


@admin.register(m.Budget)
class BudgetAdmin(ShowOnly, SimpleHistoryAdmin):
    list_display = ("decision", "year", "total")
    list_filter = ("decision", "year")
    inlines = [BudgetLineInline]


@admin.register(m.Allocation)
class AllocationAdmin(ShowOnly, SimpleHistoryAdmin):
    list_display = ("budget_line", "county", "amount")
    list_filter = ("budget_line__budget__year",)
    raw_id_fields = ("county",)


class OverrideInline(ShowOnly, admin.TabularInline):
    model = m.AllocationRuleOverride
    extra = 0
    raw_id_fields = ("county",)


@admin.register(m.AllocationRule)
class AllocationRuleAdmin(ShowOnly, SimpleHistoryAdmin):
    list_display = ("decision", "recipient", "default_amount", "first_year", "last_year")
    inlines = [OverrideInline]


for model in (
    m.Appropriation,
    m.Party,
    m.Signature,
    m.Approval,
    m.DiaryNumber,
    m.Condition,
    m.GoalArea,
    m.FocusArea,
    m.Earmark,
):
    admin.site.register(model, SimpleHistoryAdmin)


class MoneyAdmin(ShowOnly, SimpleHistoryAdmin):
    pass


admin.site.register(m.BudgetLine, MoneyAdmin)
admin.site.register(m.AllocationRuleOverride, MoneyAdmin)
admin.site.register(m.GoalAreaSubGoal)


# The decisions' documents, held whole (issue 13): their text is the documents' own, loaded from
# `documents.json` by the seed; shown here, never edited.
class DocumentSectionInline(ShowOnly, admin.StackedInline):
    model = m.DocumentSection
    extra = 0
    fields = ("key", "number", "heading", "text", "position")


@admin.register(m.SourceDocument)
class SourceDocumentAdmin(ShowOnly, SimpleHistoryAdmin):
    list_display = ("title", "decision", "kind", "dated")
    list_filter = ("kind",)
    inlines = [DocumentSectionInline]


@admin.register(m.DocumentSection)
class DocumentSectionAdmin(ShowOnly, SimpleHistoryAdmin):
    list_display = ("document", "key", "number", "heading")
    list_filter = ("document",)
    search_fields = ("heading", "text")
