"""Writes for users and roles."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from jamkoll.errors import ErrorCollector, NotFound, field_error
from jamkoll.reference.models import Organisation, OrganisationKind
from jamkoll.reference.selectors import county_get
from jamkoll.validation import clean_text

from .models import TITLE_MAX, Profile, Role, RoleAssignment
from .policy import operator, require


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    role: str
    county: str | None
    description: str


# Each role's title and the organisation it works for (an RSS leader: their county), as a
# certification or signature shows them. The demo users get these; so do the tests' personas.
ROLE_TITLES: dict[str, str] = {
    Role.COORDINATOR: "Programhandläggare",
    Role.CERTIFIER: "Ekonomichef",
    Role.SIGNATORY: "Behörig företrädare",
    Role.RSS: "Regional utvecklingsledare för kvinnofrid",
    Role.MINISTRY: "Handläggare",
    Role.TREASURY: "Handläggare",
    Role.ANALYST: "Analytiker",
    Role.ADMIN: "Systemadministratör",
}
ROLE_ORGANISATIONS: dict[str, str] = {
    Role.COORDINATOR: "SKR",
    Role.CERTIFIER: "SKR",
    Role.SIGNATORY: "SKR",
    Role.MINISTRY: "RK",
    Role.TREASURY: "KAMK",
}

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


def _organisation(code: str | None) -> Organisation | None:
    """A county (two digits) or another organisation (SKR, RK, KAMK) by its code; `field_error`
    for an unknown one."""
    if not code:
        return None
    kind = OrganisationKind.LAN if code.isdigit() else OrganisationKind.OTHER
    found = Organisation.objects.filter(kind=kind, code=code[:20]).first()
    if found is None:
        raise field_error("organisation", f"okänd organisation {code[:20]!r}")
    return found


def profile_set(*, user: Any, actor: Any, title: Any, organisation_code: str | None = None) -> Profile:
    """Set the title and organisation a user's certifications and signatures show. Only a system
    administrator (or a system actor: the demo command, the tests' fixtures); the admin's user page
    edits the same fields."""
    require(actor, "users.manage", user)
    errors = ErrorCollector()
    clean_title = errors.run(lambda: clean_text(title, field="title", max_length=TITLE_MAX))
    organisation = errors.run(lambda: _organisation(organisation_code))
    errors.raise_if_any()
    profile, _created = Profile.objects.update_or_create(
        user=user, defaults={"title": clean_title, "organisation": organisation}
    )
    return profile


def role_assign(*, user: object, role: str, actor: Any, county_code: str | None = None) -> RoleAssignment:
    """Grant `user` a role (an `rss` role for a county, no other role for one). Only a system
    administrator (or a system actor: the demo command, the tests' fixtures) grants roles. Granting
    a role the user already holds changes nothing."""
    require(actor, "users.manage", user)
    errors = ErrorCollector()
    if role not in Role.values:
        errors.add("role", _("Okänd roll; tillåtna: %(roles)s.") % {"roles": ", ".join(Role.values)})
    county = None
    if county_code:
        if role != Role.RSS:
            errors.add("county_code", _("Bara rollen RSS gäller ett län."))
        else:
            try:
                county = county_get(code=county_code)
            except NotFound as exc:
                errors.add("county_code", str(exc))
    elif role == Role.RSS:
        errors.add("county_code", _("Rollen RSS gäller ett län: ange länet."))
    errors.raise_if_any()
    assignment, _created = RoleAssignment.objects.get_or_create(user=user, role=role, county=county)
    return assignment


def role_remove(*, assignment: RoleAssignment, actor: Any) -> None:
    """Take a role from its user (the change history keeps it). Only a system administrator; an
    administrator does not take their own administrator role (someone must be left to give it back)."""
    require(actor, "users.manage", assignment.user)
    if assignment.role == Role.ADMIN and assignment.user_id == getattr(actor, "pk", None):
        raise field_error("role", _("Du kan inte ta bort din egen roll som systemadministratör."))
    assignment.delete()


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
        profile_set(
            user=user,
            actor=actor,
            title=ROLE_TITLES[demo.role],
            organisation_code=demo.county or ROLE_ORGANISATIONS.get(demo.role),
        )
    return DEMO_USERS


LANGUAGE_CODES = ("sv", "en")


def language_remember(*, user: Any, language: str) -> None:
    """Keep the language a signed-in user chose on the site, for the e-mail JämKoll sends them.
    An unknown code is ignored (the site's switch offers only these)."""
    if language not in LANGUAGE_CODES or not getattr(user, "is_authenticated", False):
        return
    profile, _created = Profile.objects.get_or_create(user=user)
    if profile.language != language:
        profile.language = language
        profile.save(update_fields=["language"])
