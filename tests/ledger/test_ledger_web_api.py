import json
from typing import Any

import pytest
from django.test import Client

from jamkoll.accounts.policy import operator
from jamkoll.ledger.models import LedgerEntry
from jamkoll.ledger.services import entry_record
from jamkoll.programmes.selectors import decision_get
from tests.conftest import client_for

pytestmark = pytest.mark.django_db
SLUG = "jamstalldhet-kvinnofrid-2018-2020"
PAGE = f"/medel/{SLUG}/2018/"
API = f"/api/v1/ledger/{SLUG}/2018"


def _post(client: Client, **data: str) -> Any:
    base = {
        "kind": "requisition",
        "recipient": "SKR",
        "amount": "1000,00",
        "entry_date": "2018-11-20",
        "reference": "Ju2018/1",
        "note": "",
    }
    base.update(data)
    return client.post(PAGE, base)


def test_it_requires_login(client: Client) -> None:
    response = client.get(PAGE)
    assert response.status_code == 302 and "/logga-in/" in response["Location"]
    assert client.get(f"{API}/balance").status_code == 401


def test_users_without_a_role_are_refused_with_the_reason(client: Client) -> None:
    from django.contrib.auth import get_user_model

    nobody = get_user_model().objects.create_user("nobody")
    response = client_for(nobody).get(PAGE)
    assert response.status_code == 403
    assert "Medelsflödet visas för användare med en roll i satsningen." in response.content.decode()


def test_the_page_shows_balances_counties_and_entries(coordinator: Any) -> None:
    entry_record(
        decision=decision_get(slug=SLUG),
        year=2018,
        kind="requisition",
        amount="20000000.00",
        reference="Ju2018/1",
        actor=operator("test"),
    )
    html = client_for(coordinator).get(PAGE).content.decode()
    assert "Att återbetala" in html and "20\u00a0000\u00a0000\u00a0kr" in html
    assert "Norrbottens län" in html and "<svg" in html
    assert "Ju2018/1" in html


def test_a_coordinator_records_a_requisition(coordinator: Any) -> None:
    response = _post(client_for(coordinator))
    assert response.status_code == 302
    entry = LedgerEntry.objects.get()
    assert entry.amount == 1000 and entry.recorded_by == coordinator


def test_a_form_error_names_the_field(coordinator: Any) -> None:
    response = _post(client_for(coordinator), amount="1,005")
    assert response.status_code == 400
    assert "högst två decimaler" in response.content.decode()
    response = _post(client_for(coordinator), amount="20000000,01")
    assert "överstiger budgeten" in response.content.decode()
    assert LedgerEntry.objects.count() == 0


def test_rss_leader_cannot_record_for_another_county_in_the_web(rss_skane: Any) -> None:
    client = client_for(rss_skane)
    # The form offers only Skåne; posting Norrbotten anyway is refused.
    html = client.get(PAGE).content.decode()
    assert '<option value="12">' in html and '<option value="25">' not in html
    response = _post(client, recipient="25", amount="1,00")
    # A county the form does not offer, posted anyway: the refusal page with the policy's reason.
    assert response.status_code == 403 and LedgerEntry.objects.count() == 0
    assert "Du kan bara rekvirera för ditt eget län." in response.content.decode()
    assert _post(client, recipient="12", amount="1,00").status_code == 302


def test_treasury_cannot_requisition(treasury: Any) -> None:
    response = _post(client_for(treasury), kind="requisition")
    # A kind the form does not offer, posted anyway: the refusal page with the policy's reason.
    assert response.status_code == 403
    assert "Rekvisition kräver rollen samordnare eller behörig företrädare." in response.content.decode()
    assert LedgerEntry.objects.count() == 0


def test_the_api_balance_and_entries(coordinator: Any) -> None:
    client = client_for(coordinator)
    created = client.post(
        f"{API}/entries",
        json.dumps({"kind": "requisition", "amount": "20000000.00", "reference": "Ju2018/1"}),
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["amount"] == "20000000.00"
    balance = client.get(f"{API}/balance").json()
    assert balance["requisitioned"] == "20000000.00" and balance["to_repay"] == "0.00"
    listed = client.get(f"{API}/entries").json()
    assert listed["total"] == 1 and listed["items"][0]["reference"] == "Ju2018/1"


def test_the_api_refuses_with_403_and_the_reason(rss_skane: Any) -> None:
    client = client_for(rss_skane)
    response = client.post(
        f"{API}/entries",
        json.dumps({"kind": "requisition", "amount": "1.00", "reference": "x", "recipient": "25"}),
        content_type="application/json",
    )
    assert response.status_code == 403
    assert "ditt eget län" in response.json()["detail"]


def test_the_api_refuses_a_broken_invariant_with_422(coordinator: Any) -> None:
    response = client_for(coordinator).post(
        f"{API}/entries",
        json.dumps({"kind": "requisition", "amount": "20000000.01", "reference": "x"}),
        content_type="application/json",
    )
    assert response.status_code == 422 and "överstiger budgeten" in response.json()["detail"]


def test_reversal_through_the_api_and_the_web(coordinator: Any) -> None:
    client = client_for(coordinator)
    entry = entry_record(
        decision=decision_get(slug=SLUG),
        year=2018,
        kind="requisition",
        amount="5.00",
        reference="x",
        actor=coordinator,
    )
    response = client.post(
        f"/api/v1/ledger/entries/{entry.sequence}/reverse",
        json.dumps({"reason": "fel"}),
        content_type="application/json",
    )
    assert response.status_code == 201 and response.json()["amount"] == "-5.00"
    second = entry_record(
        decision=decision_get(slug=SLUG),
        year=2018,
        kind="requisition",
        amount="7.00",
        reference="y",
        actor=coordinator,
    )
    web = client.post(f"{PAGE}rattelse/{second.sequence}/", {"reason": "dubblett"})
    assert web.status_code == 302
    assert LedgerEntry.objects.filter(reverses=second).exists()


def test_the_page_query_count_is_bounded(coordinator: Any, django_assert_max_num_queries: Any) -> None:
    decision = decision_get(slug=SLUG)
    for i in range(30):
        entry_record(
            decision=decision,
            year=2018,
            kind="requisition",
            amount="1.00",
            reference=f"r{i}",
            actor=operator("t"),
        )
    client = client_for(coordinator)
    with django_assert_max_num_queries(40):
        assert client.get(PAGE).status_code == 200
