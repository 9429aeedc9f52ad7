"""When a plan and its activities may change (issue 11): the one place that decides the lock.

- A project plan is editable only while it is a draft (also after Regeringskansliet has sent it
  back). Proposing freezes it; after fixing, a change is made in a new version.
- A national activity (no `owner_county`) follows its year's project plan: its *planning* fields
  (`PLANNING_FIELDS`) change only while that plan is a draft. Its *progress* (`PROGRESS_FIELDS`:
  status, actual dates) and its outputs may be recorded whatever the plan's status: the plan is
  fixed in spring and the year goes on.
- An RSS activity (`owner_county` set) belongs to its county's implementation plan, not to the
  national plan. Its lock is its county plan's: `_county_activity_lock` is where that rule goes.

The policy (`accounts.policy`) says *who* may change an activity; this module says *when*. Both
answer with a `Verdict` that carries the reason, so a page can say why a field or button is gone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from jamkoll.accounts.policy import ALLOW, Verdict

from .models import Activity, CountyPlan, CountyPlanStatus, PlanStatus, ProjectPlan, StatusReportItem

# An activity's fields that make up the plan, and those that record how the year went.
PLANNING_FIELDS = (
    "title",
    "description",
    "sub_project",
    "goal_area",
    "report_section",
    "sub_goals",
    "strategy_objectives",
    "partners",
    "counties",
    "municipalities",
    "planned_start",
    "planned_end",
    "planned_period",
    "budget_line",
    "planned_cost",
    "also_serves",
    "is_example",
    "counties_not_named",
)
PROGRESS_FIELDS = ("status", "actual_start", "actual_end")

# Passed as `plan=` when the caller has not looked the plan up (a page that lists many
# activities looks it up once and passes it, or None for "no plan").
_LOOK_UP: Any = object()


def plan_lock_verdict(plan: ProjectPlan) -> Verdict:
    """May the plan's content (title, summary, budget split, its activities' planning) change now?"""
    if plan.status == PlanStatus.DRAFT:
        return ALLOW
    if plan.status == PlanStatus.PROPOSED:
        return Verdict(
            False,
            _(
                "Projektplanen %(year)s är föreslagen till Regeringskansliet och låst. Den kan ändras "
                "igen om Regeringskansliet skickar tillbaka den."
            )
            % {"year": plan.year},
        )
    if plan.status == PlanStatus.CONSULTED:
        return Verdict(
            False,
            _(
                "Samrådet om projektplanen %(year)s är genomfört och planen är låst tills den fastställs; "
                "en ändring därefter görs i en ny version."
            )
            % {"year": plan.year},
        )
    return Verdict(
        False,
        _("Projektplanen %(year)s är fastställd och låst; skapa en ny version för ändringar.")
        % {"year": plan.year},
    )


def current_plan(*, decision_id: int, year: int) -> ProjectPlan | None:
    """The year's latest plan version (what the lock of the year's national activities follows)."""
    return ProjectPlan.objects.filter(decision_id=decision_id, year=year).order_by("-version").first()


# A county activity's planning: frozen once its county plan is "Framtagen". Its status, actual
# dates and outputs are follow-up and stay open.
COUNTY_PLANNING_FIELDS = (
    "title",
    "description",
    "goal_area",
    "sub_project",
    "planned_start",
    "planned_end",
    "planned_cost",
)


def county_plan_name(plan: CountyPlan) -> str:
    return plan.county.name_at(dt.date(plan.year, 12, 31))


def county_plan_lock(
    *, county_plan: CountyPlan | None, fields: Iterable[str] = COUNTY_PLANNING_FIELDS
) -> Verdict:
    """May `fields` of a county plan (its `summary`) or of its activities change now? While the
    plan is "Under arbete": yes. Once it is "Framtagen": not the planning (`COUNTY_PLANNING_FIELDS`
    and the summary), with the reason; status, actual dates and outputs stay open. The national
    plan's lock is decided beside it (issue 11 joins the two for an activity)."""
    if county_plan is None or county_plan.status != CountyPlanStatus.FIXED:
        return ALLOW
    if not any(f in COUNTY_PLANNING_FIELDS or f == "summary" for f in fields):
        return ALLOW
    return Verdict(
        False,
        _(
            "Genomförandeplanen för %(county)s %(year)s är framtagen, så planeringen är låst. "
            "Status, faktiska datum och resultat kan ändras; samordnaren kan öppna planen igen."
        )
        % {"county": county_plan_name(county_plan), "year": county_plan.year},
    )


def county_plan_of(activity: Activity) -> CountyPlan | None:
    """The county plan an activity belongs to: its own link, or its county's plan for the year."""
    if activity.county_plan_id:
        return activity.county_plan
    if activity.owner_county_id is None:
        return None
    return CountyPlan.objects.filter(
        decision_id=activity.decision_id, year=activity.year, county_id=activity.owner_county_id
    ).first()


def _county_activity_lock(activity: Activity) -> Verdict:
    """An RSS activity follows its county's implementation plan (genomförandeplan): its planning
    is open while that plan is "Under arbete" (or the county has none yet), locked once it is
    "Framtagen" (the policy's `activity.edit` says who)."""
    return county_plan_lock(county_plan=county_plan_of(activity))


def activity_lock_verdict(activity: Activity, *, plan: Any = _LOOK_UP) -> Verdict:
    """May the activity's planning fields change now, and may it be added or removed?

    The single place where an activity's lock is decided (see the module's docstring). `plan` is
    the year's current project plan when the caller already has it (None: the year has none)."""
    if activity.owner_county_id is not None:
        return _county_activity_lock(activity)
    if plan is _LOOK_UP:
        plan = current_plan(decision_id=activity.decision_id, year=activity.year)
    if plan is None:
        return Verdict(
            False,
            _("Det finns ingen projektplan för %(year)s; skapa planen innan du lägger in aktiviteter.")
            % {"year": activity.year},
        )
    verdict = plan_lock_verdict(plan)
    if verdict:
        return verdict
    return Verdict(
        False,
        _("%(reason)s Status, faktiska datum och resultat kan fortfarande registreras.")
        % {"reason": verdict.reason},
    )


def activity_removal_verdict(activity: Activity) -> Verdict:
    """May the activity be removed, apart from its lock? Not once something refers to it: its
    results, a half-yearly report's item, an evaluation (then it is cancelled instead)."""
    reasons = []
    outputs = activity.outputs.count()
    if outputs:
        reasons.append(
            ngettext(
                "Aktiviteten har %(n)s registrerat resultat.",
                "Aktiviteten har %(n)s registrerade resultat.",
                outputs,
            )
            % {"n": outputs}
        )
    reports = sorted(
        {
            str(item.report)
            for item in StatusReportItem.objects.filter(activity=activity).select_related("report")
        }
    )
    if reports:
        reasons.append(_("Den ingår i %(r)s.") % {"r": ", ".join(reports)})
    evaluations = sorted(e.title for e in activity.evaluations.all())
    if evaluations:
        reasons.append(_("Den ingår i utvärderingen %(e)s.") % {"e": ", ".join(evaluations)})
    if not reasons:
        return ALLOW
    reasons.append(_("Sätt status Inställd i stället för att ta bort den."))
    return Verdict(False, " ".join(reasons))
