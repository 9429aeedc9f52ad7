"""Every ledger write endpoint, in the web and in the API: it requires login, refuses the wrong
method, refuses another county with the policy's reason, and a walk over hostile values for every
field gets a 4xx with a reason (never a 5xx) and stores nothing."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client

from jamkoll.accounts.policy import operator
from jamkoll.ledger.models import LedgerEntry, Tier
from jamkoll.ledger.selectors import STATE_RECIPIENT, action_for
from jamkoll.ledger.services import entry_record
from jamkoll.programmes.selectors import decision_get
from tests.conftest import client_for
from tests.hostile import (
    HOSTILE_AMOUNTS,
    HOSTILE_DATES,
    HOSTILE_INTS,
    HOSTILE_TEXT,
    assert_refused,
    nothing_stored,
)

pytestmark = pytest.mark.django_db
SLUG = "jamstalldhet-kvinnofrid-2018-2020"
PAGE = f"/medel/{SLUG}/2018/"
API = f"/api/v1/ledger/{SLUG}/2018"
OP = operator("test")
NOT_YOUR_COUNTY = "Du kan bara rekvirera för ditt eget län."
ONLY_TREASURY_DISBURSES = "Utbetalningar registreras av Kammarkollegiet."
REQUISITION_ROLES = "Rekvisition kräver rollen samordnare eller behörig företrädare."
# Another county's entry, or the state tier's for a county: not shown, refused with this (issue 12).
NOT_YOUR_ENTRY = (
    "Enskilda poster med referens och namn visas för SKR, för Regeringskansliet och "
    "Kammarkollegiet på statsnivån och för RSS-ledaren för det egna länets poster."
)

# A form body or a URL is UTF-8: it cannot carry a lone surrogate (a browser sends U+FFFD, an
# ordinary character). JSON can, so the API walks take every value.
WEB_TEXT = [v for v in HOSTILE_TEXT if not any("\ud800" <= c <= "\udfff" for c in v)]
FORM = {
    "kind": "requisition",
    "recipient": "SKR",
    "amount": "1000,00",
    "entry_date": "2018-11-20",
    "reference": "Ju2018/1",
    "note": "",
}
BODY = {
    "kind": "requisition",
    "amount": "1000.00",
    "reference": "Ju2018/1",
    "recipient": "SKR",
    "entry_date": "2018-11-20",
    "note": "",
}


def _entry(kind: str = "requisition", amount: str = "1000.00", county_code: str | None = None) -> LedgerEntry:
    return entry_record(
        actor=OP,
        decision=decision_get(slug=SLUG),
        year=2018,
        kind=kind,
        amount=amount,
        reference="Ju2018/1",
        county_code=county_code,
    )


def _skane_entry() -> LedgerEntry:
    return _entry(county_code="12")


def _state_disbursement() -> LedgerEntry:
    _entry("requisition", "100.00")
    return _entry("disbursement", "100.00")


def _api_post(client: Client, url: str, body: Any) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def _body(response: Any) -> str:
    return str(response.content.decode())


# --- The entry form on the ledger page -----------------------------------------------------------


def test_it_sends_an_anonymous_entry_to_the_login_page() -> None:
    with nothing_stored():
        response = Client().post(PAGE, FORM)
    assert response.status_code == 302 and "/logga-in/" in response["Location"]


def test_it_refuses_other_methods_on_the_entry_form(coordinator: Any) -> None:
    client = client_for(coordinator)
    with nothing_stored():
        assert client.put(PAGE, FORM).status_code == 405
        assert client.delete(PAGE).status_code == 405


def test_it_refuses_an_entry_for_another_county_with_the_policys_reason(rss_norrbotten: Any) -> None:
    with nothing_stored():
        response = client_for(rss_norrbotten).post(PAGE, {**FORM, "recipient": "12"})
    assert response.status_code == 403
    assert NOT_YOUR_COUNTY in assert_refused(response)
    assert '<html lang="sv"' in _body(response) and 'class="refusal-reason"' in _body(response)


def test_it_refuses_a_role_that_records_nothing_with_the_reason(ministry: Any) -> None:
    with nothing_stored():
        response = client_for(ministry).post(PAGE, FORM)
    assert response.status_code == 403
    assert "Du har ingen roll som får registrera poster i medelsflödet." in assert_refused(response)


@pytest.mark.parametrize(
    "name",
    ["coordinator", "rss_skane", "certifier", "signatory", "treasury", "ministry", "analyst", "no_role"],
)
def test_it_offers_the_entry_form_exactly_to_whom_the_policy_lets_record(
    name: str, request: pytest.FixtureRequest
) -> None:
    """The policy's "ledger.record" (the page's refusal) agrees with the kinds the form offers."""
    from jamkoll.accounts.policy import check
    from jamkoll.ledger.views import _allowed_choices
    from jamkoll.programmes.selectors import as_of, county_name_map

    user = request.getfixturevalue(name)
    names = county_name_map(as_of(2018))
    kinds, recipients, pairs = _allowed_choices(user, names)
    assert bool(check(user, "ledger.record")) == bool(kinds)
    # Each kind names exactly the recipients the policy lets it go with, and the recipient list is
    # their union: the page's script disables the others once a kind is chosen.
    for kind, _label in kinds:
        for recipient in [STATE_RECIPIENT, *names]:
            code = None if recipient == STATE_RECIPIENT else recipient
            allowed = bool(check(user, action_for(Tier.RSS if code else Tier.STATE, kind), code))
            assert (recipient in pairs[kind]) == allowed, (kind, recipient)
    assert {r for r, _label in recipients} == {r for allowed in pairs.values() for r in allowed}


def test_each_kind_names_the_recipients_it_goes_with(coordinator: Any) -> None:
    """A coordinator records a disbursement to a county, never from the state, and SKR's own
    expenditure only on the state level: the options say so for the page's script."""
    page = _body(client_for(coordinator).get(PAGE))
    select = page[page.index('name="kind"') - 200 : page.index('name="recipient"')]
    assert 'data-restricts="recipient"' in select
    disbursement = re.search(r'<option value="disbursement"[^>]*data-recipients="([^"]*)"', select)
    expenditure = re.search(r'<option value="expenditure"[^>]*data-recipients="([^"]*)"', select)
    assert disbursement and expenditure
    assert STATE_RECIPIENT not in disbursement.group(1).split() and "12" in disbursement.group(1).split()
    assert STATE_RECIPIENT in expenditure.group(1).split()


def test_a_goal_area_is_offered_only_with_the_recipients_own_expenditure(
    coordinator: Any, rss_skane: Any
) -> None:
    """Målområde goes with SKR's own expenditure alone (the service refuses it otherwise): the
    coordinator's list says so for the page's script; an RSS leader, who may not record that
    expenditure, is not offered the field at all."""
    page = _body(client_for(coordinator).get(PAGE))
    line = re.search(r'<select name="line"[^>]*>', page)
    assert line and f'data-only-with="kind:expenditure recipient:{STATE_RECIPIENT}"' in line.group(0)
    rss = client_for(rss_skane)
    assert 'name="line"' not in _body(rss.get(PAGE))
    assert 'name="kind"' in _body(rss.get(PAGE))  # the form itself is there


def test_it_shows_a_refused_combination_beside_the_kind(coordinator: Any) -> None:
    """The form offers a coordinator both "Utbetalning" (to a county) and "Staten – SKR" (for a
    requisition); the two together are for Kammarkollegiet: the reason beside the kind, input kept."""
    with nothing_stored():
        response = client_for(coordinator).post(PAGE, {**FORM, "kind": "disbursement"})
    assert response.status_code == 400
    assert response.context["form"].errors["kind"] == [ONLY_TREASURY_DISBURSES]
    assert ONLY_TREASURY_DISBURSES in assert_refused(response)
    assert 'value="Ju2018/1"' in _body(response)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("amount", "-5,00", "får inte vara negativt"),
        ("amount", "5e2", "ogiltigt belopp"),
        ("entry_date", "2016-12-31", "mellan 2017-01-01 och"),
        ("entry_date", "9999-12-31", "mellan 2017-01-01 och"),
        ("reference", "x" * 201, "200 tecken"),
        ("reference", "Faktura \u202egnp.exe", "Otillåtet tecken (U+202E)"),
        ("note", "x" * 2001, "2000 tecken"),
    ],
)
def test_it_shows_each_error_beside_its_field(coordinator: Any, field: str, value: str, message: str) -> None:
    with nothing_stored():
        response = client_for(coordinator).post(PAGE, {**FORM, field: value})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == [field] and message in " ".join(errors[field])


def test_the_entry_form_states_its_bounds(coordinator: Any) -> None:
    html = _body(client_for(coordinator).get(PAGE))
    assert "dateras från 1 januari året före (2017-01-01) till i dag" in html
    assert 'min="2017-01-01"' in html
    assert "Högst 200 tecken på en rad" in html and "högst 2 000 tecken" in html
    assert 'maxlength="200"' in html and 'maxlength="2000"' in html


def test_a_service_error_lands_beside_the_forms_field(coordinator: Any) -> None:
    """The service says `county`; the form calls it `recipient`."""
    from django.core.exceptions import ValidationError

    from jamkoll.errors import form_add_errors
    from jamkoll.ledger.forms import ENTRY_ALIASES, EntryForm

    form = EntryForm(
        {**FORM},
        user=coordinator,
        year=2018,
        kinds=[("requisition", "R")],
        recipients=[("SKR", "S")],
        lines=[],
    )
    assert form.is_valid()
    form_add_errors(
        form, ValidationError({"county": ["okänt län '99'"], "amount": ["för stort"]}), ENTRY_ALIASES
    )
    assert form.errors == {"recipient": ["okänt län '99'"], "amount": ["för stort"]}


WEB_ENTRY_WALK = [
    *[("kind", v) for v in [*WEB_TEXT, *HOSTILE_INTS]],
    *[("recipient", v) for v in [*WEB_TEXT, *HOSTILE_INTS, "99"]],
    *[("line", v) for v in [*WEB_TEXT, *HOSTILE_INTS]],
    *[("amount", v) for v in [*WEB_TEXT, *HOSTILE_AMOUNTS, "-5,00", "0", ""]],
    *[("entry_date", v) for v in [*HOSTILE_DATES, "2016-12-31", "2100-01-01", ""]],
    *[("reference", v) for v in [*WEB_TEXT, "x" * 201, "rad\nett", " "]],
    *[("note", v) for v in [*WEB_TEXT, "x" * 2001]],
]


def test_a_hostile_walk_over_the_entry_form_stores_nothing(coordinator: Any) -> None:
    client = client_for(coordinator)
    with nothing_stored():
        for field, value in WEB_ENTRY_WALK:
            data = {**FORM, field: value}
            if field == "line":
                data["kind"] = "expenditure"  # the only kind with a line; the coordinator's to record
            response = client.post(PAGE, data)
            where = f"{field}={value[:30]!r}"
            assert response.status_code == 400, where
            assert_refused(response, where=where)
            assert field in response.context["form"].errors, where


@pytest.mark.parametrize("param", ["lan", "slag", "sida"])
def test_the_pages_query_parameters_never_make_a_server_error(coordinator: Any, param: str) -> None:
    client = client_for(coordinator)
    for value in [*WEB_TEXT, *HOSTILE_INTS, *HOSTILE_DATES, "99", "reclaim", "-1"]:
        response = client.get(PAGE, {param: value})
        where = f"{param}={value[:30]!r}"
        assert response.status_code in (200, 400), where
        if response.status_code == 400:
            assert_refused(response, where=where)


# --- The reversal form ------------------------------------------------------------------------


def _reverse_url(entry: LedgerEntry) -> str:
    return f"{PAGE}rattelse/{entry.sequence}/"


def test_it_sends_an_anonymous_reversal_to_the_login_page() -> None:
    entry = _entry()
    with nothing_stored():
        response = Client().post(_reverse_url(entry), {"reason": "fel"})
    assert response.status_code == 302 and "/logga-in/" in response["Location"]


def test_it_refuses_other_methods_on_the_reversal_form(coordinator: Any) -> None:
    entry = _entry()
    client = client_for(coordinator)
    with nothing_stored():
        assert client.get(_reverse_url(entry)).status_code == 405
        assert client.put(_reverse_url(entry), {"reason": "fel"}).status_code == 405


def test_it_refuses_reversing_another_countys_entry_with_the_reason(rss_norrbotten: Any) -> None:
    entry = _skane_entry()
    with nothing_stored():
        response = client_for(rss_norrbotten).post(_reverse_url(entry), {"reason": "fel"})
    assert response.status_code == 403
    assert NOT_YOUR_ENTRY in assert_refused(response)


def test_the_coordinator_is_offered_rätta_only_where_the_policy_allows(coordinator: Any) -> None:
    """The coordinator may reverse a requisition but not Kammarkollegiet's disbursement: no form for
    it, a disabled control that says why, and a forced POST gets the refusal page with the reason."""
    disbursement = _state_disbursement()
    requisition = LedgerEntry.objects.get(kind="requisition")
    client = client_for(coordinator)
    html = _body(client.get(PAGE))
    assert f'action="{_reverse_url(requisition)}"' in html
    assert f'action="{_reverse_url(disbursement)}"' not in html
    assert (
        f'disabled title="{ONLY_TREASURY_DISBURSES}" aria-describedby="ratta-{disbursement.sequence}"' in html
    )
    with nothing_stored():
        response = client.post(_reverse_url(disbursement), {"reason": "fel"})
    assert response.status_code == 403
    assert ONLY_TREASURY_DISBURSES in assert_refused(response)
    assert '<html lang="sv"' in _body(response) and "Till startsidan" in _body(response)


@pytest.mark.parametrize(
    ("persona", "allowed", "refused_with", "hidden"),
    [
        ("rss_skane", "skane", ("requisition", NOT_YOUR_ENTRY), {"disbursement", "requisition"}),
        ("treasury", "disbursement", ("requisition", REQUISITION_ROLES), {"skane"}),
        ("signatory", "requisition", ("disbursement", ONLY_TREASURY_DISBURSES), set()),
        ("ministry", None, ("requisition", REQUISITION_ROLES), {"skane"}),
        ("certifier", None, ("disbursement", ONLY_TREASURY_DISBURSES), set()),
    ],
)
def test_every_role_is_offered_rätta_only_where_the_policy_allows(
    request: pytest.FixtureRequest,
    persona: str,
    allowed: str | None,
    refused_with: tuple[str, str],
    hidden: set[str],
) -> None:
    user = request.getfixturevalue(persona)
    disbursement = _state_disbursement()
    entries = {
        "disbursement": disbursement,
        "requisition": LedgerEntry.objects.get(kind="requisition", county=None),
        "skane": _skane_entry(),
    }
    client = client_for(user)
    html = _body(client.get(PAGE))
    for name, entry in entries.items():
        offered = f'action="{_reverse_url(entry)}"' in html
        assert offered == (name == allowed), (persona, name)
        assert (f'id="post-{entry.sequence}"' not in html) == (name in hidden), (persona, name)
    which, reason = refused_with
    entry = entries[which]
    if which not in hidden:
        assert f'disabled title="{reason}" aria-describedby="ratta-{entry.sequence}"' in html
    with nothing_stored():
        response = client.post(_reverse_url(entry), {"reason": "fel"})
    assert response.status_code == 403 and reason in assert_refused(response)


def test_a_reversal_without_a_reason_is_shown_beside_the_field(coordinator: Any) -> None:
    entry = _entry()
    with nothing_stored():
        response = client_for(coordinator).post(_reverse_url(entry), {"reason": " "})
    assert response.status_code == 400
    row = next(r for r in response.context["rows"] if r.entry.sequence == entry.sequence)
    assert row.open and list(row.form.errors) == ["reason"]
    assert "<details open><summary>Rätta</summary>" in _body(response)
    assert "Detta fält måste fyllas i." in assert_refused(response)


def test_a_second_reversal_is_refused_in_the_page(coordinator: Any) -> None:
    entry = _entry()
    client = client_for(coordinator)
    assert client.post(_reverse_url(entry), {"reason": "fel"}).status_code == 302
    with nothing_stored():
        response = client.post(_reverse_url(entry), {"reason": "igen"})
    assert response.status_code == 400
    assert f"Post #{entry.sequence} är redan rättad." in assert_refused(response)


def test_a_reversal_of_an_unknown_entry_is_a_404_with_the_reason(coordinator: Any) -> None:
    response = client_for(coordinator).post(f"{PAGE}rattelse/999/", {"reason": "fel"})
    assert response.status_code == 404
    assert "Ingen post med löpnummer 999." in assert_refused(response)


def test_a_hostile_walk_over_the_reversal_form_stores_nothing(coordinator: Any) -> None:
    entry = _entry()
    client = client_for(coordinator)
    with nothing_stored():
        for value in [*WEB_TEXT, "x" * 101, "rad\nett", "", " "]:
            response = client.post(_reverse_url(entry), {"reason": value})
            where = f"reason={value[:30]!r}"
            assert response.status_code == 400, where
            assert_refused(response, where=where)


# --- The API ------------------------------------------------------------------------------------


def test_the_api_refuses_anonymous_writes_with_401() -> None:
    entry = _entry()
    with nothing_stored():
        created = _api_post(Client(), f"{API}/entries", BODY)
        reversed_ = _api_post(Client(), f"/api/v1/ledger/entries/{entry.sequence}/reverse", {"reason": "x"})
    for response in (created, reversed_):
        assert response.status_code == 401 and "Logga in" in assert_refused(response)


def test_the_api_refuses_other_methods(coordinator: Any) -> None:
    entry = _entry()
    client = client_for(coordinator)
    with nothing_stored():
        assert (
            client.put(f"{API}/entries", json.dumps(BODY), content_type="application/json").status_code == 405
        )
        assert client.delete(f"{API}/entries").status_code == 405
        assert client.get(f"/api/v1/ledger/entries/{entry.sequence}/reverse").status_code == 405


def test_the_api_refuses_another_countys_entry_with_the_reason(rss_norrbotten: Any) -> None:
    with nothing_stored():
        response = _api_post(client_for(rss_norrbotten), f"{API}/entries", {**BODY, "recipient": "12"})
    assert response.status_code == 403
    assert response.json() == {"detail": NOT_YOUR_COUNTY, "errors": {}}


def test_the_api_refuses_reversing_another_countys_entry_with_the_reason(rss_norrbotten: Any) -> None:
    entry = _skane_entry()
    with nothing_stored():
        response = _api_post(
            client_for(rss_norrbotten), f"/api/v1/ledger/entries/{entry.sequence}/reverse", {"reason": "fel"}
        )
    assert response.status_code == 403
    assert response.json() == {"detail": NOT_YOUR_ENTRY, "errors": {}}


def test_the_api_answers_a_negative_amount_with_422_naming_the_amount(coordinator: Any) -> None:
    """Issue 10, Done when: a negative ledger amount is a 422 whose `errors` names `amount`."""
    with nothing_stored():
        response = _api_post(client_for(coordinator), f"{API}/entries", {**BODY, "amount": "-5.00"})
    assert response.status_code == 422
    message = "belopp får inte vara negativt: '-5.00'"
    assert response.json() == {"detail": f"amount: {message}", "errors": {"amount": [message]}}


def test_the_api_names_every_bad_field_at_once(coordinator: Any) -> None:
    with nothing_stored():
        response = _api_post(
            client_for(coordinator),
            f"{API}/entries",
            {**BODY, "amount": "1_000", "reference": " ", "entry_date": "2016-12-31", "recipient": "99"},
        )
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"amount", "reference", "entry_date", "county"}


def test_the_api_reverse_of_an_unknown_entry_is_a_404(coordinator: Any) -> None:
    response = _api_post(client_for(coordinator), "/api/v1/ledger/entries/999/reverse", {"reason": "x"})
    assert response.status_code == 404
    assert response.json()["detail"] == "Ingen post med löpnummer 999."


API_ENTRY_WALK = [
    *[("kind", v) for v in [*HOSTILE_TEXT, *HOSTILE_INTS, None, 1]],
    *[("recipient", v) for v in [*HOSTILE_TEXT, "99", None, 12]],
    *[("line", v) for v in [*HOSTILE_TEXT, *HOSTILE_INTS, 0, -10, 7, 10**20, 1.5, True]],
    *[("amount", v) for v in [*HOSTILE_TEXT, *HOSTILE_AMOUNTS, "-5.00", "0", "", 1000, 1e3, None]],
    *[("entry_date", v) for v in [*HOSTILE_TEXT, *HOSTILE_DATES, "2016-12-31", "2100-01-01", 20180101]],
    *[("reference", v) for v in [*HOSTILE_TEXT, "x" * 201, "rad\nett", " ", None, 1]],
    *[("note", v) for v in [*HOSTILE_TEXT, "x" * 2001, None, 1]],
]


def test_a_hostile_walk_over_the_api_entry_body_stores_nothing(coordinator: Any) -> None:
    client = client_for(coordinator)
    with nothing_stored():
        for field, value in API_ENTRY_WALK:
            body = {**BODY, field: value}
            if field == "line":
                body["kind"] = "expenditure"
            response = _api_post(client, f"{API}/entries", body)
            where = f"{field}={str(value)[:30]!r}"
            assert response.status_code == 422, where
            assert_refused(response, where=where)
            errors = response.json()["errors"]
            assert field in errors or (field == "recipient" and "county" in errors), (where, errors)


def test_a_hostile_walk_over_the_api_reverse_body_stores_nothing(coordinator: Any) -> None:
    entry = _entry()
    client = client_for(coordinator)
    url = f"/api/v1/ledger/entries/{entry.sequence}/reverse"
    with nothing_stored():
        for value in [*HOSTILE_TEXT, "x" * 101, "rad\nett", "", " ", None, 1]:
            response = _api_post(client, url, {"reason": value})
            where = f"reason={str(value)[:30]!r}"
            assert response.status_code == 422, where
            assert "reason" in response.json()["errors"], where
            assert_refused(response, where=where)
        for sequence in ["0", "-10", "99999999999999999999", "٣", "1e3"]:
            response = _api_post(client, f"/api/v1/ledger/entries/{sequence}/reverse", {"reason": "fel"})
            assert 400 <= response.status_code < 500, sequence
            assert_refused(response, where=sequence)


QUERY_WALK = [
    *[("county", v) for v in WEB_TEXT],
    *[("kind", v) for v in [*WEB_TEXT, *HOSTILE_INTS]],
    *[("limit", v) for v in [*WEB_TEXT, *HOSTILE_INTS, "501"]],
    *[("offset", v) for v in [*WEB_TEXT, *[i for i in HOSTILE_INTS if i != "0"]]],
]


def test_a_hostile_walk_over_the_entries_query_never_makes_a_server_error(coordinator: Any) -> None:
    client = client_for(coordinator)
    for param, value in QUERY_WALK:
        response = client.get(f"{API}/entries", {param: value})
        where = f"{param}={value[:30]!r}"
        assert response.status_code in (400, 422), where
        assert_refused(response, where=where)


def test_a_negative_offset_is_a_422_naming_the_offset(coordinator: Any) -> None:
    response = client_for(coordinator).get(f"{API}/entries?offset=-10")
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["offset"]


def test_the_api_paths_year_is_bounded(coordinator: Any) -> None:
    client = client_for(coordinator)
    assert client.get(f"/api/v1/ledger/{SLUG}/0/balance").status_code == 422
    response = client.get(f"/api/v1/ledger/{SLUG}/2017/balance")
    assert response.status_code == 404 and "utanför beslutets period" in response.json()["detail"]
    response = client.get("/api/v1/ledger/okant/2018/entries")
    assert response.status_code == 404 and "okänt beslut" in response.json()["detail"]
