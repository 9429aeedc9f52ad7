"""Loading the year's plan content from the packaged data files (seed 003 for 2018)."""

from __future__ import annotations

import datetime as dt
import json
from importlib import resources

from django.core.exceptions import ValidationError
from django.db import transaction

from jamkoll.programmes.models import Budget, BudgetLine, FundingDecision, GoalArea
from jamkoll.reference.models import Organisation, OrganisationKind, PolicySubGoal, StrategyObjective
from jamkoll.seeding import SeedError, SeedReport, set_m2m, upsert

from .models import (
    Activity,
    CountyPlan,
    Evaluation,
    Narrative,
    Output,
    ProjectPlan,
    ReportSection,
    SteeringGroup,
    SubProject,
)

DATA_FILES = ["plans_2018.json"]


# --- loading --------------------------------------------------------------------------------


class _Resolver:
    """Organisation references in the data files: "other:SOS", "lan:12", "region:*", "other:LST*"."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.orgs = {(o.kind, o.code): o for o in Organisation.objects.exclude(kind=OrganisationKind.KOMMUN)}

    def many(self, refs: list[str], where: str) -> list[Organisation]:
        out: list[Organisation] = []
        for ref in refs:
            kind, _sep, code = ref.partition(":")
            if code.endswith("*"):
                prefix = code[:-1]
                matches = [o for (k, c), o in self.orgs.items() if k == kind and c.startswith(prefix)]
                if not matches:
                    raise SeedError(
                        f"referensen {ref!r} matchar ingen organisation", file=self.file, field=where
                    )
                out += matches
                continue
            org = self.orgs.get((kind, code))
            if org is None and kind == OrganisationKind.KOMMUN:
                org = Organisation.objects.filter(kind=kind, code=code).first()
            if org is None:
                raise SeedError(f"okänd organisation {ref!r}", file=self.file, field=where)
            out.append(org)
        return out

    def county(self, code: str | None, where: str) -> Organisation | None:
        if not code:
            return None
        county = self.orgs.get((OrganisationKind.LAN, code))
        if county is None:
            raise SeedError(f"okänt län {code!r}", file=self.file, field=where)
        return county


def _date(value: str | None, file: str, where: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise SeedError(f"ogiltigt datum {value!r}", file=file, field=where) from exc


def _load(file: str, report: SeedReport) -> None:
    data = json.loads(resources.files("jamkoll.plans").joinpath("data", file).read_text("utf-8"))
    decision = FundingDecision.objects.filter(slug=data["decision"]).first()
    if decision is None:
        raise SeedError(f"okänt beslut {data['decision']!r}", file=file, field="decision")
    year = data["year"]
    resolve = _Resolver(file)
    sg = data.get("steering_group")
    if sg:
        upsert(
            SteeringGroup,
            {"decision": decision},
            {"description": sg["description"], "source": sg.get("source", "")},
            report=report,
        )
    plan = data.get("project_plan")
    if plan:
        upsert(
            ProjectPlan,
            {"decision": decision, "year": year, "version": 1},
            {
                "title": plan["title"],
                "summary": plan.get("summary", ""),
                "status": plan.get("status", "draft"),
                "source": plan.get("source", ""),
            },
            report=report,
        )
    sub_projects = {
        sp["number"]: upsert(
            SubProject,
            {"decision": decision, "number": sp["number"]},
            {"name": sp["name"], "description": sp.get("description", ""), "source": sp.get("source", "")},
            report=report,
        )
        for sp in data.get("sub_projects", [])
    }
    for position, section in enumerate(data.get("sections", [])):
        upsert(
            ReportSection,
            {"decision": decision, "year": year, "number": section["number"]},
            {"title": section["title"], "numbered": section.get("numbered", True), "position": position},
            report=report,
        )
    narratives = list(data.get("narratives", []))
    if data.get("title"):
        narratives.insert(
            0,
            {
                "key": "title",
                "title": "Rapportens titel",
                "text": data["title"],
                "source": data.get("source", ""),
            },
        )
    for n in narratives:
        upsert(
            Narrative,
            {"decision": decision, "year": year, "key": n["key"]},
            {
                "title": n.get("title", ""),
                "text": n["text"],
                "section": n.get("section", ""),
                "position": n.get("position", 0),
                "footnote": n.get("footnote"),
                "source": n.get("source", ""),
            },
            report=report,
        )
    county_plans: dict[str, CountyPlan] = {}
    for cp in data.get("county_plans", []):
        county = resolve.county(cp["county"], "county_plans.county")
        assert county is not None
        county_plans[county.code] = upsert(
            CountyPlan,
            {"decision": decision, "year": year, "county": county},
            {
                "status": cp.get("status", "draft"),
                "summary": cp.get("summary", ""),
                "source": cp.get("source", ""),
            },
            report=report,
        )
    goal_areas = {g.number: g for g in GoalArea.objects.filter(decision=decision)}
    budget = Budget.objects.filter(decision=decision, year=year).first()
    sub_goals = {g.number: g for g in PolicySubGoal.objects.all()}
    objectives = {o.number: o for o in StrategyObjective.objects.all()}
    activities: dict[str, Activity] = {}
    for a in data.get("activities", []):
        where = f"activities[{a['code']}]"
        if a["sub_project"] not in sub_projects:
            raise SeedError(f"okänt delprojekt {a['sub_project']}", file=file, field=f"{where}.sub_project")
        if a["goal_area"] not in goal_areas:
            raise SeedError(f"okänt målområde {a['goal_area']}", file=file, field=f"{where}.goal_area")
        line = None
        if a.get("budget_line") and budget is not None:
            bl = a["budget_line"]
            line = BudgetLine.objects.filter(
                budget=budget, goal_area__number=bl["goal_area"], recipient=bl["recipient"]
            ).first()
            if line is None:
                raise SeedError(f"ingen budgetrad {bl}", file=file, field=f"{where}.budget_line")
        owner = resolve.county(a.get("owner_county"), f"{where}.owner_county")
        activity = upsert(
            Activity,
            {"decision": decision, "year": year, "code": a["code"]},
            {
                "sub_project": sub_projects[a["sub_project"]],
                "goal_area": goal_areas[a["goal_area"]],
                "owner_county": owner,
                "county_plan": county_plans.get(owner.code) if owner else None,
                "title": a["title"],
                "description": a.get("description", ""),
                "report_section": a.get("report_section", ""),
                "position": a.get("position", 0),
                "status": a.get("status", "planned"),
                "planned_start": _date(a.get("planned_start"), file, f"{where}.planned_start"),
                "planned_end": _date(a.get("planned_end"), file, f"{where}.planned_end"),
                "actual_start": _date(a.get("actual_start"), file, f"{where}.actual_start"),
                "actual_end": _date(a.get("actual_end"), file, f"{where}.actual_end"),
                "budget_line": line,
                "footnotes": ",".join(str(n) for n in a.get("footnotes", [])),
                "source": a.get("source", ""),
            },
            report=report,
        )
        activities[a["code"]] = activity
        try:
            set_m2m(activity, "sub_goals", [sub_goals[n] for n in a.get("sub_goals", [])], report)
            set_m2m(
                activity,
                "strategy_objectives",
                [objectives[n] for n in a.get("strategy_objectives", [])],
                report,
            )
        except KeyError as exc:
            raise SeedError(f"okänt delmål eller målsättning {exc}", file=file, field=where) from None
        set_m2m(activity, "partners", resolve.many(a.get("partners", []), f"{where}.partners"), report)
        counties = [resolve.county(c, f"{where}.counties") for c in a.get("counties", [])]
        set_m2m(activity, "counties", [c for c in counties if c is not None], report)
        set_m2m(
            activity,
            "municipalities",
            resolve.many([f"kommun:{m}" for m in a.get("municipalities", [])], f"{where}.municipalities"),
            report,
        )
        for position, o in enumerate(a.get("outputs", [])):
            output = Output(
                activity=activity,
                label=o["label"],
                unit=o["unit"],
                total=o["total"],
                women=o.get("women"),
                men=o.get("men"),
                other=o.get("other"),
            )
            try:
                output.clean()
            except ValidationError as exc:
                raise SeedError(
                    "; ".join(exc.messages), file=file, field=f"{where}.outputs[{position}]"
                ) from None
            upsert(
                Output,
                {"activity": activity, "position": position},
                {
                    "label": o["label"],
                    "unit": o["unit"],
                    "total": o["total"],
                    "women": o.get("women"),
                    "men": o.get("men"),
                    "other": o.get("other"),
                    "note": o.get("note", ""),
                },
                report=report,
            )
    for e in data.get("evaluations", []):
        evaluation = upsert(
            Evaluation,
            {"decision": decision, "year": year, "title": e["title"]},
            {
                "method": e.get("method", ""),
                "description": e.get("description", ""),
                "findings": e.get("findings", ""),
                "recommendations": e.get("recommendations", ""),
                "source": e.get("source", ""),
            },
            report=report,
        )
        linked = []
        for code in e.get("activities", []):
            if code not in activities:
                raise SeedError(f"okänd aktivitet {code!r}", file=file, field="evaluations.activities")
            linked.append(activities[code])
        set_m2m(evaluation, "activities", linked, report)


@transaction.atomic
def plans_seed(*, report: SeedReport | None = None) -> SeedReport:
    """Load every year's plan content from the packaged data files (seed 003 for 2018)."""
    report = report or SeedReport()
    for file in DATA_FILES:
        if resources.files("jamkoll.plans").joinpath("data", file).is_file():
            _load(file, report)
    return report
