"""Issue 13, class 6: every text about 2018 names the organisation as it was named then.

SKL (Sveriges Kommuner och Landsting) became SKR (Sveriges Kommuner och Regioner) on 2019-11-27
(reference/data/organisation_names.csv). A document or page about 2018 says SKL; one about 2020
says SKR. What may say SKR on a 2018 page is only what is about today:
- outside the page's <main>, the site's footer and the signed-in account's menu;
- the permission policy's refusal reasons ("Projektplanen ändras av SKR:s samordnare."): they
  say who may act in the system now, whatever year the page is about (`accounts.policy.RULES`).
Everything else inside <main> that names the organisation names it as on the year's last day.
"""

from __future__ import annotations

import datetime as dt
import re
from html import unescape
from typing import Any

import pytest

from jamkoll.programmes.selectors import decision_get
from jamkoll.reports.assemblers import financial_report, result_report, rss_report, status_report
from jamkoll.reports.document import Document
from jamkoll.reports.renderers import render
from tests.conftest import client_for

pytestmark = pytest.mark.django_db
SLUG = "jamstalldhet-kvinnofrid-2018-2020"
TODAY_NAMES = ("SKR", "Sveriges Kommuner och Regioner")


@pytest.fixture
def agreement() -> Any:
    return decision_get(slug=SLUG)


def _today_names(text: str) -> list[str]:
    """Each place `text` says SKR or its full name, with a little context."""
    found = []
    for name in TODAY_NAMES:
        for m in re.finditer(rf"\b{re.escape(name)}\b", text):
            found.append(text[max(0, m.start() - 60) : m.end() + 30].replace("\n", " "))
    return found


def _documents_2018(agreement: Any) -> dict[str, Document]:
    return {
        "result": result_report(decision=agreement, year=2018),
        "financial": financial_report(decision=agreement, year=2018),
        "rss 12": rss_report(decision=agreement, year=2018, county_code="12"),
        "rss 25": rss_report(decision=agreement, year=2018, county_code="25"),
        "status H1": status_report(decision=agreement, year=2018, period_start=dt.date(2018, 1, 1)),
        "status H2": status_report(decision=agreement, year=2018, period_start=dt.date(2018, 7, 1)),
    }


def test_every_2018_document_names_skl_in_every_format(agreement: Any) -> None:
    problems = {}
    for name, document in _documents_2018(agreement).items():
        for fmt in ("html", "md"):
            text = render(document, fmt).decode("utf-8")
            assert "SKL" in text or "Sveriges Kommuner och Landsting" in text, (name, fmt)
            if found := _today_names(text):
                problems[f"{name} ({fmt})"] = found
    assert problems == {}, problems


def test_the_2018_county_report_says_requisitioned_from_skl(agreement: Any) -> None:
    text = render(rss_report(decision=agreement, year=2018, county_code="12"), "md").decode("utf-8")
    assert "Rekvirerat från SKL" in text
    assert "Utbetalt av SKL" in text
    assert "Redovisning till Sveriges Kommuner och Landsting" in text


def test_a_2020_document_names_skr(agreement: Any) -> None:
    for document in (
        rss_report(decision=agreement, year=2020, county_code="12"),
        financial_report(decision=agreement, year=2020),
    ):
        text = render(document, "md").decode("utf-8")
        assert "SKR" in text
        assert "SKL" not in text


def _policy_reasons() -> list[str]:
    """The policy's refusal reasons, longest first: each says who may act today."""
    from django.utils import translation

    from jamkoll.accounts.policy import RULES

    with translation.override("sv"):
        reasons = {str(rule.refusal) for rule in RULES.values()}
        reasons |= {str(reason) for rule in RULES.values() for _check, reason in rule.conditions}
    return sorted((r for r in reasons if r.strip()), key=len, reverse=True)


def _main(html: str) -> str:
    """The text of the page's <main> as a reader sees it: without tags and attributes (a form's
    option value "SKR" is a code, its label is text)."""
    m = re.search(r"<main\b.*?</main>", html, re.S)
    assert m, "the page has no <main>"
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", m.group(0), flags=re.S)
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]*>", " ", text)))


def _pages_2018(agreement: Any) -> list[tuple[str, str]]:
    """(persona fixture, url) of every page about 2018."""
    activity = agreement.activities.filter(year=2018).order_by("pk").first()
    pages = [
        ("coordinator", f"/planer/{SLUG}/2018/"),
        ("coordinator", f"/medel/{SLUG}/2018/"),
        ("coordinator", f"/rss/{SLUG}/2018/"),
        ("coordinator", f"/planer/{SLUG}/2018/lan/12/"),
        ("coordinator", f"/planer/{SLUG}/2018/utvarderingar/"),
        ("coordinator", f"/planer/{SLUG}/halvarsrapporter/2018-01-01/"),
        ("coordinator", f"/planer/{SLUG}/halvarsrapporter/2018-07-01/"),
        ("rss_skane", f"/planer/{SLUG}/2018/lan/12/"),
        ("rss_skane", f"/medel/{SLUG}/2018/"),
        ("rss_skane", f"/rss/{SLUG}/2018/"),
        ("treasury", f"/medel/{SLUG}/2018/"),
        ("ministry", f"/planer/{SLUG}/2018/"),
    ]
    if activity is not None:
        pages.append(("coordinator", f"/planer/{SLUG}/2018/aktivitet/{activity.code}/"))
    return pages


def test_every_2018_page_names_skl(agreement: Any, coordinator: Any, request: pytest.FixtureRequest) -> None:
    from jamkoll.plans.services import status_report_create
    from jamkoll.reports.services import report_generate

    for start in (dt.date(2018, 1, 1), dt.date(2018, 7, 1)):
        status_report_create(decision=agreement, period_start=start, actor=coordinator, summary="Läget.")
    pages = _pages_2018(agreement)
    for kind, county, start in (
        ("result", None, None),
        ("financial", None, None),
        ("rss", "12", None),
        ("status", None, dt.date(2018, 7, 1)),
    ):
        version = report_generate(
            actor=coordinator,
            kind=kind,
            decision=agreement,
            year=2018,
            county_code=county,
            period_start=start,
            formats=("html",),
        )
        pages.append(("coordinator", f"/rapporter/{version.pk}/"))
    problems: dict[str, list[str]] = {}
    reasons = _policy_reasons()
    for who, url in pages:
        response = client_for(request.getfixturevalue(who)).get(url)
        assert response.status_code == 200, (who, url, response.status_code)
        main = _main(response.content.decode("utf-8"))
        # A county's implementation plan names only its county: it must not say SKR, and has no
        # reason to say SKL.
        if not url.endswith("/lan/12/"):
            assert "SKL" in main, (who, url)
        for reason in reasons:
            main = main.replace(reason, " ")
        if found := _today_names(main):
            problems[f"{who} {url}"] = found
    assert problems == {}, problems


def test_the_2018_deadlines_page_names_skl(coordinator: Any) -> None:
    response = client_for(coordinator).get(f"/tidsfrister/{SLUG}/2018/")
    assert response.status_code == 200
    main = _main(response.content.decode("utf-8"))
    for reason in _policy_reasons():
        main = main.replace(reason, " ")
    assert _today_names(main) == []


def test_the_2018_agreements_form_names_its_organisations_as_in_2018(coordinator: Any) -> None:
    """The registered 2018 decision's form lists the organisations by their names on its date; a
    new decision's form by today's."""
    page = client_for(coordinator).get(f"/beslut/{SLUG}/").content.decode("utf-8")
    assert "Sveriges Kommuner och Landsting (SKL)" in page
    assert "Sveriges Kommuner och Regioner" not in _main(page)
    new = client_for(coordinator).get("/beslut/ny/").content.decode("utf-8")
    assert "Sveriges Kommuner och Regioner (SKR)" in new
