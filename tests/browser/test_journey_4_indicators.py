"""Journey 4 (issue 14): the indicator explorer.

An anonymous visitor follows "Nyckeltal" in the menu, opens the generated demonstration indicator
(labelled as such), picks a year and a level, sees the table and the charts, sees that a
municipality with small counts is hidden, picks a municipality for the trend and downloads the table
as CSV. Then the analyst signs in, sees the same municipality's values (not hidden for a role) and
opens the import page; a three-row CSV is imported
and its progress page reaches "Klar".

The live site's database gets the indicator from `indicator_seed` (one generated indicator,
2015–2024, every municipality, region, county and the nation); the journey writes one import run.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from .indicator_seed import CODE, TITLE, load_into
from .live import LiveSite
from .pages import check_a11y, click_button, click_link, expect_heading, goto, login, menu

GENERATED = "Genererade exempeldata – inte verklig statistik"


@pytest.fixture(scope="module")
def indicator_site(live_site: LiveSite) -> Iterator[LiveSite]:
    load_into(live_site.env())
    yield live_site


def test_journey_4_indicator_explorer(page: Page, indicator_site: LiveSite, tmp_path: Path) -> None:
    # --- Anonymous: the menu, the catalogue, the indicator
    goto(page, "/")
    menu(page, "Nyckeltal")
    expect_heading(page, "Nyckeltal uppdelade på kön")
    click_link(page, TITLE)
    expect_heading(page, TITLE)
    expect(page.locator("main .generated-banner")).to_contain_text(GENERATED)

    # A year and a level.
    page.select_option("#id_ar", "2023")
    page.select_option("#id_niva", "region")
    click_button(page, "Visa")
    expect(page.locator("main h2#tabell")).to_contain_text("regioner 2023")
    rows = page.locator("main table.indicator-table tbody tr")
    expect(rows).to_have_count(21)
    gap = page.locator("svg#gap-chart")
    expect(gap).to_be_visible()
    expect(gap).to_have_attribute("role", "img")
    expect(page.locator("svg#gap-chart title").first).to_contain_text(GENERATED)
    expect(page.locator("svg#trend-chart")).to_be_visible()
    expect(page.locator("svg#scatter-chart")).to_be_visible()

    # Municipalities, all 290 on one page, sorted by the gap; Kiruna's small counts are hidden.
    page.select_option("#id_ar", "2024")
    page.select_option("#id_niva", "kommun")
    click_button(page, "Visa")
    click_link(page, "Visa alla 290")
    expect(rows).to_have_count(290)
    with page.expect_navigation():
        page.locator("main table.indicator-table thead").get_by_role("link", name="Skillnad K−M").click()
    expect(page.locator("main table.indicator-table thead th[aria-sort=ascending]")).to_contain_text(
        "Skillnad"
    )
    kiruna = page.locator("main table.indicator-table tbody tr", has_text="Kiruna")
    expect(kiruna).to_contain_text("dolt")
    expect(page.locator("main .suppression-note")).to_be_visible()
    check_a11y(page)

    # A municipality's trend: follow its name in the table.
    with page.expect_navigation():
        page.locator("main table.indicator-table tbody").get_by_role("link", name="Malmö", exact=True).click()
    expect(page.locator("main h3#tidsserie")).to_contain_text("Malmö")
    expect(page.locator("#id_org")).to_have_value("1280")
    check_a11y(page)
    trend_rows = page.locator("main #tidsserie + .split table tbody tr")
    expect(trend_rows).to_have_count(10)

    # The table as CSV, with the label and Kiruna hidden.
    with page.expect_download() as info:
        page.locator("main .downloads").get_by_role("link", name="CSV").click()
    saved = tmp_path / "tabell.csv"
    info.value.save_as(saved)
    text = saved.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0] == GENERATED
    kiruna_line = next(line for line in text.splitlines() if line.startswith("2584,"))
    assert kiruna_line.endswith(",ja"), kiruna_line

    # A county's page: Norrbotten's municipalities beside the county and the nation.
    goto(page, f"/nyckeltal/{CODE}/lan/25/?ar=2024")
    expect_heading(page, "Norrbottens län")
    expect(rows).to_have_count(14)

    # --- The analyst: values behind small counts, and the import page
    login(page, "analytiker")
    goto(page, f"/nyckeltal/{CODE}/?ar=2024&niva=kommun&visa=alla")
    expect(page.locator("main table.indicator-table tbody tr", has_text="Kiruna")).not_to_contain_text("dolt")
    expect(page.locator("main .suppression-note")).to_have_count(0)
    menu(page, "Nyckeltal")
    click_link(page, "Importera nyckeltal")
    expect_heading(page, "Importera nyckeltal")
    expect(page.locator("#id_file")).to_be_visible()
    expect(page.locator("#id_format")).to_be_visible()

    upload = tmp_path / "nyckeltal.csv"
    upload.write_text(
        "kpi,organisation,period,gender,value\n"
        f"{CODE},1280,2025,K,61.5\n{CODE},1280,2025,M,55.25\n{CODE},1280,2025,T,58.4\n",
        encoding="utf-8",
    )
    page.set_input_files("#id_file", str(upload))
    page.select_option("#id_format", "csv")
    click_button(page, "Importera")
    expect_heading(page, "Import av nyckeltal")
    expect(page.locator("main .import-progress")).to_contain_text("Importen är klar.", timeout=60_000)
