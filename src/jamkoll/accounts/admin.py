from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from simple_history.admin import SimpleHistoryAdmin

from jamkoll.admin_show_only import ShowOnly

from .models import AuditEvent, Profile, RoleAssignment


class ProfileInline(admin.StackedInline):
    """The title and organisation a user's certifications and signatures show."""

    model = Profile
    can_delete = False
    max_num = 1
    raw_id_fields = ("organisation",)
    verbose_name = verbose_name_plural = Profile._meta.verbose_name


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    raw_id_fields = ("county",)


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class JamkollUserAdmin(UserAdmin):
    inlines = [ProfileInline, RoleAssignmentInline]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(SimpleHistoryAdmin):
    list_display = ("user", "role", "county")
    list_filter = ("role",)
    raw_id_fields = ("county",)


@admin.register(AuditEvent)
class AuditEventAdmin(ShowOnly, admin.ModelAdmin):
    """The audit of sign-ins and refusals (issue 12): read, filtered and searched, never changed
    or deleted, not even by the administrator."""

    list_display = ("at", "kind", "username", "ip", "action", "reason")
    list_filter = ("kind", "at")
    search_fields = ("username", "ip", "action", "target")
    date_hierarchy = "at"
    readonly_fields = [f.name for f in AuditEvent._meta.fields]
    list_select_related = ("user",)


@admin.register(Profile)
class ProfileAdmin(SimpleHistoryAdmin):
    """Also on each user's page (ProfileInline)."""

    list_display = ("user", "title", "organisation")
    search_fields = ("user__username", "user__first_name", "user__last_name", "title")
    raw_id_fields = ("user", "organisation")
