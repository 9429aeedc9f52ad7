"""Journey 2 (issue 11): 2019 from start to end, by the roles who do the work, in the web only.

1. The coordinator creates the 2019 plan from 2018's and adds two activities; proposes it; the
   ministry officer sends it back with a comment; the coordinator corrects and proposes again; the
   ministry registers the consultation; the coordinator fixes the plan.
2. The Skåne RSS leader enters Skåne's 2019 implementation plan, an activity in it and an output by
   sex, and requisitions Skåne's share from SKR.
3. The money: SKR requisitions the year's grant from Kammarkollegiet, the treasury officer disburses
   it, SKR pays Skåne (an RSS-tier disbursement is SKR's), expenditure is recorded (SKR's own and
   Skåne's); the requisition obligations (the state's and Skåne's) and the plan's show "Inlämnad i
   tid" on the deadlines page.
4. The half-yearly status report is written and handed in (as final; the document that is sent to
   Regeringskansliet, and closes that obligation, is made under Rapporter: not part of this journey).
5. The coordinator generates the 2019 result report, which contains the new activities and the
   output, and the financial report; the financial report is certified by the certifier (another
   account: four eyes); the signatory (a third) signs both reports and registers their
   submission, and their obligations close on time. Names and titles come from the accounts.

One journey in one test (the live database is shared, so steps split into tests would depend on
each other's order); each phase is a helper below, timed by the `phase` fixture. It works in 2019
only. Every date a user types is a date in 2019–2020 (a plan step or a ledger entry may not lie in
the future; a certification not before the end of the year reported). Amounts are test
input, except Skåne's share (600 000 kr, seed 002) and the year's grant (20 000 000 kr, the
agreement's budget for 2019).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from playwright.sync_api import Locator, Page, expect

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

if TYPE_CHECKING:
    from .conftest import Phase

DECISION = "jamstalldhet-kvinnofrid-2018-2020"
PLAN_2019 = f"/planer/{DECISION}/2019/"
SKANE_2019 = f"{PLAN_2019}lan/12/"
LEDGER_2019 = f"/medel/{DECISION}/2019/"
DEADLINES_2019 = f"/tidsfrister/{DECISION}/2019/"
DEADLINES_2020 = f"/tidsfrister/{DECISION}/2020/"
STATUS_REPORTS = f"/planer/{DECISION}/halvarsrapporter/"

NETWORK = "Nätverksträff för RSS 2019 (test)"
WEBINAR = "Webbinarium om våld i nära relationer (test)"
NEW_ACTIVITIES = (NETWORK, WEBINAR)
SKANE_ACTIVITY = "Länsnätverk mot våld i nära relationer i Skåne 2019 (test)"
NETWORK_TEXT = "Två nätverksträffar för de regionala utvecklingsledarna under 2019."
WEBINAR_TEXT = "Ett webbinarium om socialtjänstens arbete mot våld i nära relationer."
SKANE_TEXT = "Fyra träffar för kommunernas samordnare mot våld i nära relationer."
SKANE_PLAN_TEXT = "Skånes genomförandeplan 2019: länsnätverk och stöd till kommunerna."
OUTPUT = "Deltagare i länsnätverket"
SEND_BACK_COMMENT = "Ange webbinariets målgrupp."
WEBINAR_AUDIENCE = "Målgrupp: socialsekreterare och chefer inom socialtjänsten i alla 21 län."
SKANE_SHARE = "600 000"  # seed 002: Skåne's RSS share of 2019
GRANT_2019 = "20 000 000"  # the agreement's budget for 2019


PROPOSE = "Föreslå till Regeringskansliet"


def _row(page: Page, text: str) -> Locator:
    """The table row of `<main>` that contains `text`."""
    return page.locator("main tr", has_text=text)


def _step(page: Page, action: str, fields: dict[str, str], button: str) -> None:
    """A step of the plan's workflow: its own form on the plan page (ids `id_<action>_<field>`)."""
    form = page.locator("main form", has=page.locator(f"#id_{action}_on"))
    fill_form(page, {f"#id_{action}_{name}": value for name, value in fields.items()}, within=form)
    click_button(page, button, within=form)
    expect(page.locator("main .error")).to_have_count(0)


# --- 1. The plan: created, proposed, sent back, corrected, proposed, consulted, fixed ----------


def coordinator_creates_plan(page: Page) -> None:
    login(page, "samordnare")
    menu(page, "Planer och resultat")
    click_link(page, "2019")
    expect_heading(page, "Plan och aktiviteter 2019")
    expect(page.locator("main")).to_contain_text("Ingen projektplan finns registrerad för året.")
    fill_form(page, {"#id_create_start_0": True})  # "Kopiera från 2018"
    expect(page.locator("label[for=id_create_start_0]")).to_contain_text("Kopiera från 2018")
    click_button(page, "Skapa projektplan")
    expect_message(page, "Projektplanen för 2019 är skapad som utkast.")
    expect(page.locator("main .plan-head")).to_contain_text("Utkast")
    expect(page.locator("main .timeline")).to_contain_text("Skapad från projektplanen 2018")

    activities: list[dict[str, str | bool]] = [
        {
            "#id_title": NETWORK,
            "#id_description": NETWORK_TEXT,
            "#id_sub_project": "2. Kvinnofridssatsningen",
            "#id_goal_area": "3. Kvinnofridsarbetet",
            "#id_report_section": "4.1",
            "#id_sub_goals_5": True,  # 6. Mäns våld mot kvinnor ska upphöra
            "#id_planned_start": "2019-05-01",
            "#id_planned_end": "2019-11-30",
        },
        {
            "#id_title": WEBINAR,
            "#id_description": WEBINAR_TEXT,
            "#id_sub_project": "2. Kvinnofridssatsningen",
            "#id_goal_area": "3. Kvinnofridsarbetet",
            "#id_report_section": "4.4",
            "#id_sub_goals_5": True,
            "#id_planned_start": "2019-09-01",
            "#id_planned_end": "2019-09-30",
        },
    ]
    for fields in activities:
        goto(page, PLAN_2019)
        click_link(page, "Lägg till aktivitet")
        expect_heading(page, "Ny aktivitet 2019")
        fill_form(page, fields)
        click_button(page, "Lägg till aktiviteten")
        expect_message(page, "Aktiviteten är tillagd.")
        expect_heading(page, str(fields["#id_title"]))

    goto(page, PLAN_2019)
    for title in NEW_ACTIVITIES:
        expect(_row(page, title)).to_contain_text("Planerad")
    _step(page, "propose", {"on": "2019-03-20", "reference": "SKR 19/00001"}, PROPOSE)
    expect_message(page, "Planen har nu status: Föreslagen")
    # Proposing freezes the plan: SKR's national activities are locked until it is sent back.
    expect(page.locator("main p.note", has_text="SKR:s nationella aktiviteter")).to_contain_text("låst")
    expect(_row(page, WEBINAR)).not_to_contain_text("Ta bort")  # its progress may still change
    logout(page)


def ministry_sends_plan_back(page: Page) -> None:
    login(page, "departement")
    goto(page, PLAN_2019)
    expect(page.locator("main .plan-head")).to_contain_text("Föreslagen")
    _step(
        page,
        "send_back",
        {"on": "2019-03-25", "reference": "S2019/01234", "comment": SEND_BACK_COMMENT},
        "Skicka tillbaka till SKR för ändring",
    )
    expect_message(page, "Planen har nu status: Utkast")
    expect(page.locator("main .timeline")).to_contain_text(SEND_BACK_COMMENT)
    logout(page)


def coordinator_corrects_and_proposes_again(page: Page) -> None:
    login(page, "samordnare")
    goto(page, PLAN_2019)
    # The comment is on the plan's page, where the coordinator reads it.
    expect(page.locator("main .timeline")).to_contain_text(SEND_BACK_COMMENT)
    click_link(page, "Ändra", within=_row(page, WEBINAR))
    expect_heading(page, f"Ändra aktiviteten {WEBINAR}")
    description = page.locator("#id_description")
    fill_form(page, {"#id_description": f"{description.input_value()}\n{WEBINAR_AUDIENCE}"})
    click_button(page, "Spara aktiviteten")
    expect_message(page, "Aktiviteten är sparad.")
    expect(page.locator("main .prose")).to_contain_text(WEBINAR_AUDIENCE)

    goto(page, PLAN_2019)
    _step(page, "propose", {"on": "2019-03-27", "reference": "SKR 19/00001"}, PROPOSE)
    expect_message(page, "Planen har nu status: Föreslagen")
    logout(page)


def ministry_consults_and_coordinator_fixes(page: Page) -> None:
    login(page, "departement")
    goto(page, PLAN_2019)
    _step(page, "consult", {"on": "2019-04-10", "reference": "S2019/01234"}, "Registrera samråd")
    expect_message(page, "Planen har nu status: Samråd")
    logout(page)

    login(page, "samordnare")
    goto(page, PLAN_2019)
    _step(page, "fix", {"on": "2019-04-24", "reference": "SKR 19/00001"}, "Fastställ planen")
    head = page.locator("main .plan-head")
    expect(head).to_contain_text("Fastställd")
    expect(head).to_contain_text("Fastställd av styrgruppen: 2019-04-24")
    timeline = page.locator("main .timeline")
    for text in ("2019-03-20", SEND_BACK_COMMENT, "2019-03-27", "2019-04-10", "2019-04-24"):
        expect(timeline).to_contain_text(text)
    logout(page)


# --- 2. Skåne's own work ------------------------------------------------------------------------


def skane_plans_and_reports_results(page: Page) -> None:
    login(page, "rss-skane")
    menu(page, "Planer och resultat")
    click_link(page, "2019")
    click_link(page, "De 21 RSS")
    click_link(page, "Genomförandeplan", within=_row(page, "12 Skåne län"))
    expect_heading(page, "Genomförandeplan 2019: Skåne län")
    fill_form(page, {"#id_plan_summary": SKANE_PLAN_TEXT})
    click_button(page, "Skapa genomförandeplanen")
    expect_message(page, "Genomförandeplanen är sparad.")

    new_activity = page.locator("main form", has=page.get_by_role("button", name="Lägg till aktiviteten"))
    fill_form(
        page,
        {
            "#id_title": SKANE_ACTIVITY,
            "#id_description": SKANE_TEXT,
            "#id_goal_area": "3. Kvinnofridsarbetet",
            "#id_sub_project": "2. Kvinnofridssatsningen",
            "#id_planned_start": "2019-02-01",
            "#id_planned_end": "2019-12-15",
            "#id_planned_cost": "150 000",
        },
        within=new_activity,
    )
    click_button(page, "Lägg till aktiviteten", within=new_activity)
    expect_message(page, "Aktiviteten är tillagd i genomförandeplanen.")
    expect(_row(page, SKANE_ACTIVITY)).to_contain_text("150 000 kr")
    # The plan is done ("Framtagen"): its planning is locked, its results are not.
    fill_form(page, {"#id_plan_status": "Framtagen"})
    click_button(page, "Spara planen")
    expect_message(page, "Genomförandeplanen är sparad.")
    expect(page.locator("main .plan-head")).to_contain_text("Framtagen")

    # The output, by sex (women + men + other = total), on the activity's own page.
    click_link(page, SKANE_ACTIVITY)
    expect_heading(page, SKANE_ACTIVITY)
    output = page.locator("main form", has=page.locator("input[name=form][value=output]"))
    fill_form(
        page,
        {
            "#id_label": OUTPUT,
            "#id_unit": "personer",
            "#id_total": "40",
            "#id_women": "31",
            "#id_men": "8",
            "#id_other": "1",
        },
        within=output,
    )
    click_button(page, "Spara resultat", within=output)
    expect_message(page, "Resultatet är sparat.")
    result = page.locator("main table").first.locator("tr", has_text=OUTPUT)
    for cell in ("40", "personer", "31", "8", "1"):
        expect(result).to_contain_text(cell)

    # Skåne requisitions its share from SKR (the RSS tier of the ledger).
    menu(page, "Medelsflöde")
    goto(page, LEDGER_2019)
    _open_entry_form(page)
    fill_form(
        page,
        {
            "#id_kind": "Rekvisition",
            "#id_recipient": "12 Skåne län",
            "#id_amount": SKANE_SHARE,
            "#id_entry_date": "2019-05-02",
            "#id_reference": "Skåne RSS 2019/1",
        },
    )
    click_button(page, "Registrera")
    expect_message(page, "är registrerad.")
    logout(page)


# --- 3. The money -----------------------------------------------------------------------------


def _open_entry_form(page: Page) -> None:
    """The ledger's entry form sits at the top of the page, folded until asked for."""
    details = page.locator("main details.entry-form")
    if details.get_attribute("open") is None:
        details.locator("summary").click()


def _ledger_entry(page: Page, fields: dict[str, str]) -> None:
    goto(page, LEDGER_2019)
    _open_entry_form(page)
    fill_form(page, fields)
    click_button(page, "Registrera")
    expect(page.locator("main .error")).to_have_count(0)
    expect_message(page, "är registrerad.")


def money_moves(page: Page) -> None:
    # SKR requisitions the year's grant from Kammarkollegiet (the state tier).
    login(page, "samordnare")
    _ledger_entry(
        page,
        {
            "#id_kind": "Rekvisition",
            "#id_recipient": "SKR",
            "#id_amount": GRANT_2019,
            "#id_entry_date": "2019-11-20",
            "#id_reference": "SKR 19/00002",
        },
    )
    logout(page)

    # Kammarkollegiet disburses it to SKR.
    login(page, "kammarkollegiet")
    _ledger_entry(
        page,
        {
            "#id_kind": "Utbetalning",
            "#id_recipient": "SKR",
            "#id_amount": GRANT_2019,
            "#id_entry_date": "2019-11-28",
            "#id_reference": "KAMK 2019/1",
        },
    )
    logout(page)

    # SKR pays Skåne its share (an RSS-tier disbursement is SKR's) and records its own expenditure.
    login(page, "samordnare")
    _ledger_entry(
        page,
        {
            "#id_kind": "Utbetalning",
            "#id_recipient": "12 Skåne län",
            "#id_amount": SKANE_SHARE,
            "#id_entry_date": "2019-12-02",
            "#id_reference": "SKR 19/00003",
        },
    )
    _ledger_entry(
        page,
        {
            "#id_kind": "Utgift",
            "#id_recipient": "SKR",
            "#id_line": "3. Kvinnofridsarbetet",
            "#id_amount": "1 250 000",
            "#id_entry_date": "2019-12-16",
            "#id_reference": "SKR 19/00004",
        },
    )
    logout(page)

    # Skåne records what it used.
    login(page, "rss-skane")
    _ledger_entry(
        page,
        {
            "#id_kind": "Utgift",
            "#id_recipient": "12 Skåne län",
            "#id_amount": "540 000",
            "#id_entry_date": "2019-12-20",
            "#id_reference": "Skåne RSS 2019/2",
        },
    )
    skane = _row(page, "12 Skåne län").first
    for amount in ("600 000 kr", "540 000 kr"):
        expect(skane).to_contain_text(amount)

    # Both requisitions closed their obligations, on time; so did the plan's proposal.
    menu(page, "Tidsfrister")
    goto(page, DEADLINES_2019)
    plan = _row(page, "Förslag till projektplan för 2019")
    expect(plan).to_contain_text("Inlämnad i tid")
    state = _row(page, "Rekvisition av medel för 2019 från Kammarkollegiet")
    expect(state).to_contain_text("Inlämnad i tid")
    county = _row(page, "Rekvisition från SKL av RSS-medel för 2019 (600 000 kr), Skåne län")
    expect(county).to_contain_text("Inlämnad i tid")
    logout(page)


# --- 4. The half-yearly status report -----------------------------------------------------------


def coordinator_writes_status_report(page: Page) -> None:
    login(page, "samordnare")
    goto(page, PLAN_2019)
    click_link(page, "Halvårsrapporter")
    expect_heading(page, "Styrgruppens halvårsrapporter")
    fill_form(
        page,
        {
            "#id_period_start": "januari–juni 2019",
            "#id_summary": "Planen för 2019 är fastställd och arbetet följer den.",
            "#id_deviations": "Inga avvikelser.",
            "#id_risks": "Inga nya risker.",
        },
    )
    click_button(page, "Påbörja rapporten")
    expect_message(page, "Halvårsrapporten är påbörjad.")
    expect_heading(page, "Halvårsrapport 2019-01-01 – 2019-06-30")
    item = page.locator("main form", has=page.get_by_role("button", name="Lägg till", exact=True))
    fill_form(
        page,
        {
            "#id_activity": NETWORK,
            "#id_progress": "Den första nätverksträffen hölls i maj.",
        },
        within=item,
    )
    click_button(page, "Lägg till", within=item)
    expect_message(page, "Raden är sparad.")
    click_button(page, "Lämna in halvårsrapporten")
    expect_message(page, "Halvårsrapporten är inlämnad.")
    expect(page.locator("main h1")).to_contain_text("Inlämnad")
    logout(page)


# --- 5. The reports -----------------------------------------------------------------------------

JOB_TIMEOUT_MS = 120_000  # the worker polls every 0.5 s; a report takes seconds


def _generate(page: Page, kind: str) -> None:
    """Rapporter → "Skapa" a report of 2019; wait (bounded) until the job page opens the version."""
    menu(page, "Rapporter")
    fill_form(page, {"#id_kind": kind, "#id_decision": DECISION, "#id_year": "2019"})
    click_button(page, "Skapa")
    page.wait_for_url(re.compile(r"/rapporter/\d+/$"), timeout=JOB_TIMEOUT_MS)
    expect(page.locator("main .error")).to_have_count(0)


def coordinator_generates_result_report(page: Page) -> None:
    login(page, "samordnare")
    _generate(page, "Resultatrapport")
    expect_heading(page, "2019")
    # The activities are reported by their texts under the agreement's headings (the webinar's as
    # corrected); the output, by sex, in the appendix of figures.
    preview = page.locator("main .report-preview")
    expect(preview).to_contain_text("4.1 Regionala stöd- och samverkansstrukturer för socialtjänst")
    for text in (NETWORK_TEXT, WEBINAR_TEXT, WEBINAR_AUDIENCE, SKANE_TEXT):
        expect(preview).to_contain_text(text)
    figures = preview.locator("table", has_text="Mätta resultat 2019")
    expect(figures.locator("tr", has_text=OUTPUT).locator("th, td")).to_have_text(
        ["4.1", SKANE_ACTIVITY, OUTPUT, "40", "personer", "31", "8", "1", ""]
    )
    # The financial report of 2019, for the certifier and the signatory.
    _generate(page, "Ekonomisk redovisning")
    expect_heading(page, "2019")
    logout(page)


def _open_report(page: Page, title: str) -> None:
    """Rapporter → the archive's row of the 2019 report called `title`."""
    menu(page, "Rapporter")
    row = _row(page, title).filter(has_text="2019").first
    click_link(page, title, within=row, exact=False)
    expect_heading(page, title)


def _act(page: Page, button: str, fields: dict[str, str]) -> None:
    """A step of a report version's page (certify, sign, submit): its own form, by its button."""
    form = page.locator("main form", has=page.get_by_role("button", name=button, exact=True))
    fill_form(page, {f"[name={name}]": value for name, value in fields.items()}, within=form)
    click_button(page, button, within=form)
    expect(page.locator("main .error")).to_have_count(0)


def reports_certified_signed_submitted(page: Page) -> None:
    # Four eyes (issue 12): the coordinator generated the reports, the certifier (another account)
    # certifies the financial report, the signatory (a third) signs. The names and titles come
    # from the accounts (the demo users' own), not from the form, which asks only for the date.
    login(page, "ekonomichef")
    _open_report(page, "Ekonomisk redovisning 2019")
    expect(page.locator("main")).to_contain_text("Du intygar som SKR:s ekonomichef, Ekonomichef.")
    _act(page, "Intyga", {"on": "2020-03-20"})
    expect(page.locator("main .facts")).to_contain_text(
        "2020-03-20, SKR:s ekonomichef, Ekonomichef, Sveriges Kommuner och Regioner"
    )
    logout(page)

    # The signatory signs both reports and registers their submission.
    login(page, "firmatecknare")
    signature = {"on": "2020-03-24"}
    for title, receipt in (
        ("Ekonomisk redovisning 2019", "KAMK 2020/77"),
        ("Resultatrapport 2019", "S2020/0412"),
    ):
        _open_report(page, title)
        _act(page, "Underteckna", signature)
        expect(page.locator("main .facts")).to_contain_text(
            "SKR:s behöriga företrädare, Behörig företrädare, Sveriges Kommuner och Regioner"
        )
        _act(page, "Registrera inlämning", {"on": "2020-03-26", "receipt_reference": receipt})
        expect(page.locator("main .facts")).to_contain_text(f"2020-03-26, mottagarens diarienummer {receipt}")

    # Their obligations closed on time (due 31 March 2020, the agreement's date for 2019's reports).
    click_link(page, "Redovisning av hela arbetet", within=page.locator("main .facts"), exact=False)
    expect(page.locator("main")).to_contain_text("Inlämnad i tid")
    goto(page, DEADLINES_2020)
    for title in ("Ekonomisk redovisning för 2019", "Redovisning av hela arbetet inom satsningen 2019"):
        row = _row(page, title)
        expect(row).to_contain_text("2020-03-31")
        expect(row).to_contain_text("Inlämnad i tid")
        expect(row).to_contain_text("2020-03-26, i tid")


def test_journey_2_year_2019_start_to_end(page: Page, phase: Phase) -> None:
    steps = [
        ("planen skapas och föreslås", coordinator_creates_plan),
        ("departementet skickar tillbaka", ministry_sends_plan_back),
        ("planen rättas och föreslås igen", coordinator_corrects_and_proposes_again),
        ("samråd och fastställd", ministry_consults_and_coordinator_fixes),
        ("Skånes genomförandeplan, aktivitet och resultat", skane_plans_and_reports_results),
        ("medelsflödet och deadlines", money_moves),
        ("halvårsrapporten", coordinator_writes_status_report),
        ("resultatrapporten skapas", coordinator_generates_result_report),
        ("intygas, undertecknas, lämnas in", reports_certified_signed_submitted),
    ]
    for name, step in steps:
        with phase(name):
            step(page)
