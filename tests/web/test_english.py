"""English is the second language: the policy's refusal reasons, the refusal page and the API's
validation messages follow the user's language choice, not only the page chrome."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from tests.conftest import client_for

pytestmark = pytest.mark.django_db
AGREEMENT = "jamstalldhet-kvinnofrid-2018-2020"


def _in_english(client: Client) -> Client:
    """The language switch the site offers (the form in the layout posts to it)."""
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    return client


def test_the_refusal_page_and_the_policys_reason_are_in_english(no_role: Any) -> None:
    response = _in_english(client_for(no_role)).get("/medel/")
    assert response.status_code == 403
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "You do not have permission" in html
    assert "The funds ledger is shown to users with a role in the programme." in html
    assert "Reason:" in html
    assert "Medelsflödet visas" not in html
    assert "Du har inte behörighet" not in html


def test_the_same_refusal_stays_swedish_by_default(no_role: Any) -> None:
    html = client_for(no_role).get("/medel/").content.decode()
    assert '<html lang="sv">' in html
    assert "Medelsflödet visas för användare med en roll i satsningen." in html


def test_an_api_validation_message_is_in_english_with_the_language_cookie(coordinator: Any) -> None:
    client = _in_english(client_for(coordinator))
    response = client.post(
        f"/api/v1/ledger/{AGREEMENT}/2018/entries",
        {"kind": "requisition", "amount": "-5", "reference": "x"},
        content_type="application/json",
    )
    assert response.status_code == 422
    body = response.json()
    assert body["errors"]["amount"] == ["an amount must not be negative: '-5'"]
    assert "amount: an amount must not be negative" in body["detail"]


def test_the_same_api_message_stays_swedish_without_the_cookie(coordinator: Any) -> None:
    response = client_for(coordinator).post(
        f"/api/v1/ledger/{AGREEMENT}/2018/entries",
        {"kind": "requisition", "amount": "-5", "reference": "x"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"]["amount"] == ["belopp får inte vara negativt: '-5'"]


def test_a_zero_amount_and_an_unknown_decision_are_refused_in_english(coordinator: Any) -> None:
    client = _in_english(client_for(coordinator))
    zero = client.post(
        f"/api/v1/ledger/{AGREEMENT}/2018/entries",
        {"kind": "requisition", "amount": "0", "reference": "x"},
        content_type="application/json",
    )
    assert zero.status_code == 422
    assert zero.json()["errors"]["amount"] == ["The amount must be greater than zero."]
    unknown = client.get("/medel/ingen-sadan-satsning/2018/")
    assert unknown.status_code == 404
    html = unknown.content.decode()
    assert "The page does not exist" in html
    assert "unknown decision: &#x27;ingen-sadan-satsning&#x27;" in html
