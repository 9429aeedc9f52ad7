"""Search (`/sok/?q=…`, issue 15): programmes, decisions and their texts, activities, partners,
counties and reports, grouped by kind, as far as the policy lets the user see them; hostile
queries get a clear message, never a 500."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from jamkoll.plans.models import Activity
from jamkoll.reference.models import Organisation, OrganisationName
from jamkoll.reports.models import ReportKind, ReportState
from jamkoll.web import search
from tests.conftest import add_volume, client_for
from tests.reports.factories import ReportVersionFactory

pytestmark = pytest.mark.django_db


def _kinds(response: Any) -> list[str]:
    return [g.key for g in response.context["groups"]]


def _hits(response: Any, kind: str) -> list[str]:
    return [h.title for g in response.context["groups"] if g.key == kind for h in g.hits]


def test_it_finds_a_programme_by_a_word_from_its_text(client: Any) -> None:
    response = client.get("/sok/", {"q": "maskulinitetsfrågor"})
    assert response.status_code == 200
    assert _hits(response, "satsningar") == ["Män och jämställdhet"]
    assert "/satsningar/man-och-jamstalldhet/" in response.content.decode()


def test_it_finds_a_decision_and_its_documents_texts(client: Any) -> None:
    response = client.get("/sok/", {"q": "hedersrelaterat"})
    assert "beslut" in _kinds(response)
    assert "handlingar" in _kinds(response)
    assert "/handlingar/?q=hedersrelaterat#handling-" in response.content.decode()


def test_it_finds_an_activity_for_a_signed_in_role(coordinator: Any) -> None:
    activity = Activity.objects.filter(owner_county__isnull=True).order_by("pk").first()
    assert activity is not None
    response = client_for(coordinator).get("/sok/", {"q": activity.title[:30]})
    assert activity.title in _hits(response, "aktiviteter")
    assert f"/aktivitet/{activity.code}/" in response.content.decode()


def test_it_finds_a_partner_and_the_activities_with_it(coordinator: Any) -> None:
    activity = Activity.objects.filter(partners__kind="other").order_by("pk").first()
    assert activity is not None
    partner = activity.partners.filter(kind="other").first()
    name = partner.name_at(dt.date.today())
    response = client_for(coordinator).get("/sok/", {"q": name})
    assert name in _hits(response, "partner")
    by_partner = client_for(coordinator).get("/sok/", {"q": name, "typ": "aktiviteter"})
    assert activity.title in _hits(by_partner, "aktiviteter")


def test_it_finds_a_county(client: Any, rss_skane: Any) -> None:
    response = client.get("/sok/", {"q": "Norrbotten"})
    assert _hits(response, "lan") == ["Norrbottens län"]
    signed_in = client_for(rss_skane).get("/sok/", {"q": "Skåne"})
    assert "Skåne län" in _hits(signed_in, "lan")[0]
    assert "/lan/12/" in signed_in.content.decode()


def test_the_anonymous_visitor_never_sees_unpublished_content(
    client: Any, no_role: Any, coordinator: Any, rss_norrbotten: Any
) -> None:
    ReportVersionFactory(kind=ReportKind.FINANCIAL, state=ReportState.DRAFT, title="Hemligt utkast 2018")
    ReportVersionFactory(
        kind=ReportKind.FINANCIAL, state=ReportState.SIGNED, title="Hemlig undertecknad 2018"
    )
    ReportVersionFactory(
        kind=ReportKind.RSS, state=ReportState.DRAFT, county_code="12", title="Hemlig länsrapport Skåne"
    )
    ReportVersionFactory(
        kind=ReportKind.RESULT, state=ReportState.SUBMITTED, title="Hemlig men inlämnad 2018"
    )
    activity = Activity.objects.order_by("pk").first()
    assert activity is not None
    for visitor in (client, client_for(no_role)):
        response = visitor.get("/sok/", {"q": "Hemlig"})
        assert _hits(response, "rapporter") == [f"Hemlig men inlämnad 2018, version {_version('inlämnad')}"]
        page = response.content.decode()
        assert "utkast" not in page.lower().split("<main")[1].split("hemlig men")[0]
        assert (
            "Hemligt utkast" not in page and "Hemlig undertecknad" not in page and "länsrapport" not in page
        )
        # Activities and partners are for those with a role in the programme.
        assert _hits(visitor.get("/sok/", {"q": activity.title[:30]}), "aktiviteter") == []
    # The coordinator sees every draft; an RSS leader only their own county's.
    assert len(_hits(client_for(coordinator).get("/sok/", {"q": "Hemlig"}), "rapporter")) == 4
    norrbotten = _hits(client_for(rss_norrbotten).get("/sok/", {"q": "Hemlig"}), "rapporter")
    assert norrbotten == [f"Hemlig men inlämnad 2018, version {_version('inlämnad')}"]


def _version(word: str) -> int:
    from jamkoll.reports.models import ReportVersion

    return ReportVersion.objects.get(title__contains=word).version


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("abc\x00def", "Otillåtet tecken (U+0000)"),
        ("x" * 1_000_000, "Högst 500 tecken (nu 1000000)"),  # the site's hostile-query guard
        ("x" * 300, "högst 200 tecken (nu 300)"),  # the search's own bound
        ("bell\x07", "Otillåtet tecken (U+0007)"),
        ("\u202eevil", "Otillåtet tecken (U+202E)"),
    ],
)
def test_a_hostile_query_gets_a_clear_message_never_a_500(client: Any, query: str, message: str) -> None:
    response = client.get("/sok/", {"q": query})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "Sök" in response.content.decode()  # the site's page, with the header's search box
    assert not (response.context.get("groups") or [])


def test_odd_paging_and_kinds_are_harmless(client: Any) -> None:
    for params in (
        {"q": "län", "typ": "<script>", "sida": "-1"},
        {"q": "län", "sida": "9" * 50},
        {"q": "   "},
    ):
        assert client.get("/sok/", params).status_code == 200


def test_many_hits_are_paged(client: Any) -> None:
    first = client.get("/sok/", {"q": "län"})
    counties = next(g for g in first.context["groups"] if g.key == "lan")
    assert len(counties.hits) == search.PER_KIND and counties.more
    second = client.get("/sok/", {"q": "län", "typ": "lan", "sida": 2})
    rest = second.context["groups"][0]
    assert rest.page == 2 and 0 < len(rest.hits) <= search.PER_KIND
    assert not {h.title for h in rest.hits} & {h.title for h in counties.hits}
    assert "Föregående" in second.content.decode()


def test_the_header_has_one_search_form(client: Any) -> None:
    html = client.get("/").content.decode()
    assert html.count('class="site-search"') == 1 and 'action="/sok/"' in html


def test_a_search_costs_a_bounded_number_of_queries(coordinator: Any) -> None:
    c = client_for(coordinator)
    c.get("/sok/", {"q": "a"})
    with CaptureQueriesContext(connection) as ctx:
        assert c.get("/sok/", {"q": "a"}).status_code == 200
    assert len(ctx.captured_queries) <= 20


def _activity_pages(client: Any, query: str) -> list[list[str]]:
    """Every page of the activities found for `query`, as their links (titles repeat in generated
    data; a link names one activity)."""
    pages: list[list[str]] = []
    for page in range(1, search.PAGE_MAX + 1):
        response = client.get("/sok/", {"q": query, "typ": "aktiviteter", "sida": page})
        groups = response.context["groups"]
        if not groups:
            break
        pages.append([h.url for h in groups[0].hits])
        if not groups[0].more:
            break
    return pages


def test_activities_are_paged_in_order_without_gaps_or_repeats(
    coordinator: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """Issue 16: activities found by text and by partner are merged from two queries; paging
    through them gives each match once, in `ACTIVITY_ORDER`, and an activity that matches both
    ways is not counted twice."""
    add_volume(django_capture_on_commit_callbacks, per_county=2)  # 42 "Syntetisk aktivitet …"
    matching = Activity.objects.filter(title__icontains="syntetisk")
    both = matching.order_by("pk").first()
    assert both is not None and matching.count() == 42
    partner = (
        Organisation.objects.filter(kind="other", partner_activities__isnull=False).order_by("pk").first()
    )
    assert partner is not None
    # The partner's name holds the word too: this activity is found by text and by partner.
    OrganisationName.objects.filter(organisation=partner).update(name="Syntetisk partner")
    both.partners.add(partner)
    only_by_partner = list(partner.partner_activities.exclude(pk=both.pk).order_by("pk"))
    assert only_by_partner  # activities found by the partner alone are merged in too
    c = client_for(coordinator)
    pages = _activity_pages(c, "syntetisk")
    links = [link for page in pages for link in page]
    assert [len(p) for p in pages] == [search.PER_KIND] * (len(links) // search.PER_KIND) + (
        [len(links) % search.PER_KIND] if len(links) % search.PER_KIND else []
    )
    expected = (
        Activity.objects.filter(
            pk__in=[*matching.values_list("pk", flat=True), *(a.pk for a in only_by_partner)]
        )
        .order_by(*search.ACTIVITY_ORDER)
        .select_related("decision", "owner_county")
    )
    assert len(links) == len(set(links)) == expected.count() == 42 + len(only_by_partner)
    codes = [link.rstrip("/").rsplit("/", 1)[-1] for link in links]
    assert codes == [a.code for a in expected]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram indexes are PostgreSQL's")
def test_the_search_indexes_serve_the_search_queries() -> None:
    """Issue 16: the expressions Django writes for `icontains` are those the trigram indexes of
    plans 0006 hold (with only bitmap scans left, the plan names them), and the order of
    `ACTIVITY_ORDER` is the order index's."""
    text = Activity.objects.filter(
        Q(title__icontains="barnahus") | Q(description__icontains="barnahus") | Q(code__icontains="barnahus")
    )
    with connection.cursor() as cursor:
        # Only a bitmap scan left: one that the conditions can use, or the disabled sequential scan.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        plan = text.order_by().values_list("pk").explain()
        # The order index: checked in the catalogue, since which index an ordered scan takes
        # depends on the table's statistics.
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'activity_search_order'")
        [(order_index,)] = cursor.fetchall()
    for name in ("activity_title_trgm", "activity_description_trgm", "activity_code_trgm"):
        assert name in plan
    assert order_index.endswith('USING btree (year DESC, decision_id, "position", id)')
    assert search.ACTIVITY_ORDER == ("-year", "decision_id", "position", "pk")
