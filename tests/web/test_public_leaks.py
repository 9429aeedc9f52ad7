"""Nothing unpublished reaches the public (issue 15): a draft or certified-but-not-submitted report
version, a ledger entry's reference, note, reason and recorder, an obligation's receipt reference,
document and who registered it — none of their distinctive words appears on any public page or in
the public JSON, while the sums and dates they make up do."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client

from jamkoll.accounts.models import Role
from jamkoll.ledger.models import LedgerEntry
from jamkoll.ledger.services import entry_record, entry_reverse
from jamkoll.obligations.models import Obligation
from jamkoll.obligations.transitions import obligation_submit
from jamkoll.programmes.selectors import decision_get
from jamkoll.reports.models import ReportKind, ReportState
from tests.conftest import persona
from tests.reports.factories import ReportVersionFactory

SLUG = "jamstalldhet-kvinnofrid-2018-2020"
BASE = f"/medel-och-redovisningar/{SLUG}/2018/"

SECRETS = {
    "draft title": "UTKASTLACKA4711",
    "certified title": "INTYGATLACKA4712",
    "ledger reference": "REFLACKA9931",
    "ledger note": "ANTECKNINGLACKA9932",
    "reversal reason": "SKALLACKA9935",
    "person": "Hemlundsson",
    "receipt reference": "DNRLACKA9933",
    "document reference": "HANDLINGLACKA9934",
}
PUBLISHED = "INLAMNADSYNLIG4713"


@pytest.fixture
def unpublished(db: None) -> Any:
    # A coordinator with a distinctive name records entries with distinctive references and notes.
    user = persona("hemlig", Role.COORDINATOR)
    user.first_name, user.last_name = "Hemliga", SECRETS["person"]
    user.save()
    decision = decision_get(slug=SLUG)
    day = dt.date(2018, 6, 1)
    common = {"decision": decision, "year": 2018, "entry_date": day, "note": SECRETS["ledger note"]}
    reference = SECRETS["ledger reference"]
    entry_record(actor=user, kind="requisition", amount="9000000", reference=reference, **common)
    entry_record(
        actor=user, kind="requisition", amount="500000", reference=reference, county_code="12", **common
    )
    wrong = entry_record(
        actor=user, kind="requisition", amount="1234", reference=reference, county_code="12", **common
    )
    entry_reverse(actor=user, entry=wrong, reason=SECRETS["reversal reason"])
    # Reports: a draft and a certified version (unpublished), and a submitted one (public).
    ReportVersionFactory(kind=ReportKind.FINANCIAL, state=ReportState.DRAFT, title=SECRETS["draft title"])
    ReportVersionFactory(
        kind=ReportKind.FINANCIAL, state=ReportState.CERTIFIED, title=SECRETS["certified title"]
    )
    ReportVersionFactory(kind=ReportKind.RESULT, state=ReportState.SUBMITTED, title=PUBLISHED)
    # The financial report registered with the receiver's diary number and the document.
    obligation = Obligation.objects.get(decision__slug=SLUG, key="2018-financial_report")
    obligation_submit(
        obligation=obligation,
        submitted_on=dt.date(2019, 3, 29),
        receipt_reference=SECRETS["receipt reference"],
        document_reference=SECRETS["document reference"],
        actor=user,
    )
    return user


def public_answers(client: Client) -> dict[str, str]:
    """Every public page and answer this app serves for the year: the start page, the year, each
    county, each obligation and the JSON."""
    pages = {"/": client.get("/"), BASE: client.get(BASE), BASE + "json/": client.get(BASE + "json/")}
    year = pages[BASE].content.decode()
    for href in sorted(set(re.findall(rf'href="({re.escape(BASE)}(?:lan|redovisning)/[^"]+)"', year))):
        pages[href] = client.get(href)
    for key in Obligation.objects.filter(decision__slug=SLUG, year=2018, county__code="12").values_list(
        "key", flat=True
    ):
        pages[f"{BASE}redovisning/{key}/"] = client.get(f"{BASE}redovisning/{key}/")
    for url, response in pages.items():
        assert response.status_code == 200, url
    return {url: response.content.decode() for url, response in pages.items()}


def test_nothing_unpublished_reaches_a_public_page_or_the_json(unpublished: Any) -> None:
    answers = public_answers(Client())
    assert len(answers) > 25  # the start page, the year, 21 counties, the obligations, the JSON
    for url, body in answers.items():
        for what, secret in SECRETS.items():
            assert secret not in body, f"{what} ({secret}) shown on {url}"
    # …while what is public does show: the submitted report, the sums and the date handed in.
    year = answers[BASE]
    assert PUBLISHED in year
    assert "9\u00a0000\u00a0000\u00a0kr" in year  # requisitioned by SKR from the state
    skane = answers[f"{BASE}lan/12/"]
    assert "600\u00a0000\u00a0kr" in skane  # allocated (seed 002)
    assert "500\u00a0000\u00a0kr" in skane  # requisitioned; the reversed 1 234 kr nets out
    assert "1\u00a0234" not in skane
    assert "2019-03-29" in answers[f"{BASE}redovisning/2018-financial_report/"]


def test_a_signed_in_reader_sees_the_same_public_pages(unpublished: Any, rss_skane: Any) -> None:
    """The public pages are the same for everyone: a role does not add records to them."""
    client = Client()
    client.force_login(rss_skane)
    for url in (BASE, f"{BASE}lan/12/", f"{BASE}redovisning/2018-financial_report/", BASE + "json/"):
        body = client.get(url).content.decode()
        for secret in SECRETS.values():
            assert secret not in body, url


def test_the_entries_exist_so_the_test_would_catch_a_leak(unpublished: Any) -> None:
    assert LedgerEntry.objects.filter(reference=SECRETS["ledger reference"]).count() == 4
    assert LedgerEntry.objects.filter(recorded_by_name__contains=SECRETS["person"]).exists()


def test_the_cached_year_shows_a_new_ledger_entry_and_a_publication_at_once(db: None) -> None:
    client = Client()
    user = persona("kassor", Role.COORDINATOR)
    before = client.get(BASE).content.decode()
    assert "7\u00a0654\u00a0321\u00a0kr" not in before and "PUBLICERAD4714" not in before
    entry_record(
        actor=user,
        kind="requisition",
        amount="7654321",
        reference="R1",
        decision=decision_get(slug=SLUG),
        year=2018,
        entry_date=dt.date(2018, 6, 1),
    )
    after = client.get(BASE).content.decode()
    assert "7\u00a0654\u00a0321\u00a0kr" in after
    ReportVersionFactory(kind=ReportKind.RESULT, state=ReportState.SUBMITTED, title="PUBLICERAD4714")
    assert "PUBLICERAD4714" in client.get(BASE).content.decode()
    obligation = Obligation.objects.get(decision__slug=SLUG, key="2018-financial_report")
    obligation_submit(obligation=obligation, submitted_on=dt.date(2019, 3, 28), actor=user)
    assert "2019-03-28" in client.get(f"{BASE}redovisning/2018-financial_report/").content.decode()
    assert "2019-03-28" in client.get(BASE + "json/").content.decode()


def test_the_cached_year_costs_few_queries(db: None, django_assert_max_num_queries: Any) -> None:
    client = Client()
    client.get(BASE)
    with django_assert_max_num_queries(10):
        assert client.get(BASE).status_code == 200


def test_the_start_page_costs_the_same_queries_however_many_decision_years(db: None) -> None:
    """The anonymous start page reads every decision's years from the cache under five grouped
    stamp queries (`public_years`): it cost about seven queries per decision-year before (34 at
    four decision-years, 78 at ten), growing with every programme year since 2008 (issue 16).
    The years it shows are the year pages' own (one cache)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from jamkoll.volume import VolumeArgs, volume_generate
    from jamkoll.web.public import public_decision_years

    client = Client()

    def warm() -> tuple[int, str]:
        client.get("/")
        with CaptureQueriesContext(connection) as queries:
            page = client.get("/")
        assert page.status_code == 200
        return len(queries), page.content.decode()

    few, _page = warm()
    before = sum(len(years) for _d, years in public_decision_years())
    volume_generate(VolumeArgs(programmes=2, years=3, per_county=1))
    after = sum(len(years) for _d, years in public_decision_years())
    many, page = warm()
    assert after >= before + 3
    assert many == few <= 15, (few, many)
    # A generated year is on the start page, and its year page finds it in the same cache: its
    # first request is answered warm.
    (decision, years) = public_decision_years()[-1]
    link = f"/medel-och-redovisningar/{decision.slug}/{years[-1]}/"
    assert f'href="{link}"' in page
    with CaptureQueriesContext(connection) as queries:
        assert client.get(link).status_code == 200
    assert len(queries) <= 10
