"""Users and their roles, for the system administrator (rule `users.manage`): list the accounts
with their roles, grant a role (an RSS role for a county), take one away. The same services as the
Django admin's; the policy refuses every other role with its reason (403)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema
from pydantic import ConfigDict

from jamkoll.accounts.api_auth import user_auth
from jamkoll.api_paging import Page, PageIn, page
from jamkoll.schema_types import ERRORS, Code, ShortText

from .models import Role, RoleAssignment
from .selectors import role_assignment_for_admin, user_for_admin, user_list
from .services import role_assign, role_remove

router = Router(tags=["users"])


class RoleOut(Schema):
    id: int
    role: Role
    label: str  # the role as the pages name it ("Samordnare (förbundet)")
    county: str | None  # the county's code, for an RSS role


class UserOut(Schema):
    username: str
    name: str
    is_active: bool
    title: str  # what a certification or signature says the person is
    organisation: str | None
    roles: list[RoleOut]


class UserFilter(PageIn):
    role: Role | None = None
    q: ShortText | None = None


class RoleIn(Schema):
    """A role to grant: `county` (a county's two-digit code) for the RSS role, and only for it."""

    model_config = ConfigDict(extra="forbid")
    role: Role
    county: Code | None = None


def _role_out(a: RoleAssignment) -> dict[str, Any]:
    return {
        "id": a.pk,
        "role": a.role,
        "label": str(a.get_role_display()),
        "county": a.county.code if a.county is not None else None,
    }


def _user_out(user: Any) -> dict[str, Any]:
    profile = getattr(user, "profile", None)
    organisation = profile.organisation if profile is not None else None
    return {
        "username": user.username,
        "name": user.get_full_name(),
        "is_active": user.is_active,
        "title": profile.title if profile is not None else "",
        "organisation": organisation.name_at(timezone.localdate()) if organisation is not None else None,
        "roles": [_role_out(a) for a in user.role_assignments.all()],
    }


@router.get(
    "",
    response={200: Page[UserOut], **ERRORS},
    auth=user_auth,
    summary="Användare och deras roller",
    description="För systemadministratören. Sidvis (`limit`, `offset`); `role` behåller rollens "
    "innehavare, `q` användare vars namn eller användarnamn innehåller texten.",
)
def users(request: HttpRequest, filters: Query[UserFilter]) -> dict[str, Any]:
    found = user_list(actor=request.user, role=filters.role.value if filters.role else None, q=filters.q)
    return page(found, filters, _user_out)


@router.get("/{username}", response={200: UserOut, **ERRORS}, auth=user_auth, summary="En användare")
def user(request: HttpRequest, username: str) -> dict[str, Any]:
    return _user_out(user_for_admin(actor=request.user, username=username))


@router.post(
    "/{username}/roles",
    response={201: UserOut, **ERRORS},
    auth=user_auth,
    summary="Ge en användare en roll",
    description="En roll som användaren redan har ändrar ingenting.",
)
def grant(request: HttpRequest, username: str, payload: RoleIn) -> tuple[int, dict[str, Any]]:
    found = user_for_admin(actor=request.user, username=username)
    role_assign(user=found, role=payload.role.value, county_code=payload.county, actor=request.user)
    return 201, _user_out(user_for_admin(actor=request.user, username=username))


@router.delete(
    "/{username}/roles/{int:role_id}",
    response={204: None, **ERRORS},
    auth=user_auth,
    summary="Ta en roll från en användare",
)
def revoke(request: HttpRequest, username: str, role_id: int) -> tuple[int, None]:
    found = user_for_admin(actor=request.user, username=username)
    role_remove(
        assignment=role_assignment_for_admin(actor=request.user, user=found, pk=role_id), actor=request.user
    )
    return 204, None
