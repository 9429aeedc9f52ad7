"""Forms that choose among a year's activities (an evaluation's activities, a status report's new
row) at volume (issue 16): a list of the year's activities while it is short; when the year
holds more than a list can show (a national year has thousands: the evaluations page took 2.4 s
and 400 KB with a select of 4 242 options), a search on title and description and a list of the
chosen activities and the matches. The page costs the same queries and about the same bytes with a
few activities more or a thousand; the service checks the codes and names the unknown ones beside
the field. Users never see a code (issue 13)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jamkoll.plans import views_results
from jamkoll.plans.models import Activity, Evaluation, StatusReportItem
from jamkoll.plans.selectors import ActivityChoices, ActivityFilter, activity_choices
from jamkoll.plans.services import (
    CODE_MAX,
    EVALUATION_ACTIVITIES_MAX,
    evaluation_create,
    status_report_create,
    status_report_item_set,
)
from jamkoll.programmes.selectors import decision_get
from tests.conftest import add_volume, client_for
from tests.hostile import assert_refused, nothing_stored

pytestmark = pytest.mark.django_db
SLUG = "jamstalldhet-kvinnofrid-2018-2020"
EVALUATIONS = f"/planer/{SLUG}/2018/utvarderingar/"
REPORTS = f"/planer/{SLUG}/halvarsrapporter/"


@pytest.fixture
def decision() -> Any:
    return decision_get(slug=SLUG)


@pytest.fixture
def short_lists(monkeypatch: pytest.MonkeyPatch) -> int:
    """Lists of at most five activities: the seeded 2018 (42 activities) is then a year too large."""
    monkeypatch.setattr(views_results, "ACTIVITY_CHOICES_MAX", 5)
    return 5


def _codes(decision: Any, n: int) -> list[str]:
    return list(
        Activity.objects.filter(decision=decision, year=2018)
        .order_by("code")
        .values_list("code", flat=True)[:n]
    )


def test_activity_choices_lists_a_short_year_whole_in_plan_order(decision: Any) -> None:
    year = Activity.objects.filter(decision=decision, year=2018)
    n = year.count()
    with CaptureQueriesContext(connection) as ctx:
        listed = activity_choices(decision=decision, year=2018, limit=n)
    assert len(ctx.captured_queries) == 1
    assert listed.whole_year and len(listed.choices) == n
    assert {code for code, _title in listed.choices} == set(year.values_list("code", flat=True))
    first = year.order_by("sub_project__number", "report_section", "position", "code").first()
    assert first is not None and listed.choices[0] == (first.code, first.title)
    assert activity_choices(decision=decision, year=2031, limit=5) == ActivityChoices([], whole_year=True)


def test_a_large_year_offers_the_chosen_and_the_searchs_matches(decision: Any) -> None:
    year = Activity.objects.filter(decision=decision, year=2018)
    chosen = _codes(decision, 2)
    bare = activity_choices(decision=decision, year=2018, limit=10, chosen=chosen)
    assert not bare.whole_year and not bare.searched
    assert sorted(code for code, _t in bare.choices) == sorted(chosen)
    assert activity_choices(decision=decision, year=2018, limit=10).choices == []
    word = "nätverk"
    matching = {a.code for a in year if word in a.title.lower() or word in a.description.lower()}
    assert 0 < len(matching) <= 10, matching
    found = activity_choices(
        decision=decision, year=2018, limit=10, filters=ActivityFilter(text=word), chosen=chosen
    )
    assert found.searched and not found.more and found.found == len(matching)  # "N träffar"
    assert {code for code, _t in found.choices} == matching | set(chosen)
    overlapping = activity_choices(
        decision=decision, year=2018, limit=10, filters=ActivityFilter(text=word), chosen=sorted(matching)[:1]
    )
    assert overlapping.found == len(matching) and len(overlapping.choices) == len(matching)
    assert len(found.choices) == len({code for code, _t in found.choices})  # each once
    many = activity_choices(decision=decision, year=2018, limit=10, filters=ActivityFilter(text="e"))
    assert many.more and len(many.choices) == many.found == 10
    # A code that is not the year's, too long, not text or with a NUL (PostgreSQL refuses it in a
    # query) is no choice; the year's code beside them still is.
    odd = ["finns-inte", "x" * 10_000, 7, chosen[0] + "\x00", "\x00", chosen[0]]
    with CaptureQueriesContext(connection) as ctx:
        kept = activity_choices(decision=decision, year=2018, limit=10, chosen=odd)  # type: ignore[arg-type]
    assert [code for code, _t in kept.choices] == [chosen[0]]
    sql = " ".join(q["sql"] for q in ctx.captured_queries)
    assert "\x00" not in sql and "x" * 100 not in sql


def test_every_linked_activity_stays_offered_and_linked_beyond_the_list(
    coordinator: Any, decision: Any, short_lists: int
) -> None:
    """An evaluation may link more activities than a list offers: each stays chosen, and saving
    the page as shown unlinks none."""
    codes = _codes(decision, 8)
    evaluation = evaluation_create(
        decision=decision, year=2018, title="Bred", activities=codes, actor=coordinator
    )
    client = client_for(coordinator)
    url = f"{EVALUATIONS}{evaluation.pk}/"
    page = client.get(url).content.decode()
    selected = re.findall(r'<option value="([^"]+)"[^>]*selected', page)
    assert sorted(selected) == sorted(codes)
    form = {"title": "Bred", "activities": selected, "recommendations": "Fler."}
    assert client.post(url, form).status_code == 302
    assert sorted(evaluation.activities.values_list("code", flat=True)) == sorted(codes)


def test_a_short_year_is_a_list_to_choose_from(coordinator: Any) -> None:
    page = client_for(coordinator).get(EVALUATIONS).content.decode()
    assert '<select name="activities"' in page and "<option" in page
    assert 'id="sok-aktivitet"' not in page  # no search: the whole year is in the list


def test_a_large_year_is_searched_and_records_the_evaluation(
    coordinator: Any, decision: Any, short_lists: int
) -> None:
    client = client_for(coordinator)
    page = client.get(EVALUATIONS).content.decode()
    assert '<select name="activities"' in page and "<option" not in page
    assert 'type="search" id="sok-aktivitet" name="q"' in page and "för många för en lista" in page
    found = client.get(EVALUATIONS, {"q": "nätverk"}).content.decode()
    offered = re.findall(r'<option value="([^"]+)"', found)
    assert offered and f"{len(offered)} träff" in found
    nothing = client.get(EVALUATIONS, {"q": "ordsomintefinns"}).content.decode()
    assert "Ingen aktivitet hittades" in nothing and "<option" not in nothing
    a = offered[0]
    b = _codes(decision, 1)[0]  # not among the matches: any of the year's may be sent
    form = {"title": "Utvärdering med sökning", "findings": "Fynd.", "activities": [a, b]}
    assert client.post(f"{EVALUATIONS}?q=nätverk", form).status_code == 302
    created = Evaluation.objects.get(decision=decision, year=2018, title="Utvärdering med sökning")
    assert sorted(x.code for x in created.activities.all()) == sorted({a, b})
    # Its page offers the linked activities, chosen, without a search.
    edit = client.get(f"{EVALUATIONS}{created.pk}/").content.decode()
    selected = re.findall(r'<option value="([^"]+)"[^>]*selected', edit)
    assert sorted(selected) == sorted({a, b})
    assert client.post(f"{EVALUATIONS}{created.pk}/", {**form, "activities": [b]}).status_code == 302
    assert [x.code for x in created.activities.all()] == [b]


@pytest.mark.parametrize(
    ("activities", "message"),
    [
        (["finns-inte", "annan-saknas"], "Okända aktiviteter för 2018: finns-inte, annan-saknas."),
        (["2019-ingen\x01kod"], "tecken"),
        (["2019-ingen\x00kod"], "tecken"),
        (["\x00"], "tecken"),
        (["x" * (CODE_MAX + 1)], "Välj ur listan."),
        ([f"k{i}" for i in range(EVALUATION_ACTIVITIES_MAX + 1)], f"Högst {EVALUATION_ACTIVITIES_MAX}"),
        (["y" * 1_000_000], "Välj ur listan."),
    ],
    ids=["unknown", "control", "nul", "only-nul", "long-code", "too-many", "1MB"],
)
def test_a_large_year_refuses_bad_codes_beside_the_field_and_stores_nothing(
    coordinator: Any, short_lists: int, activities: list[str], message: str
) -> None:
    client = client_for(coordinator)
    with nothing_stored():
        refused = client.post(EVALUATIONS, {"title": "Ny", "activities": activities})
        assert refused.status_code == 400
        page = assert_refused(refused)
        error = page[page.find('id="id_activities_error"') :][:400]
        assert 'id="id_activities_error"' in page and message.lower() in error.lower(), error
        assert len(refused.content) < 100_000  # the value sent is not repeated back


def test_a_user_who_may_not_record_evaluations_is_refused_before_anything_is_read(
    rss_skane: Any, decision: Any, short_lists: int
) -> None:
    evaluation = Evaluation.objects.get(decision=decision, year=2018)
    client = client_for(rss_skane)
    with nothing_stored():
        for url in (EVALUATIONS, f"{EVALUATIONS}{evaluation.pk}/"):
            refused = client.post(url, {"title": "Kapad", "activities": ["a\x00b"]})
            assert refused.status_code == 403, url


@pytest.mark.parametrize("text", ["\x01", "a" * 1_000_000, "1E+400", "<script>", "%", "_"])
def test_a_hostile_search_is_answered_not_stored(coordinator: Any, short_lists: int, text: str) -> None:
    client = client_for(coordinator)
    with nothing_stored():
        response = client.get(EVALUATIONS, {"q": text})
        assert response.status_code in (200, 400)
        assert "<script>" not in response.content.decode()


def test_a_status_report_in_a_large_year_is_searched(
    coordinator: Any, decision: Any, short_lists: int
) -> None:
    report = status_report_create(decision=decision, period_start=dt.date(2018, 7, 1), actor=coordinator)
    url = f"/planer/{SLUG}/halvarsrapporter/2018-07-01/"
    client = client_for(coordinator)
    page = client.get(url).content.decode()
    assert 'id="sok-aktivitet"' in page and re.findall(r'<option value="([^"]+)"', page) == []
    offered = re.findall(r'<option value="([^"]+)"', client.get(url, {"q": "nätverk"}).content.decode())
    assert offered
    code = offered[0]
    assert client.post(f"{url}rad/?q=nätverk", {"activity": code, "progress": "Pågår."}).status_code == 302
    item = StatusReportItem.objects.get(report=report)
    assert (item.activity.code, item.progress) == (code, "Pågår.")
    # The row's own form carries its code hidden, and saving it replaces the row's text.
    page = client.get(url).content.decode()
    assert f'type="hidden" name="activity" value="{code}"' in page
    assert client.post(f"{url}rad/", {"activity": code, "progress": "Klar."}).status_code == 302
    assert StatusReportItem.objects.get(report=report).progress == "Klar."
    with nothing_stored():
        refused = client.post(f"{url}rad/", {"activity": "finns-inte", "progress": "X"})
        assert refused.status_code == 400
        assert "Ingen aktivitet finns-inte för 2018" in assert_refused(refused)
        nul = client.post(f"{url}rad/", {"activity": "a\x00b", "progress": "X"})
        assert nul.status_code == 400 and 'id="id_activity_error"' in assert_refused(nul)
    # The refused row is shown at the row's address: its search and pager lead on to the report.
    onward = client.get(f"{url}rad/", {"q": "nätverk", "sida": "2"})
    assert onward.status_code == 302 and onward["Location"] == f"{url}?q=n%C3%A4tverk&sida=2"
    assert client.get(f"{url}rad/")["Location"] == url
    with nothing_stored():
        empty = client.post(f"{url}rad/", {"activity": "", "progress": "X"})
        assert empty.status_code == 400 and 'id="id_activity_error"' in assert_refused(empty)


def _pages(client: Any, url: str) -> tuple[int, int]:
    client.get(url)  # what a first visit reads once (the session, the user's roles)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), len(response.content)


def test_the_pages_cost_the_same_queries_and_bytes_at_two_volumes(
    coordinator: Any, decision: Any, short_lists: int, django_capture_on_commit_callbacks: Any
) -> None:
    """With lists of at most five, both volumes are large years: the pages must not grow with it."""
    status_report_create(decision=decision, period_start=dt.date(2018, 7, 1), actor=coordinator)
    client = client_for(coordinator)
    urls = [EVALUATIONS, f"/planer/{SLUG}/halvarsrapporter/2018-07-01/"]
    before = [_pages(client, u) for u in urls]
    add_volume(django_capture_on_commit_callbacks, per_county=8)
    assert Activity.objects.filter(decision=decision, year=2018).count() >= 42 + 21 * 8
    after = [_pages(client, u) for u in urls]
    for url, (q0, b0), (q1, b1) in zip(urls, before, after, strict=True):
        assert q1 == q0, url
        assert abs(b1 - b0) < 2_000, (url, b0, b1)


def test_a_status_reports_rows_come_a_page_at_a_time(coordinator: Any, decision: Any) -> None:
    """A report holds up to ITEMS_MAX rows, each a form while it is a draft: 25 to a page, all
    reachable, in the activities' title order."""
    report = status_report_create(decision=decision, period_start=dt.date(2018, 1, 1), actor=coordinator)
    codes = _codes(decision, 30)
    for code in codes:
        status_report_item_set(report=report, activity=code, progress=f"Framsteg {code}.", actor=coordinator)
    url = f"/planer/{SLUG}/halvarsrapporter/2018-01-01/"
    client = client_for(coordinator)
    first = client.get(url).content.decode()
    second = client.get(url, {"sida": "2"}).content.decode()
    assert views_results.STATUS_REPORT_ROWS_PAGE == 25
    assert "Rad 1–25 av 30" in first and "Rad 26–30 av 30" in second
    assert first.count("Spara raden") == 25 and second.count("Spara raden") == 5
    by_title = list(report.items.order_by("activity__title", "pk").values_list("activity__code", flat=True))
    shown = [c for c in by_title if f"Framsteg {c}." in first]
    assert shown == by_title[:25]
    assert all(f"Framsteg {c}." in second for c in by_title[25:])
    assert 'href="?sida=2#framsteg"' in first
    # A row saved on the second page leads back to the second page.
    row = by_title[26]
    assert 'rad/?sida=2" class="form wide"' in second
    saved = client.post(f"{url}rad/?sida=2", {"activity": row, "progress": "Ändrad."})
    assert saved.status_code == 302 and saved["Location"] == f"{url}?sida=2#framsteg"
    assert report.items.get(activity__code=row).progress == "Ändrad."


# --- the search inside the form: what the user wrote is kept (a national year) ------------------

SEARCH = {"sok": "1"}  # the search button inside the form
JULY = f"{REPORTS}2018-07-01/"


@pytest.fixture
def july(coordinator: Any, decision: Any) -> Any:
    """A draft status report for the second half of 2018 (its new row's form has the search)."""
    return status_report_create(decision=decision, period_start=dt.date(2018, 7, 1), actor=coordinator)


def _values(page: str) -> tuple[list[str], list[str]]:
    """(the options offered, the options selected) of the page's activity list."""
    offered = re.findall(r'<option value="([^"]+)"', page)
    return offered, re.findall(r'<option value="([^"]+)"[^>]*selected', page)


def test_searching_inside_the_new_evaluation_keeps_what_was_written(
    coordinator: Any, decision: Any, short_lists: int
) -> None:
    client = client_for(coordinator)
    page = client.get(EVALUATIONS).content.decode()
    form_start = page.index('<form method="post" class="form wide"')
    assert page.index('id="sok-aktivitet"') > form_start  # the search is a part of the form it fills
    assert 'name="sok"' in page and "data-default-submit" in page
    chosen = _codes(decision, 1)[0]
    sent = {
        "title": "Halvskriven",
        "findings": "Anteckningar\növer två rader.",
        "activities": [chosen],
        "q": "nätverk",
        **SEARCH,
    }
    with nothing_stored():
        found = client.post(EVALUATIONS, sent)
    assert found.status_code == 200
    html = found.content.decode()
    assert 'value="Halvskriven"' in html and "Anteckningar\növer två rader.</textarea>" in html
    offered, selected = _values(html)
    assert selected == [chosen] and len(offered) > 1  # the chosen, and the matches beside it
    assert 'value="nätverk"' in html and "träff" in html
    assert "inte sparat" in html and 'class="error' not in html
    # A title not written yet is not refused by a search; its value is checked when it is there.
    untitled = client.post(EVALUATIONS, {k: v for k, v in sent.items() if k != "title"})
    assert untitled.status_code == 200 and "måste fyllas i" not in untitled.content.decode()
    assert not Evaluation.objects.filter(title="Halvskriven").exists()
    # Saved next from the page as shown, with a match chosen too.
    saved = client.post(EVALUATIONS, {**{k: v for k, v in sent.items() if k != "sok"}, "activities": offered})
    assert saved.status_code == 302
    created = Evaluation.objects.get(title="Halvskriven")
    assert sorted(a.code for a in created.activities.all()) == sorted(offered)


def test_searching_inside_an_evaluation_keeps_the_edits_and_the_chosen(
    coordinator: Any, decision: Any, short_lists: int
) -> None:
    codes = _codes(decision, 2)
    evaluation = evaluation_create(
        decision=decision, year=2018, title="Sparad", activities=codes[:1], actor=coordinator
    )
    url = f"{EVALUATIONS}{evaluation.pk}/"
    client = client_for(coordinator)
    sent = {"title": "Ändrad men osparad", "activities": codes, "q": "ordsomintefinns", **SEARCH}
    with nothing_stored():
        found = client.post(url, sent)
    assert found.status_code == 200
    html = found.content.decode()
    assert 'value="Ändrad men osparad"' in html and "Ingen aktivitet hittades" in html
    assert sorted(_values(html)[1]) == sorted(codes)  # the one just chosen stays chosen
    evaluation.refresh_from_db()
    assert evaluation.title == "Sparad"


def test_a_search_names_what_is_wrong_in_what_was_written_and_stores_nothing(
    coordinator: Any, short_lists: int
) -> None:
    client = client_for(coordinator)
    with nothing_stored():
        refused = client.post(EVALUATIONS, {"title": "Rad\x01brytning", "q": "a\x00b", **SEARCH})
        assert refused.status_code == 400
        page = assert_refused(refused)
        assert 'id="id_title_error"' in page and 'id="id_findings_error"' not in page


@pytest.mark.parametrize("words", ["a\x00b", "\x01", "\u202e", "x" * 1_000_000])
def test_hostile_search_words_are_named_beside_the_search_box_and_nothing_is_searched_or_stored(
    coordinator: Any, july: Any, short_lists: int, words: str
) -> None:
    """The search box's words come in the form's body, which the query-string guard does not see:
    PostgreSQL refuses a NUL in a query, so they are checked before any search."""
    report = july
    client = client_for(coordinator)
    with nothing_stored():
        for url, sent in (
            (EVALUATIONS, {"title": "Behålls", "q": words, **SEARCH}),
            (f"{JULY}rad/", {"progress": "Behålls", "q": words, **SEARCH}),
        ):
            refused = client.post(url, sent)
            assert refused.status_code == 400, url
            page = assert_refused(refused)
            error = page[page.find('id="sok-aktivitet-fel"') :][:300]
            assert 'id="sok-aktivitet-fel"' in error, page
            assert "Otillåtet tecken" in error or "Högst" in error, error
            assert 'aria-describedby="sok-aktivitet-fel ' in page and "Behålls" in page
            assert words not in page and len(page) < 200_000
            assert _values(page)[0] in ([], [""])  # no search ran: nothing but what was chosen
    assert not report.items.exists()


def test_a_search_is_refused_to_a_user_who_may_not_record(
    july: Any, rss_skane: Any, decision: Any, short_lists: int
) -> None:
    evaluation = Evaluation.objects.get(decision=decision, year=2018)
    client = client_for(rss_skane)
    with nothing_stored():
        for url in (EVALUATIONS, f"{EVALUATIONS}{evaluation.pk}/", f"{JULY}rad/"):
            refused = client.post(url, {"title": "X", "progress": "X", "q": "nätverk", **SEARCH})
            assert refused.status_code == 403, url


def test_searching_inside_a_status_reports_new_row_keeps_its_text(
    coordinator: Any, july: Any, short_lists: int
) -> None:
    report, url = july, JULY
    client = client_for(coordinator)
    page = client.get(url).content.decode()
    form_start = page.index('rad/" class="form wide"')
    assert page.index('id="sok-aktivitet"') > form_start
    with nothing_stored():
        found = client.post(f"{url}rad/", {"progress": "Skrivet innan sökningen.", "q": "nätverk", **SEARCH})
    assert found.status_code == 200
    html = found.content.decode()
    assert "Skrivet innan sökningen.</textarea>" in html
    offered = [c for c in _values(html)[0] if c]
    assert offered and not StatusReportItem.objects.filter(report=report).exists()
    saved = client.post(f"{url}rad/", {"activity": offered[0], "progress": "Skrivet innan sökningen."})
    assert saved.status_code == 302
    assert StatusReportItem.objects.get(report=report).activity.code == offered[0]


def test_after_a_search_the_reports_texts_are_saved_to_the_report(
    coordinator: Any, july: Any, short_lists: int
) -> None:
    """The page a search shows is the answer to the new row's address: the report's texts still
    go to the report's."""
    report, url = july, JULY
    client = client_for(coordinator)
    page = client.post(f"{url}rad/", {"progress": "", "q": "nätverk", **SEARCH}).content.decode()
    assert f'<form method="post" action="{url}" class="form wide"' in page
    saved = client.post(url, {"summary": "Sammanfattning efter sökningen."})
    assert saved.status_code == 302
    report.refresh_from_db()
    assert report.summary == "Sammanfattning efter sökningen."


def test_a_refused_save_keeps_the_search_and_its_matches(
    coordinator: Any, decision: Any, short_lists: int
) -> None:
    client = client_for(coordinator)
    found = client.post(EVALUATIONS, {"q": "nätverk", **SEARCH}).content.decode()
    offered = _values(found)[0]
    with nothing_stored():
        refused = client.post(EVALUATIONS, {"title": "", "q": "nätverk", "activities": offered[:1]})
    assert refused.status_code == 400
    page = assert_refused(refused)
    assert _values(page) == (offered, offered[:1]) and 'value="nätverk"' in page


def test_a_tab_in_the_search_words_is_a_space(coordinator: Any, short_lists: int) -> None:
    """A word pasted from a spreadsheet's cell may end in a tab, which a search box keeps."""
    found = client_for(coordinator).post(EVALUATIONS, {"q": "nätverk\t", **SEARCH})
    assert found.status_code == 200
    assert _values(found.content.decode())[0]


def test_a_save_does_not_use_the_search_words_whatever_they_are(
    coordinator: Any, decision: Any, short_lists: int
) -> None:
    """Saving (not searching) with refused words in the search box saves the form; the words are
    not searched, not stored and not shown again."""
    chosen = _codes(decision, 1)
    saved = client_for(coordinator).post(
        EVALUATIONS, {"title": "Sparad trots sökordet", "activities": chosen, "q": "a\x00b\u202e"}
    )
    assert saved.status_code == 302
    created = Evaluation.objects.get(title="Sparad trots sökordet")
    assert [a.code for a in created.activities.all()] == chosen
