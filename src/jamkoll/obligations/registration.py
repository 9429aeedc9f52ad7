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
from django.utils import timezone
from django.utils.translation import gettext as _

from jamkoll.accounts.models import Role
from jamkoll.accounts.policy import actor_user, require
from jamkoll.programmes.models import Condition, FundingDecision
from jamkoll.programmes.services import decision_write
from jamkoll.reference.selectors import county_list
from jamkoll.reference.sources import cite
from jamkoll.seeding import Loc, SeedError, SeedReport, dotted_path, json_path
from jamkoll.validation import YEAR_MAX, YEAR_MIN, clean_date, clean_int, clean_text

from .generation import (
    STATE_RULES,
    Change,
    ObligationChange,
    obligation_remove,
    obligations_generate_for,
    receiver_role_for,
)
from .models import Obligation, ObligationKind, ObligationOwner, Tier
from .transitions import date_bounds

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
    elif obligation.evidence:
        state = _("är fullgjort enligt %(source)s") % {"source": cite(obligation.evidence)}
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
            kept = [
                o
                for o in generated.stale
                if o.submitted_on is not None or o.waived_at is not None or o.evidence
            ]
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


# --- An obligation a user registers with its own source -------------------------------------------
#
# An obligation exists only where a document states it: the generator makes those the decisions'
# conditions state; one that another document states (SKR's instructions to the counties, a later
# decision) is registered here by a user who may change the programmes, with the document's words
# and where they stand. Generation never changes or removes it (`generation.generated_q`).

REGISTERED_KEY_PREFIX = "reg"
REGISTERED_TITLE_MAX = 300
REGISTERED_SOURCE_MAX = 300
REGISTERED_SOURCE_TEXT_MAX = 2000


def _registered_key(decision: FundingDecision, year: int, kind: str, tier: str, county: Any) -> str:
    base = f"{REGISTERED_KEY_PREFIX}-{year}-{kind}-{tier}" + (f"-{county.code}" if county else "")
    taken = set(
        Obligation.objects.filter(decision=decision, key__startswith=base).values_list("key", flat=True)
    )
    n = 1
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def obligation_register(
    *,
    decision: FundingDecision,
    tier: str,
    kind: str,
    year: Any,
    title: Any,
    source_text: Any,
    source: Any,
    county: str | None = None,
    nominal_date: Any = None,
    actor: Any,
) -> Obligation:
    """Register an obligation that a document states and the decision's conditions do not (a
    county's report to SKR stated in SKR's instructions): the document's words (`source_text`) and
    where they stand (`source`) are required. For the RSS tier the county owes the decision's
    recipient; for the state tier the recipient owes the responsible ministry (or the grantor).
    `nominal_date`: the last day the document states, or None when it states none. Refused as a
    `ValidationError` keyed by the field; the policy's "programme.change" decides who."""
    require(actor, "programme.change")
    errors: dict[str, list[str]] = {}

    def check_field(name: str, fn: Any) -> Any:
        try:
            return fn()
        except ValidationError as exc:
            for message in exc.messages:
                errors.setdefault(name, []).append(message)
            return None

    if tier not in Tier.values:
        errors.setdefault("tier", []).append(_("Välj nivå."))
    if kind not in ObligationKind.values:
        errors.setdefault("kind", []).append(_("Välj slag av åtagande."))
    number = check_field("year", lambda: clean_int(year, field="year", minimum=YEAR_MIN, maximum=YEAR_MAX))
    if number is not None and decision.years and number not in decision.years:
        years = ", ".join(str(y) for y in decision.years)
        errors.setdefault("year", []).append(_("Välj ett av beslutets år (%(years)s).") % {"years": years})
        number = None
    text_title = check_field(
        "title", lambda: clean_text(title, field="title", max_length=REGISTERED_TITLE_MAX, required=True)
    )
    text = check_field(
        "source_text",
        lambda: clean_text(
            source_text,
            field="source_text",
            max_length=REGISTERED_SOURCE_TEXT_MAX,
            multiline=True,
            required=True,
        ),
    )
    where = check_field(
        "source", lambda: clean_text(source, field="source", max_length=REGISTERED_SOURCE_MAX, required=True)
    )
    day = None
    if number is not None and nominal_date not in (None, ""):
        earliest, latest = date_bounds(decision, number)
        day = check_field(
            "nominal_date",
            lambda: clean_date(nominal_date, field="nominal_date", earliest=earliest, latest=latest),
        )
    organisation = None
    if tier == Tier.RSS:
        code = (county or "").strip()[:10]
        organisation = county_list().filter(code=code).first() if code else None
        if organisation is None:
            errors.setdefault("county", []).append(_("Välj det län som åtagandet gäller."))
    elif county:
        errors.setdefault("county", []).append(_("Län anges bara för RSS-nivån."))
    recipient = decision.recipient
    ministry = decision.responsible_ministry or decision.grantor
    if recipient is None or (tier == Tier.STATE and ministry is None):
        errors.setdefault(NON_FIELD_ERRORS, []).append(
            _("Beslutet anger ingen mottagare att åtagandet gäller.")
        )
    if errors:
        raise ValidationError(errors)
    assert recipient is not None and number is not None
    owners: tuple[Role, ...]
    if tier == Tier.RSS:
        owed_by, owed_to, owners = organisation, recipient, (Role.RSS,)
    else:
        assert ministry is not None
        rule = STATE_RULES.get(kind)
        owed_by, owed_to, owners = recipient, ministry, (rule.owners if rule else (Role.COORDINATOR,))
    with transaction.atomic():
        obligation = Obligation(
            decision=decision,
            key=_registered_key(decision, number, kind, tier, organisation),
            year=number,
            kind=kind,
            tier=tier,
            title=text_title,
            owed_by=owed_by,
            owed_to=owed_to,
            county=organisation,
            receiver_role=receiver_role_for(owed_to, decision),
            source_text=text,
            source=where,
            nominal_date=day,
            registered_at=timezone.now(),
            registered_by=actor_user(actor),
        )
        obligation.full_clean()
        obligation._history_user = actor_user(actor)  # type: ignore[attr-defined]
        obligation._change_reason = _("Registrerat med egen källa")  # type: ignore[attr-defined]
        obligation.save()
        for role in owners:
            ObligationOwner.objects.create(obligation=obligation, role=role)
    return obligation
