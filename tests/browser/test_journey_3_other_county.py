"""Journey 3 (issue 11): the Skåne RSS leader tries to edit Norrbotten's plan and sees the reason.

A county's part of the plan is its implementation plan (genomförandeplan) and its activities. The
Skåne leader goes from the 21 RSS to Norrbotten's activities of 2018, opens the one carried out in
Norrbotten, is told why they may not change it (no form is offered), sends a change anyway (an old
tab, the developer tools) and gets the site's refusal page with the policy's reason; the API gives
the same reason; nothing is changed. That activity is run by SKR for Norrbotten (the documents name
no activity that Norrbotten's RSS runs itself in 2018), so the journey first does the same with an
activity that another county's RSS runs (Jönköping's), which is refused for its county alone.

Then Norrbotten's implementation plan, of 2018 (made, per the documents) and of 2019 (not yet made,
so a post would create it): the page says "Du kan bara ändra ditt eget läns genomförandeplan." and
offers no form; a post to the plan or to its new-activity address, and the API, are refused with
that reason; nothing changes. The journey writes nothing.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from playwright.sync_api import Page, expect

from .pages import (
    REASON_OTHER_COUNTY_ACTIVITY,
    REASON_OTHER_COUNTY_PLAN,
    api_call,
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
JONKOPING = "06 Jönköpings län"
# Activity 3.4 of the 2018 plan, carried out in Norrbotten (plans_2018.json: counties ["25"]).
NORRBOTTEN_ACTIVITY = "Ny utlysning av Modellkommuner 2018"
# Run by Jönköping's RSS (plans_2018.json: owner_county "06").
JONKOPING_ACTIVITY = "Jönköpings län: nätverk för chefer i 13 kommuner"


def open_county_in_rss_overview(page: Page, year: int, county: str) -> None:
    """From the menu: Planer och resultat → the year → De 21 RSS → the county's row."""
    menu(page, "Planer och resultat")
    click_link(page, str(year))
    expect_heading(page, f"Plan och aktiviteter {year}")
    click_link(page, "De 21 RSS")
    expect(page.locator("main")).to_contain_text(county)
    click_link(page, county)
    expect(page.locator("main select[name=lan]")).to_have_value(county.split()[0])


def try_activity(page: Page, title: str) -> None:
    """Open one of the county's activities, see the reason instead of the form, try the API, post
    anyway; nothing changes."""
    click_link(page, title)
    expect_heading(page, title)
    main = page.locator("main")
    expect(main.locator("p.note")).to_have_text(REASON_OTHER_COUNTY_ACTIVITY)
    expect(main.get_by_text("Ändra aktiviteten")).to_have_count(0)
    expect(main.get_by_role("button", name="Spara")).to_have_count(0)
    before = main.inner_text()
    path = urlsplit(page.url).path
    year, code = path.rstrip("/").split("/")[-3], path.rstrip("/").split("/")[-1]

    status, body = api_call(
        page, "PATCH", f"/api/v1/plans/{DECISION}/{year}/activities/{code}", {"title": "Skåne skrev här"}
    )
    assert status == 403, (status, body)
    assert body["detail"] == REASON_OTHER_COUNTY_ACTIVITY, body

    post_anyway(page, path, {"form": "activity", "title": "Skåne skrev här"})
    expect_heading(page, "Du har inte behörighet")
    expect_refusal(page, REASON_OTHER_COUNTY_ACTIVITY)

    # Nothing changed (title, facts, change history).
    _nothing_changed(page, path, before)


def _nothing_changed(page: Page, path: str, before: str) -> None:
    """The page reads as before, seen in a second tab (the refusal page stays the journey's last)."""
    tab = page.context.new_page()
    goto(tab, path)
    assert tab.locator("main").inner_text() == before
    tab.close()


def try_county_plan(page: Page, year: int) -> None:
    """Norrbotten's implementation plan (genomförandeplan) of `year`, opened from the 21 RSS: read
    only for Skåne, with the reason and no form; a change posted anyway (the plan's own page, its
    new-activity address) and the API are refused with the same reason; nothing changes."""
    goto(page, f"/rss/{DECISION}/{year}/")
    click_link(page, "Genomförandeplan", within=page.locator("main tr", has_text=NORRBOTTEN))
    expect_heading(page, f"Genomförandeplan {year}: Norrbottens län")
    main = page.locator("main")
    expect(main.locator("p.note.reason")).to_contain_text(REASON_OTHER_COUNTY_PLAN)
    expect(main.locator("form[method=post]")).to_have_count(0)
    for button in ("Spara planen", "Skapa genomförandeplanen", "Lägg till aktiviteten"):
        expect(main.get_by_role("button", name=button)).to_have_count(0)
    path = urlsplit(page.url).path
    before = main.inner_text()

    method = "PATCH" if "Ingen genomförandeplan" not in before else "POST"
    status, body = api_call(
        page, method, f"/api/v1/plans/{DECISION}/{year}/counties/25", {"summary": "Skåne skrev här"}
    )
    assert status == 403, (status, body)
    assert body["detail"] == REASON_OTHER_COUNTY_PLAN, body

    post_anyway(
        page, f"{path}ny-aktivitet/", {"title": "Skåne skrev här", "goal_area": "3", "sub_project": "2"}
    )
    expect_refusal(page, REASON_OTHER_COUNTY_PLAN)
    post_anyway(page, path, {"summary": "Skåne skrev här", "status": "draft"})
    expect_heading(page, "Du har inte behörighet")
    expect_refusal(page, REASON_OTHER_COUNTY_PLAN)
    _nothing_changed(page, path, before)


def test_journey_3_skane_tries_to_edit_norrbotten(page: Page) -> None:
    login(page, "rss-skane")
    open_county_in_rss_overview(page, 2018, JONKOPING)
    try_activity(page, JONKOPING_ACTIVITY)
    open_county_in_rss_overview(page, 2018, NORRBOTTEN)
    try_activity(page, NORRBOTTEN_ACTIVITY)
    expect_refusal(page, REASON_OTHER_COUNTY_ACTIVITY)
    # Norrbotten's implementation plan: 2018's (the documents say it is "Framtagen") and 2019's
    # (none yet: a post would create it).
    try_county_plan(page, 2018)
    try_county_plan(page, 2019)
    expect_refusal(page, REASON_OTHER_COUNTY_PLAN)
