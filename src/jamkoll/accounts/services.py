"""Writes for users and roles."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from jamkoll.errors import NotFound, field_error
from jamkoll.reference.selectors import county_get

from .models import Role, RoleAssignment
from .policy import operator, require


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    role: str
    county: str | None
    description: str


DEMO_USERS = [
    DemoUser("samordnare", "jamkoll-samordnare", Role.COORDINATOR, None, "SKR:s programhandläggare"),
    DemoUser("ekonomichef", "jamkoll-ekonomichef", Role.CERTIFIER, None, "SKR:s ekonomichef"),
    DemoUser("firmatecknare", "jamkoll-firmatecknare", Role.SIGNATORY, None, "SKR:s behöriga företrädare"),
    DemoUser("rss-skane", "jamkoll-rss-skane", Role.RSS, "12", "Regional utvecklingsledare, Skåne län"),
    DemoUser(
        "rss-norrbotten",
        "jamkoll-rss-norrbotten",
        Role.RSS,
        "25",
        "Regional utvecklingsledare, Norrbottens län",
    ),
    DemoUser("departement", "jamkoll-departement", Role.MINISTRY, None, "Handläggare, Regeringskansliet"),
    DemoUser(
        "kammarkollegiet", "jamkoll-kammarkollegiet", Role.TREASURY, None, "Handläggare, Kammarkollegiet"
    ),
    DemoUser("analytiker", "jamkoll-analytiker", Role.ANALYST, None, "Analytiker"),
    DemoUser("admin", "jamkoll-admin", Role.ADMIN, None, "Systemadministratör"),
]


def role_assign(*, user: object, role: str, actor: Any, county_code: str | None = None) -> RoleAssignment:
    """Grant `user` a role (an `rss` role for a county). Only a system administrator (or a system
    actor: the demo command, the tests' fixtures) grants roles."""
    require(actor, "users.manage", user)
    county = None
    if county_code:
        try:
            county = county_get(code=county_code)
        except NotFound as exc:
            raise field_error("county_code", str(exc)) from None
    assignment, _created = RoleAssignment.objects.get_or_create(user=user, role=role, county=county)
    return assignment


@transaction.atomic
def demo_users_create() -> list[DemoUser]:
    """One user per role (two RSS leaders, for two counties). Idempotent; resets the passwords."""
    actor = operator("demo")
    User = get_user_model()
    for demo in DEMO_USERS:
        user, _created = User.objects.get_or_create(username=demo.username)
        user.first_name = demo.description
        user.is_staff = demo.role == Role.ADMIN
        user.is_superuser = demo.role == Role.ADMIN
        user.set_password(demo.password)
        user.save()
        role_assign(user=user, role=demo.role, county_code=demo.county, actor=actor)
    return DEMO_USERS
