"""Writes for the report archive: generate, certify, sign, submit. Each asks the one policy,
runs in one transaction and never changes a stored file: certifying or signing makes a new
version, submitting records the date and the receiver's diary number and closes the obligation.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from jamkoll.accounts.policy import require
from jamkoll.obligations.models import Obligation
from jamkoll.obligations.transitions import obligation_submit
from jamkoll.programmes.models import FundingDecision
from jamkoll.reference.models import Organisation

from .assemblers import assemble, fingerprint
from .models import ReportFile, ReportKind, ReportState, ReportVersion
from .renderers import render

ALL_FORMATS = ("pdf", "docx", "html", "md")
Progress = Callable[[int, str], None]


class ReportError(ValueError):
    """A refused report action; the message says why."""


def _scope(county_code: str | None, period_start: dt.date | None) -> str:
    if county_code:
        return f"county:{county_code}"
    if period_start:
        return f"period:{period_start.isoformat()}"
    return ""


def _actor(user: Any, actor_name: str | None) -> tuple[Any, str]:
    if user is not None and getattr(user, "is_authenticated", False):
        return user, user.get_full_name() or user.get_username()
    return None, actor_name or "systemet"


def _store(version: ReportVersion, document: Any, formats: Iterable[str], progress: Progress | None) -> None:
    formats = list(formats)
    for i, fmt in enumerate(formats):
        if progress:
            progress(10 + int(85 * i / len(formats)), f"Skapar {fmt.upper()}")
        content = render(document, fmt)
        ReportFile.objects.create(
            version=version,
            format=fmt,
            content=content,
            sha256=hashlib.sha256(content).hexdigest(),
            size=len(content),
        )


def report_generate(
    *,
    kind: str,
    decision: FundingDecision,
    year: int,
    county_code: str | None = None,
    period_start: dt.date | None = None,
    formats: Iterable[str] = ALL_FORMATS,
    user: Any = None,
    actor_name: str | None = None,
    progress: Progress | None = None,
) -> ReportVersion:
    """Assemble the document from the database, render every format and archive it as a new
    draft version with its SHA-256 sums."""
    if kind not in ReportKind.values:
        raise ReportError(f"okänt rapportslag {kind!r}")
    if year not in decision.years:
        raise ReportError(f"år {year} ligger utanför beslutets period {decision.period}")
    if kind == ReportKind.RSS and not county_code:
        raise ReportError("länsrapporten kräver ett län")
    if county_code and kind != ReportKind.RSS:
        raise ReportError("län anges bara för länsrapporten")
    if kind == ReportKind.STATUS and period_start is None:
        period_start = dt.date(year, 1, 1)
    if kind != ReportKind.STATUS:
        period_start = None
    if user is not None:
        require(user, "report.generate", county_code)
    recorder, name = _actor(user, actor_name)
    if progress:
        progress(2, "Hämtar uppgifterna")
    document = assemble(
        kind=kind, decision_slug=decision.slug, year=year, county_code=county_code, period_start=period_start
    )
    county = Organisation.objects.filter(kind="lan", code=county_code).first() if county_code else None
    scope = _scope(county_code, period_start)
    with transaction.atomic():
        last = (
            ReportVersion.objects.select_for_update()
            .filter(kind=kind, decision=decision, year=year, scope=scope)
            .order_by("-version")
            .first()
        )
        version = ReportVersion.objects.create(
            kind=kind,
            decision=decision,
            year=year,
            county=county,
            period_start=period_start,
            scope=scope,
            version=(last.version + 1) if last else 1,
            title=document.title,
            fingerprint=fingerprint(document),
            generated_by=recorder,
            generated_by_name=name,
            generated_at=timezone.now(),
        )
        _store(version, document, formats, progress)
    if progress:
        progress(100, "Klar")
    return version


def report_outdated(version: ReportVersion) -> bool:
    """True when the data behind the version has changed since it was generated."""
    document = assemble(
        kind=version.kind,
        decision_slug=version.decision.slug,
        year=version.year,
        county_code=version.county_code,
        period_start=version.period_start,
    )
    return fingerprint(document) != version.fingerprint


def _successor(version: ReportVersion, state: str, user: Any, **fields: Any) -> ReportVersion:
    """A frozen copy with new state and fields; its files are rendered again so that they show the
    certification or signature. The data must be unchanged since the version was generated."""
    if report_outdated(version):
        raise ReportError("underlaget har ändrats sedan versionen skapades; skapa en ny version först")
    recorder, name = _actor(user, None)
    with transaction.atomic():
        last = (
            ReportVersion.objects.select_for_update()
            .filter(kind=version.kind, decision=version.decision, year=version.year, scope=version.scope)
            .order_by("-version")
            .first()
        )
        assert last is not None
        if last.pk != version.pk:
            raise ReportError(f"det finns en nyare version (v{last.version}); utgå från den")
        carried = {
            name: getattr(version, name)
            for name in (
                "certified_by_name",
                "certified_title",
                "certified_on",
                "deviations",
                "proposed_actions",
                "signed_by_name",
                "signed_title",
                "signed_on",
                "signed_place",
            )
        }
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
            state=state,
            generated_by=recorder,
            generated_by_name=name,
            generated_at=timezone.now(),
            **carried,
        )
        successor.full_clean()
        successor.save()
        document = assemble(
            kind=version.kind,
            decision_slug=version.decision.slug,
            year=version.year,
            county_code=version.county_code,
            period_start=version.period_start,
            version=successor,
        )
        _store(successor, document, [f.format for f in version.files.all()] or ALL_FORMATS, None)
    return successor


def report_certify(
    *,
    version: ReportVersion,
    name: str,
    title: str,
    on: dt.date,
    deviations: str = "",
    proposed_actions: str = "",
    user: Any,
) -> ReportVersion:
    """The ekonomichef certifies the financial report (seed 001 §8)."""
    require(user, "report.certify", version)
    if version.kind != ReportKind.FINANCIAL:
        raise ReportError("bara den ekonomiska redovisningen intygas av ekonomichefen")
    if version.state != ReportState.DRAFT:
        raise ReportError(f"versionen är {version.get_state_display().lower()}; bara ett utkast kan intygas")
    if not name.strip() or not title.strip():
        raise ReportError("namn och titel: ange vem som intygar")
    return _successor(
        version,
        ReportState.CERTIFIED,
        user,
        certified_by_name=name.strip(),
        certified_title=title.strip(),
        certified_on=on,
        deviations=deviations.strip(),
        proposed_actions=proposed_actions.strip(),
    )


def report_sign(
    *, version: ReportVersion, name: str, title: str, on: dt.date, place: str = "Stockholm", user: Any
) -> ReportVersion:
    """An authorised representative signs. A financial report must be certified first."""
    require(user, "report.sign", version)
    allowed = {ReportState.CERTIFIED} if version.kind == ReportKind.FINANCIAL else {ReportState.DRAFT}
    if version.state not in allowed:
        needed = "intygad" if version.kind == ReportKind.FINANCIAL else "ett utkast"
        raise ReportError(f"versionen är {version.get_state_display().lower()}; den måste vara {needed}")
    if not name.strip() or not title.strip():
        raise ReportError("namn och titel: ange vem som undertecknar")
    return _successor(
        version,
        ReportState.SIGNED,
        user,
        signed_by_name=name.strip(),
        signed_title=title.strip(),
        signed_on=on,
        signed_place=place.strip(),
    )


OBLIGATION_FOR: dict[str, str] = {
    ReportKind.FINANCIAL: "financial_report",
    ReportKind.RESULT: "activity_report",
    ReportKind.STATUS: "status_report",
    ReportKind.RSS: "financial_report",
}


def report_submit(*, version: ReportVersion, on: dt.date, receipt_reference: str, user: Any) -> ReportVersion:
    """Record the submission; it closes the matching obligation with the same date and number."""
    require(user, "report.submit", version)
    needs_signature = version.kind in (ReportKind.FINANCIAL, ReportKind.RESULT)
    if needs_signature and version.state != ReportState.SIGNED:
        raise ReportError("redovisningen ska vara undertecknad av en behörig företrädare innan den lämnas in")
    if version.state == ReportState.SUBMITTED:
        raise ReportError("versionen är redan inlämnad")
    if not receipt_reference.strip():
        raise ReportError("diarienummer: ange mottagarens diarienummer")
    _recorder, name = _actor(user, None)
    with transaction.atomic():
        version = ReportVersion.objects.select_for_update().get(pk=version.pk)
        if version.state == ReportState.SUBMITTED:
            raise ReportError("versionen är redan inlämnad")
        if needs_signature and version.state != ReportState.SIGNED:
            raise ReportError(
                "redovisningen ska vara undertecknad av en behörig företrädare innan den lämnas in"
            )
        version.state = ReportState.SUBMITTED
        version.submitted_on = on
        version.receipt_reference = receipt_reference.strip()
        version.submitted_by_name = name
        version.save()
        obligation = report_obligation(version)
        if obligation is not None and obligation.submitted_on is None:
            obligation_submit(
                obligation=obligation,
                submitted_on=on,
                receipt_reference=receipt_reference.strip(),
                document_reference=f"{version.title} v{version.version} (SHA-256 {_pdf_sha(version)[:16]}…)",
                actor=user,
            )
    return version


def report_obligation(version: ReportVersion) -> Obligation | None:
    """The obligation a submission closes: same decision, year and kind (county for RSS)."""
    qs = Obligation.objects.filter(
        decision=version.decision, year=version.year, kind=OBLIGATION_FOR[version.kind]
    )
    qs = qs.filter(county=version.county) if version.county_id else qs.filter(county__isnull=True)
    if version.kind == ReportKind.STATUS and version.period_start:
        qs = qs.filter(period_start=version.period_start)
    open_first = qs.order_by("submitted_on", "nominal_date")
    return open_first.filter(submitted_on__isnull=True).first() or open_first.first()


def _pdf_sha(version: ReportVersion) -> str:
    file = version.files.filter(format="pdf").first() or version.files.first()
    return file.sha256 if file else ""
