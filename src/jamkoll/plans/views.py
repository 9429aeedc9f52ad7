"""Plan and activity pages. Thin: the policy, the selectors and the services do the work."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from jamkoll.accounts.policy import check, require
from jamkoll.history import history_entries
from jamkoll.programmes.models import FundingDecision
from jamkoll.programmes.selectors import (
    NotFound,
    as_of,
    county_name_map,
    decision_brief,
    decisions_with_budgets,
)
from jamkoll.reference.models import Organisation, PolicySubGoal, StrategyObjective

from .forms import STATUS_CHOICES, ActivityForm, OutputForm, TransitionForm
from .models import Activity, ActivityStatus, PlanStatus
from .selectors import ActivityFilter, activity_get, plan_current, plan_tree
from .services import TRANSITIONS, PlanError, activity_update, output_create, plan_transition


def _decision(request: HttpRequest, slug: str, year: int) -> FundingDecision:
    require(request.user, "plan.view")
    try:
        decision = decision_brief(slug=slug)
    except NotFound as exc:
        raise Http404(str(exc)) from None
    if year not in decision.years:
        raise Http404(_("Året ligger utanför beslutets period."))
    return decision


@require_http_methods(["GET"])
@login_required
def plan_page(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    decision = _decision(request, slug, year)
    filters = ActivityFilter.from_query(request.GET)
    plan = plan_current(decision=decision, year=year)
    steps = []
    if plan is not None:
        for action, (source, _target, permission) in TRANSITIONS.items():
            if plan.status == source:
                steps.append({"action": action, "verdict": check(request.user, permission, plan)})
    on = as_of(year)
    partners = Organisation.objects.filter(
        partner_activities__decision=decision, partner_activities__year=year
    )
    return render(
        request,
        "plans/plan.html",
        {
            "decision": decision,
            "year": year,
            "plan": plan,
            "steps": steps,
            "transition_form": TransitionForm(),
            "branches": plan_tree(decision=decision, year=year, filters=filters),
            "filters": filters,
            "goal_areas": decision.goal_areas.all(),
            "sub_goals": PolicySubGoal.objects.all(),
            "objectives": StrategyObjective.objects.all(),
            "counties": county_name_map(on),
            "partners": sorted(
                {(p.code, p.name_at(on)) for p in partners.prefetch_related("names")}, key=lambda x: x[1]
            ),
            "status_choices": STATUS_CHOICES,
            "plan_statuses": PlanStatus,
        },
    )


@require_POST
@login_required
def plan_step(request: HttpRequest, slug: str, year: int, action: str) -> HttpResponse:
    decision = _decision(request, slug, year)
    plan = plan_current(decision=decision, year=year)
    if plan is None or action not in TRANSITIONS:
        raise Http404
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Ange datum och diarienummer för steget."))
    else:
        try:
            plan_transition(
                plan=plan,
                action=action,
                on=form.cleaned_data["on"],
                reference=form.cleaned_data["reference"],
                user=request.user,
            )
        except PlanError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request, _("Planen har nu status: %(s)s") % {"s": PlanStatus(TRANSITIONS[action][1]).label}
            )
    return redirect("plans:plan", slug=slug, year=year)


def _activity(request: HttpRequest, slug: str, year: int, code: str) -> tuple[FundingDecision, Activity]:
    decision = _decision(request, slug, year)
    activity = activity_get(decision=decision, code=code, year=year)
    if activity is None or activity.year != year:
        raise Http404(_("Okänd aktivitet."))
    return decision, activity


@require_http_methods(["GET", "POST"])
@login_required
def activity_page(request: HttpRequest, slug: str, year: int, code: str) -> HttpResponse:
    decision, activity = _activity(request, slug, year, code)
    verdict = check(request.user, "activity.edit", activity)
    form = ActivityForm(instance=activity)
    output_form = OutputForm()
    status = 200
    if request.method == "POST":
        if not verdict:
            raise PermissionDenied(verdict.reason)
        if request.POST.get("form") == "output":
            output_form = OutputForm(request.POST)
            if output_form.is_valid():
                data = output_form.cleaned_data
                try:
                    output_create(
                        activity=activity,
                        user=request.user,
                        label=data["label"],
                        unit=data["unit"],
                        total=data["total"],
                        women=data["women"],
                        men=data["men"],
                        other=data["other"],
                        note=data["note"],
                    )
                except ValidationError as exc:  # from the model's clean: shown on the form
                    for field, errors in exc.message_dict.items():
                        for error in errors:
                            output_form.add_error(field if field in output_form.fields else None, error)
                else:
                    messages.success(request, _("Resultatet är sparat."))
                    return redirect(request.path)
        else:
            form = ActivityForm(request.POST, instance=Activity.objects.get(pk=activity.pk))
            if form.is_valid():
                changes = {name: form.cleaned_data[name] for name in form.changed_data}
                activity_update(activity=Activity.objects.get(pk=activity.pk), user=request.user, **changes)
                messages.success(request, _("Aktiviteten är sparad."))
                return redirect(request.path)
        status = 400
    on = as_of(year)
    return render(
        request,
        "plans/activity.html",
        {
            "decision": decision,
            "year": year,
            "activity": activity,
            "partners": [(p, p.name_at(on)) for p in activity.partners.all()],
            "verdict": verdict,
            "form": form,
            "output_form": output_form,
            "changes": history_entries([activity, *activity.outputs.all()]),
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
