"""Smoke journeys: the site answers in a real browser, anonymously and signed in."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from .pages import check_a11y, click_link, expect_heading, goto, login, menu

PROGRAMME = "Stärkt jämställdhets- och kvinnofridsarbete på lokal och regional nivå"


def test_smoke_anonymous_start_to_programme(page: Page) -> None:
    """An anonymous visitor opens the start page and follows a programme to its page."""
    goto(page, "/")
    expect_heading(page, "Satsningar för jämställdhet och kvinnofrid")
    expect(page.locator("header").get_by_role("link", name="Logga in", exact=True)).to_be_visible()

    click_link(page, PROGRAMME)
    expect_heading(page, PROGRAMME)
    expect(page).to_have_url("/satsningar/starkt-jamstalldhet-kvinnofrid-2018-2020/")
    expect(page.locator("main")).to_contain_text("2018")


def test_smoke_coordinator_sees_deadlines(page: Page) -> None:
    """The coordinator signs in and opens the deadlines from the main menu."""
    login(page, "samordnare")
    menu(page, "Tidsfrister")
    expect_heading(page, "Tidsfrister")
    expect(page.locator("main")).to_contain_text("Kalender per beslut och år")


def test_smoke_api_docs_run_under_the_content_security_policy(page: Page) -> None:
    """The API docs (Swagger UI from our own static files) render under the site's CSP, which has no
    'unsafe-inline': a refused inline script or style fails the journey (conftest.page)."""
    goto(page, "/api/v1/docs")
    expect(page.locator(".swagger-ui .title")).to_contain_text("JämKoll API")
    expect(page.locator(".opblock").first).to_be_visible()
    check_a11y(page)  # the rendered documentation (axe also ran on the page before Swagger UI drew it)
