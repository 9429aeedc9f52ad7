"""Reads for the report archive, filtered by what the user may see: a submitted version is public,
one not yet submitted is seen as the policy's "report.view_draft" says (`may_view_draft` for one
version, `draft_visibility_q` for a list: both in accounts.policy, tested to agree)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from jamkoll.accounts.policy import Verdict, actor_user, check, draft_visibility_q, require
from jamkoll.errors import NotFound
from jamkoll.obligations.models import Obligation
from jamkoll.obligations.selectors import obligation_of_kind
from jamkoll.programmes.models import FundingDecision
from jamkoll.validation import int_param

from .models import ReportFile, ReportJob, ReportKind, ReportState, ReportVersion
from .renderers import CONTENT_TYPES, EXTENSIONS
from .transitions import STEP_ACTIONS, Step, open_step

PK_MAX = 2**31 - 1


def visible_q(user: Any) -> Q:
    """The versions `user` may see: submitted ones, and the drafts the policy shows them."""
    return Q(state=ReportState.SUBMITTED) | draft_visibility_q(user)


def _files_listed() -> Prefetch[Any]:
    """A version's files as a list shows them: format, size and checksum, never the bytes."""
    return Prefetch("files", queryset=ReportFile.objects.defer("content").order_by("format"))


def version_list(*, user: Any, decision_slug: str | None = None) -> QuerySet[ReportVersion]:
    qs = ReportVersion.objects.select_related("decision", "county").prefetch_related(_files_listed())
    if decision_slug:
        qs = qs.filter(decision__slug=decision_slug)
    return qs.filter(visible_q(user)).order_by("decision__slug", "-year", "kind", "scope", "-version")


def published_list(*, decision_slug: str) -> QuerySet[ReportVersion]:
    return (
        ReportVersion.objects.filter(decision__slug=decision_slug, state=ReportState.SUBMITTED)
        .select_related("county")
        .prefetch_related(_files_listed())
        .order_by("-year", "kind", "scope", "-version")
    )


def version_get(*, pk: int | str) -> ReportVersion:
    """A version by its id; `NotFound` for an id that is not one (or not a sane number)."""
    number = int_param(pk, minimum=1, maximum=PK_MAX)
    version = (
        ReportVersion.objects.select_related("decision", "county").filter(pk=number).first()
        if number is not None
        else None
    )
    if version is None:
        raise NotFound(_("Rapportversionen finns inte."))
    return version


# A stored HTML file up to this size is shown on the version page as it is stored; a larger one
# (a result report with thousands of activities in its annex) by its table of contents only.
PREVIEW_MAX_BYTES = 400_000
_ARTICLE = re.compile(r"<article\b.*</article>", re.S)
_COLGROUP = re.compile(r"<colgroup>.*?</colgroup>", re.S)


@dataclass(frozen=True)
class StoredPreview:
    """What the version page shows of the document, read from its stored HTML file (never
    assembled again): the whole `<article>` while the file is small, else nothing (`complete` False)."""

    html: str
    complete: bool
    size: int


def version_preview(version: ReportVersion) -> StoredPreview | None:
    """The stored HTML rendering's body, as it was stored (None when the version has no HTML
    file). The file's bytes are read only when it is at most PREVIEW_MAX_BYTES; a larger file's
    contents list is read from its first part. Column widths (style attributes, which the site's
    Content-Security-Policy blocks) are left out."""
    row = version.files.filter(format="html").values_list("pk", "size").first()
    if row is None:
        return None
    pk, size = row
    if size <= PREVIEW_MAX_BYTES:
        text = bytes(ReportFile.objects.values_list("content", flat=True).get(pk=pk)).decode(
            "utf-8", "replace"
        )
        match = _ARTICLE.search(text)
        return StoredPreview(_COLGROUP.sub("", match.group(0)) if match else "", True, size)
    return StoredPreview("", False, size)


def version_file(version: ReportVersion, fmt: str) -> tuple[ReportFile, str]:
    """A version's stored file in `fmt` (html, pdf, docx, md) and the name it is downloaded as
    ("financial-agreement-2018-v2.pdf"); `NotFound` for a format the version has no file in.
    The web's download and the API's serve the same bytes under the same name."""
    file = version.files.filter(format=fmt).first() if fmt in CONTENT_TYPES else None
    if file is None:
        raise NotFound(_("Formatet finns inte för den här versionen."))
    suffix = f"-{version.scope.split(':')[-1]}" if version.scope else ""
    name = f"{version.kind}-{version.decision.slug}-{version.year}{suffix}-v{version.version}"
    return file, f"{name}.{EXTENSIONS[fmt]}"


def step_verdict(actor: Any, version: ReportVersion, step: Step) -> Verdict:
    """The policy's verdict on `actor` taking `step`. A submission also registers the obligation
    it closes (`obligation_close`), so it needs that obligation's verdict too
    ("obligation.submit"): the first refusal, with its reason. (Where the version's state does
    not allow the submission, the state's refusal is the one to give: no obligation is asked.)"""
    verdict = check(actor, STEP_ACTIONS[step], version)
    if not verdict or step != Step.SUBMIT or open_step(version) != Step.SUBMIT:
        return verdict
    obligation = report_obligation(version)
    if obligation is None or obligation.submitted_on is not None or obligation.waived_at is not None:
        return verdict  # nothing left open to register
    return check(actor, "obligation.submit", obligation)


def version_actions(actor: Any, version: ReportVersion) -> dict[Step, Verdict]:
    """The step the version's state allows (at most one), with the policy's verdict for `actor`
    (`step_verdict`): the page shows its form, or the reason it is not offered."""
    step = open_step(version)
    return {step: step_verdict(actor, version, step)} if step is not None else {}


def report_version_for_user(*, actor: Any, pk: int | str) -> tuple[ReportVersion, dict[Step, Verdict]]:
    """The one access helper for a report version (version page, download, workflow steps and API
    alike): the version and what `actor` may do with it, if they may see it. A submitted version
    is public; one not yet submitted needs "report.view_draft" (`PermissionDenied` with the
    policy's reason; an anonymous visitor is asked to log in). `NotFound` for an unknown id."""
    version = version_get(pk=pk)
    if version.state != ReportState.SUBMITTED:
        require(actor, "report.view_draft", version)
    return version, version_actions(actor, version)


def job_for_user(*, actor: Any, pk: Any) -> ReportJob:
    """A generation job, for the user who asked for it only (anyone else: `NotFound`)."""
    job = (
        ReportJob.objects.filter(pk=pk, requested_by=actor_user(actor)).first() if actor_user(actor) else None
    )
    if job is None:
        raise NotFound(_("Rapportjobbet finns inte."))
    return job


# The obligation each kind of report fulfils (an RSS report: the county's financial report; an
# application for a year: the decision's "{year}-application", which its `applications_until`
# announces).
OBLIGATION_FOR: dict[str, str] = {
    ReportKind.FINANCIAL: "financial_report",
    ReportKind.RESULT: "activity_report",
    ReportKind.STATUS: "status_report",
    ReportKind.RSS: "financial_report",
    ReportKind.APPLICATION: "application",
}


def application_years(*, decision: FundingDecision) -> list[int]:
    """The years the decision announces an application for: those its `applications_until` gave
    an "{year}-application" obligation (seed 004: the 2021 grant announces 2022 and 2023)."""
    return sorted(
        set(
            Obligation.objects.filter(
                decision=decision, kind=OBLIGATION_FOR[ReportKind.APPLICATION], county__isnull=True
            ).values_list("year", flat=True)
        )
    )


def application_decisions() -> list[tuple[FundingDecision, list[int]]]:
    """The decisions that announce applications, with the years (the application form's choices)."""
    rows = (
        Obligation.objects.filter(kind=OBLIGATION_FOR[ReportKind.APPLICATION], county__isnull=True)
        .select_related("decision__programme")
        .order_by("decision__start_year", "decision__slug", "year")
    )
    found: dict[int, tuple[FundingDecision, list[int]]] = {}
    for ob in rows:
        found.setdefault(ob.decision_id, (ob.decision, []))[1].append(ob.year)
    return list(found.values())


def report_obligation(version: ReportVersion) -> Obligation | None:
    """The obligation a submission closes: same decision, year and kind (county for RSS, period
    for a status report); an open one first."""
    return obligation_of_kind(
        decision=version.decision,
        year=version.year,
        kind=OBLIGATION_FOR[version.kind],
        county=version.county if version.county_id else None,
        period_start=version.period_start if version.kind == ReportKind.STATUS else None,
        open_first=True,
    )
