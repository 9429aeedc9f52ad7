from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import ChainHead, LedgerEntry


class ReadOnlyAdmin(admin.ModelAdmin):
    """The ledger is append-only: entries are written through the services (web, API, CLI), which
    check the invariants and the policy; the admin only shows them."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = (
        "sequence",
        "decision",
        "year",
        "tier",
        "kind",
        "county",
        "amount",
        "entry_date",
        "reference",
    )
    list_filter = ("tier", "kind", "year", "decision")
    search_fields = ("reference", "note", "reason")


@admin.register(ChainHead)
class ChainHeadAdmin(ReadOnlyAdmin):
    list_display = ("sequence", "digest")
