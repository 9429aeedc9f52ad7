"""What an anonymous visitor may read about a decision and year (issue 15, DESIGN §1): the
decided and allocated money, the ledger's sums per kind (nationally and per county), the
obligations with their dates and status, the published reports and the documents cited.

Only sums and dates leave this module: never a ledger entry (its reference, note or recorder),
never an obligation's record (receipt reference, what closed it, who registered it, reasons),
never an unsubmitted report version. The pages, the public API and their tests read these
dataclasses and nothing else.

Every anonymous visitor sees the same figures, so `public_year` is kept in Django's cache, keyed by
the data's last change (`_stamp`: a few aggregates over the ledger entries, the obligations' change
history, the published report versions and their files, the allocations and the budget lines of
the year), by the day (a status depends on it) and by the language (labels are translated). A new
ledger entry, a publication or a registered submission changes the key, so it shows at once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from django.core.cache import cache
from django.db.models import Count, Max, Sum
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from jamkoll.accounts.policy import require
from jamkoll.errors import NotFound
from jamkoll.ledger.models import EntryKind, LedgerTotal, Tier
from jamkoll.ledger.selectors import ledger_sums
from jamkoll.money import to_str
from jamkoll.obligations.models import Obligation, ObligationKind, ObligationStatus
from jamkoll.obligations.selectors import party_name
from jamkoll.programmes.models import Allocation, Budget, BudgetLine, FundingDecision
from jamkoll.programmes.selectors import (
    AllocationTable,
    allocation_table,
    as_of,
    county_name_map,
    decision_get,
)
from jamkoll.reference.sources import cite
from jamkoll.reports.models import ReportState, ReportVersion
from jamkoll.reports.selectors import OBLIGATION_FOR, published_list

KINDS = (
    EntryKind.REQUISITION,
    EntryKind.DISBURSEMENT,
    EntryKind.EXPENDITURE,
    EntryKind.REPAYMENT,
    EntryKind.RECLAIM,
)


@dataclass(frozen=True)
class Money:
    """The ledger's sums of one party for a year, per kind. None: no entry of that kind is
    recorded (the page says "uppgift saknas" rather than 0 kr, which nobody stated)."""

    requisitioned: Decimal | None = None
    disbursed: Decimal | None = None
    spent: Decimal | None = None
    repaid: Decimal | None = None
    reclaimed: Decimal | None = None

    def as_dict(self) -> dict[str, str | None]:
        return {
            "requisitioned": to_str(self.requisitioned),
            "disbursed": to_str(self.disbursed),
            "spent": to_str(self.spent),
            "repaid": to_str(self.repaid),
        }


@dataclass(frozen=True)
class CountyMoney:
    code: str
    name: str
    allocated: Decimal | None
    money: Money
    allocation_source: str = ""  # the document the allocation comes from, by its title


@dataclass(frozen=True)
class PublicObligation:
    """An obligation as the public sees it: what, by whom to whom, when due, when met."""

    key: str
    title: str
    kind: str
    kind_label: str
    tier: str
    county_code: str | None
    owed_by: str
    owed_to: str
    nominal_date: dt.date | None
    effective_date: dt.date | None
    submitted_on: dt.date | None
    status: str
    status_label: str
    source: str
    # what the decision's document says (its words, public like the document) and a note on the
    # date drawn from it: not the record (receipt reference, what closed it, names, reasons)
    source_text: str = ""
    date_note: str = ""

    @property
    def moved(self) -> bool:
        return bool(self.nominal_date and self.effective_date and self.nominal_date != self.effective_date)

    @property
    def on_time(self) -> bool | None:
        """True or False once a day of submission is known; None otherwise."""
        if self.status == ObligationStatus.SUBMITTED_ON_TIME:
            return True
        if self.status == ObligationStatus.SUBMITTED_LATE:
            return False
        return None

    def as_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "kind": self.kind,
            "tier": self.tier,
            "county": self.county_code,
            "owed_by": self.owed_by,
            "owed_to": self.owed_to,
            "nominal_date": self.nominal_date.isoformat() if self.nominal_date else None,
            "effective_date": self.effective_date.isoformat() if self.effective_date else None,
            "submitted_on": self.submitted_on.isoformat() if self.submitted_on else None,
            "status": self.status,
            "on_time": self.on_time,
            "source": self.source,
        }


@dataclass(frozen=True)
class PublishedReport:
    pk: int
    title: str
    obligation_kind: str  # the kind of obligation the report meets
    kind_label: str
    county_code: str | None
    submitted_on: dt.date | None
    formats: list[tuple[str, str]]


@dataclass(frozen=True)
class PublicYear:
    decision: FundingDecision
    year: int
    table: AllocationTable | None
    national: Money
    counties: list[CountyMoney]
    obligations: list[PublicObligation]
    reports: list[PublishedReport]
    sources: list[str] = field(default_factory=list)

    @property
    def allocated_total(self) -> Decimal | None:
        return self.table.county_total if self.table and self.table.counties else None

    @property
    def county_spent(self) -> Decimal | None:
        values = [c.money.spent for c in self.counties if c.money.spent is not None]
        return sum(values, Decimal("0.00")) if values else None

    @property
    def state_obligations(self) -> list[PublicObligation]:
        return [o for o in self.obligations if o.tier == Tier.STATE]

    @property
    def financial_report(self) -> PublicObligation | None:
        return next((o for o in self.state_obligations if o.kind == ObligationKind.FINANCIAL_REPORT), None)


def _money(sums: dict[str, Decimal]) -> Money:
    return Money(
        requisitioned=sums.get(EntryKind.REQUISITION),
        disbursed=sums.get(EntryKind.DISBURSEMENT),
        spent=sums.get(EntryKind.EXPENDITURE),
        repaid=sums.get(EntryKind.REPAYMENT),
        reclaimed=sums.get(EntryKind.RECLAIM),
    )


def ledger_public_sums(
    *, decision: FundingDecision, year: int
) -> tuple[dict[str, Decimal], dict[str, dict[str, Decimal]]]:
    """The ledger's sums per kind: the state tier's, and each county's RSS tier (exact Decimals,
    summed in SQL by `ledger.selectors.ledger_sums`). Only amounts are read: no reference, note
    or name. A kind appears only if an entry of it is recorded."""
    state: dict[str, Decimal] = {}
    county: dict[str, dict[str, Decimal]] = defaultdict(dict)
    for (tier, kind, code, _line), amount in ledger_sums(decision=decision, year=year).items():
        target = state if tier == Tier.STATE else county[code or ""]
        target[kind] = target.get(kind, Decimal("0.00")) + amount
    return state, dict(county)


def public_obligations(*, decision: FundingDecision, year: int, today: dt.date) -> list[PublicObligation]:
    """The obligations that concern `year` (the 2018 financial report falls due in 2019), the
    state tier's first, then the counties', each by its due date."""
    qs = (
        Obligation.objects.filter(decision=decision, year=year)
        .select_related("decision", "owed_by", "owed_to", "owed_to__parent", "county")
        .prefetch_related("owed_by__names", "owed_to__names", "owed_to__parent__names")
        .order_by("tier", "county__code", "nominal_date", "pk")
    )
    out = []
    for o in qs:
        on = o.nominal_date or dt.date(o.year, 12, 31)
        status = o.status_on(today)
        out.append(
            PublicObligation(
                key=o.key,
                title=o.title,
                kind=o.kind,
                kind_label=str(ObligationKind(o.kind).label),
                tier=o.tier,
                county_code=o.county_code,
                owed_by=party_name(o.owed_by, on),
                owed_to=party_name(o.owed_to, on),
                nominal_date=o.nominal_date,
                effective_date=o.effective_date,
                submitted_on=o.submitted_on,
                status=status.value,
                status_label=str(status.label),
                source=cite(o.source),
                source_text=o.source_text,
                date_note=o.date_note,
            )
        )
    # the state tier's before the counties' (tier "rss" sorts before "state")
    return sorted(
        out, key=lambda o: (o.tier != Tier.STATE, o.county_code or "", o.effective_date or dt.date.max)
    )


def public_reports(*, decision: FundingDecision, year: int) -> list[PublishedReport]:
    """The submitted report versions of `year` (only `published_list`'s: never a draft)."""
    return [
        PublishedReport(
            pk=v.pk,
            title=v.title,
            obligation_kind=OBLIGATION_FOR.get(v.kind, ""),
            kind_label=v.get_kind_display(),
            county_code=v.county.code if v.county_id and v.county else None,
            submitted_on=v.submitted_on,
            formats=[(f.format, f.get_format_display()) for f in v.files.all()],
        )
        for v in published_list(decision_slug=decision.slug).filter(year=year)
    ]


def public_decision_years() -> list[tuple[FundingDecision, list[int]]]:
    """The decisions with a budget, and their budget years: what the start page offers. Two
    queries, however many decisions and years."""
    decisions = list(
        FundingDecision.objects.filter(budgets__isnull=False)
        .select_related("programme")
        .distinct()
        .order_by("start_year", "slug")
    )
    years: dict[int, list[int]] = defaultdict(list)
    for decision_id, year in Budget.objects.filter(decision__in=decisions).values_list("decision_id", "year"):
        years[decision_id].append(year)
    return [(d, sorted(years[d.pk])) for d in decisions]


def public_years(
    *, actor: Any, today: dt.date | None = None
) -> list[tuple[FundingDecision, list[PublicYear]]]:
    """Every decision's budget years as the public sees them (the start page): `public_year` for
    each, read from the cache in one call under the stamps of all of them (`_stamps`: five
    grouped queries), so that a page of ten or thirty decision-years costs the same queries as one
    of four; only a year whose data changed is built again."""
    require(actor, "ledger.view_public")
    require(actor, "obligation.view_public")
    today = today or timezone.localdate()
    decisions = public_decision_years()
    pairs = [(d.pk, d.slug, y) for d, years in decisions for y in years]
    stamps = _stamps(pairs)
    keys = {
        (pk, year): _cache_key("public-year", _year_stamp(pk, year, today, stamps[(pk, year)]))
        for pk, _slug, year in pairs
    }
    found = cache.get_many(list(keys.values()))
    result = []
    for decision, years in decisions:
        shown = []
        for year in years:
            key = keys[(decision.pk, year)]
            value = found.get(key)
            if not isinstance(value, PublicYear):
                value = _public_year_build(decision_get(slug=decision.slug), year, today)
                cache.set(key, value, CACHE_SECONDS)
            shown.append(value)
        result.append((decision, shown))
    return result


def allocation_sources(*, decision: FundingDecision, year: int) -> dict[str, str]:
    """Each county's allocation's source, cited by the document's title: the rule it follows
    (seed 002: 400 000 kr a county, 600 000 kr for the three metropolitan ones), else its line's."""
    rows = Allocation.objects.filter(budget_line__budget__decision=decision, budget_line__budget__year=year)
    return {
        code: cite(rule_source or line_source)
        for code, rule_source, line_source in rows.values_list(
            "county__code", "rule__source", "budget_line__source"
        )
    }


CACHE_SECONDS = 600
T = TypeVar("T")


def _stamps(pairs: list[tuple[int, str, int]]) -> dict[tuple[int, int], tuple[Any, ...]]:
    """Per (decision id, year) of `pairs` ((decision id, slug, year)): what changes whenever
    something `public_year` shows changes — five grouped aggregate queries for all the pairs. The
    ledger's part is its running sums (integers: every entry moves its group's count), so the
    stamp costs the same at 500 000 entries as at 500. The money sums of the other parts are only
    fingerprints (never shown), so SQLite's floating-point SUM does no harm there."""
    pks = sorted({pk for pk, _slug, _year in pairs})

    def by_year(rows: Any, decision: str, year: str, **sums: Any) -> dict[tuple[int, int], dict[str, Any]]:
        grouped = rows.order_by().values(decision, year).annotate(**sums)
        return {(r.pop(decision), r.pop(year)): r for r in grouped}

    ledger = by_year(
        LedgerTotal.objects.filter(decision_id__in=pks),
        "decision_id",
        "year",
        n=Sum("entries"),
        total=Sum("ore"),
        groups=Count("pk"),
    )
    obligations = {
        r.pop("decision_id"): r
        for r in Obligation.history.filter(decision_id__in=pks)
        .order_by()
        .values("decision_id")
        .annotate(n=Count("history_id"), last=Max("history_id"))
    }
    reports = by_year(
        ReportVersion.objects.filter(decision_id__in=pks, state=ReportState.SUBMITTED),
        "decision_id",
        "year",
        n=Count("pk", distinct=True),
        last=Max("pk"),
        files=Count("files", distinct=True),
    )
    allocations = by_year(
        Allocation.objects.filter(budget_line__budget__decision_id__in=pks),
        "budget_line__budget__decision_id",
        "budget_line__budget__year",
        n=Count("pk"),
        last=Max("pk"),
        total=Sum("amount"),
    )
    lines = by_year(
        BudgetLine.objects.filter(budget__decision_id__in=pks),
        "budget__decision_id",
        "budget__year",
        n=Count("pk"),
        last=Max("pk"),
        total=Sum("amount"),
    )
    # A group without rows reads as an aggregate over nothing would: counts 0, the rest None.
    empty_ledger = {"n": None, "total": None, "groups": 0}
    empty_obligations = {"n": 0, "last": None}
    empty_reports = {"n": 0, "last": None, "files": 0}
    empty_sums = {"n": 0, "last": None, "total": None}
    stamps = {}
    for pk, _slug, year in pairs:
        parts = (
            ledger.get((pk, year), empty_ledger),
            obligations.get(pk, empty_obligations),
            reports.get((pk, year), empty_reports),
            allocations.get((pk, year), empty_sums),
            lines.get((pk, year), empty_sums),
        )
        stamps[(pk, year)] = tuple(tuple(sorted((k, str(v)) for k, v in part.items())) for part in parts)
    return stamps


def _year_stamp(pk: int, year: int, today: dt.date, data: tuple[Any, ...]) -> tuple[Any, ...]:
    """A year's cache stamp: its data's (`_stamps`), the day (a status depends on it) and the
    language (labels are translated)."""
    return (pk, year, today.isoformat(), get_language(), data)


def public_year(*, actor: Any, slug: str, year: int, today: dt.date | None = None) -> PublicYear:
    """One decision's year as the public sees it ("ledger.view_public", "obligation.view_public").
    NotFound for an unknown decision or a year without a budget. Kept in the cache until the data
    changes (see the module's docstring)."""
    require(actor, "ledger.view_public")
    require(actor, "obligation.view_public")
    found = FundingDecision.objects.filter(slug=slug).values_list("pk", "title").first()
    if found is None:
        decision_get(slug=slug)  # its NotFound, with its words
    pk, title = found or (0, "")
    years = sorted(Budget.objects.filter(decision_id=pk).values_list("year", flat=True))
    if year not in years:
        raise NotFound(
            _("%(title)s har inga medel för %(year)s (år med medel: %(years)s).")
            % {"title": title, "year": year, "years": ", ".join(map(str, years)) or "–"}
        )
    today = today or timezone.localdate()
    stamp = _year_stamp(pk, year, today, _stamps([(pk, slug, year)])[(pk, year)])
    return cached_by_stamp(
        "public-year", stamp, PublicYear, lambda: _public_year_build(decision_get(slug=slug), year, today)
    )


def cached_by_stamp(
    prefix: str, stamp: tuple[Any, ...], kind: type[T], build: Callable[[], T], seconds: int = CACHE_SECONDS
) -> T:
    """`build()`'s result, kept in the cache under `stamp` — what changes whenever the data it
    shows changes, read from the database on every request — so that any process answers from its
    cache only what is still true; `seconds` bounds what a write the stamp cannot see leaves."""
    key = _cache_key(prefix, stamp)
    found = cache.get(key)
    if isinstance(found, kind):
        return found
    value = build()
    cache.set(key, value, seconds)
    return value


def _cache_key(prefix: str, stamp: tuple[Any, ...]) -> str:
    return f"{prefix}:" + hashlib.sha256(repr(stamp).encode()).hexdigest()


def _public_year_build(decision: FundingDecision, year: int, today: dt.date) -> PublicYear:
    table = allocation_table(decision=decision, year=year)
    state, by_county = ledger_public_sums(decision=decision, year=year)
    names = county_name_map(as_of(year))
    allocated = {c.code: c.amount for c in table.counties}
    codes = sorted(set(allocated) | set(by_county))
    sources_by_county = allocation_sources(decision=decision, year=year)
    counties = [
        CountyMoney(
            code,
            names.get(code, code),
            allocated.get(code),
            _money(by_county.get(code, {})),
            sources_by_county.get(code, ""),
        )
        for code in codes
    ]
    sources = sorted({d.title for d in decision.documents.all()})
    return PublicYear(
        decision=decision,
        year=year,
        table=table,
        national=_money(state),
        counties=counties,
        obligations=public_obligations(decision=decision, year=year, today=today),
        reports=public_reports(decision=decision, year=year),
        sources=sources,
    )


def county_of(data: PublicYear, code: str) -> CountyMoney:
    county = next((c for c in data.counties if c.code == code), None)
    if county is None:
        raise NotFound(_("Inget län med kod %(code)s har medel detta år.") % {"code": code[:10]})
    return county


def obligation_of(data: PublicYear, key: str) -> PublicObligation:
    obligation = next((o for o in data.obligations if o.key == key), None)
    if obligation is None:
        raise NotFound(_("Ingen redovisning eller frist med det namnet för året."))
    return obligation


def public_year_dict(data: PublicYear) -> dict[str, Any]:
    """The public API's form: amounts as decimal strings (null: not decided, or nothing recorded)."""
    table = data.table
    return {
        "decision": data.decision.slug,
        "title": data.decision.title,
        "year": data.year,
        "decided_total": to_str(table.total) if table else None,
        "allocated_to_counties": to_str(data.allocated_total),
        "national": data.national.as_dict() | {"reclaimed": to_str(data.national.reclaimed)},
        "counties": [
            {"code": c.code, "name": c.name, "allocated": to_str(c.allocated)} | c.money.as_dict()
            for c in data.counties
        ],
        "obligations": [o.as_dict() for o in data.obligations],
        "reports": [
            {
                "title": r.title,
                "kind": r.kind_label,
                "county": r.county_code,
                "submitted_on": r.submitted_on.isoformat() if r.submitted_on else None,
            }
            for r in data.reports
        ],
        "sources": data.sources,
    }
