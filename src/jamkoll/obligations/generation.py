"""Obligations generated from the decisions' conditions, for both tiers (DESIGN §2, §7).

Everything an obligation says comes from the decision's data: the date from the condition's text
("senast den 31 mars 2019"), the party it is owed to from the condition's addressee (stated in the
decision's data beside the text: "ska lämnas till Kammarkollegiet"), or else the decision's
responsible ministry or grantor; the counties' obligations are owed to the decision's recipient.
No organisation is chosen by its code here.

Generation is idempotent (`seeding.upsert`): a second run writes nothing. It never overwrites what
people recorded: submissions, waivers, and a nominal date that someone rescheduled.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from jamkoll.accounts.models import Role
from jamkoll.accounts.policy import require
from jamkoll.money import format_sek
from jamkoll.programmes.models import Condition, FundingDecision
from jamkoll.programmes.selectors import as_of, budgets_for_decision, decision_list
from jamkoll.reference.models import Organisation, OrganisationCategory
from jamkoll.reference.selectors import county_list
from jamkoll.seeding import Existing, Place, SeedReport, read_json, upsert

from .deadlines import moved_because
from .models import Obligation, ObligationKind, ObligationOwner, Tier

MONTHS = {
    name: number
    for number, name in enumerate(
        [
            "januari",
            "februari",
            "mars",
            "april",
            "maj",
            "juni",
            "juli",
            "augusti",
            "september",
            "oktober",
            "november",
            "december",
        ],
        start=1,
    )
}
_STATED_DATE = re.compile(r"senast den (\d{1,2}) (" + "|".join(MONTHS) + r") (\d{4})", re.IGNORECASE)


def stated_date(text: str) -> dt.date | None:
    """The last day a condition states ("senast den 31 mars 2019"), or None when it states none."""
    match = _STATED_DATE.search(text)
    if match is None:
        return None
    try:
        return dt.date(int(match.group(3)), MONTHS[match.group(2).lower()], int(match.group(1)))
    except ValueError:  # "senast den 31 april": no such day, so no stated date
        return None


def _shift_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


# --- Who receives -------------------------------------------------------------------------------

# Who registers receipt at the receiving party, by what that party is (a mapping kept as data):
# the government offices and their ministries by the ministry officer; the agency an obligation to
# the state is owed to is the one that pays the grant out and takes it back (Kammarkollegiet),
# whose officers hold the treasury role. The decision's own recipient (SKR, which the counties
# owe) registers by its coordinator.
RECEIVER_ROLES: dict[str, Role] = {
    OrganisationCategory.GOVERNMENT: Role.MINISTRY,
    OrganisationCategory.MINISTRY: Role.MINISTRY,
    OrganisationCategory.AGENCY: Role.TREASURY,
}


def receiver_role_for(organisation: Organisation, decision: FundingDecision) -> str:
    """The role that registers receipt at the receiving party ("" when none of ours does)."""
    if organisation.pk == decision.recipient_id:
        return Role.COORDINATOR
    return RECEIVER_ROLES.get(organisation.category, "")


# --- The rules ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StateRule:
    """How a dated condition of a decision becomes the recipient's obligation towards the state."""

    owners: tuple[Role, ...]
    title: str  # {year}; {receiver}: the party's name in the year


# The requisition, the financial report and the activity reports are signed by SKR's authorised
# representative, and the ekonomichef certifies the financial report (seed 001 §8).
STATE_RULES: dict[str, StateRule] = {
    ObligationKind.PROJECT_PLAN: StateRule((Role.COORDINATOR,), "Förslag till projektplan för {year}"),
    ObligationKind.REQUISITION: StateRule(
        (Role.COORDINATOR, Role.SIGNATORY), "Rekvisition av medel för {year} från {receiver}"
    ),
    ObligationKind.REPAYMENT: StateRule(
        (Role.COORDINATOR,), "Återbetalning av medel för {year} som inte har använts"
    ),
    ObligationKind.FINANCIAL_REPORT: StateRule(
        (Role.COORDINATOR, Role.CERTIFIER, Role.SIGNATORY),
        "Ekonomisk redovisning för {year}, intygad av ekonomichefen",
    ),
    ObligationKind.ACTIVITY_REPORT: StateRule(
        (Role.COORDINATOR, Role.SIGNATORY), "Redovisning av hela arbetet inom satsningen {year}"
    ),
}

HALVES = (
    ("h1", (1, 1), (6, 30), "Halvårsrapport från styrgruppen, första halvåret {year}"),
    ("h2", (7, 1), (12, 31), "Halvårsrapport från styrgruppen, andra halvåret {year}"),
)

RSS_SOURCE = "seed 002"
RSS_SOURCE_TEXT = (
    "RSS ska få möjlighet att rekvirera dessa medel enligt instruktioner som SKL kommer att skicka ut "
    "i mars eller april, men detta är ännu inte klart."
)
# Seed 002 says the counties may requisition their share; no document states that they report to
# or repay the recipient, so no such obligation is generated (a user may register one with its own
# source: `registration.obligation_register`). {recipient}: the recipient's short name in the year.
RSS_RULES = (
    (
        ObligationKind.REQUISITION,
        "Rekvisition från {recipient} av RSS-medel för {year} ({amount}), {county}",
    ),
)

NOTE_DERIVED = (
    "JämKolls tolkning, inte överenskommelsens ord: {section} anger villkoret för {first} "
    "({day_month} {first_date_year}); JämKoll för över samma dag och månad till {year}. "
    "Ett senare beslut kan ange annat."
)
NOTE_STATUS = "Överenskommelsen anger att styrgruppen rapporterar halvårsvis men inga datum."
NOTE_APPLICATION = "SKR planerar nya ansökningar; underlaget anger inget datum."
NOTE_RSS = (
    "Underlagen anger inget datum: {recipient} skickar instruktioner till RSS. Datumet sätts för alla "
    "län samtidigt."
)
# What a document shows done without saying when (seed 003 is the 2018 activity report): kept as
# data, a list of {decision, key, evidence, text}.
FULFILLED_FILE = "fulfilled.json"
MONTH_NAMES = {number: name for name, number in MONTHS.items()}


def day_month(day: dt.date) -> str:
    """ "31 mars", as the documents write a date."""
    return f"{day.day} {MONTH_NAMES[day.month]}"


def rss_about(year: int) -> dt.date:
    """The day a county's requisition for `year` is about when no document dates it: SKL's
    instructions come in the spring of the year (seed 002), so the year's first day names the
    parties as they were then (SKL until 2019-11-26)."""
    return dt.date(year, 1, 1)


def citation(condition: Condition) -> str:
    """The condition's document and section as one citation: "seed 001, bilaga 1 §8"."""
    source, section = condition.source, condition.section
    if not section:
        return source
    head = section.split(" §")[0]
    if head in source:
        return source.replace(head, section, 1)
    if " " not in section:  # a bare name such as "pressmeddelandet" repeats the document
        return source
    return f"{source}, {section}"


@dataclass
class _Spec:
    key: str
    year: int
    kind: str
    tier: str
    title: str
    owed_by: Organisation
    owed_to: Organisation
    owners: tuple[Role, ...]
    source_text: str
    source: str
    condition: Condition | None = None
    county: Organisation | None = None
    derived: bool = False
    nominal_date: dt.date | None = None
    date_note: str = ""
    period_start: dt.date | None = None
    period_end: dt.date | None = None


def _state_specs(decision: FundingDecision) -> list[_Spec]:
    recipient = decision.recipient
    if recipient is None:
        return []
    ministry = decision.responsible_ministry or decision.grantor
    specs: list[_Spec] = []
    for condition in decision.conditions.all():
        owed_to = condition.addressee or ministry
        if owed_to is None:
            continue
        common: dict[str, Any] = {
            "kind": condition.kind,
            "owed_by": recipient,
            "owed_to": owed_to,
            "source_text": condition.text,
            "source": citation(condition),
            "condition": condition,
        }
        rule = STATE_RULES.get(condition.kind)
        if rule is not None and condition.year is not None:
            stated = condition.due_date or stated_date(condition.text)
            # Conditions stated for the first year carry over to the decision's later years.
            for year in [y for y in decision.years if y >= condition.year]:
                derived = year != condition.year
                specs.append(
                    _Spec(
                        key=f"{year}-{condition.kind}",
                        year=year,
                        tier=Tier.STATE,
                        title=rule.title.format(year=year, receiver=owed_to.name_at(as_of(year))),
                        owners=rule.owners,
                        derived=derived,
                        nominal_date=_shift_years(stated, year - condition.year) if stated else None,
                        date_note=_derived_note(condition, stated, year) if derived else "",
                        **common,
                    )
                )
        elif condition.kind == ObligationKind.STATUS_REPORT:
            for year in decision.years:
                for half, (m1, d1), (m2, d2), title in HALVES:
                    specs.append(
                        _Spec(
                            key=f"{year}-{ObligationKind.STATUS_REPORT}-{half}",
                            year=year,
                            tier=Tier.STATE,
                            title=title.format(year=year),
                            owners=(Role.COORDINATOR,),
                            period_start=dt.date(year, m1, d1),
                            period_end=dt.date(year, m2, d2),
                            date_note=NOTE_STATUS,
                            **common,
                        )
                    )
        elif condition.kind == ObligationKind.APPLICATION and decision.applications_until:
            if decision.end_year is None:
                continue
            for year in range(decision.end_year + 1, decision.applications_until + 1):
                specs.append(
                    _Spec(
                        key=f"{year}-{ObligationKind.APPLICATION}",
                        year=year,
                        tier=Tier.STATE,
                        title=f"Ansökan om medel för {year}",
                        # Drafted by the coordinator, signed by SKR's authorised representative,
                        # who may also hand it in (as the requisition).
                        owners=(Role.COORDINATOR, Role.SIGNATORY),
                        date_note=NOTE_APPLICATION,
                        **common,
                    )
                )
    return specs


def _derived_note(condition: Condition, stated: dt.date | None, year: int) -> str:
    section = condition.section or citation(condition)
    if stated is None:
        return (
            f"JämKolls tolkning, inte överenskommelsens ord: {section} anger villkoret för "
            f"{condition.year}; JämKoll för över det till {year}. Ett senare beslut kan ange annat."
        )
    return NOTE_DERIVED.format(
        section=section,
        first=condition.year,
        day_month=day_month(stated),
        first_date_year=stated.year,
        year=year,
    )


def _rss_specs(decision: FundingDecision) -> list[_Spec]:
    """Each county may requisition its share from the decision's recipient, per year the decision
    allocates to the counties (seed 002). Nothing else: no document states a county's report or
    repayment to the recipient."""
    recipient = decision.recipient
    if recipient is None:
        return []
    counties = {c.code: c for c in county_list()}
    specs: list[_Spec] = []
    for table in budgets_for_decision(decision=decision):
        for row in table.counties:
            county = counties[row.code]
            name = county.name_at(as_of(table.year))
            receiver = recipient.short_name_at(rss_about(table.year))
            for kind, title in RSS_RULES:
                specs.append(
                    _Spec(
                        key=f"{table.year}-{kind}-{Tier.RSS}-{row.code}",
                        year=table.year,
                        kind=kind,
                        tier=Tier.RSS,
                        title=title.format(
                            year=table.year, amount=format_sek(row.amount), county=name, recipient=receiver
                        ),
                        owed_by=county,
                        owed_to=recipient,
                        owners=(Role.RSS,),
                        county=county,
                        source_text=RSS_SOURCE_TEXT,
                        source=RSS_SOURCE,
                        date_note=NOTE_RSS.format(recipient=receiver),
                    )
                )
    return specs


def _save_spec(
    decision: FundingDecision, spec: _Spec, report: SeedReport, known: Existing[Obligation]
) -> Obligation:
    values: dict[str, Any] = {
        "year": spec.year,
        "kind": spec.kind,
        "tier": spec.tier,
        "title": spec.title,
        "owed_by": spec.owed_by,
        "owed_to": spec.owed_to,
        "county": spec.county,
        "receiver_role": receiver_role_for(spec.owed_to, decision),
        "condition": spec.condition,
        "source_text": spec.source_text,
        "source": spec.source,
        "derived": spec.derived,
        "period_start": spec.period_start,
        "period_end": spec.period_end,
        "nominal_date": spec.nominal_date,
        "date_note": spec.date_note,
    }
    lookup = {"decision": decision, "key": spec.key}
    existing = known.get(lookup)
    if existing is not None and existing.rescheduled_at is not None:
        # Someone decided another date with a reason; the documents do not overrule that.
        del values["nominal_date"], values["date_note"]
    obligation = upsert(Obligation, lookup, values, report=report, existing=known)
    wanted = {str(role) for role in spec.owners}
    have = {owner.role for owner in obligation.owners.all()}  # prefetched by `known`
    for role in sorted(wanted - have):
        upsert(ObligationOwner, {"obligation": obligation, "role": role}, report=report)
    if have - wanted:
        for owner in obligation.owners.filter(role__in=have - wanted):
            owner.delete()
        report.count(ObligationOwner, False, True)
    return obligation


def _stated_year(spec: _Spec) -> int:
    return (spec.condition.year or 0) if spec.condition is not None else 0


def _decisions() -> QuerySet[FundingDecision]:
    """Decisions with conditions, with what generation reads."""
    return (
        decision_list()
        .filter(conditions__isnull=False)
        .distinct()
        .select_related("recipient", "responsible_ministry", "grantor")
        .prefetch_related(Prefetch("conditions", queryset=Condition.objects.select_related("addressee")))
    )


def _specs(decision: FundingDecision) -> dict[str, _Spec]:
    specs: dict[str, _Spec] = {}
    for spec in _state_specs(decision) + _rss_specs(decision):
        # The latest condition wins: one stated for the year itself over one carried over to
        # it, and one carried over from 2019 over one carried over from 2018.
        if spec.key not in specs or _stated_year(spec) > _stated_year(specs[spec.key]):
            specs[spec.key] = spec
    return specs


def acted_on(obligation: Obligation) -> bool:
    """Someone recorded something on it: a submission or closure, a waiver, another date, a
    document showing it done. Such an obligation is never removed by generating again."""
    return (
        obligation.submitted_on is not None
        or obligation.waived_at is not None
        or obligation.rescheduled_at is not None
        or bool(obligation.evidence)
    )


def generated_q() -> Q:
    """The obligations that generation made (not those a user registered with their own source)."""
    return Q(registered_at__isnull=True)


@dataclass
class GenerationResult:
    """What `obligations_generate` removed (generated earlier, no longer following from any
    document, nothing recorded on them) and kept (the same, but someone acted on them)."""

    removed: list[str]
    kept: list[str]


def _prune_generated(
    decision: FundingDecision, keys: set[str], report: SeedReport, result: GenerationResult
) -> None:
    stale = (
        Obligation.objects.filter(decision=decision)
        .filter(generated_q())
        .exclude(key__in=keys)
        .order_by("key")
    )
    for obligation in stale:
        label = f"{decision.slug}/{obligation.key}"
        if acted_on(obligation):
            result.kept.append(label)
            continue
        obligation.delete()
        report.count_deleted(Obligation)
        result.removed.append(label)


def _apply_fulfilled(report: SeedReport) -> None:
    """What the documents show done without a date (`data/fulfilled.json`)."""
    for i, row in enumerate(read_json("jamkoll.obligations", FULFILLED_FILE)):
        place = Place(FULFILLED_FILE).at(i)
        obligation = Obligation.objects.filter(decision__slug=row["decision"], key=row["key"]).first()
        if obligation is None:
            raise place.at("key").error(f"okänt åtagande {row['decision']}/{row['key']}")
        if obligation.waived_at is not None:
            continue
        upsert(
            Obligation,
            {"pk": obligation.pk},
            {"evidence": row["evidence"], "evidence_text": row.get("text", "")},
            report=report,
            place=place,
        )


@transaction.atomic
def obligations_generate(
    *, actor: Any, report: SeedReport | None = None, result: GenerationResult | None = None
) -> SeedReport:
    """Every obligation the decisions' conditions set, for both tiers, and what the documents show
    done. Idempotent. An obligation generated earlier that no longer follows from a document is
    removed, unless someone acted on it (`acted_on`): those are kept and listed in `result.kept`.
    Obligations users registered with their own source are left alone. The seed loader passes
    `SEED_LOADER`; a user must be allowed to change the programmes."""
    require(actor, "programme.change")
    report = report or SeedReport()
    result = result if result is not None else GenerationResult(removed=[], kept=[])
    for decision in _decisions():
        specs = _specs(decision)
        # The decision's obligations with their owners, read once (issue 16).
        rows = Obligation.objects.filter(decision=decision).prefetch_related("owners")
        known = Existing(Obligation, ("decision", "key"), rows)
        for spec in specs.values():
            _save_spec(decision, spec, report, known)
        _prune_generated(decision, set(specs), report, result)
    _apply_fulfilled(report)
    return report


# --- One decision, with what changed --------------------------------------------------------------

# What a user sees of an obligation: a change to any of these is reported as a change.
_SHOWN = (
    "title",
    "kind",
    "year",
    "tier",
    "county_id",
    "owed_by_id",
    "owed_to_id",
    "nominal_date",
    "effective_date",
    "source_text",
    "date_note",
    "period_start",
    "period_end",
)


class Change(models.TextChoices):
    CREATED = "created", _("ny")
    CHANGED = "changed", _("ändras")
    REMOVED = "removed", _("tas bort")
    UNCHANGED = "unchanged", _("oförändrad")


@dataclass(frozen=True)
class ObligationChange:
    """One obligation of a decision as a registration leaves it (or would leave it, in a preview)."""

    change: Change
    key: str
    title: str
    kind: str
    tier: str
    year: int
    county: str | None
    nominal_date: dt.date | None
    effective_date: dt.date | None
    # Why the effective date is later than the nominal one: "en helgdag (nationaldagen)", "en lördag".
    moved_because: str | None
    fields: tuple[str, ...] = ()  # what changed (Swedish field names)
    submitted_on: dt.date | None = None
    waived: bool = False

    @property
    def kind_label(self) -> str:
        return str(ObligationKind(self.kind).label) if self.kind in ObligationKind.values else self.kind

    @property
    def change_label(self) -> str:
        return str(self.change.label)

    @property
    def moved(self) -> bool:
        return self.moved_because is not None

    def as_dict(self) -> dict[str, Any]:
        """The API's and the command line's form."""
        return {
            "change": self.change.value,
            "key": self.key,
            "title": self.title,
            "kind": self.kind,
            "tier": self.tier,
            "year": self.year,
            "county": self.county,
            "nominal_date": self.nominal_date.isoformat() if self.nominal_date else None,
            "effective_date": self.effective_date.isoformat() if self.effective_date else None,
            "moved": self.moved,
            "moved_because": self.moved_because,
            "fields": list(self.fields),
        }


def _label(name: str) -> str:
    field = Obligation._meta.get_field(name.removesuffix("_id"))
    return str(getattr(field, "verbose_name", name))


def _snapshot(obligation: Obligation) -> dict[str, Any]:
    return {name: getattr(obligation, name) for name in _SHOWN}


def _change(obligation: Obligation, change: Change, fields: tuple[str, ...] = ()) -> ObligationChange:
    return ObligationChange(
        change=change,
        key=obligation.key,
        title=obligation.title,
        kind=obligation.kind,
        tier=obligation.tier,
        year=obligation.year,
        county=obligation.county.code if obligation.county_id and obligation.county else None,
        nominal_date=obligation.nominal_date,
        effective_date=obligation.effective_date,
        moved_because=moved_because(obligation.nominal_date, obligation.effective_date),
        fields=fields,
        submitted_on=obligation.submitted_on,
        waived=obligation.waived_at is not None,
    )


@dataclass
class DecisionObligations:
    """What generating one decision's obligations did: each obligation that follows from the
    decision (created, changed or unchanged), and those that no longer follow (`stale`), which
    the caller removes or refuses (`obligations.registration`)."""

    changes: list[ObligationChange]
    stale: list[Obligation]


def obligations_generate_for(
    *, decision: FundingDecision, actor: Any, report: SeedReport | None = None
) -> DecisionObligations:
    """The obligations of one decision, generated again after it changed; each reported as
    created, changed or unchanged. Never deletes: what no longer follows is returned as `stale`."""
    require(actor, "programme.change")
    report = report or SeedReport()
    with transaction.atomic():
        found = _decisions().filter(pk=decision.pk).first()
        before = {o.key: _snapshot(o) for o in Obligation.objects.filter(decision=decision)}
        specs = _specs(found) if found is not None else {}
        changes: list[ObligationChange] = []
        rows = Obligation.objects.filter(decision=decision).prefetch_related("owners")
        known = Existing(Obligation, ("decision", "key"), rows)
        for key, spec in specs.items():
            obligation = _save_spec(decision, spec, report, known)
            if key not in before:
                changes.append(_change(obligation, Change.CREATED))
                continue
            after = _snapshot(obligation)
            fields = tuple(_label(name) for name in _SHOWN if after[name] != before[key][name])
            changes.append(_change(obligation, Change.CHANGED if fields else Change.UNCHANGED, fields))
        stale = list(
            Obligation.objects.filter(decision=decision)
            .filter(generated_q())
            .exclude(key__in=list(specs))
            .select_related("county", "condition")
            .order_by("year", "key")
        )
    changes.sort(key=lambda c: (c.effective_date or dt.date.max, c.year, c.key))
    return DecisionObligations(changes=changes, stale=stale)


def obligation_remove(obligation: Obligation, *, report: SeedReport | None = None) -> ObligationChange:
    """Delete an open obligation that no longer follows from its decision (its reminders go with
    it). One that was submitted, waived or shown done is never removed: the caller refuses the
    change."""
    if obligation.submitted_on is not None or obligation.waived_at is not None or obligation.evidence:
        raise ValueError("ett inlämnat eller undantaget åtagande tas aldrig bort")
    change = _change(obligation, Change.REMOVED)
    obligation.delete()
    if report is not None:
        report.count_deleted(Obligation)
    return change
