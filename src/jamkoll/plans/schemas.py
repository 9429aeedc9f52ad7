"""The schema of a year's plan document (`plans_2018.json`): the project plan, sub-projects,
report sections and texts, county plans, activities with their outputs, and evaluations.

Some keys describe the year without being stored (the goals as the report words them, the RSS
goal areas, the steering group's roles): they are declared, so that the document stays fully
checked, and marked "not stored". References inside the document (an activity's sub-project, an
evaluation's activities) are checked here; those to the database (the decision, goal areas,
organisations) by the loader, `plans.seed`.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, Field, StringConstraints

from jamkoll.programmes.models import Recipient
from jamkoll.programmes.schemas import Slug
from jamkoll.reference.models import OrganisationKind
from jamkoll.reference.schemas import (
    CHOICE,
    NONEMPTY,
    CountyCode,
    DocDate,
    Document,
    Items,
    MunicipalityCode,
    Number,
    Title,
)
from jamkoll.schema_types import Count, LongText, ShortText, Year
from jamkoll.seeding import Place, document_parse

from .models import ActivityStatus, CountyPlanStatus, OutputQualifier, PlanStatus

# The report's title (the document's `title`) is stored as the text with this key.
TITLE_KEY = "title"
Position = Annotated[int, Field(ge=0, le=9999)]
SectionNumber = Annotated[ShortText, Field(max_length=10)]
_ORG_REF = re.compile(r"(?P<kind>[a-z]+):(?P<code>[A-Za-z0-9-]{0,20})(?P<all>\*?)")


def _org_ref(value: str) -> str:
    match = _ORG_REF.fullmatch(value)
    if match is None or match["kind"] not in OrganisationKind.values:
        kinds = ", ".join(OrganisationKind.values)
        raise ValueError(f"ska vara typ:kod, med typ en av {kinds} (kod* för alla som börjar så)")
    return value


# An organisation: "other:SOS", "lan:12"; "region:*" or "other:LST*" for every one whose code
# starts so.
OrgRef = Annotated[str, StringConstraints(max_length=40), AfterValidator(_org_ref)]


def org_ref_parts(ref: str) -> tuple[str, str, bool]:
    """ "other:LST*" → ("other", "LST", True)."""
    match = _ORG_REF.fullmatch(ref)
    assert match is not None, ref  # validated by OrgRef
    return match["kind"], match["code"], bool(match["all"])


class GoalDoc(Document):
    """Not stored: the decision's goal area as the report words it."""

    goal_area: Number
    text: LongText
    source: ShortText = ""


class SteeringGroupDoc(Document):
    description: Annotated[LongText, NONEMPTY]
    source: ShortText = ""
    member_roles: Items[ShortText] = []  # not stored
    department_count: Annotated[int, Field(ge=0, le=1000)] | None = None  # not stored
    # Not read yet: named members are registered in the application, so the list stays empty.
    members: Annotated[list[Any], Field(max_length=0)] = []


class ProjectPlanDoc(Document):
    title: Title
    summary: LongText = ""
    status: Annotated[PlanStatus, CHOICE] = PlanStatus.DRAFT
    source: ShortText = ""


class SubProjectDoc(Document):
    number: Number
    name: Title
    description: LongText = ""
    source: ShortText = ""


class SectionDoc(Document):
    number: Annotated[SectionNumber, NONEMPTY]
    title: Title
    numbered: bool = True


class NarrativeDoc(Document):
    key: Annotated[Slug, Field(max_length=60)]
    title: ShortText = ""
    text: Annotated[LongText, NONEMPTY]
    section: SectionNumber = ""
    position: Position = 0
    footnote: Number | None = None  # the text is that note's (referenced by "[^n]" in a text)
    organisations: Items[OrgRef] = []  # not stored
    source: ShortText = ""


class RssGoalAreaDoc(Document):
    """Not stored: the RSS's own goals as the report lists them."""

    position: Position
    text: LongText
    source: ShortText = ""


class CountyPlanDoc(Document):
    county: CountyCode
    status: Annotated[CountyPlanStatus, CHOICE] = CountyPlanStatus.DRAFT
    summary: LongText = ""
    source: ShortText = ""


class BudgetLineRef(Document):
    goal_area: Number
    recipient: Annotated[Recipient, CHOICE]


class OutputDoc(Document):
    label: Title
    unit: Annotated[Title, Field(max_length=60)]
    total: Count
    women: Count | None = None
    men: Count | None = None
    other: Count | None = None
    # How exact the document is about the figure ("ett tjugotal" → approximate); `note` keeps the
    # document's own words.
    qualifier: Annotated[OutputQualifier, CHOICE] = OutputQualifier.EXACT
    note: ShortText = ""


class ActivityDoc(Document):
    code: Slug
    sub_project: Number
    goal_area: Number
    report_section: SectionNumber = ""
    position: Position = 0
    title: Title
    description: LongText = ""
    sub_goals: Items[Number] = []
    strategy_objectives: Items[Number] = []
    partners: Items[OrgRef] = []
    counties: Items[CountyCode] = []
    owner_county: CountyCode | None = None
    municipalities: Items[MunicipalityCode] = []
    status: Annotated[ActivityStatus, CHOICE] = ActivityStatus.PLANNED
    planned_start: DocDate | None = None
    planned_end: DocDate | None = None
    planned_period: ShortText = ""
    actual_start: DocDate | None = None
    actual_end: DocDate | None = None
    budget_line: BudgetLineRef | None = None
    outputs: Items[OutputDoc] = []
    # Goal areas served without being reported under them (seed 003 §2: no activities are
    # reported under the collaboration goal).
    also_serves: Items[Number] = []
    is_example: bool = False  # the document gives it as an example
    counties_not_named: bool = False  # the document names no county for it: `counties` stays empty
    source: ShortText = ""


class EvaluationDoc(Document):
    title: Title
    method: ShortText = ""
    description: LongText = ""
    findings: LongText = ""
    recommendations: LongText = ""
    activities: Items[Slug] = []
    focus: ShortText = ""  # not stored
    status: ShortText = ""  # not stored
    source: ShortText = ""


class PlansDocument(Document):
    """A decision's plan content for one year."""

    decision: Slug
    year: Year
    source: ShortText = ""
    title: ShortText = ""  # the report's title, stored as the text "title"
    purpose: LongText = ""  # not stored
    goals: Items[GoalDoc] = []
    steering_group: SteeringGroupDoc | None = None
    project_plan: ProjectPlanDoc | None = None
    sub_projects: Items[SubProjectDoc] = []
    sections: Items[SectionDoc] = []
    narratives: Items[NarrativeDoc] = []
    rss_goal_areas: Items[RssGoalAreaDoc] = []
    county_plans: Items[CountyPlanDoc] = []
    activities: Items[ActivityDoc] = []
    evaluations: Items[EvaluationDoc] = []


def _unique(place: Place, values: list[Any], field: str) -> None:
    seen: set[Any] = set()
    for i, value in enumerate(values):
        if value in seen:
            raise place.at(i, field).error(f"{value!r} förekommer två gånger")
        seen.add(value)


def _notes_referenced(place: Place, doc: PlansDocument) -> None:
    """Every note is referenced where the document prints it ("[^n]" in a text), and every mark
    names a note of the year: a note printed with no reference, or a reference leading nowhere, is
    a text not held as the document has it (issue 13)."""
    from .footnotes import marks

    notes = {n.footnote for n in doc.narratives if n.footnote is not None}
    referenced: set[int] = set()
    texts = [(place.at("narratives", i, "text"), n.text) for i, n in enumerate(doc.narratives)]
    texts += [(place.at("activities", i, "description"), a.description) for i, a in enumerate(doc.activities)]
    for at, text in texts:
        for number in marks(text):
            if number not in notes:
                raise at.error(f"hänvisning till not {number}, som dokumentet inte har")
            referenced.add(number)
    for i, n in enumerate(doc.narratives):
        if n.footnote is not None and n.footnote not in referenced:
            raise place.at("narratives", i, "footnote").error(
                f'not {n.footnote} hänvisas inte till någonstans i texten ("[^{n.footnote}]")'
            )


def plans_document_parse(data: Any, *, file: str) -> PlansDocument:
    """The schema and the references inside the document."""
    place = Place(file)
    doc = document_parse(PlansDocument, data, place=place)
    _unique(place.at("sub_projects"), [s.number for s in doc.sub_projects], "number")
    _unique(place.at("sections"), [s.number for s in doc.sections], "number")
    for i, narrative in enumerate(doc.narratives):
        if doc.title and narrative.key == TITLE_KEY:
            raise place.at("narratives", i, "key").error(
                f"texten {TITLE_KEY!r} är rapportens titel, som dokumentet redan anger (title)"
            )
    _unique(place.at("narratives"), [n.key for n in doc.narratives], "key")
    _unique(place.at("county_plans"), [c.county for c in doc.county_plans], "county")
    _unique(place.at("activities"), [a.code for a in doc.activities], "code")
    sub_projects = {s.number for s in doc.sub_projects}
    for i, activity in enumerate(doc.activities):
        if activity.sub_project not in sub_projects:
            raise place.at("activities", i, "sub_project").error(f"okänt delprojekt {activity.sub_project}")
    for i, activity in enumerate(doc.activities):
        at = place.at("activities", i)
        if activity.goal_area in activity.also_serves:
            raise at.at("also_serves").error(
                f"målområde {activity.goal_area} är det som aktiviteten redovisas under"
            )
        if len(set(activity.also_serves)) != len(activity.also_serves):
            raise at.at("also_serves").error("ett målområde förekommer två gånger")
        if activity.counties_not_named and (activity.counties or activity.owner_county):
            raise at.at("counties").error("länen anges inte (counties_not_named) men län är angivna")
    _notes_referenced(place, doc)
    _unique(place.at("evaluations"), [e.title for e in doc.evaluations], "title")
    codes = {a.code for a in doc.activities}
    for i, evaluation in enumerate(doc.evaluations):
        for j, code in enumerate(evaluation.activities):
            if code not in codes:
                raise place.at("evaluations", i, "activities", j).error(f"okänd aktivitet {code!r}")
    return doc
