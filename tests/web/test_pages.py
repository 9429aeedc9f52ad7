from typing import Any

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from jamkoll.programmes.models import Budget
from tests.conftest import client_for

pytestmark = pytest.mark.django_db
PROGRAMME = "/satsningar/starkt-jamstalldhet-kvinnofrid-2018-2020/"


def test_start_page_lists_the_programmes(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="sv">' in html
    assert "Stärkt jämställdhets- och kvinnofridsarbete på lokal och regional nivå" in html
    assert "Utökat jämställdhetsarbete med fokus på hedersrelaterat våld och förtryck" in html


def test_programme_page_shows_parties_goals_budget_and_counties(client: Client) -> None:
    html = client.get(PROGRAMME).content.decode()
    for text in [
        "Pernilla Baralt",
        "Vesna Jovic",
        "2018-01-22",
        "17/05981",
        "anslag 3:1",
        "Målområden",
        "Jämställd hälsa",
        "Effektivare brottsbekämpning.",
        "2,5\u00a0mnkr",
        "6\u00a0mnkr",
        "9\u00a0mnkr",
        "Norrbottens län",
        "600\u00a0000\u00a0kr",
    ]:
        assert text in html, text
    assert html.count("<tr><td>") >= 21
    assert "<svg" in html and "RSS-medel per län 2018" in html


def test_programme_page_shows_undecided_lines_for_2019(client: Client) -> None:
    html = client.get(PROGRAMME, {"ar": "2019"}).content.decode()
    assert "ej beslutat" in html
    assert "Fördelning av medel 2019" in html


def test_programme_page_has_a_bounded_number_of_queries(
    client: Client, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(60):
        assert client.get(PROGRAMME).status_code == 200


def test_unknown_programme_is_404(client: Client) -> None:
    assert client.get("/satsningar/finns-inte/").status_code == 404


def test_history_page_lists_programmes_since_2008(client: Client) -> None:
    html = client.get(reverse("web:history")).content.decode()
    for title in [
        "Program för hållbar jämställdhet",
        "Modellkommuner",
        "Maskulinitet och jämställdhet",
        "Stärkt jämställdhets- och kvinnofridsarbete",
        "Män och jämställdhet",
    ]:
        assert title in html
    assert "18\u00a0000\u00a0000\u00a0kr" in html
    assert html.index("Program för hållbar jämställdhet") < html.index("Modellkommuner")


def test_change_history_is_shown_to_users_with_a_role(client: Client, coordinator: Any, no_role: Any) -> None:
    # Issue 12: the names in the history are not for the public, nor for an account without a role.
    for html in (client.get(PROGRAMME).content.decode(), client_for(no_role).get(PROGRAMME).content.decode()):
        assert "Ändringshistoriken visas för användare med en roll i satsningen." in html
    budget = Budget.objects.get(decision__slug="jamstalldhet-kvinnofrid-2018-2020", year=2018)
    budget.note = "Test av historik"
    budget.save()
    html = client_for(coordinator).get(PROGRAMME).content.decode()
    assert "Ändringshistorik" in html and "Skapade – " in html and "Ändrade – " in html


def test_login_and_logout(client: Client, coordinator: Any) -> None:
    response = client.post(
        reverse("login"), {"username": "anna-samordnare", "password": "pw-anna-samordnare"}
    )
    assert response.status_code == 302
    html = client.get("/").content.decode()
    assert "anna-samordnare" in html and "Samordnare (förbundet)" in html
    assert client.post(reverse("logout")).status_code == 302
    assert "Logga in" in client.get("/").content.decode()


def test_wrong_password_gets_a_clear_message(client: Client, coordinator: Any) -> None:
    response = client.post(reverse("login"), {"username": "anna-samordnare", "password": "fel"})
    assert "Användarnamnet eller lösenordet är fel" in response.content.decode()


def test_language_can_be_switched_to_english(client: Client) -> None:
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html
    assert "Log in" in html


def test_pages_reject_the_wrong_method(client: Client) -> None:
    """A form sent to a page that takes none is told that nothing was saved, not that the
    address "takes a form" (the text for a form's address opened as a page)."""
    assert client.post("/").status_code == 405
    response = client.post(PROGRAMME)
    assert response.status_code == 405
    page = response.content.decode()
    assert "inget har sparats" in page and "använd knappen" not in page


def test_a_forms_address_opened_as_a_page_says_what_to_do(coordinator: Any) -> None:
    """`require_POST` answers an empty 405; the site's page says the address takes a form, in
    Swedish with the layout, and keeps the Allow header. The API keeps its own answer."""
    client = client_for(coordinator)
    response = client.get("/aviseringar/alla-lasta/")
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert response["X-Frame-Options"] == "DENY"
    page = response.content.decode()
    assert "Adressen kan inte öppnas så här" in page and "använd knappen" in page
    assert 'href="/"' in page  # a way back to the start page
    api = client.get("/api/v1/notifications/read")
    assert api.status_code == 405 and "Adressen kan inte" not in api.content.decode()


def test_signing_out_opened_as_a_page_offers_the_button(coordinator: Any) -> None:
    client = client_for(coordinator)
    page = client.get("/logga-ut/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "anna-samordnare" in html and 'method="post"' in html
    assert client.get("/aviseringar/").status_code == 200  # opening the page signs no one out
    assert "Avbryt" in html
    signed_out = client.post("/logga-ut/", follow=True)
    assert signed_out.status_code == 200 and "Du är utloggad." in signed_out.content.decode()
    assert client.get("/aviseringar/").status_code == 302  # to the login page


def test_admin_requires_the_admin_role(client: Client, coordinator: Any) -> None:
    assert client.get(reverse("admin:index")).status_code == 302
    assert client_for(coordinator).get(reverse("admin:index")).status_code == 302


def test_admin_has_every_jamkoll_model(admin_user: Any) -> None:
    client = client_for(admin_user)
    for model in apps.get_models():
        if not model.__module__.startswith("jamkoll.") or model.__name__.startswith("Historical"):
            continue
        assert model in admin.site._registry, model
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert client.get(url).status_code == 200, url


def test_admin_object_page_shows_history(admin_user: Any) -> None:
    budget = Budget.objects.get(decision__slug="jamstalldhet-kvinnofrid-2018-2020", year=2018)
    url = reverse("admin:programmes_budget_history", args=[budget.pk])
    assert client_for(admin_user).get(url).status_code == 200


def test_swedish_is_the_default_whatever_the_browser_prefers(client: Client) -> None:
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="sv">' in html and "Logga in" in html


def test_sources_are_cited_by_document_title_not_file_number(client: Client) -> None:
    html = client.get(PROGRAMME).content.decode()
    assert "seed 0" not in html
    assert 'SKL:s cirkulär <span class="nowrap">2018-01-26</span>' in html  # the date kept whole


def test_the_menu_leads_to_deadlines_plans_and_ledgers(coordinator: Any) -> None:
    client = client_for(coordinator)
    html = client.get("/").content.decode()
    for url in ("/tidsfrister/", "/planer/", "/medel/"):
        assert f'href="{url}"' in html
    plans = client.get("/planer/").content.decode()
    assert "/planer/jamstalldhet-kvinnofrid-2018-2020/2019/" in plans
    assert "/medel/jamstalldhet-kvinnofrid-2018-2020/2020/" in client.get("/medel/").content.decode()


def test_the_browsers_favicon_request_finds_the_sites_icon(client: Any) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("jamkoll/favicon.svg")
    assert 'rel="icon"' in client.get("/").content.decode()


def test_the_header_names_an_rss_leaders_county_not_its_code(rss_skane: Any, coordinator: Any) -> None:
    html = client_for(rss_skane).get("/").content.decode()
    assert "Regional utvecklingsledare för kvinnofrid (RSS), Skåne" in html
    assert "(RSS) (12)" not in html
    assert "Samordnare (förbundet)" in client_for(coordinator).get("/").content.decode()
