"""Writes for programmes: loading what the documents state, and generating allocations.

Everything runs inside one transaction per call: a data file with one bad field leaves the
database exactly as it was.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
from importlib import resources
from typing import Any

from django.db import transaction

from jamkoll.money import AmountError, parse_amount
from jamkoll.reference.models import Organisation, OrganisationKind, PolicySubGoal, StrategyObjective
from jamkoll.seeding import SeedError, SeedReport, set_m2m, upsert

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
    DiaryNumber,
    Earmark,
    FocusArea,
    FundingDecision,
    GoalArea,
    GoalAreaSubGoal,
    Party,
    Programme,
    Recipient,
    Signature,
)

FILE = "programmes.json"


class BudgetError(ValueError):
    pass


def _money(value: Any, where: str) -> Decimal | None:
    if value is None:
        return None
    try:
        return parse_amount(value)
    except AmountError as exc:
        raise SeedError(str(exc), file=FILE, field=where) from exc


def _org(code: str | None, where: str) -> Organisation | None:
    if not code:
        return None
    org = Organisation.objects.filter(kind=OrganisationKind.OTHER, code=code).first()
    if org is None:
        raise SeedError(f"okänd organisation {code!r} (kör referensdata först)", file=FILE, field=where)
    return org


def _load_decision(
    programme: Programme, data: dict[str, Any], appropriations: dict[str, Appropriation], report: SeedReport
) -> FundingDecision:
    where = f"decisions[{data['slug']}]"
    decision = upsert(
        FundingDecision,
        {"slug": data["slug"]},
        {
            "programme": programme,
            "kind": data["kind"],
            "title": data["title"],
            "start_year": data.get("start_year"),
            "end_year": data.get("end_year"),
            "amount_per_year": _money(data.get("amount_per_year"), f"{where}.amount_per_year"),
            "amount_total": _money(data.get("amount_total"), f"{where}.amount_total"),
            "amount_note": data.get("amount_note", ""),
            "grantor": _org(data.get("grantor"), f"{where}.grantor"),
            "responsible_ministry": _org(data.get("responsible_ministry"), f"{where}.responsible_ministry"),
            "recipient": _org(data.get("recipient"), f"{where}.recipient"),
            "appropriation": appropriations[data["appropriation"]] if data.get("appropriation") else None,
            "purpose": data.get("purpose", ""),
            "focus": data.get("focus", ""),
            "application_based": data.get("application_based", False),
            "applications_until": data.get("applications_until"),
            "validity_condition": data.get("validity_condition", ""),
            "note": data.get("note", ""),
            "source": data.get("source", ""),
        },
        report=report,
    )
    for position, p in enumerate(data.get("parties", [])):
        party = upsert(
            Party,
            {"decision": decision, "organisation": _org(p["organisation"], f"{where}.parties")},
            {
                "acting_through": _org(p.get("acting_through"), f"{where}.parties"),
                "label": p["label"],
                "position": position,
            },
            report=report,
        )
        for s in p.get("signatures", []):
            upsert(
                Signature,
                {"party": party, "signatory_name": s["name"]},
                {
                    "signatory_title": s["title"],
                    "place": s.get("place", ""),
                    "signed_on": dt.date.fromisoformat(s["date"]) if s.get("date") else None,
                    "source": s.get("source", ""),
                },
                report=report,
            )
    for a in data.get("approvals", []):
        upsert(
            Approval,
            {"decision": decision, "organisation": _org(a["organisation"], f"{where}.approvals")},
            {"body": a["body"], "source": a.get("source", "")},
            report=report,
        )
    for d in data.get("diary_numbers", []):
        upsert(
            DiaryNumber,
            {
                "decision": decision,
                "issuer": _org(d["issuer"], f"{where}.diary_numbers"),
                "purpose": d["purpose"],
            },
            {"number": d["number"], "required_on_documents": d["required"], "source": d.get("source", "")},
            report=report,
        )
    for position, c in enumerate(data.get("conditions", [])):
        upsert(
            Condition,
            {"decision": decision, "kind": c["kind"], "position": position},
            {
                "year": c.get("year"),
                "text": c["text"],
                "section": c.get("section", ""),
                "source": c.get("source", data.get("source", "")),
            },
            report=report,
        )
    goal_areas: dict[int, GoalArea] = {}
    for g in data.get("goal_areas", []):
        area = upsert(
            GoalArea,
            {"decision": decision, "number": g["number"]},
            {
                "title": g["title"],
                "text": g["text"],
                "budget_text": g.get("budget_text", ""),
                "source": g.get("source", ""),
            },
            report=report,
        )
        goal_areas[g["number"]] = area
        for link in g.get("sub_goals", []):
            upsert(
                GoalAreaSubGoal,
                {"goal_area": area, "sub_goal": PolicySubGoal.objects.get(number=link["number"])},
                {"emphasis": link["emphasis"], "source": g.get("source", "")},
                report=report,
            )
        set_m2m(
            area,
            "strategy_objectives",
            StrategyObjective.objects.filter(number__in=g.get("strategy_objectives", [])),
            report,
        )
        for f in g.get("focus_areas", []):
            upsert(
                FocusArea,
                {"goal_area": area, "number": f["number"]},
                {"text": f["text"], "source": f.get("source", "")},
                report=report,
            )
    earmarks: dict[str, Earmark] = {}
    for position, e in enumerate(data.get("earmarks", [])):
        earmark = upsert(
            Earmark,
            {"decision": decision, "label": e["label"]},
            {
                "amount": _money(e["amount"], f"{where}.earmarks"),
                "position": position,
                "parent": earmarks[e["parent"]] if e.get("parent") else None,
                "source": e.get("source", ""),
            },
            report=report,
        )
        set_m2m(earmark, "goal_areas", [goal_areas[n] for n in e.get("goal_areas", [])], report)
        earmarks[e["label"]] = earmark
    for b in data.get("budgets", []):
        year = b["year"]
        if year not in decision.years:
            raise SeedError(f"år {year} ligger utanför beslutets period", file=FILE, field=f"{where}.budgets")
        budget = upsert(
            Budget,
            {"decision": decision, "year": year},
            {
                "total": _money(b["total"], f"{where}.budgets[{year}].total"),
                "source": b.get("source", ""),
                "note": b.get("note", ""),
            },
            report=report,
        )
        for line in b.get("lines", []):
            number = line["goal_area"]
            if number not in goal_areas:
                raise SeedError(
                    f"okänt målområde {number}", file=FILE, field=f"{where}.budgets[{year}].lines"
                )
            upsert(
                BudgetLine,
                {"budget": budget, "goal_area": goal_areas[number], "recipient": line["recipient"]},
                {
                    "amount": _money(line["amount"], f"{where}.budgets[{year}].lines.amount"),
                    "source": line.get("source", ""),
                },
                report=report,
            )
        budget_check(budget)
    for r in data.get("allocation_rules", []):
        rule = upsert(
            AllocationRule,
            {"decision": decision, "recipient": r["recipient"], "first_year": r["first_year"]},
            {
                "last_year": r["last_year"],
                "default_amount": _money(r["default_amount"], f"{where}.rule"),
                "text": r.get("text", ""),
                "source": r.get("source", ""),
            },
            report=report,
        )
        for code, amount in r.get("overrides", {}).items():
            county = Organisation.objects.filter(kind=OrganisationKind.LAN, code=code).first()
            if county is None:
                raise SeedError(f"okänt län {code!r}", file=FILE, field=f"{where}.allocation_rules.overrides")
            upsert(
                AllocationRuleOverride,
                {"rule": rule, "county": county},
                {"amount": _money(amount, f"{where}.allocation_rules.overrides")},
                report=report,
            )
    for line in BudgetLine.objects.filter(budget__decision=decision, recipient=Recipient.RSS):
        try:
            allocations_generate(budget_line=line, report=report)
        except AllocationError as exc:
            raise SeedError(f"{line}: {exc}", file=FILE, field=f"{where}.allocation_rules") from exc
    return decision


@transaction.atomic
def programmes_seed(*, report: SeedReport | None = None) -> SeedReport:
    """Load everything seeds 000, 001, 002 and 004 state about programmes and money."""
    report = report or SeedReport()
    data = json.loads(resources.files("jamkoll.programmes").joinpath("data", FILE).read_text("utf-8"))
    appropriations: dict[str, Appropriation] = {}
    for a in data["appropriations"]:
        values = {k: v for k, v in a.items() if k not in {"key", "expenditure_area", "appropriation", "item"}}
        appropriations[a["key"]] = upsert(
            Appropriation,
            {
                "expenditure_area": a["expenditure_area"],
                "appropriation": a["appropriation"],
                "item": a["item"],
            },
            values,
            report=report,
        )
    for p in data["programmes"]:
        programme = upsert(
            Programme,
            {"slug": p["slug"]},
            {
                "title": p["title"],
                "start_year": p.get("start_year"),
                "end_year": p.get("end_year"),
                "relation": p["relation"],
                "description": p.get("description", ""),
                "note": p.get("note", ""),
                "source": p.get("source", ""),
            },
            report=report,
        )
        for d in p.get("decisions", []):
            _load_decision(programme, d, appropriations, report)
    return report


# Checks that apps above programmes (the ledger) register in their AppConfig.ready(), so that a
# change of a budget line's amount is refused when it would break their rules, without programmes
# importing them: guard(line, new_amount) -> problems (empty when fine).
BUDGET_LINE_GUARDS: list[Callable[[BudgetLine, Decimal], list[str]]] = []


def budget_line_set(*, line: BudgetLine, amount: Decimal, source: str) -> BudgetLine:
    """Set a line's amount (a fixed project plan deciding the year's split). All or nothing."""
    with transaction.atomic():
        for guard in BUDGET_LINE_GUARDS:
            problems = guard(line, amount)
            if problems:
                raise BudgetError(f"{line}: {problems[0]}")
        line.amount = amount
        line.source = source
        line.save()
        budget_check(line.budget)
    return line


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


def allocations_generate(*, budget_line: BudgetLine, report: SeedReport | None = None) -> list[Allocation]:
    """Divide a recipient line per county by the decision's rule for that year. All or nothing."""
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
    counties = {c.code: c for c in Organisation.objects.filter(kind=OrganisationKind.LAN)}
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
            problems.append(str(exc))
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
