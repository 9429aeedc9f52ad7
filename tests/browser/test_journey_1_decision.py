"""Journey 1 (issue 11): the coordinator registers a 2022 grant decision with three conditions from
their text and sees the obligations with their effective dates.

From the programme's page ("Registrera ett nytt beslut i satsningen") to the decision form
(`/beslut/ny/`): the essentials of the decision and three conditions quoted from its text. "Granska"
proposes each condition's kind, year and last day from the Swedish text and shows, before anything is
saved, the obligations that follow with their last day under Lag (1930:173); "Spara" registers the
decision and its obligations, and the decision's page and the deadlines of 2022 and 2023 show them.

Test input, not facts: the 2022 decision is not among the documents (seed 004 only announces the
applications for 2022 and 2023). Its conditions are worded as the 2018 agreement words them. The
first falls on a holiday (Monday 6 June 2022, nationaldagen), so its obligation is due the next
working day; the expected effective dates come from the obligations app's own rule, not from this
file. The journey works in 2022–2023 only (journey 2 works in 2019).
"""

from __future__ import annotations

import datetime as dt

from playwright.sync_api import Page, expect

from jamkoll.obligations.deadlines import effective_date

from .pages import check_a11y, click_link, expect_heading, expect_message, fill_form, goto, login

PROGRAMME = "Utökat jämställdhetsarbete med fokus på hedersrelaterat våld och förtryck"
SLUG = "hedersrelaterat-2022"
MONTHS = (
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
)

# (text quoted from the decision, the kind proposed from it, the last day the text states)
CONDITIONS = [
    (
        "Senast den 6 juni 2022 ska SKR till Regeringskansliet (Arbetsmarknadsdepartementet) lämna "
        "ett förslag på projektplan för 2022.",
        "project_plan",
        dt.date(2022, 6, 6),
    ),
    (
        "Medel avseende 2022 får rekvireras från Kammarkollegiet senast den 1 december 2022.",
        "requisition",
        dt.date(2022, 12, 1),
    ),
    (
        "En ekonomisk redovisning som visar hur medlen använts ska lämnas till Kammarkollegiet "
        "senast den 31 mars 2023.",
        "financial_report",
        dt.date(2023, 3, 31),
    ),
]


def _long(day: dt.date) -> str:
    """As the decision page writes a date: "7 juni 2022"."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def test_journey_1_coordinator_registers_2022_decision(page: Page) -> None:
    assert effective_date(dt.date(2022, 6, 6)) == dt.date(2022, 6, 7)  # nationaldagen → Tuesday

    # 1. The coordinator opens the programme that the decision continues.
    login(page, "samordnare")
    goto(page, "/")
    click_link(page, PROGRAMME)
    expect_heading(page, PROGRAMME)
    click_link(page, "Registrera ett nytt beslut i satsningen", exact=False)
    expect_heading(page, "Registrera ett nytt beslut")
    expect(page.locator("#id_programme")).to_have_value("hedersrelaterat-2021-2023")

    # 2. The decision's essentials, and three conditions quoted from its text (kind, year and last
    #    day left blank: they are proposed from the text).
    fill_form(
        page,
        {
            "#id_kind": "Beslut om bidrag",
            "#id_slug": SLUG,
            "#id_title": "Beslut om bidrag till SKR för utökat jämställdhetsarbete 2022 (test)",
            "#id_start_year": "2022",
            "#id_end_year": "2022",
            "#id_decided_on": "2022-02-03",
            "#id_amount_per_year": "20 000 000",
            "#id_grantor": "RK",
            "#id_responsible_ministry": "A",
            "#id_recipient": "SKR",
        },
    )
    for i, (text, _kind, _nominal) in enumerate(CONDITIONS):
        fill_form(page, {f"#id_conditions-{i}-text": text})

    # 3. "Granska": the proposals from the texts, and the obligations with their effective dates,
    #    before anything is saved.
    with page.expect_navigation():
        page.locator("#preview").click()
    preview = page.locator("#forhandsgranskning")
    expect(preview).to_contain_text("Förhandsgranskning – ingenting är sparat ännu")
    expect(preview).to_contain_text(f"Beslutet {SLUG} registreras som nytt.")
    rows = page.locator("#preview-obligations tbody tr")
    expect(rows).to_have_count(3)
    for i, (_text, kind, nominal) in enumerate(CONDITIONS):
        expect(page.locator(f"#id_conditions-{i}-kind")).to_have_value(kind)
        expect(page.locator(f"#id_conditions-{i}-due_date")).to_have_value(nominal.isoformat())
        expect(preview).to_contain_text(_long(effective_date(nominal)))
    expect(preview).to_contain_text("6 juni 2022 är en helgdag (nationaldagen) → 7 juni 2022")
    check_a11y(page)

    # 4. "Spara": the decision and its obligations are registered; its page lists them.
    with page.expect_navigation():
        page.locator("#save-top").click()
    expect_message(page, f"Beslutet {SLUG} är registrerat.")
    check_a11y(page)
    current = page.locator("#ataganden")
    for _text, _kind, nominal in CONDITIONS:
        expect(current).to_contain_text(_long(effective_date(nominal)))
    expect(current).to_contain_text("6 juni 2022 är en helgdag (nationaldagen) → 7 juni 2022")

    # 5. The deadlines of 2022 and 2023 show them with their effective dates (as ISO dates).
    click_link(page, "2022", within="#ataganden")
    expect_heading(page, "Tidsfrister 2022")
    calendar = page.locator("main")
    for _text, _kind, nominal in CONDITIONS[:2]:
        expect(calendar).to_contain_text(effective_date(nominal).isoformat())
    expect(calendar).to_contain_text("enligt handlingen 2022-06-06")
    goto(page, f"/tidsfrister/{SLUG}/2023/")
    expect(page.locator("main")).to_contain_text(effective_date(CONDITIONS[2][2]).isoformat())

    # 6. Back on the decision's page: the three obligations, as registered (the journey's last page).
    goto(page, f"/beslut/{SLUG}/")
    expect(page.locator("#ataganden tbody tr")).to_have_count(3)
