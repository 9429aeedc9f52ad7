"""API for obligations under /api/v1/obligations (session auth with CSRF for the browser).

401 without a login; 403 with the policy's reason when the user may not; 404 for an unknown
obligation or decision; 409 when the obligation's state does not allow the act (already submitted,
waived); 422 for bad input.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.security import django_auth

from jamkoll.accounts.policy import check
from jamkoll.errors import NotFound

from . import selectors, services
from .models import Obligation, ObligationKind, ObligationStatus

router = Router(auth=django_auth, tags=["obligations"])


class ErrorOut(Schema):
    detail: str


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
    status: str
    derived: bool
    reclaim_risk: bool
    period_start: dt.date | None
    period_end: dt.date | None
    submitted_on: dt.date | None
    receipt_reference: str


class ObligationDetailOut(ObligationOut):
    source_text: str
    source: str
    document_reference: str
    waived: bool
    waiver_reason: str
    actions: dict[str, ActionOut]


class ObligationFilter(Schema):
    decision: str | None = None
    year: int | None = None
    kind: ObligationKind | None = None
    county: str | None = Field(None, pattern=r"^\d{2}$")
    status: ObligationStatus | None = None


class SubmitIn(Schema):
    submitted_on: dt.date
    receipt_reference: str = Field("", max_length=100)
    document_reference: str = Field("", max_length=300)


class WaiveIn(Schema):
    reason: str = Field(..., min_length=1, max_length=2000)


class RescheduleIn(Schema):
    nominal_date: dt.date
    reason: str = Field(..., min_length=1, max_length=2000)


def _require(request: HttpRequest, action: str, obj: object = None) -> None:
    verdict = check(request.user, action, obj)
    if not verdict:
        raise HttpError(403, verdict.reason)


def _detail(request: HttpRequest, obligation: Obligation, today: dt.date) -> dict[str, Any]:
    return {
        **selectors.obligation_row(obligation, today),
        "source_text": obligation.source_text,
        "source": obligation.source,
        "document_reference": obligation.document_reference,
        "waived": obligation.waived_at is not None,
        "waiver_reason": obligation.waiver_reason,
        "actions": {
            action: {"allowed": bool(verdict), "reason": verdict.reason}
            for action, verdict in selectors.obligation_actions(request.user, obligation).items()
        },
    }


def _get(pk: int) -> Obligation:
    try:
        return selectors.obligation_get(pk=pk)
    except NotFound as exc:
        raise HttpError(404, str(exc)) from None


@router.get("", response=list[ObligationOut], summary="Åtaganden (deadlines)")
def obligation_list(request: HttpRequest, filters: Query[ObligationFilter]) -> list[dict[str, Any]]:
    """`year` is the year the deadline falls in (the nominal date); obligations without a date are
    listed for the year they concern."""
    _require(request, "obligation.view")
    today = timezone.localdate()
    decision = None
    if filters.decision:
        try:
            decision = selectors.decision_for_deadlines(slug=filters.decision)
        except NotFound as exc:
            raise HttpError(404, str(exc)) from None
    obligations = selectors.obligation_list(
        decision=decision,
        year=filters.year,
        kind=filters.kind.value if filters.kind else None,
        county=filters.county,
        status=filters.status.value if filters.status else None,
        today=today,
    )
    return [selectors.obligation_row(o, today) for o in obligations]


@router.get("/{int:pk}", response={200: ObligationDetailOut}, summary="Ett åtagande")
def obligation_detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    _require(request, "obligation.view")
    return _detail(request, _get(pk), timezone.localdate())


def _run(request: HttpRequest, pk: int, action: str, call: Any) -> dict[str, Any]:
    obligation = _get(pk)
    _require(request, action, obligation)
    try:
        updated = call(obligation)
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from None
    except services.TransitionRefused as exc:
        raise HttpError(409, str(exc)) from None
    except ValidationError as exc:
        raise HttpError(422, " ".join(exc.messages)) from None
    return _detail(request, selectors.obligation_get(pk=updated.pk), timezone.localdate())


RESPONSES = {200: ObligationDetailOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


@router.post("/{int:pk}/submit", response=RESPONSES, summary="Registrera inlämning")
def obligation_submit(request: HttpRequest, pk: int, payload: SubmitIn) -> dict[str, Any]:
    return _run(
        request,
        pk,
        "obligation.submit",
        lambda o: services.obligation_submit(
            obligation=o,
            submitted_on=payload.submitted_on,
            receipt_reference=payload.receipt_reference,
            document_reference=payload.document_reference,
            user=request.user,
        ),
    )


@router.post("/{int:pk}/waive", response=RESPONSES, summary="Undanta ett åtagande")
def obligation_waive(request: HttpRequest, pk: int, payload: WaiveIn) -> dict[str, Any]:
    return _run(
        request,
        pk,
        "obligation.waive",
        lambda o: services.obligation_waive(obligation=o, reason=payload.reason, user=request.user),
    )


@router.post("/{int:pk}/reschedule", response=RESPONSES, summary="Ändra sista dag")
def obligation_reschedule(request: HttpRequest, pk: int, payload: RescheduleIn) -> dict[str, Any]:
    return _run(
        request,
        pk,
        "obligation.edit",
        lambda o: services.obligation_reschedule(
            obligation=o, nominal_date=payload.nominal_date, reason=payload.reason, user=request.user
        ),
    )
