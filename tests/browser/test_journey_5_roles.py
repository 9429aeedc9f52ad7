"""Journey 5 (issue 15): one journey per role, with axe-core on every page.

Each role signs in and walks the pages it works on: the start page, the programme, the plan of 2018,
the deadlines, the ledger, the reports and the key figures, then its own pages (the RSS leader's
county plan, the ministry's plan under consultation, the treasury's ledger, the analyst's import,
the admin's user administration). Every stop checks the page's heading and something the seed puts
there (a figure, a county, an activity); `goto` runs axe-core on it (pages.check_a11y: a critical or
serious WCAG 2.1 AA violation fails the journey). The public visitor does the same without signing
in, on a phone-sized screen (390 px: tables scroll sideways there). Each journey's last page is kept
as test-artefacts/browser/journey_5_<role>.png (conftest.page).

The journeys only read. To extend one, add a `Stop` to its list: a path, the heading, what it shows.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from playwright.sync_api import Page, expect

from .pages import check_a11y, click_link, expect_heading, goto, login

DECISION = "jamstalldhet-kvinnofrid-2018-2020"
PROGRAMME = "Stärkt jämställdhets- och kvinnofridsarbete på lokal och regional nivå"
PROGRAMME_SLUG = "starkt-jamstalldhet-kvinnofrid-2018-2020"


@dataclass(frozen=True)
class Stop:
    """A page of a journey: its path, its heading (part of the `<main>`'s first `<h1>`), texts it
    shows, and a selector of rows it must have at least one of."""

    path: str
    heading: str
    shows: tuple[str, ...] = ()
    rows: str | None = None


START = Stop("/", "Satsningar för jämställdhet och kvinnofrid", (PROGRAMME,))
# Signed in: the start page of the user's own work, with the programmes below it.
MY_START = Stop("/", "Min startsida", ("Det du gjorde senast", PROGRAMME))
PROGRAMME_PAGE = Stop(f"/satsningar/{PROGRAMME_SLUG}/", PROGRAMME, ("2018", "2020"))
PLAN_2018 = Stop(
    f"/planer/{DECISION}/2018/", "Plan och aktiviteter 2018", ("Ny utlysning av Modellkommuner 2018",)
)
DEADLINES_2018 = Stop(
    f"/tidsfrister/{DECISION}/2018/", "Tidsfrister 2018", rows="main table.deadlines tbody tr"
)
# The agreement's budget for 2018 and Skåne's share (seed 002).
LEDGER_2018 = Stop(
    f"/medel/{DECISION}/2018/", "Medelsflöde 2018", ("20 000 000 kr", "12 Skåne län", "600 000 kr")
)
REPORTS = Stop("/rapporter/", "Rapporter och redovisningar", ("Arkiv",))
INDICATORS = Stop("/nyckeltal/", "Nyckeltal uppdelade på kön")

# What every signed-in role works on.
COMMON = (MY_START, PROGRAMME_PAGE, PLAN_2018, DEADLINES_2018, LEDGER_2018, REPORTS, INDICATORS)


def tour(page: Page, stops: Sequence[Stop]) -> None:
    """Open each stop (`goto` checks the status and runs axe) and check what it shows."""
    main = page.locator("main")
    for stop in stops:
        goto(page, stop.path)
        expect_heading(page, stop.heading)
        for text in stop.shows:
            expect(main).to_contain_text(text)
        if stop.rows:
            expect(page.locator(stop.rows).first).to_be_visible()


def role_journey(page: Page, username: str, own: Sequence[Stop]) -> None:
    """Sign in as a demo user, walk the common pages and then the role's own (the last is the
    journey's screenshot)."""
    login(page, username)
    tour(page, [*COMMON, *own])


def test_journey_5_coordinator(page: Page) -> None:
    role_journey(
        page,
        "samordnare",
        [
            Stop(
                f"/beslut/{DECISION}/",
                "Beslut:",
                ("Beslutets åtaganden", "Förslag till projektplan för 2018"),
            ),
            Stop(f"/planer/{DECISION}/halvarsrapporter/", "Styrgruppens halvårsrapporter"),
            Stop("/aviseringar/", "Aviseringar"),
            Stop("/konto/api-nycklar/", "API-nycklar"),
            Stop("/beslut/ny/", "Registrera ett nytt beslut"),
        ],
    )


def test_journey_5_certifier(page: Page) -> None:
    role_journey(
        page,
        "ekonomichef",
        [Stop(f"/medel/{DECISION}/2019/", "Medelsflöde 2019", ("20 000 000 kr",)), REPORTS],
    )


def test_journey_5_signatory(page: Page) -> None:
    role_journey(
        page,
        "firmatecknare",
        [
            Stop(f"/tidsfrister/{DECISION}/2019/", "Tidsfrister 2019", rows="main table.deadlines tbody tr"),
            REPORTS,
        ],
    )


def test_journey_5_rss_leader(page: Page) -> None:
    role_journey(
        page,
        "rss-skane",
        [
            Stop(
                f"/rss/{DECISION}/2018/",
                "De regionala stöd- och samverkansstrukturerna 2018",
                ("12 Skåne län",),
            ),
            Stop(f"/planer/{DECISION}/2019/lan/12/", "Genomförandeplan 2019: Skåne län"),
            Stop(f"/planer/{DECISION}/2018/lan/12/", "Genomförandeplan 2018: Skåne län"),
        ],
    )


def test_journey_5_ministry_officer(page: Page) -> None:
    role_journey(
        page,
        "departement",
        [
            Stop(f"/planer/{DECISION}/halvarsrapporter/", "Styrgruppens halvårsrapporter"),
            Stop(f"/planer/{DECISION}/2019/", "Plan och aktiviteter 2019"),
        ],
    )


def test_journey_5_treasury_officer(page: Page) -> None:
    role_journey(
        page,
        "kammarkollegiet",
        [
            Stop("/medel/", "Medelsflöde", (PROGRAMME,)),
            Stop(f"/medel/{DECISION}/2019/", "Medelsflöde 2019", ("20 000 000 kr", "12 Skåne län")),
        ],
    )


def test_journey_5_analyst(page: Page) -> None:
    role_journey(page, "analytiker", [Stop("/nyckeltal/import/", "Importera nyckeltal"), INDICATORS])


def test_journey_5_admin(page: Page) -> None:
    """The admin's user administration (Django's admin at /forvaltning/): the list of users and one
    user's page with their roles."""
    role_journey(
        page,
        "admin",
        [
            Stop("/forvaltning/", "Administration", ("Användare", "Roller")),
            Stop("/forvaltning/auth/user/", "Välj användare att ändra", ("samordnare", "kammarkollegiet")),
        ],
    )
    click_link(page, "samordnare")
    expect_heading(page, "Ändra användare")
    expect(page.locator("main #id_username")).to_have_value("samordnare")
    expect(page.locator("main #id_first_name")).to_have_value("SKR:s programhandläggare")


def test_journey_5_public_visitor(page: Page) -> None:
    """Anonymous, on a phone (390 px): what is public today, the API's documentation and the pages
    behind the login, which ask for it."""
    page.set_viewport_size({"width": 390, "height": 844})
    goto(page, "/api/v1/docs")
    expect(page.locator(".swagger-ui .title")).to_contain_text("JämKoll API")
    expect(page.locator(".opblock").first).to_be_visible()
    check_a11y(page)  # the rendered documentation
    goto(page, f"/medel/{DECISION}/2018/")
    expect_heading(page, "Logga in")
    tour(
        page,
        [
            Stop("/historik/", "Satsningar sedan 2008"),
            INDICATORS,
            Stop(f"/beslut/{DECISION}/handlingar/", "Överenskommelse", ("SKL:s cirkulär 2018-01-26",)),
            Stop(
                f"/medel-och-redovisningar/{DECISION}/2019/", "Medel och redovisningar 2019", ("Skåne län",)
            ),
            START,
            PROGRAMME_PAGE,
        ],
    )
    expect(page.locator("header").get_by_role("link", name="Logga in", exact=True)).to_be_visible()
    # At 390 px the programme's tables scroll sideways: each is a named region in the tab order.
    region = page.locator("main .table-wrap[role=region]").first
    expect(region).to_have_attribute("tabindex", "0")
    expect(region).to_have_attribute("aria-label", re.compile(r"\w"))


def test_journey_5_public_questions(page: Page) -> None:
    """The visitor's two questions, from the start page in two clicks each, without signing in:
    how much Skåne's RSS got (and used) in 2018 — 600 000 kr allocated (seed 002), no entry for what
    it used ("uppgift saknas", never 0 kr) — and whether the 2018 financial report came in on time:
    due 31 March 2019, a Sunday, so Monday 2019-04-01 (seed 001 §8; lag 1930:173)."""
    year_link = f'main a[href="/medel-och-redovisningar/{DECISION}/2018/"]'
    goto(page, "/")
    with page.expect_navigation():
        page.locator(year_link).first.click()
    check_a11y(page)
    expect_heading(page, "Medel och redovisningar 2018")
    click_link(page, "Skåne län")
    expect_heading(page, "Skåne län: RSS-medel 2018")
    main = page.locator("main")
    expect(main).to_contain_text("600 000 kr")
    expect(main).to_contain_text("uppgift saknas")
    goto(page, "/")
    with page.expect_navigation():
        page.locator(year_link).first.click()
    check_a11y(page)
    click_link(page, "Ekonomisk redovisning för 2018, intygad av ekonomichefen")
    expect_heading(page, "Ekonomisk redovisning för 2018")
    expect(main).to_contain_text("2019-04-01")
