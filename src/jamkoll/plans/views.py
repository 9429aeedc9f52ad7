"""Plan and activity pages. Thin: the access helpers, the policy and the services do the work.

A refusal (`PermissionDenied`, `NotFound`) propagates to the site's refusal page with its reason;
a service's `ValidationError` re-renders the form with each message beside its field (400)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from jamkoll.accounts.policy import Verdict, check, require, rss_counties
from jamkoll.errors import error_messages, form_add_errors
from jamkoll.money import format_sek
from jamkoll.programmes.models import FundingDecision
from jamkoll.programmes.selectors import (
    as_of,
    county_name_map,
    decision_year_for_user,
    decisions_with_budgets,
    recipient_short_name,
)
from jamkoll.reference.selectors import strategy_objective_list, sub_goal_list
from jamkoll.tables import (
    PAGE,
    Column,
    export_format,
    export_response,
    link,
    sort_of,
    sorted_items,
    table_from_request,
)

from .forms import (
    START_COPY,
    STATUS_CHOICES,
    ActivityEditForm,
    ActivityForm,
    BudgetSplitForm,
    OutputForm,
    PlanCreateForm,
    PlanForm,
    SubProjectCreateForm,
    SubProjectForm,
    TransitionForm,
    activity_initial,
)
from .locks import activity_lock_verdict, activity_removal_verdict
from .models import Activity, ActivityStatus, PlanStatus, ProjectPlan
from .selectors import (
    ActivityFilter,
    activity_add_verdict,
    activity_changes,
    activity_edit_verdicts,
    activity_for_user,
    activity_notes,
    activity_page_rows,
    activity_row,
    activity_selection,
    activity_status_order,
    activity_summary,
    municipality_choices,
    national_lock_verdict,
    partner_choices,
    partner_list,
    plan_current,
    plan_editable,
    plan_for_user,
    plan_split,
    plan_timeline,
    sub_project_for_user,
    sub_project_list,
    year_budget_lines,
)
from .services import (
    activity_create,
    activity_delete,
    activity_update,
    output_create,
    plan_create,
    plan_new_version,
    plan_set_budget,
    plan_transition,
    plan_update,
    subproject_create,
    subproject_update,
)
from .transitions import Step, open_steps, transition_get

# The activity table of the plan page: sorted and paged on the server (`jamkoll.tables`).
_BY_PLACE = ("report_section", "position", "code")
ACTIVITY_COLUMNS = [
    Column("avsnitt", gettext_lazy("Avsnitt"), _BY_PLACE),
    Column("aktivitet", gettext_lazy("Aktivitet"), ("title", "code")),
    Column("delprojekt", gettext_lazy("Delprojekt"), ("sub_project__number", *_BY_PLACE)),
    Column("malomrade", gettext_lazy("Målområde"), ("goal_area__number", *_BY_PLACE)),
    Column("lan", gettext_lazy("Län"), (F("owner_county__code").asc(nulls_first=True), *_BY_PLACE)),
    Column("resultat", gettext_lazy("Resultat")),
    Column(
        "kostnad",
        gettext_lazy("Planerad kostnad"),
        (F("planned_cost").asc(nulls_first=True), *_BY_PLACE),
        css="num",
    ),
    Column("status", gettext_lazy("Status"), (activity_status_order().asc(), *_BY_PLACE)),
    Column("atgarder", gettext_lazy("Åtgärder")),
]
ACTIVITY_DEFAULT_SORT = "delprojekt"
ACTIVITY_PAGE_SIZE = 50
ACTIVITY_SHOW_ALL_MAX = 200


def _plan_page(
    request: HttpRequest,
    *,
    decision: FundingDecision,
    year: int,
    plan: ProjectPlan | None,
    steps: list[Step],
    posted: tuple[str, TransitionForm] | None = None,
    bound: dict[str, Any] | None = None,
    page_errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The plan page; `posted` is a step's bound form whose errors stand beside its fields, `bound`
    the other forms sent with errors (by name: create, plan, budget, subproject_new,
    subproject_<number>), `page_errors` refusals shown at the top."""
    bound = bound or {}
    user = request.user
    step_forms = [
        (
            step,
            posted[1]
            if posted and posted[0] == step.action
            else TransitionForm(transition=step.transition, auto_id=f"id_{step.action}_%s"),
        )
        for step in steps
    ]
    # A refused step that is not open any more (someone else took it) says why at the top.
    refused_form = posted[1] if posted and all(s.action != posted[0] for s in steps) else None
    filters = ActivityFilter.from_query(request.GET)
    short = recipient_short_name(decision=decision, on=as_of(year))
    sub_projects = list(sub_project_list(decision=decision))
    goal_areas = list(decision.goal_areas.order_by("number"))
    names = county_name_map(as_of(year))
    summary = activity_summary(
        decision=decision,
        year=year,
        filters=filters,
        sub_projects=sub_projects,
        goal_areas=goal_areas,
        county_names=names,
        national_label=_("%(short)s (nationella aktiviteter)") % {"short": short},
    )
    for param, groups in (
        ("delprojekt", summary.by_sub_project),
        ("malomrade", summary.by_goal_area),
        ("lan", summary.by_county),
    ):
        for row in groups:
            if row.key:
                row.href = link(request, "aktiviteter", **{param: row.key, PAGE: None})
    # One page of rows, sorted and paged in SQL; what a row shows is fetched for that page only.
    table = table_from_request(
        request,
        activity_page_rows(activity_selection(decision=decision, year=year, filters=filters)),
        ACTIVITY_COLUMNS,
        default_sort=ACTIVITY_DEFAULT_SORT,
        page_size=ACTIVITY_PAGE_SIZE,
        show_all_max=ACTIVITY_SHOW_ALL_MAX,
        fragment="aktiviteter",
        total=summary.count,  # the same selection, counted once by the summary
    )
    activities = table.rows
    verdicts = activity_edit_verdicts(actor=user, activities=activities)
    refusals = [v.reason for v in verdicts.values() if not v]
    # The reason most rows share is said once above the list; a row says only a different one.
    common_reason = max(set(refusals), key=refusals.count) if refusals else ""
    for a in activities:
        a.edit_verdict = verdicts[a.pk]
        # Removal is offered while the activity's planning may change (its page says if it is in use).
        a.removable = verdicts[a.pk] and activity_lock_verdict(a, plan=plan)
    context: dict[str, Any] = {
        "decision": decision,
        "year": year,
        "plan": plan,
        "step_forms": step_forms,
        "refused_form": refused_form,
        "page_errors": page_errors or [],
        "summary": summary,
        "status_columns": ActivityStatus.choices,
        "table": table,
        "activities": activities,
        "common_reason": common_reason,
        "filters": filters,
        "goal_areas": goal_areas,
        "sub_goals": sub_goal_list(),
        "objectives": strategy_objective_list(),
        "counties": names,
        "summary_link": link(request, "aktiviteter", sida=None),
        "partners": partner_list(decision=decision, year=year),
        "status_choices": STATUS_CHOICES,
        "plan_statuses": PlanStatus,
        "add_verdict": activity_add_verdict(actor=user),
        # Whether the national activities' lock concerns the user: only one who may add them.
        "national_add_verdict": check(user, "activity.create", None),
        "national_lock": national_lock_verdict(decision=decision, year=year, plan=plan),
        "sub_projects": [
            (
                sp,
                bound.get(f"subproject_{sp.number}")
                or SubProjectForm(
                    initial={"name": sp.name, "description": sp.description}, auto_id=f"id_sp{sp.number}_%s"
                ),
            )
            for sp in sub_projects
        ],
        "subproject_verdict": check(user, "plan.edit", decision),
        "subproject_form": bound.get("subproject_new") or SubProjectCreateForm(auto_id="id_spnew_%s"),
    }
    if plan is None:
        previous = plan_current(decision=decision, year=year - 1) if year - 1 in decision.years else None
        context["create_verdict"] = check(user, "plan.edit", decision)
        context["create_form"] = bound.get("create") or PlanCreateForm(
            copy_year=previous.year if previous else None, auto_id="id_create_%s"
        )
    else:
        editable = plan_editable(actor=user, plan=plan)
        rows = plan_split(plan=plan)
        context.update(
            {
                "timeline": plan_timeline(plan=plan),
                "plan_verdict": editable,
                "plan_form": bound.get("plan")
                or PlanForm(initial={"title": plan.title, "summary": plan.summary}, auto_id="id_plan_%s"),
                "split_rows": rows,
                "budget_form": bound.get("budget") or BudgetSplitForm(rows=rows, auto_id="id_split_%s"),
                "new_version": plan.status == PlanStatus.FIXED and check(user, "plan.edit", plan),
            }
        )
    context["page_errors"] = [*context["page_errors"], *_unshown_errors(context, bound)]
    return render(request, "plans/plan.html", context, status=status)


def _messages(exc: ValidationError) -> list[str]:
    return [m for msgs in error_messages(exc).values() for m in msgs]


def _unshown_errors(context: dict[str, Any], bound: dict[str, Any]) -> list[str]:
    """The errors of a sent form the page does not show (the plan was locked or created in the
    meantime, or the year already has a plan): said at the top instead."""
    shown = {
        "create": context.get("plan") is None and bool(context.get("create_verdict")),
        "plan": bool(context.get("plan_verdict")),
        "budget": bool(context.get("plan_verdict")),
    }
    out = []
    for name, form in bound.items():
        if shown.get(name, True) or not form.errors:
            continue
        for field, msgs in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            out += [f"{label}: {m}" if label else str(m) for m in msgs]
    return out


def _plan_context(
    request: HttpRequest, slug: str, year: int
) -> tuple[FundingDecision, int, ProjectPlan | None, list[Step]]:
    # The page shows a year without a plan too, so it starts from the decision's year.
    decision, number = decision_year_for_user(actor=request.user, action="plan.view", slug=slug, year=year)
    plan = plan_current(decision=decision, year=number)
    steps = open_steps(plan=plan, actor=request.user) if plan is not None else []
    return decision, number, plan, steps


def _refused(
    request: HttpRequest,
    slug: str,
    year: int,
    *,
    bound: dict[str, Any] | None = None,
    errors: list[str] | None = None,
) -> HttpResponse:
    decision, number, plan, steps = _plan_context(request, slug, year)
    return _plan_page(
        request,
        decision=decision,
        year=number,
        plan=plan,
        steps=steps,
        bound=bound,
        page_errors=errors,
        status=400,
    )


@require_http_methods(["GET"])
@login_required
def plan_page(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    decision, number, plan, steps = _plan_context(request, slug, year)
    fmt = export_format(request)
    if fmt:
        return _activities_export(fmt, request, decision, number)
    return _plan_page(request, decision=decision, year=number, plan=plan, steps=steps)


def _activities_export(fmt: str, request: HttpRequest, decision: FundingDecision, year: int) -> HttpResponse:
    """Every activity the page's filters select, every sub-project, in the table's sort, as a
    download; read in chunks, not through the page."""
    filters = ActivityFilter.from_query(request.GET)
    selection = (
        activity_selection(decision=decision, year=year, filters=filters)
        .select_related("sub_project", "goal_area")
        .prefetch_related("counties")
    )
    column, descending = sort_of(request, ACTIVITY_COLUMNS, ACTIVITY_DEFAULT_SORT)
    names = county_name_map(as_of(year))
    header = [
        _("Delprojekt"),
        _("Avsnitt"),
        _("Aktivitet"),
        _("Målområde"),
        _("Län"),
        _("Status"),
        _("Planerad kostnad (kr)"),
    ]

    def rows() -> Any:
        for a in sorted_items(selection, column, descending).iterator(chunk_size=2000):
            if a.counties_not_named:
                counties = _("ej angivna")
            else:
                counties = ", ".join(names.get(c.code, c.code) for c in a.counties.all())
            yield [
                str(a.sub_project),
                a.report_section,
                a.title,
                a.goal_area.number,
                counties,
                a.get_status_display(),
                a.planned_cost,
            ]

    title = _("Aktiviteter %(year)s: %(title)s") % {"year": year, "title": decision.title}
    return export_response(fmt, name=title, header=header, rows=rows(), preamble=[title])


@require_POST
@login_required
def plan_create_view(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    decision, number, _plan, _steps = _plan_context(request, slug, year)
    require(request.user, "plan.edit", decision)
    previous = plan_current(decision=decision, year=number - 1) if number - 1 in decision.years else None
    form = PlanCreateForm(request.POST, copy_year=previous.year if previous else None, auto_id="id_create_%s")
    if form.is_valid():
        try:
            plan_create(
                decision=decision,
                year=number,
                copy_from=number - 1 if form.cleaned_data["start"] == START_COPY else None,
                title=form.cleaned_data["title"] or None,
                actor=request.user,
            )
        except ValidationError as exc:
            form_add_errors(form, exc, {"copy_from": "start"})
        else:
            messages.success(
                request, _("Projektplanen för %(year)s är skapad som utkast.") % {"year": number}
            )
            return redirect("plans:plan", slug=decision.slug, year=number)
    return _refused(request, slug, year, bound={"create": form})


@require_POST
@login_required
def plan_edit_view(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    plan, _steps = plan_for_user(actor=request.user, slug=slug, year=year)
    require(request.user, "plan.edit", plan)
    form = PlanForm(request.POST, auto_id="id_plan_%s")
    if form.is_valid():
        try:
            plan_update(plan=plan, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_add_errors(form, exc)
        else:
            messages.success(request, _("Planen är sparad."))
            return redirect("plans:plan", slug=plan.decision.slug, year=plan.year)
    return _refused(request, slug, year, bound={"plan": form})


def _save_split(form: BudgetSplitForm, plan: ProjectPlan, actor: Any) -> bool:
    """Every changed line through `plan_set_budget`; a refusal stands beside its line and undoes
    the lines already set."""
    with transaction.atomic():
        for name, row in form.rows.items():
            amount = form.cleaned_data.get(name)
            if amount is None or amount == row.planned_split:
                continue
            try:
                plan_set_budget(plan=plan, line=row.line, amount=amount, actor=actor)
            except ValidationError as exc:
                form_add_errors(form, exc, {"amount": name, "line": name})
        if form.errors:
            transaction.set_rollback(True)
            return False
    return True


@require_POST
@login_required
def plan_budget_view(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    """The plan's split, every open line at once: all saved, or none."""
    plan, _steps = plan_for_user(actor=request.user, slug=slug, year=year)
    require(request.user, "plan.edit", plan)
    form = BudgetSplitForm(request.POST, rows=plan_split(plan=plan), auto_id="id_split_%s")
    if form.is_valid() and _save_split(form, plan, request.user):
        messages.success(request, _("Planens fördelning är sparad."))
        return redirect("plans:plan", slug=plan.decision.slug, year=plan.year)
    return _refused(request, slug, year, bound={"budget": form})


@require_POST
@login_required
def plan_version_view(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    plan, _steps = plan_for_user(actor=request.user, slug=slug, year=year)
    require(request.user, "plan.edit", plan)
    try:
        new = plan_new_version(plan=plan, actor=request.user)
    except ValidationError as exc:
        return _refused(
            request, slug, year, errors=[m for msgs in error_messages(exc).values() for m in msgs]
        )
    messages.success(
        request,
        _("Version %(v)s är skapad som utkast; ändra den och lämna förslaget igen.") % {"v": new.version},
    )
    return redirect("plans:plan", slug=plan.decision.slug, year=plan.year)


@require_POST
@login_required
def subproject_create_view(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    decision, number, _plan, _steps = _plan_context(request, slug, year)
    require(request.user, "plan.edit", decision)
    form = SubProjectCreateForm(request.POST, auto_id="id_spnew_%s")
    if form.is_valid():
        try:
            created = subproject_create(decision=decision, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_add_errors(form, exc)
        else:
            messages.success(request, _("%(sp)s är tillagt.") % {"sp": created})
            return redirect("plans:plan", slug=decision.slug, year=number)
    return _refused(request, slug, year, bound={"subproject_new": form})


@require_POST
@login_required
def subproject_edit_view(request: HttpRequest, slug: str, year: int, number: int) -> HttpResponse:
    decision, year_number, _plan, _steps = _plan_context(request, slug, year)
    sub_project = sub_project_for_user(actor=request.user, slug=slug, number=number)
    require(request.user, "plan.edit", sub_project)
    form = SubProjectForm(request.POST, auto_id=f"id_sp{sub_project.number}_%s")
    if form.is_valid():
        try:
            subproject_update(sub_project=sub_project, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_add_errors(form, exc)
        else:
            messages.success(request, _("%(sp)s är sparat.") % {"sp": sub_project})
            return redirect("plans:plan", slug=decision.slug, year=year_number)
    return _refused(request, slug, year, bound={f"subproject_{sub_project.number}": form})


@require_POST
@login_required
def plan_step(request: HttpRequest, slug: str, year: int, action: str) -> HttpResponse:
    plan, steps = plan_for_user(actor=request.user, slug=slug, year=year)
    transition = transition_get(action)
    step = next((s for s in steps if s.action == transition.action), None)
    if step is not None and not step.verdict:
        raise PermissionDenied(step.verdict.reason)
    form = TransitionForm(request.POST, transition=transition, auto_id=f"id_{transition.action}_%s")
    if form.is_valid():
        try:
            plan_transition(
                plan=plan,
                action=transition.action,
                on=form.cleaned_data["on"],
                reference=form.cleaned_data["reference"],
                comment=form.cleaned_data["comment"],
                actor=request.user,
            )
        except ValidationError as exc:
            form_add_errors(form, exc)
        else:
            messages.success(request, _("Planen har nu status: %(s)s") % {"s": transition.target.label})
            return redirect("plans:plan", slug=plan.decision.slug, year=plan.year)
    return _plan_page(
        request,
        decision=plan.decision,
        year=plan.year,
        plan=plan,
        steps=steps,
        posted=(transition.action, form),
        status=400,
    )


# --- activities: create, edit, remove ---------------------------------------------------------


def _activity_choices(decision: FundingDecision, year: int) -> dict[str, list[tuple[str, str]]]:
    names = county_name_map(as_of(year))
    return {
        "sub_project": [
            (str(sp.number), f"{sp.number}. {sp.name}") for sp in sub_project_list(decision=decision)
        ],
        "goal_area": [(str(g.number), f"{g.number}. {g.title}") for g in decision.goal_areas.all()],
        "sub_goals": [(str(g.number), f"{g.number}. {g.title}") for g in sub_goal_list()],
        "strategy_objectives": [(str(o.number), f"{o.number}. {o.text}") for o in strategy_objective_list()],
        "partners": partner_choices(year=year),
        "counties": [(code, f"{code} {name}") for code, name in names.items()],
        "municipalities": municipality_choices(year=year),
        "budget_line": [
            (
                f"{line.goal_area.number}-{line.recipient}",
                _("Målområde %(n)s, %(r)s: %(a)s")
                % {"n": line.goal_area.number, "r": line.recipient, "a": format_sek(line.amount)},
            )
            for line in year_budget_lines(decision=decision, year=year)
        ],
    }


def _county_choices(
    user: Any, decision: FundingDecision, year: int, national: Verdict
) -> list[tuple[str, str]]:
    """Whose activity a new one is: a coordinator chooses (national only while the plan is a
    draft), an RSS leader adds to their own county."""
    names = county_name_map(as_of(year))
    if check(user, "activity.create", None):
        counties = list(names.items())
        short = recipient_short_name(decision=decision, on=as_of(year))
        head = [("", _("%(short)s (nationell aktivitet)") % {"short": short})] if national else []
    else:
        counties = [(c, n) for c, n in names.items() if c in rss_counties(user)]
        head = []
    return head + [(code, _("RSS i %(c)s %(n)s") % {"c": code, "n": name}) for code, name in counties]


@require_http_methods(["GET", "POST"])
@login_required
def activity_create_view(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    decision, number = decision_year_for_user(actor=request.user, action="plan.view", slug=slug, year=year)
    verdict = activity_add_verdict(actor=request.user)
    if not verdict:
        raise PermissionDenied(verdict.reason)
    plan = plan_current(decision=decision, year=number)
    national = national_lock_verdict(decision=decision, year=number, plan=plan)
    county_choices = _county_choices(request.user, decision, number, national)
    kwargs: dict[str, Any] = {
        "choices": _activity_choices(decision, number),
        "creating": True,
        "county_choices": county_choices,
    }
    status = 200
    if request.method == "POST":
        form = ActivityEditForm(request.POST, **kwargs)
        if form.is_valid():
            data = dict(form.cleaned_data)
            owner = data.pop("owner_county", None) or None
            code = data.pop("code", None) or None
            try:
                created = activity_create(
                    decision=decision, year=number, actor=request.user, owner_county=owner, code=code, **data
                )
            except ValidationError as exc:
                form_add_errors(form, exc)
            else:
                messages.success(request, _("Aktiviteten är tillagd."))
                return redirect("plans:activity", slug=decision.slug, year=number, code=created.code)
        status = 400
    else:
        form = ActivityEditForm(
            initial={
                "status": ActivityStatus.PLANNED,
                "owner_county": county_choices[0][0] if county_choices else "",
            },
            **kwargs,
        )
    return render(
        request,
        "plans/activity_form.html",
        {"decision": decision, "year": number, "form": form, "activity": None, "national_lock": national},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@login_required
def activity_edit_view(request: HttpRequest, slug: str, year: int, code: str) -> HttpResponse:
    activity, verdict = activity_for_user(actor=request.user, slug=slug, year=year, code=code)
    if not verdict:
        raise PermissionDenied(verdict.reason)
    current = activity_row(activity=activity)
    lock = activity_lock_verdict(current)
    kwargs: dict[str, Any] = {
        "choices": _activity_choices(activity.decision, activity.year),
        "planning": bool(lock),
    }
    status = 200
    if request.method == "POST":
        form = ActivityEditForm(request.POST, **kwargs)
        if form.is_valid():
            try:
                activity_update(activity=current, actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form_add_errors(form, exc)
            else:
                messages.success(request, _("Aktiviteten är sparad."))
                return redirect(
                    "plans:activity", slug=activity.decision.slug, year=activity.year, code=activity.code
                )
        status = 400
    else:
        form = ActivityEditForm(initial=activity_initial(current), **kwargs)
    removal = lock if not lock else activity_removal_verdict(current)
    return render(
        request,
        "plans/activity_form.html",
        {
            "decision": activity.decision,
            "year": activity.year,
            "form": form,
            "activity": activity,
            "lock": lock,
            "removal": removal,
        },
        status=status,
    )


@require_POST
@login_required
def activity_delete_view(request: HttpRequest, slug: str, year: int, code: str) -> HttpResponse:
    activity, verdict = activity_for_user(actor=request.user, slug=slug, year=year, code=code)
    if not verdict:
        raise PermissionDenied(verdict.reason)
    current = activity_row(activity=activity)
    try:
        activity_delete(activity=current, actor=request.user)
    except ValidationError as exc:
        lock = activity_lock_verdict(current)
        form = ActivityEditForm(
            initial=activity_initial(current),
            choices=_activity_choices(activity.decision, activity.year),
            planning=bool(lock),
        )
        return render(
            request,
            "plans/activity_form.html",
            {
                "decision": activity.decision,
                "year": activity.year,
                "form": form,
                "activity": activity,
                "lock": lock,
                "removal": lock if not lock else activity_removal_verdict(current),
                "page_errors": _messages(exc),
            },
            status=400,
        )
    messages.success(request, _("Aktiviteten %(t)s är borttagen.") % {"t": activity.title})
    return redirect("plans:plan", slug=activity.decision.slug, year=activity.year)


def _output(request: HttpRequest, activity: Activity) -> tuple[OutputForm, bool]:
    form = OutputForm(request.POST)
    if not form.is_valid():
        return form, False
    try:
        output_create(activity=activity, actor=request.user, **form.cleaned_data)
    except ValidationError as exc:  # the breakdown rule, the bounds: beside their fields
        form_add_errors(form, exc)
        return form, False
    return form, True


def _activity(request: HttpRequest, activity: Activity, planning: bool) -> tuple[ActivityForm, bool]:
    current = activity_row(activity=activity)
    form = ActivityForm(request.POST, instance=current, planning=planning)
    if not form.is_valid():
        return form, False
    changes = {name: form.cleaned_data[name] for name in form.changed_data}
    try:
        activity_update(activity=activity_row(activity=activity), actor=request.user, **changes)
    except ValidationError as exc:
        form_add_errors(form, exc)
        return form, False
    return form, True


@require_http_methods(["GET", "POST"])
@login_required
def activity_page(request: HttpRequest, slug: str, year: int, code: str) -> HttpResponse:
    activity, verdict = activity_for_user(actor=request.user, slug=slug, year=year, code=code)
    # A locked activity's planning is not offered: only its progress (and its results).
    lock = activity_lock_verdict(activity)
    form: Any = ActivityForm(instance=activity, planning=bool(lock))
    output_form: Any = OutputForm()
    status = 200
    if request.method == "POST":
        if not verdict:
            raise PermissionDenied(verdict.reason)
        if request.POST.get("form") == "output":
            output_form, saved = _output(request, activity)
            if saved:
                messages.success(request, _("Resultatet är sparat."))
                return redirect(request.path)
        else:
            form, saved = _activity(request, activity, bool(lock))
            if saved:
                messages.success(request, _("Aktiviteten är sparad."))
                return redirect(request.path)
        status = 400
    on = as_of(activity.year)
    return render(
        request,
        "plans/activity.html",
        {
            "decision": activity.decision,
            "year": activity.year,
            "activity": activity,
            "partners": [(p, p.name_at(on)) for p in activity.partners.all()],
            "notes": activity_notes(activity=activity),
            "verdict": verdict,
            "lock": lock,
            "form": form,
            "output_form": output_form,
            "changes": activity_changes(activity=activity),  # removed outputs too
            "evaluations": activity.evaluations.all(),
            "statuses": ActivityStatus,
        },
        status=status,
    )


@require_http_methods(["GET"])
@login_required
def index(request: HttpRequest) -> HttpResponse:
    """Every decision that has budgets, with a link per year."""
    require(request.user, "plan.view")
    return render(
        request,
        "web/decision_years.html",
        {
            "title": _("Planer och resultat"),
            "target": "plans:plan",
            "decisions": decisions_with_budgets(),
        },
    )
