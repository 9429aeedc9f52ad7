"""Reads about accounts: who a person is on a document they certify or sign."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied

from .models import Profile
from .policy import PERSON_REQUIRED, actor_label, actor_user

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
