"""Writes for programmes: loading what the documents state, and generating allocations.

Everything runs inside one transaction per call: a data file with one bad field leaves the
database exactly as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import transaction

from jamkoll.accounts.policy import require
from jamkoll.errors import NotFound
from jamkoll.reference.models import Organisation, OrganisationKind, PolicySubGoal, StrategyObjective
from jamkoll.reference.selectors import county_get, county_list, organisation_list
from jamkoll.seeding import Place, SeedReport, read_json, set_m2m, upsert

from .allocation import AllocationError, divide
from .models import (
    Allocation,
    AllocationRule,
    AllocationRuleOverride,
    Appropriation,
    Approval,
    Budget,
    BudgetLine,
    Condition,
    DecidedBy,
    DiaryNumber,
    Earmark,
    FocusArea,
    FundingDecision,
    GoalArea,
    GoalAreaSubGoal,
    Party,
    Programme,
    Signature,
)

if TYPE_CHECKING:  # the schemas (pydantic) are imported when a document is read
    from .schemas import DecisionDocument

FILE = "programmes.json"
N = TypeVar("N", PolicySubGoal, StrategyObjective)


class BudgetError(ValidationError):
    """A budget whose lines do not fit its total, or a line change the ledger refuses: a
    `ValidationError` (the one error contract), so a caller shows `" ".join(exc.messages)`."""


def _org(code: str | None, place: Place) -> Organisation | None:
    if code is None:
        return None
    org = organisation_list(kind=OrganisationKind.OTHER, code=code).first()
    if org is None:
        raise place.error(f"okänd organisation {code!r} (kör referensdata först)")
    return org


def _appropriation(key: str | None, place: Place) -> Appropriation | None:
    from .schemas import appropriation_key_parts

    if key is None:
        return None
    area, appropriation, item = appropriation_key_parts(key)
    found = Appropriation.objects.filter(
        expenditure_area=area, appropriation=appropriation, item=item
    ).first()
    if found is None:
        raise place.error(f"okänt anslag {key!r}")
    return found


def _numbered(model: type[N], number: int, place: Place) -> N:
    found = model._default_manager.filter(number=number).first()
    if found is None:
        raise place.error(f"okänt nummer {number} (kör referensdata först)")
    return found


def _load_decision(
    doc: DecisionDocument,
    *,
    place: Place,
    report: SeedReport,
    actor: Any,
    programme: Programme | None = None,
) -> FundingDecision:
    """Write one decision and everything it states, as `doc` (validated and checked by
    `programmes.schemas`) gives it; the references to the database are resolved here, each a
    `SeedError` at its place. `programme`: the one it stands under in `programmes.json`; a decision
    standing alone names it (`doc.programme`). `actor`: who loads it (`programmes_seed` has asked
    the policy), passed on to `allocations_generate`."""
    if programme is None:
        programme = Programme.objects.filter(slug=doc.programme).first()
        if programme is None:
            raise place.at("programme").error(f"okänd satsning {doc.programme!r}")
    decision = upsert(
        FundingDecision,
        {"slug": doc.slug},
        {
            "programme": programme,
            "kind": doc.kind,
            "title": doc.title,
            "start_year": doc.start_year,
            "end_year": doc.end_year,
            "amount_per_year": doc.amount_per_year,
            "amount_total": doc.amount_total,
            "amount_note": doc.amount_note,
            "grantor": _org(doc.grantor, place.at("grantor")),
            "responsible_ministry": _org(doc.responsible_ministry, place.at("responsible_ministry")),
            "recipient": _org(doc.recipient, place.at("recipient")),
            "appropriation": _appropriation(doc.appropriation, place.at("appropriation")),
            "purpose": doc.purpose,
            "focus": doc.focus,
            "application_based": doc.application_based,
            "applications_until": doc.applications_until,
            "validity_condition": doc.validity_condition,
            "note": doc.note,
            "source": doc.source,
        },
        report=report,
        place=place,
    )
    for i, p in enumerate(doc.parties):
        at = place.at("parties", i)
        party = upsert(
            Party,
            {"decision": decision, "organisation": _org(p.organisation, at.at("organisation"))},
            {
                "acting_through": _org(p.acting_through, at.at("acting_through")),
                "label": p.label,
                "position": i,
            },
            report=report,
            place=at,
        )
        for j, s in enumerate(p.signatures):
            upsert(
                Signature,
                {"party": party, "signatory_name": s.name},
                {"signatory_title": s.title, "place": s.place, "signed_on": s.date, "source": s.source},
                report=report,
                place=at.at("signatures", j),
            )
    for i, a in enumerate(doc.approvals):
        at = place.at("approvals", i)
        upsert(
            Approval,
            {"decision": decision, "organisation": _org(a.organisation, at.at("organisation"))},
            {"body": a.body, "source": a.source},
            report=report,
            place=at,
        )
    for i, d in enumerate(doc.diary_numbers):
        at = place.at("diary_numbers", i)
        upsert(
            DiaryNumber,
            {"decision": decision, "issuer": _org(d.issuer, at.at("issuer")), "purpose": d.purpose},
            {"number": d.number, "required_on_documents": d.required, "source": d.source},
            report=report,
            place=at,
        )
    for i, c in enumerate(doc.conditions):
        at = place.at("conditions", i)
        upsert(
            Condition,
            {"decision": decision, "kind": c.kind, "position": i},
            {
                "year": c.year,
                "text": c.text,
                "section": c.section,
                "addressee": _org(c.addressee, at.at("addressee")),
                "source": doc.source if c.source is None else c.source,
            },
            report=report,
            place=at,
        )
    goal_areas: dict[int, GoalArea] = {}
    for i, g in enumerate(doc.goal_areas):
        at = place.at("goal_areas", i)
        area = upsert(
            GoalArea,
            {"decision": decision, "number": g.number},
            {"title": g.title, "text": g.text, "budget_text": g.budget_text, "source": g.source},
            report=report,
            place=at,
        )
        goal_areas[g.number] = area
        for j, link in enumerate(g.sub_goals):
            upsert(
                GoalAreaSubGoal,
                {
                    "goal_area": area,
                    "sub_goal": _numbered(PolicySubGoal, link.number, at.at("sub_goals", j, "number")),
                },
                {"emphasis": link.emphasis, "source": g.source},
                report=report,
                place=at.at("sub_goals", j),
            )
        objectives = [
            _numbered(StrategyObjective, number, at.at("strategy_objectives", j))
            for j, number in enumerate(g.strategy_objectives)
        ]
        set_m2m(area, "strategy_objectives", objectives, report)
        for j, f in enumerate(g.focus_areas):
            upsert(
                FocusArea,
                {"goal_area": area, "number": f.number},
                {"text": f.text, "source": f.source},
                report=report,
                place=at.at("focus_areas", j),
            )
    earmarks: dict[str, Earmark] = {}
    for i, e in enumerate(doc.earmarks):
        earmark = upsert(
            Earmark,
            {"decision": decision, "label": e.label},
            {
                "amount": e.amount,
                "position": i,
                "parent": earmarks[e.parent] if e.parent is not None else None,
                "source": e.source,
            },
            report=report,
            place=place.at("earmarks", i),
        )
        set_m2m(earmark, "goal_areas", [goal_areas[n] for n in e.goal_areas], report)
        earmarks[e.label] = earmark
    for i, b in enumerate(doc.budgets):
        at = place.at("budgets", i)
        budget = upsert(
            Budget,
            {"decision": decision, "year": b.year},
            {"total": b.total, "source": b.source, "note": b.note},
            report=report,
            place=at,
        )
        for j, line in enumerate(b.lines):
            lookup = {"budget": budget, "goal_area": goal_areas[line.goal_area], "recipient": line.recipient}
            if line.amount is None:
                existing = BudgetLine.objects.filter(**lookup).first()
                if existing is not None and existing.decided_by_plan:
                    continue  # left open by the decision, decided by the year's fixed plan: kept
            upsert(
                BudgetLine,
                lookup,
                {"amount": line.amount, "decided_by": DecidedBy.DECISION, "source": line.source},
                report=report,
                place=at.at("lines", j),
            )
        try:
            budget_check(budget)
        except BudgetError as exc:
            raise at.error(" ".join(exc.messages)) from None
    for i, r in enumerate(doc.allocation_rules):
        at = place.at("allocation_rules", i)
        rule = upsert(
            AllocationRule,
            {"decision": decision, "recipient": r.recipient, "first_year": r.first_year},
            {
                "last_year": r.last_year,
                "default_amount": r.default_amount,
                "text": r.text,
                "source": r.source,
            },
            report=report,
            place=at,
        )
        for code, amount in r.overrides.items():
            try:
                county = county_get(code=code)
            except NotFound:
                raise at.at("overrides", code).error(f"okänt län {code!r}") from None
            upsert(
                AllocationRuleOverride,
                {"rule": rule, "county": county},
                {"amount": amount},
                report=report,
                place=at.at("overrides", code),
            )
    # Every line a rule divides per county (the rules name their recipient line).
    for budget_line in BudgetLine.objects.filter(budget__decision=decision).select_related("budget"):
        try:
            allocations_generate(budget_line=budget_line, report=report, actor=actor)
        except AllocationError as exc:
            message = " ".join(exc.messages)
            raise place.at("allocation_rules").error(f"{budget_line}: {message}") from exc
    return decision


@transaction.atomic
def programmes_seed(*, actor: Any, report: SeedReport | None = None) -> SeedReport:
    """Load everything seeds 000, 001, 002 and 004 state about programmes and money (`actor`: the
    seed loader, or whoever may change programmes)."""
    from .schemas import programmes_document_parse

    require(actor, "programme.change")
    report = report or SeedReport()
    doc = programmes_document_parse(read_json("jamkoll.programmes", FILE), file=FILE)
    place = Place(FILE)
    for i, a in enumerate(doc.appropriations):
        upsert(
            Appropriation,
            {"expenditure_area": a.expenditure_area, "appropriation": a.appropriation, "item": a.item},
            {
                "expenditure_area_name": a.expenditure_area_name,
                "appropriation_name": a.appropriation_name,
                "item_name": a.item_name,
                "source": a.source,
            },
            report=report,
            place=place.at("appropriations", i),
        )
    for i, p in enumerate(doc.programmes):
        at = place.at("programmes", i)
        programme = upsert(
            Programme,
            {"slug": p.slug},
            {
                "title": p.title,
                "start_year": p.start_year,
                "end_year": p.end_year,
                "relation": p.relation,
                "description": p.description,
                "note": p.note,
                "source": p.source,
            },
            report=report,
            place=at,
        )
        for j, d in enumerate(p.decisions):
            _load_decision(d, programme=programme, place=at.at("decisions", j), report=report, actor=actor)
    return report


# Checks that apps above programmes (the ledger) register in their AppConfig.ready(), so that a
# change of a budget line's amount is refused when it would break their rules, without programmes
# importing them: guard(line, new_amount) -> problems (empty when fine).
BUDGET_LINE_GUARDS: list[Callable[[BudgetLine, Decimal], list[str]]] = []


def budget_line_set(*, line: BudgetLine, amount: Decimal, source: str, actor: Any) -> BudgetLine:
    """Set one line's amount (a fixed project plan deciding the year's split, so the line is then
    `decided_by` the plan). All or nothing."""
    budget_lines_set(lines=[(line, amount)], source=source, actor=actor)
    return line


def budget_lines_set(
    *, lines: Iterable[tuple[BudgetLine, Decimal]], source: str, actor: Any
) -> list[BudgetLine]:
    """Set several lines' amounts at once (a fixed plan's whole split), then check each budget
    once: a split that moves money from one line to another is only whole when every line is set.
    The ledger's guards still look at each line as it changes. All or nothing."""
    require(actor, "programme.change")
    changed: list[BudgetLine] = []
    with transaction.atomic():
        for line, amount in lines:
            for guard in BUDGET_LINE_GUARDS:
                problems = guard(line, amount)
                if problems:
                    raise BudgetError(f"{line}: {problems[0]}")
            line.amount = amount
            line.decided_by = DecidedBy.PLAN
            line.source = source
            line.save()
            changed.append(line)
        checked: set[int] = set()
        for line in changed:
            if line.budget_id not in checked:
                checked.add(line.budget_id)
                budget_check(line.budget)
    return changed


def budget_check(budget: Budget) -> None:
    """Budget lines of a year sum to that year's total once all are decided, and never exceed it."""
    lines = list(budget.lines.all())
    decided = [line.amount for line in lines if line.amount is not None]
    decided_sum = sum(decided, Decimal("0.00"))
    if budget.total is None:
        if decided:
            raise BudgetError(f"{budget}: budgetrader har belopp men årets totalbelopp är inte beslutat")
        return
    if decided_sum > budget.total:
        raise BudgetError(
            f"{budget}: budgetraderna ({decided_sum:f} kr) överstiger totalen ({budget.total:f} kr)"
        )
    if lines and len(decided) == len(lines) and decided_sum != budget.total:
        raise BudgetError(
            f"{budget}: budgetraderna summerar till {decided_sum:f} kr men totalen är {budget.total:f} kr"
        )


def allocations_generate(
    *, budget_line: BudgetLine, actor: Any, report: SeedReport | None = None
) -> list[Allocation]:
    """Divide a recipient line per county by the decision's rule for that year. All or nothing."""
    require(actor, "programme.change")
    year = budget_line.budget.year
    rule = (
        AllocationRule.objects.filter(
            decision=budget_line.budget.decision_id,
            recipient=budget_line.recipient,
            first_year__lte=year,
            last_year__gte=year,
        )
        .prefetch_related("overrides__county")
        .first()
    )
    if rule is None:
        return []
    if budget_line.amount is None:
        raise AllocationError("budgetraden har inget beslutat belopp att fördela")
    counties = {c.code: c for c in county_list()}
    amounts = divide(
        line_amount=budget_line.amount,
        counties=sorted(counties),
        default_amount=rule.default_amount,
        overrides={o.county.code: o.amount for o in rule.overrides.all()},
    )
    with transaction.atomic():
        return [
            upsert(
                Allocation,
                {"budget_line": budget_line, "county": counties[code]},
                {"amount": amount, "rule": rule},
                report=report,
            )
            for code, amount in amounts.items()
        ]


def programmes_verify() -> tuple[list[str], int, int]:
    """Budget lines against totals and allocations against their lines, for every budget.

    Returns (problems, budgets checked, allocation lines checked)."""
    problems: list[str] = []
    budgets = Budget.objects.select_related("decision").prefetch_related("lines__allocations")
    n_budgets = n_lines = 0
    for budget in budgets:
        n_budgets += 1
        try:
            budget_check(budget)
        except BudgetError as exc:
            problems.extend(exc.messages)
        for line in budget.lines.all():
            allocations = list(line.allocations.all())
            if not allocations:
                continue
            n_lines += 1
            total = sum((a.amount for a in allocations), Decimal("0.00"))
            if line.amount is None or total != line.amount:
                problems.append(
                    f"{budget}: fördelningen per län ({total:f} kr) stämmer inte med budgetraden "
                    f"({'ej beslutad' if line.amount is None else f'{line.amount:f} kr'})"
                )
    return problems, n_budgets, n_lines
