"""What the plan workflow closes among the obligations (DESIGN §7.2).

Proposing a project plan hands it in to Regeringskansliet: the decision's project-plan obligation
for the plan's year closes on the proposal date (`closed_by` "project-plan:<pk>"), on time or late
against its effective date. It is done with the system's authority, like the ledger's closures
(see `obligations.transitions`): the proposer is recorded, the reason names the proposal.

A plan sent back by the ministry does NOT reopen it: the proposal was handed in when it was, and a
corrected proposal, or a new version after fixing, finds the obligation closed and leaves it. An
obligation registered by hand or waived stays as it is.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from jamkoll.obligations.models import Obligation, ObligationKind
from jamkoll.obligations.selectors import obligation_of_kind
from jamkoll.obligations.transitions import close_refusal, obligation_close

from .models import ProjectPlan

KEY_PREFIX = "project-plan"


def project_plan_close(*, plan: ProjectPlan, actor: Any) -> Obligation | None:
    """Close the year's project-plan obligation with the plan just proposed (in its transaction)."""
    obligation = obligation_of_kind(decision=plan.decision, year=plan.year, kind=ObligationKind.PROJECT_PLAN)
    if obligation is None or close_refusal(obligation) is not None or plan.proposed_on is None:
        return None
    return obligation_close(
        obligation=obligation,
        on=plan.proposed_on,
        closed_by=f"{KEY_PREFIX}:{plan.pk}",
        document_reference=_("förslaget till projektplan för %(year)s (version %(version)s)")
        % {"year": plan.year, "version": plan.version},
        actor=actor,
    )


def plan_link(obligation: Obligation, number: str) -> str | None:
    """The plan page of the obligation's decision and year."""
    return reverse("plans:plan", args=[obligation.decision.slug, obligation.year])
