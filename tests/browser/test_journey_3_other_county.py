"""Journey 3 (issue 11): the Skåne RSS leader tries to edit Norrbotten's plan and sees the reason.

Today the county's part of a plan is its activities: the Skåne leader goes from the 21 RSS to
Norrbotten's activities of 2018, opens one, is told why they may not change it (no form is offered),
sends a change anyway (an old tab, the developer tools) and gets the site's refusal page with the
policy's reason; nothing is changed.

When county plans (genomförandeplaner) can be edited in the web, complete `try_county_plan` (the
same steps on Norrbotten's implementation plan page), call it from the journey and drop the skipped
test at the end.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from .pages import (
    REASON_OTHER_COUNTY_ACTIVITY,
    click_link,
    expect_heading,
    expect_refusal,
    goto,
    login,
    menu,
    post_anyway,
)

DECISION = "jamstalldhet-kvinnofrid-2018-2020"
NORRBOTTEN = "25 Norrbottens län"
# Activity 3.4 of the 2018 plan, carried out in Norrbotten (plans_2018.json: counties ["25"]).
NORRBOTTEN_ACTIVITY = "Ny utlysning av Modellkommuner 2018"


def open_norrbotten_in_rss_overview(page: Page, year: int) -> None:
    """From the menu: Planer och resultat → the year → De 21 RSS → Norrbotten's row."""
    menu(page, "Planer och resultat")
    click_link(page, str(year))
    expect_heading(page, f"Plan och aktiviteter {year}")
    click_link(page, "De 21 RSS")
    expect(page.locator("main")).to_contain_text(NORRBOTTEN)
    click_link(page, NORRBOTTEN)
    expect(page.locator("main select[name=lan]")).to_have_value("25")


def try_activity(page: Page, title: str) -> None:
    """Open one of the county's activities, see the reason instead of the form, post anyway."""
    click_link(page, title)
    expect_heading(page, title)
    main = page.locator("main")
    expect(main.locator("p.note")).to_have_text(REASON_OTHER_COUNTY_ACTIVITY)
    expect(main.get_by_text("Ändra aktiviteten")).to_have_count(0)
    expect(main.get_by_role("button", name="Spara")).to_have_count(0)
    before = main.inner_text()
    activity_path = urlsplit(page.url).path

    post_anyway(page, activity_path, {"form": "activity", "title": "Skåne skrev här"})
    expect_heading(page, "Du har inte behörighet")
    expect_refusal(page, REASON_OTHER_COUNTY_ACTIVITY)

    # Nothing changed (title, facts, change history), seen in a second tab: the refusal page with
    # its reason stays the journey's last page.
    tab = page.context.new_page()
    goto(tab, activity_path)
    assert tab.locator("main").inner_text() == before
    tab.close()


def try_county_plan(page: Page, year: int) -> None:
    """Norrbotten's implementation plan: read-only for Skåne, with the reason; a post is refused."""
    goto(page, f"/rss/{DECISION}/{year}/")
    row = page.locator("main tr", has_text=NORRBOTTEN)
    click_link(page, "Genomförandeplan", within=row, exact=False)  # confirm: the county plan's link
    expect_heading(page, "Norrbotten")  # confirm
    main = page.locator("main")
    expect(main.get_by_role("button", name="Spara")).to_have_count(0)
    expect(main.locator("p.note")).to_contain_text("ditt eget län")  # confirm: the county-plan rule's reason
    post_anyway(page, urlsplit(page.url).path, {"summary": "Skåne skrev här"})  # confirm the field
    expect_refusal(page, "ditt eget län")


def test_journey_3_skane_tries_to_edit_norrbotten(page: Page) -> None:
    login(page, "rss-skane")
    open_norrbotten_in_rss_overview(page, 2018)
    try_activity(page, NORRBOTTEN_ACTIVITY)
    expect_refusal(page, REASON_OTHER_COUNTY_ACTIVITY)


@pytest.mark.skip(reason="waits for county plans (genomförandeplaner) edited in the web (issue 11)")
def test_journey_3_skane_tries_to_edit_norrbottens_county_plan(page: Page) -> None:
    login(page, "rss-skane")
    try_county_plan(page, 2019)
