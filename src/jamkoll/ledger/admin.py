from django.contrib import admin

from jamkoll.admin_show_only import ShowOnly

from .models import ChainHead, LedgerEntry, LedgerTotal


class ReadOnlyAdmin(ShowOnly, admin.ModelAdmin):
    """The ledger is append-only: entries are written through the services (web, API, CLI), which
    check the invariants and the policy; the admin only shows them."""


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


@admin.register(LedgerTotal)
class LedgerTotalAdmin(ReadOnlyAdmin):
    """The running sums are moved only with the entries they count; `jamkoll verify` checks them."""

    list_display = ("decision", "year", "tier", "kind", "county_id", "goal_area_id", "ore", "entries")
    list_filter = ("tier", "kind", "year", "decision")
