from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from jamkoll.accounts.models import Profile, Role, RoleAssignment
from jamkoll.accounts.policy import check, require, rss_counties
from jamkoll.accounts.services import DEMO_USERS, demo_users_create
from jamkoll.reference.models import Organisation

pytestmark = pytest.mark.django_db


def test_rss_role_is_scoped_to_its_county(rss_skane: Any, rss_norrbotten: Any, coordinator: Any) -> None:
    assert check(rss_skane, "county.edit", "12")
    refusal = check(rss_skane, "county.edit", "25")
    assert not refusal and refusal.reason == "Du kan bara ändra uppgifter för ditt eget län."
    assert check(rss_norrbotten, "county.edit", "25")
    assert check(coordinator, "county.edit", "25")
    assert rss_counties(rss_skane) == {"12"}


def test_refusals_carry_their_reason(certifier: Any) -> None:
    verdict = check(certifier, "programme.change")
    assert not verdict and verdict.reason == "Kräver rollen samordnare."
    anonymous = check(AnonymousUser(), "programme.change")
    assert anonymous.reason.startswith("Logga in")
    with pytest.raises(PermissionDenied, match="Kräver rollen samordnare"):
        require(certifier, "programme.change")


def test_the_same_policy_answers_djangos_has_perm(coordinator: Any, treasury: Any) -> None:
    assert coordinator.has_perm("jamkoll.programme.change")
    assert not treasury.has_perm("jamkoll.programme.change")


def test_public_reads_need_no_login() -> None:
    assert check(AnonymousUser(), "programme.view")
    assert check(AnonymousUser(), "allocation.view")


def test_a_user_can_hold_several_roles(coordinator: Any) -> None:
    RoleAssignment.objects.create(user=coordinator, role=Role.ANALYST)
    fresh = get_user_model().objects.get(pk=coordinator.pk)
    assert check(fresh, "programme.change")


def test_an_rss_role_without_county_is_refused_by_the_database() -> None:
    user = get_user_model().objects.create_user("x")
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(user=user, role=Role.RSS)
    county = Organisation.objects.get(kind="lan", code="01")
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(user=user, role=Role.COORDINATOR, county=county)


def test_unknown_actions_are_a_programming_error(coordinator: Any) -> None:
    with pytest.raises(KeyError):
        check(coordinator, "no.such.action")


def test_demo_users_one_per_role_and_idempotent() -> None:
    demo_users_create()
    demo_users_create()
    roles = set(
        RoleAssignment.objects.filter(user__username__in=[u.username for u in DEMO_USERS]).values_list(
            "role", flat=True
        )
    )
    assert roles == {r.value for r in Role}
    assert RoleAssignment.objects.filter(user__username="rss-skane").get().county.code == "12"  # type: ignore[union-attr]


def test_demo_users_have_their_roles_title_and_organisation() -> None:
    """What a certification or signature shows comes from the account (issue 12, finding 1)."""
    demo_users_create()
    profiles = {
        p.user.username: (p.title, p.organisation.code if p.organisation else None)
        for p in Profile.objects.select_related("user", "organisation")
    }
    assert profiles["ekonomichef"] == ("Ekonomichef", "SKR")
    assert profiles["firmatecknare"] == ("Behörig företrädare", "SKR")
    assert profiles["samordnare"] == ("Programhandläggare", "SKR")
    assert profiles["rss-skane"] == ("Regional utvecklingsledare för kvinnofrid", "12")
    assert profiles["kammarkollegiet"] == ("Handläggare", "KAMK")


def test_the_same_role_cannot_be_given_twice(coordinator: Any, rss_skane: Any) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(user=coordinator, role=Role.COORDINATOR)
    county = Organisation.objects.get(kind="lan", code="12")
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(user=rss_skane, role=Role.RSS, county=county)
    # …but an RSS leader may cover a second county.
    RoleAssignment.objects.create(
        user=rss_skane, role=Role.RSS, county=Organisation.objects.get(kind="lan", code="13")
    )


def test_it_grants_a_role_only_for_an_admin_with_the_reason(coordinator: Any, admin_user: Any) -> None:
    from django.core.exceptions import ValidationError

    from jamkoll.accounts.services import role_assign

    user = get_user_model().objects.create_user(username="ny-anvandare", password="pw-ny")
    with pytest.raises(PermissionDenied, match="^Kräver rollen systemadministratör.$"):
        role_assign(user=user, role=Role.RSS, county_code="12", actor=coordinator)
    assert not RoleAssignment.objects.filter(user=user).exists()
    granted = role_assign(user=user, role=Role.RSS, county_code="12", actor=admin_user)
    assert granted.county is not None and granted.county.code == "12"
    with pytest.raises(ValidationError) as unknown:
        role_assign(user=user, role=Role.RSS, county_code="99", actor=admin_user)
    assert unknown.value.message_dict == {"county_code": ["okänt län '99'"]}


def test_the_administrator_edits_a_users_title_and_organisation(adminpersona: Any, certifier: Any) -> None:
    from django.urls import reverse

    from tests.conftest import client_for

    page = client_for(adminpersona).get(reverse("admin:auth_user_change", args=[certifier.pk]))
    html = page.content.decode()
    assert (
        page.status_code == 200
        and 'name="profile-0-title"' in html
        and 'name="profile-0-organisation"' in html
    )
    assert 'value="Ekonomichef"' in html
