"""Plan and activity pages. Thin: the access helpers, the policy and the services do the work.

A refusal (`PermissionDenied`, `NotFound`) propagates to the site's refusal page with its reason;
a service's `ValidationError` re-renders the form with each message beside its field (400)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from jamkoll.accounts.policy import require
from jamkoll.errors import form_add_errors
from jamkoll.programmes.models import FundingDecision
from jamkoll.programmes.selectors import (
    as_of,
    county_name_map,
    decision_year_for_user,
    decisions_with_budgets,
)
from jamkoll.reference.selectors import strategy_objective_list, sub_goal_list

from .forms import STATUS_CHOICES, ActivityForm, OutputForm, TransitionForm
from .models import Activity, ActivityStatus, PlanStatus, ProjectPlan
from .selectors import (
    ActivityFilter,
    activity_changes,
    activity_for_user,
    activity_row,
    partner_list,
    plan_current,
    plan_for_user,
    plan_tree,
)
from .services import activity_update, output_create, plan_transition
from .transitions import Step, open_steps, transition_get


def _plan_page(
    request: HttpRequest,
    *,
    decision: FundingDecision,
    year: int,
    plan: ProjectPlan | None,
    steps: list[Step],
    posted: tuple[str, TransitionForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The plan page; `posted` is a step's bound form whose errors stand beside its fields."""
    step_forms = [
        (step, posted[1] if posted and posted[0] == step.action else TransitionForm()) for step in steps
    ]
    # A refused step that is not open any more (someone else took it) says why at the top.
    refused_form = posted[1] if posted and all(s.action != posted[0] for s in steps) else None
    filters = ActivityFilter.from_query(request.GET)
    return render(
        request,
        "plans/plan.html",
        {
            "decision": decision,
            "year": year,
            "plan": plan,
            "step_forms": step_forms,
            "refused_form": refused_form,
            "branches": plan_tree(decision=decision, year=year, filters=filters),
            "filters": filters,
            "goal_areas": decision.goal_areas.all(),
            "sub_goals": sub_goal_list(),
            "objectives": strategy_objective_list(),
            "counties": county_name_map(as_of(year)),
            "partners": partner_list(decision=decision, year=year),
            "status_choices": STATUS_CHOICES,
            "plan_statuses": PlanStatus,
        },
        status=status,
    )


@require_http_methods(["GET"])
@login_required
def plan_page(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    # The page shows a year without a plan too, so it starts from the decision's year.
    decision, year = decision_year_for_user(actor=request.user, action="plan.view", slug=slug, year=year)
    plan = plan_current(decision=decision, year=year)
    steps = open_steps(plan=plan, actor=request.user) if plan is not None else []
    return _plan_page(request, decision=decision, year=year, plan=plan, steps=steps)


@require_POST
@login_required
def plan_step(request: HttpRequest, slug: str, year: int, action: str) -> HttpResponse:
    plan, steps = plan_for_user(actor=request.user, slug=slug, year=year)
    transition = transition_get(action)
    step = next((s for s in steps if s.action == transition.action), None)
    if step is not None and not step.verdict:
        raise PermissionDenied(step.verdict.reason)
    form = TransitionForm(request.POST)
    if form.is_valid():
        try:
            plan_transition(
                plan=plan,
                action=transition.action,
                on=form.cleaned_data["on"],
                reference=form.cleaned_data["reference"],
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


def _activity(request: HttpRequest, activity: Activity) -> tuple[ActivityForm, bool]:
    current = activity_row(activity=activity)
    form = ActivityForm(request.POST, instance=current)
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
    form: Any = ActivityForm(instance=activity)
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
            form, saved = _activity(request, activity)
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
            "verdict": verdict,
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
