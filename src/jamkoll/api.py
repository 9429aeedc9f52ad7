"""Django Ninja API under /api/v1/ (DESIGN §4). Amounts are decimal strings ("2500000.00")."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import NinjaAPI, Query, Router, Schema
from ninja.errors import HttpError

from jamkoll.accounts.policy import check
from jamkoll.ledger.api import router as ledger_router
from jamkoll.money import to_str
from jamkoll.obligations.api import router as obligations_router
from jamkoll.plans.api import router as plans_router
from jamkoll.programmes import selectors as programme_selectors
from jamkoll.programmes.models import Programme
from jamkoll.programmes.selectors import allocation_dict
from jamkoll.reference.models import OrganisationKind
from jamkoll.reference.selectors import organisation_list, organisation_row
from jamkoll.reports.api import router as reports_router

api = NinjaAPI(
    title="JämKoll API",
    version="1",
    description=(
        "Läs-API för organisationer, satsningar, beslut och fördelningar. "
        "Belopp anges som decimalsträngar i kronor med två decimaler."
    ),
    urls_namespace="api",
)


def _require(request: HttpRequest, action: str, obj: object = None) -> None:
    verdict = check(request.user, action, obj)
    if not verdict:
        raise HttpError(403, verdict.reason)


class OrganisationOut(Schema):
    code: str
    kind: str
    name: str
    county_code: str | None


class OrganisationFilter(Schema):
    kind: OrganisationKind | None = None
    code: str | None = None
    on: dt.date | None = None


class DecisionSummaryOut(Schema):
    slug: str
    kind: str
    title: str
    years: list[int]
    amount_per_year: str | None
    amount_total: str | None


class ProgrammeOut(Schema):
    slug: str
    title: str
    start_year: int | None
    end_year: int | None
    relation: str
    decisions: list[DecisionSummaryOut]


class LineOut(Schema):
    goal_area: int
    recipient: str
    amount: str | None
    decided: bool


class CountyOut(Schema):
    code: str
    name: str
    amount: str


class AllocationsOut(Schema):
    decision: str
    year: int
    total: str | None
    decided: bool
    lines: list[LineOut]
    counties: list[CountyOut]


class ErrorOut(Schema):
    detail: str


router = Router()


@router.get("/organisations", response=list[OrganisationOut], summary="Organisationer")
def organisations(request: HttpRequest, filters: Query[OrganisationFilter]) -> list[dict[str, str | None]]:
    _require(request, "organisation.view")
    on = filters.on or dt.date.today()
    kind = filters.kind.value if filters.kind else None
    return [organisation_row(o, on) for o in organisation_list(kind=kind, code=filters.code, on=on)]


def _programme_out(p: Programme) -> dict[str, object]:
    return {
        "slug": p.slug,
        "title": p.title,
        "start_year": p.start_year,
        "end_year": p.end_year,
        "relation": p.relation,
        "decisions": [
            {
                "slug": d.slug,
                "kind": d.kind,
                "title": d.title,
                "years": d.years,
                "amount_per_year": to_str(d.amount_per_year),
                "amount_total": to_str(d.amount_total),
            }
            for d in p.decisions.all()
        ],
    }


@router.get("/programmes", response=list[ProgrammeOut], summary="Satsningar")
def programmes(request: HttpRequest) -> list[dict[str, object]]:
    _require(request, "programme.view")
    return [_programme_out(p) for p in programme_selectors.programme_list()]


@router.get("/programmes/{slug}", response={200: ProgrammeOut, 404: ErrorOut}, summary="En satsning")
def programme(request: HttpRequest, slug: str) -> object:
    _require(request, "programme.view")
    try:
        return _programme_out(programme_selectors.programme_get(slug=slug))
    except programme_selectors.NotFound as exc:
        return 404, {"detail": str(exc)}


@router.get(
    "/decisions/{slug}/allocations/{year}",
    response={200: AllocationsOut, 404: ErrorOut},
    summary="Ett års fördelning",
)
def allocations(request: HttpRequest, slug: str, year: int) -> object:
    _require(request, "allocation.view")
    try:
        table = programme_selectors.allocation_table(
            decision=programme_selectors.decision_get(slug=slug), year=year
        )
    except programme_selectors.NotFound as exc:
        return 404, {"detail": str(exc)}
    return allocation_dict(table)


api.add_router("/", router)
api.add_router("/ledger", ledger_router)
api.add_router("/obligations", obligations_router)
api.add_router("/plans", plans_router)
api.add_router("/reports", reports_router)
