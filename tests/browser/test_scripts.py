"""The page script's behaviours that no seeded page reaches: a form whose first button is a search
(the activity search inside an evaluation's or a status report's form, shown only in a year with
more activities than a list can offer; tests/plans/test_activity_pickers.py checks that the pages
render it so), and the question before leaving a page with unsaved text. The script is loaded from
the repository into a page of that shape."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from .live import LiveSite

SCRIPT = Path(__file__).resolve().parents[2] / "src" / "jamkoll" / "web" / "static" / "jamkoll" / "jamkoll.js"
FORM = """<!DOCTYPE html><html lang="sv"><head><meta charset="utf-8"><title>Ny utvärdering</title></head>
<body><main><h1>Ny utvärdering</h1>
<form id="f" method="post" action="javascript:void(0)" novalidate>
  <fieldset><legend>Sök bland årets aktiviteter</legend>
    <label for="sok-aktivitet">Sökord</label> <input type="search" id="sok-aktivitet" name="q">
    <button type="submit" name="sok" value="1">Sök</button></fieldset>
  <label for="id_title">Rubrik</label> <input id="id_title" name="title">
  <label for="id_findings">Iakttagelser</label> <textarea id="id_findings" name="findings"></textarea>
  <button type="submit" class="primary" data-default-submit>Spara utvärderingen</button>
</form></main></body></html>"""
# Which button sent the form (it goes nowhere: its action is a script that does nothing).
RECORD = """() => { window.sent = [];
  document.getElementById("f").addEventListener("submit", (e) => {
    window.sent.push(e.submitter ? e.submitter.textContent.trim() : "(ingen knapp)"); }); }"""


def _sent(page: Page) -> list[str]:
    return list(page.evaluate("() => window.sent"))


def test_enter_saves_from_a_field_and_searches_from_the_search_box(page: Page) -> None:
    page.set_content(FORM)
    page.add_script_tag(path=str(SCRIPT))
    page.evaluate(RECORD)
    page.fill("#id_title", "Halvskriven")
    page.press("#id_title", "Enter")
    assert _sent(page) == ["Spara utvärderingen"]  # not the search, the first button in the form
    page.fill("#sok-aktivitet", "nätverk")
    page.press("#sok-aktivitet", "Enter")
    assert _sent(page) == ["Spara utvärderingen", "Sök"]
    page.fill("#id_findings", "Rad ett")
    page.press("#id_findings", "Enter")  # a new line in the text, no sending
    assert _sent(page) == ["Spara utvärderingen", "Sök"]
    assert page.input_value("#id_findings") == "Rad ett\n"


def test_without_the_marked_button_enter_keeps_the_browsers_default(page: Page) -> None:
    page.set_content(FORM.replace(" data-default-submit", ""))
    page.add_script_tag(path=str(SCRIPT))
    page.evaluate(RECORD)
    page.press("#id_title", "Enter")
    assert _sent(page) == ["Sök"]  # the form's first button, as the browser chooses it


SECOND = """<form id="g" method="post" action="javascript:void(0)" novalidate>
  <label for="id_summary">Sammanfattning</label> <textarea id="id_summary" name="summary"></textarea>
  <button type="submit">Spara texterna</button></form>
<form method="post" action="javascript:void(0)"><button type="submit">English</button></form>
<p><a id="bort" href="{url}/">Till startsidan</a></p></main>"""
# Whether leaving now would ask (the beforeunload handler cancels the event), without leaving.
ASKS = """() => { const e = new Event("beforeunload", {cancelable: true});
  window.dispatchEvent(e); return e.defaultPrevented; }"""


def test_leaving_with_unsaved_text_asks_first(page: Page, live_site: LiveSite) -> None:
    page.set_content(FORM.replace("</main>", SECOND.format(url=live_site.url)))
    page.add_script_tag(path=str(SCRIPT))
    page.evaluate(RECORD)
    assert page.evaluate(ASKS) is False  # nothing written
    page.fill("#sok-aktivitet", "nätverk")
    assert page.evaluate(ASKS) is False  # search words are not the form's content
    page.fill("#id_findings", "Iakttagelser som inte är sparade.")
    assert page.evaluate(ASKS) is True
    page.click("text=Spara utvärderingen")  # the form with the text is the one sent: no question
    assert _sent(page) == ["Spara utvärderingen"] and page.evaluate(ASKS) is False
    assert page.evaluate(ASKS) is True  # that sending did not leave the page: the next leaving asks
    page.click("text=Spara utvärderingen")
    page.fill("#id_summary", "En annan forms text.")  # sending one form loses the other's text
    assert page.evaluate(ASKS) is True
    asked: list[str] = []

    def answer(dialog: object) -> None:
        asked.append(dialog.type)  # type: ignore[attr-defined]
        dialog.accept()  # type: ignore[attr-defined]

    page.on("dialog", answer)
    page.click("#bort")  # a real navigation: the browser asks, the user leaves
    expect(page).to_have_url(f"{live_site.url}/")
    assert asked == ["beforeunload"]


def test_a_form_sent_back_with_an_error_asks_when_something_is_written_in_it(page: Page) -> None:
    error = '<p id="id_title_error" class="error field-error">Ange en rubrik.</p><label for="id_title">'
    with_error = FORM.replace('<label for="id_title">', error)
    page.set_content(with_error)
    page.add_script_tag(path=str(SCRIPT))
    assert page.evaluate(ASKS) is False  # an empty form refused: nothing to lose
    written = with_error.replace(
        'name="findings"></textarea>', 'name="findings">Skrivet före felet.</textarea>'
    )
    page.set_content(written)
    page.add_script_tag(path=str(SCRIPT))
    assert page.evaluate(ASKS) is True
    page.set_content(FORM.replace('<textarea id="id_findings" name="findings"></textarea>', ""))
    page.add_script_tag(path=str(SCRIPT))
    page.fill("#id_title", "Bara en rad")  # a form without free text never asks
    assert page.evaluate(ASKS) is False


PAIRED = """<!DOCTYPE html><html lang="sv"><head><meta charset="utf-8"><title>Medelsflöde</title></head>
<body><main><h1>Registrera en post</h1><form method="post" action="javascript:void(0)" novalidate>
  <label for="id_kind">Slag</label>
  <select name="kind" id="id_kind" data-restricts="recipient">
    <option value="requisition" data-recipients="skr 12 25">Rekvisition</option>
    <option value="disbursement" data-recipients="12 25">Utbetalning</option>
    <option value="expenditure" data-recipients="skr 12 25">Utgift</option>
  </select>
  <label for="id_recipient">Nivå / län</label>
  <select name="recipient" id="id_recipient">
    <option value="skr">Staten – SKL</option><option value="12">12 Skåne</option>
    <option value="25">25 Norrbotten</option>
  </select></form></main></body></html>"""


def test_a_ledger_kind_disables_the_recipients_it_does_not_go_with(page: Page) -> None:
    """A coordinator chooses "Utbetalning": the state level is disabled (Kammarkollegiet records
    those) and the list is left without a choice, not moved to a county nobody chose; another kind
    offers the state level again, and a choice that still goes is kept."""
    page.set_content(PAIRED)
    page.add_script_tag(path=str(SCRIPT))
    state = page.locator("#id_recipient option[value='skr']")
    expect(state).to_be_enabled()
    page.select_option("#id_kind", "disbursement")
    expect(state).to_be_disabled()
    assert page.input_value("#id_recipient") == ""
    page.select_option("#id_recipient", "25")
    page.select_option("#id_kind", "expenditure")
    expect(state).to_be_enabled()
    assert page.input_value("#id_recipient") == "25"


def test_a_refused_pair_sent_back_by_the_server_stays_as_sent(page: Page) -> None:
    page.set_content(PAIRED.replace('value="disbursement"', 'value="disbursement" selected'))
    page.add_script_tag(path=str(SCRIPT))
    assert page.input_value("#id_recipient") == "skr"  # not moved by the script on load
    expect(page.locator("#id_recipient option[value='skr']")).to_be_enabled()


LINE = """  <label for="id_line">Målområde</label>
  <select name="line" id="id_line" data-only-with="kind:expenditure recipient:skr">
    <option value="">—</option><option value="1">1. Jämställdhetsintegrering</option>
  </select></form>"""


def test_a_goal_area_is_chosen_only_for_the_recipients_own_expenditure(page: Page) -> None:
    """Målområde goes with SKL's own expenditure alone: with a requisition it is disabled; an
    expenditure by the state level enables it; moving to a county clears and disables it again."""
    page.set_content(PAIRED.replace("</form>", LINE))
    page.add_script_tag(path=str(SCRIPT))
    line = page.locator("#id_line")
    expect(line).to_be_disabled()  # a requisition first
    page.select_option("#id_kind", "expenditure")
    expect(line).to_be_enabled()
    page.select_option("#id_line", "1")
    page.select_option("#id_recipient", "12")
    expect(line).to_be_disabled()
    assert page.input_value("#id_line") == ""


def test_a_goal_area_sent_back_with_its_error_stays_as_sent(page: Page) -> None:
    sent = PAIRED.replace("</form>", LINE).replace('<option value="1">', '<option value="1" selected>')
    page.set_content(sent)
    page.add_script_tag(path=str(SCRIPT))
    expect(page.locator("#id_line")).to_be_enabled()
    assert page.input_value("#id_line") == "1"
