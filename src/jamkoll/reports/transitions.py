"""The workflow of a report version, stated once: generate → certify → sign → submit.

    financial:    draft --certify--> certified --sign--> signed --submit--> submitted
    result:       draft --sign--> signed --submit--> submitted
    application:  draft --sign--> signed --submit--> submitted
    status, rss:  draft --submit--> submitted

Which steps a report goes through depends on its kind (seed 001 §8: the ekonomichef certifies the
financial report, an authorised representative signs what is sent to the state). Exactly one step
is open for a version that is not submitted. The version page asks `open_step` which form to
show; the services ask `require_step` and refuse any other step with a `ValidationError` not tied
to a field, whose `code` tells the refusals apart. Who may take a step is the policy's question
(`STEP_ACTIONS`); these rules only ask whether the version's state allows it.
"""

from __future__ import annotations

import enum
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import ReportKind, ReportState, ReportVersion


class Step(enum.StrEnum):
    CERTIFY = "certify"
    SIGN = "sign"
    SUBMIT = "submit"


STEPS: dict[str, tuple[Step, ...]] = {
    ReportKind.FINANCIAL: (Step.CERTIFY, Step.SIGN, Step.SUBMIT),
    ReportKind.RESULT: (Step.SIGN, Step.SUBMIT),
    ReportKind.APPLICATION: (Step.SIGN, Step.SUBMIT),
    ReportKind.STATUS: (Step.SUBMIT,),
    ReportKind.RSS: (Step.SUBMIT,),
}

# The state a step leaves the version (or its successor) in.
STATE_AFTER: dict[Step, str] = {
    Step.CERTIFY: ReportState.CERTIFIED,
    Step.SIGN: ReportState.SIGNED,
    Step.SUBMIT: ReportState.SUBMITTED,
}

# The policy's action for each step (accounts.policy.RULES).
STEP_ACTIONS: dict[Step, str] = {
    Step.CERTIFY: "report.certify",
    Step.SIGN: "report.sign",
    Step.SUBMIT: "report.submit",
}

# The `code` of each refusal.
SUBMITTED = "submitted"  # the version is already submitted: nothing more to do
NOT_FOR_KIND = "not_for_kind"  # this kind of report never takes this step
DONE = "done"  # the step has been taken already
TOO_EARLY = "too_early"  # an earlier step must be taken first


def steps_for(kind: str) -> tuple[Step, ...]:
    return STEPS.get(kind, ())


def open_step(version: ReportVersion) -> Step | None:
    """The one step the version's state allows, or None once it is submitted."""
    steps = steps_for(version.kind)
    if version.state == ReportState.SUBMITTED or not steps:
        return None
    reached = [step for step in steps if STATE_AFTER[step] == version.state]
    after = steps.index(reached[0]) + 1 if reached else 0
    return steps[after] if after < len(steps) else None


def step_refusal(version: ReportVersion, step: Step | str) -> ValidationError | None:
    """Why the version's state does not allow `step`, or None when it is the open step."""
    step = Step(step)
    state = STATE_WORDS.get(version.state, version.state)
    if version.state == ReportState.SUBMITTED:
        return ValidationError(_("Versionen är redan inlämnad."), code=SUBMITTED)
    steps = steps_for(version.kind)
    if step not in steps:
        messages = {
            Step.CERTIFY: _(
                "Rapporten intygas inte: bara den ekonomiska redovisningen intygas av ekonomichefen."
            ),
            Step.SIGN: _("Rapporten undertecknas inte: bara det som lämnas till staten undertecknas."),
            Step.SUBMIT: _("Rapporten lämnas inte in."),
        }
        return ValidationError(messages[step], code=NOT_FOR_KIND)
    current = open_step(version)
    if current == step:
        return None
    assert current is not None
    if steps.index(step) < steps.index(current):
        return ValidationError(
            _("Versionen är redan %(state)s; nästa steg är att %(next)s den.")
            % {"state": state, "next": VERBS[current]},
            code=DONE,
        )
    return ValidationError(
        _("Versionen är %(state)s; den måste vara %(needed)s innan den %(passive)s.")
        % {
            "state": state,
            "needed": STATE_WORDS[STATE_AFTER[steps[steps.index(step) - 1]]],
            "passive": PASSIVES[step],
        },
        code=TOO_EARLY,
    )


def require_step(version: ReportVersion, step: Step | str) -> None:
    """Raise the refusal of `step_refusal`, if any."""
    refusal = step_refusal(version, step)
    if refusal is not None:
        raise refusal


VERBS = {
    Step.CERTIFY: gettext_lazy("intyga"),
    Step.SIGN: gettext_lazy("underteckna"),
    Step.SUBMIT: gettext_lazy("lämna in"),
}
PASSIVES = {
    Step.CERTIFY: gettext_lazy("intygas"),
    Step.SIGN: gettext_lazy("undertecknas"),
    Step.SUBMIT: gettext_lazy("lämnas in"),
}
# "Versionen är …": the state as the predicate of a sentence.
STATE_WORDS: dict[str, Any] = {
    ReportState.DRAFT: gettext_lazy("ett utkast"),
    ReportState.CERTIFIED: gettext_lazy("intygad"),
    ReportState.SIGNED: gettext_lazy("undertecknad"),
    ReportState.SUBMITTED: gettext_lazy("inlämnad"),
}
