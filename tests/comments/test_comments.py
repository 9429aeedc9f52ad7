"""Comments with @mentions and notifications (issue 15): the service, the pages and the API under
the one policy ("comment.view", "comment.create")."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from jamkoll.accounts.models import Role
from jamkoll.accounts.policy import SEED_LOADER, check
from jamkoll.comments.models import Comment, Notification
from jamkoll.comments.selectors import comment_list, target_of
from jamkoll.comments.services import comment_create, mentioned_names, notification_mark_read
from jamkoll.plans.models import Activity, CountyPlan, ProjectPlan
from jamkoll.plans.services import county_activity_create, county_plan_create, plan_create, plan_transition
from jamkoll.programmes.selectors import decision_get
from jamkoll.reports.models import ReportState
from tests.conftest import client_for, persona
from tests.hostile import nothing_stored
from tests.reports.factories import ReportVersionFactory

SLUG = "jamstalldhet-kvinnofrid-2018-2020"


@pytest.fixture
def decision(db: None) -> Any:
    return decision_get(slug=SLUG)


@pytest.fixture
def plan(decision: Any, coordinator: Any) -> ProjectPlan:
    return plan_create(decision=decision, year=2019, copy_from=2018, actor=coordinator)


@pytest.fixture
def norrbotten_plan(decision: Any) -> CountyPlan:
    return county_plan_create(
        decision=decision, year=2019, county_code="25", summary="Plan", actor=SEED_LOADER
    )


@pytest.fixture
def norrbotten_activity(norrbotten_plan: CountyPlan) -> Activity:
    return county_activity_create(
        county_plan=norrbotten_plan,
        actor=SEED_LOADER,
        title="Utbildning i Luleå",
        goal_area="3",
        sub_project="2",
        status="planned",
        planned_start=dt.date(2019, 3, 1),
        planned_end=dt.date(2019, 10, 31),
        actual_start=None,
        actual_end=None,
    )


def _with_mail(user: Any) -> Any:
    user.email = f"{user.username}@example.se"
    user.save(update_fields=["email"])
    return user


def _post(client: Client, url: str, body: Any) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


# --- the service -------------------------------------------------------------------------------


def test_a_comment_is_stored_and_listed(plan: ProjectPlan, coordinator: Any, ministry: Any) -> None:
    target = target_of(plan)
    comment_create(actor=coordinator, target=target, body="  Förslaget är klart.\r\nSe bilagan.  ")
    rows = comment_list(actor=ministry, target=target)
    assert [(r.kind, r.author, r.body) for r in rows] == [
        ("comment", "anna-samordnare", "Förslaget är klart.\nSe bilagan.")
    ]


def test_a_mention_notifies_by_mail_and_in_the_list(
    plan: ProjectPlan, coordinator: Any, ministry: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _with_mail(ministry)
    with django_capture_on_commit_callbacks(execute=True):
        comment = comment_create(
            actor=coordinator, target=target_of(plan), body="@mia-departement, kan ni läsa förslaget?"
        )
    assert [n.recipient for n in Notification.objects.filter(comment=comment)] == [ministry]
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["mia-departement@example.se"]
    assert "anna-samordnare nämnde dig" in message.subject
    assert "kan ni läsa förslaget?" in message.body
    assert f"/planer/{SLUG}/2019/" in message.body

    page = client_for(ministry).get("/aviseringar/")
    assert page.status_code == 200
    assert "kan ni läsa förslaget?" in page.content.decode()
    home = client_for(ministry).get("/").content.decode()
    assert 'href="/aviseringar/"' in home and ">1</span>" in home

    assert notification_mark_read(actor=ministry, pk=Notification.objects.get().pk) == 1
    assert Notification.objects.get().read_at is not None
    assert ">1</span>" not in client_for(ministry).get("/").content.decode()


def test_the_notification_list_pages_with_the_same_queries(
    plan: ProjectPlan, coordinator: Any, ministry: Any
) -> None:
    """60 notifications: 50 on the first page, 10 on the second, and the page costs the same
    number of queries as with 3 (the list never loads the whole inbox)."""

    def notify(n: int) -> None:
        comments = Comment.objects.bulk_create(
            [Comment(plan=plan, author=coordinator, body=f"Fråga nummer {i}") for i in range(n)]
        )
        Notification.objects.bulk_create([Notification(recipient=ministry, comment=c) for c in comments])

    client = client_for(ministry)
    notify(3)
    client.get("/aviseringar/")  # the session's first request does its own once-only work
    with CaptureQueriesContext(connection) as few:
        assert client.get("/aviseringar/").status_code == 200
    notify(57)
    with CaptureQueriesContext(connection) as many:
        first = client.get("/aviseringar/").content.decode()
    assert len(many) == len(few)
    assert first.count('class="comment unread"') == 50 and "Rad 1–50 av 60" in first
    assert "Ladda ner" not in first  # an inbox is not a table to download
    second = client.get("/aviseringar/?sida=2").content.decode()
    assert second.count('class="comment unread"') == 10 and "Sida 2 av 2" in second


def test_no_mail_when_the_comment_is_refused(
    plan: ProjectPlan, coordinator: Any, ministry: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _with_mail(ministry)
    with (
        django_capture_on_commit_callbacks(execute=True),
        nothing_stored(),
        pytest.raises(ValidationError),
    ):
        comment_create(actor=coordinator, target=target_of(plan), body="@mia-departement @ingen-alls")
    assert mail.outbox == []


def test_an_unknown_mention_is_refused_naming_the_name(plan: ProjectPlan, coordinator: Any) -> None:
    with nothing_stored(), pytest.raises(ValidationError) as refused:
        comment_create(actor=coordinator, target=target_of(plan), body="Hej @finns-inte och @anna-samordnare")
    assert refused.value.message_dict["body"] == ["Det finns ingen aktiv användare som heter @finns-inte."]


def test_an_inactive_user_counts_as_unknown(plan: ProjectPlan, coordinator: Any, ministry: Any) -> None:
    ministry.is_active = False
    ministry.save()
    with pytest.raises(ValidationError, match="@mia-departement"):
        comment_create(actor=coordinator, target=target_of(plan), body="@mia-departement")


def test_mentioning_someone_who_may_not_see_the_target_is_refused(
    norrbotten_plan: CountyPlan, rss_norrbotten: Any, rss_skane: Any, no_role: Any
) -> None:
    """Decision: refused (naming them), not silently left out; nothing is stored."""
    with nothing_stored(), pytest.raises(ValidationError) as refused:
        comment_create(
            actor=rss_norrbotten, target=target_of(norrbotten_plan), body="@sara-skane och @nora-utan-roll?"
        )
    assert refused.value.message_dict["body"] == [
        "@sara-skane, @nora-utan-roll får inte se det här och kan därför inte nämnas."
    ]


def test_mentions_are_bounded(plan: ProjectPlan, coordinator: Any) -> None:
    body = " ".join(f"@namn{i}" for i in range(11))
    with pytest.raises(ValidationError, match="högst 10"):
        comment_create(actor=coordinator, target=target_of(plan), body=body)


def test_mention_parsing() -> None:
    assert mentioned_names("@a-b, @c.d. mejla x@example.se @a-b") == ["a-b", "c.d"]


@pytest.mark.parametrize("body", ["a\x00b", "x" * 1_000_001, "rad\x07ett", "   "])
def test_a_hostile_body_is_refused_and_nothing_stored(plan: ProjectPlan, coordinator: Any, body: str) -> None:
    with nothing_stored(), pytest.raises(ValidationError) as refused:
        comment_create(actor=coordinator, target=target_of(plan), body=body)
    assert refused.value.message_dict["body"]


def test_rss_leaders_read_and_write_only_their_own_countys(
    norrbotten_plan: CountyPlan,
    norrbotten_activity: Activity,
    rss_norrbotten: Any,
    rss_skane: Any,
    coordinator: Any,
    analyst: Any,
) -> None:
    for obj in (norrbotten_plan, norrbotten_activity):
        target = target_of(obj)
        comment_create(actor=rss_norrbotten, target=target, body="Vi behöver stöd, @anna-samordnare.")
        assert [r.body for r in comment_list(actor=coordinator, target=target)]
        assert check(analyst, "comment.view", target)
        with pytest.raises(PermissionDenied):
            comment_list(actor=rss_skane, target=target)
        with pytest.raises(PermissionDenied):
            comment_create(actor=rss_skane, target=target, body="Hej")


def test_the_public_sees_no_comments(plan: ProjectPlan, coordinator: Any, no_role: Any) -> None:
    target = target_of(plan)
    comment_create(actor=coordinator, target=target, body="Internt")
    with pytest.raises(PermissionDenied):
        comment_list(actor=no_role, target=target)
    assert not check(None, "comment.view", target)
    with pytest.raises(PermissionDenied):
        comment_create(actor=SEED_LOADER, target=target, body="Från systemet")


def test_a_report_drafts_comments_follow_the_draft_rule(db: None, coordinator: Any, ministry: Any) -> None:
    draft = ReportVersionFactory(county_code="12")
    assert not check(ministry, "comment.view", target_of(draft))
    comment_create(actor=coordinator, target=target_of(draft), body="Utkastet ser bra ut.")
    submitted = ReportVersionFactory(state=ReportState.SUBMITTED, submitted_on=dt.date(2019, 3, 28))
    comment_create(actor=ministry, target=target_of(submitted), body="Mottagen.")


def test_the_send_back_reason_appears_among_the_comments(
    plan: ProjectPlan, coordinator: Any, ministry: Any
) -> None:
    for action, user, text in (
        ("propose", coordinator, ""),
        ("send_back", ministry, "Beskriv delmål 6 tydligare."),
    ):
        plan = plan_transition(
            plan=plan, action=action, on=dt.date(2019, 3, 29), reference="S2019/1", comment=text, actor=user
        )
    comment_create(actor=coordinator, target=target_of(plan), body="Vi skriver om det.")
    rows = comment_list(actor=coordinator, target=target_of(plan))
    assert [(r.kind, r.body) for r in rows] == [
        ("send_back", "Beskriv delmål 6 tydligare."),
        ("comment", "Vi skriver om det."),
    ]
    page = client_for(coordinator).get(f"/planer/{SLUG}/2019/").content.decode()
    section = page[page.index('id="kommentarer"') :]
    assert "Skickad tillbaka till SKR" in section and "Beskriv delmål 6 tydligare." in section


def test_a_send_back_notifies_the_plans_owners_in_the_list_and_by_mail(
    plan: ProjectPlan,
    coordinator: Any,
    ministry: Any,
    rss_skane: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    _with_mail(coordinator)
    _with_mail(rss_skane)
    plan = plan_transition(
        plan=plan, action="propose", on=dt.date(2019, 3, 29), reference="S2019/1", actor=coordinator
    )
    assert not Notification.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        plan_transition(
            plan=plan,
            action="send_back",
            on=dt.date(2019, 3, 29),
            reference="S2019/1",
            comment="Beskriv delmål 6 tydligare.",
            actor=ministry,
        )
    notified = {n.recipient for n in Notification.objects.all()}
    assert coordinator in notified and ministry not in notified and rss_skane not in notified
    assert [m.to for m in mail.outbox] == [["anna-samordnare@example.se"]]
    message = mail.outbox[0]
    assert "Skickad tillbaka" in message.subject and "Beskriv delmål 6 tydligare." in message.body
    assert f"/planer/{SLUG}/2019/" in message.body
    page = client_for(coordinator).get("/aviseringar/").content.decode()
    assert "skickade tillbaka planen" in page and "Beskriv delmål 6 tydligare." in page
    assert f'href="/planer/{SLUG}/2019/#kommentarer"' in page
    notes = client_for(coordinator).get("/api/v1/notifications").json()["items"]
    assert notes[0]["comment"]["kind"] == "send_back" and notes[0]["comment"]["id"] is None
    assert notes[0]["comment"]["body"] == "Beskriv delmål 6 tydligare."
    assert notes[0]["target"]["kind"] == "plan"
    assert client_for(ministry).get("/api/v1/notifications").json()["items"] == []


# --- the pages ---------------------------------------------------------------------------------


def test_the_four_pages_show_the_section_and_take_a_comment(
    plan: ProjectPlan, norrbotten_plan: CountyPlan, norrbotten_activity: Activity, coordinator: Any
) -> None:
    version = ReportVersionFactory(county_code="25")
    client = client_for(coordinator)
    pages = {
        "plan": (plan, f"/planer/{SLUG}/2019/"),
        "activity": (norrbotten_activity, f"/planer/{SLUG}/2019/aktivitet/{norrbotten_activity.code}/"),
        "county-plan": (norrbotten_plan, f"/planer/{SLUG}/2019/lan/25/"),
        "report": (version, f"/rapporter/{version.pk}/"),
    }
    for kind, (obj, url) in pages.items():
        assert 'id="kommentarer"' in client.get(url).content.decode(), url
        response = client.post(f"/kommentarer/{kind}/{obj.pk}/", {"body": f"Om {kind}"})
        assert response.status_code == 302 and response["Location"] == f"{url}#kommentarer"
        assert f"Om {kind}" in client.get(url).content.decode()


def test_a_refused_comment_shows_the_error_beside_the_field(plan: ProjectPlan, coordinator: Any) -> None:
    with nothing_stored():
        response = client_for(coordinator).post(f"/kommentarer/plan/{plan.pk}/", {"body": "Hej @vem-da"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_comment_body_error"' in html and "@vem-da" in html
    assert ">Hej @vem-da</textarea>" in html  # what was written is kept


def test_pages_hide_the_section_from_whoever_may_not_read_it(
    plan: ProjectPlan, norrbotten_plan: CountyPlan, coordinator: Any, rss_skane: Any, no_role: Any
) -> None:
    comment_create(actor=coordinator, target=target_of(norrbotten_plan), body="Hemligt för Skåne")
    page = client_for(rss_skane).get(f"/planer/{SLUG}/2019/lan/25/")
    assert page.status_code == 200 and "Hemligt för Skåne" not in page.content.decode()
    assert 'id="kommentarer"' not in page.content.decode()
    refused = client_for(rss_skane).post(f"/kommentarer/county-plan/{norrbotten_plan.pk}/", {"body": "Hej"})
    assert refused.status_code == 403
    anonymous = Client().post(f"/kommentarer/plan/{plan.pk}/", {"body": "Hej"})
    assert anonymous.status_code == 302 and "/logga-in/" in anonymous["Location"]
    assert Client().get("/aviseringar/").status_code == 302
    assert Comment.objects.count() == 1


def test_the_section_costs_a_bounded_number_of_queries(
    plan: ProjectPlan, coordinator: Any, ministry: Any
) -> None:
    client = client_for(coordinator)
    url = f"/planer/{SLUG}/2019/"
    client.get(url)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    before = count()
    for i in range(20):
        comment_create(
            actor=persona(f"skribent{i}", Role.COORDINATOR), target=target_of(plan), body=f"nr {i}"
        )
    assert count() == before


# --- the API -----------------------------------------------------------------------------------


def test_the_api_lists_and_writes_under_the_same_rules(
    norrbotten_plan: CountyPlan, coordinator: Any, rss_norrbotten: Any, rss_skane: Any
) -> None:
    url = f"/api/v1/comments/county-plan/{norrbotten_plan.pk}"
    created = _post(client_for(rss_norrbotten), url, {"body": "Klart, @anna-samordnare"})
    assert created.status_code == 201, created.content
    assert created.json()["body"] == "Klart, @anna-samordnare"
    listed = client_for(coordinator).get(url)
    assert listed.json()["total"] == 1
    assert [c["body"] for c in listed.json()["items"]] == ["Klart, @anna-samordnare"]

    assert client_for(rss_skane).get(url).status_code == 403
    assert _post(client_for(rss_skane), url, {"body": "Hej"}).status_code == 403
    assert Client().get(url).status_code == 401

    with nothing_stored():
        unknown = _post(client_for(coordinator), url, {"body": "@ingen"})
        assert unknown.status_code == 422 and "@ingen" in unknown.json()["errors"]["body"][0]
        for body in ("a\x00b", "x" * 1_000_001):
            assert _post(client_for(coordinator), url, {"body": body}).status_code == 422
    assert client_for(coordinator).get("/api/v1/comments/plan/999999").status_code == 404

    notes = client_for(coordinator).get("/api/v1/notifications").json()["items"]
    assert [(n["comment"]["body"], n["target"]["kind"], n["read_at"]) for n in notes] == [
        ("Klart, @anna-samordnare", "county-plan", None)
    ]
    read = client_for(coordinator).post(f"/api/v1/notifications/{notes[0]['id']}/read")
    assert read.json() == {"marked": 1}
    assert client_for(rss_skane).post(f"/api/v1/notifications/{notes[0]['id']}/read").status_code == 404


def test_a_notification_about_what_a_removed_role_showed_is_left_out_in_the_web_and_the_api(
    norrbotten_plan: CountyPlan, coordinator: Any, rss_norrbotten: Any
) -> None:
    """The notification quotes the comment: once the role that let the recipient read its subject
    is taken away, neither the inbox page nor the API shows it (the API showed it, with the text,
    the subject's title and address)."""
    comment_create(
        actor=coordinator, target=target_of(norrbotten_plan), body="@nils-norrbotten konfidentiellt: budgeten"
    )
    assert Notification.objects.filter(recipient=rss_norrbotten).count() == 1
    client = client_for(rss_norrbotten)
    assert "konfidentiellt" in client.get("/aviseringar/").content.decode()
    assert [n["comment"]["body"] for n in client.get("/api/v1/notifications").json()["items"]] == [
        "@nils-norrbotten konfidentiellt: budgeten"
    ]

    rss_norrbotten.role_assignments.all().delete()
    page = client.get("/aviseringar/")
    assert page.status_code == 200 and "konfidentiellt" not in page.content.decode()
    listed = client.get("/api/v1/notifications")
    assert listed.status_code == 200 and listed.json()["items"] == []
    assert "konfidentiellt" not in listed.content.decode() and "Norrbotten" not in listed.content.decode()
