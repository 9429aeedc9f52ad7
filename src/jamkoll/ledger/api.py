"""Ledger endpoints: balances, entries, and recording an entry (session auth, the one policy)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from ninja.security import django_auth

from jamkoll.accounts.policy import check
from jamkoll.errors import NotFound
from jamkoll.money import to_str
from jamkoll.programmes.models import FundingDecision
from jamkoll.programmes.selectors import budget_get, decision_brief

from .models import EntryKind, LedgerEntry
from .selectors import balance_dict, entry_list
from .services import LedgerError, entry_record, entry_reverse

router = Router(tags=["ledger"])


class CountyBalanceOut(Schema):
    code: str
    allocation: str
    requisitioned: str
    disbursed: str
    spent: str
    repaid: str
    to_repay: str


class BalanceOut(Schema):
    decision: str
    year: int
    budgeted: str | None
    requisitioned: str
    disbursed: str
    spent: str
    repaid: str
    reclaimed: str
    to_repay: str
    counties: list[CountyBalanceOut]


class EntryOut(Schema):
    sequence: int
    decision: str
    year: int
    tier: str
    kind: str
    county: str | None
    goal_area: int | None
    amount: str
    entry_date: dt.date
    reference: str
    note: str
    reverses: int | None
    reason: str
    recorded_by: str
    recorded_at: dt.datetime


class EntryIn(Schema):
    kind: EntryKind
    amount: str
    reference: str
    recipient: str = "SKR"
    line: int | None = None
    entry_date: dt.date | None = None
    note: str = ""


class ReverseIn(Schema):
    reason: str


class EntryFilter(Schema):
    county: str | None = None
    kind: EntryKind | None = None
    limit: int = 100
    offset: int = 0


class ErrorOut(Schema):
    detail: str


def _entry_out(e: LedgerEntry) -> dict[str, Any]:
    return {
        "sequence": e.sequence,
        "decision": e.decision.slug,
        "year": e.year,
        "tier": e.tier,
        "kind": e.kind,
        "county": e.county.code if e.county else None,
        "goal_area": e.goal_area.number if e.goal_area else None,
        "amount": to_str(e.amount),
        "entry_date": e.entry_date,
        "reference": e.reference,
        "note": e.note,
        "reverses": e.reverses.sequence if e.reverses else None,
        "reason": e.reason,
        "recorded_by": e.recorded_by_name,
        "recorded_at": e.recorded_at,
    }


def _decision(request: HttpRequest, slug: str, year: int) -> FundingDecision:
    verdict = check(request.user, "ledger.view")
    if not verdict:
        raise HttpError(403, verdict.reason)
    try:
        decision = decision_brief(slug=slug)
        budget_get(decision=decision, year=year)
    except NotFound as exc:
        raise HttpError(404, str(exc)) from None
    return decision


@router.get("/{slug}/{year}/balance", response=BalanceOut, auth=django_auth, summary="Saldo för ett år")
def balance(request: HttpRequest, slug: str, year: int) -> dict[str, Any]:
    return balance_dict(decision=_decision(request, slug, year), year=year)


@router.get("/{slug}/{year}/entries", response=list[EntryOut], auth=django_auth, summary="Poster")
def entries(request: HttpRequest, slug: str, year: int, filters: Query[EntryFilter]) -> list[dict[str, Any]]:
    qs = entry_list(decision=_decision(request, slug, year), year=year, county_code=filters.county)
    if filters.kind:
        qs = qs.filter(kind=filters.kind.value)
    limit = max(1, min(filters.limit, 500))
    return [_entry_out(e) for e in qs[filters.offset : filters.offset + limit]]


@router.post(
    "/{slug}/{year}/entries",
    response={201: EntryOut, 403: ErrorOut, 422: ErrorOut},
    auth=django_auth,
    summary="Registrera en post",
)
def create_entry(request: HttpRequest, slug: str, year: int, payload: EntryIn) -> Any:
    decision = _decision(request, slug, year)
    try:
        entry = entry_record(
            decision=decision,
            year=year,
            kind=payload.kind.value,
            amount=payload.amount,
            reference=payload.reference,
            county_code=None if payload.recipient.upper() == "SKR" else payload.recipient,
            line=payload.line,
            entry_date=payload.entry_date,
            note=payload.note,
            user=request.user,
        )
    except PermissionDenied as exc:
        return 403, {"detail": str(exc)}
    except LedgerError as exc:
        return 422, {"detail": str(exc)}
    return 201, _entry_out(entry)


@router.post(
    "/entries/{sequence}/reverse",
    response={201: EntryOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    auth=django_auth,
    summary="Rätta en post med en motpost",
)
def reverse(request: HttpRequest, sequence: int, payload: ReverseIn) -> Any:
    entry = (
        LedgerEntry.objects.select_related("decision", "county", "goal_area")
        .filter(sequence=sequence)
        .first()
    )
    if entry is None:
        return 404, {"detail": f"ingen post med löpnummer {sequence}"}
    try:
        new = entry_reverse(entry=entry, reason=payload.reason, user=request.user)
    except PermissionDenied as exc:
        return 403, {"detail": str(exc)}
    except LedgerError as exc:
        return 422, {"detail": str(exc)}
    return 201, _entry_out(new)
