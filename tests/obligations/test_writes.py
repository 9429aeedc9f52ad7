"""Every write endpoint of the obligations, in the web and in the API (STYLE §8, issue 10): it
requires login, rejects the wrong method, rejects another county with the policy's reason, says
why when it refuses, and refuses every hostile value in every field with a 4xx that says why,
never a 5xx, storing nothing.

Web: submit, waive, reschedule, the RSS date for all counties, feed create and revoke.
API: submit, waive, reschedule.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from jamkoll.accounts.policy import WORKER
from jamkoll.errors import NotFound
from jamkoll.obligations.models import CalendarFeed, Obligation
from jamkoll.obligations.selectors import (
    deadline_decision_for_user,
    deadline_year_for_user,
    obligation_get,
    status_q,
    year_q,
)
from tests.conftest import client_for
from tests.hostile import HOSTILE_DATES, HOSTILE_INTS, HOSTILE_TEXT, assert_refused, nothing_stored

from .conftest import AGREEMENT, obligation

pytestmark = pytest.mark.django_db
API = "/api/v1/obligations"
SKANE = "2018-requisition-rss-12"
RSS_2018 = f"/tidsfrister/{AGREEMENT}/2018/rss-datum/"

# A form body is bytes: a browser cannot send a lone surrogate (invalid UTF-8 arrives as U+FFFD),
# and Django's test client cannot encode one. The API's JSON can carry it ("\ud800"), and does.
WEB_TEXT = [v for v in HOSTILE_TEXT if v != "\ud800"]


@dataclass(frozen=True)
class Endpoint:
    name: str
    key: str  # the obligation it acts on ("" for the RSS date and the feed)
    action: str  # the web URL name, or the API path's last part
    valid: dict[str, str] = field(default_factory=dict)
    texts: tuple[str, ...] = ()
    dates: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()

    def web_url(self) -> str:
        if self.action == "rss_reschedule":
            return RSS_2018
        if self.action.startswith("feed_"):
            return reverse(f"obligations:{self.action}")
        return reverse(f"obligations:{self.action}", args=[obligation(self.key).pk])

    def api_url(self) -> str:
        return f"{API}/{obligation(self.key).pk}/{self.action}"


SUBMIT = {"submitted_on": "2019-03-29", "receipt_reference": "KAMK 2019/1", "document_reference": "ek.pdf"}
WEB = [
    Endpoint(
        "submit",
        "2018-financial_report",
        "submit",
        SUBMIT,
        ("receipt_reference", "document_reference"),
        ("submitted_on",),
    ),
    Endpoint("waive", "2018-status_report-h1", "waive", {"reason": "Ersatt av möte"}, ("reason",)),
    Endpoint(
        "reschedule",
        "2019-requisition",
        "reschedule",
        {"nominal_date": "2019-11-15", "reason": "Beslut 2019"},
        ("reason",),
        ("nominal_date",),
    ),
    Endpoint(
        "rss",
        "",
        "rss_reschedule",
        {"kind": "requisition", "nominal_date": "2018-05-15", "reason": "SKR:s instruktioner"},
        ("reason",),
        ("nominal_date",),
        ("kind",),
    ),
    Endpoint("feed_create", "", "feed_create"),
    Endpoint("feed_revoke", "", "feed_revoke"),
]
API_ENDPOINTS = [
    Endpoint(
        "submit",
        "2018-financial_report",
        "submit",
        SUBMIT,
        ("receipt_reference", "document_reference"),
        ("submitted_on",),
    ),
    Endpoint("waive", "2018-status_report-h1", "waive", {"reason": "Ersatt av möte"}, ("reason",)),
    Endpoint(
        "reschedule",
        "2019-requisition",
        "reschedule",
        {"nominal_date": "2019-11-15", "reason": "Beslut 2019"},
        ("reason",),
        ("nominal_date",),
    ),
]
OBLIGATION_WEB = [e for e in WEB if e.key]


def post_json(c: Client, path: str, data: Any) -> Any:
    return c.post(path, json.dumps(data), content_type="application/json")


def _web_id(e: Endpoint) -> str:
    return e.name


# --- requires login ----------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", WEB, ids=_web_id)
def test_it_requires_login_in_the_web(client: Client, endpoint: Endpoint) -> None:
    with nothing_stored():
        response = client.post(endpoint.web_url(), endpoint.valid)
    assert response.status_code == 302 and response["Location"].startswith("/logga-in/")


@pytest.mark.parametrize("endpoint", API_ENDPOINTS, ids=_web_id)
def test_it_requires_login_in_the_api(client: Client, endpoint: Endpoint) -> None:
    with nothing_stored():
        response = post_json(client, endpoint.api_url(), endpoint.valid)
    assert response.status_code == 401
    assert "Logga in" in response.json()["detail"]


# --- rejects the wrong method ---------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", WEB, ids=_web_id)
def test_it_rejects_the_wrong_method_in_the_web(coordinator: Any, endpoint: Endpoint) -> None:
    c = client_for(coordinator)
    with nothing_stored():
        assert c.get(endpoint.web_url(), endpoint.valid).status_code == 405
        assert c.put(endpoint.web_url()).status_code == 405


@pytest.mark.parametrize("endpoint", API_ENDPOINTS, ids=_web_id)
def test_it_rejects_the_wrong_method_in_the_api(coordinator: Any, endpoint: Endpoint) -> None:
    c = client_for(coordinator)
    with nothing_stored():
        assert c.get(endpoint.api_url()).status_code == 405
        assert c.put(endpoint.api_url(), "{}", content_type="application/json").status_code == 405


# --- rejects another county, with the policy's reason ----------------------------------------------

# What the policy says to the RSS leader of Norrbotten about Skåne's obligation.
COUNTY_REASONS = {
    "submit": "RSS: bara för ditt eget län",
    "waive": "Bara den som åtagandet lämnas till",
    "reschedule": "Datum ändras av SKR:s samordnare eller av Regeringskansliet",
}


@pytest.mark.parametrize("action", ["submit", "waive", "reschedule"])
def test_it_rejects_another_county_in_the_web_with_the_reason(rss_norrbotten: Any, action: str) -> None:
    skane = obligation(SKANE)
    data = {"submitted_on": "2018-05-02", "reason": "Norrbotten försöker", "nominal_date": "2018-05-15"}
    with nothing_stored():
        response = client_for(rss_norrbotten).post(reverse(f"obligations:{action}", args=[skane.pk]), data)
    assert response.status_code == 403
    body = assert_refused(response)
    assert COUNTY_REASONS[action] in body and "refusal-reason" in body
    assert '<html lang="sv">' in body  # the site's own page, not Django's bare "403 Forbidden"


@pytest.mark.parametrize("action", ["submit", "waive", "reschedule"])
def test_it_rejects_another_county_in_the_api_with_the_reason(rss_norrbotten: Any, action: str) -> None:
    skane = obligation(SKANE)
    data = {"submitted_on": "2018-05-02", "reason": "Norrbotten försöker", "nominal_date": "2018-05-15"}
    with nothing_stored():
        response = post_json(client_for(rss_norrbotten), f"{API}/{skane.pk}/{action}", data)
    assert response.status_code == 403
    assert COUNTY_REASONS[action] in response.json()["detail"]


def test_it_rejects_a_county_setting_the_date_for_all_counties_with_the_reason(rss_norrbotten: Any) -> None:
    with nothing_stored():
        response = client_for(rss_norrbotten).post(RSS_2018, WEB[3].valid)
    assert response.status_code == 403
    assert COUNTY_REASONS["reschedule"] in assert_refused(response)


def test_it_keeps_a_feed_to_its_own_user(rss_skane: Any, rss_norrbotten: Any) -> None:
    """A feed is personal, not a county's: one user's new address or revocation leaves another's."""
    client_for(rss_skane).post(reverse("obligations:feed_create"))
    skane_feed = CalendarFeed.objects.get(user=rss_skane, revoked_at__isnull=True)
    client_for(rss_norrbotten).post(reverse("obligations:feed_create"))
    client_for(rss_norrbotten).post(reverse("obligations:feed_revoke"))
    assert CalendarFeed.objects.get(pk=skane_feed.pk).revoked_at is None
    assert not CalendarFeed.objects.filter(user=rss_norrbotten, revoked_at__isnull=True).exists()


def test_it_gives_a_user_without_a_role_an_empty_feed(no_role: Any) -> None:
    # Every signed-in user may keep a feed; without a role it is simply empty.
    assert client_for(no_role).post(reverse("obligations:feed_create")).status_code == 302
    feed = CalendarFeed.objects.get(user=no_role)
    response = Client().get(reverse("obligations:feed", args=[feed.token]))
    assert response.status_code == 200 and b"VEVENT" not in response.content


# --- a refusal carries its reason -----------------------------------------------------------------


def test_refused_waive_and_reschedule_carry_the_reason_in_the_web(rss_skane: Any, certifier: Any) -> None:
    o = obligation(SKANE)
    waive = client_for(rss_skane).post(reverse("obligations:waive", args=[o.pk]), {"reason": "x"})
    assert waive.status_code == 403 and COUNTY_REASONS["waive"] in waive.content.decode()
    edit = client_for(certifier).post(
        reverse("obligations:reschedule", args=[obligation("2019-requisition").pk]),
        {"nominal_date": "2019-11-01", "reason": "x"},
    )
    assert edit.status_code == 403 and COUNTY_REASONS["reschedule"] in edit.content.decode()


def test_refused_transitions_carry_the_reason_in_the_api(treasury: Any) -> None:
    o = obligation("2019-activity_report")
    response = post_json(client_for(treasury), f"{API}/{o.pk}/waive", {"reason": "x"})
    assert response.status_code == 403
    assert COUNTY_REASONS["waive"] in response.json()["detail"]


def test_a_state_refusal_stands_beside_the_form_in_the_web(coordinator: Any) -> None:
    o = obligation("2018-status_report-h1")
    c = client_for(coordinator)
    c.post(reverse("obligations:waive", args=[o.pk]), {"reason": "Ersatt av möte"})
    again = c.post(reverse("obligations:waive", args=[o.pk]), {"reason": "igen"})
    body = assert_refused(again)
    assert again.status_code == 400 and "Åtagandet är undantaget." in body
    assert 'class="error-summary" role="alert"' in body  # on the form, not only as a flash message


def test_the_rss_date_for_all_counties_shows_errors_beside_the_fields(coordinator: Any) -> None:
    c = client_for(coordinator)
    with nothing_stored():
        no_reason = c.post(RSS_2018, {"kind": "requisition", "nominal_date": "2018-05-15", "reason": ""})
        late = c.post(RSS_2018, {"kind": "requisition", "nominal_date": "2030-01-01", "reason": "Sent"})
    assert no_reason.status_code == 400 and "Detta fält måste fyllas i." in assert_refused(no_reason)
    body = assert_refused(late)
    assert late.status_code == 400
    assert "Datumet måste ligga mellan 2016-01-01 och 2022-12-31." in body
    assert 'id="id_rss_2018_nominal_date"' in body  # the form of the year posted, bound
    assert "Datum för alla län" in body and "Ekonomisk redovisning för 2018" not in body


# --- bounds -----------------------------------------------------------------------------------------


def test_a_reason_is_bounded_to_the_history_column(coordinator: Any) -> None:
    o = obligation("2018-status_report-h1")
    c = client_for(coordinator)
    with nothing_stored():
        too_long = c.post(reverse("obligations:waive", args=[o.pk]), {"reason": "x" * 101})
        assert too_long.status_code == 400
        api = post_json(c, f"{API}/{o.pk}/waive", {"reason": "x" * 101})
        assert api.status_code == 422 and list(api.json()["errors"]) == ["reason"]
    assert c.post(reverse("obligations:waive", args=[o.pk]), {"reason": "x" * 100}).status_code == 302
    assert obligation("2018-status_report-h1").history.latest().history_change_reason == "x" * 100


def test_a_new_date_lies_within_the_decisions_period_and_two_years(ministry: Any) -> None:
    o = obligation("2019-requisition")
    c = client_for(ministry)
    with nothing_stored():
        for day in ("9999-12-31", "2023-01-01", "2015-12-31", "0001-01-01"):
            web = c.post(reverse("obligations:reschedule", args=[o.pk]), {"nominal_date": day, "reason": "r"})
            assert web.status_code == 400, day
            assert "Datumet måste ligga mellan 2016-01-01 och 2022-12-31." in web.content.decode()
            api = post_json(c, f"{API}/{o.pk}/reschedule", {"nominal_date": day, "reason": "r"})
            assert api.status_code == 422 and list(api.json()["errors"]) == ["nominal_date"], day
    ok = post_json(c, f"{API}/{o.pk}/reschedule", {"nominal_date": "2022-12-31", "reason": "r"})
    assert ok.status_code == 200 and ok.json()["effective_date"] == "2023-01-02"


def test_hostile_addresses_and_filters_are_refused(coordinator: Any) -> None:
    c = client_for(coordinator)
    with nothing_stored():
        feed = Client().get("/tidsfrister/feed/%00.ics")
        assert feed.status_code == 400 and "U+0000" in assert_refused(feed)
        for path in ("/tidsfrister/?lan=%00", f"/tidsfrister/{AGREEMENT}/2019/?county=%00"):
            assert c.get(path).status_code == 400
            assert_refused(c.get(path))
        assert c.get(f"{API}?lan=%00").status_code == 400
        assert_refused(c.get(f"{API}?year=%00"))
        for year in HOSTILE_INTS:
            response = c.get(API, {"year": year})
            assert response.status_code in {400, 422}, year
            assert_refused(response, where=f"?year={year!r}")
        page = c.get(f"/tidsfrister/{AGREEMENT}/0/")
        assert page.status_code == 404 and "ogiltigt år" in assert_refused(page)
        page = c.get(f"/tidsfrister/{AGREEMENT}/2030/")
        assert page.status_code == 404 and "utanför" in assert_refused(page)
        for path in ("/tidsfrister/atagande/99999999999999999999/", f"{API}/99999999999999999999"):
            assert c.get(path).status_code == 404
            assert_refused(c.get(path))
        assert Client().get("/tidsfrister/feed/" + "x" * 400 + ".ics").status_code == 404


# --- the hostile walk over every field ------------------------------------------------------------


def _hostile(endpoint: Endpoint, *, texts: list[str]) -> list[tuple[str, str]]:
    values: list[tuple[str, str]] = []
    for name in endpoint.texts + endpoint.choices:
        values += [(name, v) for v in texts]
    for name in endpoint.dates:
        values += [(name, v) for v in HOSTILE_DATES]
    return values


@pytest.mark.parametrize("endpoint", [e for e in WEB if e.valid], ids=_web_id)
def test_the_web_refuses_every_hostile_value_in_every_field(coordinator: Any, endpoint: Endpoint) -> None:
    c = client_for(coordinator)
    url = endpoint.web_url()
    for name, value in _hostile(endpoint, texts=WEB_TEXT):
        with nothing_stored():
            response = c.post(url, {**endpoint.valid, name: value})
        reason = assert_refused(response, where=f"{endpoint.name} {name}={value[:20]!r}")
        assert response.status_code == 400 and 'role="alert"' in reason


@pytest.mark.parametrize("endpoint", API_ENDPOINTS, ids=_web_id)
def test_the_api_refuses_every_hostile_value_in_every_field(coordinator: Any, endpoint: Endpoint) -> None:
    c = client_for(coordinator)
    url = endpoint.api_url()
    for name, value in _hostile(endpoint, texts=HOSTILE_TEXT):
        with nothing_stored():
            response = post_json(c, url, {**endpoint.valid, name: value})
        assert_refused(response, where=f"{endpoint.name} {name}={value[:20]!r}")
        assert response.status_code == 422 and name in response.json()["errors"], (name, value[:20])
    for body in ("[]", "null", '"x"', "{", json.dumps({**endpoint.valid, "extra": 1})[:-1]):
        with nothing_stored():
            response = c.post(url, body, content_type="application/json")
        assert_refused(response, where=f"{endpoint.name} body {body[:20]!r}")


def test_the_valid_payloads_of_the_walk_are_accepted(coordinator: Any, ministry: Any) -> None:
    """The walk's base payloads are valid, so its refusals come from the hostile value alone."""
    c = client_for(coordinator)
    for endpoint in WEB:
        assert c.post(endpoint.web_url(), endpoint.valid).status_code == 302, endpoint.name
    submitted = obligation("2018-financial_report")
    assert (submitted.submitted_on, submitted.submitted_by) == (dt.date(2019, 3, 29), coordinator)
    assert (
        Obligation.objects.filter(key__startswith="2018-requisition-rss-", nominal_date="2018-05-15").count()
        == 21
    )


def test_it_says_what_is_not_found_in_the_users_language() -> None:
    """The selectors' NotFound messages are translated (Swedish source, English catalogue)."""
    cases: list[tuple[Callable[[], Any], str, str]] = [
        (lambda: obligation_get(pk=999999), "okänt åtagande: 999999", "unknown obligation: 999999"),
        (lambda: status_q("nope", dt.date(2019, 1, 1)), "okänd status: 'nope'", "unknown status: 'nope'"),
        (lambda: year_q(0), "ogiltigt år 0", "invalid year 0"),
        (
            lambda: deadline_year_for_user(actor=WORKER, action="obligation.view", slug=AGREEMENT, year="x"),
            "ogiltigt år 'x'",
            "invalid year 'x'",
        ),
        (
            lambda: deadline_decision_for_user(actor=WORKER, action="obligation.view", slug="nope"),
            "okänt beslut: 'nope' (kända: ",
            "unknown decision: 'nope' (known: ",
        ),
    ]
    for call, swedish, english in cases:
        for language, expected in (("sv", swedish), ("en", english)):
            with translation.override(language), pytest.raises(NotFound) as raised:
                call()
            assert str(raised.value).startswith(expected), (language, str(raised.value))
