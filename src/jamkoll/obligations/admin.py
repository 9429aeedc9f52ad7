from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import CalendarFeed, Obligation, ObligationOwner, Reminder


class ObligationOwnerInline(admin.TabularInline):
    model = ObligationOwner
    extra = 0


@admin.register(Obligation)
class ObligationAdmin(SimpleHistoryAdmin):
    list_display = ("title", "decision", "year", "kind", "tier", "county", "nominal_date", "effective_date")
    list_filter = ("kind", "tier", "derived", "decision")
    search_fields = ("title", "key", "source_text")
    raw_id_fields = (
        "decision",
        "owed_by",
        "owed_to",
        "county",
        "condition",
        "submitted_by",
        "waived_by",
        "rescheduled_by",
    )
    readonly_fields = ("effective_date",)
    inlines = [ObligationOwnerInline]


@admin.register(ObligationOwner)
class ObligationOwnerAdmin(SimpleHistoryAdmin):
    list_display = ("obligation", "role")
    list_filter = ("role",)
    raw_id_fields = ("obligation",)


@admin.register(Reminder)
class ReminderAdmin(SimpleHistoryAdmin):
    list_display = ("obligation", "kind", "user", "due_date", "claimed_at", "sent_at")
    list_filter = ("kind",)
    raw_id_fields = ("obligation", "user")


@admin.register(CalendarFeed)
class CalendarFeedAdmin(SimpleHistoryAdmin):
    list_display = ("user", "created", "revoked_at")
    raw_id_fields = ("user",)
    exclude = ("token",)
