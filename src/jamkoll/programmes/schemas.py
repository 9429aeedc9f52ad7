"""The schema of `programmes.json` and of one decision: `DecisionDocument`.

A decision is the same object wherever it comes from: nested in `programmes.json` (under its
programme), or standing alone — `jamkoll decision import FILE.json`, `POST /api/v1/decisions` —
with one more key, `"programme": "<programme slug>"`. Both go through `decision_document_parse`
(or `programmes_document_parse`, which checks every decision in the file the same way) and are
written by `programmes.services._load_decision`.

What can be checked without the database is checked here: types and bounds, and the references
inside the document (a budget line's goal area, an earmark's parent, a budget's year within the
decision's period, no two goal areas with one number). References to the database — organisation
codes, the appropriation, policy sub-goals, counties — are resolved by the loader, with the same
kind of error.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterable
from decimal import Decimal
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, Field, PlainValidator, StringConstraints

from jamkoll.money import AmountError, parse_amount
from jamkoll.reference.schemas import (
    CHOICE,
    NONEMPTY,
    CountyCode,
    DocDate,
    Document,
    Items,
    Number,
    OrgCode,
    Title,
)
from jamkoll.schema_types import LongText, ShortText, Year
from jamkoll.seeding import Place, document_parse

from .models import (
    SECTION_TEXT_MAX,
    ConditionKind,
    DecisionKind,
    DiaryNumberPurpose,
    DocumentKind,
    ProgrammeRelation,
    Recipient,
)

T = TypeVar("T")


def _amount(value: Any) -> Decimal:
    try:
        return parse_amount(value)
    except AmountError as exc:
        raise ValueError(str(exc)) from None


# Kronor as a decimal string ("2500000.00" or "2 500 000,00"), never a JSON number with a fraction.
Amount = Annotated[Decimal, PlainValidator(_amount, json_schema_input_type=str)]


def _slug(value: str) -> str:
    if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", value):
        raise ValueError("kortnamnet får bara innehålla a–z, 0–9 och bindestreck")
    return value


Slug = Annotated[str, StringConstraints(max_length=80), AfterValidator(_slug)]
# The key of an appropriation, made of its parts: "uo13-3:1-12" is UO 13, anslag 3:1, post 12.
APPROPRIATION_KEY = re.compile(r"uo([0-9]{1,3})-([0-9]{1,3}:[0-9]{1,3})-([0-9]{1,3})")
AppropriationKey = Annotated[str, StringConstraints(max_length=20, pattern=APPROPRIATION_KEY.pattern)]


class AppropriationDoc(Document):
    key: AppropriationKey
    expenditure_area: Annotated[int, Field(ge=1, le=999)]
    expenditure_area_name: Title
    appropriation: Annotated[str, StringConstraints(max_length=10, pattern=r"[0-9]{1,3}:[0-9]{1,3}")]
    appropriation_name: Title
    item: Annotated[int, Field(ge=1, le=999)]
    item_name: Title
    source: ShortText = ""

    @property
    def parts(self) -> tuple[int, str, int]:
        return self.expenditure_area, self.appropriation, self.item


class SignatureDoc(Document):
    name: Title
    title: Title
    place: Annotated[ShortText, Field(max_length=100)] = ""
    date: DocDate | None = None
    source: ShortText = ""


class PartyDoc(Document):
    organisation: OrgCode
    acting_through: OrgCode | None = None
    label: Title
    signatures: Items[SignatureDoc] = []


class ApprovalDoc(Document):
    organisation: OrgCode
    body: Title
    source: ShortText = ""


class DiaryNumberDoc(Document):
    issuer: OrgCode
    purpose: Annotated[DiaryNumberPurpose, CHOICE]
    number: Annotated[ShortText, Field(max_length=60)]
    required: bool
    source: ShortText = ""


class ConditionDoc(Document):
    kind: Annotated[ConditionKind, CHOICE]
    year: Year | None = None
    text: Annotated[LongText, NONEMPTY]
    section: Annotated[ShortText, Field(max_length=100)] = ""
    # The organisation the condition's document or money goes to ("KAMK" for the financial report).
    addressee: OrgCode | None = None
    # Defaults to the decision's source.
    source: ShortText | None = None
    # The last day, where the text does not state it as "senast den 31 mars 2023" (or where the
    # user corrected it); null: the day the text states, if any.
    due_date: DocDate | None = None


class SubGoalLinkDoc(Document):
    number: Number
    emphasis: ShortText


class FocusAreaDoc(Document):
    number: Number
    text: Annotated[LongText, NONEMPTY]
    source: ShortText = ""


class GoalAreaDoc(Document):
    number: Number
    title: Title
    text: Annotated[LongText, NONEMPTY]
    budget_text: LongText = ""
    sub_goals: Items[SubGoalLinkDoc] = []
    strategy_objectives: Items[Number] = []
    focus_areas: Items[FocusAreaDoc] = []
    source: ShortText = ""


class EarmarkDoc(Document):
    label: Title
    amount: Amount
    parent: ShortText | None = None
    goal_areas: Items[Number] = []
    source: ShortText = ""


class BudgetLineDoc(Document):
    goal_area: Number
    recipient: Annotated[Recipient, CHOICE]
    amount: Amount | None  # null: the decision leaves the line open (a project plan decides it)
    source: ShortText = ""


class BudgetDoc(Document):
    year: Year
    total: Amount | None  # null: the year's amount is not decided
    source: ShortText = ""
    note: LongText = ""
    lines: Items[BudgetLineDoc] = []


class AllocationRuleDoc(Document):
    recipient: Annotated[Recipient, CHOICE]
    default_amount: Amount
    first_year: Year
    last_year: Year
    overrides: Annotated[dict[CountyCode, Amount], Field(max_length=100)] = {}
    text: LongText = ""
    source: ShortText = ""


class DecisionDocument(Document):
    """One funding decision, with everything it states: the shape of a decision in
    `programmes.json`, and of a decision registered on its own (then with `programme`)."""

    programme: Slug | None = None  # only when the decision stands alone
    slug: Slug
    kind: Annotated[DecisionKind, CHOICE]
    title: Title
    start_year: Year | None = None
    end_year: Year | None = None
    amount_per_year: Amount | None = None
    amount_total: Amount | None = None
    amount_note: LongText = ""
    decided_on: DocDate | None = None
    grantor: OrgCode | None = None
    responsible_ministry: OrgCode | None = None
    recipient: OrgCode | None = None
    appropriation: AppropriationKey | None = None
    purpose: LongText = ""
    focus: LongText = ""
    application_based: bool = False
    applications_until: Year | None = None
    validity_condition: LongText = ""
    note: LongText = ""
    source: ShortText = ""
    parties: Items[PartyDoc] = []
    approvals: Items[ApprovalDoc] = []
    diary_numbers: Items[DiaryNumberDoc] = []
    conditions: Items[ConditionDoc] = []
    goal_areas: Items[GoalAreaDoc] = []
    earmarks: Items[EarmarkDoc] = []
    budgets: Items[BudgetDoc] = []
    allocation_rules: Items[AllocationRuleDoc] = []

    @property
    def years(self) -> list[int]:
        if self.start_year is None:
            return []
        return list(range(self.start_year, (self.end_year or self.start_year) + 1))


class ProgrammeDoc(Document):
    slug: Slug
    title: Title
    start_year: Year | None = None
    end_year: Year | None = None
    relation: Annotated[ProgrammeRelation, CHOICE]
    description: LongText = ""
    note: LongText = ""
    source: ShortText = ""
    decisions: Items[DecisionDocument] = []


class ProgrammesDocument(Document):
    """`programmes.json`: the appropriations, and the programmes with their decisions."""

    appropriations: Items[AppropriationDoc]
    programmes: Items[ProgrammeDoc]


# --- references inside a document ------------------------------------------------------------


def _unique(place: Place, items: Iterable[T], key: Callable[[T], Hashable], field: str) -> None:
    seen: set[Hashable] = set()
    for i, item in enumerate(items):
        value = key(item)
        if value in seen:
            raise place.at(i, field).error(f"{value!r} förekommer två gånger")
        seen.add(value)


def _years_ordered(place: Place, first: int | None, last: int | None, last_key: str) -> None:
    if first is not None and last is not None and last < first:
        raise place.at(last_key).error(f"{last} ligger före {first}")


def decision_document_check(doc: DecisionDocument, place: Place) -> None:
    """The references inside one decision; a `SeedError` at the first that does not hold."""
    _years_ordered(place, doc.start_year, doc.end_year, "end_year")
    _unique(place.at("parties"), doc.parties, lambda p: p.organisation, "organisation")
    for i, party in enumerate(doc.parties):
        _unique(place.at("parties", i, "signatures"), party.signatures, lambda s: s.name, "name")
    _unique(place.at("approvals"), doc.approvals, lambda a: a.organisation, "organisation")
    _unique(place.at("diary_numbers"), doc.diary_numbers, lambda d: (d.issuer, d.purpose), "purpose")
    _unique(place.at("goal_areas"), doc.goal_areas, lambda g: g.number, "number")
    numbers = {g.number for g in doc.goal_areas}
    for i, area in enumerate(doc.goal_areas):
        _unique(place.at("goal_areas", i, "sub_goals"), area.sub_goals, lambda s: s.number, "number")
        _unique(place.at("goal_areas", i, "focus_areas"), area.focus_areas, lambda f: f.number, "number")
    _unique(place.at("earmarks"), doc.earmarks, lambda e: e.label, "label")
    labels: set[str] = set()
    for i, earmark in enumerate(doc.earmarks):
        if earmark.parent is not None and earmark.parent not in labels:
            raise place.at("earmarks", i, "parent").error(
                f"okänd överordnad öronmärkning {earmark.parent!r} (den ska stå före)"
            )
        for j, number in enumerate(earmark.goal_areas):
            if number not in numbers:
                raise place.at("earmarks", i, "goal_areas", j).error(f"okänt målområde {number}")
        labels.add(earmark.label)
    _unique(place.at("budgets"), doc.budgets, lambda b: b.year, "year")
    for i, budget in enumerate(doc.budgets):
        if budget.year not in doc.years:
            raise place.at("budgets", i, "year").error(f"år {budget.year} ligger utanför beslutets period")
        lines = place.at("budgets", i, "lines")
        _unique(lines, budget.lines, lambda line: (line.goal_area, line.recipient), "recipient")
        for j, line in enumerate(budget.lines):
            if line.goal_area not in numbers:
                raise lines.at(j, "goal_area").error(f"okänt målområde {line.goal_area}")
    rules = place.at("allocation_rules")
    _unique(rules, doc.allocation_rules, lambda r: (r.recipient, r.first_year), "first_year")
    for i, rule in enumerate(doc.allocation_rules):
        _years_ordered(rules.at(i), rule.first_year, rule.last_year, "last_year")


def decision_document_parse(data: Any, *, file: str) -> DecisionDocument:
    """A decision standing alone (`jamkoll decision import`, the API): the schema, the references
    inside it, and the programme it belongs to, which only a decision on its own names."""
    place = Place(file)
    doc = document_parse(DecisionDocument, data, place=place)
    if doc.programme is None:
        raise place.at("programme").error("nyckeln saknas: ange satsningens kortnamn")
    decision_document_check(doc, place)
    return doc


def programmes_document_parse(data: Any, *, file: str) -> ProgrammesDocument:
    place = Place(file)
    doc = document_parse(ProgrammesDocument, data, place=place)
    appropriations = place.at("appropriations")
    _unique(appropriations, doc.appropriations, lambda a: a.key, "key")
    for i, appropriation in enumerate(doc.appropriations):
        if appropriation_key_parts(appropriation.key) != appropriation.parts:
            raise appropriations.at(i, "key").error(
                "nyckeln stämmer inte med utgiftsområde, anslag och anslagspost "
                f"(ska vara uo{appropriation.expenditure_area}-{appropriation.appropriation}"
                f"-{appropriation.item})"
            )
    _unique(place.at("programmes"), doc.programmes, lambda p: p.slug, "slug")
    slugs: set[str] = set()
    for i, programme in enumerate(doc.programmes):
        at = place.at("programmes", i)
        _years_ordered(at, programme.start_year, programme.end_year, "end_year")
        for j, decision in enumerate(programme.decisions):
            where = at.at("decisions", j)
            if decision.programme not in (None, programme.slug):
                raise where.at("programme").error(
                    f"beslutet står under satsningen {programme.slug!r}; utelämna nyckeln"
                )
            if decision.slug in slugs:
                raise where.at("slug").error(f"{decision.slug!r} förekommer två gånger")
            slugs.add(decision.slug)
            decision_document_check(decision, where)
    return doc


def appropriation_key_parts(key: str) -> tuple[int, str, int]:
    """ "uo13-3:1-12" → (13, "3:1", 12)."""
    match = APPROPRIATION_KEY.fullmatch(key)
    if match is None:
        raise ValueError(f"ogiltig anslagsnyckel {key!r}")
    return int(match[1]), match[2], int(match[3])


# --- documents.json: the decisions' documents, held whole (issue 13, class 8) -----------------

SectionText = Annotated[str, StringConstraints(min_length=1, max_length=SECTION_TEXT_MAX)]
SectionKey = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=60)]


class SectionDoc(Document):
    key: SectionKey
    number: Annotated[str, StringConstraints(pattern=r"^([0-9]{1,2}(\.[0-9]{1,2})?)?$", max_length=10)] = ""
    heading: ShortText = ""
    text: SectionText


class SourceDocumentDoc(Document):
    seed: Annotated[str, StringConstraints(pattern=r"^[0-9]{3}$")]
    decision: Annotated[str, StringConstraints(pattern=r"^[a-z0-9-]+$", max_length=80)]
    kind: Annotated[DocumentKind, CHOICE]
    date: DocDate | None = None
    sections: Annotated[list[SectionDoc], Field(min_length=1, max_length=200)]


class DocumentsFile(Document):
    documents: Items[SourceDocumentDoc]


def documents_file_parse(data: Any, *, file: str) -> DocumentsFile:
    place = Place(file)
    doc = document_parse(DocumentsFile, data, place=place)
    _unique(place.at("documents"), doc.documents, lambda d: (d.decision, d.seed), "seed")
    for i, d in enumerate(doc.documents):
        _unique(place.at("documents", i, "sections"), d.sections, lambda s: s.key, "key")
    return doc
