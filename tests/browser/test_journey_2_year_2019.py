"""Journey 2 (issue 11): 2019 from start to end, by the roles who do the work.

A skeleton until plan editing, county plans, the status-report form and the closing of obligations
exist. Each phase is its own function, to be completed as its feature lands; steps that use pages
which exist today (the ledger's entry form, the reports' generate / certify / sign / submit forms,
the plan's step buttons) use their real field ids and button names; the rest is marked `# confirm`.

The live database is shared with the other journeys: this one works in 2019 only.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from .pages import (
    click_button,
    click_link,
    expect_heading,
    expect_message,
    fill_form,
    goto,
    login,
    logout,
    menu,
)

DECISION = "jamstalldhet-kvinnofrid-2018-2020"
PLAN_2019 = f"/planer/{DECISION}/2019/"
LEDGER_2019 = f"/medel/{DECISION}/2019/"
NEW_ACTIVITIES = ("Nätverksträff för RSS 2019 (test)", "Webbinarium om våld i nära relationer (test)")
SKANE_ACTIVITY = "Länsnätverk mot våld i nära relationer i Skåne 2019 (test)"


def coordinator_plans_2019(page: Page) -> None:
    # The coordinator creates the 2019 plan from 2018's (continuing activities come along) and adds
    # two activities.
    login(page, "samordnare")
    goto(page, PLAN_2019)
    fill_form(page, {"#id_copy_from": "2018"})  # confirm
    click_button(page, "Skapa planen")  # confirm
    for title in NEW_ACTIVITIES:
        click_link(page, "Lägg till aktivitet")  # confirm
        fill_form(page, {"#id_title": title, "#id_sub_project": "Delprojekt 2"})  # confirm
        click_button(page, "Spara")
        expect_message(page, "Aktiviteten är sparad.")
    # It proposes the plan (the plan page's step form: date and diary number).
    goto(page, PLAN_2019)
    fill_form(page, {"#id_on": "2019-03-20", "#id_reference": "SKR 19/00001"})
    click_button(page, "Föreslå till Regeringskansliet")
    expect_message(page, "Planen har nu status")
    logout(page)


def ministry_sends_back_then_consults(page: Page) -> None:
    # The ministry officer sends the plan back with a comment.
    login(page, "departement")
    goto(page, PLAN_2019)
    fill_form(page, {"#id_comment": "Förtydliga målen för delprojekt 2."})  # confirm
    click_button(page, "Skicka tillbaka")  # confirm
    logout(page)
    # The coordinator corrects and proposes again.
    login(page, "samordnare")
    goto(page, PLAN_2019)
    # … correct an activity (confirm: which field the comment asks for) …
    fill_form(page, {"#id_on": "2019-03-27", "#id_reference": "SKR 19/00001"})
    click_button(page, "Föreslå till Regeringskansliet")
    logout(page)
    # The ministry registers the consultation; the coordinator registers that the steering group
    # fixed the plan.
    login(page, "departement")
    goto(page, PLAN_2019)
    fill_form(page, {"#id_on": "2019-04-10", "#id_reference": "S2019/01234"})
    click_button(page, "Registrera samråd")
    logout(page)
    login(page, "samordnare")
    goto(page, PLAN_2019)
    fill_form(page, {"#id_on": "2019-04-24", "#id_reference": "SKR 19/00001"})
    click_button(page, "Fastställ planen")
    expect(page.locator("main")).to_contain_text("Fastställd av styrgruppen")
    logout(page)


def skane_works_in_2019(page: Page) -> None:
    # The Skåne RSS leader enters Skåne's 2019 implementation plan, an activity and an output by sex,
    # and requisitions Skåne's share (600 000 kr, seed 002) from SKR.
    login(page, "rss-skane")
    click_link(page, "Skåne läns genomförandeplan 2019")  # confirm (county plan page)
    click_button(page, "Spara")  # confirm
    click_link(page, "Lägg till aktivitet")  # confirm
    fill_form(page, {"#id_title": SKANE_ACTIVITY})  # confirm
    click_button(page, "Spara")
    click_link(page, SKANE_ACTIVITY)
    output = page.locator("main form", has=page.locator("input[name=form][value=output]"))
    fill_form(  # confirm the output form's field ids
        page,
        {"#id_label": "Deltagare", "#id_total": "40", "#id_women": "31", "#id_men": "9", "#id_other": "0"},
        within=output,
    )
    click_button(page, "Spara resultat", within=output)
    expect_message(page, "Resultatet är sparat.")
    menu(page, "Medelsflöde")
    goto(page, LEDGER_2019)
    fill_form(
        page,
        {
            "#id_kind": "Rekvisition",
            "#id_recipient": "12 Skåne län",
            "#id_amount": "600 000",
            "#id_entry_date": "2019-05-02",
            "#id_reference": "Skåne 2019/1",
        },
    )
    click_button(page, "Registrera")
    logout(page)


def money_moves(page: Page) -> None:
    # SKR requisitions from Kammarkollegiet; the treasury officer disburses; expenditure is recorded;
    # the requisition obligations show "inlämnad i tid".
    login(page, "samordnare")
    goto(page, LEDGER_2019)
    fill_form(
        page,
        {
            "#id_kind": "Rekvisition",
            "#id_recipient": "Staten – SKR",
            "#id_amount": "20 000 000",
            "#id_entry_date": "2019-11-20",
            "#id_reference": "SKR 19/00002",
        },
    )
    click_button(page, "Registrera")
    logout(page)
    login(page, "kammarkollegiet")
    goto(page, LEDGER_2019)
    fill_form(
        page,
        {
            "#id_kind": "Utbetalning",
            "#id_recipient": "Staten – SKR",
            "#id_amount": "20 000 000",
            "#id_entry_date": "2019-11-28",
            "#id_reference": "KAMK 2019-1",
        },
    )
    click_button(page, "Registrera")
    logout(page)
    login(page, "samordnare")
    goto(page, LEDGER_2019)
    fill_form(
        page,
        {
            "#id_kind": "Utgift",
            "#id_recipient": "Staten – SKR",
            "#id_line": "1. Samverkan på det jämställdhetspolitiska området",
            "#id_amount": "1 250 000",
            "#id_entry_date": "2019-12-15",
            "#id_reference": "SKR 19/00003",
        },
    )
    click_button(page, "Registrera")
    goto(page, f"/deadlines/{DECISION}/2019/")
    expect(page.locator("main")).to_contain_text("inlämnad i tid")  # confirm the closed status's words


def reports_2019(page: Page) -> None:
    # The half-yearly status report is written (confirm: its form); the coordinator generates the
    # 2019 result report, which contains the new activities and the output.
    menu(page, "Rapporter")
    fill_form(
        page,
        {"#id_kind": "Resultatrapport", "#id_decision": DECISION, "#id_year": "2019"},
    )
    click_button(page, "Skapa")
    expect(page.locator("main")).to_contain_text("klar", timeout=120_000)  # confirm: the job page
    for title in (*NEW_ACTIVITIES, SKANE_ACTIVITY):
        expect(page.locator("main")).to_contain_text(title)
    # The financial report: certified by the certifier, signed by the signatory, submitted; its
    # obligation closes on time.
    logout(page)
    login(page, "ekonomichef")
    menu(page, "Rapporter")
    click_link(page, "Ekonomisk redovisning 2019")  # confirm
    fill_form(page, {"#id_name": "Erik Ekonom", "#id_on": "2020-02-20"})
    click_button(page, "Intyga")
    logout(page)
    login(page, "firmatecknare")
    menu(page, "Rapporter")
    click_link(page, "Ekonomisk redovisning 2019")  # confirm
    fill_form(page, {"#id_name": "Frida Företrädare", "#id_title": "Direktör", "#id_on": "2020-02-24"})
    click_button(page, "Underteckna")
    fill_form(page, {"#id_on": "2020-03-02", "#id_receipt_reference": "KAMK 2020/77"})
    click_button(page, "Registrera inlämning")
    goto(page, f"/deadlines/{DECISION}/2019/")
    expect_heading(page, "2019")
    expect(page.locator("main")).to_contain_text("inlämnad i tid")  # confirm


@pytest.mark.skip(
    reason="waits for plan editing, county plans, the status-report form and obligations closed by "
    "ledger entries (issue 11, other helpers)"
)
def test_journey_2_year_2019_start_to_end(page: Page) -> None:
    coordinator_plans_2019(page)
    ministry_sends_back_then_consults(page)
    skane_works_in_2019(page)
    money_moves(page)
    reports_2019(page)
