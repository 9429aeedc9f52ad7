from typing import Any

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from jamkoll.admin_show_only import ShowOnly

from .models import ApiToken, ApiTokenUse, AuditEvent, Profile, RoleAssignment


class ProfileInline(admin.StackedInline):
    """The title and organisation a user's certifications and signatures show."""

    model = Profile
    can_delete = False
    max_num = 1
    raw_id_fields = ("organisation",)
    verbose_name = verbose_name_plural = Profile._meta.verbose_name


class RoleAssignmentInline(admin.StackedInline):
    """Stacked, not tabular: each field keeps its own label (a tabular inline's selects have none,
    which axe-core counts as a critical WCAG failure)."""

    model = RoleAssignment
    extra = 0
    raw_id_fields = ("county",)


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class JamkollUserAdmin(UserAdmin):
    """What a user may do comes from their roles (accounts/policy.py), not from Django's groups and
    permissions, which the page therefore leaves out (their two-list widget also fails WCAG: a
    labelled span without a role). The dates of the last sign-in and of joining are shown, not edited
    (their split date and time fields have no labels of their own)."""

    inlines = [ProfileInline, RoleAssignmentInline]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personuppgifter"), {"fields": ("first_name", "last_name", "email")}),
        (_("Behörighet"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("Viktiga datum"), {"fields": ("last_login", "date_joined")}),
    )
    readonly_fields = ("last_login", "date_joined")


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


@admin.register(ApiToken)
class ApiTokenAdmin(ShowOnly, admin.ModelAdmin):
    """Personal API keys (issue 15): read here; a key is revoked by its user on their page or with
    `jamkoll token revoke`. The key itself is never stored, so never shown."""

    list_display = ("prefix", "user", "name", "created_at", "last_used_at", "revoked_at", "expires_at")
    search_fields = ("prefix", "user__username", "name")
    readonly_fields = ["user", "name", "prefix", "created_at", "last_used_at", "revoked_at", "expires_at"]
    exclude = ("digest",)
    list_select_related = ("user",)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Deleting a user deletes their keys and their use log: the administrator may (else the
        # admin could not delete a user who ever made a key).
        return bool(request.user.is_superuser)


@admin.register(ApiTokenUse)
class ApiTokenUseAdmin(ShowOnly, admin.ModelAdmin):
    """Every request made with an API key: read, never changed."""

    list_display = ("at", "token", "method", "path", "status", "ip")
    list_filter = ("method", "status")
    search_fields = ("token__prefix", "token__user__username", "path")
    date_hierarchy = "at"
    readonly_fields = [f.name for f in ApiTokenUse._meta.fields]
    list_select_related = ("token", "token__user")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_superuser)  # with the key's user (ApiTokenAdmin)
