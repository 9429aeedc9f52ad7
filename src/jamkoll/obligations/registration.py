"""Register a decision, and the obligations that follow from it (issue 11, DESIGN §7.1).

`decision_register(doc, actor=…)` is the one service behind `jamkoll decision import FILE.json`,
`POST /api/v1/decisions` and the web page: it writes the decision as the document states it
(`programmes.services.decision_write`: a new decision, or the one with the document's slug, updated
— never a second one) and then generates that decision's obligations again. All or nothing, in one
transaction; `dry_run=True` does all of it and rolls it back, so the preview is exactly what saving
would do.

The document is the whole decision: what it no longer states is removed, obligations included —
but never an obligation that was handed in (or waived). A change that would drop one is refused at
the condition's place in the document (`conditions[2]`), with the obligation and its date; the open
obligations that no longer follow are deleted and reported.

It lives here, not in programmes, because programmes must not know obligations (DESIGN §4).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jamkoll.accounts.policy import require
from jamkoll.programmes.models import Condition, FundingDecision
from jamkoll.programmes.services import decision_write
from jamkoll.seeding import Loc, SeedError, SeedReport, dotted_path, json_path

from .generation import Change, ObligationChange, obligation_remove, obligations_generate_for
from .models import Obligation, Tier

if TYPE_CHECKING:  # the schemas (pydantic) are imported when a document is read
    from jamkoll.programmes.schemas import DecisionDocument


class DocumentError(ValidationError):
    """A decision document refused at places in it: keyed by the dotted path (`conditions.2.text`,
    the API's error key), and each place also as a JSON path (`conditions[2].text`) in `file`, for
    the command line's one line."""

    def __init__(self, problems: list[tuple[Loc, str]], *, file: str, stored: Iterable[Loc] = ()) -> None:
        self.problems, self.file = problems, file
        # Places that are in the decision as it was stored (a condition the document removes), not
        # in the document sent: the same as in the document that `GET` (or the page) gave.
        self.stored = set(stored)
        errors: dict[str, list[str]] = {}
        for loc, message in problems:
            errors.setdefault(dotted_path(loc) or NON_FIELD_ERRORS, []).append(message)
        super().__init__(errors)

    @classmethod
    def from_seed_error(cls, exc: SeedError) -> DocumentError:
        return cls([(exc.loc, exc.message)], file=exc.file)

    def line(self) -> str:
        """`beslut.json: conditions[2].text: får inte vara tom`, every problem on one line."""
        parts = [f"{json_path(loc)}: {message}" if loc else message for loc, message in self.problems]
        return f"{self.file}: " + "; ".join(parts)


def decision_document_read(data: Any, *, file: str) -> DecisionDocument:
    """The document (`jamkoll decision import`'s file, the API's body, the web form's data) checked
    by the same schema as `programmes.json`: types and bounds, the references inside it, and the
    programme it names. A `DocumentError` at the first problem."""
    from jamkoll.programmes.schemas import decision_document_parse

    try:
        return decision_document_parse(data, file=file)
    except SeedError as exc:
        raise DocumentError.from_seed_error(exc) from None


@dataclass
class RegistrationResult:
    """What registering a decision did (or, with `dry_run`, would do)."""

    slug: str
    title: str
    created: bool
    dry_run: bool
    report: SeedReport
    obligations: list[ObligationChange] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.report.changed

    def obligations_by_change(self, change: Change) -> list[ObligationChange]:
        return [o for o in self.obligations if o.change == change]

    @property
    def moved(self) -> list[ObligationChange]:
        return [o for o in self.obligations if o.moved and o.change != Change.REMOVED]

    def as_dict(self) -> dict[str, Any]:
        return {
            "decision": self.slug,
            "title": self.title,
            "created": self.created,
            "dry_run": self.dry_run,
            "changed": self.changed,
            "rows": {
                "created": dict(sorted(self.report.created.items())),
                "updated": dict(sorted(self.report.updated.items())),
                "deleted": dict(sorted(self.report.deleted.items())),
            },
            "obligations": [o.as_dict() for o in self.obligations],
        }


class _Preview(Exception):
    """Raised inside the transaction of a dry run, so that everything it wrote is rolled back."""

    def __init__(self, result: RegistrationResult) -> None:
        self.result = result


def _conditions_leaving(decision: FundingDecision | None, doc: DecisionDocument) -> dict[int, int]:
    """The stored conditions that the document no longer states as they are keyed (kind at its
    position), by id, with their position: each is deleted when the decision is written."""
    if decision is None:
        return {}
    kept = {(c.kind, i) for i, c in enumerate(doc.conditions)}
    return {
        pk: position
        for pk, kind, position in Condition.objects.filter(decision=decision).values_list(
            "pk", "kind", "position"
        )
        if (kind, position) not in kept
    }


def _refusal(obligation: Obligation, doc: DecisionDocument, detached: dict[int, int]) -> tuple[Loc, str]:
    """Where in the document the change is that would drop a handed-in obligation, and why
    (`detached`: obligation → the position of its condition that the document removes)."""
    if obligation.submitted_on is not None:
        state = _("är inlämnat %(date)s") % {"date": obligation.submitted_on.isoformat()}
    else:
        state = _("är undantaget (%(reason)s)") % {"reason": obligation.waiver_reason}
    what = _("åtagandet ”%(title)s” %(state)s och kan inte tas bort") % {
        "title": obligation.title,
        "state": state,
    }
    if obligation.pk in detached:
        return ("conditions", detached[obligation.pk]), _(
            "villkoret tas bort eller byter slag, men %(what)s."
        ) % {"what": what}
    if obligation.condition is not None:
        return ("conditions", obligation.condition.position), _(
            "ändringen av villkoret skulle ta bort åtagandet: %(what)s."
        ) % {"what": what}
    if doc.recipient is None:
        return ("recipient",), _("utan mottagare följer inga åtaganden, men %(what)s.") % {"what": what}
    if obligation.tier == Tier.RSS:
        return ("budgets",), _("fördelningen till länen ändras så att %(what)s.") % {"what": what}
    return (), _("ändringen skulle ta bort %(what)s.") % {"what": what}


def decision_register(
    doc: DecisionDocument, *, actor: Any, dry_run: bool = False, file: str = "beslut"
) -> RegistrationResult:
    """Register (or update) one decision from its document and generate its obligations again.
    `actor` must be allowed to change programmes (`programme.change`: the coordinator, the
    administrator, the operator at the command line). A bad reference or a change that would drop
    a handed-in obligation is a `DocumentError` at its place in `file`; nothing is written."""
    require(actor, "programme.change")
    report = SeedReport()
    try:
        with transaction.atomic():
            existing = FundingDecision.objects.filter(slug=doc.slug).first()
            # Obligations that cite a condition about to go are detached, by obligation the
            # condition's position; they are relinked below if they still follow from the
            # decision, and those that do not are removed or refused.
            leaving = _conditions_leaving(existing, doc)
            detached = dict(
                Obligation.objects.filter(condition_id__in=leaving).values_list("pk", "condition_id")
            )
            detached = {pk: leaving[condition] for pk, condition in detached.items()}
            if detached:
                Obligation.objects.filter(pk__in=detached).update(condition=None)
            decision = decision_write(doc, actor=actor, report=report, file=file)
            generated = obligations_generate_for(decision=decision, actor=actor, report=report)
            kept = [o for o in generated.stale if o.submitted_on is not None or o.waived_at is not None]
            if kept:
                problems = [_refusal(o, doc, detached) for o in kept]
                stored = [("conditions", position) for position in detached.values()]
                raise DocumentError(
                    problems, file=file, stored=[loc for loc, _m in problems if loc in stored]
                )
            removed = [obligation_remove(o, report=report) for o in generated.stale]
            result = RegistrationResult(
                slug=decision.slug,
                title=decision.title,
                created=existing is None,
                dry_run=dry_run,
                report=report,
                obligations=generated.changes + removed,
            )
            if dry_run:
                raise _Preview(result)
    except _Preview as preview:
        return preview.result
    except SeedError as exc:
        raise DocumentError.from_seed_error(exc) from None
    return result


def decision_register_data(
    data: Any, *, actor: Any, dry_run: bool = False, file: str = "beslut"
) -> RegistrationResult:
    """`decision_register` of a document given as parsed JSON. The policy is asked first: a user who
    may not register decisions learns that, not what is wrong with the document."""
    require(actor, "programme.change")
    return decision_register(decision_document_read(data, file=file), actor=actor, dry_run=dry_run, file=file)
