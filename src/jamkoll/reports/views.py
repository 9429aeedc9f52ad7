"""Report pages: the archive, generation in the background with progress, a version with its
files and its workflow (certify, sign, submit), downloads.

The views are thin: `report_job_create` asks for a report, `report_version_for_user` finds a
version and what the user may do with it (the open step: `transitions`), the services take the
steps. A refusal propagates (the site's refusal page says why); a service's `ValidationError`
puts its messages beside the form's fields and the page is shown again with status 400.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_htmx.http import HttpResponseClientRedirect

from jamkoll.accounts.policy import Verdict, check
from jamkoll.errors import NotFound, form_add_errors
from jamkoll.programmes.selectors import county_choices, decisions_with_budgets
from jamkoll.tables import Column, export_format, export_response, sort_of, sorted_items, table_from_request
from jamkoll.validation import int_param

from .forms import REPORT_CHOICES, STEP_FORMS, ApplicationForm, GenerateForm
from .models import JobStatus, ReportKind, ReportState, ReportVersion
from .renderers import CONTENT_TYPES
from .selectors import (
    application_decisions,
    job_for_user,
    report_obligation,
    report_version_for_user,
    step_verdict,
    version_file,
    version_list,
    version_preview,
)
from .services import (
    report_certify,
    report_job_create,
    report_sign,
    report_submit,
)
from .transitions import Step

STEP_SERVICES: dict[Step, Callable[..., ReportVersion]] = {
    Step.CERTIFY: report_certify,
    Step.SIGN: report_sign,
    Step.SUBMIT: report_submit,
}


# A submission also registers the obligation it closes; that service names the date `submitted_on`.
STEP_ERROR_ALIASES = {"submitted_on": "on"}


def _login_if_anonymous(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """For pages that are public once a version is submitted: an anonymous visitor refused (a
    draft) is sent to log in; a signed-in user refused sees the refusal page with the reason."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied:
            if request.user.is_authenticated:
                raise
            return redirect_to_login(request.get_full_path())

    return wrapped


def _generate_form(user: Any, data: Any = None) -> GenerateForm:
    """The form that starts a report, offering what `user` may generate: a coordinator every kind
    for any county; an RSS leader the county report of their own county (the policy's answer for
    each, so that a choice offered is one the service accepts)."""
    decisions = [(d.slug, f"{d.programme.title} ({d.period})") for d in decisions_with_budgets()]
    counties = county_choices(timezone.localdate())
    if check(user, "report.generate", None):
        return GenerateForm(data, decisions=decisions, counties=counties)
    return GenerateForm(
        data,
        decisions=decisions,
        counties=counties,
        offered_kinds=[(v, label) for v, label in REPORT_CHOICES if v == ReportKind.RSS],
        offered_counties=[(code, label) for code, label in counties if check(user, "report.generate", code)],
    )


ARCHIVE_COLUMNS = [
    Column("rapport", gettext_lazy("Rapport"), ("title", "-version", "pk")),
    Column("ar", gettext_lazy("År"), ("year", "title", "-version", "pk")),
    Column("version", gettext_lazy("Version"), ("version", "pk")),
    Column("status", gettext_lazy("Status"), ("state", "title", "pk")),
    Column("skapad", gettext_lazy("Skapad"), ("generated_at", "pk")),
    Column("filer", gettext_lazy("Filer")),
]


def _archive_export(fmt: str, versions: Any) -> HttpResponse:
    header = [_("Rapport"), _("Beslut"), _("År"), _("Version"), _("Status"), _("Skapad"), _("Skapad av")]
    rows = (
        [
            v.title,
            v.decision.title,
            v.year,
            v.version,
            v.get_state_display(),
            timezone.localtime(v.generated_at).strftime("%Y-%m-%d %H:%M") if v.generated_at else "",
            v.generated_by_name,
        ]
        for v in versions
    )
    title = _("Rapporter och redovisningar")
    return export_response(fmt, name=title, header=header, rows=rows, preamble=[title])


@require_http_methods(["GET", "POST"])
@login_required
def index(request: HttpRequest) -> HttpResponse:
    can_generate = check(request.user, "report.generate_form")
    form = _generate_form(request.user, request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not can_generate:
            raise PermissionDenied(can_generate.reason)
        if form.is_valid():
            data = form.cleaned_data
            try:
                job = report_job_create(
                    actor=request.user,
                    kind=data["kind"],
                    decision_slug=data["decision"],
                    year=data["year"],
                    county_code=data.get("county") or None,
                    period_start=data.get("period_start"),
                )
            except ValidationError as exc:
                form_add_errors(form, exc)
            else:
                return redirect("reports:job", pk=job.pk)
    versions = version_list(user=request.user)
    kind = request.GET.get("slag", "")
    state = request.GET.get("status", "")
    year = int_param(request.GET.get("ar"), minimum=1900, maximum=2100)
    if kind in ReportKind.values:
        versions = versions.filter(kind=kind)
    if state in ReportState.values:
        versions = versions.filter(state=state)
    if year:
        versions = versions.filter(year=year)
    column, descending = sort_of(request, ARCHIVE_COLUMNS, "skapad", default_descending=True)
    versions = sorted_items(versions, column, descending)
    fmt = export_format(request)
    if fmt and request.method == "GET":
        return _archive_export(fmt, versions)
    table = table_from_request(
        request,
        versions,
        ARCHIVE_COLUMNS,
        default_sort="skapad",
        page_size=25,
        show_all_max=200,
        fragment="arkiv",
        sort=(column, descending),
    )
    return render(
        request,
        "reports/index.html",
        {
            "versions": table.rows,
            "table": table,
            "filters": {"slag": kind, "status": state, "ar": year or ""},
            "kind_choices": ReportKind.choices,
            "state_choices": ReportState.choices,
            "form": form,
            "can_generate": can_generate,
            "can_apply": check(request.user, "report.generate_application"),
        },
        status=400 if form.errors else 200,
    )


def _application_form(data: Any = None) -> ApplicationForm:
    announced = application_decisions()
    decisions = [(d.slug, d.title) for d, _years in announced]
    years = "; ".join(f"{d.title}: {', '.join(str(y) for y in years)}" for d, years in announced)
    help_text = _("Ett år som beslutet aviserar en ansökan för (%(years)s).") % {"years": years or "–"}
    return ApplicationForm(data, decisions=decisions, years_help=help_text)


@require_http_methods(["GET", "POST"])
@login_required
def application_new(request: HttpRequest) -> HttpResponse:
    """Draft the application for a year's money: the document is made from the decision and its
    current plan, with the amount and the introduction typed here, as a job in the background."""
    allowed = check(request.user, "report.generate_application")
    form = _application_form(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not allowed:
            raise PermissionDenied(allowed.reason)
        if form.is_valid():
            data = form.cleaned_data
            try:
                job = report_job_create(
                    actor=request.user,
                    kind=ReportKind.APPLICATION,
                    decision_slug=data["decision"],
                    year=data["year"],
                    amount_applied=data.get("amount_applied"),
                    introduction=data.get("introduction") or "",
                )
            except ValidationError as exc:
                form_add_errors(form, exc)
            else:
                return redirect("reports:job", pk=job.pk)
    return render(
        request,
        "reports/application_new.html",
        {"form": form, "allowed": allowed},
        status=400 if form.errors else 200,
    )


@require_safe
@login_required
def job(request: HttpRequest, pk: str) -> HttpResponse:
    item = job_for_user(actor=request.user, pk=pk)
    if item.status == JobStatus.DONE and item.result_id:
        if getattr(request, "htmx", False):  # the job page's poll: the whole browser goes on
            return HttpResponseClientRedirect(reverse("reports:version", args=[item.result_id]))
        return redirect("reports:version", pk=item.result_id)
    return render(request, "reports/job.html", {"job": item})


def _step_form(step: Step, data: Any = None) -> forms.Form:
    initial = {"on": timezone.localdate()}
    return STEP_FORMS[step](data, initial=initial)


def _version_page(
    request: HttpRequest,
    version: ReportVersion,
    actions: dict[Step, Verdict],
    *,
    sent: tuple[Step, forms.Form] | None = None,
) -> HttpResponse:
    """The version with its files, its preview and a form for the open step (or the reason it is
    not offered). `sent`: a step's form as sent, with its errors (status 400)."""
    steps: list[tuple[Step, Verdict, forms.Form]] = [
        (step, verdict, sent[1] if sent and sent[0] == step else _step_form(step))
        for step, verdict in actions.items()
    ]
    if sent and sent[0] not in actions:  # a step the state does not allow: show why, beside its form
        steps.append((sent[0], step_verdict(request.user, version, sent[0]), sent[1]))
    return render(
        request,
        "reports/version.html",
        {
            "version": version,
            "files": version.files.defer("content").order_by("format"),
            # Never assembled in the request: the preview is the stored HTML file's, and whether the
            # data has changed is checked when a step is taken (certify and sign refuse then).
            "preview": version_preview(version),
            "actions": steps,
            "obligation": report_obligation(version),
            "successors": version.successors.all(),
            "register_decision": _register_decision_url(request.user, version),
            "show_record": check(request.user, "report.view_record", version).allowed,
        },
        status=400 if sent else 200,
    )


def _register_decision_url(user: Any, version: ReportVersion) -> str | None:
    """After an application is submitted, the government's decision on it is registered against
    it: a link to the decision registration page, with the programme and this version, for those
    who may register decisions ("programme.change"). None while the page does not exist."""
    if version.kind != ReportKind.APPLICATION or version.state != ReportState.SUBMITTED:
        return None
    if not check(user, "programme.change"):
        return None
    try:
        # TODO(lead): the decision registration page (another helper's) is to be named
        # "programmes:decision_new" and to read ?programme=<slug>&application=<version pk>.
        base = reverse("programmes:decision_new")
    except NoReverseMatch:
        return None
    query = urlencode({"programme": version.decision.programme.slug, "application": version.pk})
    return f"{base}?{query}"


@require_safe
@_login_if_anonymous
def version_page(request: HttpRequest, pk: int) -> HttpResponse:
    version, actions = report_version_for_user(actor=request.user, pk=pk)
    return _version_page(request, version, actions)


@require_safe
@_login_if_anonymous
def download(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """A stored file as it was stored: its SHA-256 is its ETag, so a browser that has it gets a 304
    without the bytes being read; a submitted (public) version's files may be cached by anyone."""
    version, _actions = report_version_for_user(actor=request.user, pk=pk)
    public = version.state == ReportState.SUBMITTED
    cache = "public, max-age=86400" if public else "private, no-cache"
    sha = version.files.filter(format=fmt).values_list("sha256", flat=True).first()
    if sha and request.headers.get("If-None-Match", "").strip() == f'"{sha}"':
        response = HttpResponse(status=304)
        response["ETag"] = f'"{sha}"'
        response["Cache-Control"] = cache
        return response
    file, filename = version_file(version, fmt)
    response = HttpResponse(bytes(file.content), content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-SHA256"] = file.sha256
    response["ETag"] = f'"{file.sha256}"'
    response["Cache-Control"] = cache
    return response


@require_POST
@login_required
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Take a step of the workflow: certify, sign or submit."""
    version, actions = report_version_for_user(actor=request.user, pk=pk)
    if action not in STEP_FORMS:
        raise NotFound(_("Det steget finns inte; stegen är intyga, underteckna och lämna in."))
    step = Step(action)
    verdict = step_verdict(request.user, version, step)
    if not verdict:
        raise PermissionDenied(verdict.reason)
    form = _step_form(step, request.POST)
    if form.is_valid():
        try:
            result = STEP_SERVICES[step](actor=request.user, version=version, **form.cleaned_data)
        except ValidationError as exc:
            form_add_errors(form, exc, aliases=STEP_ERROR_ALIASES)
        else:
            messages.success(
                request,
                _("Klart: %(title)s v%(n)s är nu %(state)s.")
                % {"title": result.title, "n": result.version, "state": result.get_state_display().lower()},
            )
            return redirect("reports:version", pk=result.pk)
    return _version_page(request, version, actions, sent=(step, form))
