"""Report pages: the archive, generation in the background with progress, a version with its
files and its workflow (certify, sign, submit), downloads."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from jamkoll.accounts.policy import Verdict, check, rss_counties
from jamkoll.programmes.selectors import county_name_map, decision_brief, decisions_with_budgets
from jamkoll.reference.models import Organisation

from .assemblers import assemble
from .forms import CertifyForm, GenerateForm, SignForm, SubmitForm
from .models import JobStatus, ReportJob, ReportKind, ReportState, ReportVersion
from .renderers import CONTENT_TYPES, EXTENSIONS, render_html_fragment
from .selectors import version_list
from .services import (
    ReportError,
    report_certify,
    report_obligation,
    report_outdated,
    report_sign,
    report_submit,
)
from .tasks import generate_report


def _generate_form(data: Any = None) -> GenerateForm:
    decisions = [(d.slug, f"{d.programme.title} ({d.period})") for d in decisions_with_budgets()]
    counties = [(code, f"{code} {name}") for code, name in county_name_map(timezone.localdate()).items()]
    return GenerateForm(data, decisions=decisions, counties=counties)


@require_http_methods(["GET", "POST"])
@login_required
def index(request: HttpRequest) -> HttpResponse:
    # An RSS leader may generate their own county's report, so the form is shown to them too.
    can_generate = check(request.user, "report.generate")
    if not can_generate and rss_counties(request.user):
        can_generate = Verdict(True)
    form = _generate_form()
    if request.method == "POST":
        form = _generate_form(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            verdict = check(request.user, "report.generate", data.get("county") or None)
            if not verdict:
                raise PermissionDenied(verdict.reason)
            decision = decision_brief(slug=data["decision"])
            if data["year"] not in decision.years:
                form.add_error(
                    "year", _("Året ligger utanför beslutets period %(p)s.") % {"p": decision.period}
                )
            else:
                job = ReportJob.objects.create(
                    kind=data["kind"],
                    decision=decision,
                    year=data["year"],
                    county=Organisation.objects.filter(kind="lan", code=data.get("county")).first()
                    if data.get("county")
                    else None,
                    period_start=data.get("period_start"),
                    requested_by=cast(User, request.user),  # login_required: never anonymous
                )
                generate_report.enqueue(str(job.pk))
                return redirect("reports:job", pk=job.pk)
    return render(
        request,
        "reports/index.html",
        {
            "versions": version_list(user=request.user)[:200],
            "form": form,
            "can_generate": can_generate,
        },
        status=400 if form.errors else 200,
    )


@require_safe
@login_required
def job(request: HttpRequest, pk: str) -> HttpResponse:
    item = get_object_or_404(ReportJob, pk=pk, requested_by=request.user)
    if item.status == JobStatus.DONE and item.result_id:
        return redirect("reports:version", pk=item.result_id)
    return render(request, "reports/job.html", {"job": item})


def _visible(request: HttpRequest, version: ReportVersion) -> None:
    if version.state == ReportState.SUBMITTED:
        return
    verdict = check(request.user, "report.view_draft", version)
    if not verdict:
        raise PermissionDenied(verdict.reason)


@require_safe
def version_page(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_object_or_404(ReportVersion.objects.select_related("decision", "county"), pk=pk)
    if version.state != ReportState.SUBMITTED and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    _visible(request, version)
    document = assemble(
        kind=version.kind,
        decision_slug=version.decision.slug,
        year=version.year,
        county_code=version.county_code,
        period_start=version.period_start,
        version=version,
    )
    actions: list[tuple[str, Verdict, Any]] = []
    user = request.user
    if version.kind == ReportKind.FINANCIAL and version.state == ReportState.DRAFT:
        actions.append(
            (
                "certify",
                check(user, "report.certify", version),
                CertifyForm(initial={"on": timezone.localdate()}),
            )
        )
    sign_from = ReportState.CERTIFIED if version.kind == ReportKind.FINANCIAL else ReportState.DRAFT
    if version.state == sign_from:
        actions.append(
            ("sign", check(user, "report.sign", version), SignForm(initial={"on": timezone.localdate()}))
        )
    signed_first = version.kind in (ReportKind.FINANCIAL, ReportKind.RESULT)
    if version.state == ReportState.SIGNED or (not signed_first and version.state != ReportState.SUBMITTED):
        actions.append(
            (
                "submit",
                check(user, "report.submit", version),
                SubmitForm(initial={"on": timezone.localdate()}),
            )
        )
    return render(
        request,
        "reports/version.html",
        {
            "version": version,
            "files": version.files.defer("content").order_by("format"),
            "outdated": report_outdated(version),
            "preview": render_html_fragment(document),
            "actions": actions,
            "obligation": report_obligation(version),
            "successors": version.successors.all(),
        },
    )


@require_safe
def download(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    version = get_object_or_404(ReportVersion, pk=pk)
    if version.state != ReportState.SUBMITTED and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    _visible(request, version)
    file = version.files.filter(format=fmt).first()
    if file is None:
        raise Http404(_("Formatet finns inte för den här versionen."))
    response = HttpResponse(bytes(file.content), content_type=CONTENT_TYPES[fmt])
    suffix = f"-{version.scope.split(':')[-1]}" if version.scope else ""
    name = f"{version.kind}-{version.decision.slug}-{version.year}{suffix}-v{version.version}"
    response["Content-Disposition"] = f'attachment; filename="{name}.{EXTENSIONS[fmt]}"'
    response["X-Content-SHA256"] = file.sha256
    return response


@require_POST
@login_required
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    version = get_object_or_404(ReportVersion.objects.select_related("decision", "county"), pk=pk)
    forms = {"certify": CertifyForm, "sign": SignForm, "submit": SubmitForm}
    if action not in forms:
        raise Http404
    form = forms[action](request.POST)
    if not form.is_valid():
        messages.error(
            request,
            " ".join(
                f"{form.fields[f].label}: {' '.join(str(m) for m in e)}" for f, e in form.errors.items()
            ),
        )
        return redirect("reports:version", pk=pk)
    data = form.cleaned_data
    try:
        if action == "certify":
            result = report_certify(version=version, user=request.user, **data)
        elif action == "sign":
            result = report_sign(version=version, user=request.user, **data)
        else:
            result = report_submit(version=version, user=request.user, **data)
    except ReportError as exc:
        messages.error(request, str(exc))
        return redirect("reports:version", pk=pk)
    messages.success(
        request,
        _("Klart: %(title)s v%(n)s är nu %(state)s.")
        % {"title": result.title, "n": result.version, "state": result.get_state_display().lower()},
    )
    return redirect("reports:version", pk=result.pk)
