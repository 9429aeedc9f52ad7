"""One mixin for the admin pages that only show (issue 12, finding 8): the ledger, frozen report
versions and their files, the money behind allocations, the audit. What they hold is written through
the services (with the policy and the invariants) or by the system itself, never in the admin."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


class ShowOnly:
    """Shown, never added, changed or deleted in the admin (not even by the administrator)."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
