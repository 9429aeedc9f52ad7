"""Django Ninja API under /api/v1/ (DESIGN §4). Amounts are decimal strings ("2500000.00").

Errors have one body everywhere, made here by exception handlers registered once (django-ninja's
documented way): `{"detail": "<one line>", "errors": {"<field>": ["<message>", …]}}`. Endpoints
do not catch: a service's `ValidationError` is a 422, `PermissionDenied` a 403 with the policy's
reason, `NotFound` a 404, a request that does not match its schema a 422 naming the field.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
    ValidationError,
)
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import NinjaAPI, Query, Router, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaError
from ninja.openapi.docs import Swagger, _csrf_needed

from jamkoll.accounts.api import router as users_router
from jamkoll.accounts.policy import require
from jamkoll.api_paging import Page, PageIn, page
from jamkoll.comments.api import notifications_router
from jamkoll.comments.api import router as comments_router
from jamkoll.errors import error_body
from jamkoll.indicators.api import router as indicators_router
from jamkoll.ledger.api import router as ledger_router
from jamkoll.money import to_str
from jamkoll.obligations.api import decisions_router
from jamkoll.obligations.api import router as obligations_router
from jamkoll.plans.api import router as plans_router
from jamkoll.plans.api_results import router as plans_results_router
from jamkoll.programmes import selectors as programme_selectors
from jamkoll.programmes.models import Programme
from jamkoll.programmes.selectors import allocation_dict
from jamkoll.reference.models import OrganisationKind
from jamkoll.reference.selectors import organisation_list, organisation_row
from jamkoll.reports.api import router as reports_router
from jamkoll.schema_types import ERRORS, ApiDate, Code, ShortText
from jamkoll.web.health import database_unavailable

log = logging.getLogger(__name__)


class LocalSwagger(Swagger):
    """Swagger UI from our own static files (settings.NINJA_DIR), under the Content-Security-Policy.
    ninja renders its local template only when it is an installed app, else one that loads the UI
    from a CDN; we render the local one always, from our own copy of its template (the page's
    language on `<html>`, WCAG 3.1.1)."""

    template = "web/api_docs.html"
    # No deep links: Swagger UI puts each one inside the operation's button (a link in a button, which
    # axe-core counts as a serious WCAG failure).
    default_settings = {**Swagger.default_settings, "deepLinking": False}

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        self.settings["url"] = self.get_openapi_url(api, kwargs)
        context = {
            "swagger_settings": json.dumps(self.settings, indent=1),
            "api": api,
            "add_csrf": _csrf_needed(api),
        }
        return render(request, self.template, context)


api = NinjaAPI(
    title="JämKoll API",
    version="1",
    description=(
        "Läs-API för organisationer, satsningar, beslut och fördelningar. "
        "Belopp anges som decimalsträngar i kronor med två decimaler. "
        "Logga in (session) eller skicka en personlig API-nyckel: `Authorization: Bearer <nyckel>` "
        "(skapas under API-nycklar på ditt konto eller med `jamkoll token create ANVÄNDARNAMN`)."
    ),
    urls_namespace="api",
    docs=LocalSwagger(),
)


def _error(request: HttpRequest, status: int, detail: str, errors: dict[str, list[str]] | None = None) -> Any:
    return api.create_response(request, {"detail": detail, "errors": errors or {}}, status=status)


# pydantic's error types, said in Swedish (the rest keep pydantic's English message).
_SCHEMA_MESSAGES = {
    "missing": gettext_lazy("Fältet måste anges."),
    "string_too_long": gettext_lazy("Högst {max_length} tecken."),
    "string_too_short": gettext_lazy("Minst {min_length} tecken."),
    "greater_than_equal": gettext_lazy("Måste vara minst {ge}."),
    "less_than_equal": gettext_lazy("Får vara högst {le}."),
    "int_parsing": gettext_lazy("Ange ett heltal."),
    "int_from_float": gettext_lazy("Ange ett heltal."),
    "date_from_datetime_parsing": gettext_lazy("Ange ett datum (ÅÅÅÅ-MM-DD)."),
    "date_parsing": gettext_lazy("Ange ett datum (ÅÅÅÅ-MM-DD)."),
    "string_type": gettext_lazy("Ange text."),
    "enum": gettext_lazy("Ogiltigt värde; tillåtna: {expected}."),
    "json_invalid": gettext_lazy("Ogiltig JSON."),
    "extra_forbidden": gettext_lazy("Okänt fält."),
}


def _schema_message(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "value_error" and "error" in ctx:
        return str(ctx["error"])
    template = _SCHEMA_MESSAGES.get(kind)
    if template:
        try:
            return str(template).format(**ctx)
        except (KeyError, IndexError, ValueError):
            return str(template)
    return str(error.get("msg", kind))


def schema_errors(errors: list[dict[str, Any]]) -> dict[str, list[str]]:
    """ninja's request errors, keyed by the field's name (the last named part of its location)."""
    out: dict[str, list[str]] = {}
    for error in errors:
        loc = [str(p) for p in error.get("loc", ()) if not isinstance(p, int)]
        field = loc[-1] if len(loc) > 1 else (loc[0] if loc else "body")
        if field in {"payload", "body", "filters"} and len(loc) <= 2:
            field = "body" if field != "filters" else "query"
        out.setdefault(field, []).append(_schema_message(error))
    return out


def _on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    body = error_body(exc)
    return _error(request, 422, body["detail"], body["errors"])


def _on_schema_error(request: HttpRequest, exc: SchemaError) -> HttpResponse:
    errors = schema_errors(list(exc.errors))
    detail = " ".join(f"{field}: {msg}" for field, msgs in errors.items() for msg in msgs)
    return _error(request, 422, detail, errors)


def _on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _error(request, 403, str(exc) or _("Du saknar behörighet."))


def _on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, str(exc) or _("Finns inte."))


def _on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400 and str(exc).startswith("Cannot parse request body"):  # Ninja's own words
        return _unreadable_body(request, exc)
    return _error(request, exc.status_code, str(exc))


def _unreadable_body(request: HttpRequest, exc: Exception) -> HttpResponse:
    """400 in the one error shape for a body that cannot be read as what its Content-Type says:
    JSON that is not JSON, multipart form data without its boundary or with a part too long to
    read (Django's parser raises before the endpoint runs)."""
    log.info("API: begärans innehåll kunde inte läsas: %s", exc)
    return _error(
        request,
        400,
        _(
            "Begärans innehåll kan inte läsas som det som Content-Type anger "
            "(JSON eller multipart/form-data med boundary)."
        ),
    )


def _on_too_big(request: HttpRequest, exc: Exception) -> HttpResponse:
    """413 in the one error shape for a body past Django's limits (DATA_UPLOAD_MAX_*)."""
    return _error(request, 413, _("Begäran är för stor: för många fält, filer eller byte."))


def _on_database_gone(request: HttpRequest, exc: Exception) -> HttpResponse:
    """503 in the one error shape while the database cannot be reached (issue 12, finding 11)."""
    log.error("Databasen kan inte nås: %s", exc, exc_info=exc)
    return database_unavailable(request)


def _on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, _("Logga in (session) eller ange en API-nyckel."))


class OrganisationOut(Schema):
    code: str
    kind: str
    name: str
    county_code: str | None


class OrganisationFilter(PageIn):
    kind: OrganisationKind | None = None
    code: Code | None = None
    on: ApiDate | None = None


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


class DocumentSearch(Schema):
    q: ShortText | None = None


class DocumentSectionOut(Schema):
    anchor: str
    number: str
    heading: str
    label: str
    text: str


class SourceDocumentOut(Schema):
    title: str
    kind: str
    date: dt.date | None
    sections: list[DocumentSectionOut]


class DecisionDocumentsOut(Schema):
    decision: str
    title: str
    query: str | None
    documents: list[SourceDocumentOut]


router = Router()


@router.get(
    "/organisations",
    response={200: Page[OrganisationOut], **ERRORS},
    summary="Organisationer",
    description="Organisationerna som finns på dagen `on` (standard i dag), efter typ och kod; "
    "sidvis (`limit` högst 500, `offset`; `total` är antalet som filtren behåller).",
)
def organisations(request: HttpRequest, filters: Query[OrganisationFilter]) -> dict[str, Any]:
    require(request.user, "organisation.view")
    on = filters.on or timezone.localdate()
    kind = filters.kind.value if filters.kind else None
    return page(
        organisation_list(kind=kind, code=filters.code, on=on), filters, lambda o: organisation_row(o, on)
    )


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


@router.get(
    "/programmes",
    response={200: Page[ProgrammeOut], **ERRORS},
    summary="Satsningar",
    description="Nyaste först, med sina beslut; sidvis (`limit` högst 500, `offset`; `total` är "
    "antalet satsningar).",
)
def programmes(request: HttpRequest, paging: Query[PageIn]) -> dict[str, Any]:
    require(request.user, "programme.view")
    return page(programme_selectors.programme_list(), paging, _programme_out)


@router.get("/programmes/{slug}", response={200: ProgrammeOut, **ERRORS}, summary="En satsning")
def programme(request: HttpRequest, slug: str) -> object:
    require(request.user, "programme.view")
    return _programme_out(programme_selectors.programme_get(slug=slug))


@router.get(
    "/decisions/{slug}/allocations/{year}",
    response={200: AllocationsOut, **ERRORS},
    summary="Ett års fördelning",
)
def allocations(request: HttpRequest, slug: str, year: int) -> object:
    decision, number = programme_selectors.decision_year_for_user(
        actor=request.user, action="allocation.view", slug=slug, year=year, full=True
    )
    return allocation_dict(programme_selectors.allocation_table(decision=decision, year=number))


@router.get(
    "/decisions/{slug}/documents",
    response={200: DecisionDocumentsOut, **ERRORS},
    summary="Beslutets handlingar, avsnitt för avsnitt",
)
def decision_documents(request: HttpRequest, slug: str, search: Query[DocumentSearch]) -> object:
    """The documents the decision rests on, whole, section by section (the text verbatim); with
    `q`, only the sections that hold it (case and spacing ignored)."""
    require(request.user, "programme.view")
    decision = programme_selectors.decision_get(slug=slug)
    documents = programme_selectors.decision_documents(decision=decision)
    query = " ".join((search.q or "").split()) or None
    found = (
        {hit.section.pk for hit in programme_selectors.document_search(documents=documents, query=query)}
        if query
        else None
    )
    return {
        "decision": decision.slug,
        "title": decision.title,
        "query": query,
        "documents": [
            {
                "title": d.title,
                "kind": d.kind,
                "date": d.dated,
                "sections": [
                    {
                        "anchor": s.anchor,
                        "number": s.number,
                        "heading": s.heading,
                        "label": s.label,
                        "text": s.text,
                    }
                    for s in d.sections.all()
                    if found is None or s.pk in found
                ],
            }
            for d in documents
        ],
    }


for _exc, _handler in (
    (ValidationError, _on_validation_error),
    (SchemaError, _on_schema_error),
    (PermissionDenied, _on_permission_denied),
    (Http404, _on_not_found),
    (HttpError, _on_http_error),
    (AuthenticationError, _on_unauthenticated),
    (MultiPartParserError, _unreadable_body),
    (RequestDataTooBig, _on_too_big),
    (TooManyFieldsSent, _on_too_big),
    (TooManyFilesSent, _on_too_big),
    (OperationalError, _on_database_gone),
    (InterfaceError, _on_database_gone),
):
    api.add_exception_handler(_exc, _handler)  # type: ignore[arg-type]

api.add_router("/", router)
api.add_router("/comments", comments_router)
api.add_router("/decisions", decisions_router)
api.add_router("/indicators", indicators_router)
api.add_router("/ledger", ledger_router)
api.add_router("/notifications", notifications_router)
api.add_router("/obligations", obligations_router)
api.add_router("/plans", plans_router)
api.add_router("/plans", plans_results_router)  # county plans and results (issue 11)
api.add_router("/reports", reports_router)
api.add_router("/users", users_router)  # users and roles, for the administrator (issue 15)
