"""The web page that registers and edits a decision (issue 11)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from jamkoll.obligations.models import Obligation
from jamkoll.obligations.transitions import obligation_submit
from jamkoll.programmes.models import FundingDecision
from tests.conftest import client_for
from tests.hostile import HOSTILE_TEXT, assert_refused, nothing_stored, row_counts
from tests.obligations.decision_docs import PLAN_TEXT, PROGRAMME, REPORT_TEXT, REQUISITION_TEXT, SLUG
from tests.test_hostile_walk import _Parser

pytestmark = pytest.mark.django_db
NEW = "/beslut/ny/"
AGREEMENT = "jamstalldhet-kvinnofrid-2018-2020"


class _BrowserParser(_Parser):
    """As a browser reads a form: a select without a selected option sends its first option; the
    newline that opens a textarea is not part of its value; a ticked box says "on"."""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "input" and a.get("type") == "checkbox" and "checked" in a and not a.get("value"):
            attrs = [*attrs, ("value", "on")]  # what a browser sends for a ticked box without a value
        if tag == "option" and self._form is not None and self._select:
            a = {k: v or "" for k, v in attrs}
            if self._select not in self._seen or "selected" in a:
                self._form.fields[self._select] = a.get("value", "")
                self._seen.add(self._select)
            return
        super().handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        if self._form is not None and self._textarea and not self._form.fields[self._textarea]:
            data = data.removeprefix("\n")
        super().handle_data(data)

    _seen: set[str]

    def feed(self, data: str) -> None:
        self._seen = set()
        super().feed(data)


def page_form(client: Client, url: str) -> dict[str, str]:
    """The fields of the page's form with the values the page gives them (as a browser sends them)."""
    response = client.get(url)
    assert response.status_code == 200
    parser = _BrowserParser(f"http://testserver{url}")
    parser.feed(response.content.decode())
    forms = [f for f in parser.forms if f.method == "post" and "csrfmiddlewaretoken" in f.fields]
    forms = [f for f in forms if any(name.startswith("conditions-") for name in f.fields)]
    assert len(forms) == 1
    fields = dict(forms[0].fields)
    for name, kind in forms[0].kinds.items():  # an unchecked box is not sent
        if kind == "checkbox" and not fields[name]:
            del fields[name]
    return fields


def new_grant(client: Client, **more: str) -> dict[str, str]:
    """What the browser journey fills in: only the essentials and three condition texts."""
    data = page_form(client, f"{NEW}?satsning={PROGRAMME}")
    data.update(
        {
            "kind": "grant",
            "slug": SLUG,
            "title": "Beslut om bidrag till SKR 2022",
            "start_year": "2022",
            "end_year": "2022",
            "recipient": "SKR",
            "grantor": "RK",
            "conditions-0-text": PLAN_TEXT,
            "conditions-1-text": REQUISITION_TEXT,
            "conditions-2-text": REPORT_TEXT,
        }
    )
    data.update(more)
    return data


def test_the_programme_page_links_to_the_form(coordinator: Any) -> None:
    page = client_for(coordinator).get(f"/satsningar/{PROGRAMME}/").content.decode()
    assert f'href="{NEW}?satsning={PROGRAMME}"' in page
    assert 'href="/beslut/hedersrelaterat-2021/"' in page


def test_the_new_form_has_stable_labelled_fields(coordinator: Any) -> None:
    page = client_for(coordinator).get(f"{NEW}?satsning={PROGRAMME}").content.decode()
    for name in ("programme", "kind", "slug", "title", "start_year", "end_year", "recipient", "grantor"):
        assert f'id="id_{name}"' in page and f'for="id_{name}"' in page, name
    for i in range(3):
        assert f'id="id_conditions-{i}-text"' in page
    assert f'<option value="{PROGRAMME}" selected>' in page
    assert 'name="action" value="preview"' in page and 'name="action" value="save"' in page


def test_granska_proposes_from_the_texts_and_shows_the_obligations_without_saving(coordinator: Any) -> None:
    client = client_for(coordinator)
    data = new_grant(client, action="preview")
    with nothing_stored():
        response = client.post(NEW, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Förhandsgranskning" in page
    assert "6 juni 2022 är en helgdag (nationaldagen) → 7 juni 2022" in page
    assert "1 december 2022" in page and "31 mars 2023" in page
    assert '<option value="project_plan" selected>' in page
    assert '<option value="requisition" selected>' in page
    assert '<option value="financial_report" selected>' in page
    assert 'name="conditions-0-due_date" value="2022-06-06"' in page
    assert "föreslaget ur texten" in page


def test_spara_before_the_proposals_were_seen_shows_them_first(coordinator: Any) -> None:
    client = client_for(coordinator)
    with nothing_stored():
        response = client.post(NEW, new_grant(client, action="save"))
    assert response.status_code == 200
    assert "Kontrollera slag, år och sista dag" in response.content.decode()


def confirmed(client: Client) -> dict[str, str]:
    data = new_grant(client)
    data.update(
        {
            "conditions-0-kind": "project_plan",
            "conditions-0-year": "2022",
            "conditions-1-kind": "requisition",
            "conditions-1-year": "2022",
            "conditions-2-kind": "financial_report",
            "conditions-2-year": "2022",
        }
    )
    return data


def test_spara_registers_the_decision_and_its_obligations(coordinator: Any) -> None:
    client = client_for(coordinator)
    response = client.post(NEW, {**confirmed(client), "action": "save"})
    assert response.status_code == 302
    assert response["Location"] == f"/beslut/{SLUG}/#ataganden"
    decision = FundingDecision.objects.get(slug=SLUG)
    assert decision.recipient.code == "SKR" and decision.grantor.code == "RK"
    plan = Obligation.objects.get(decision=decision, key="2022-project_plan")
    assert plan.effective_date == dt.date(2022, 6, 7)
    assert plan.owed_to.code == "RK"  # no addressee chosen: the grantor
    page = client.get(response["Location"]).content.decode()
    assert "Beslutet hedersrelaterat-2022 är registrerat" in page
    assert "Beslutets åtaganden" in page
    assert "6 juni 2022 är en helgdag (nationaldagen) → 7 juni 2022" in page


def test_saving_the_edit_page_unchanged_changes_nothing(coordinator: Any) -> None:
    client = client_for(coordinator)
    for slug in (AGREEMENT, "hedersrelaterat-2021"):
        data = page_form(client, f"/beslut/{slug}/")
        before = row_counts()
        response = client.post(f"/beslut/{slug}/", {**data, "action": "save"})
        assert response.status_code == 302, response.content.decode()[:3000]
        assert row_counts() == before, slug
        assert "ingenting ändrades" in client.get(response["Location"]).content.decode()


def test_an_edit_changes_the_obligation(coordinator: Any) -> None:
    client = client_for(coordinator)
    client.post(NEW, {**confirmed(client), "action": "save"})
    data = page_form(client, f"/beslut/{SLUG}/")
    assert data["conditions-2-due_date"] == "2023-03-31"
    data["conditions-2-due_date"] = "2023-04-28"
    response = client.post(f"/beslut/{SLUG}/", {**data, "action": "save"})
    assert response.status_code == 302
    report = Obligation.objects.get(decision__slug=SLUG, key="2022-financial_report")
    assert report.nominal_date == dt.date(2023, 4, 28)


def test_removing_a_condition_whose_obligation_was_submitted_is_refused_beside_it(coordinator: Any) -> None:
    client = client_for(coordinator)
    client.post(NEW, {**confirmed(client), "action": "save"})
    requisition = Obligation.objects.get(decision__slug=SLUG, key="2022-requisition")
    obligation_submit(obligation=requisition, submitted_on=dt.date(2022, 11, 20), actor=coordinator)
    data = page_form(client, f"/beslut/{SLUG}/")
    data["conditions-1-text"] = ""
    with nothing_stored():
        response = client.post(f"/beslut/{SLUG}/", {**data, "action": "save"})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_conditions-1-text_error"' in page
    assert "inlämnat 2022-11-20" in page


@pytest.mark.parametrize(
    ("field", "value", "error_id"),
    [
        ("conditions-1-text", "a\x00b", "id_conditions-1-text_error"),
        ("start_year", "٢٠٢٢", "id_start_year_error"),
        ("end_year", "2021", "id_end_year_error"),
        ("slug", "Stora Bokstäver", "id_slug_error"),
        ("amount_per_year", "1E+400", "id_amount_per_year_error"),
        ("programme", "finns-inte", "id_programme_error"),
        ("grantor", "x" * 500, "id_grantor_error"),
    ],
)
def test_bad_input_is_shown_beside_its_field_and_nothing_is_stored(
    coordinator: Any, field: str, value: str, error_id: str
) -> None:
    client = client_for(coordinator)
    data = {**confirmed(client), field: value, "action": "save"}
    with nothing_stored():
        response = client.post(NEW, data)
    assert response.status_code == 400
    assert f'id="{error_id}"' in response.content.decode()


def test_the_budget_table_takes_its_lines_as_text_and_refuses_a_bad_line_beside_it(coordinator: Any) -> None:
    client = client_for(coordinator)
    data = {
        **confirmed(client),
        "goal_areas-TOTAL_FORMS": "1",  # as after "Lägg till rad"
        "budgets-TOTAL_FORMS": "1",
        "goal_areas-0-number": "1",
        "goal_areas-0-title": "Hedersrelaterat våld",
        "goal_areas-0-text": "Förebygga och motverka hedersrelaterat våld och förtryck.",
        "budgets-0-year": "2022",
        "budgets-0-total": "20 000 000",
        "budgets-0-lines": "1 SKR 12 000 000\n2 RSS 8 000 000",
        "action": "save",
    }
    with nothing_stored():
        response = client.post(NEW, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_budgets-0-lines_error"' in page and "rad 2: okänt målområde 2" in page
    with nothing_stored():
        response = client.post(NEW, {**data, "budgets-0-lines": "1 SKR 12 000 000\n1 RSS tolv"})
    assert response.status_code == 400 and "rad 2: ogiltigt belopp" in response.content.decode()
    response = client.post(NEW, {**data, "budgets-0-lines": "1 SKR 12 000 000\n1 RSS 8 000 000"})
    assert response.status_code == 302
    table = FundingDecision.objects.get(slug=SLUG).budgets.get(year=2022)
    assert [(line.recipient, line.amount) for line in table.lines.order_by("recipient")] == [
        ("RSS", 8_000_000),
        ("SKR", 12_000_000),
    ]


def test_the_agreement_s_budget_table_is_shown_as_it_was_decided(coordinator: Any) -> None:
    data = page_form(client_for(coordinator), f"/beslut/{AGREEMENT}/")
    assert data["budgets-0-year"] == "2018" and data["budgets-0-total"] == "20 000 000"
    assert data["budgets-0-lines"] == "1 SKR 2 500 000\n2 SKR 2 500 000\n3 SKR 6 000 000\n3 RSS 9 000 000"
    assert data["budgets-1-lines"] == "1 SKR\n2 SKR\n3 SKR\n3 RSS 9 000 000"


@pytest.mark.parametrize("who", ["rss_skane", "certifier", "signatory", "analyst", "no_role"])
def test_other_roles_see_the_reason(who: str, request: pytest.FixtureRequest) -> None:
    client = client_for(request.getfixturevalue(who))
    response = client.get(NEW)
    assert response.status_code == 403
    assert "Beslutsregistreringen visas för SKR:s samordnare" in response.content.decode()
    with nothing_stored():
        assert client.post(NEW, {"slug": "x"}).status_code == 403


@pytest.mark.parametrize("who", ["ministry", "treasury"])
def test_the_ministry_and_the_treasury_read_the_decision_but_cannot_send_it(
    who: str, request: pytest.FixtureRequest, coordinator: Any
) -> None:
    client = client_for(request.getfixturevalue(who))
    response = client.get(f"/beslut/{AGREEMENT}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'method="post" action=""' not in page and "disabled" in page
    assert "Medel avseende 2018 får rekvireras" in page
    assert "Beslut registreras och ändras av SKR:s samordnare" in page
    data = page_form(client_for(coordinator), f"/beslut/{AGREEMENT}/")
    with nothing_stored():
        refused = client.post(f"/beslut/{AGREEMENT}/", {**data, "action": "save"})
    assert refused.status_code == 403
    assert "Kräver rollen samordnare" in refused.content.decode()


def test_anonymous_visitors_are_sent_to_log_in() -> None:
    assert Client().get(NEW).status_code == 302


def test_an_unknown_decision_is_404(coordinator: Any) -> None:
    assert client_for(coordinator).get("/beslut/finns-inte/").status_code == 404


# A form cannot carry a lone surrogate: a browser sends what Django makes of undecodable bytes.
FORM_TEXT = ["\ufffd\ufffd" if v == "\ud800" else v for v in HOSTILE_TEXT]


@pytest.mark.parametrize("value", FORM_TEXT)
def test_hostile_values_are_refused_and_store_nothing(coordinator: Any, value: str) -> None:
    client = client_for(coordinator)
    base = confirmed(client)
    for name in ("title", "conditions-0-text", "purpose", "parties-0-label", "conditions-TOTAL_FORMS"):
        with nothing_stored():
            response = client.post(NEW, {**base, name: value, "action": "save"})
        assert_refused(response, where=name)


def test_a_row_is_added_with_its_button_and_nothing_is_lost(coordinator: Any) -> None:
    client = client_for(coordinator)
    data = page_form(client, f"/beslut/{AGREEMENT}/")
    assert "conditions-12-text" not in data and "goal_areas-3-number" not in data
    with nothing_stored():
        response = client.post(f"/beslut/{AGREEMENT}/", {**data, "add": "conditions"})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_conditions-12-text"' in page and 'name="conditions-TOTAL_FORMS" value="13"' in page
    assert "Medel avseende 2018 får rekvireras" in page and "Förhandsgranskning" in page
    with nothing_stored():
        response = client.post(NEW, {**page_form(client, NEW), "add": "goal_areas"})
    assert response.status_code == 200 and 'id="id_goal_areas-0-number"' in response.content.decode()


def _summary(page: str) -> str:
    start = page.index('class="error-summary" role="alert"')
    return page[start : page.index("</div>", start)]


def test_a_failed_post_names_the_fields_of_the_main_form_and_the_rows_in_the_shared_summary(
    coordinator: Any,
) -> None:
    client = client_for(coordinator)
    data = {
        **confirmed(client),
        "start_year": "٢٠٢٢",
        "budgets-TOTAL_FORMS": "1",
        "budgets-0-year": "2022",
        "budgets-0-total": "tjugo",
        "action": "save",
    }
    with nothing_stored():
        response = client.post(NEW, data)
    assert response.status_code == 400
    summary = _summary(response.content.decode())
    assert "data-error-summary" in summary and "Något behöver rättas" in summary
    assert '<a href="#id_start_year">Första år:' in summary
    row = "Budgettabell per år: totalbelopp och budgetrader, rad 1, Totalt (kr):"
    assert f'<a href="#id_budgets-0-total">{row}' in summary


def test_a_row_error_found_by_the_service_is_in_the_summary_too(coordinator: Any) -> None:
    client = client_for(coordinator)
    data = {**confirmed(client), "conditions-1-text": "a\x00b", "action": "save"}
    response = client.post(NEW, data)
    assert response.status_code == 400
    summary = _summary(response.content.decode())
    assert '<a href="#id_conditions-1-text">Villkor, rad 2, Villkorets text:' in summary
