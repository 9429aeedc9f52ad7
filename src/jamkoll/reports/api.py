"""Report archive endpoints: versions the user may see, a version with its files' SHA-256, and
generation as a background job with progress."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.security import django_auth

from jamkoll.accounts.policy import check
from jamkoll.errors import NotFound
from jamkoll.programmes.selectors import decision_brief
from jamkoll.reference.models import Organisation

from .models import ReportJob, ReportKind, ReportState, ReportVersion
from .selectors import version_list
from .tasks import generate_report

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
    files: list[FileOut]


class JobIn(Schema):
    kind: ReportKind
    decision: str
    year: int
    county: str | None = None
    period_start: dt.date | None = None


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
        "files": [{"format": f.format, "size": f.size, "sha256": f.sha256} for f in v.files.all()],
    }


@router.get("", response=list[VersionOut], auth=django_auth, summary="Rapportversioner som du får se")
def versions(request: HttpRequest) -> list[dict[str, Any]]:
    return [_version_out(v) for v in version_list(user=request.user)[:500]]


@router.get("/{pk}", response=VersionOut, auth=django_auth, summary="En rapportversion")
def version(request: HttpRequest, pk: int) -> dict[str, Any]:
    v = (
        ReportVersion.objects.select_related("decision", "county")
        .prefetch_related("files")
        .filter(pk=pk)
        .first()
    )
    if v is None:
        raise HttpError(404, "okänd rapportversion")
    if v.state != ReportState.SUBMITTED:
        verdict = check(request.user, "report.view_draft", v)
        if not verdict:
            raise HttpError(403, verdict.reason)
    return _version_out(v)


@router.post(
    "/jobs", response={202: JobOut, 403: dict, 422: dict}, auth=django_auth, summary="Skapa en rapport"
)
def create_job(request: HttpRequest, payload: JobIn) -> Any:
    verdict = check(request.user, "report.generate", payload.county)
    if not verdict:
        return 403, {"detail": verdict.reason}
    try:
        decision = decision_brief(slug=payload.decision)
    except NotFound as exc:
        return 422, {"detail": str(exc)}
    if payload.year not in decision.years:
        return 422, {"detail": f"år {payload.year} ligger utanför beslutets period {decision.period}"}
    county = None
    if payload.county:
        county = Organisation.objects.filter(kind="lan", code=payload.county).first()
        if county is None:
            return 422, {"detail": f"county: okänt län {payload.county!r}"}
    if payload.kind == ReportKind.RSS and county is None:
        return 422, {"detail": "county: länsrapporten kräver ett län"}
    if payload.kind != ReportKind.RSS and county is not None:
        return 422, {"detail": "county: län anges bara för länsrapporten"}
    job = ReportJob.objects.create(
        kind=payload.kind.value,
        decision=decision,
        year=payload.year,
        county=county,
        period_start=payload.period_start,
        requested_by=_user(request),
    )
    generate_report.enqueue(str(job.pk))
    job.refresh_from_db()
    return 202, _job_out(job)


def _user(request: HttpRequest) -> Any:
    """The authenticated user (django_auth guarantees one on these endpoints)."""
    return request.user


def _job_out(job: ReportJob) -> dict[str, Any]:
    return {
        "id": job.pk,
        "status": job.status,
        "progress": job.progress,
        "message": job.message,
        "result": job.result_id,
    }


@router.get("/jobs/{job_id}", response=JobOut, auth=django_auth, summary="Ett rapportjobbs förlopp")
def job(request: HttpRequest, job_id: uuid.UUID) -> dict[str, Any]:
    item = ReportJob.objects.filter(pk=job_id, requested_by=_user(request)).first()
    if item is None:
        raise HttpError(404, "okänt jobb")
    return _job_out(item)
