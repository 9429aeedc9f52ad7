"""Ledger endpoints: balances, entries, recording and reversing an entry (session auth, the one
policy). Endpoints do not catch: `jamkoll.api`'s handlers answer a `ValidationError` with 422 and
the fields in `errors`, `PermissionDenied` with 403 and the policy's reason, `NotFound` with 404."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from pydantic import StringConstraints

from jamkoll.accounts.api_auth import user_auth
from jamkoll.api_paging import Page, PageIn, ordered, page
from jamkoll.money import to_str
from jamkoll.programmes.selectors import decision_year_for_user
from jamkoll.schema_types import ERRORS, ApiDate, Code, LongText, ReasonText, ShortText, Year

from .models import NOTE_MAX_LENGTH, EntryKind, LedgerEntry
from .selectors import (
    SEQUENCE_MAX,
    STATE_RECIPIENT,
    balance_dict,
    county_code_for,
    entry_count,
    entry_for_user,
    entry_list,
)
from .services import LINE_MAX, entry_record, entry_reverse

router = Router(tags=["ledger"])

# Bounds of this router's inputs (the services check the same; see `entry_record`).
AmountText = Annotated[Code, Field(description='Decimalsträng i kronor, t.ex. "2500000.00"; inte negativ.')]
NoteText = Annotated[LongText, StringConstraints(max_length=NOTE_MAX_LENGTH)]
Line = Annotated[int, Field(ge=1, le=LINE_MAX, strict=True)]  # a JSON number: not true, "3" or 1.0
Sequence = Annotated[int, Field(ge=1, le=SEQUENCE_MAX)]


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
    """An entry to record. A refused field comes back in `errors` under the service's name:
    `county` for `recipient`, otherwise the field's own."""

    kind: EntryKind
    amount: AmountText
    reference: ShortText
    recipient: Code = Field(
        STATE_RECIPIENT, description=f"{STATE_RECIPIENT} (staten–SKR) eller en länskod (RSS-nivån)."
    )
    line: Line | None = None
    entry_date: ApiDate | None = Field(
        None, description="Från 1 januari året före postens år till i dag; standard i dag."
    )
    note: NoteText = ""


class ReverseIn(Schema):
    reason: ReasonText


ENTRY_ORDERS: dict[str, tuple[str, ...]] = {
    "sequence": ("sequence",),
    "entry_date": ("entry_date", "sequence"),
    "amount": ("amount", "sequence"),
    "kind": ("kind", "sequence"),
    "county": ("county__code", "sequence"),
}
EntrySort = Literal[
    "sequence",
    "-sequence",
    "entry_date",
    "-entry_date",
    "amount",
    "-amount",
    "kind",
    "-kind",
    "county",
    "-county",
]


class EntryFilter(PageIn):
    county: Code | None = None
    kind: EntryKind | None = None
    sort: EntrySort | None = Field(
        None,
        description="Kolumnen att sortera på, `-` före för fallande; standard `-sequence` (nyaste först).",
    )


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


@router.get(
    "/{slug}/{year}/balance",
    response={200: BalanceOut, **ERRORS},
    auth=user_auth,
    summary="Saldo för ett år",
)
def balance(request: HttpRequest, slug: str, year: Year) -> dict[str, Any]:
    decision, year = decision_year_for_user(actor=request.user, action="ledger.view", slug=slug, year=year)
    return balance_dict(decision=decision, year=year)


@router.get(
    "/{slug}/{year}/entries",
    response={200: Page[EntryOut], **ERRORS},
    auth=user_auth,
    summary="Poster",
    description="Bara de poster du får se: SKR alla, Regeringskansliet och Kammarkollegiet "
    "statsnivåns, en RSS-ledare sitt läns. Saldot (`/balance`) räknas på alla poster. Sidvis "
    "(`limit` högst 500, `offset`; `total` är antalet poster du får se som filtren behåller).",
)
def entries(request: HttpRequest, slug: str, year: Year, filters: Query[EntryFilter]) -> dict[str, Any]:
    decision, year = decision_year_for_user(actor=request.user, action="ledger.view", slug=slug, year=year)
    qs = entry_list(actor=request.user, decision=decision, year=year, county_code=filters.county)
    kind = filters.kind.value if filters.kind else None
    if kind:
        qs = qs.filter(kind=kind)
    total = entry_count(
        actor=request.user, decision=decision, year=year, county_code=filters.county, kind=kind
    )
    return page(ordered(qs, filters.sort, ENTRY_ORDERS, "-sequence"), filters, _entry_out, total=total)


@router.post(
    "/{slug}/{year}/entries",
    response={201: EntryOut, **ERRORS},
    auth=user_auth,
    summary="Registrera en post",
)
def create_entry(request: HttpRequest, slug: str, year: Year, payload: EntryIn) -> Any:
    decision, year = decision_year_for_user(actor=request.user, action="ledger.view", slug=slug, year=year)
    entry = entry_record(
        actor=request.user,
        decision=decision,
        year=year,
        kind=payload.kind.value,
        amount=payload.amount,
        reference=payload.reference,
        county_code=county_code_for(payload.recipient),
        line=payload.line,
        entry_date=payload.entry_date,
        note=payload.note,
    )
    return 201, _entry_out(entry)


@router.post(
    "/entries/{sequence}/reverse",
    response={201: EntryOut, **ERRORS},
    auth=user_auth,
    summary="Rätta en post med en motpost",
)
def reverse(request: HttpRequest, sequence: Sequence, payload: ReverseIn) -> Any:
    entry, verdict = entry_for_user(actor=request.user, sequence=sequence)
    if not verdict:
        raise PermissionDenied(verdict.reason)
    return 201, _entry_out(entry_reverse(actor=request.user, entry=entry, reason=payload.reason))
