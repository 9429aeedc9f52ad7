"""Who may see a report draft is stated once in the policy, in two forms: the predicate behind
`check(user, "report.view_draft", version)` and `draft_visibility_q(user)`. They agree for every
persona and every version."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from jamkoll.accounts.policy import WORKER, check, draft_visibility_q, may_view_draft, operator
from jamkoll.reports.models import ReportVersion
from tests.reports.factories import every_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def everyone(personas: dict[str, Any]) -> dict[str, Any]:
    actors = dict(personas)
    actors.update({"anonymous": AnonymousUser(), "worker": WORKER, "operator": operator("test")})
    return actors


def test_it_agrees_the_predicate_and_the_query_on_every_persona_and_every_version(
    everyone: dict[str, Any],
) -> None:
    versions = every_version()
    assert len(versions) == 20
    for name, actor in everyone.items():
        shown = set(
            ReportVersion.objects.filter(pk__in=[v.pk for v in versions])
            .filter(draft_visibility_q(actor))
            .values_list("pk", flat=True)
        )
        for version in versions:
            allowed = bool(check(actor, "report.view_draft", version))
            assert allowed == (version.pk in shown), (name, version.kind, version.county_code, version.state)


def test_it_shows_drafts_to_the_roles_that_see_them_and_an_rss_leader_their_own_county(
    everyone: dict[str, Any],
) -> None:
    versions = every_version()
    skane = [v for v in versions if v.county_code == "12"]
    others = [v for v in versions if v.county_code != "12"]
    for name in ("coordinator", "certifier", "signatory"):
        assert all(may_view_draft(everyone[name], v) for v in versions), name
    assert all(may_view_draft(everyone["rss_skane"], v) for v in skane)
    assert not any(may_view_draft(everyone["rss_skane"], v) for v in others)
    for name in ("treasury", "ministry", "analyst", "no_role", "admin_user", "anonymous"):
        assert not any(may_view_draft(everyone[name], v) for v in versions), name


def test_it_refuses_a_draft_with_a_reason_that_names_who_may_see_it(rss_norrbotten: Any) -> None:
    skane = next(v for v in every_version() if v.county_code == "12")
    verdict = check(rss_norrbotten, "report.view_draft", skane)
    assert not verdict
    assert verdict.reason == (
        "En version som inte har lämnats in visas bara för SKR:s samordnare, ekonomichef och "
        "behöriga företrädare "
        "(en RSS-ledare ser sitt eget läns länsrapport)."
    )


def test_it_lets_the_coordinator_and_rss_leaders_open_the_generate_form(
    everyone: dict[str, Any],
) -> None:
    for name in ("coordinator", "rss_skane", "rss_norrbotten", "worker"):
        assert check(everyone[name], "report.generate_form"), name
    for name in ("certifier", "signatory", "treasury", "ministry", "analyst", "no_role"):
        verdict = check(everyone[name], "report.generate_form")
        assert not verdict and "RSS-ledare skapar sitt läns rapport" in verdict.reason, name
