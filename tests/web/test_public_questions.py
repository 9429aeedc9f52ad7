"""The two questions a visitor asks (issue 15), answered from the start page "/" without logging
in, by following exactly two links.

The expected figures come from the source documents in /work/shared/seeds, not from the code:
- seed 002 (SKL:s nyhet 2018-02-16): "600 000 kronor för vart och ett av de tre storstadslänen"
  per year (Skåne län, 12, is one of them) → Skåne's RSS was allocated 600 000 kr for 2018;
- seed 001 (the circular, appendix 1 §8): the financial report for 2018 is due "senast den
  31 mars 2019" — a Sunday, so the working day it falls to is Monday 2019-04-01;
- no document says when (or whether) the 2018 financial report was handed in, nor what Skåne
  requisitioned or spent: the pages say "uppgift saknas", never a made-up 0 kr.
"""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client

from jamkoll.accounts.policy import operator
from jamkoll.ledger.services import entry_record
from jamkoll.obligations.models import Obligation
from jamkoll.obligations.transitions import obligation_submit
from jamkoll.programmes.selectors import decision_get

SLUG = "jamstalldhet-kvinnofrid-2018-2020"
NBSP = "\u00a0"

pytestmark = pytest.mark.django_db


# Where a browser starts a new line (or cell): the text on either side is not one word.
BLOCKS = {
    *[
        "p",
        "div",
        "li",
        "td",
        "th",
        "tr",
        "br",
        "dt",
        "dd",
        "ul",
        "ol",
        "dl",
        "table",
        "nav",
        "header",
        "footer",
        "main",
        "section",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
    ],
    *["h5", "h6", "title", "option", "button", "label", "figcaption", "caption", "summary", "details"],
}


class _Links(HTMLParser):
    """Every <a href> with its text (whitespace collapsed), and the page's text (an inline
    element such as a date's <time> does not split it: "(2019-03-29)." stays as read)."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None
        self._text: list[str] = []
        self.words: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in BLOCKS:
            self.words.append(" ")
        if tag == "a":
            self._href = dict(attrs).get("href")
            self._text = []

    def handle_endtag(self, tag: str) -> None:
        if tag in BLOCKS:
            self.words.append(" ")
        if tag == "a" and self._href is not None:
            self.links.append((self._href, " ".join("".join(self._text).split())))
            self._href = None

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._text.append(data)
        self.words.append(data)


def parse(html: str) -> _Links:
    parser = _Links()
    parser.feed(html)
    return parser


def text_of(html: str) -> str:
    """The page's visible text, spaces (also no-break spaces) collapsed."""
    return " ".join("".join(parse(html).words).replace(NBSP, " ").split())


def click(client: Client, html: str, text: str, *, href_contains: str = "") -> str:
    """Follow the one link whose text is `text` (and whose address holds `href_contains`)."""
    found = [h for h, t in parse(html).links if t == text and href_contains in h]
    assert len(found) == 1, f"expected one link {text!r}, found {found}"
    response = client.get(found[0])
    assert response.status_code == 200, found[0]
    return response.content.decode()


def row(page: str, header: str) -> str:
    """The text of the table row or definition whose header cell is `header`."""
    match = re.search(rf"<tr><th scope=\"row\">{re.escape(header)}</th>(.*?)</tr>", page, re.S)
    assert match, header
    return text_of(match.group(1))


def test_how_much_did_skane_get_and_use_in_2018() -> None:
    client = Client()
    home = client.get("/").content.decode()
    year = click(client, home, "Medel och redovisningar 2018", href_contains=SLUG)
    skane = click(client, year, "Skåne län")
    text = text_of(skane)
    assert "Skåne län: RSS-medel 2018" in text
    assert row(skane, "Tilldelat") == "600 000 kr"  # seed 002
    for what in ("Rekvirerat", "Utbetalt", "Använt", "Återbetalt"):
        assert row(skane, what) == "uppgift saknas"  # no document gives these


def test_skanes_recorded_money_shows_as_sums(coordinator: Any) -> None:
    """Once the ledger has entries, the county page shows their sums per kind."""
    decision = decision_get(slug=SLUG)
    day = dt.date(2018, 6, 1)
    for kind in ("requisition", "disbursement"):  # the state tier first: SKR's money from the state
        entry_record(
            actor=operator(),
            decision=decision,
            year=2018,
            kind=kind,
            amount="9000000",
            reference="S",
            entry_date=day,
        )
    common = {"decision": decision, "year": 2018, "county_code": "12", "entry_date": day}
    entry_record(actor=coordinator, kind="requisition", amount="600000", reference="R1", **common)
    entry_record(actor=coordinator, kind="disbursement", amount="600000", reference="U1", **common)
    entry_record(actor=coordinator, kind="expenditure", amount="512345.50", reference="A1", **common)
    entry_record(actor=coordinator, kind="repayment", amount="87654.50", reference="B1", **common)
    client = Client()
    home = client.get("/").content.decode()
    skane = click(
        client, click(client, home, "Medel och redovisningar 2018", href_contains=SLUG), "Skåne län"
    )
    assert row(skane, "Tilldelat") == "600 000 kr"
    assert row(skane, "Rekvirerat") == "600 000 kr"
    assert row(skane, "Utbetalt") == "600 000 kr"
    assert row(skane, "Använt") == "512 345,50 kr"
    assert row(skane, "Återbetalt") == "87 654,50 kr"


FINANCIAL_2018 = "Ekonomisk redovisning för 2018, intygad av ekonomichefen"


def test_was_the_2018_financial_report_handed_in_on_time() -> None:
    client = Client()
    home = client.get("/").content.decode()
    year = click(client, home, "Medel och redovisningar 2018", href_contains=SLUG)
    page = click(client, year, FINANCIAL_2018)
    text = text_of(page)
    assert "Sista dag enligt beslutet 2019-03-31" in text  # seed 001 §8
    assert "Sista dag (närmaste vardag) 2019-04-01" in text  # 31 March 2019 was a Sunday
    assert "Lämnas till Kammarkollegiet" in text
    # No document says when it was handed in: the page says so rather than guess.
    assert "Inlämnad uppgift saknas" in text
    assert "Status Uppgift saknas" in text
    assert "Det framgår inte av underlaget om eller när den lämnades in." in text


def test_a_registered_submission_answers_on_time(coordinator: Any) -> None:
    obligation = Obligation.objects.get(decision__slug=SLUG, key="2018-financial_report")
    obligation_submit(obligation=obligation, submitted_on=dt.date(2019, 3, 29), actor=operator())
    client = Client()
    year = click(client, client.get("/").content.decode(), "Medel och redovisningar 2018", href_contains=SLUG)
    text = text_of(click(client, year, FINANCIAL_2018))
    assert "Ja, inlämnad i tid (2019-03-29)." in text
    assert "Inlämnad 2019-03-29" in text


def test_the_start_page_already_shows_the_years_figures() -> None:
    text = text_of(Client().get("/").content.decode())
    # seed 001: 20 MSEK per year; seed 002: 18 × 400 000 + 3 × 600 000 = 9 000 000 to the RSS
    assert (
        "Medel och redovisningar 2018 20 000 000 kr 9 000 000 kr uppgift saknas sista dag 2019-04-01" in text
    )


def test_the_programme_page_links_each_year_to_its_public_page() -> None:
    client = Client()
    page = client.get("/satsningar/starkt-jamstalldhet-kvinnofrid-2018-2020/?ar=2019").content.decode()
    assert f'href="/medel-och-redovisningar/{SLUG}/2019/"' in page


def test_an_unknown_year_or_county_is_a_clear_404() -> None:
    client = Client()
    response = client.get(f"/medel-och-redovisningar/{SLUG}/2017/")
    assert response.status_code == 404
    assert "har inga medel för 2017" in response.content.decode()
    assert client.get(f"/medel-och-redovisningar/{SLUG}/2018/lan/99/").status_code == 404
    assert client.get(f"/medel-och-redovisningar/{SLUG}/2018/redovisning/finns-inte/").status_code == 404


def test_the_public_json_gives_the_same_summary() -> None:
    data = Client().get(f"/medel-och-redovisningar/{SLUG}/2018/json/").json()
    assert data["decided_total"] == "20000000.00"
    assert data["allocated_to_counties"] == "9000000.00"
    skane = next(c for c in data["counties"] if c["code"] == "12")
    assert skane == {
        "code": "12",
        "name": "Skåne län",
        "allocated": "600000.00",
        "requisitioned": None,
        "disbursed": None,
        "spent": None,
        "repaid": None,
    }
    report = next(o for o in data["obligations"] if o["title"] == FINANCIAL_2018)
    assert report["nominal_date"] == "2019-03-31"
    assert report["effective_date"] == "2019-04-01"
    assert report["submitted_on"] is None and report["on_time"] is None


def test_the_county_chooser_leads_to_the_county_page() -> None:
    client = Client()
    home = client.get("/").content.decode()
    assert f'action="/medel-och-redovisningar/{SLUG}/lan/"' in home
    response = client.get(f"/medel-och-redovisningar/{SLUG}/lan/", {"lan": "12", "ar": "2018"})
    assert response.status_code == 302
    assert response["Location"] == f"/medel-och-redovisningar/{SLUG}/2018/lan/12/"
    assert client.get(f"/medel-och-redovisningar/{SLUG}/lan/", {"lan": "99", "ar": "2018"}).status_code == 404
    assert client.get(f"/medel-och-redovisningar/{SLUG}/lan/", {"lan": "12", "ar": "x"}).status_code == 404
