"""Report archive endpoints: versions the user may see, a version with its files' SHA-256,
generation as a background job with progress, and the workflow's steps (certify, sign, submit),
which the same services take as on the version page: who may is the policy's, which step is open
is `transitions`'."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema
from pydantic import ConfigDict

from jamkoll.accounts.api_auth import user_auth
from jamkoll.api_paging import Page, PageIn, page
from jamkoll.money import to_str
from jamkoll.schema_types import ERRORS, ApiDate, Code, LongText, ShortText, Year

from .models import INTRODUCTION_MAX, ReportJob, ReportKind, ReportVersion
from .renderers import CONTENT_TYPES
from .selectors import job_for_user, report_version_for_user, version_file, version_list
from .services import (
    PLACE_MAX,
    RECEIPT_MAX,
    report_certify,
    report_job_create,
    report_sign,
    report_submit,
)

router = Router(tags=["reports"])


class FileOut(Schema):
    format: str
    size: int
    sha256: str


class VersionOut(Schema):
    id: int
    kind: str
    decision: str
    year: int
    county: str | None
    version: int
    state: str
    title: str
    generated_at: dt.datetime
    amount_applied: str | None = None
    # Who took each step, as the document names them (from the accounts that acted).
    certified_by: str | None = None
    signed_by: str | None = None
    submitted_by: str | None = None
    files: list[FileOut]


AmountText = Annotated[
    Code,
    Field(description='Sökt belopp i kronor: "20000000.00" eller "20 000 000"; inte noll eller negativt.'),
]
IntroductionText = Annotated[LongText, Field(max_length=INTRODUCTION_MAX)]


class JobIn(Schema):
    """A report to generate. An application (`kind` "application") is for a year that the
    decision announces an application for, and may carry the amount applied for (without it the
    document says "ej angivet") and the coordinator's introduction; no other kind takes them."""

    kind: ReportKind
    decision: Code
    year: Year
    county: Code | None = None
    period_start: ApiDate | None = None
    amount_applied: AmountText | None = None
    introduction: IntroductionText = ""


class JobOut(Schema):
    id: uuid.UUID
    status: str
    progress: int
    message: str
    result: int | None


def _version_out(v: ReportVersion) -> dict[str, Any]:
    return {
        "id": v.pk,
        "kind": v.kind,
        "decision": v.decision.slug,
        "year": v.year,
        "county": v.county_code,
        "version": v.version,
        "state": v.state,
        "title": v.title,
        "generated_at": v.generated_at,
        "amount_applied": to_str(v.amount_applied),
        "certified_by": v.certified_by_name or None,
        "signed_by": v.signed_by_name or None,
        "submitted_by": v.submitted_by_name or None,
        "files": [{"format": f.format, "size": f.size, "sha256": f.sha256} for f in v.files.all()],
    }


class VersionFilter(PageIn):
    decision: Code | None = None


@router.get(
    "",
    response={200: Page[VersionOut], **ERRORS},
    auth=user_auth,
    summary="Rapportversioner som du får se",
    description="Sidvis (`limit`, `offset`; `total` är antalet versioner i allt); `decision` "
    "begränsar till ett besluts versioner.",
)
def versions(request: HttpRequest, filters: Query[VersionFilter]) -> dict[str, Any]:
    return page(version_list(user=request.user, decision_slug=filters.decision), filters, _version_out)


@router.post("/jobs", response={202: JobOut, **ERRORS}, auth=user_auth, summary="Skapa en rapport")
def create_job(request: HttpRequest, payload: JobIn) -> tuple[int, dict[str, Any]]:
    job = report_job_create(
        actor=request.user,
        kind=payload.kind,
        decision_slug=payload.decision,
        year=payload.year,
        county_code=payload.county or None,
        period_start=payload.period_start,
        amount_applied=payload.amount_applied,
        introduction=payload.introduction,
    )
    return 202, _job_out(job)


def _job_out(job: ReportJob) -> dict[str, Any]:
    return {
        "id": job.pk,
        "status": job.status,
        "progress": job.progress,
        "message": job.message,
        "result": job.result_id,
    }


@router.get(
    "/jobs/{uuid:job_id}",
    response={200: JobOut, **ERRORS},
    auth=user_auth,
    summary="Ett rapportjobbs förlopp",
)
def job(request: HttpRequest, job_id: uuid.UUID) -> dict[str, Any]:
    return _job_out(job_for_user(actor=request.user, pk=job_id))


# After the jobs' routes, and typed: "/jobs" is never taken for a version's id (issue 12, finding 12:
# an untyped "/{pk}" declared first answered POST /jobs with 405).
@router.get("/{int:pk}", response={200: VersionOut, **ERRORS}, auth=user_auth, summary="En rapportversion")
def version(request: HttpRequest, pk: int) -> dict[str, Any]:
    found, _actions = report_version_for_user(actor=request.user, pk=pk)
    return _version_out(found)


# --- The workflow: certify, sign, submit ------------------------------------------------------


class CertifyIn(Schema):
    """The ekonomichef's certification of a financial report; dated no earlier than 31 December
    of the year reported and not after today. Not by the account that generated the version (four
    eyes). The certificate names the signed-in account, with its title and organisation: no name
    or title is sent (a field that is not taken is refused)."""

    model_config = ConfigDict(extra="forbid")  # a field we do not take is refused, not ignored
    on: ApiDate
    deviations: LongText = ""
    proposed_actions: LongText = ""


class SignIn(Schema):
    """An authorised representative's signature; a year's report is signed no earlier than
    31 December of its year, and not before its certification, by another account than the one
    that certified it. The signature names the signed-in account, with its title and organisation."""

    model_config = ConfigDict(extra="forbid")  # a field we do not take is refused, not ignored
    on: ApiDate
    place: Annotated[ShortText, Field(max_length=PLACE_MAX)] = "Stockholm"


class SubmitIn(Schema):
    """The day it was handed in and the receiver's diary number; it closes the obligation the
    report fulfils (the application: the year's "Ansökan om medel")."""

    on: ApiDate
    receipt_reference: Annotated[ShortText, Field(max_length=RECEIPT_MAX)]


@router.post(
    "/{int:pk}/certify", response={201: VersionOut, **ERRORS}, auth=user_auth, summary="Intyga en version"
)
def certify(request: HttpRequest, pk: int, payload: CertifyIn) -> tuple[int, dict[str, Any]]:
    found, _actions = report_version_for_user(actor=request.user, pk=pk)
    return 201, _version_out(report_certify(actor=request.user, version=found, **payload.model_dump()))


@router.post(
    "/{int:pk}/sign", response={201: VersionOut, **ERRORS}, auth=user_auth, summary="Underteckna en version"
)
def sign(request: HttpRequest, pk: int, payload: SignIn) -> tuple[int, dict[str, Any]]:
    found, _actions = report_version_for_user(actor=request.user, pk=pk)
    return 201, _version_out(report_sign(actor=request.user, version=found, **payload.model_dump()))


@router.post(
    "/{int:pk}/submit", response={200: VersionOut, **ERRORS}, auth=user_auth, summary="Registrera inlämning"
)
def submit(request: HttpRequest, pk: int, payload: SubmitIn) -> dict[str, Any]:
    found, _actions = report_version_for_user(actor=request.user, pk=pk)
    return _version_out(report_submit(actor=request.user, version=found, **payload.model_dump()))


# --- The stored files: the same bytes and name as the version page's download links ------------

ReportFormat = Literal["html", "pdf", "docx", "md"]
_BINARY = {"schema": {"type": "string", "format": "binary"}}


@router.get(
    "/{int:pk}/files/{fmt}",
    response=ERRORS,
    auth=user_auth,
    summary="Hämta en versions fil (PDF, DOCX, HTML eller Markdown)",
    description="Filen som den lagrades när versionen skapades; `X-Content-SHA256` är dess "
    "SHA-256 (samma som i versionens `files`).",
    openapi_extra={
        "responses": {
            200: {
                "description": "Filen",
                "content": {ct.split(";")[0]: _BINARY for ct in CONTENT_TYPES.values()},
            }
        }
    },
)
def download(request: HttpRequest, pk: int, fmt: ReportFormat) -> HttpResponse:
    found, _actions = report_version_for_user(actor=request.user, pk=pk)
    file, filename = version_file(found, fmt)
    response = HttpResponse(bytes(file.content), content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-SHA256"] = file.sha256
    return response
