"""Pages for the county's own work and the results (issue 11): a county's genomförandeplan and its
activities, an output corrected or removed, evaluations, the half-yearly status report and the
steering group's members. Thin, like `views`: the access helpers, the policy and the services do
the work.

A refusal (`PermissionDenied`, `NotFound`) goes to the site's refusal page with its reason; a page
also shows the reason beside what the user may not change. A service's `ValidationError`
re-renders the page with each message beside its field (400).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from jamkoll.accounts.policy import check
from jamkoll.errors import NotFound, form_add_errors
from jamkoll.programmes.selectors import decision_brief, decision_year_for_user
from jamkoll.tables import Column, export_format, export_response, sort_of, sorted_items, table_from_request
from jamkoll.validation import text_problem

from .forms import (
    ACTIVITY_CHOICES_MAX,
    CountyActivityForm,
    CountyPlanCreateForm,
    CountyPlanForm,
    EvaluationForm,
    OutputForm,
    StatusReportCreateForm,
    StatusReportItemForm,
    StatusReportTextsForm,
    SteeringGroupMemberForm,
)
from .locks import county_plan_lock, county_plan_of
from .models import CountyPlanStatus, Output, StatusReport, StatusReportState
from .selectors import (
    FILTER_TEXT_MAX,
    ActivityChoices,
    ActivityFilter,
    CountyPlanPage,
    activity_choices,
    activity_status_order,
    county_activity_for_user,
    county_plan_for_user,
    evaluation_for_user,
    evaluation_list,
    half_years,
    output_for_user,
    status_report_for_user,
    status_reports_for_user,
    steering_group_for_user,
    steering_group_member_for_user,
)
from .services import (
    EVALUATION_ACTIVITIES_MAX,
    county_activity_create,
    county_activity_update,
    county_plan_create,
    county_plan_update,
    evaluation_create,
    evaluation_delete,
    evaluation_update,
    output_delete,
    output_update,
    status_report_create,
    status_report_item_delete,
    status_report_item_set,
    status_report_submit,
    status_report_update,
    steering_group_member_create,
    steering_group_member_delete,
    steering_group_member_update,
)


def _refuse_unless(verdict: Any) -> None:
    if not verdict:
        raise PermissionDenied(verdict.reason)


STATUS_REPORT_ROWS_PAGE = 25


SEARCH = "sok"  # the name of the search button inside a form that chooses among the activities


def _searching(request: HttpRequest) -> bool:
    """The form came from its activity search's button: it is shown again as sent, with the
    search's matches offered, and nothing is saved (in a national year the search is how an
    activity is found, and it must not cost what the user has written)."""
    return request.method == "POST" and SEARCH in request.POST


def _sent_words(request: HttpRequest) -> bool:
    """The form's search box came with the form (a search, or a save from a page with the search)."""
    return request.method == "POST" and "q" in request.POST


def _search_problem(request: HttpRequest) -> str | None:
    """What is wrong with the words the form's search box sent (a control character, which
    PostgreSQL refuses in a query if it is a NUL; more than a search takes), or None. The page's
    query (`?q=`) is checked before any view (`HostileQueryMiddleware`), a form's body is not."""
    if not _sent_words(request):
        return None
    return text_problem(_words(request), multiline=False, max_length=FILTER_TEXT_MAX)


def _words(request: HttpRequest) -> str:
    """The search box's words; a tab (a word pasted from a spreadsheet's cell) is a space."""
    words = request.POST.get("q", "")
    return words.replace("\t", " ")


def _search_filter(request: HttpRequest) -> ActivityFilter:
    """The search's words: the form's search box when it came with the form (none if they are
    refused), so that a refused save keeps the search's matches too; else the page's query (`?q=`
    and the plan page's filters, a link to a search)."""
    if _sent_words(request):
        if _search_problem(request):
            return ActivityFilter()
        return ActivityFilter.from_query({"q": _words(request)})
    return ActivityFilter.from_query(request.GET)


def _choices(request: HttpRequest, decision: Any, year: int, chosen: Iterable[str] = ()) -> ActivityChoices:
    """The year's activities for a form: the whole year while it fits a list; else the `chosen`
    ones and those the search finds."""
    return activity_choices(
        decision=decision,
        year=year,
        limit=ACTIVITY_CHOICES_MAX,
        filters=_search_filter(request),
        chosen=chosen,
    )


def _as_sent(form: Any, request: HttpRequest) -> int:
    """A form sent by its search button, to be shown again: each value is checked as on saving (a
    control character, too long) but none is missing yet; refused search words are named at the
    top too (and beside the search box). The page's status: 400 if anything is refused, else 200."""
    required = {name: field.required for name, field in form.fields.items()}
    for field in form.fields.values():
        field.required = False
    form.is_valid()  # the errors are kept; the labels say again what is required
    for name, needed in required.items():
        form.fields[name].required = needed
    problem = _search_problem(request)
    if problem:
        form.add_error(None, _("Sökord: %(problem)s") % {"problem": problem})
    return 400 if form.errors else 200


def _sent(request: HttpRequest, name: str) -> list[str]:
    """The activity codes a form sent (kept in the list offered when the page is shown again)."""
    return request.POST.getlist(name)[:EVALUATION_ACTIVITIES_MAX] if request.method == "POST" else []


def _search(choices: ActivityChoices, request: HttpRequest) -> dict[str, Any]:
    """What the activity search above a form shows (nothing for a year offered whole)."""
    return {
        "choices": choices,
        "limit": ACTIVITY_CHOICES_MAX,
        "text": _search_filter(request).text or "",  # refused words are not shown again
        # Named only when the search was asked for: a save does not use the words (they are
        # dropped, and not shown again).
        "error": _search_problem(request) if _searching(request) else None,
        "text_max": FILTER_TEXT_MAX,
        "unsaved": _searching(request),
    }


def _saved(form: Any, call: Any) -> bool:
    """Run the service with a valid form's values; its refusals stand beside the fields."""
    if not form.is_valid():
        return False
    try:
        call(form.cleaned_data)
    except ValidationError as exc:
        form_add_errors(form, exc)
        return False
    return True


# --- a county's genomförandeplan -----------------------------------------------------------------

# The plan's form and the new activity's share the page, and both have a status: the plan's fields
# are `id_plan_<name>` so that every id (and every label's `for`) is the page's only one.
PLAN_FORM_IDS = "id_plan_%s"


_BY_PLACE = ("report_section", "position", "code")
COUNTY_ACTIVITY_COLUMNS = [
    Column("avsnitt", gettext_lazy("Aktivitet"), _BY_PLACE),
    Column("malomrade", gettext_lazy("Målområde"), ("goal_area__number", *_BY_PLACE)),
    Column("delprojekt", gettext_lazy("Delprojekt"), ("sub_project__number", *_BY_PLACE)),
    Column("tid", gettext_lazy("Planerad tid"), (F("planned_start").asc(nulls_first=True), *_BY_PLACE)),
    Column(
        "kostnad",
        gettext_lazy("Planerad kostnad"),
        (F("planned_cost").asc(nulls_first=True), *_BY_PLACE),
        css="num",
    ),
    Column("resultat", gettext_lazy("Resultat")),
    Column("status", gettext_lazy("Status"), (activity_status_order().asc(), *_BY_PLACE)),
]
COUNTY_ACTIVITY_PAGE_SIZE = 50
COUNTY_ACTIVITY_SHOW_ALL_MAX = 500


def _county_page(
    request: HttpRequest,
    page: CountyPlanPage,
    *,
    plan_form: Any = None,
    activity_form: Any = None,
    status: int = 200,
) -> HttpResponse:
    plan = page.plan
    lock = county_plan_lock(county_plan=plan)
    may_reopen = check(request.user, "county_plan.reopen", plan)
    if page.verdict and plan_form is None:
        if plan is None:
            plan_form = CountyPlanCreateForm(auto_id=PLAN_FORM_IDS)
        elif lock or may_reopen:
            plan_form = CountyPlanForm(
                initial={"summary": plan.summary, "status": plan.status},
                locked=not lock,
                auto_id=PLAN_FORM_IDS,
            )
    if page.verdict and plan is not None and lock and activity_form is None:
        activity_form = CountyActivityForm(decision=page.decision, year=page.year)
    # The county's activities one page at a time, sorted on the server (`jamkoll.tables`).
    table = table_from_request(
        request,
        page.activities,
        COUNTY_ACTIVITY_COLUMNS,
        default_sort="avsnitt",
        page_size=COUNTY_ACTIVITY_PAGE_SIZE,
        show_all_max=COUNTY_ACTIVITY_SHOW_ALL_MAX,
        fragment="aktiviteter",
    )
    return render(
        request,
        "plans/county_plan.html",
        {
            "page": page,
            "decision": page.decision,
            "year": page.year,
            "plan": plan,
            "lock": lock,
            "plan_form": plan_form,
            "activity_form": activity_form,
            "table": table,
        },
        status=status,
    )


def _county_export(fmt: str, request: HttpRequest, page: CountyPlanPage) -> HttpResponse:
    """The county's activities, every one, in the table's sort, as a download."""
    table_sort = sort_of(request, COUNTY_ACTIVITY_COLUMNS, "avsnitt")
    activities = sorted_items(
        page.activities.select_related(None)
        .prefetch_related(None)
        .select_related("sub_project", "goal_area"),
        *table_sort,
    )
    header = [
        _("Aktivitet"),
        _("Målområde"),
        _("Delprojekt"),
        _("Planerad start"),
        _("Planerat slut"),
        _("Planerad kostnad (kr)"),
        _("Status"),
    ]
    rows = (
        [
            a.title,
            a.goal_area.number,
            str(a.sub_project),
            a.planned_start,
            a.planned_end,
            a.planned_cost,
            a.get_status_display(),
        ]
        for a in activities.iterator(chunk_size=2000)
    )
    title = _("Genomförandeplan %(year)s: %(county)s") % {"year": page.year, "county": page.name}
    return export_response(fmt, name=title, header=header, rows=rows, preamble=[title])


@require_http_methods(["GET", "POST"])
@login_required
def county_plan_page(request: HttpRequest, slug: str, year: int, county: str) -> HttpResponse:
    """The county's plan; a POST creates it, or changes its summary and status."""
    page = county_plan_for_user(actor=request.user, slug=slug, year=year, county_code=county)
    if request.method != "POST":
        fmt = export_format(request)
        if fmt:
            return _county_export(fmt, request, page)
        return _county_page(request, page)
    _refuse_unless(page.verdict)
    plan = page.plan
    form: Any
    if plan is None:
        form = CountyPlanCreateForm(request.POST, auto_id=PLAN_FORM_IDS)
        saved = _saved(
            form,
            lambda data: county_plan_create(
                decision=page.decision,
                year=page.year,
                county_code=page.county.code,
                summary=data["summary"],
                actor=request.user,
            ),
        )
    else:
        locked = plan.status == CountyPlanStatus.FIXED
        form = CountyPlanForm(
            request.POST, initial={"summary": plan.summary}, locked=locked, auto_id=PLAN_FORM_IDS
        )
        saved = _saved(
            form,
            lambda data: county_plan_update(
                county_plan=plan,
                summary=None if locked else data["summary"],
                status=data["status"],
                actor=request.user,
            ),
        )
    if saved:
        messages.success(request, _("Genomförandeplanen är sparad."))
        return redirect("plans:county_plan", slug=page.decision.slug, year=page.year, county=page.county.code)
    return _county_page(request, page, plan_form=form, status=400)


@require_POST
@login_required
def county_activity_new(request: HttpRequest, slug: str, year: int, county: str) -> HttpResponse:
    page = county_plan_for_user(actor=request.user, slug=slug, year=year, county_code=county)
    _refuse_unless(page.verdict)
    plan = page.plan
    if plan is None:
        raise NotFound(_("Länet har ingen genomförandeplan för %(y)s; skapa den först.") % {"y": page.year})
    form = CountyActivityForm(request.POST, decision=page.decision, year=page.year)
    if _saved(form, lambda data: county_activity_create(county_plan=plan, actor=request.user, **data)):
        messages.success(request, _("Aktiviteten är tillagd i genomförandeplanen."))
        return redirect("plans:county_plan", slug=page.decision.slug, year=page.year, county=page.county.code)
    return _county_page(request, page, activity_form=form, status=400)


@require_http_methods(["GET", "POST"])
@login_required
def county_activity_page(request: HttpRequest, slug: str, year: int, county: str, code: str) -> HttpResponse:
    activity, verdict = county_activity_for_user(
        actor=request.user, slug=slug, year=year, county_code=county, code=code
    )
    page = county_plan_for_user(actor=request.user, slug=slug, year=year, county_code=county)
    lock = county_plan_lock(county_plan=county_plan_of(activity))
    initial = CountyActivityForm.initial_for(activity)
    form = CountyActivityForm(initial=initial, decision=page.decision, year=page.year, locked=not lock)
    status = 200
    if request.method == "POST":
        _refuse_unless(verdict)
        form = CountyActivityForm(
            request.POST, initial=initial, decision=page.decision, year=page.year, locked=not lock
        )

        def save(data: dict[str, Any]) -> None:
            changes = {name: data[name] for name in form.changed_data}
            county_activity_update(activity=activity, actor=request.user, **changes)

        if _saved(form, save):
            messages.success(request, _("Aktiviteten är sparad."))
            return redirect("plans:county_plan", slug=page.decision.slug, year=page.year, county=county)
        status = 400
    return render(
        request,
        "plans/county_activity.html",
        {
            "page": page,
            "decision": page.decision,
            "year": page.year,
            "activity": activity,
            "verdict": verdict,
            "lock": lock,
            "form": form,
        },
        status=status,
    )


# --- an output corrected or removed ------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def output_page(request: HttpRequest, slug: str, year: int, code: str, pk: int) -> HttpResponse:
    output, verdict = output_for_user(actor=request.user, slug=slug, year=year, code=code, pk=pk)
    activity = output.activity
    form = OutputForm(instance=Output.objects.get(pk=output.pk))
    status = 200
    if request.method == "POST":
        _refuse_unless(verdict)
        form = OutputForm(request.POST, instance=Output.objects.get(pk=output.pk))

        def save(data: dict[str, Any]) -> None:
            output_update(output=output, actor=request.user, **{k: data[k] for k in form.changed_data})

        if _saved(form, save):
            messages.success(request, _("Resultatet är ändrat."))
            return redirect("plans:activity", slug=slug, year=activity.year, code=activity.code)
        status = 400
    return render(
        request,
        "plans/output.html",
        {
            "decision": activity.decision,
            "year": activity.year,
            "activity": activity,
            "output": output,
            "verdict": verdict,
            "form": form,
        },
        status=status,
    )


@require_POST
@login_required
def output_remove(request: HttpRequest, slug: str, year: int, code: str, pk: int) -> HttpResponse:
    output, verdict = output_for_user(actor=request.user, slug=slug, year=year, code=code, pk=pk)
    _refuse_unless(verdict)
    output_delete(output=output, actor=request.user)
    messages.success(request, _("Resultatet är borttaget; ändringshistoriken visar vad det var."))
    return redirect("plans:activity", slug=slug, year=output.activity.year, code=output.activity.code)


# --- evaluations ------------------------------------------------------------------------------


def _evaluations_page(
    request: HttpRequest,
    slug: str,
    year: int,
    *,
    form: Any = None,
    choices: ActivityChoices | None = None,
    status: int = 200,
) -> HttpResponse:
    """The year's evaluations and, for those who may record one, the form (`form` and its
    `choices` as a refused POST left them; read here otherwise, and only then)."""
    decision, number = decision_year_for_user(actor=request.user, action="plan.view", slug=slug, year=year)
    verdict = check(request.user, "evaluation.edit")
    if verdict and choices is None:
        choices = _choices(request, decision, number)
    if form is None and choices is not None:
        form = EvaluationForm(activities=choices)
    return render(
        request,
        "plans/evaluations.html",
        {
            "decision": decision,
            "year": number,
            "evaluations": evaluation_list(decision=decision, year=number),
            "verdict": verdict,
            "form": form,
            "search": _search(choices, request) if choices is not None else None,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@login_required
def evaluations_page(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    if request.method != "POST":
        return _evaluations_page(request, slug, year)
    decision, number = decision_year_for_user(actor=request.user, action="plan.view", slug=slug, year=year)
    _refuse_unless(check(request.user, "evaluation.edit"))
    choices = _choices(request, decision, number, _sent(request, "activities"))
    form = EvaluationForm(request.POST, activities=choices)
    if _searching(request):
        return _evaluations_page(
            request, slug, year, form=form, choices=choices, status=_as_sent(form, request)
        )
    if _saved(
        form, lambda data: evaluation_create(decision=decision, year=number, actor=request.user, **data)
    ):
        messages.success(request, _("Utvärderingen är sparad."))
        return redirect("plans:evaluations", slug=decision.slug, year=number)
    return _evaluations_page(request, slug, year, form=form, choices=choices, status=400)


@require_http_methods(["GET", "POST"])
@login_required
def evaluation_page(request: HttpRequest, slug: str, year: int, pk: int) -> HttpResponse:
    evaluation, verdict = evaluation_for_user(actor=request.user, slug=slug, year=year, pk=pk)
    if request.method == "POST":
        _refuse_unless(verdict)
    linked = [a.code for a in evaluation.activities.all()]
    activities = _choices(
        request, evaluation.decision, evaluation.year, [*linked, *_sent(request, "activities")]
    )
    initial = {
        "title": evaluation.title,
        "method": evaluation.method,
        "description": evaluation.description,
        "findings": evaluation.findings,
        "recommendations": evaluation.recommendations,
        "activities": linked,
    }
    form = EvaluationForm(initial=initial, activities=activities)
    status = 200
    if request.method == "POST":
        form = EvaluationForm(request.POST, initial=initial, activities=activities)

        def save(data: dict[str, Any]) -> None:
            evaluation_update(
                evaluation=evaluation, actor=request.user, **{k: data[k] for k in form.changed_data}
            )

        if _searching(request):
            status = _as_sent(form, request)
        elif _saved(form, save):
            messages.success(request, _("Utvärderingen är sparad."))
            return redirect("plans:evaluations", slug=slug, year=evaluation.year)
        else:
            status = 400
    return render(
        request,
        "plans/evaluation.html",
        {
            "decision": evaluation.decision,
            "year": evaluation.year,
            "evaluation": evaluation,
            "verdict": verdict,
            "form": form,
            "search": _search(activities, request),
        },
        status=status,
    )


@require_POST
@login_required
def evaluation_remove(request: HttpRequest, slug: str, year: int, pk: int) -> HttpResponse:
    evaluation, verdict = evaluation_for_user(actor=request.user, slug=slug, year=year, pk=pk)
    _refuse_unless(verdict)
    evaluation_delete(evaluation=evaluation, actor=request.user)
    messages.success(request, _("Utvärderingen är borttagen."))
    return redirect("plans:evaluations", slug=slug, year=evaluation.year)


# --- the half-yearly status report ---------------------------------------------------------------

_PERIOD = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _period(value: str) -> dt.date:
    try:
        if _PERIOD.fullmatch(value):
            return dt.date.fromisoformat(value)
    except ValueError:
        pass
    raise NotFound(_("Okänd period: %(p)s") % {"p": value[:20]})


def _status_reports_page(
    request: HttpRequest, slug: str, *, form: Any = None, status: int = 200
) -> HttpResponse:
    reports = list(status_reports_for_user(actor=request.user, slug=slug))
    decision = decision_brief(slug=slug)
    verdict = check(request.user, "status_report.edit")
    taken = {r.period_start for r in StatusReport.objects.filter(decision=decision)}
    free = [p for p in half_years(decision=decision) if p not in taken]
    if form is None and verdict and free:
        form = StatusReportCreateForm(periods=free)
    return render(
        request,
        "plans/status_reports.html",
        {"decision": decision, "reports": reports, "verdict": verdict, "form": form},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@login_required
def status_reports_page(request: HttpRequest, slug: str) -> HttpResponse:
    if request.method != "POST":
        return _status_reports_page(request, slug)
    status_reports_for_user(actor=request.user, slug=slug)  # the decision exists and may be seen
    _refuse_unless(check(request.user, "status_report.edit"))
    decision = decision_brief(slug=slug)
    form = StatusReportCreateForm(request.POST, periods=half_years(decision=decision))
    created: list[StatusReport] = []

    def create(data: dict[str, Any]) -> None:
        created.append(status_report_create(decision=decision, actor=request.user, **data))

    if _saved(form, create):
        messages.success(request, _("Halvårsrapporten är påbörjad."))
        return redirect("plans:status_report", slug=slug, period=created[0].period_start.isoformat())
    return _status_reports_page(request, slug, form=form, status=400)


def _status_report_page(
    request: HttpRequest,
    report: StatusReport,
    verdict: Any,
    *,
    texts_form: Any = None,
    item_form: Any = None,
    choices: ActivityChoices | None = None,
    status: int = 200,
) -> HttpResponse:
    # Up to ITEMS_MAX rows, each a form when the report is a draft: a page of them at a time.
    table = table_from_request(
        request,
        report.items.select_related("activity"),
        [Column("aktivitet", gettext_lazy("Aktivitet"), ("activity__title", "pk"))],
        default_sort="aktivitet",
        page_size=STATUS_REPORT_ROWS_PAGE,
        fragment="framsteg",
    )
    table.csv_href = table.xlsx_href = ""  # the report's document is the download
    items = list(table.page.object_list)
    editable = bool(verdict) and report.state == StatusReportState.DRAFT
    if editable:
        texts_form = texts_form or StatusReportTextsForm(
            initial={"summary": report.summary, "deviations": report.deviations, "risks": report.risks}
        )
        # The new row's choices as a refused POST left them; read here otherwise, and only then.
        if choices is None:
            choices = _choices(request, report.decision, report.period_start.year)
        item_form = item_form or StatusReportItemForm(activities=choices)
    rows = [
        (
            item,
            StatusReportItemForm(
                initial={
                    "activity": item.activity.code,
                    "progress": item.progress,
                    "deviation": item.deviation,
                },
                fixed=True,
                auto_id=f"rad{item.pk}_%s",
            )
            if editable
            else None,
        )
        for item in items
    ]
    return render(
        request,
        "plans/status_report.html",
        {
            "decision": report.decision,
            "report": report,
            "verdict": verdict,
            "editable": editable,
            "texts_form": texts_form,
            "item_form": item_form,
            "search": _search(choices, request) if choices is not None else None,
            "rows": rows,
            "table": table,
            # A change sent to a report that is no longer a draft: why, at the top.
            "refused_forms": [f for f in (texts_form, item_form) if f is not None and f.is_bound],
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@login_required
def status_report_page(request: HttpRequest, slug: str, period: str) -> HttpResponse:
    report, verdict = status_report_for_user(actor=request.user, slug=slug, period_start=_period(period))
    if request.method != "POST":
        return _status_report_page(request, report, verdict)
    _refuse_unless(verdict)
    form = StatusReportTextsForm(request.POST)
    if _saved(form, lambda data: status_report_update(report=report, actor=request.user, **data)):
        messages.success(request, _("Halvårsrapporten är sparad."))
        return redirect("plans:status_report", slug=slug, period=period)
    return _status_report_page(request, report, verdict, texts_form=form, status=400)


@require_http_methods(["GET", "POST"])
@login_required
def status_report_item(request: HttpRequest, slug: str, period: str) -> HttpResponse:
    """Add an activity's progress to the report, or replace it (each row's form sends its own).
    A refused row is shown on the report's page at this address: its search and pager links lead
    here by GET, and go on to the report's page with their query."""
    target = reverse("plans:status_report", kwargs={"slug": slug, "period": period})
    # Back to the page the row was on (`?sida=`), or on with the search and pager's query.
    onward = f"{target}?{request.GET.urlencode()}" if request.GET else target
    if request.method != "POST":
        return redirect(onward)
    report, verdict = status_report_for_user(actor=request.user, slug=slug, period_start=_period(period))
    _refuse_unless(verdict)
    choices = _choices(request, report.decision, report.period_start.year, _sent(request, "activity"))
    form = StatusReportItemForm(request.POST, activities=choices)
    if _searching(request):
        status = _as_sent(form, request)
        return _status_report_page(request, report, verdict, item_form=form, choices=choices, status=status)
    if _saved(form, lambda data: status_report_item_set(report=report, actor=request.user, **data)):
        messages.success(request, _("Raden är sparad."))
        return redirect(f"{onward}#framsteg" if request.GET else onward)
    return _status_report_page(request, report, verdict, item_form=form, choices=choices, status=400)


@require_POST
@login_required
def status_report_item_remove(request: HttpRequest, slug: str, period: str, pk: int) -> HttpResponse:
    report, verdict = status_report_for_user(actor=request.user, slug=slug, period_start=_period(period))
    _refuse_unless(verdict)
    item = report.items.filter(pk=pk).first()
    if item is None:
        raise NotFound(_("Halvårsrapporten har ingen rad %(pk)s.") % {"pk": pk})
    try:
        status_report_item_delete(item=item, actor=request.user)
    except ValidationError as exc:
        raise PermissionDenied(" ".join(exc.messages)) from None
    messages.success(request, _("Raden är borttagen."))
    return redirect("plans:status_report", slug=slug, period=period)


@require_POST
@login_required
def status_report_send(request: HttpRequest, slug: str, period: str) -> HttpResponse:
    report, verdict = status_report_for_user(actor=request.user, slug=slug, period_start=_period(period))
    _refuse_unless(verdict)
    try:
        status_report_submit(report=report, actor=request.user)
    except ValidationError as exc:  # e.g. no summary yet: said beside the summary
        texts_form = StatusReportTextsForm(
            {"summary": report.summary, "deviations": report.deviations, "risks": report.risks}
        )
        texts_form.is_valid()
        form_add_errors(texts_form, exc)
        return _status_report_page(request, report, verdict, texts_form=texts_form, status=400)
    messages.success(request, _("Halvårsrapporten är inlämnad."))
    return redirect("plans:status_report", slug=slug, period=period)


# --- the steering group -------------------------------------------------------------------------


def _steering_page(request: HttpRequest, slug: str, *, form: Any = None, status: int = 200) -> HttpResponse:
    page = steering_group_for_user(actor=request.user, slug=slug)
    if form is None and page.verdict:
        form = SteeringGroupMemberForm()
    return render(
        request,
        "plans/steering_group.html",
        {"page": page, "decision": page.decision, "form": form},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@login_required
def steering_group_page(request: HttpRequest, slug: str) -> HttpResponse:
    if request.method != "POST":
        return _steering_page(request, slug)
    page = steering_group_for_user(actor=request.user, slug=slug)
    _refuse_unless(page.verdict)
    form = SteeringGroupMemberForm(request.POST)
    if _saved(
        form, lambda data: steering_group_member_create(decision=page.decision, actor=request.user, **data)
    ):
        messages.success(request, _("Ledamoten är registrerad."))
        return redirect("plans:steering_group", slug=slug)
    return _steering_page(request, slug, form=form, status=400)


@require_http_methods(["GET", "POST"])
@login_required
def steering_member_page(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    member, verdict = steering_group_member_for_user(actor=request.user, slug=slug, pk=pk)
    initial = {
        "name": member.name,
        "title": member.title,
        "department": member.department,
        "period_start": member.period_start,
        "period_end": member.period_end,
    }
    form = SteeringGroupMemberForm(initial=initial)
    status = 200
    if request.method == "POST":
        _refuse_unless(verdict)
        form = SteeringGroupMemberForm(request.POST, initial=initial)

        def save(data: dict[str, Any]) -> None:
            steering_group_member_update(
                member=member, actor=request.user, **{k: data[k] for k in form.changed_data}
            )

        if _saved(form, save):
            messages.success(request, _("Ledamoten är sparad."))
            return redirect("plans:steering_group", slug=slug)
        status = 400
    return render(
        request,
        "plans/steering_member.html",
        {"decision": member.group.decision, "member": member, "verdict": verdict, "form": form},
        status=status,
    )


@require_POST
@login_required
def steering_member_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    member, verdict = steering_group_member_for_user(actor=request.user, slug=slug, pk=pk)
    _refuse_unless(verdict)
    steering_group_member_delete(member=member, actor=request.user)
    messages.success(request, _("Ledamoten är borttagen ur styrgruppen."))
    return redirect("plans:steering_group", slug=slug)
