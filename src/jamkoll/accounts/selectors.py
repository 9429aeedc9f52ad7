"""Reads about accounts: who a person is on a document they certify or sign; the users and their
roles, for the administrator."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from jamkoll.errors import NotFound

from .models import Profile, RoleAssignment
from .policy import PERSON_REQUIRED, actor_label, actor_user, require

# The column a title line is stored in (ReportVersion.certified_title, signed_title).
TITLE_LINE_MAX = 300


@dataclass(frozen=True)
class Signer:
    """The account that certifies or signs, and what the document says about it: its name and a
    title line ("Ekonomichef, Sveriges Kommuner och Regioner": the title and the organisation's
    name valid on the day)."""

    user: Any
    name: str
    title: str


def signer_get(*, actor: Any, on: dt.date) -> Signer:
    """Who `actor` is on a document dated `on`, from the account and its profile (never typed).
    A system actor is not a person (`PermissionDenied`; the policy refuses it first)."""
    user = actor_user(actor)
    if user is None:
        raise PermissionDenied(str(PERSON_REQUIRED))
    profile = Profile.objects.select_related("organisation").filter(user=user).first()
    title = profile.title if profile else ""
    organisation = profile.organisation.name_at(on) if profile and profile.organisation else ""
    line = ", ".join(part for part in (title, organisation) if part)
    return Signer(user=user, name=actor_label(user), title=line[:TITLE_LINE_MAX])


def user_language(user: Any) -> str:
    """The language to write to `user` in (e-mail): the one they chose on the site, else Swedish."""
    pk = getattr(user, "pk", None)
    if pk is None:
        return "sv"
    language = Profile.objects.filter(user_id=pk).values_list("language", flat=True).first()
    return str(language) if language else "sv"


def _users() -> QuerySet[Any]:
    assignments = RoleAssignment.objects.select_related("county").order_by("role", "county__code")
    return (
        get_user_model()
        .objects.select_related("profile", "profile__organisation")
        .prefetch_related(Prefetch("role_assignments", queryset=assignments), "profile__organisation__names")
        .order_by("username")
    )


def user_list(*, actor: Any, role: str | None = None, q: str | None = None) -> QuerySet[Any]:
    """Every account with its roles, for a system administrator (`users.manage`); `role` keeps the
    holders of a role, `q` the accounts whose user name or name holds it."""
    require(actor, "users.manage")
    users = _users()
    if role:
        users = users.filter(role_assignments__role=role).distinct()
    if q:
        users = users.filter(
            Q(username__icontains=q) | Q(first_name__icontains=q) | Q(last_name__icontains=q)
        )
    return users


def user_for_admin(*, actor: Any, username: str) -> Any:
    """One account by its user name, for a system administrator; `NotFound` for an unknown one."""
    require(actor, "users.manage")
    found = _users().filter(username=username[:150]).first()
    if found is None:
        raise NotFound(_("Användaren finns inte."))
    return found


def role_assignment_for_admin(*, actor: Any, user: Any, pk: int) -> RoleAssignment:
    """One of `user`'s role assignments, for a system administrator; `NotFound` otherwise."""
    require(actor, "users.manage", user)
    found = RoleAssignment.objects.select_related("user", "county").filter(user=user, pk=pk).first()
    if found is None:
        raise NotFound(_("Användaren har ingen sådan roll."))
    return found
