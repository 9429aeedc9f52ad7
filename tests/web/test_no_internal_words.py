"""Issue 13, class 10: users see titles, names and Swedish labels, never the system's own words.

A bounded crawl follows every internal link from the start page, as the public and as two
roles, and reads each page's visible text (not its attributes: a slug in a link is fine) for:
a data file's "seed 00x" citation, a decision's or programme's slug, an activity code, a Python
`None`, a raw choice value ("ongoing", "requisition", …) and a county shown by its code only
("Berörda län 25", "RSS 06"). Before the crawl an activity's status and dates change and a report
is made, so that the change history and the report archive have something to show.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from jamkoll.history import value_text
from jamkoll.plans.models import Activity
from jamkoll.plans.selectors import activity_changes
from jamkoll.plans.services import activity_update
from jamkoll.programmes.models import FundingDecision, Programme
from jamkoll.reference.models import Organisation
from jamkoll.reports.services import report_generate
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

SLUG = "jamstalldhet-kvinnofrid-2018-2020"
RAW_CHOICES = (
    "ongoing",
    "completed",
    "planned",
    "cancelled",
    "requisition",
    "financial_report",
    "project_plan",
    "status_report",
    "equality_policy",
    "agreement",
    "rss",
    "state",
    "draft",
    "submitted",
    "fixed",
)
PAGES = 160  # per role
PER_SHAPE = 3  # pages of one shape (an activity, an obligation, a county…) per role


def _patterns() -> dict[str, re.Pattern[str]]:
    slugs = {
        *Programme.objects.values_list("slug", flat=True),
        *FundingDecision.objects.values_list("slug", flat=True),
    }
    # A one-word slug ("modellkommuner") is also a word of the programme's title.
    slugs = sorted((s for s in slugs if "-" in s), key=len, reverse=True)
    return {
        "seed citation": re.compile(r"\bseed 0\d\d", re.IGNORECASE),
        "slug": re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, slugs)) + r")(?![\w-])"),
        "activity code": re.compile(r"(?<![\w-])\d{4}-\d+-\d+-[a-z]"),
        "None": re.compile(r"\bNone\b"),
        "raw choice": re.compile(r"(?<![\w-])(" + "|".join(RAW_CHOICES) + r")(?![\w-])"),
        "county code": re.compile(r"\bRSS \d\d\b"),
        "county codes": re.compile(r"^\d\d(, \d\d)+$"),
    }


# Across text nodes: <dt>Berörda län</dt><dd>25</dd>; a code beside a name is fine ("25 Norrbottens län").
COUNTY_LIST = re.compile(r"Berörda län:? \d\d(?! \w+ län)")


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self.links: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "template"):
            self._hidden += 1
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.links.append(href)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "template"):
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        text = " ".join(data.split())
        if text and not self._hidden:
            self.texts.append(text)


def _shape(path: str) -> str:
    """/planer/x/2018/aktivitet/2018-4-1-abc/ and …/2018-3-1-def/ are one shape."""
    kinds = "aktivitet|lan|resultat|atagande|utvarderingar|styrgrupp|halvarsrapporter"
    shape = re.sub(rf"/({kinds})/[^/]+", r"/\1/*", path)
    return re.sub(r"/\d+/", "/N/", shape)


def _skip(path: str) -> bool:
    admin = "/" + settings.ADMIN_PATH
    if path.startswith((admin, "/api/", "/logga-ut/", "/i18n/", "/static/", "/tidsfrister/feed/")):
        return True
    return "/fil/" in path or path.endswith(".ics")


def crawl(client: Client, patterns: dict[str, re.Pattern[str]], start: list[str]) -> tuple[list[str], int]:
    """Findings "page: kind: text" on every page reachable from `start`; and the pages read."""
    seen: set[str] = set()
    shapes: Counter[str] = Counter()
    queue = list(start)
    findings: list[str] = []
    while queue and len(seen) < PAGES:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        page = _Page()
        page.feed(response.content.decode())
        for text in page.texts:
            for kind, pattern in patterns.items():
                if pattern.search(text):
                    findings.append(f"{url}: {kind}: {text[:160]}")
        for match in COUNTY_LIST.finditer(" ".join(page.texts)):
            findings.append(f"{url}: county code: {match.group()}")
        for href in page.links:
            parts = urlsplit(urljoin(url, href))
            if parts.netloc not in ("", "testserver") or _skip(parts.path):
                continue
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            if path in seen or path in queue:
                continue
            shape = _shape(parts.path) + ("?" if parts.query else "")
            if shapes[shape] >= PER_SHAPE:
                continue
            shapes[shape] += 1
            queue.append(path)
    return findings, len(seen)


@pytest.fixture
def changed(coordinator: Any) -> Activity:
    """An activity whose status and actual dates change, and a report in the archive."""
    activity = Activity.objects.get(decision__slug=SLUG, year=2018, code__startswith="2018-3-1-checklista")
    assert (activity.status, activity.actual_start) == ("ongoing", None)
    activity_update(
        activity=activity,
        actor=coordinator,
        status="completed",
        actual_start=dt.date(2018, 9, 1),
        actual_end=dt.date(2018, 12, 14),
    )
    decision = FundingDecision.objects.get(slug=SLUG)
    report_generate(actor=coordinator, kind="result", decision=decision, year=2018, formats=("html",))
    return activity


def test_the_change_history_speaks_the_users_language(changed: Activity) -> None:
    lines = [line for entry in activity_changes(activity=changed) for line in entry.changes]
    assert "status: Pågår → Genomförd" in lines, lines
    assert "faktisk start: tomt → 1 september 2018" in lines, lines
    assert not any("None" in line or "ongoing" in line or "completed" in line for line in lines), lines


def test_the_change_history_in_english(changed: Activity) -> None:
    with translation.override("en"):
        lines = [line for entry in activity_changes(activity=changed) for line in entry.changes]
    assert "status: Ongoing → Completed" in lines, lines


def test_a_related_object_in_the_history_reads_as_its_name() -> None:
    county = Organisation.objects.get(code="06", kind="lan")
    assert "Jönköpings län" in value_text(Activity._meta.get_field("owner_county"), county.pk)
    assert value_text(Activity._meta.get_field("owner_county"), None) == "tomt"


@pytest.mark.parametrize("role", ["public", "coordinator", "rss_skane"])
def test_no_page_shows_internal_words(role: str, changed: Activity, request: pytest.FixtureRequest) -> None:
    client = Client() if role == "public" else client_for(request.getfixturevalue(role))
    # The start page, and the changed activity (its page is one of many of its shape).
    start = ["/", f"/planer/{SLUG}/2018/aktivitet/{changed.code}/"]
    findings, pages = crawl(client, _patterns(), start)
    assert pages > (15 if role == "public" else 60), pages
    assert not findings, f"{len(findings)} internal words on {pages} pages:\n" + "\n".join(findings)
