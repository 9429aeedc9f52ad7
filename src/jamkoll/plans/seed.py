"""Loading the year's plan content from the packaged data files (seed 003 for 2018).

The document is validated by `plans.schemas` first; the loader reads the validated objects and
resolves the references to the database (the decision, its goal areas and budget lines,
organisations, policy goals), each a `SeedError` at its JSON path.
"""

from __future__ import annotations

from importlib import resources
from typing import TYPE_CHECKING, Any

from django.db import transaction

from jamkoll.accounts.policy import require
from jamkoll.programmes.models import Budget, BudgetLine, FundingDecision, GoalArea
from jamkoll.reference.models import Organisation, OrganisationKind, PolicySubGoal, StrategyObjective
from jamkoll.seeding import Existing, Place, SeedReport, read_json, set_m2m, upsert

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

if TYPE_CHECKING:  # the schemas (pydantic) are imported when a document is read
    from .schemas import ActivityDoc

PACKAGE = "jamkoll.plans"
DATA_FILES = ["plans_2018.json"]


class _Resolver:
    """Organisation references in the data files: "other:SOS", "lan:12", "region:*", "other:LST*"."""

    def __init__(self) -> None:
        self.orgs = {(o.kind, o.code): o for o in Organisation.objects.exclude(kind=OrganisationKind.KOMMUN)}

    def many(self, refs: list[str], place: Place) -> list[Organisation]:
        from .schemas import org_ref_parts

        out: list[Organisation] = []
        for i, ref in enumerate(refs):
            kind, code, every = org_ref_parts(ref)
            if every:
                matches = [o for (k, c), o in self.orgs.items() if k == kind and c.startswith(code)]
                if not matches:
                    raise place.at(i).error(f"referensen {ref!r} matchar ingen organisation")
                out += matches
                continue
            org = self.orgs.get((kind, code))
            if org is None and kind == OrganisationKind.KOMMUN:
                org = Organisation.objects.filter(kind=kind, code=code).first()
            if org is None:
                raise place.at(i).error(f"okänd organisation {ref!r}")
            out.append(org)
        return out

    def county(self, code: str | None, place: Place) -> Organisation | None:
        if code is None:
            return None
        county = self.orgs.get((OrganisationKind.LAN, code))
        if county is None:
            raise place.error(f"okänt län {code!r}")
        return county


def _load(file: str, report: SeedReport) -> None:
    from .schemas import TITLE_KEY, NarrativeDoc, plans_document_parse

    doc = plans_document_parse(read_json(PACKAGE, file), file=file)
    place = Place(file)
    decision = FundingDecision.objects.filter(slug=doc.decision).first()
    if decision is None:
        raise place.at("decision").error(f"okänt beslut {doc.decision!r}")
    year = doc.year
    if year not in decision.years:
        raise place.at("year").error(f"år {year} ligger utanför beslutets period")
    resolve = _Resolver()
    if doc.steering_group is not None:
        upsert(
            SteeringGroup,
            {"decision": decision},
            {"description": doc.steering_group.description, "source": doc.steering_group.source},
            report=report,
            place=place.at("steering_group"),
        )
    if doc.project_plan is not None:
        upsert(
            ProjectPlan,
            {"decision": decision, "year": year, "version": 1},
            {
                "title": doc.project_plan.title,
                "summary": doc.project_plan.summary,
                "status": doc.project_plan.status,
                "source": doc.project_plan.source,
            },
            report=report,
            place=place.at("project_plan"),
        )
    sub_projects = {
        sp.number: upsert(
            SubProject,
            {"decision": decision, "number": sp.number},
            {"name": sp.name, "description": sp.description, "source": sp.source},
            report=report,
            place=place.at("sub_projects", i),
        )
        for i, sp in enumerate(doc.sub_projects)
    }
    for i, section in enumerate(doc.sections):
        upsert(
            ReportSection,
            {"decision": decision, "year": year, "number": section.number},
            {"title": section.title, "numbered": section.numbered, "position": i},
            report=report,
            place=place.at("sections", i),
        )
    narratives = [(place.at("narratives", i), n) for i, n in enumerate(doc.narratives)]
    if doc.title:
        title = NarrativeDoc(key=TITLE_KEY, title="Rapportens titel", text=doc.title, source=doc.source)
        narratives.insert(0, (place.at("title"), title))
    for at, n in narratives:
        upsert(
            Narrative,
            {"decision": decision, "year": year, "key": n.key},
            {
                "title": n.title,
                "text": n.text,
                "section": n.section,
                "position": n.position,
                "footnote": n.footnote,
                "source": n.source,
            },
            report=report,
            place=at,
        )
    county_plans: dict[str, CountyPlan] = {}
    for i, cp in enumerate(doc.county_plans):
        at = place.at("county_plans", i)
        county = resolve.county(cp.county, at.at("county"))
        assert county is not None
        county_plans[county.code] = upsert(
            CountyPlan,
            {"decision": decision, "year": year, "county": county},
            {"status": cp.status, "summary": cp.summary, "source": cp.source},
            report=report,
            place=at,
        )
    context = _ActivityContext(decision, year, sub_projects, county_plans, resolve, report)
    activities = {a.code: context.load(a, place.at("activities", i)) for i, a in enumerate(doc.activities)}
    for i, e in enumerate(doc.evaluations):
        evaluation = upsert(
            Evaluation,
            {"decision": decision, "year": year, "title": e.title},
            {
                "method": e.method,
                "description": e.description,
                "findings": e.findings,
                "recommendations": e.recommendations,
                "source": e.source,
            },
            report=report,
            place=place.at("evaluations", i),
        )
        set_m2m(evaluation, "activities", [activities[code] for code in e.activities], report)


# An activity's many-to-many links, which the loader sets.
_LINKS = ("sub_goals", "also_serves", "strategy_objectives", "partners", "counties", "municipalities")


class _ActivityContext:
    """What every activity of the document refers to, looked up once."""

    def __init__(
        self,
        decision: FundingDecision,
        year: int,
        sub_projects: dict[int, SubProject],
        county_plans: dict[str, CountyPlan],
        resolve: _Resolver,
        report: SeedReport,
    ) -> None:
        self.decision, self.year, self.report, self.resolve = decision, year, report, resolve
        self.sub_projects, self.county_plans = sub_projects, county_plans
        self.goal_areas = {g.number: g for g in GoalArea.objects.filter(decision=decision)}
        self.budget = Budget.objects.filter(decision=decision, year=year).first()
        self.sub_goals = {g.number: g for g in PolicySubGoal.objects.all()}
        self.objectives = {o.number: o for o in StrategyObjective.objects.all()}
        # The year's activities with their links, and the budget's lines, read once (issue 16).
        rows = Activity.objects.filter(decision=decision, year=year).prefetch_related(*_LINKS)
        self.activities = Existing(Activity, ("decision", "year", "code"), rows)
        self.lines: dict[tuple[int, str], BudgetLine] = {}
        if self.budget is not None:
            for line in BudgetLine.objects.filter(budget=self.budget).select_related("goal_area"):
                self.lines.setdefault((line.goal_area.number, line.recipient), line)

    def _line(self, a: ActivityDoc, place: Place) -> BudgetLine | None:
        if a.budget_line is None:
            return None
        if self.budget is None:
            raise place.error(f"beslutet har ingen budget för {self.year}")
        line = self.lines.get((a.budget_line.goal_area, a.budget_line.recipient))
        if line is None:
            raise place.error(
                f"ingen budgetrad för målområde {a.budget_line.goal_area} och {a.budget_line.recipient}"
            )
        return line

    def load(self, a: ActivityDoc, place: Place) -> Activity:
        goal_area = self.goal_areas.get(a.goal_area)
        if goal_area is None:
            raise place.at("goal_area").error(f"okänt målområde {a.goal_area}")
        sub_goals = []
        for j, number in enumerate(a.sub_goals):
            if number not in self.sub_goals:
                raise place.at("sub_goals", j).error(f"okänt delmål {number}")
            sub_goals.append(self.sub_goals[number])
        objectives = []
        for j, number in enumerate(a.strategy_objectives):
            if number not in self.objectives:
                raise place.at("strategy_objectives", j).error(f"okänd målsättning {number}")
            objectives.append(self.objectives[number])
        also_serves = []
        for j, number in enumerate(a.also_serves):
            if number not in self.goal_areas:
                raise place.at("also_serves", j).error(f"okänt målområde {number}")
            also_serves.append(self.goal_areas[number])
        owner = self.resolve.county(a.owner_county, place.at("owner_county"))
        activity = upsert(
            Activity,
            {"decision": self.decision, "year": self.year, "code": a.code},
            {
                "sub_project": self.sub_projects[a.sub_project],
                "goal_area": goal_area,
                "owner_county": owner,
                "county_plan": self.county_plans.get(owner.code) if owner else None,
                "title": a.title,
                "description": a.description,
                "report_section": a.report_section,
                "position": a.position,
                "status": a.status,
                "planned_start": a.planned_start,
                "planned_end": a.planned_end,
                "planned_period": a.planned_period,
                "actual_start": a.actual_start,
                "actual_end": a.actual_end,
                "budget_line": self._line(a, place.at("budget_line")),
                "is_example": a.is_example,
                "counties_not_named": a.counties_not_named,
                "source": a.source,
            },
            report=self.report,
            place=place,
            existing=self.activities,
        )
        report = self.report
        set_m2m(activity, "sub_goals", sub_goals, report)
        set_m2m(activity, "also_serves", also_serves, report)
        set_m2m(activity, "strategy_objectives", objectives, report)
        set_m2m(activity, "partners", self.resolve.many(a.partners, place.at("partners")), report)
        counties = [self.resolve.county(c, place.at("counties", j)) for j, c in enumerate(a.counties)]
        set_m2m(activity, "counties", [c for c in counties if c is not None], report)
        municipalities = [f"{OrganisationKind.KOMMUN}:{m}" for m in a.municipalities]
        set_m2m(
            activity, "municipalities", self.resolve.many(municipalities, place.at("municipalities")), report
        )
        for position, o in enumerate(a.outputs):
            at = place.at("outputs", position)
            values = {
                "label": o.label,
                "unit": o.unit,
                "total": o.total,
                "women": o.women,
                "men": o.men,
                "other": o.other,
                "qualifier": o.qualifier,
                "note": o.note,
            }
            with at.model_errors():
                Output(activity=activity, position=position, **values).clean()
            upsert(Output, {"activity": activity, "position": position}, values, report=report, place=at)
        return activity


@transaction.atomic
def plans_seed(*, actor: Any, report: SeedReport | None = None) -> SeedReport:
    """Load every year's plan content from the packaged data files (seed 003 for 2018). `actor`:
    the seed loader, or whoever may change programmes."""
    require(actor, "programme.change")
    report = report or SeedReport()
    for file in DATA_FILES:
        if resources.files(PACKAGE).joinpath("data", file).is_file():
            _load(file, report)
    return report
