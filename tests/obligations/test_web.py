"""The deadline pages: Att göra, the calendar per decision and year, an obligation's page with its
forms, and the personal iCalendar feed."""

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from jamkoll.obligations.models import CalendarFeed, Obligation
from jamkoll.programmes.models import FundingDecision
from tests.conftest import client_for
from tests.hostile import assert_refused

from .conftest import AGREEMENT, obligation


def always_kept() -> None:
    """The agreement's records kept from the start (`records_from` null): the ordinary statuses."""
    FundingDecision.objects.filter(slug=AGREEMENT).update(records_from=None)


pytestmark = pytest.mark.django_db
CAL_2019 = f"/tidsfrister/{AGREEMENT}/2019/"


def url(o: Obligation, action: str = "") -> str:
    names = {"": "obligation", "submit": "submit", "waive": "waive", "edit": "reschedule"}
    return reverse(f"obligations:{names[action]}", args=[o.pk])


# --- requires login, wrong method ------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/tidsfrister/", CAL_2019, "/tidsfrister/kalenderflode/"])
def test_it_requires_login(client: Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 302 and response["Location"].startswith("/logga-in/")


def test_writes_require_login(client: Client) -> None:
    o = obligation("2018-financial_report")
    response = client.post(url(o, "submit"), {"submitted_on": "2019-03-29"})
    assert response.status_code == 302 and "/logga-in/" in response["Location"]
    assert obligation("2018-financial_report").submitted_on is None


def test_it_rejects_the_wrong_method(coordinator: Any) -> None:
    c = client_for(coordinator)
    o = obligation("2018-financial_report")
    assert c.get(url(o, "submit")).status_code == 405
    assert c.post(CAL_2019).status_code == 405
    assert c.post(url(o)).status_code == 405
    assert c.get(f"/tidsfrister/{AGREEMENT}/2018/rss-datum/").status_code == 405


def test_writes_need_the_csrf_token(coordinator: Any) -> None:
    c = Client(enforce_csrf_checks=True)
    c.force_login(coordinator)
    o = obligation("2018-financial_report")
    assert c.post(url(o, "submit"), {"submitted_on": "2019-03-29"}).status_code == 403
    assert obligation("2018-financial_report").submitted_on is None


# --- the calendar ----------------------------------------------------------------------------------


def test_the_calendar_groups_by_month_with_both_dates_and_badges(coordinator: Any) -> None:
    always_kept()  # the records were always kept: the 2018 report is overdue, at risk of reclaim
    html = client_for(coordinator).get(CAL_2019).content.decode()
    assert "Ekonomisk redovisning för 2018, intygad av ekonomichefen" in html
    assert '<time datetime="2019-04-01">2019-04-01</time>' in html
    assert 'enligt handlingen <time datetime="2019-03-31">2019-03-31</time> (söndag)' in html
    assert "April 2019" in html and "December 2019" in html and "Ej fastställt datum" in html
    assert "risk för återkrav" in html and "överfört" in html
    assert "Ur handlingen" in html and "senast den 31 mars 2019" in html
    assert html.index("April 2019") < html.index("December 2019") < html.index("Ej fastställt datum")


def test_the_calendar_filters_by_kind_owner_and_county(coordinator: Any) -> None:
    c = client_for(coordinator)
    html = c.get(CAL_2019, {"kind": "requisition", "county": "12"}).content.decode()
    assert obligation("2019-requisition-rss-12").title in html
    assert obligation("2019-requisition-rss-25").title not in html
    assert "Ekonomisk redovisning för 2018" not in html
    assert "1 rad" in html
    certifier_view = c.get(CAL_2019, {"owner": "certifier"}).content.decode()
    assert (
        "Ekonomisk redovisning för 2018" in certifier_view
        and "Förslag till projektplan" not in certifier_view
    )
    bad = c.get(CAL_2019, {"kind": "planet"})
    assert bad.status_code == 200 and "Välj ett giltigt alternativ" in bad.content.decode()


def test_the_calendar_shows_forms_only_to_those_allowed_and_otherwise_why(
    coordinator: Any, rss_skane: Any
) -> None:
    fin = obligation("2018-financial_report")
    coord_html = client_for(coordinator).get(CAL_2019).content.decode()
    # The rows are compact: the forms are on the obligation's own page, one link away.
    assert 'action="/tidsfrister/atagande/' not in coord_html
    assert f'href="/tidsfrister/atagande/{fin.pk}/?next=' in coord_html and "Registrera…" in coord_html
    assert "Datum för alla län" in coord_html
    rss_html = client_for(rss_skane).get(CAL_2019, {"county": "12"}).content.decode()
    skane = obligation("2019-requisition-rss-12")
    assert f'href="/tidsfrister/atagande/{skane.pk}/?next=' in rss_html
    assert "Bara den som åtagandet lämnas till" in rss_html
    detail = client_for(rss_skane).get(f"/tidsfrister/atagande/{skane.pk}/").content.decode()
    assert f'action="{url(skane, "submit")}"' in detail
    assert f'action="{url(skane, "waive")}"' not in detail
    assert "Datum för alla län" not in rss_html
    norrbotten = client_for(rss_skane).get(CAL_2019, {"county": "25"}).content.decode()
    assert 'action="/tidsfrister/atagande/' not in norrbotten and "Registrera…" not in norrbotten
    assert "bara för ditt eget län" in norrbotten


def test_unknown_decision_or_year_is_404(coordinator: Any) -> None:
    c = client_for(coordinator)
    assert c.get("/tidsfrister/finns-inte/2019/").status_code == 404
    assert c.get(f"/tidsfrister/{AGREEMENT}/2030/").status_code == 404
    assert c.get("/tidsfrister/atagande/999999/").status_code == 404


def test_the_calendar_has_a_bounded_number_of_queries(
    coordinator: Any, django_assert_max_num_queries: Any
) -> None:
    c = client_for(coordinator)
    c.get(CAL_2019)  # warm up the session
    # 22: the page's own queries (with the pager's count) and the header's unread notifications.
    with django_assert_max_num_queries(22):
        assert c.get(CAL_2019).status_code == 200
    with django_assert_max_num_queries(22):
        assert c.get(f"/tidsfrister/{AGREEMENT}/2018/").status_code == 200


# --- transitions through the web ------------------------------------------------------------------


def test_submit_from_the_calendar_returns_to_it(coordinator: Any) -> None:
    o = obligation("2018-financial_report")
    response = client_for(coordinator).post(
        url(o, "submit"),
        {"submitted_on": "2019-03-29", "receipt_reference": "KAMK 2019/55", "next": CAL_2019},
    )
    assert response.status_code == 302 and response["Location"] == CAL_2019
    o.refresh_from_db()
    assert (o.submitted_on, o.receipt_reference, o.submitted_by) == (
        dt.date(2019, 3, 29),
        "KAMK 2019/55",
        coordinator,
    )
    html = client_for(coordinator).get(url(o)).content.decode()
    assert "Inlämnad i tid" in html and "KAMK 2019/55" in html
    assert "Registrerad som inlämnad" in html  # the change history


def test_an_offsite_next_is_ignored(coordinator: Any) -> None:
    o = obligation("2018-financial_report")
    response = client_for(coordinator).post(
        url(o, "submit"), {"submitted_on": "2019-03-29", "next": "https://example.com/"}
    )
    assert response["Location"] == url(o)


def test_rss_skane_cannot_submit_norrbottens_obligation(rss_skane: Any) -> None:
    o = obligation("2018-requisition-rss-25")
    response = client_for(rss_skane).post(url(o, "submit"), {"submitted_on": "2018-05-01"})
    assert response.status_code == 403
    assert "bara för ditt eget län" in response.content.decode()
    assert obligation("2018-requisition-rss-25").submitted_on is None
    own = client_for(rss_skane).post(
        url(obligation("2018-requisition-rss-12"), "submit"), {"submitted_on": "2018-05-01"}
    )
    assert own.status_code == 302


def test_refused_waive_and_reschedule_are_403_with_the_reason(rss_skane: Any, certifier: Any) -> None:
    o = obligation("2018-requisition-rss-12")
    waive = client_for(rss_skane).post(url(o, "waive"), {"reason": "x"})
    assert waive.status_code == 403
    assert "Bara den som åtagandet lämnas till" in assert_refused(waive)
    edit = client_for(certifier).post(
        url(obligation("2019-requisition"), "edit"), {"nominal_date": "2019-11-01", "reason": "x"}
    )
    assert edit.status_code == 403
    assert "Datum ändras av SKR:s samordnare eller av Regeringskansliet." in assert_refused(edit)
    bulk = client_for(rss_skane).post(
        f"/tidsfrister/{AGREEMENT}/2018/rss-datum/",
        {"kind": "requisition", "nominal_date": "2018-05-15", "reason": "x"},
    )
    assert bulk.status_code == 403
    assert "Datum ändras av SKR:s samordnare eller av Regeringskansliet." in assert_refused(bulk)
    assert obligation("2018-requisition-rss-12").nominal_date is None


def test_invalid_input_is_explained_in_swedish(coordinator: Any) -> None:
    o = obligation("2018-financial_report")
    c = client_for(coordinator)
    response = c.post(url(o, "submit"), {"submitted_on": "igår"})
    assert response.status_code == 400
    assert "Fyll i ett giltigt datum." in response.content.decode()
    future = c.post(url(o, "submit"), {"submitted_on": "2999-01-01"})
    assert future.status_code == 400 and "kan inte ligga i framtiden" in future.content.decode()
    no_reason = c.post(url(o, "waive"), {"reason": ""})
    assert no_reason.status_code == 400 and "Detta fält måste fyllas i." in no_reason.content.decode()


def test_an_illegal_transition_is_explained(coordinator: Any) -> None:
    o = obligation("2018-financial_report")
    c = client_for(coordinator)
    c.post(url(o, "submit"), {"submitted_on": "2019-03-29"})
    again = c.post(url(o, "submit"), {"submitted_on": "2019-03-30"})
    # A refusal by the obligation's state is a form error on the page (400), beside the form.
    assert again.status_code == 400 and "redan registrerat som inlämnat" in again.content.decode()
    assert_refused(again)
    stated = c.post(
        url(obligation("2018-requisition"), "edit"), {"nominal_date": "2018-11-01", "reason": "x"}
    )
    assert stated.status_code == 400 and "står i beslutet" in stated.content.decode()
    assert f'action="{url(obligation("2018-requisition"), "edit")}"' in stated.content.decode()


def test_waive_and_reschedule_through_the_web(coordinator: Any) -> None:
    c = client_for(coordinator)
    h1 = obligation("2018-status_report-h1")
    assert c.post(url(h1, "waive"), {"reason": "Första halvåret: muntlig dragning"}).status_code == 302
    assert obligation("2018-status_report-h1").waived_by == coordinator
    derived = obligation("2019-requisition")
    assert (
        c.post(url(derived, "edit"), {"nominal_date": "2019-11-29", "reason": "Beslut 2019"}).status_code
        == 302
    )
    assert obligation("2019-requisition").effective_date == dt.date(2019, 11, 29)


@pytest.mark.parametrize(
    "next_value", ["foo", "obligations:index", "//evil.example/x", "https://evil.example/", "javascript:x"]
)
def test_a_next_that_is_no_path_on_the_site_leads_to_the_obligation(
    coordinator: Any, next_value: str
) -> None:
    """A `next` planted in a link (the forms carry it from the query string): a bare word was
    tried by `redirect` as a view's name, a 500 after the waiver was saved."""
    h1 = obligation("2018-status_report-h1")
    response = client_for(coordinator).post(url(h1, "waive"), {"reason": "Prov", "next": next_value})
    assert response.status_code == 302
    assert response["Location"] == f"/tidsfrister/atagande/{h1.pk}/"
    kept = client_for(coordinator).post(
        url(obligation("2018-status_report-h2"), "waive"), {"reason": "Prov", "next": "/tidsfrister/"}
    )
    assert kept.status_code == 302 and kept["Location"] == "/tidsfrister/"


def test_one_date_for_all_counties_from_the_calendar(coordinator: Any) -> None:
    response = client_for(coordinator).post(
        f"/tidsfrister/{AGREEMENT}/2018/rss-datum/",
        {"kind": "requisition", "nominal_date": "2018-05-15", "reason": "SKR:s instruktioner"},
    )
    assert response.status_code == 302
    dates = set(
        Obligation.objects.filter(
            decision__slug=AGREEMENT, year=2018, kind="requisition", tier="rss"
        ).values_list("effective_date", flat=True)
    )
    assert dates == {dt.date(2018, 5, 15)}


# --- Att göra ------------------------------------------------------------------------------------


def test_the_start_page_shows_att_gora_for_the_users_roles(
    rss_skane: Any, coordinator: Any, client: Client
) -> None:
    skane = obligation("2019-requisition-rss-12")
    skane.nominal_date = dt.date.today() + dt.timedelta(days=10)
    skane.save()
    norrbotten = obligation("2019-requisition-rss-25")
    norrbotten.nominal_date = skane.nominal_date
    norrbotten.save()
    html = client_for(rss_skane).get("/").content.decode()
    assert "Att göra" in html and skane.title in html and norrbotten.title not in html
    assert "Ekonomisk redovisning för 2018" not in html
    coord = client_for(coordinator).get("/").content.decode()
    assert "Ekonomisk redovisning för 2018" in coord and "försenade" in coord
    assert skane.title in coord and "ska lämnas till er" in coord
    assert "Att göra" not in client.get("/").content.decode()


# --- the personal feed ---------------------------------------------------------------------------


def test_create_use_and_revoke_a_feed(certifier: Any, client: Client) -> None:
    c = client_for(certifier)
    assert "Du har inget aktivt kalenderflöde" in c.get("/tidsfrister/kalenderflode/").content.decode()
    assert c.post("/tidsfrister/kalenderflode/ny/").status_code == 302
    feed = CalendarFeed.objects.get(user=certifier, revoked_at__isnull=True)
    page = c.get("/tidsfrister/kalenderflode/").content.decode()
    assert f"/tidsfrister/feed/{feed.token}.ics" in page
    response = client.get(f"/tidsfrister/feed/{feed.token}.ics")  # no login: the token is the key
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    summaries = {str(e["summary"]): e for e in calendar.walk("VEVENT")}
    assert set(summaries) == {
        "Ekonomisk redovisning för 2018, intygad av ekonomichefen",
        "Ekonomisk redovisning för 2019, intygad av ekonomichefen",
        "Ekonomisk redovisning för 2020, intygad av ekonomichefen",
    }
    assert summaries["Ekonomisk redovisning för 2018, intygad av ekonomichefen"].decoded(
        "dtstart"
    ) == dt.date(2019, 4, 1)
    # A new address replaces the old one.
    c.post("/tidsfrister/kalenderflode/ny/")
    assert client.get(f"/tidsfrister/feed/{feed.token}.ics").status_code == 404
    current = CalendarFeed.objects.get(user=certifier, revoked_at__isnull=True)
    assert client.get(f"/tidsfrister/feed/{current.token}.ics").status_code == 200
    c.post("/tidsfrister/kalenderflode/aterkalla/")
    assert client.get(f"/tidsfrister/feed/{current.token}.ics").status_code == 404
    assert client.get("/tidsfrister/feed/finns-inte.ics").status_code == 404


def test_feed_writes_are_post_only_and_need_login(client: Client, certifier: Any) -> None:
    assert client.post("/tidsfrister/kalenderflode/ny/").status_code == 302
    assert not CalendarFeed.objects.exists()
    assert client_for(certifier).get("/tidsfrister/kalenderflode/ny/").status_code == 405


def test_english_is_available(coordinator: Any) -> None:
    c = client_for(coordinator)
    c.post(reverse("set_language"), {"language": "en", "next": "/"})
    always_kept()
    html = c.get(CAL_2019).content.decode()
    assert '<html lang="en">' in html
    assert "Last day" in html and "Owed by" in html and "reclaim risk" in html
    assert 'according to the document <time datetime="2019-03-31">2019-03-31</time> (Sunday)' in html


def test_the_old_address_leads_to_the_new_one(client: Client) -> None:
    """The pages moved from /deadlines/ to /tidsfrister/: bookmarks and subscribed calendar
    feeds follow a permanent redirect, path and query kept."""
    response = client.get("/deadlines/feed/abc.ics?x=1")
    assert response.status_code == 301
    assert response["Location"] == "/tidsfrister/feed/abc.ics?x=1"
    assert client.get("/deadlines/").headers["Location"] == "/tidsfrister/"
