"""Which notifications a user may read, stated twice: the predicate ("comment.view" on the
notification's subject, what a page checks) and its query form (`notification_visibility_q`, what
lists, counts and "mark all read" filter by). They must agree for every persona and every kind of
subject, or a list's total, the unread badge and the rows shown would disagree (the badge counted
notifications about what a removed role had shown)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model

from jamkoll.accounts.policy import SEED_LOADER, check
from jamkoll.comments.models import Comment, Notification
from jamkoll.comments.selectors import (
    notification_queryset,
    notification_target,
    notification_visibility_q,
    unread_count,
)
from jamkoll.comments.services import notification_mark_read
from jamkoll.errors import NotFound
from jamkoll.plans.models import Activity, PlanComment, PlanCommentKind, ProjectPlan
from jamkoll.plans.services import county_plan_create
from jamkoll.programmes.selectors import decision_get
from jamkoll.reports.models import ReportKind, ReportState
from tests.conftest import PERSONAS
from tests.reports.factories import ReportVersionFactory

SLUG = "jamstalldhet-kvinnofrid-2018-2020"


def _subjects(coordinator: Any) -> list[dict[str, Any]]:
    """One comment (or send-back) on every kind of subject, national and in two counties, and
    report versions in every state that matters (a draft, a certified version, a submitted one)."""
    decision = decision_get(slug=SLUG)
    plan = ProjectPlan.objects.get(decision=decision, year=2018)
    national = Activity.objects.filter(decision=decision, owner_county__isnull=True).first()
    assert national is not None
    subjects: list[dict[str, Any]] = [{"plan": plan}, {"activity": national}]
    for code in ("25", "12"):
        county_plan = county_plan_create(
            decision=decision, year=2019, county_code=code, summary="Plan", actor=SEED_LOADER
        )
        subjects.append({"county_plan": county_plan})
        for state in (ReportState.DRAFT, ReportState.SUBMITTED):
            version = ReportVersionFactory(kind=ReportKind.RSS, county_code=code, state=state)
            subjects.append({"report_version": version})
    for state in (ReportState.DRAFT, ReportState.CERTIFIED, ReportState.SUBMITTED):
        subjects.append({"report_version": ReportVersionFactory(state=state)})
    county_activity = Activity.objects.filter(decision=decision, owner_county__code="25").first()
    if county_activity is not None:
        subjects.append({"activity": county_activity})
    return subjects


@pytest.mark.django_db
def test_the_query_and_the_predicate_agree_for_every_persona_and_subject(
    personas: dict[str, Any], coordinator: Any
) -> None:
    subjects = _subjects(coordinator)
    send_back = PlanComment.objects.create(
        plan=ProjectPlan.objects.get(decision=decision_get(slug=SLUG), year=2018),
        kind=PlanCommentKind.SEND_BACK,
        author_name="Departementet",
        text="Komplettera",
    )
    kinds_seen: set[str] = set()
    for name, user in personas.items():
        for subject in subjects:
            comment = Comment.objects.create(author=coordinator, body="Text", **subject)
            Notification.objects.create(recipient=user, comment=comment)
        Notification.objects.create(recipient=user, send_back=send_back)
        mine = Notification.objects.filter(recipient=user)
        expected = set()
        for n in mine:
            target = notification_target(n)
            kinds_seen.add(target.kind)
            if check(user, "comment.view", target):
                expected.add(n.pk)
        listed = {n.pk for n in notification_queryset(user=user)}
        assert listed == expected, name
        assert set(mine.filter(notification_visibility_q(user)).values_list("pk", flat=True)) == expected
        assert unread_count(user=user) == len(expected), name
    assert kinds_seen == {"plan", "activity", "county-plan", "report"}
    # The personas see different sets: the rule is not everything or nothing.
    sizes = {
        name: notification_queryset(user=user).count() for name, user in personas.items() if name in PERSONAS
    }
    assert sizes["no_role"] == 0
    assert 0 < sizes["rss_norrbotten"] < sizes["coordinator"]
    assert sizes["ministry"] < sizes["coordinator"]  # no drafts


@pytest.mark.django_db
def test_a_hidden_notification_is_not_counted_nor_marked(coordinator: Any, rss_norrbotten: Any) -> None:
    decision = decision_get(slug=SLUG)
    county_plan = county_plan_create(
        decision=decision, year=2019, county_code="25", summary="Plan", actor=SEED_LOADER
    )
    hidden = Notification.objects.create(
        recipient=rss_norrbotten,
        comment=Comment.objects.create(author=coordinator, body="Text", county_plan=county_plan),
    )
    assert unread_count(user=rss_norrbotten) == 1
    rss_norrbotten.role_assignments.all().delete()
    user = get_user_model().objects.get(pk=rss_norrbotten.pk)  # roles are read once per request
    assert unread_count(user=user) == 0
    assert notification_mark_read(actor=user) == 0
    with pytest.raises(NotFound):
        notification_mark_read(actor=user, pk=hidden.pk)
    hidden.refresh_from_db()
    assert hidden.read_at is None
