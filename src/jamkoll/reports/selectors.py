"""Reads for the report archive, filtered by what the user may see: drafts only for the roles
that may see drafts (and an RSS leader's own county), submitted reports for everyone."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from jamkoll.accounts.models import Role
from jamkoll.accounts.policy import has_role, rss_counties

from .models import ReportState, ReportVersion


def version_list(*, user: Any, decision_slug: str | None = None) -> QuerySet[ReportVersion]:
    qs = ReportVersion.objects.select_related("decision", "county").prefetch_related("files")
    if decision_slug:
        qs = qs.filter(decision__slug=decision_slug)
    if not any(has_role(user, r) for r in (Role.COORDINATOR, Role.CERTIFIER, Role.SIGNATORY)):
        visible = Q(state=ReportState.SUBMITTED)
        counties = rss_counties(user)
        if counties:
            visible |= Q(county__code__in=counties)
        qs = qs.filter(visible)
    return qs.order_by("decision__slug", "-year", "kind", "scope", "-version")


def published_list(*, decision_slug: str) -> QuerySet[ReportVersion]:
    return (
        ReportVersion.objects.filter(decision__slug=decision_slug, state=ReportState.SUBMITTED)
        .select_related("county")
        .prefetch_related("files")
        .order_by("-year", "kind", "scope", "-version")
    )
