"""Writes for programmes: loading what the documents state, and generating allocations.

Everything runs inside one transaction per call: a data file with one bad field leaves the
database exactly as it was.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils import timezone

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
    DocumentSection,
    Earmark,
    FocusArea,
    FundingDecision,
    GoalArea,
    GoalAreaSubGoal,
    Party,
    Programme,
    Signature,
    SourceDocument,
)

if TYPE_CHECKING:  # the schemas (pydantic) are imported when a document is read
    from .schemas import DecisionDocument

FILE = "programmes.json"
DOCUMENTS_FILE = "documents.json"
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


def _in_use(exc: ProtectedError | RestrictedError) -> str:
    """What still refers to a row that a document no longer states: "2 aktiviteter, 1 post"."""
    counts: dict[str, int] = {}
    for obj in exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects:
        label = str(obj._meta.verbose_name_plural)
        counts[label] = counts.get(label, 0) + 1
    return ", ".join(f"{n} {label}" for label, n in sorted(counts.items()))


def _prune(
    stale: Iterable[models.Model], *, place: Place, report: SeedReport, what: Callable[[Any], str]
) -> None:
    """Delete rows the document no longer states, one by one (so the change history records each).
    A row that something else still uses (an activity's goal area, a ledger entry's line) is
    refused at `place`, naming what uses it; the caller's transaction then writes nothing."""
    for obj in stale:
        try:
            obj.delete()
        except (ProtectedError, RestrictedError) as exc:
            raise place.error(f"{what(obj)} kan inte tas bort: används av {_in_use(exc)}") from None
        report.count_deleted(type(obj))


def _load_decision(
    doc: DecisionDocument,
    *,
    place: Place,
    report: SeedReport,
    actor: Any,
    programme: Programme | None = None,
    prune: bool = False,
    records_from: dt.date | None = None,
) -> FundingDecision:
    """Write one decision and everything it states, as `doc` (validated and checked by
    `programmes.schemas`) gives it; the references to the database are resolved here, each a
    `SeedError` at its place. `programme`: the one it stands under in `programmes.json`; a decision
    standing alone names it (`doc.programme`). `actor`: who loads it (`programmes_seed` has asked
    the policy), passed on to `allocations_generate`.

    `prune`: the document is the whole decision, so what it no longer states — a party, a
    signature, a condition, a goal area, a budget year or line, a rule — is deleted (a decision
    registered again, `decision_write`). A condition that obligations still cite is refused here;
    the obligations app detaches them first and decides what may go (`obligations.registration`).

    `records_from`: the seed loader's day, stored as the decision's `records_from` when this
    creates it (never changed afterwards)."""
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
            "decided_on": doc.decided_on,
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
    if records_from is not None and getattr(decision, "_seed_created", False):
        # The day JämKoll began keeping this decision's records: set once, when the loader first
        # creates it; a later load leaves it as it is.
        decision.records_from = records_from
        decision.save(update_fields=["records_from"])

    def prune_rest(
        model: type[models.Model], keep: Iterable[int], at: Place, what: Callable[[Any], str], **lookup: Any
    ) -> None:
        if prune:
            stale = model._default_manager.filter(**lookup).exclude(pk__in=set(keep)).order_by("pk")
            _prune(stale, place=at, report=report, what=what)

    parties: list[int] = []
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
        parties.append(party.pk)
        signatures = [
            upsert(
                Signature,
                {"party": party, "signatory_name": s.name},
                {"signatory_title": s.title, "place": s.place, "signed_on": s.date, "source": s.source},
                report=report,
                place=at.at("signatures", j),
            ).pk
            for j, s in enumerate(p.signatures)
        ]
        prune_rest(Signature, signatures, at.at("signatures"), lambda s: f"underskriften {s}", party=party)
    prune_rest(Party, parties, place.at("parties"), lambda p: f"parten {p}", decision=decision)
    approvals: list[int] = []
    for i, a in enumerate(doc.approvals):
        at = place.at("approvals", i)
        approvals.append(
            upsert(
                Approval,
                {"decision": decision, "organisation": _org(a.organisation, at.at("organisation"))},
                {"body": a.body, "source": a.source},
                report=report,
                place=at,
            ).pk
        )
    prune_rest(Approval, approvals, place.at("approvals"), lambda a: f"godkännandet {a}", decision=decision)
    diary_numbers: list[int] = []
    for i, d in enumerate(doc.diary_numbers):
        at = place.at("diary_numbers", i)
        diary_numbers.append(
            upsert(
                DiaryNumber,
                {"decision": decision, "issuer": _org(d.issuer, at.at("issuer")), "purpose": d.purpose},
                {"number": d.number, "required_on_documents": d.required, "source": d.source},
                report=report,
                place=at,
            ).pk
        )
    prune_rest(
        DiaryNumber,
        diary_numbers,
        place.at("diary_numbers"),
        lambda d: f"diarienumret {d}",
        decision=decision,
    )
    conditions: list[int] = []
    for i, c in enumerate(doc.conditions):
        at = place.at("conditions", i)
        conditions.append(
            upsert(
                Condition,
                {"decision": decision, "kind": c.kind, "position": i},
                {
                    "year": c.year,
                    "text": c.text,
                    "section": c.section,
                    "addressee": _org(c.addressee, at.at("addressee")),
                    "source": doc.source if c.source is None else c.source,
                    "due_date": c.due_date,
                },
                report=report,
                place=at,
            ).pk
        )
    prune_rest(
        Condition,
        conditions,
        place.at("conditions"),
        lambda c: f"villkoret ”{c.get_kind_display()}” (nr {c.position + 1})",
        decision=decision,
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
        links = [
            upsert(
                GoalAreaSubGoal,
                {
                    "goal_area": area,
                    "sub_goal": _numbered(PolicySubGoal, link.number, at.at("sub_goals", j, "number")),
                },
                {"emphasis": link.emphasis, "source": g.source},
                report=report,
                place=at.at("sub_goals", j),
            ).pk
            for j, link in enumerate(g.sub_goals)
        ]
        prune_rest(GoalAreaSubGoal, links, at.at("sub_goals"), lambda s: f"kopplingen {s}", goal_area=area)
        objectives = [
            _numbered(StrategyObjective, number, at.at("strategy_objectives", j))
            for j, number in enumerate(g.strategy_objectives)
        ]
        set_m2m(area, "strategy_objectives", objectives, report)
        focus_areas = [
            upsert(
                FocusArea,
                {"goal_area": area, "number": f.number},
                {"text": f.text, "source": f.source},
                report=report,
                place=at.at("focus_areas", j),
            ).pk
            for j, f in enumerate(g.focus_areas)
        ]
        prune_rest(
            FocusArea, focus_areas, at.at("focus_areas"), lambda f: f"insatsområde {f.number}", goal_area=area
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
    if prune:  # children first: a parent's deletion would take its children along uncounted
        stale_earmarks = Earmark.objects.filter(decision=decision).exclude(
            pk__in=[e.pk for e in earmarks.values()]
        )
        children_first: list[Earmark] = sorted(stale_earmarks, key=lambda e: e.parent_id is None)
        _prune(
            children_first,
            place=place.at("earmarks"),
            report=report,
            what=lambda e: f"öronmärkningen {e}",
        )
    budgets: list[int] = []
    for i, b in enumerate(doc.budgets):
        at = place.at("budgets", i)
        budget = upsert(
            Budget,
            {"decision": decision, "year": b.year},
            {"total": b.total, "source": b.source, "note": b.note},
            report=report,
            place=at,
        )
        budgets.append(budget.pk)
        lines: list[int] = []
        for j, line in enumerate(b.lines):
            lookup = {"budget": budget, "goal_area": goal_areas[line.goal_area], "recipient": line.recipient}
            if line.amount is None:
                existing = BudgetLine.objects.filter(**lookup).first()
                if existing is not None and existing.decided_by_plan:
                    lines.append(existing.pk)
                    continue  # left open by the decision, decided by the year's fixed plan: kept
            lines.append(
                upsert(
                    BudgetLine,
                    lookup,
                    {"amount": line.amount, "decided_by": DecidedBy.DECISION, "source": line.source},
                    report=report,
                    place=at.at("lines", j),
                ).pk
            )
        if prune:
            stale_lines = BudgetLine.objects.filter(budget=budget).exclude(pk__in=lines)
            _prune_lines(stale_lines, place=at.at("lines"), report=report)
        try:
            budget_check(budget)
        except BudgetError as exc:
            raise at.error(" ".join(exc.messages)) from None
    if prune:
        for budget in Budget.objects.filter(decision=decision).exclude(pk__in=budgets).order_by("year"):
            _prune_lines(budget.lines.all(), place=place.at("budgets"), report=report)
            _prune(
                [budget], place=place.at("budgets"), report=report, what=lambda b: f"budgeten för {b.year}"
            )
    rules: list[AllocationRule] = []
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
        rules.append(rule)
        overrides: list[int] = []
        for code, amount in r.overrides.items():
            try:
                county = county_get(code=code)
            except NotFound:
                raise at.at("overrides", code).error(f"okänt län {code!r}") from None
            overrides.append(
                upsert(
                    AllocationRuleOverride,
                    {"rule": rule, "county": county},
                    {"amount": amount},
                    report=report,
                    place=at.at("overrides", code),
                ).pk
            )
        prune_rest(
            AllocationRuleOverride,
            overrides,
            at.at("overrides"),
            lambda o: f"beloppet för {o.county.code}",
            rule=rule,
        )
    # Every line a rule divides per county (the rules name their recipient line).
    for budget_line in BudgetLine.objects.filter(budget__decision=decision).select_related("budget"):
        try:
            made = allocations_generate(budget_line=budget_line, report=report, actor=actor)
        except AllocationError as exc:
            message = " ".join(exc.messages)
            raise place.at("allocation_rules").error(f"{budget_line}: {message}") from exc
        if prune and not made:  # no rule divides the line (any more)
            _prune(
                budget_line.allocations.all(),
                place=place.at("allocation_rules"),
                report=report,
                what=lambda a: f"fördelningen {a}",
            )
    if prune:
        stale_rules = AllocationRule.objects.filter(decision=decision).exclude(pk__in=[r.pk for r in rules])
        for rule in stale_rules:
            _prune(rule.overrides.all(), place=place.at("allocation_rules"), report=report, what=str)
            _prune(
                [rule],
                place=place.at("allocation_rules"),
                report=report,
                what=lambda r: f"fördelningsregeln {r}",
            )
        # Last: budget lines that named a removed goal area are gone by now.
        stale_areas = GoalArea.objects.filter(decision=decision).exclude(
            pk__in=[g.pk for g in goal_areas.values()]
        )
        for area in stale_areas.order_by("number"):
            _prune(area.goalareasubgoal_set.all(), place=place.at("goal_areas"), report=report, what=str)
            _prune(area.focus_areas.all(), place=place.at("goal_areas"), report=report, what=str)
            _prune(
                [area], place=place.at("goal_areas"), report=report, what=lambda g: f"målområde {g.number}"
            )
    return decision


def _prune_lines(lines: Iterable[BudgetLine], *, place: Place, report: SeedReport) -> None:
    """Budget lines the document no longer states, with their division per county."""
    for line in lines:
        _prune(line.allocations.all(), place=place, report=report, what=str)
        _prune([line], place=place, report=report, what=lambda b: f"budgetraden {b}")


def decision_write(
    doc: DecisionDocument, *, actor: Any, report: SeedReport | None = None, file: str = "beslut"
) -> FundingDecision:
    """Register one decision standing alone (`doc.programme` names its programme), or update the
    one with its slug: the document is the whole decision, so what it no longer states is deleted.
    All or nothing; a reference that does not resolve is a `SeedError` at its place in `file`.
    Obligations follow in `obligations.registration.decision_register`, which calls this."""
    require(actor, "programme.change")
    with transaction.atomic():
        return _load_decision(doc, place=Place(file), report=report or SeedReport(), actor=actor, prune=True)


@transaction.atomic
def programmes_seed(*, actor: Any, report: SeedReport | None = None) -> SeedReport:
    """Load everything seeds 000, 001, 002 and 004 state about programmes and money (`actor`: the
    seed loader, or whoever may change programmes)."""
    from .schemas import programmes_document_parse

    require(actor, "programme.change")
    report = report or SeedReport()
    doc = programmes_document_parse(read_json("jamkoll.programmes", FILE), file=FILE)
    place = Place(FILE)
    today = timezone.localdate()
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
            _load_decision(
                d,
                programme=programme,
                place=at.at("decisions", j),
                report=report,
                actor=actor,
                records_from=today,
            )
    documents_seed(report=report)
    sections_link(decisions=[d.slug for p in doc.programmes for d in p.decisions], report=report)
    return report


def documents_seed(*, report: SeedReport) -> None:
    """Hold the decisions' documents whole, section by section (`documents.json`: the text of
    seeds 000, 001, 002 and 004 verbatim). Called by `programmes_seed`, inside its transaction."""
    from jamkoll.reference.sources import SOURCES

    from .schemas import documents_file_parse

    doc = documents_file_parse(read_json("jamkoll.programmes", DOCUMENTS_FILE), file=DOCUMENTS_FILE)
    place = Place(DOCUMENTS_FILE)
    for i, d in enumerate(doc.documents):
        at = place.at("documents", i)
        decision = FundingDecision.objects.filter(slug=d.decision).first()
        if decision is None:
            raise at.at("decision").error(f"okänt beslut {d.decision!r}")
        if d.seed not in SOURCES:
            raise at.at("seed").error(f"okänd handling {d.seed!r} (saknas i reference.sources)")
        document = upsert(
            SourceDocument,
            {"decision": decision, "seed": d.seed},
            {"title": SOURCES[d.seed], "kind": d.kind, "dated": d.date, "position": i},
            report=report,
            place=at,
        )
        for j, sec in enumerate(d.sections):
            upsert(
                DocumentSection,
                {"document": document, "key": sec.key},
                {"number": sec.number, "heading": sec.heading, "text": sec.text, "position": j},
                report=report,
                place=at.at("sections", j),
            )


_CITATION = re.compile(r"seed (\d{3})([^;]*)")
_PARAGRAPH = re.compile(r"§\s*(\d{1,2}(?:\.\d{1,2})?)")
_NUMBER = re.compile(r"\d[\d ]*\d")
_SPACE = re.compile(r"\s+")


def normalised(text: str) -> str:
    """Whitespace collapsed: how a quotation is compared with a document's text."""
    return _SPACE.sub(" ", text).strip()


def quoted_parts(text: str) -> list[str]:
    """A quotation's parts around its elisions ("[…]"), each to be found in the source."""
    return [normalised(part) for part in text.split("[…]") if part.strip()]


def _amount_phrases(amount: Decimal | None) -> list[str]:
    """How a document may write an amount: "20 miljoner", "400 000 kronor"."""
    if amount is None or amount <= 0:
        return []
    phrases = [f"{int(amount):,} kronor".replace(",", " ")]
    millions = amount / Decimal(1_000_000)
    if millions == millions.to_integral_value():
        phrases.append(f"{int(millions)} miljoner")
    return phrases


def section_for(
    *, citation: str, decision: FundingDecision, quote: str = "", amount: Decimal | None = None
) -> DocumentSection | None:
    """The held section a data row's citation ("seed 001, bilaga 1 §4, §6.1, §7"; "seed 000;
    seed 002 (för 2018)") points to: of the sections it names (or, naming none, of the whole
    document), the first that holds the row's quotation, else its amount as the document writes
    it, else the numbers the citation quotes; failing that the first section it names by number.
    None when the citation names no held document."""
    fallback: DocumentSection | None = None
    for seed, rest in _CITATION.findall(citation):
        documents = SourceDocument.objects.filter(seed=seed).order_by("-decision_id")
        document = documents.filter(decision=decision).first() or documents.first()
        if document is None:
            continue
        sections = list(document.sections.all())
        numbers = _PARAGRAPH.findall(rest.split("(")[0])
        named = [s for n in numbers for s in sections if s.number == n]
        candidates = named or sections
        fallback = fallback or (named[0] if named else None)
        texts = [(s, normalised(f"{s.heading} {s.text}")) for s in candidates]
        parts = quoted_parts(quote)
        quoted = [n.strip() for n in _NUMBER.findall(rest[rest.find("(") :])] if "(" in rest else []
        # (hints, whether all must be found): the quotation's parts, the amount's spellings, the
        # numbers the citation quotes ("400 000 kr per län")
        for hints, needs_all in ((parts, True), (_amount_phrases(amount), False), (quoted, True)):
            if not hints:
                continue
            for section, text in texts:
                found = [h in text for h in hints]
                if all(found) if needs_all else any(found):
                    return section
    return fallback


def sections_link(*, decisions: list[str], report: SeedReport) -> None:
    """Link every condition, goal area, earmark, budget, budget line and allocation rule of the
    seeded `decisions` to the section of the held document it comes from, derived from its
    citation (`source`, or a condition's `section` under its decision's source). A row whose
    citation names no held document (a budget line "ej angivet i underlaget") keeps no link."""

    def link(obj: Any, section: DocumentSection | None) -> None:
        if obj.document_section_id != (section.pk if section else None):
            upsert(type(obj), {"pk": obj.pk}, {"document_section": section}, report=report)

    for decision in FundingDecision.objects.filter(slug__in=decisions).order_by("pk"):
        seeds = [seed for seed, _ in _CITATION.findall(decision.source)]
        for c in decision.conditions.all():
            citation = c.source if "seed " in c.source else "; ".join(f"seed {s}, {c.section}" for s in seeds)
            link(c, section_for(citation=citation, decision=decision, quote=c.text))
        for g in decision.goal_areas.all():
            link(g, section_for(citation=g.source, decision=decision, quote=g.text))
        for e in decision.earmarks.all():
            link(e, section_for(citation=e.source, decision=decision, amount=e.amount))
        for b in decision.budgets.all():
            link(b, section_for(citation=b.source, decision=decision, amount=b.total))
            for line in b.lines.all():
                link(line, section_for(citation=line.source, decision=decision, amount=line.amount))
        for r in decision.allocation_rules.all():
            link(r, section_for(citation=r.source, decision=decision, quote=r.text))


# Checks that apps above programmes (the ledger) register in their AppConfig.ready(), so that a
# change of a budget line's amount is refused when it would break their rules, without programmes
# importing them: guard(line, new_amount) -> problems (empty when fine).
BUDGET_LINE_GUARDS: list[Callable[[BudgetLine, Decimal], list[str]]] = []
# The same for the counties' allocations of a line: guard(line, {county code: new amount}) ->
# problems (a county's allocation below what it has already requisitioned).
ALLOCATION_GUARDS: list[Callable[[BudgetLine, dict[str, Decimal]], list[str]]] = []


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
    """Divide a recipient line per county by the decision's rule for that year. All or nothing;
    refused (`AllocationError`) when a county would get less than it has already requisitioned
    (ALLOCATION_GUARDS). The only way an allocation changes: the admin shows allocations only."""
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
        for guard in ALLOCATION_GUARDS:
            problems = guard(budget_line, amounts)
            if problems:
                raise AllocationError(f"{budget_line}: {problems[0]}")
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
