"""Issue 13, class 8: the decision's documents are readable on its page of documents, section by
section with anchors, searchable (`?q=`), and the programme page links each condition, goal area
and figure to its section. Public, like the programme page; hostile searches never give a 500."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from jamkoll.programmes.models import Condition, DocumentSection

pytestmark = pytest.mark.django_db
AGREEMENT = "jamstalldhet-kvinnofrid-2018-2020"
PAGE = f"/beslut/{AGREEMENT}/handlingar/"
API = f"/api/v1/decisions/{AGREEMENT}/documents"


def test_the_documents_are_shown_whole_with_an_anchor_per_section(client: Client) -> None:
    response = client.get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    ids = set(re.findall(r'<section class="document-section" id="([^"]+)"', html))
    stored = {s.anchor for s in DocumentSection.objects.filter(document__decision__slug=AGREEMENT)}
    assert len(stored) == 28 and ids == stored
    assert 'id="handling-001-bilaga-1-8"' in html
    # readable: the document's titles, its headings and its text, never "seed 00x"
    assert "SKL:s cirkulär 2018-01-26 (ärendenr 17/05981)" in html
    assert "6.1 Stärka och utveckla samverkan på det jämställdhetspolitiska området" in html
    assert "där så är möjligt" in html
    assert "seed 0" not in html.lower()


def test_the_press_release_is_held_on_the_2021_decision(client: Client) -> None:
    html = client.get("/beslut/hedersrelaterat-2021/handlingar/").content.decode()
    assert 'id="handling-004-pressmeddelande"' in html
    assert (
        "Huvudfokus i arbetet ska vara att förebygga och motverka hedersrelaterat våld och förtryck." in html
    )


def test_a_search_finds_the_principle_of_section_1_and_marks_it(client: Client) -> None:
    response = client.get(PAGE, {"q": "Uppdelat  på kön"})
    assert response.status_code == 200
    html = response.content.decode()
    hits = html[
        html.index('class="search-hits"') : html.index("</section>", html.index('class="search-hits"'))
    ]
    assert 'href="#handling-001-bilaga-1-1"' in hits
    assert "<mark>uppdelat på kön</mark>" in hits
    assert "bilaga 1 §1" in hits


def test_a_search_that_finds_nothing_says_so(client: Client) -> None:
    html = client.get(PAGE, {"q": "finns inte i någon handling"}).content.decode()
    assert "0 avsnitt innehåller" in html


@pytest.mark.parametrize(
    "query",
    [
        "\x00",
        "x" * 10_000,
        "<script>alert(1)</script>",
        '"><img src=x onerror=alert(1)>',
        "%00",
        "(",
        "\\",
    ],
)
def test_a_hostile_search_is_answered_without_a_500_or_unescaped_echo(client: Client, query: str) -> None:
    response = client.get(PAGE, {"q": query})
    assert response.status_code in {200, 400}
    html = response.content.decode()
    assert "<script>alert" not in html and "<img src=x" not in html
    box = re.search(r'<input type="search" id="q" name="q" maxlength="200" value="([^"]*)">', html)
    if box:  # the search box shows the search back only within its bound, escaped
        assert len(box.group(1)) <= 200 * len("&quot;") and "<" not in box.group(1)
    if response.status_code == 200:
        assert 'id="handling-001-bilaga-1-8"' in html  # the documents are still shown


def test_a_search_that_is_not_utf8_is_answered_without_a_500(client: Client) -> None:
    response = client.get(PAGE + "?q=%ED%A0%80%FF%00")
    assert response.status_code in {200, 400}


def test_a_search_over_the_bound_is_refused_with_a_reason(client: Client) -> None:
    response = client.get(PAGE, {"q": "å" * 201})
    assert response.status_code == 400
    assert "Högst 200 tecken" in response.content.decode()
    assert client.get(PAGE, {"q": "å" * 200}).status_code == 200


def test_an_unknown_decision_is_a_404(client: Client) -> None:
    assert client.get("/beslut/finns-inte/handlingar/").status_code == 404


def test_the_programme_page_links_conditions_goals_and_figures_to_their_sections(client: Client) -> None:
    html = client.get("/satsningar/starkt-jamstalldhet-kvinnofrid-2018-2020/").content.decode()
    # The link's text without its markup (a date in it is kept whole by a <span class="nowrap">).
    links = [
        (href, re.sub(r"<[^>]+>", "", text))
        for href, text in re.findall(r'<a class="source-link" href="([^"]+)">(.*?)</a>', html)
    ]
    hrefs = {href for href, _ in links}
    assert f"{PAGE}#handling-001-bilaga-1-8" in hrefs  # the conditions of §8
    assert f"{PAGE}#handling-001-bilaga-1-4" in hrefs  # the goal areas
    assert f"{PAGE}#handling-001-bilaga-1-7" in hrefs  # the 2018 table
    assert f"{PAGE}#handling-000-bakgrund" in hrefs  # the board decision's split
    assert f"{PAGE}#handling-002-resurser-till-medlemmar" in hrefs  # the RSS rule
    texts = {text for _, text in links}
    assert "Källa: SKL:s cirkulär 2018-01-26 (ärendenr 17/05981), bilaga 1 §8" in texts
    conditions = Condition.objects.filter(decision__slug=AGREEMENT).count()
    assert (
        sum(
            1 for href, _ in links if href.endswith(("bilaga-1-5", "bilaga-1-8", "bilaga-1-9", "bilaga-1-10"))
        )
        >= conditions
    )
    assert f'action="{PAGE}"' in html  # the search box


def test_the_api_gives_the_documents_section_by_section(client: Client) -> None:
    response = client.get(API)
    assert response.status_code == 200
    data = response.json()
    assert [d["title"] for d in data["documents"]] == [
        "SKL:s cirkulär 2018-01-26 (ärendenr 17/05981)",
        "SKL:s förbundsstyrelses beslut om överenskommelsen",
        "SKL:s nyhet 2018-02-16 om överenskommelsen",
    ]
    circular = data["documents"][0]
    assert circular["kind"] == "circular" and circular["date"] == "2018-01-26"
    section_8 = next(s for s in circular["sections"] if s["number"] == "8")
    assert section_8["anchor"] == "handling-001-bilaga-1-8" and section_8["label"] == "bilaga 1 §8"
    assert "Underskrift i original" in section_8["text"]


def test_the_api_searches(client: Client) -> None:
    data = client.get(API, {"q": "uppdelat på kön"}).json()
    found = [s["anchor"] for d in data["documents"] for s in d["sections"]]
    assert found == ["handling-001-bilaga-1-1"]
    assert client.get(API, {"q": "x" * 201}).status_code == 422
    assert client.get(API, {"q": "\x00"}).status_code in {400, 422}
    assert client.get("/api/v1/decisions/finns-inte/documents").status_code == 404
