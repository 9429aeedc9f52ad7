"""The plan page at volume (issues 15 and 16): summaries counted in SQL on the first screen, the
activities one page at a time, sorted on the server, and the same queries at 40 activities as at
thousands; the download still gives every selected row."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jamkoll.plans.models import Activity, ProjectPlan, SubProject
from jamkoll.plans.selectors import ZERO, ActivityFilter, activity_list, activity_summary
from jamkoll.plans.views import ACTIVITY_PAGE_SIZE
from jamkoll.programmes.selectors import decision_get
from tests.conftest import add_volume, client_for

pytestmark = pytest.mark.django_db
SLUG = "jamstalldhet-kvinnofrid-2018-2020"
URL = f"/planer/{SLUG}/2018/"
PER_COUNTY = 4  # 84 more activities: the year no longer fits one page


def _add_volume(capture: Any) -> None:
    add_volume(capture, per_county=PER_COUNTY)


def _clone_synthetic(times: int) -> int:
    """`times` more copies of every generated activity of the year, in bulk, in a sub-project of
    their own, in a section of their own and without a planned cost: they sort after the rows the
    measured views show first, so that both volumes' pages hold rows of the same kinds (a prefetch
    of a relation no row on the page has costs no query)."""
    decision = decision_get(slug=SLUG)
    extra = SubProject.objects.create(decision=decision, number=99, name="Kopior (genererade testdata)")
    originals = list(Activity.objects.filter(decision=decision, year=2018, code__startswith="syntetisk-"))
    copies = []
    for n in range(1, times + 1):
        for a in originals:
            copy = Activity.objects.get(pk=a.pk)
            copy.pk = None
            copy.code = f"{a.code}-kopia{n}"
            copy.sub_project = extra
            copy.report_section = "99"
            copy.planned_cost = None
            copy.budget_line = None
            copies.append(copy)
    created = Activity.objects.bulk_create(copies)
    through = Activity.counties.through
    through.objects.bulk_create(
        [through(activity_id=c.pk, organisation_id=c.owner_county_id) for c in created if c.owner_county_id]
    )
    return len(created)


def _queries(client: Any, params: dict[str, str]) -> tuple[int, Any]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(URL, params)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


VIEWS = [
    {},
    {"lan": "12"},
    {"sortera": "kostnad"},
    {"sortera": "avsnitt", "sida": "2"},
    {"delmal": "5", "sortera": "lan"},
    {"sortera": "avsnitt", "status": "completed"},
]


def test_the_page_costs_the_same_queries_and_one_page_at_two_volumes(
    coordinator: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(coordinator)
    client.get(URL)  # caches that fill on the first request (county names, the session)
    seeded_count, seeded_page = _queries(client, {})
    _add_volume(django_capture_on_commit_callbacks)
    small = {i: _queries(client, v) for i, v in enumerate(VIEWS)}
    assert small[0][0] == seeded_count
    small_total = Activity.objects.filter(decision__slug=SLUG, year=2018).count()
    added = _clone_synthetic(5)
    large = {i: _queries(client, v) for i, v in enumerate(VIEWS)}
    total = Activity.objects.filter(decision__slug=SLUG, year=2018).count()
    assert total == small_total + added and added == 5 * 21 * PER_COUNTY
    for i, params in enumerate(VIEWS):
        # The same queries whatever the volume (a page's rows of the same kinds, more of them).
        assert small[i][0] == large[i][0], (params, small[i][0], large[i][0])
        assert len(large[i][1].context["activities"]) <= ACTIVITY_PAGE_SIZE
    page = large[0][1]
    assert len(page.context["activities"]) == ACTIVITY_PAGE_SIZE
    assert page.context["table"].total == total
    assert page.context["summary"].total.activities == total
    assert len(seeded_page.content) > 0.5 * len(page.content)  # about the same size, not 10×
    html = page.content.decode()
    assert f"Rad 1–{ACTIVITY_PAGE_SIZE} av {total}" in html
    assert "Per delprojekt" in html and "Per målområde" in html and "Per län som genomför aktiviteten" in html


def test_the_download_gives_every_selected_row_not_one_page(
    coordinator: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _add_volume(django_capture_on_commit_callbacks)
    client = client_for(coordinator)
    response = client.get(URL, {"format": "csv", "sida": "2", "sortera": "kostnad", "ordning": "fallande"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    body = rows[3:]  # title, empty row, header
    assert len(body) == Activity.objects.filter(decision__slug=SLUG, year=2018).count()
    costs = [Decimal(r[6]) for r in body if r[6]]
    assert costs == sorted(costs, reverse=True)
    skane = client.get(URL, {"format": "csv", "lan": "12"})
    expected = activity_list(decision=decision_get(slug=SLUG), year=2018, filters=ActivityFilter(county="12"))
    assert len(list(csv.reader(io.StringIO(skane.content.decode("utf-8-sig"))))) - 3 == expected.count()


def _check_summary(filters: ActivityFilter) -> None:
    decision = decision_get(slug=SLUG)
    rows = list(activity_list(decision=decision, year=2018, filters=filters))
    summary = activity_summary(decision=decision, year=2018, filters=filters)

    def expect(group: list[Activity]) -> tuple[int, Decimal, int, dict[str, int]]:
        statuses: dict[str, int] = {}
        for a in group:
            statuses[a.status] = statuses.get(a.status, 0) + 1
        stated = [a.planned_cost for a in group if a.planned_cost is not None]
        return len(group), sum(stated, ZERO), len(stated), statuses

    def got(row: Any) -> tuple[int, Decimal, int, dict[str, int]]:
        return row.activities, row.planned_cost, row.costed, row.statuses

    def budget(group: list[Activity]) -> Decimal | None:
        lines = {a.budget_line_id: a.budget_line.amount for a in group if a.budget_line is not None}
        return None if not lines or None in lines.values() else sum(lines.values(), ZERO)

    assert got(summary.total) == expect(rows)
    assert summary.count == len(rows)  # what the table pages through, without a COUNT of its own
    for row in summary.by_sub_project:
        group = [a for a in rows if str(a.sub_project.number) == row.key]
        assert got(row) == expect(group), row.label
        assert row.budget == budget(group), row.label
    assert sum(r.activities for r in summary.by_goal_area) == len(rows)
    for row in summary.by_goal_area:
        group = [a for a in rows if str(a.goal_area.number) == row.key]
        assert got(row) == expect(group), row.label
        assert row.budget == budget(group), row.label
    assert sum(r.activities for r in summary.by_county) == len(rows)
    assert sum((r.planned_cost for r in summary.by_county), ZERO) == summary.total.planned_cost
    for row in summary.by_county:
        group = [a for a in rows if (a.owner_county.code if a.owner_county else "") == row.key]
        assert got(row) == expect(group), row.label


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    county=st.sampled_from([None, "12", "25", "06", "99"]),
    goal_area=st.sampled_from([None, 2, 3, 4, 6]),
    sub_goal=st.sampled_from([None, 3, 5]),
    status=st.sampled_from([None, "planned", "completed"]),
    sub_project=st.sampled_from([None, 1, 2]),
)
def test_the_summaries_equal_the_sums_of_the_rows(
    coordinator: Any,
    county: str | None,
    goal_area: int | None,
    sub_goal: int | None,
    status: str | None,
    sub_project: int | None,
) -> None:
    _check_summary(
        ActivityFilter(
            county=county, goal_area=goal_area, sub_goal=sub_goal, status=status, sub_project=sub_project
        )
    )


def test_the_summaries_hold_at_volume_and_say_not_decided(
    django_capture_on_commit_callbacks: Any,
) -> None:
    _add_volume(django_capture_on_commit_callbacks)
    _check_summary(ActivityFilter())
    _check_summary(ActivityFilter(county="12"))
    # A line whose amount is not decided makes its sub-project's budget "not decided".
    activity = Activity.objects.filter(decision__slug=SLUG, year=2018, budget_line__isnull=False).first()
    assert activity is not None and activity.budget_line is not None
    line = activity.budget_line
    type(line).objects.filter(pk=line.pk).update(amount=None)
    summary = activity_summary(decision=decision_get(slug=SLUG), year=2018)
    [row] = [r for r in summary.by_sub_project if r.key == str(activity.sub_project.number)]
    assert row.budget is None
    _check_summary(ActivityFilter())


@pytest.mark.parametrize(
    "params",
    [
        {"sortera": "'; DROP TABLE plans_activity; --"},
        {"sortera": "title"},  # a field name, not a column key
        {"sortera": "resultat"},  # a column that does not sort
        {"sortera": "x" * 1_000_000},
        {"sortera": "kostnad\x00", "ordning": "\x00"},
        {"sida": "9999"},
        {"sida": "-1"},
        {"sida": "1E+400"},
        {"sida": "alla"},
        {"ordning": "fallande"},
    ],
)
def test_hostile_sort_and_page_values_fall_back(coordinator: Any, params: dict[str, str]) -> None:
    response = client_for(coordinator).get(URL, params)
    if any("\x00" in v or len(v) > 100_000 for v in params.values()):
        # The site's input guard refuses a NUL byte or a megabyte value before any view.
        assert response.status_code == 400
        return
    assert response.status_code == 200
    table = response.context["table"]
    if params.get("sortera") != "kostnad":
        assert table.sort == "delprojekt"
    assert len(table.rows) <= ACTIVITY_PAGE_SIZE or params.get("sida") == "alla"


def test_sorting_and_filters_survive_each_others_links(
    coordinator: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _add_volume(django_capture_on_commit_callbacks)
    client = client_for(coordinator)
    response = client.get(URL, {"malomrade": "3", "sortera": "kostnad", "ordning": "fallande"})
    table = response.context["table"]
    costs = [a.planned_cost for a in table.rows]
    known = [c for c in costs if c is not None]
    assert known == sorted(known, reverse=True) and all(a.goal_area.number == 3 for a in table.rows)
    assert "malomrade=3" in table.next_href and "sortera=kostnad" in table.next_href
    assert all("malomrade=3" in h.href for h in table.headers if h.href)
    html = response.content.decode()
    assert '<input type="hidden" name="sortera" value="kostnad">' in html
    assert '<input type="hidden" name="ordning" value="fallande">' in html
    # A summary row selects its group, keeping the sort and the other filters.
    summary = response.context["summary"]
    skane = next(r for r in summary.by_county if r.key == "12")
    assert "lan=12" in skane.href and "malomrade=3" in skane.href and "sortera=kostnad" in skane.href
    second = client.get(URL + table.next_href.split("#")[0])
    assert second.context["table"].page.number == 2
    assert second.context["filters"].goal_area == 3 and second.context["table"].sort == "kostnad"


def test_verdicts_are_computed_for_the_page_only(
    coordinator: Any, django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    _add_volume(django_capture_on_commit_callbacks)
    from jamkoll.plans import views

    seen: list[int] = []
    real = views.activity_edit_verdicts

    def counting(*, actor: Any, activities: list[Activity]) -> Any:
        seen.append(len(activities))
        return real(actor=actor, activities=activities)

    monkeypatch.setattr(views, "activity_edit_verdicts", counting)
    client_for(coordinator).get(URL)
    assert seen == [ACTIVITY_PAGE_SIZE]


def test_a_failed_step_shows_the_error_summary_and_the_error_beside_its_field(
    coordinator: Any, ministry: Any
) -> None:
    from jamkoll.accounts.policy import SEED_LOADER
    from jamkoll.plans.services import plan_create, plan_transition

    plan = plan_create(decision=decision_get(slug=SLUG), year=2019, copy_from=None, actor=SEED_LOADER)
    plan_transition(
        plan=ProjectPlan.objects.get(pk=plan.pk),
        action="propose",
        on=dt.date(2019, 3, 29),
        reference="S2019/00123",
        comment="",
        actor=coordinator,
    )
    response = client_for(ministry).post(
        f"/planer/{SLUG}/2019/steg/send_back/", {"on": "2019-05-02", "reference": "S2019/1"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "data-error-summary" in html and "Något behöver rättas" in html
    assert 'href="#id_send_back_comment"' in html
    assert 'id="id_send_back_comment_error"' in html


def test_the_partner_filter_reads_each_partner_once_however_many_activities_name_it() -> None:
    """The filter's partners come from a subquery: a partner of many activities is read once, not
    once per activity (a join that grows with the plan)."""
    from jamkoll.plans.selectors import partner_list
    from jamkoll.reference.models import Organisation

    decision = decision_get(slug=SLUG)
    partner = Organisation.objects.filter(kind="lan", code="12").get()
    activities = list(Activity.objects.filter(decision=decision, year=2018)[:30])
    for activity in activities:
        activity.partners.add(partner)
    before = partner_list(decision=decision, year=2018)
    from jamkoll.programmes.selectors import as_of

    assert before.count(("12", partner.name_at(as_of(2018)))) == 1
    with CaptureQueriesContext(connection) as ctx:
        partner_list(decision=decision, year=2018)
    organisation_reads = [
        q["sql"] for q in ctx.captured_queries if q["sql"].startswith('SELECT "reference_organisation"."id"')
    ]
    assert organisation_reads and all(
        "plans_activity_partners" not in q.split(" FROM ")[1].split(" WHERE ")[0] for q in organisation_reads
    ), organisation_reads


def test_a_planned_cost_no_activity_states_is_not_zero_kronor(coordinator: Any) -> None:
    """The documents give no planned cost for 2018's activities: the plan page's summaries and the
    budget split say "ej angiven", not "0 kr" (nothing invented, issue 13); once some activities
    state one, the sum says how many of the row's activities it covers."""
    import re

    client = client_for(coordinator)
    url = f"/planer/{SLUG}/2018/"
    assert not Activity.objects.filter(decision__slug=SLUG, year=2018, planned_cost__isnull=False).exists()
    html = client.get(url).content.decode()
    summary = html.split('id="aktiviteter-sammanfattning"', 1)[1].split("</section>", 1)[0]
    assert "ej angiven" in summary and not re.search(r">0(&nbsp;|\s| )kr<", summary)
    assert 'planerad kostnad <span class="undecided">ej angiven</span>' in summary
    split = html.split("Planens fördelning av årets medel", 1)[1].split("</table>", 1)[0]
    assert "ej angiven" in split and not re.search(r">0(&nbsp;|\s| )kr<", split)

    one = Activity.objects.filter(decision__slug=SLUG, year=2018, budget_line__isnull=False).first()
    assert one is not None
    Activity.objects.filter(pk=one.pk).update(planned_cost=Decimal("1500"))
    n = Activity.objects.filter(decision__slug=SLUG, year=2018).count()
    summary = client.get(url).content.decode().split('id="aktiviteter-sammanfattning"', 1)[1]
    assert f"(1 av {n})" in summary.split("</p>", 1)[0]
