"""The plan workflow's one table: draft → proposed → consulted → fixed, and proposed → draft when
Regeringskansliet sends the proposal back with a comment. The service that makes a step
(`services.plan_transition`) and the page that offers the open step both ask it, so that the
rule "which step may follow which status, and who may take it" is written once.

Only a draft can be changed (`plans.locks`): proposing freezes the plan, sending it back opens it
again, and a change after fixing is made in a new version (`services.plan_new_version`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from jamkoll.accounts.policy import Verdict, check
from jamkoll.errors import NotFound

from .models import PlanStatus, ProjectPlan


@dataclass(frozen=True)
class Transition:
    action: str  # the URL's and the API's name for the step
    source: PlanStatus  # the status the step requires
    target: PlanStatus  # the status it leaves the plan in
    permission: str  # the policy's action
    record: str | None  # the plan's fields `<record>_on`, `<record>_by`, `<record>_reference`, if any
    button: str | Promise  # what the page's button says
    legend: str | Promise  # the heading of the step's form (two steps open at once stand apart)
    # Sending back says what to change: the step is refused without a comment. Every step's
    # comment (or none) is kept in the plan's timeline (`PlanComment`, kind = the action).
    comment_required: bool = False


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition(
            "propose",
            PlanStatus.DRAFT,
            PlanStatus.PROPOSED,
            "plan.propose",
            "proposed",
            _("Föreslå till Regeringskansliet"),
            _("Förslag till Regeringskansliet"),
        ),
        Transition(
            "consult",
            PlanStatus.PROPOSED,
            PlanStatus.CONSULTED,
            "plan.consult",
            "consulted",
            _("Registrera samråd"),
            _("Samråd med departementet"),
        ),
        Transition(
            "send_back",
            PlanStatus.PROPOSED,
            PlanStatus.DRAFT,
            "plan.send_back",
            None,
            _("Skicka tillbaka till SKR för ändring"),
            _("Eller: skicka tillbaka förslaget för ändring"),
            comment_required=True,
        ),
        Transition(
            "fix",
            PlanStatus.CONSULTED,
            PlanStatus.FIXED,
            "plan.fix",
            "fixed",
            _("Fastställ planen"),
            _("Styrgruppens fastställande"),
        ),
    )
}


@dataclass(frozen=True)
class Step:
    """A step that is open for the plan's status, with the actor's verdict (and its reason)."""

    transition: Transition
    verdict: Verdict

    @property
    def action(self) -> str:
        return self.transition.action


def transition_get(action: str) -> Transition:
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise NotFound(_("Okänt steg i planens arbetsgång: %(a)s") % {"a": str(action)[:40]})
    return transition


def open_steps(*, plan: ProjectPlan, actor: Any) -> list[Step]:
    """The steps that may follow the plan's status now, each with whether `actor` may take it."""
    return [
        Step(t, check(actor, t.permission, plan)) for t in TRANSITIONS.values() if plan.status == t.source
    ]
