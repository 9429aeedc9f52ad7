"""Reads for programmes, decisions, budgets and allocations. Totals are computed here, at read
time, from the rows."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db import connection
from django.db.models import F, Prefetch, Q, QuerySet
from django.utils.translation import gettext

from jamkoll.accounts.policy import require
from jamkoll.errors import NotFound
from jamkoll.money import to_str
from jamkoll.reference.models import Organisation, OrganisationKind
from jamkoll.reference.selectors import names_on
from jamkoll.validation import YEAR_MAX, YEAR_MIN, int_param

from .models import (
    Allocation,
    AllocationRule,
    Budget,
    BudgetLine,
    Condition,
    DocumentSection,
    Earmark,
    FundingDecision,
    GoalArea,
    GoalAreaSubGoal,
    Party,
    Programme,
    Recipient,
    SourceDocument,
)


def as_of(year: int) -> dt.date:
    """The date a yearly figure is about: names are shown as valid at the end of that year."""
    return dt.date(year, 12, 31)


def recipient_short_name(*, decision: FundingDecision, on: dt.date) -> str:
    """The decision's recipient's short name valid on `on` (SKL before 2019-11-27, SKR after)."""
    if decision.recipient is None:
        return gettext("mottagaren")
    # A page asks once per row (each budget line, each lock reason): the names are read once per
    # decision object.
    known: dict[dt.date, str] = decision.__dict__.setdefault("_recipient_short_names", {})
    if on not in known:
        known[on] = decision.recipient.short_name_at(on)
    return known[on]


def recipient_names(*, decision: FundingDecision, on: dt.date) -> dict[str, str]:
    """A budget line's recipient (its stored code) as a table names it on `on`: the decision's
    recipient's short name then, or RSS."""
    return {Recipient.SKR.value: recipient_short_name(decision=decision, on=on), Recipient.RSS.value: "RSS"}


def programme_list() -> QuerySet[Programme]:
    return Programme.objects.prefetch_related(
        Prefetch("decisions", queryset=FundingDecision.objects.order_by("start_year", "slug"))
    ).order_by("-start_year", "title")


def programme_get(*, slug: str) -> Programme:
    try:
        return programme_list().get(slug=slug)
    except Programme.DoesNotExist:
        raise NotFound(gettext("okänd satsning: %(slug)r") % {"slug": slug}) from None


def decision_list() -> QuerySet[FundingDecision]:
    return FundingDecision.objects.select_related("programme").order_by("start_year", "slug")


def decision_get(*, slug: str) -> FundingDecision:
    decision = (
        FundingDecision.objects.select_related(
            "programme", "appropriation", "grantor", "responsible_ministry", "recipient"
        )
        .prefetch_related(
            "grantor__names",
            "recipient__names",
            "responsible_ministry__names",
            Prefetch(
                "parties",
                queryset=Party.objects.select_related("organisation", "acting_through").prefetch_related(
                    "signatures", "organisation__names", "acting_through__names"
                ),
            ),
            "approvals__organisation__names",
            "diary_numbers__issuer__names",
            Prefetch("conditions", queryset=Condition.objects.select_related("document_section__document")),
            Prefetch(
                "goal_areas",
                queryset=GoalArea.objects.select_related("document_section__document").prefetch_related(
                    Prefetch(
                        "goalareasubgoal_set", queryset=GoalAreaSubGoal.objects.select_related("sub_goal")
                    ),
                    "strategy_objectives",
                    "focus_areas",
                ),
            ),
            Prefetch("earmarks", queryset=Earmark.objects.select_related("document_section__document")),
            "earmarks__goal_areas",
            Prefetch(
                "allocation_rules",
                queryset=AllocationRule.objects.select_related("document_section__document"),
            ),
            "allocation_rules__overrides__county__names",
            "documents",
        )
        .filter(slug=slug)
        .first()
    )
    if decision is None:
        known = ", ".join(FundingDecision.objects.order_by("slug").values_list("slug", flat=True))
        raise NotFound(gettext("okänt beslut: %(slug)r (kända: %(known)s)") % {"slug": slug, "known": known})
    return decision


def decisions_with_budgets() -> list[FundingDecision]:
    """Decisions that have yearly budgets, with their years: the index of plans and ledgers."""
    return list(
        FundingDecision.objects.filter(budgets__isnull=False)
        .select_related("programme")
        .distinct()
        .order_by("start_year", "slug")
    )


def decision_brief(*, slug: str) -> FundingDecision:
    """A decision with its programme and goal areas only: for pages that need no parties."""
    decision = (
        FundingDecision.objects.select_related("programme")
        .prefetch_related("goal_areas")
        .filter(slug=slug)
        .first()
    )
    if decision is None:
        raise NotFound(gettext("okänt beslut: %(slug)r") % {"slug": slug})
    return decision


def budget_get(*, decision: FundingDecision, year: int) -> Budget:
    if year not in decision.years:
        raise NotFound(_outside(year, decision))
    budget = (
        Budget.objects.filter(decision=decision, year=year)
        .select_related("document_section__document")
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=BudgetLine.objects.select_related(
                    "goal_area", "document_section__document"
                ).order_by("goal_area__number", "-recipient"),
            )
        )
        .first()
    )
    if budget is None:
        raise NotFound(
            gettext("ingen budget för %(slug)s år %(year)s") % {"slug": decision.slug, "year": year}
        )
    return budget


@dataclass(frozen=True)
class LineRow:
    goal_area: int
    goal_area_title: str
    recipient: str
    recipient_label: str
    amount: Decimal | None
    source: str
    # the section of the held document the line comes from (None: not stated, or a user's row)
    section: DocumentSection | None = None


@dataclass(frozen=True)
class CountyRow:
    code: str
    name: str
    amount: Decimal


@dataclass(frozen=True)
class AllocationTable:
    decision: FundingDecision
    year: int
    total: Decimal | None
    lines: list[LineRow]
    counties: list[CountyRow]
    recipient_name: str
    note: str
    section: DocumentSection | None = None

    @property
    def county_total(self) -> Decimal:
        return sum((c.amount for c in self.counties), Decimal("0.00"))

    @property
    def decided_total(self) -> Decimal:
        return sum((line.amount for line in self.lines if line.amount is not None), Decimal("0.00"))

    @property
    def undecided(self) -> bool:
        return self.total is None or any(line.amount is None for line in self.lines)

    @property
    def max_county_amount(self) -> Decimal:
        return max((c.amount for c in self.counties), default=Decimal("0.00"))


def allocation_table(*, decision: FundingDecision, year: int) -> AllocationTable:
    budget = budget_get(decision=decision, year=year)
    on = as_of(year)
    recipient_name = recipient_short_name(decision=decision, on=on)
    lines = [
        LineRow(
            goal_area=line.goal_area.number,
            goal_area_title=line.goal_area.title,
            recipient=line.recipient,
            recipient_label=(
                gettext("Medel till %(name)s") % {"name": recipient_name}
                if line.recipient == Recipient.SKR
                else str(Recipient(line.recipient).label)
            ),
            amount=line.amount,
            source=line.source,
            section=line.document_section,
        )
        for line in budget.lines.all()
    ]
    allocations = (
        Allocation.objects.filter(budget_line__budget=budget)
        .select_related("county")
        .prefetch_related("county__names")
        .order_by("county__code")
    )
    counties = [CountyRow(a.county.code, a.county.name_at(on), a.amount) for a in allocations]
    return AllocationTable(
        decision=decision,
        year=year,
        total=budget.total,
        lines=lines,
        counties=counties,
        recipient_name=recipient_name,
        note=budget.note,
        section=budget.document_section,
    )


def condition_addressee(*, decision: FundingDecision, kind: str, year: int) -> Organisation | None:
    """The organisation that the decision's condition of `kind` names for `year` (the financial
    report goes to Kammarkollegiet): the condition stated for the year, or else the latest one
    stated before it, which the decision carries over; None when no condition names one."""
    condition = (
        decision.conditions.filter(kind=kind, addressee__isnull=False)
        .filter(Q(year__lte=year) | Q(year__isnull=True))
        .select_related("addressee")
        .order_by(F("year").desc(nulls_last=True), "position")
        .first()
    )
    return condition.addressee if condition is not None else None


def budgets_for_decision(*, decision: FundingDecision) -> list[AllocationTable]:
    return [allocation_table(decision=decision, year=b.year) for b in decision.budgets.order_by("year")]


# The apps whose rows a programme page shows (decisions and what they hold; organisations' names).
_STAMPED_APPS = ("programmes", "reference")


@functools.cache
def _content_stamp_sql() -> str:
    parts = []
    for app in _STAMPED_APPS:
        for model in apps.get_app_config(app).get_models(include_auto_created=True):
            table = connection.ops.quote_name(model._meta.db_table)
            if model.__name__.startswith("Historical"):
                # The count too: a transaction that took a lower history id may commit after
                # one with a higher id was already seen.
                parts.append(f"(SELECT MAX(history_id) FROM {table})")
                parts.append(f"(SELECT COUNT(*) FROM {table})")
            elif not hasattr(model, "history"):
                parts.append(f"(SELECT COUNT(*) FROM {table})")
                parts.append(f"(SELECT MAX(id) FROM {table})")
    return "SELECT " + ", ".join(sorted(parts))


def content_stamp() -> tuple[Any, ...]:
    """What changes whenever a row a programme page shows is created, changed or deleted through
    the application: the newest history row and the number of them of every kept model of the
    programmes and reference apps, and the size and newest id of the link tables kept without
    history (a goal area's strategy objectives and focus areas: added or removed, never changed).
    One query over the history of decisions and organisations only: it grows with their edits,
    not with plans, ledgers or reports."""
    with connection.cursor() as cursor:
        cursor.execute(_content_stamp_sql())
        return tuple(cursor.fetchone())


def county_name_map(on: dt.date) -> dict[str, str]:
    return dict(names_on(Organisation.objects.filter(kind=OrganisationKind.LAN), on))


def county_choices(on: dt.date) -> list[tuple[str, str]]:
    """The counties as a select list's choices: code and "code name" on `on`."""
    return [(code, f"{code} {name}") for code, name in county_name_map(on).items()]


def _year_number(year: int | str) -> int:
    number = int_param(year, minimum=YEAR_MIN, maximum=YEAR_MAX)
    if number is None:
        raise NotFound(gettext("ogiltigt år %(year)r") % {"year": str(year)[:20]})
    return number


def _year_in(decision: FundingDecision, number: int) -> None:
    if number not in decision.years:
        raise NotFound(_outside(number, decision))


def decision_year_get(*, slug: str, year: int | str) -> tuple[FundingDecision, int]:
    """A decision and one of its years, from user input; NotFound names what is wrong."""
    number = _year_number(year)
    decision = decision_get(slug=slug)
    _year_in(decision, number)
    return decision, number


def decision_year_for_user(
    *, actor: Any, action: str, slug: str, year: int | str, obj: Any = None, full: bool = False
) -> tuple[FundingDecision, int]:
    """The one access helper for "a decision and one of its years" (web, API and CLI alike, in the
    shape of healthchecks' `_get_check_for_user`): the decision and the year if `actor` may do
    `action` (on `obj`, e.g. a county code), else `PermissionDenied` with the policy's reason;
    `NotFound` for an unknown decision or a year outside its period. `full` loads the parties and
    the rest of `decision_get`; otherwise the brief form (programme and goal areas)."""
    require(actor, action, obj)
    number = _year_number(year)
    decision = decision_get(slug=slug) if full else decision_brief(slug=slug)
    _year_in(decision, number)
    return decision, number


def allocation_dict(table: AllocationTable) -> dict[str, object]:
    """The CLI and API form of a year's allocation (DESIGN §5), amounts as decimal strings."""
    return {
        "decision": table.decision.slug,
        "year": table.year,
        "total": to_str(table.total),
        "decided": not table.undecided,
        "lines": [
            {
                "goal_area": line.goal_area,
                "recipient": line.recipient,
                "amount": to_str(line.amount),
                "decided": line.amount is not None,
            }
            for line in table.lines
        ],
        "counties": [{"code": c.code, "name": c.name, "amount": to_str(c.amount)} for c in table.counties],
    }


def _outside(year: int, decision: FundingDecision) -> str:
    return gettext("år %(year)s ligger utanför beslutets period %(period)s (%(slug)s)") % {
        "year": year,
        "period": decision.period,
        "slug": decision.slug,
    }


# Small reads for the ledger (which reads programmes' data only through this module).


def allocation_amounts(*, budget: Budget) -> dict[str, Decimal]:
    """Each county's allocation in a year's budget: county code -> amount."""
    rows = Allocation.objects.filter(budget_line__budget=budget).values_list("county__code", "amount")
    return dict(rows)


def budget_years() -> set[tuple[int, int]]:
    """(decision id, year) of every budget."""
    return set(Budget.objects.values_list("decision_id", "year"))


def decisions_by_id(ids: Iterable[int]) -> dict[int, FundingDecision]:
    return FundingDecision.objects.in_bulk(set(ids))


def _code(org: Organisation | None) -> str | None:
    return org.code if org is not None else None


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day is not None else None


def decision_document_dump(decision: FundingDecision) -> dict[str, Any]:
    """The decision as a document (`programmes.schemas.DecisionDocument`, standing alone, so with
    its `programme`): what `GET /api/v1/decisions/{slug}` returns and what the web form starts
    from. Parsed and registered again, it changes nothing (a budget line that the year's plan
    decided is given as the decision left it: open)."""
    d = (
        FundingDecision.objects.select_related(
            "programme", "appropriation", "grantor", "responsible_ministry", "recipient"
        )
        .prefetch_related(
            Prefetch(
                "parties",
                queryset=Party.objects.select_related("organisation", "acting_through")
                .prefetch_related("signatures")
                .order_by("position", "pk"),
            ),
            "approvals__organisation",
            "diary_numbers__issuer",
            Prefetch(
                "conditions", queryset=Condition.objects.select_related("addressee").order_by("position")
            ),
            Prefetch(
                "goal_areas",
                queryset=GoalArea.objects.order_by("number").prefetch_related(
                    Prefetch(
                        "goalareasubgoal_set", queryset=GoalAreaSubGoal.objects.select_related("sub_goal")
                    ),
                    "strategy_objectives",
                    "focus_areas",
                ),
            ),
            Prefetch(
                "earmarks",
                queryset=Earmark.objects.select_related("parent")
                .prefetch_related("goal_areas")
                .order_by("position"),
            ),
            Prefetch(
                "budgets",
                queryset=Budget.objects.order_by("year").prefetch_related(
                    Prefetch(
                        "lines",
                        # as the decisions' tables list them: SKR's line before the counties'
                        queryset=BudgetLine.objects.select_related("goal_area").order_by(
                            "goal_area__number", "-recipient"
                        ),
                    )
                ),
            ),
            Prefetch(
                "allocation_rules",
                queryset=AllocationRule.objects.order_by("recipient", "first_year").prefetch_related(
                    "overrides__county"
                ),
            ),
        )
        .get(pk=decision.pk)
    )
    appropriation = d.appropriation
    return {
        "programme": d.programme.slug,
        "slug": d.slug,
        "kind": d.kind,
        "title": d.title,
        "start_year": d.start_year,
        "end_year": d.end_year,
        "amount_per_year": to_str(d.amount_per_year),
        "amount_total": to_str(d.amount_total),
        "amount_note": d.amount_note,
        "decided_on": _iso(d.decided_on),
        "grantor": _code(d.grantor),
        "responsible_ministry": _code(d.responsible_ministry),
        "recipient": _code(d.recipient),
        "appropriation": (
            f"uo{appropriation.expenditure_area}-{appropriation.appropriation}-{appropriation.item}"
            if appropriation is not None
            else None
        ),
        "purpose": d.purpose,
        "focus": d.focus,
        "application_based": d.application_based,
        "applications_until": d.applications_until,
        "validity_condition": d.validity_condition,
        "note": d.note,
        "source": d.source,
        "parties": [
            {
                "organisation": p.organisation.code,
                "acting_through": _code(p.acting_through),
                "label": p.label,
                "signatures": [
                    {
                        "name": s.signatory_name,
                        "title": s.signatory_title,
                        "place": s.place,
                        "date": _iso(s.signed_on),
                        "source": s.source,
                    }
                    for s in p.signatures.all()
                ],
            }
            for p in d.parties.all()
        ],
        "approvals": [
            {"organisation": a.organisation.code, "body": a.body, "source": a.source}
            for a in sorted(d.approvals.all(), key=lambda a: a.pk)
        ],
        "diary_numbers": [
            {
                "issuer": n.issuer.code,
                "purpose": n.purpose,
                "number": n.number,
                "required": n.required_on_documents,
                "source": n.source,
            }
            for n in sorted(d.diary_numbers.all(), key=lambda n: n.pk)
        ],
        "conditions": [
            {
                "kind": c.kind,
                "year": c.year,
                "text": c.text,
                "section": c.section,
                "addressee": _code(c.addressee),
                "source": c.source,
                "due_date": _iso(c.due_date),
            }
            for c in d.conditions.all()
        ],
        "goal_areas": [
            {
                "number": g.number,
                "title": g.title,
                "text": g.text,
                "budget_text": g.budget_text,
                "sub_goals": [
                    {"number": link.sub_goal.number, "emphasis": link.emphasis}
                    for link in sorted(g.goalareasubgoal_set.all(), key=lambda link: link.sub_goal.number)
                ],
                "strategy_objectives": sorted(o.number for o in g.strategy_objectives.all()),
                "focus_areas": [
                    {"number": f.number, "text": f.text, "source": f.source}
                    for f in sorted(g.focus_areas.all(), key=lambda f: f.number)
                ],
                "source": g.source,
            }
            for g in d.goal_areas.all()
        ],
        "earmarks": [
            {
                "label": e.label,
                "amount": to_str(e.amount),
                "parent": e.parent.label if e.parent is not None else None,
                "goal_areas": sorted(g.number for g in e.goal_areas.all()),
                "source": e.source,
            }
            for e in d.earmarks.all()
        ],
        "budgets": [
            {
                "year": b.year,
                "total": to_str(b.total),
                "source": b.source,
                "note": b.note,
                "lines": [
                    {
                        "goal_area": line.goal_area.number,
                        "recipient": line.recipient,
                        # A line the plan decided is, in the decision, open.
                        "amount": None if line.decided_by_plan else to_str(line.amount),
                        "source": line.source,
                    }
                    for line in b.lines.all()
                ],
            }
            for b in d.budgets.all()
        ],
        "allocation_rules": [
            {
                "recipient": r.recipient,
                "default_amount": to_str(r.default_amount),
                "first_year": r.first_year,
                "last_year": r.last_year,
                "overrides": {
                    o.county.code: to_str(o.amount)
                    for o in sorted(r.overrides.all(), key=lambda o: o.county.code)
                },
                "text": r.text,
                "source": r.source,
            }
            for r in d.allocation_rules.all()
        ],
    }


# --- the decisions' documents, held whole (issue 13, class 8) ---------------------------------

SEARCH_MAX = 200  # characters of a search in the documents


def decision_documents(*, decision: FundingDecision) -> list[SourceDocument]:
    """The documents a decision rests on, each with its sections in the document's order."""
    return list(
        SourceDocument.objects.filter(decision=decision)
        .prefetch_related(Prefetch("sections", queryset=DocumentSection.objects.order_by("position")))
        .order_by("position")
    )


@dataclass(frozen=True)
class SectionHit:
    """A section where a search is found, with the paragraphs that hold it."""

    section: DocumentSection
    paragraphs: list[str]


def _folded(text: str) -> str:
    return " ".join(text.split()).casefold()


def document_search(*, documents: Iterable[SourceDocument], query: str) -> list[SectionHit]:
    """The sections whose heading or text holds `query` (case and spacing ignored), in the
    documents' order, each with its paragraphs that hold it. An empty query finds nothing; the
    caller bounds its length (SEARCH_MAX)."""
    wanted = _folded(query)
    if not wanted:
        return []
    hits = []
    for document in documents:
        for section in document.sections.all():
            paragraphs = [p for p in section.text.split("\n\n") if wanted in _folded(p)]
            if paragraphs or wanted in _folded(section.heading):
                hits.append(SectionHit(section, paragraphs))
    return hits
