"""Reads for reference data. Lists prefetch names so that `name_at` costs no query per row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext

from jamkoll.errors import NotFound

from .models import (
    Organisation,
    OrganisationKind,
    PolicySubGoal,
    StrategyObjective,
    name_text,
    name_valid_on,
)


def organisation_list(
    *, kind: str | None = None, code: str | None = None, on: dt.date | None = None
) -> QuerySet[Organisation]:
    qs = Organisation.objects.select_related("county").prefetch_related("names", "county__names")
    if kind:
        qs = qs.filter(kind=kind)
    if code:
        qs = qs.filter(code=code)
    if on is not None:
        qs = qs.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=on)).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=on)
        )
    return qs.order_by("kind", "code")


def organisation_row(org: Organisation, on: dt.date) -> dict[str, str | None]:
    """The CLI and API form of an organisation (DESIGN §5): code, kind, name on `on`, county code."""
    county_code = org.county.code if org.county is not None else None
    if org.kind == OrganisationKind.LAN:
        county_code = org.code
    return {"code": org.code, "kind": org.kind, "name": org.name_at(on), "county_code": county_code}


@dataclass(frozen=True)
class _NameRow:
    name: str
    short_name: str
    valid_from: dt.date | None
    valid_to: dt.date | None


def names_on(
    organisations: QuerySet[Organisation], on: dt.date, *, short: bool = False
) -> list[tuple[str, str]]:
    """(code, name on `on`) — `Organisation.name_at`, or `short_name_at` — of each of
    `organisations`, in code order (a county and its region share a code: each is there), read as
    plain rows in one query: a select list of 56 partners cost 20 ms as model rows with their
    prefetched names, 2 ms so."""
    found: dict[int, tuple[str, list[_NameRow]]] = {}
    rows = organisations.order_by("code", "pk").values_list(
        "pk", "code", "names__name", "names__short_name", "names__valid_from", "names__valid_to"
    )
    for pk, code, name, short_name, valid_from, valid_to in rows:
        _code, spans = found.setdefault(pk, (code, []))
        if name is not None:
            spans.append(_NameRow(name, short_name or "", valid_from, valid_to))
    return [(code, name_text(name_valid_on(spans, on), code, short=short)) for code, spans in found.values()]


def county_list() -> QuerySet[Organisation]:
    return organisation_list(kind=OrganisationKind.LAN)


def county_names(codes: Iterable[str], on: dt.date, *, short: bool = False) -> dict[str, str]:
    """The counties with these codes, by code, as they were named on `on`: one query, none for no
    codes."""
    wanted = sorted(set(codes))
    if not wanted:
        return {}
    counties = Organisation.objects.filter(kind=OrganisationKind.LAN, code__in=wanted)
    return dict(names_on(counties, on, short=short))


def county_get(*, code: str) -> Organisation:
    """A county by its two-digit SCB code; `NotFound` names an unknown code (a service that takes
    the code from a field turns it into that field's `ValidationError`)."""
    county = county_list().filter(code=code).first() if isinstance(code, str) and len(code) <= 10 else None
    if county is None:
        raise NotFound(gettext("okänt län %(code)r") % {"code": str(code)[:10]})
    return county


def organisation_get(*, code: str, kind: str = OrganisationKind.OTHER) -> Organisation:
    return organisation_list(kind=kind, code=code).get()


def skr_get() -> Organisation:
    return organisation_get(code="SKR")


def sub_goal_list() -> QuerySet[PolicySubGoal]:
    return PolicySubGoal.objects.all()


def strategy_objective_list() -> QuerySet[StrategyObjective]:
    return StrategyObjective.objects.all()
