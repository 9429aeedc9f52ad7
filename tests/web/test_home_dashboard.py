"""The signed-in start page (issue 15): what is due for me, what waits for my decision (with what
changed since the last version) and what I did last, each as the policy says, in a bounded
number of queries."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jamkoll.ledger.services import entry_record, entry_reverse
from jamkoll.obligations.models import Obligation
from jamkoll.plans.models import Activity, PlanComment, ProjectPlan
from jamkoll.plans.services import (
    county_plan_create,
    county_plan_update,
    output_create,
    plan_new_version,
    plan_transition,
    plan_update,
)
from jamkoll.programmes.selectors import decision_get
from jamkoll.reports.models import ReportFile, ReportKind, ReportState, ReportVersion
from jamkoll.web import dashboard
from tests.conftest import client_for
from tests.plans.factories import ProjectPlanFactory
from tests.reports.factories import ReportVersionFactory

pytestmark = pytest.mark.django_db

SLUG = "jamstalldhet-kvinnofrid-2018-2020"


def _md(version: ReportVersion, text: str) -> None:
    content = text.encode()
    ReportFile.objects.create(
        version=version,
        format="md",
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
    )


def _financial_draft(preparer: Any, *, version: int = 1, text: str = "", **fields: Any) -> ReportVersion:
    draft = ReportVersionFactory(
        kind=ReportKind.FINANCIAL,
        version=version,
        state=ReportState.DRAFT,
        generated_by=preparer,
        title="Ekonomisk redovisning 2018",
        **fields,
    )
    if text:
        _md(draft, text)
    return draft


def _queue_text(user: Any) -> str:
    html = client_for(user).get("/").content.decode()
    start = html.index('id="queue-heading"')
    end = html.find('id="todo-heading"')
    return html[start : end if end > 0 else html.index('id="recent-heading"')]


def test_the_certifier_sees_a_draft_to_certify_the_preparer_does_not(
    coordinator: Any, certifier: Any, signatory: Any
) -> None:
    _financial_draft(coordinator)
    assert "Intyga" in _queue_text(certifier)
    assert "Ekonomisk redovisning 2018" in _queue_text(certifier)
    # The coordinator may not certify; the signatory's step (signing) is not open yet.
    assert "Ekonomisk redovisning 2018" not in _queue_text(coordinator)
    assert "Ekonomisk redovisning 2018" not in _queue_text(signatory)


def test_four_eyes_keeps_the_certifiers_own_draft_out_of_their_queue(certifier: Any) -> None:
    _financial_draft(certifier)
    assert "Ekonomisk redovisning 2018" not in _queue_text(certifier)


def test_the_signatory_sees_a_certified_version_with_what_changed(coordinator: Any, signatory: Any) -> None:
    draft = _financial_draft(coordinator)
    ReportVersionFactory(
        kind=ReportKind.FINANCIAL,
        version=2,
        state=ReportState.CERTIFIED,
        supersedes=draft,
        title="Ekonomisk redovisning 2018",
        deviations="Lönekostnaderna blev lägre.",
    )
    text = _queue_text(signatory)
    assert "Underteckna" in text
    assert "Intygad av Eva Ek" in text
    assert "Avvikelser: Lönekostnaderna blev lägre." in text
    assert "Samma underlag" not in text  # the certification is the change


def test_the_coordinator_sees_a_signed_report_to_submit(coordinator: Any, certifier: Any) -> None:
    ReportVersionFactory(
        kind=ReportKind.FINANCIAL, version=3, state=ReportState.SIGNED, title="Ekonomisk 2018"
    )
    assert "Registrera inlämning" in _queue_text(coordinator)
    assert "Ekonomisk 2018" not in _queue_text(certifier)


def test_a_new_draft_shows_the_lines_that_changed_in_the_document(coordinator: Any, certifier: Any) -> None:
    _financial_draft(coordinator, version=1, text="# Redovisning\n\nUtgifter 100 kr\nIntäkter 5 kr\n")
    _financial_draft(
        coordinator,
        version=2,
        text="# Redovisning\n\nUtgifter 250 kr\nIntäkter 5 kr\n",
        fingerprint="1" * 64,
    )
    text = _queue_text(certifier)
    assert "version 2" in text
    assert "version 1" not in text.split("Underlaget")[0]  # only the newest version waits
    assert "Underlaget har ändrats sedan version 1" in text
    assert "- Utgifter 100 kr" in text
    assert "+ Utgifter 250 kr" in text
    assert "Intäkter" not in text  # unchanged lines are not shown


def test_the_first_version_says_so(coordinator: Any, certifier: Any) -> None:
    _financial_draft(coordinator)
    assert "Första versionen." in _queue_text(certifier)


def _proposed_plan(coordinator: Any) -> ProjectPlan:
    fixed = ProjectPlan.objects.get(decision__slug=SLUG, year=2018, version=1)
    draft = plan_new_version(plan=fixed, actor=coordinator)
    draft = plan_update(plan=draft, actor=coordinator, summary="En ny sammanfattning.")
    return plan_transition(
        plan=draft, action="propose", on=timezone.localdate(), reference="S2018/1", actor=coordinator
    )


def test_the_ministry_sees_a_proposed_plan_to_consult_with_what_changed(
    coordinator: Any, ministry: Any, rss_skane: Any, certifier: Any
) -> None:
    _proposed_plan(coordinator)
    text = _queue_text(ministry)
    assert "Registrera samråd" in text
    assert "Skicka tillbaka till SKR" in text
    assert "version 2" in text
    assert "Sammanfattning ändrad." in text
    assert "Registrera samråd" not in _queue_text(rss_skane)
    assert "Registrera samråd" not in _queue_text(certifier)


def test_rss_skane_sees_skanes_deadlines_and_not_norrbottens(rss_skane: Any, rss_norrbotten: Any) -> None:
    soon = timezone.localdate() + dt.timedelta(days=20)
    for code in ("12", "25"):
        ob = Obligation.objects.get(key=f"2018-requisition-rss-{code}")
        ob.nominal_date = soon
        ob.save()
    skane = client_for(rss_skane).get("/").content.decode()
    assert "Skåne" in skane and "Norrbotten" not in skane.split('id="todo-heading"')[1]
    norrbotten = client_for(rss_norrbotten).get("/").content.decode()
    assert "Norrbotten" in norrbotten and "Skåne" not in norrbotten.split('id="todo-heading"')[1]


def test_an_account_without_a_role_has_no_deadlines_to_do(no_role: Any) -> None:
    html = client_for(no_role).get("/").content.decode()
    assert 'id="todo-heading"' not in html and "ingen roll" in html


def test_the_due_list_names_dates_and_links(coordinator: Any) -> None:
    html = client_for(coordinator).get("/").content.decode()
    due = html.split('id="todo-heading"')[1].split('id="recent-heading"')[0]
    assert "/tidsfrister/atagande/" in due
    assert 'sista dag <time datetime="20' in due


def test_what_i_did_last_lists_my_own_changes_only(coordinator: Any, ministry: Any) -> None:
    _proposed_plan(coordinator)
    mine = dashboard.recent_changes(coordinator)
    assert mine and all(c.when for c in mine)
    assert any(c.what == "Projektplan" and c.url == f"/planer/{SLUG}/2018/" for c in mine)
    html = client_for(coordinator).get("/").content.decode()
    assert "Det du gjorde senast" in html and f"/planer/{SLUG}/2018/" in html
    assert dashboard.recent_changes(ministry) == []


def test_what_i_did_last_includes_results_and_ledger_entries(coordinator: Any) -> None:
    """An RSS leader's or a coordinator's year is mostly results and ledger entries: they are
    listed too, linked to the activity and to the entry's row."""
    decision = decision_get(slug=SLUG)
    activity = Activity.objects.filter(decision=decision, year=2018).first()
    assert activity is not None
    output_create(
        activity=activity, actor=coordinator, label="Deltagare i nätverket", unit="personer", total=40
    )
    entry = entry_record(
        actor=coordinator,
        decision=decision,
        year=2018,
        kind="requisition",
        amount="1000.00",
        reference="Ju2018/1",
        county_code="12",
        entry_date=dt.date(2018, 11, 20),
    )
    mine = dashboard.recent_changes(coordinator)
    result = next(c for c in mine if c.what == "Resultat")
    assert result.title == f"Deltagare i nätverket ({activity.title})"
    assert result.url == f"/planer/{SLUG}/2018/aktivitet/{activity.code}/"
    post = next(c for c in mine if c.what.startswith("Rekvisition"))
    assert post.what == f"Rekvisition #{entry.sequence}"
    assert post.title == "1\xa0000\xa0kr, Skåne län, 2018"
    assert post.url == f"/medel/{SLUG}/2018/#post-{entry.sequence}"
    html = client_for(coordinator).get("/").content.decode()
    assert f"#post-{entry.sequence}" in html and "Deltagare i nätverket" in html
    # A correction names the entry it corrects, and itself after "med", linked to its own row.
    correction = entry_reverse(actor=coordinator, entry=entry, reason="Fel belopp")
    line = next(c for c in dashboard.recent_changes(coordinator) if c.action == "Rättade")
    assert line.what == f"Rekvisition #{entry.sequence}"
    assert line.title == f"\u22121\xa0000\xa0kr, Skåne län, 2018, med #{correction.sequence}"
    assert line.url == f"/medel/{SLUG}/2018/#post-{correction.sequence}"


def test_what_i_did_last_reads_as_verbs_and_names_a_county_plan(rss_skane: Any) -> None:
    """ "Skapade resultat …", never "Skapad: resultat …" (the participle did not agree with a neuter
    noun); a county plan, which has no title, is named by its county and year."""
    decision = decision_get(slug=SLUG)
    plan = county_plan_create(decision=decision, year=2019, county_code="12", actor=rss_skane)
    county_plan_update(county_plan=plan, actor=rss_skane, summary="Länets plan för 2019.")
    mine = dashboard.recent_changes(rss_skane)
    assert (mine[0].action, mine[0].what, mine[0].title) == ("Ändrade", "Genomförandeplan", "Skåne län 2019")
    html = client_for(rss_skane).get("/").content.decode()
    assert f'Ändrade genomförandeplan <a href="/planer/{SLUG}/2019/lan/12/">Skåne län 2019</a>' in html


def test_the_previous_sign_in_and_failed_attempts_since_are_shown(client: Any, certifier: Any) -> None:
    from jamkoll.accounts.models import AuditEvent, AuditKind

    earlier = timezone.now() - dt.timedelta(days=3)
    AuditEvent.objects.create(kind=AuditKind.LOGIN, user=certifier, username=certifier.username, at=earlier)
    AuditEvent.objects.create(kind=AuditKind.LOGIN_FAILED, username=certifier.username)
    html = client_for(certifier).get("/").content.decode()  # this sign-in is audited too
    local = timezone.localtime(earlier)
    shown = f'<time datetime="{local.isoformat(timespec="minutes")}">{local:%Y-%m-%d %H:%M}</time>'
    assert f"Förra inloggningen: {shown}" in html
    assert "1 misslyckat inloggningsförsök" in html


def test_the_programmes_are_still_listed(coordinator: Any) -> None:
    html = client_for(coordinator).get("/").content.decode()
    assert "Aktuella satsningar" in html and "/satsningar/" in html


def test_the_anonymous_start_page_is_unchanged(client: Any) -> None:
    html = client.get("/").content.decode()
    assert "Väntar på ditt beslut" not in html and "Aktuella satsningar" in html


def _queries(user: Any) -> int:
    c = client_for(user)
    c.get("/")  # warm caches (roles, content types)
    with CaptureQueriesContext(connection) as ctx:
        assert c.get("/").status_code == 200
    return len(ctx.captured_queries)


def test_the_query_count_does_not_grow_with_the_queue(coordinator: Any, certifier: Any) -> None:
    _financial_draft(coordinator, version=1, text="a\n", year=2018)
    _financial_draft(coordinator, version=2, text="b\n", year=2018)
    one = _queries(certifier)
    for year in (2019, 2020):
        _financial_draft(coordinator, version=1, text="c\n", year=year)
        _financial_draft(coordinator, version=2, text="d\n", year=year)
    assert len(dashboard.decision_queue(certifier)) == 3
    assert _queries(certifier) == one


@pytest.mark.parametrize("name", ["coordinator", "rss_skane", "ministry", "signatory", "treasury", "no_role"])
def test_every_role_gets_its_start_page_in_few_queries(name: str, request: Any) -> None:
    user = request.getfixturevalue(name)
    assert _queries(user) <= 40


@pytest.mark.django_db
def test_a_plan_sent_back_shows_the_day_in_stockholm() -> None:
    """Registered at 23:30 UTC on 1 May is 01:30 on 2 May in Stockholm: the line says 2 May (it said
    1 May when it took the date of the UTC timestamp). The act's own date wins when it was given."""
    plan = ProjectPlanFactory()
    late = dt.datetime(2019, 5, 1, 23, 30, tzinfo=dt.UTC)
    comment = PlanComment.objects.create(
        plan=plan, kind="send_back", text="Förtydliga", author_name="Mia", created=late
    )
    line = next(x for x in dashboard.plan_changes(plan) if x.startswith("Skickades tillbaka"))
    assert dashboard._date(dt.date(2019, 5, 2)) in line and "Förtydliga" in line
    comment.on = dt.date(2019, 4, 30)
    comment.save()
    line = next(x for x in dashboard.plan_changes(plan) if x.startswith("Skickades tillbaka"))
    assert dashboard._date(dt.date(2019, 4, 30)) in line
