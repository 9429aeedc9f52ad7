"""API for obligations under /api/v1/obligations (session auth with CSRF for the browser).

The endpoints do not catch: `jamkoll.api` turns the exceptions into its one error body. 401
without a login; 403 with the policy's reason when the user may not; 404 for an unknown obligation
or decision; 422 for bad input and for an act the obligation's state does not allow (already
submitted, waived, a date the decision states), with the reason.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from jamkoll.accounts.api_auth import user_auth
from jamkoll.accounts.policy import Verdict, require
from jamkoll.api_paging import Page, PageIn, page
from jamkoll.programmes.schemas import DecisionDocument, Slug
from jamkoll.programmes.selectors import decision_document_dump, decision_get
from jamkoll.reference.sources import cite
from jamkoll.schema_types import ERRORS, ApiDate, ReasonText, ShortText, Year
from jamkoll.seeding import SeedError, json_parse

from . import registration, selectors, transitions
from .models import Obligation, ObligationKind, ObligationStatus
from .transitions import RECEIPT_REFERENCE_MAX, Action

router = Router(auth=user_auth, tags=["obligations"])

# The receiver's diary number has a column of 100 characters.
ReceiptReference = Annotated[ShortText, Field(max_length=RECEIPT_REFERENCE_MAX)]


class ActionOut(Schema):
    allowed: bool
    reason: str


class ObligationOut(Schema):
    id: int
    decision: str
    year: int
    kind: str
    tier: str
    title: str
    owed_by: str
    owed_to: str
    county: str | None
    nominal_date: dt.date | None
    effective_date: dt.date | None
    status: str = Field(
        description="Beräknad status: upcoming, due_soon, overdue, not_scheduled, submitted_on_time, "
        "submitted_late, waived, fulfilled_undated (en handling visar det fullgjort men inte när) "
        "eller unknown (föll ut innan JämKoll förde beslutets uppgifter och inget är registrerat)."
    )
    derived: bool
    evidence: str = Field(
        description="Handlingen som visar åtagandet fullgjort när den inte anger datum; tomt annars."
    )
    reclaim_risk: bool
    period_start: dt.date | None
    period_end: dt.date | None
    submitted_on: dt.date | None
    receipt_reference: str
    closed_by: str = Field(
        description="Det som stängde åtagandet (ledger-entry:57, project-plan:12, report-version:3); "
        "tomt när inlämningen registrerades för hand eller åtagandet är öppet."
    )
    closure: str = Field(
        description='Vad som stängde det, när och i tid eller för sent: "Stängd av post #57 i '
        'medelsflödet, 2019-11-20, i tid"; tomt när det är öppet.'
    )
    reopen_reason: str = Field(description="Skälet till att en stängning hävdes, medan det är öppet igen.")
    still_owed: str | None = Field(
        description="Kvar att betala enligt medelsflödet (decimalsträng) för ett öppet åtagande som "
        "gäller pengar, annars null."
    )
    record_withheld: str = Field(
        description="Varför mottagarens diarienummer, handlingen och vad som stängde åtagandet inte "
        "visas för dig (de fälten är då tomma); tomt när de visas."
    )


class ObligationDetailOut(ObligationOut):
    source_text: str
    source: str
    document_reference: str
    waived: bool
    waiver_reason: str
    actions: dict[str, ActionOut]


class ObligationFilter(PageIn, Schema):
    decision: Annotated[str, Field(max_length=80, pattern=r"^[a-z0-9-]+$")] | None = None
    year: Year | None = None
    kind: ObligationKind | None = None
    county: str | None = Field(None, pattern=r"^\d{2}$")
    status: ObligationStatus | None = None


class SubmitIn(Schema):
    submitted_on: ApiDate
    receipt_reference: ReceiptReference = ""
    document_reference: ShortText = ""


class WaiveIn(Schema):
    reason: ReasonText = Field(..., min_length=1)


class RescheduleIn(Schema):
    nominal_date: ApiDate
    reason: ReasonText = Field(..., min_length=1)


RESPONSES: dict[int, Any] = {200: ObligationDetailOut, **ERRORS}


def _detail(actor: Any, obligation: Obligation, actions: dict[str, Verdict]) -> dict[str, Any]:
    row = selectors.obligation_row(obligation, timezone.localdate(), viewer=actor)
    return {
        **row,
        "source_text": obligation.source_text,
        "source": cite(obligation.source),
        "document_reference": "" if row["record_withheld"] else obligation.document_reference,
        "waived": obligation.waived_at is not None,
        "waiver_reason": obligation.waiver_reason,
        "actions": {a: {"allowed": bool(v), "reason": v.reason} for a, v in actions.items()},
    }


@router.get("", response={200: Page[ObligationOut], **ERRORS}, summary="Åtaganden (tidsfrister)")
def obligation_list(request: HttpRequest, filters: Query[ObligationFilter]) -> dict[str, Any]:
    """`year` is the year the deadline falls in (the nominal date); obligations without a date are
    listed for the year they concern. A page at a time (`limit`, `offset`; `total` counts them all)."""
    require(request.user, "obligation.view")
    today = timezone.localdate()
    decision = None
    if filters.decision:
        decision = selectors.deadline_decision_for_user(
            actor=request.user, action="obligation.view", slug=filters.decision
        )
    obligations = selectors.obligation_list(
        decision=decision,
        year=filters.year,
        kind=filters.kind.value if filters.kind else None,
        county=filters.county,
        status=filters.status.value if filters.status else None,
        today=today,
    )
    chunk = page(obligations, filters)
    chunk["items"] = selectors.obligation_rows(chunk["items"], today, viewer=request.user)
    return chunk


@router.get("/{int:pk}", response=RESPONSES, summary="Ett åtagande")
def obligation_detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    return _detail(request.user, *selectors.obligation_for_user(actor=request.user, pk=pk))


@router.post("/{int:pk}/submit", response=RESPONSES, summary="Registrera inlämning")
def obligation_submit(request: HttpRequest, pk: int, payload: SubmitIn) -> dict[str, Any]:
    obligation, _actions = selectors.obligation_for_user(actor=request.user, pk=pk, action=Action.SUBMIT)
    transitions.obligation_submit(
        obligation=obligation,
        submitted_on=payload.submitted_on,
        receipt_reference=payload.receipt_reference,
        document_reference=payload.document_reference,
        actor=request.user,
    )
    return obligation_detail(request, pk)


@router.post("/{int:pk}/waive", response=RESPONSES, summary="Undanta ett åtagande")
def obligation_waive(request: HttpRequest, pk: int, payload: WaiveIn) -> dict[str, Any]:
    obligation, _actions = selectors.obligation_for_user(actor=request.user, pk=pk, action=Action.WAIVE)
    transitions.obligation_waive(obligation=obligation, reason=payload.reason, actor=request.user)
    return obligation_detail(request, pk)


@router.post("/{int:pk}/reschedule", response=RESPONSES, summary="Ändra sista dag")
def obligation_reschedule(request: HttpRequest, pk: int, payload: RescheduleIn) -> dict[str, Any]:
    obligation, _actions = selectors.obligation_for_user(actor=request.user, pk=pk, action=Action.EDIT)
    transitions.obligation_reschedule(
        obligation=obligation, nominal_date=payload.nominal_date, reason=payload.reason, actor=request.user
    )
    return obligation_detail(request, pk)


# --- Decisions: register one from its document (issue 11) -----------------------------------------
# Mounted at /api/v1/decisions. The body is the decision document of `jamkoll decision import` and
# `programmes.json` (`programmes.schemas.DecisionDocument`, standing alone, so with `programme`),
# read and checked by the same code as the file: a bad field is a 422 keyed by its path in the
# document (`conditions.2.text`).

decisions_router = Router(tags=["decisions"])


class RegisterFilter(Schema):
    dry_run: bool = Field(False, description="Förhandsgranska: visa vad som skulle sparas, spara inget.")


class ObligationChangeOut(Schema):
    change: str = Field(description="created, changed, unchanged eller removed")
    key: str
    title: str
    kind: str
    tier: str
    year: int
    county: str | None
    nominal_date: dt.date | None
    effective_date: dt.date | None
    moved: bool = Field(
        description="Sista dagen flyttas enligt lagen (1930:173) om beräkning av lagstadgad tid."
    )
    moved_because: str | None
    fields: list[str]


class RegistrationRowsOut(Schema):
    created: dict[str, int]
    updated: dict[str, int]
    deleted: dict[str, int]


class RegistrationOut(Schema):
    decision: str
    title: str
    created: bool
    dry_run: bool
    changed: bool
    rows: RegistrationRowsOut
    obligations: list[ObligationChangeOut]


# The request body, read by `decision_document_read` rather than by ninja (so the API refuses with
# the same messages and paths as the command line), is documented as the document's schema.
_DOCUMENT_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/DecisionDocument"}}},
    }
}


def _body(request: HttpRequest) -> Any:
    try:
        text = request.body.decode("utf-8")
    except UnicodeDecodeError:
        raise ValidationError({"body": [_("Innehållet är inte UTF-8-text.")]}) from None
    try:
        return json_parse(text, file="body")
    except SeedError as exc:
        raise ValidationError({"body": [exc.message]}) from None


@decisions_router.post(
    "",
    response={200: RegistrationOut, 201: RegistrationOut, **ERRORS},
    auth=user_auth,
    openapi_extra=_DOCUMENT_BODY,
    summary="Registrera eller uppdatera ett beslut",
)
def decision_register(request: HttpRequest, filters: Query[RegisterFilter]) -> Any:
    """The document is the whole decision: an existing slug updates that decision (what the
    document no longer states is removed), a new one registers it. The obligations that follow
    from its conditions are created or updated; one that was handed in is never dropped (422 at
    the condition). 201 for a new decision, 200 for an update and for `?dry_run=true`."""
    require(request.user, "programme.change")
    result = registration.decision_register_data(
        _body(request), actor=request.user, dry_run=filters.dry_run, file="body"
    )
    return (201 if result.created and not result.dry_run else 200), result.as_dict()


@decisions_router.get(
    "/{slug}", response={200: DecisionDocument, **ERRORS}, summary="Ett beslut som dokument"
)
def decision_document(request: HttpRequest, slug: Slug) -> Any:
    """The decision in the shape `POST /api/v1/decisions` takes: fetch, edit, send back."""
    require(request.user, "programme.view")
    return decision_document_dump(decision_get(slug=slug))
