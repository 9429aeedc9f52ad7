"""Writes for the report archive: ask for a report (a job), generate it, certify, sign, submit.

Each write takes a required `actor` (a user, or the operator / worker as a `SystemActor`), asks the
one policy, validates its own inputs (the API and the CLI reach it without a form) and refuses
through the one error contract: a `ValidationError` keyed by field, a `PermissionDenied` with the
policy's reason, or a `ValidationError` not tied to a field, with a `code`, for a step the
version's state does not allow (`transitions`). Nothing here changes a stored file: certifying or
signing makes a new version, submitting records the date and the receiver's diary number and
closes the obligation.

Certifying, signing and submitting are a person's acts: each records the acting account (never a
`SystemActor`, which the policy refuses), and four eyes hold — the certifier did not generate the
version, the signatory did not certify it (the policy's rules, with their reasons). The name and
title on the document are the account's and its organisation's (`accounts.selectors.signer_get`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from jamkoll.accounts.policy import actor_label, actor_user, require
from jamkoll.accounts.selectors import signer_get
from jamkoll.errors import ErrorCollector, NotFound, error_line, field_error
from jamkoll.locking import REPORT_CHAIN, lock_decision_year
from jamkoll.money import AmountError, parse_amount
from jamkoll.obligations.transitions import close_refusal, obligation_close
from jamkoll.process import process_name
from jamkoll.programmes.models import FundingDecision
from jamkoll.programmes.selectors import decision_brief
from jamkoll.reference.models import Organisation
from jamkoll.reference.selectors import county_get
from jamkoll.validation import LONG, YEAR_MAX, YEAR_MIN, clean_date, clean_int, clean_text

from .assemblers import ApplicationInput, assemble, fingerprint
from .document import Document
from .isolation import render_files, render_limits
from .models import (
    CLOSED_BY_PREFIX,
    INTRODUCTION_MAX,
    JobStatus,
    ReportFile,
    ReportJob,
    ReportKind,
    ReportState,
    ReportVersion,
)
from .selectors import application_years, report_obligation, step_verdict
from .transitions import Step, require_step, steps_for

ALL_FORMATS = ("pdf", "docx", "html", "md")
Progress = Callable[[int, str], None]

# Column lengths the inputs must fit (ReportVersion).
PLACE_MAX = 100
RECEIPT_MAX = 100
COUNTY_CODE_MAX = 10


def _cleaned(**checks: Callable[[], Any]) -> dict[str, Any]:
    """Run each field's check and return the clean values; every refusal at once, keyed by field."""
    errors = ErrorCollector()
    values = {name: errors.run(check) for name, check in checks.items()}
    errors.raise_if_any()
    return values


# --- What a report is asked for with --------------------------------------------------------


@dataclass(frozen=True)
class Shape:
    """What a report is asked for with, checked: its kind; the county (the RSS report only); the
    half-year (the status report only); the amount applied for and the introduction (the
    application only)."""

    kind: str
    county_code: str | None = None
    period_start: dt.date | None = None
    amount_applied: Decimal | None = None
    introduction: str = ""


def _amount_applied(value: Any) -> Decimal | None:
    """An amount in kronor, plain or Swedish ("1 500 000", "1500000,00"), above zero; None when
    none is given (the application then says "ej angivet")."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        amount = parse_amount(value)
    except AmountError as exc:
        raise field_error("amount_applied", str(exc)) from None
    if amount <= 0:
        raise field_error("amount_applied", _("Ange ett belopp större än noll, eller lämna fältet tomt."))
    return amount


def _request_shape(
    *,
    kind: Any,
    county_code: Any,
    period_start: Any,
    amount_applied: Any = None,
    introduction: Any = "",
) -> Shape:
    """What each kind of report takes, stated once: the RSS report is one county's and needs the
    county; no other report takes one. A status report covers a half-year; no other report takes
    one. Only the application takes an amount applied for and an introduction. Refuses by field."""
    values = _cleaned(
        kind=lambda: _kind(kind),
        county=lambda: clean_text(county_code, field="county", max_length=COUNTY_CODE_MAX) or None,
        period_start=lambda: clean_date(period_start, field="period_start", required=False),
        amount_applied=lambda: _amount_applied(amount_applied),
        introduction=lambda: clean_text(
            introduction, field="introduction", max_length=INTRODUCTION_MAX, multiline=True
        ),
    )
    kind, code, start = values["kind"], values["county"], values["period_start"]
    amount, intro = values["amount_applied"], values["introduction"]
    errors: dict[str, Any] = {}
    if kind != ReportKind.APPLICATION and amount is not None:
        errors["amount_applied"] = ValidationError(
            _("Sökt belopp anges bara för en ansökan om medel."), code="not_for_kind"
        )
    if kind != ReportKind.APPLICATION and intro:
        errors["introduction"] = ValidationError(
            _("Inledningen skrivs bara för en ansökan om medel."), code="not_for_kind"
        )
    if kind == ReportKind.RSS and code is None:
        errors["county"] = ValidationError(_("Länsrapporten kräver ett län."), code="required")
    if kind != ReportKind.RSS and code is not None:
        errors["county"] = ValidationError(_("Län anges bara för länsrapporten."), code="not_for_kind")
    if kind != ReportKind.STATUS and start is not None:
        errors["period_start"] = ValidationError(
            _("Halvårets första dag anges bara för halvårsrapporten."), code="not_for_kind"
        )
    if start is not None and (start.day != 1 or start.month not in (1, 7)):
        errors.setdefault(
            "period_start", ValidationError(_("Ett halvår börjar 1 januari eller 1 juli."), code="invalid")
        )
    if errors:
        raise ValidationError(errors)
    return Shape(kind, code, start, amount, intro)


def _require_generate(actor: Any, shape: Shape) -> None:
    """The policy's word on generating: the application is SKR's own request (the coordinator's);
    the other reports by "report.generate", for the county when it is a county's."""
    if shape.kind == ReportKind.APPLICATION:
        require(actor, "report.generate_application")
    else:
        require(actor, "report.generate", shape.county_code)


def _kind(kind: Any) -> str:
    if kind not in ReportKind.values:
        kinds = ", ".join(ReportKind.values)
        raise field_error("kind", _("Välj ett rapportslag: %(kinds)s.") % {"kinds": kinds})
    return str(kind)


def _request_data(
    *, kind: str, decision: FundingDecision, year: Any, county_code: str | None, period_start: dt.date | None
) -> tuple[int, Organisation | None, dt.date | None]:
    """The year within the decision's period (for an application: a year the decision announces an
    application for), the county, the half-year within the year (a status report's defaults to
    the first); refuses by field."""
    number = clean_int(year, field="year", minimum=YEAR_MIN, maximum=YEAR_MAX)
    errors: dict[str, Any] = {}
    if kind == ReportKind.APPLICATION:
        announced = application_years(decision=decision)
        if number not in announced:
            errors["year"] = ValidationError(
                _("Beslutet aviserar ingen ansökan för %(year)s; ansökan kan göras för %(years)s.")
                % {"year": number, "years": ", ".join(str(y) for y in announced)}
                if announced
                else _("Beslutet aviserar inga ansökningar om medel för kommande år."),
                code="not_announced",
            )
    elif number not in decision.years:
        errors["year"] = ValidationError(
            _("Året ligger utanför beslutets period %(period)s.") % {"period": decision.period}
        )
    county = None
    if county_code is not None:
        try:
            county = county_get(code=county_code)
        except NotFound:
            errors["county"] = ValidationError(_("Okänt län: %(code)s.") % {"code": county_code})
    if kind == ReportKind.STATUS:
        period_start = period_start or dt.date(number, 1, 1)
        if period_start.year != number:
            errors["period_start"] = ValidationError(
                _("Halvåret ska ligga i rapportens år, %(year)s.") % {"year": number}
            )
    if errors:
        raise ValidationError(errors)
    return number, county, period_start


def report_job_create(
    *,
    actor: Any,
    kind: Any,
    decision_slug: Any,
    year: Any,
    county_code: Any = None,
    period_start: Any = None,
    amount_applied: Any = None,
    introduction: Any = "",
    enqueue: bool = True,
) -> ReportJob:
    """Ask for a report (the page, the API and the CLI alike): check what it is asked for, whether
    `actor` may generate it (for the county, when it is a county's), and record the job. With
    `enqueue` (the page and the API) the background task generates it and the job shows the
    progress; the CLI runs it at once with `report_job_run`. An application also carries the
    amount applied for (optional) and the coordinator's introduction."""
    shape = _request_shape(
        kind=kind,
        county_code=county_code,
        period_start=period_start,
        amount_applied=amount_applied,
        introduction=introduction,
    )
    _require_generate(actor, shape)
    slug = clean_text(decision_slug, field="decision", required=True)
    try:
        decision = decision_brief(slug=slug)
    except NotFound as exc:
        raise field_error("decision", str(exc)) from None
    number, county, start = _request_data(
        kind=shape.kind,
        decision=decision,
        year=year,
        county_code=shape.county_code,
        period_start=shape.period_start,
    )
    job = ReportJob.objects.create(
        kind=shape.kind,
        decision=decision,
        year=number,
        county=county,
        period_start=start,
        amount_applied=shape.amount_applied,
        introduction=shape.introduction,
        requested_by=actor_user(actor),
    )
    if enqueue:
        _enqueue(job)
        job.refresh_from_db()  # an immediate backend has already run it
    return job


def _enqueue(job: ReportJob) -> None:
    from .tasks import generate_report  # the task module imports this one

    result = generate_report.enqueue(str(job.pk))
    ReportJob.objects.filter(pk=job.pk, task_id="").update(task_id=str(result.id))


def _worker_name() -> str:
    return process_name(100)


def _lease_end() -> dt.datetime:
    return timezone.now() + dt.timedelta(seconds=settings.REPORT_JOB_LEASE_SECONDS)


def report_job_claim(job: ReportJob) -> bool:
    """Take a queued job for this process: one more attempt, a lease this process renews while it
    works. False when it is not queued (running elsewhere, done, or failed)."""
    return bool(
        ReportJob.objects.filter(pk=job.pk, status=JobStatus.QUEUED).update(
            status=JobStatus.RUNNING,
            attempts=F("attempts") + 1,
            lease_until=_lease_end(),
            worker=_worker_name(),
            progress=1,
            message=_("Startar"),
        )
    )


def report_job_run(*, job: ReportJob, actor: Any, formats: Iterable[str] = ALL_FORMATS) -> ReportVersion:
    """Generate what the job asks for as `actor`, writing the progress to the job. A refusal
    (the actor may no longer generate it, the data no longer allows it, the rendering went over
    its limits) fails the job with the reason and is raised again.

    Progress is written outside any transaction, so the page sees it as it happens; every write
    also renews the job's lease (see `report_jobs_recover`)."""
    if job.status == JobStatus.QUEUED and not report_job_claim(job):
        raise ValidationError(_("Jobbet körs redan eller är avslutat."), code="not_queued")
    lease = {"renewed": timezone.now()}
    # This run's attempt: every write of this run is fenced by it. A run that stalled past its
    # lease may have been queued again and taken by another worker (attempts + 1); then this run
    # must neither move the job's progress nor store a second version nor finish or fail the job.
    attempt = ReportJob.objects.values_list("attempts", flat=True).get(pk=job.pk)
    mine = ReportJob.objects.filter(pk=job.pk, attempts=attempt, status=JobStatus.RUNNING)

    def progress(percent: int, message: str) -> None:
        lease["renewed"] = timezone.now()
        mine.update(progress=percent, message=message[:300], lease_until=_lease_end())

    def tick() -> None:
        # Renewed when half of the lease has gone, not on every tick: one write every half lease.
        if (timezone.now() - lease["renewed"]).total_seconds() >= settings.REPORT_JOB_LEASE_SECONDS / 2:
            lease["renewed"] = timezone.now()
            mine.update(lease_until=_lease_end())

    def fence() -> None:
        if not mine.select_for_update().exists():
            raise ValidationError(
                _("Jobbet har tagits över av en annan körning; den här sparar ingenting."), code="superseded"
            )

    try:
        version = report_generate(
            actor=actor,
            kind=job.kind,
            decision=job.decision,
            year=job.year,
            county_code=job.county.code if job.county else None,
            period_start=job.period_start,
            amount_applied=job.amount_applied,
            introduction=job.introduction,
            formats=formats,
            progress=progress,
            tick=tick,
            fence=fence,
        )
    except Exception as exc:
        message = error_line(exc) if isinstance(exc, ValidationError) else str(exc)
        mine.update(status=JobStatus.FAILED, message=message[:300], lease_until=None)
        raise
    mine.update(status=JobStatus.DONE, progress=100, message=_("Klar"), result=version, lease_until=None)
    job.refresh_from_db()
    return version


def report_jobs_recover(*, now: dt.datetime | None = None, skip_own: bool = True) -> list[ReportJob]:
    """Jobs whose worker is gone (its lease ran out: kill -9, out of memory, a lost machine) are
    queued again, at most REPORT_JOB_ATTEMPTS attempts in all, then failed with the reason. The
    queue's own record of the dead run (django-tasks-db leaves it RUNNING for ever) is marked
    failed. `skip_own`: jobs this very process runs are alive by definition (the worker's sweeper
    thread must not take its own slow job for a dead one). Returns the jobs it changed."""
    now = now or timezone.now()
    limit = settings.REPORT_JOB_ATTEMPTS
    stale = ReportJob.objects.filter(status=JobStatus.RUNNING, lease_until__lt=now)
    if skip_own:
        stale = stale.exclude(worker=_worker_name())
    changed = []
    for job in stale:
        update: dict[str, Any]
        if job.attempts >= limit:
            update = {
                "status": JobStatus.FAILED,
                "lease_until": None,
                "message": _("Arbetaren avbröts (försök %(n)s av %(max)s).")
                % {"n": job.attempts, "max": limit},
            }
        else:
            update = {
                "status": JobStatus.QUEUED,
                "lease_until": None,
                "progress": 0,
                "task_id": "",
                "message": _("Arbetaren avbröts; försöker igen (försök %(n)s av %(max)s).")
                % {"n": job.attempts + 1, "max": limit},
            }
        # Conditional on the lease we saw: another sweeper (or the worker itself) may have got there.
        if not ReportJob.objects.filter(
            pk=job.pk, status=JobStatus.RUNNING, lease_until=job.lease_until
        ).update(**update):
            continue
        _task_abandoned(job.task_id)
        job.refresh_from_db()
        if job.status == JobStatus.QUEUED:
            _enqueue(job)
            job.refresh_from_db()
        changed.append(job)
    return changed


def _task_abandoned(task_id: str) -> None:
    """The queue's row of a run whose worker is gone: failed, so that it no longer shows as running."""
    if not task_id:
        return
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(pk=task_id, status="RUNNING").update(
        status="FAILED",
        finished_at=timezone.now(),
        exception_class_path="jamkoll.reports.WorkerGone",
        traceback="Arbetaren avbröts (lease utgången).",
    )


# --- Generation --------------------------------------------------------------------------------


def _scope(county_code: str | None, period_start: dt.date | None) -> str:
    if county_code:
        return f"county:{county_code}"
    if period_start:
        return f"period:{period_start.isoformat()}"
    return ""


def _render_all(
    document: Any,
    formats: Iterable[str],
    *,
    progress: Progress | None,
    tick: Callable[[], None] | None = None,
    interactive: bool = False,
) -> dict[str, bytes]:
    """Every format rendered in a child process within the render limits (`isolation`), outside
    any transaction: a slow rendering holds no lock and its progress is visible as it goes."""
    formats = list(formats)

    def started(i: int, fmt: str) -> None:
        if progress:
            progress(10 + int(85 * i / len(formats)), _("Skapar %(format)s") % {"format": fmt.upper()})

    return render_files(
        document, formats, limits=render_limits(interactive=interactive), started=started, tick=tick
    )


def _store(version: ReportVersion, files: dict[str, bytes]) -> None:
    """The rendered files of a version just saved, in the same transaction: a version never
    exists without its files, and no file without its version."""
    ReportFile.objects.bulk_create(
        ReportFile(
            version=version,
            format=fmt,
            content=content,
            sha256=hashlib.sha256(content).hexdigest(),
            size=len(content),
        )
        for fmt, content in files.items()
    )


def report_generate(
    *,
    actor: Any,
    kind: str,
    decision: FundingDecision,
    year: int,
    county_code: str | None = None,
    period_start: dt.date | None = None,
    amount_applied: Any = None,
    introduction: Any = "",
    formats: Iterable[str] = ALL_FORMATS,
    progress: Progress | None = None,
    tick: Callable[[], None] | None = None,
    fence: Callable[[], None] | None = None,
) -> ReportVersion:
    """Assemble the document from the database, render every format (in a child process, within
    the render limits) and archive it as a new draft version with its SHA-256 sums. The version
    and its files are written in one short transaction after the rendering; `fence`, called first
    in it, may refuse the write (a job's run that another worker has taken over)."""
    shape = _request_shape(
        kind=kind,
        county_code=county_code,
        period_start=period_start,
        amount_applied=amount_applied,
        introduction=introduction,
    )
    _require_generate(actor, shape)
    kind, code = shape.kind, shape.county_code
    number, county, start = _request_data(
        kind=kind, decision=decision, year=year, county_code=code, period_start=shape.period_start
    )
    if progress:
        progress(2, _("Hämtar uppgifterna"))
    now = timezone.now()
    document = assemble(
        kind=kind,
        decision_slug=decision.slug,
        year=number,
        county_code=code,
        period_start=start,
        application_input=_application_input(shape, timezone.localdate(now)),
    )
    scope = _scope(code, start)
    shown = _state_marked(document, ReportState.DRAFT, timezone.localdate(now))
    files = _render_all(shown, formats, progress=progress, tick=tick)
    with transaction.atomic():
        if fence:
            fence()
        # The chain's lock, then its latest version in a statement of its own: a locking read of
        # "the latest" found nothing to lock before a first version, and after a wait PostgreSQL
        # re-reads only the row it locked, so two generations both made version n + 1.
        lock_decision_year(REPORT_CHAIN, decision.pk, number)
        last = (
            ReportVersion.objects.filter(kind=kind, decision=decision, year=number, scope=scope)
            .order_by("-version")
            .first()
        )
        version = ReportVersion.objects.create(
            kind=kind,
            decision=decision,
            year=number,
            county=county,
            period_start=start,
            scope=scope,
            version=(last.version + 1) if last else 1,
            title=document.title,
            fingerprint=fingerprint(document),
            amount_applied=shape.amount_applied,
            introduction=shape.introduction,
            generated_by=actor_user(actor),
            generated_by_name=actor_label(actor),
            generated_at=now,
        )
        _store(version, files)
    if progress:
        progress(100, _("Klar"))
    return version


def _application_input(shape: Shape, drafted_on: dt.date) -> ApplicationInput | None:
    if shape.kind != ReportKind.APPLICATION:
        return None
    return ApplicationInput(
        drafted_on=drafted_on, amount=shape.amount_applied, introduction=shape.introduction
    )


def _drafted_on(version: ReportVersion) -> dt.date:
    """The day the first version of the chain was generated: an application's draft date, which
    its signed successor keeps (the chain is a few versions long)."""
    first = version
    while first.supersedes_id is not None and first.supersedes is not None:
        first = first.supersedes
    return timezone.localdate(first.generated_at)


def _state_marked(document: Document, state: str, on: dt.date) -> Document:
    """The document as the files of a version in `state` show it: a report that is signed before
    it is sent says on its title page and at the top of every page that this is not yet that
    version — a draft, or a financial report certified (on `on`) but not signed. The signed
    version's files carry no mark, nor does a half-year or county report (submitted as generated).
    The fingerprint is of the unmarked document."""
    steps = steps_for(document.kind)
    if Step.SIGN not in steps:
        return document
    if state == ReportState.DRAFT:
        missing = "intygat eller undertecknat" if Step.CERTIFY in steps else "undertecknat"
        mark = f"UTKAST {on.isoformat()} – inte {missing}"
    elif state == ReportState.CERTIFIED:
        mark = f"INTYGAD {on.isoformat()} – inte undertecknad"
    else:
        return document
    return replace(document, header_note=f"{mark} · {document.header_note}" if document.header_note else mark)


def version_document(version: ReportVersion, *, with_workflow: bool = True) -> Document:
    """The document of a stored version, assembled again from the data: with its certification
    and signature (`with_workflow`, what its files show), or without them (what its fingerprint
    was taken of)."""
    shape = Shape(kind=version.kind, amount_applied=version.amount_applied, introduction=version.introduction)
    return assemble(
        kind=version.kind,
        decision_slug=version.decision.slug,
        year=version.year,
        county_code=version.county_code,
        period_start=version.period_start,
        version=version if with_workflow else None,
        application_input=(
            _application_input(shape, _drafted_on(version))
            if version.kind == ReportKind.APPLICATION
            else None
        ),
    )


def report_outdated(version: ReportVersion) -> bool:
    """True when the data behind the version has changed since it was generated."""
    return fingerprint(version_document(version, with_workflow=False)) != version.fingerprint


# --- The workflow: certify, sign, submit (which step is open: transitions) ---------------------

CARRIED = (
    "certified_by",
    "certified_by_name",
    "certified_title",
    "certified_on",
    "deviations",
    "proposed_actions",
    "signed_by",
    "signed_by_name",
    "signed_title",
    "signed_on",
    "signed_place",
    "amount_applied",
    "introduction",
)


def _successor(version: ReportVersion, step: Step, actor: Any, **fields: Any) -> ReportVersion:
    """A frozen copy with new state and fields; its files are rendered again so that they show the
    certification or signature. The data must be unchanged since the version was generated.

    This runs inside the web request: the rendering happens first, in a child process within the
    request's render limit (`isolation`), and outside the transaction; the state is then checked
    again under the lock and the successor saved with its files at once."""
    if report_outdated(version):
        raise ValidationError(
            _("Underlaget har ändrats sedan versionen skapades; skapa en ny version först."), code="outdated"
        )
    _require_latest(version, step)
    carried = {name: getattr(version, name) for name in CARRIED}
    carried.update(fields)
    successor = ReportVersion(
        kind=version.kind,
        decision=version.decision,
        year=version.year,
        county=version.county,
        period_start=version.period_start,
        scope=version.scope,
        version=version.version + 1,
        title=version.title,
        fingerprint=version.fingerprint,
        supersedes=version,
        state=ReportState.CERTIFIED if step == Step.CERTIFY else ReportState.SIGNED,
        generated_by=actor_user(actor),
        generated_by_name=actor_label(actor),
        generated_at=timezone.now(),
        **carried,
    )
    formats = list(version.files.values_list("format", flat=True)) or list(ALL_FORMATS)
    document = version_document(successor)
    if successor.state == ReportState.CERTIFIED and successor.certified_on is not None:
        document = _state_marked(document, ReportState.CERTIFIED, successor.certified_on)
    files = _render_all(document, formats, progress=None, interactive=True)
    with transaction.atomic():
        _require_latest(version, step, lock=True)  # the state as it is now, under the lock
        successor.full_clean()
        successor.save()
        _store(successor, files)
    return successor


def _require_latest(version: ReportVersion, step: Step, *, lock: bool = False) -> None:
    """`version` is the newest of its chain and `step` is open on it (with `lock`: under a lock)."""
    versions = ReportVersion.objects.filter(
        kind=version.kind, decision=version.decision, year=version.year, scope=version.scope
    )
    if lock:  # the chain's lock first (as `report_generate`): the read after it sees every version
        lock_decision_year(REPORT_CHAIN, version.decision_id, version.year)
    last = (versions.select_for_update() if lock else versions).order_by("-version").first()
    assert last is not None
    if last.pk != version.pk:
        raise ValidationError(
            _("Det finns en nyare version (v%(n)s); utgå från den.") % {"n": last.version},
            code="superseded",
        )
    require_step(last, step)


def _on(value: Any, field: str = "on") -> dt.date:
    """A date of the workflow: not before DATE_MIN, not after today."""
    on = clean_date(value, field=field, latest=timezone.localdate())
    assert on is not None
    return on


# The reports that account for a whole year: certified or signed only once the year has ended.
YEAR_REPORTS = (ReportKind.FINANCIAL, ReportKind.RESULT)


def _year_end_refusal(version: ReportVersion, on: dt.date, *, act: str) -> ValidationError | None:
    """A year's financial or result report cannot be certified or signed before the year it
    reports has ended (31 December is the earliest day: the books close with the year)."""
    end = dt.date(version.year, 12, 31)
    if version.kind not in YEAR_REPORTS or on >= end:
        return None
    messages = {
        "certify": _(
            "Redovisningen för %(year)s kan inte intygas före årets slut: välj %(end)s eller senare."
        ),
        "sign": _(
            "Redovisningen för %(year)s kan inte undertecknas före årets slut: välj %(end)s eller senare."
        ),
    }
    return ValidationError(
        messages[act] % {"year": version.year, "end": end.isoformat()}, code="before_year_end"
    )


def _on_for(version: ReportVersion, value: Any, *, act: str) -> dt.date:
    """The date of a certification or signature: a workflow date (`_on`) that is not before the end
    of the year reported, and a signature not before the certification it follows."""
    on = _on(value)
    refusal = _year_end_refusal(version, on, act=act)
    if refusal is None and act == "sign" and version.certified_on and on < version.certified_on:
        refusal = ValidationError(
            _("Underskriften kan inte dateras före intygandet (%(date)s).")
            % {"date": version.certified_on.isoformat()},
            code="before_certification",
        )
    if refusal is not None:
        raise ValidationError({"on": refusal})
    return on


def report_certify(
    *,
    actor: Any,
    version: ReportVersion,
    on: Any,
    deviations: Any = "",
    proposed_actions: Any = "",
) -> ReportVersion:
    """The ekonomichef certifies the financial report (seed 001 §8). Four eyes: not the account
    that generated the version (the policy's "report.certify" says why). The certificate names
    the acting account, with its title and organisation on the day (`signer_get`)."""
    require(actor, "report.certify", version)
    require_step(version, Step.CERTIFY)
    data = _cleaned(
        on=lambda: _on_for(version, on, act="certify"),
        deviations=lambda: clean_text(deviations, field="deviations", max_length=LONG, multiline=True),
        proposed_actions=lambda: clean_text(
            proposed_actions, field="proposed_actions", max_length=LONG, multiline=True
        ),
    )
    signer = signer_get(actor=actor, on=data["on"])
    return _successor(
        version,
        Step.CERTIFY,
        actor,
        certified_by=signer.user,
        certified_by_name=signer.name,
        certified_title=signer.title,
        certified_on=data["on"],
        deviations=data["deviations"],
        proposed_actions=data["proposed_actions"],
    )


def report_sign(*, actor: Any, version: ReportVersion, on: Any, place: Any = "Stockholm") -> ReportVersion:
    """An authorised representative signs. A financial report must be certified first, and is
    signed by another account than the one that certified it (the policy's "report.sign"). The
    signature names the acting account, with its title and organisation on the day."""
    require(actor, "report.sign", version)
    require_step(version, Step.SIGN)
    data = _cleaned(
        on=lambda: _on_for(version, on, act="sign"),
        place=lambda: clean_text(place, field="place", max_length=PLACE_MAX),
    )
    signer = signer_get(actor=actor, on=data["on"])
    return _successor(
        version,
        Step.SIGN,
        actor,
        signed_by=signer.user,
        signed_by_name=signer.name,
        signed_title=signer.title,
        signed_on=data["on"],
        signed_place=data["place"],
    )


def report_submit(*, actor: Any, version: ReportVersion, on: Any, receipt_reference: Any) -> ReportVersion:
    """Record the submission; it closes the matching open obligation with the same date and
    number. Refused unless the actor may also register that obligation (`step_verdict`)."""
    verdict = step_verdict(actor, version, Step.SUBMIT)
    if not verdict:
        raise PermissionDenied(verdict.reason)
    require_step(version, Step.SUBMIT)
    data = _cleaned(
        on=lambda: _on(on),
        receipt_reference=lambda: clean_text(
            receipt_reference, field="receipt_reference", max_length=RECEIPT_MAX, required=True
        ),
    )
    with transaction.atomic():
        version = ReportVersion.objects.select_for_update().get(pk=version.pk)
        require_step(version, Step.SUBMIT)  # the state as it is now, under the lock
        version.state = ReportState.SUBMITTED
        version.submitted_on = data["on"]
        version.receipt_reference = data["receipt_reference"]
        version.submitted_by = actor_user(actor)
        version.submitted_by_name = actor_label(actor)
        version.save()
        obligation = report_obligation(version)
        if obligation is not None and close_refusal(obligation) is None:
            obligation_close(
                obligation=obligation,
                on=data["on"],
                closed_by=f"{CLOSED_BY_PREFIX}:{version.pk}",
                receipt_reference=data["receipt_reference"],
                document_reference=f"{version.title} v{version.version} (SHA-256 {_pdf_sha(version)[:16]}…)",
                actor=actor,
            )
    return version


def _pdf_sha(version: ReportVersion) -> str:
    files = version.files.defer("content")  # the checksum only, never the bytes
    file = files.filter(format="pdf").first() or files.first()
    return file.sha256 if file else ""
