"""The money in the admin (issue 12, finding 8): a county's allocation is never set below what it
has already requisitioned — the admin shows allocations, rules, budgets and budget lines but
changes none of them, and the service that divides a line refuses an allocation below a county's
requisitions. Ledger entries in the admin: shown, never added, changed or deleted."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from jamkoll.accounts.policy import SEED_LOADER
from jamkoll.ledger.models import LedgerEntry
from jamkoll.ledger.services import entry_record
from jamkoll.programmes.allocation import AllocationError
from jamkoll.programmes.models import Allocation, AllocationRule, AllocationRuleOverride, BudgetLine
from jamkoll.programmes.selectors import decision_get
from jamkoll.programmes.services import allocations_generate
from jamkoll.reference.selectors import county_get
from tests.conftest import client_for

pytestmark = pytest.mark.django_db
SLUG = "jamstalldhet-kvinnofrid-2018-2020"


def _skane_2018() -> Allocation:
    return Allocation.objects.select_related("budget_line__budget").get(
        budget_line__budget__decision__slug=SLUG, budget_line__budget__year=2018, county__code="12"
    )


def _requisition_skane(amount: str) -> LedgerEntry:
    return entry_record(
        actor=SEED_LOADER,
        decision=decision_get(slug=SLUG),
        year=2018,
        kind="requisition",
        amount=amount,
        reference="RSS Skåne 2018",
        county_code="12",
    )


def test_the_admin_cannot_set_an_allocation_below_what_was_requisitioned(adminpersona: Any) -> None:
    _requisition_skane("500000")
    allocation = _skane_2018()
    admin = client_for(adminpersona)
    change = reverse("admin:programmes_allocation_change", args=[allocation.pk])
    data = {"budget_line": allocation.budget_line_id, "county": allocation.county_id, "amount": "100000.00"}
    assert admin.post(change, data).status_code == 403
    assert (
        admin.post(
            reverse("admin:programmes_allocation_delete", args=[allocation.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert admin.get(reverse("admin:programmes_allocation_add")).status_code == 403
    allocation.refresh_from_db()
    assert allocation.amount == Decimal("600000.00")


@pytest.mark.parametrize("model", ["allocationrule", "allocationruleoverride", "budget", "budgetline"])
def test_the_admin_changes_no_money_behind_an_allocation(adminpersona: Any, model: str) -> None:
    objects = {
        "allocationrule": AllocationRule.objects.first(),
        "allocationruleoverride": AllocationRuleOverride.objects.first(),
        "budget": _skane_2018().budget_line.budget,
        "budgetline": _skane_2018().budget_line,
    }
    obj = objects[model]
    assert obj is not None
    admin = client_for(adminpersona)
    assert admin.get(reverse(f"admin:programmes_{model}_change", args=[obj.pk])).status_code == 200  # shown
    assert admin.post(reverse(f"admin:programmes_{model}_change", args=[obj.pk]), {}).status_code == 403
    assert (
        admin.post(reverse(f"admin:programmes_{model}_delete", args=[obj.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert admin.get(reverse(f"admin:programmes_{model}_add")).status_code == 403


def test_the_service_refuses_to_divide_a_line_below_a_countys_requisitions() -> None:
    _requisition_skane("500000")
    line = _skane_2018().budget_line
    rule = AllocationRule.objects.get(
        decision__slug=SLUG, recipient=line.recipient, first_year__lte=2018, last_year__gte=2018
    )
    # The same total, moved from Skåne (600 000 → 400 000) to Halland (400 000 → 600 000).
    AllocationRuleOverride.objects.filter(rule=rule, county__code="12").update(amount=Decimal("400000.00"))
    AllocationRuleOverride.objects.create(
        rule=rule, county=county_get(code="13"), amount=Decimal("600000.00")
    )
    with pytest.raises(AllocationError) as caught:
        allocations_generate(budget_line=BudgetLine.objects.get(pk=line.pk), actor=SEED_LOADER)
    message = " ".join(caught.value.messages).replace("\xa0", " ")
    assert "Skåne län: rekvirerat 500 000 kr överstiger tilldelningen 400 000 kr" in message
    assert _skane_2018().amount == Decimal("600000.00")


def test_the_ledger_is_shown_never_written_in_the_admin(adminpersona: Any) -> None:
    entry = _requisition_skane("1000")
    admin = client_for(adminpersona)
    assert admin.get(reverse("admin:ledger_ledgerentry_changelist")).status_code == 200
    assert admin.get(reverse("admin:ledger_ledgerentry_add")).status_code == 403
    change = reverse("admin:ledger_ledgerentry_change", args=[entry.pk])
    assert admin.get(change).status_code == 200
    assert admin.post(change, {"amount": "1.00"}).status_code == 403
    assert (
        admin.post(reverse("admin:ledger_ledgerentry_delete", args=[entry.pk]), {"post": "yes"}).status_code
        == 403
    )
    entry.refresh_from_db()
    assert entry.amount == Decimal("1000.00")
