"""Reads of key figures: the catalogue, and the gap analysis (DESIGN §3 "Key figures").

For an indicator and a year, `gap_table` gives every organisation of a level (municipalities,
regions, counties) with women's, men's and the total value, the gap (K − M), the ratio (K / M), the
rank by gap, the gap the year before, and the county's and the nation's figures to compare with.
Values stay `Decimal`; a missing value is `None`, never 0. `dec_str` is the one way a value becomes
text in JSON, CSV and the API (a decimal string without trailing zeros, `None` stays `None`).

Rank: by the size of the gap, |K − M|, smallest first — rank 1 is where women's and men's values are
closest. Equal gaps share a rank and the next rank is skipped ("1, 2, 2, 4"); an organisation without
both values has no rank.

Suppression (`suppress`): in public views a value whose `count` is below the threshold
(settings.INDICATOR_SUPPRESS_BELOW, default 5) is hidden, and with it every value from which it could
be derived: if women's or men's value is hidden, both are, and the gap, the ratio and the rank; the
total is hidden when its own count is small (with both sexes hidden it no longer reveals either).
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from jamkoll.errors import NotFound, field_error
from jamkoll.reference.models import Organisation, OrganisationKind

from .codes import LEVELS, kolada_id, kolada_org
from .models import PERIOD_MAX, PERIOD_MIN, VALUE_DECIMAL_PLACES, Gender, ImportRun, Indicator, Observation

RATIO_PLACES = Decimal("0.0001")


def dec_str(value: Decimal | None) -> str | None:
    """`Decimal("82526.000000")` → `"82526"`, `Decimal("45.50")` → `"45.5"`; never an exponent."""
    if value is None:
        return None
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text


def suppress_threshold() -> int:
    return int(getattr(settings, "INDICATOR_SUPPRESS_BELOW", 5))


def indicator_list(
    *, search: str | None = None, provisional: bool | None = None, generated: bool | None = None
) -> QuerySet[Indicator]:
    qs = Indicator.objects.prefetch_related("sub_goals", "strategy_objectives").order_by("code")
    if search:
        qs = qs.filter(title__icontains=search[:200]) | qs.filter(code__iexact=search[:20])
    if provisional is not None:
        qs = qs.filter(provisional=provisional)
    if generated is not None:
        qs = qs.filter(generated=generated)
    return qs


def indicator_get(code: str) -> Indicator:
    indicator = (
        Indicator.objects.filter(code=code).prefetch_related("sub_goals", "strategy_objectives").first()
        if isinstance(code, str) and len(code) <= 20
        else None
    )
    if indicator is None:
        raise NotFound(_("okänt nyckeltal %(code)r") % {"code": str(code)[:20]})
    return indicator


def level_kind(level: str) -> str:
    kind = LEVELS.get(level)
    if kind is None:
        raise field_error(
            "level", _("okänd nivå %(level)r; välj kommun, region eller lan") % {"level": level[:20]}
        )
    return kind


def check_year(year: int) -> int:
    if not isinstance(year, int) or not PERIOD_MIN <= year <= PERIOD_MAX:
        raise field_error(
            "year", _("året måste ligga mellan %(min)s och %(max)s") % {"min": PERIOD_MIN, "max": PERIOD_MAX}
        )
    return year


def years_with_data(indicator: Indicator) -> list[int]:
    return list(
        Observation.objects.filter(indicator=indicator)
        .values_list("period", flat=True)
        .distinct()
        .order_by("period")
    )


@dataclass(slots=True)
class GapRow:
    code: str  # JämKoll's code: four digits for a municipality, two for a region or county, "00" Riket
    kolada_id: str
    kind: str
    name: str
    county_code: str | None
    women: Decimal | None
    men: Decimal | None
    total: Decimal | None
    women_count: int | None = None
    men_count: int | None = None
    total_count: int | None = None
    gap: Decimal | None = None
    ratio: Decimal | None = None
    rank: int | None = None
    previous_gap: Decimal | None = None
    suppressed: bool = False
    # The counts behind `previous_gap`: `suppress` hides it when one of them is small.
    previous_women_count: int | None = None
    previous_men_count: int | None = None

    @property
    def change(self) -> Decimal | None:
        """The gap's change since the year before (negative: the gap has shrunk if it was positive)."""
        if self.gap is None or self.previous_gap is None:
            return None
        return self.gap - self.previous_gap

    def as_dict(self) -> dict[str, str | int | None]:
        """The CLI's and API's JSON form: decimal strings, `None` where a value is missing."""
        return {
            "code": self.code,
            "name": self.name,
            "women": dec_str(self.women),
            "men": dec_str(self.men),
            "total": dec_str(self.total),
            "gap": dec_str(self.gap),
            "ratio": dec_str(self.ratio),
            "rank": self.rank,
        }


@dataclass(frozen=True)
class GapTable:
    indicator: Indicator
    year: int
    level: str
    rows: list[GapRow]
    national: GapRow | None
    counties: dict[str, GapRow]  # by county code: the county's (län, else region's) figures

    def county_of(self, row: GapRow) -> GapRow | None:
        return self.counties.get(row.county_code or "")


def _gap(women: Decimal | None, men: Decimal | None) -> tuple[Decimal | None, Decimal | None]:
    if women is None or men is None:
        return None, None
    gap = women - men
    try:
        ratio = (women / men).quantize(RATIO_PLACES, rounding=ROUND_HALF_EVEN) if men != 0 else None
    except InvalidOperation:
        ratio = None
    return gap, ratio


def _values(indicator: Indicator, year: int, kinds: Sequence[str]) -> dict[int, dict[str, tuple]]:
    """{organisation id: {gender: (value, count)}} for one indicator and year (one query)."""
    return _values_by_year(indicator, [year], kinds).get(year, {})


def _values_by_year(
    indicator: Indicator, years: Sequence[int], kinds: Sequence[str]
) -> dict[int, dict[int, dict[str, tuple]]]:
    """{year: {organisation id: {gender: (value, count)}}} for one indicator (one query, read from
    the unique index on (indicator, period, organisation, gender))."""
    out: dict[int, dict[int, dict[str, tuple]]] = {year: {} for year in years}
    rows = Observation.objects.filter(indicator=indicator, period__in=list(years))
    # Observations exist only for the organisations of the analysis's levels (codes.LEVELS): when
    # all of them are asked for, no join to the organisations is needed.
    if not set(LEVELS.values()) <= set(kinds):
        rows = rows.filter(organisation__kind__in=kinds)
    query = rows.values_list("period", "organisation_id", "gender", "value", "count").order_by()
    # The rows straight from the cursor: Django's per-value converters cost more than the query on
    # the explorer's every page. PostgreSQL gives Decimals; SQLite gives floats, turned into the
    # same Decimal Django's converter would make (15 significant digits, six decimals).
    sql, params = query.query.sql_with_params()
    convert = _float_to_decimal if connection.vendor == "sqlite" else None
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for period, org_id, gender, value, count in cursor.fetchall():
            if convert is not None and value is not None:
                value = convert(value)
            out[period].setdefault(org_id, {})[gender] = (value, count)
    return out


_SQLITE_DECIMALS = decimal.Context(prec=15)
_SIX_PLACES = Decimal(1).scaleb(-VALUE_DECIMAL_PLACES)


def _float_to_decimal(value: float | int) -> Decimal:
    return _SQLITE_DECIMALS.create_decimal_from_float(value).quantize(_SIX_PLACES)


@dataclass(slots=True)
class _Org:
    """What a gap row needs of an organisation, read as plain values (no model instances, no
    prefetching: the gap table over 290 municipalities is on the explorer's every page)."""

    pk: int
    code: str
    kind: str
    county_code: str | None  # a municipality's county (län)
    name: str


def _name_at(names: list[tuple[str, dt.date | None, dt.date | None]], on: dt.date) -> str | None:
    """`Organisation.name_at` over (name, valid_from, valid_to) rows: the name valid on `on`;
    before the first name the first, after the last the last."""
    if not names:
        return None
    ordered = sorted(names, key=lambda n: n[1] or dt.date.min)
    for name, start, end in ordered:
        if (start is None or start <= on) and (end is None or on <= end):
            return name
    first_start = ordered[0][1]
    if first_start and on < first_start:
        return ordered[0][0]
    return ordered[-1][0]


def _organisations(kinds: Sequence[str], on: dt.date) -> list[_Org]:
    """The organisations of `kinds` with their names on `on` (one query), by kind and code."""
    found: dict[int, tuple[str, str, str | None, list[tuple[str, dt.date | None, dt.date | None]]]] = {}
    for pk, code, kind, county, name, start, end in (
        Organisation.objects.filter(kind__in=kinds)
        .order_by("kind", "code")
        .values_list(
            "pk", "code", "kind", "county__code", "names__name", "names__valid_from", "names__valid_to"
        )
    ):
        entry = found.setdefault(pk, (code, kind, county, []))
        if name is not None:
            entry[3].append((name, start, end))
    return [
        _Org(pk, code, kind, county, _name_at(names, on) or code)
        for pk, (code, kind, county, names) in found.items()
    ]


def _row(
    org: _Org,
    values: dict[str, tuple],
    previous_gap: Decimal | None = None,
    rank: int | None = None,
    previous_counts: tuple[int | None, int | None] = (None, None),
) -> GapRow:
    women, women_count = values.get(Gender.WOMEN, (None, None))
    men, men_count = values.get(Gender.MEN, (None, None))
    total, total_count = values.get(Gender.TOTAL, (None, None))
    gap, ratio = _gap(women, men)
    county_code = org.code if org.kind in {OrganisationKind.LAN, OrganisationKind.REGION} else None
    if org.kind == OrganisationKind.KOMMUN and org.county_code is not None:
        county_code = org.county_code
    return GapRow(
        code=org.code,
        kolada_id=kolada_id(org.kind, org.code),
        kind=org.kind,
        name=org.name,
        county_code=county_code,
        women=women,
        men=men,
        total=total,
        women_count=women_count,
        men_count=men_count,
        total_count=total_count,
        gap=gap,
        ratio=ratio,
        previous_gap=previous_gap,
        rank=rank,
        previous_women_count=previous_counts[0],
        previous_men_count=previous_counts[1],
    )


def _gap_size(row: GapRow) -> Decimal:
    return abs(row.gap) if row.gap is not None else Decimal(0)


def _ranks(gaps: Iterable[tuple[str, Decimal | None]]) -> dict[str, int]:
    """{code: rank} by |gap|, smallest first, ties sharing a rank; codes without a gap left out."""
    ranked = sorted(((code, abs(gap)) for code, gap in gaps if gap is not None), key=lambda item: item[1])
    ranks: dict[str, int] = {}
    previous: Decimal | None = None
    rank = 0
    for position, (code, size) in enumerate(ranked, start=1):
        if size != previous:
            rank, previous = position, size
        ranks[code] = rank
    return ranks


def rank_rows(rows: Iterable[GapRow]) -> list[GapRow]:
    """Ranks by |gap|, smallest first, ties sharing a rank; rows without a gap keep rank None."""
    rows = list(rows)
    ranks = _ranks((r.code, r.gap) for r in rows)
    return [replace(r, rank=ranks.get(r.code)) for r in rows]


def gap_table(*, indicator: Indicator | str, year: int, level: str = "kommun") -> GapTable:
    """Every organisation of `level` for `indicator` and `year`, ordered by rank (those without a
    rank last, by code). Names are those valid at the end of the year."""
    if isinstance(indicator, str):
        indicator = indicator_get(indicator)
    year = check_year(year)
    kind = level_kind(level)
    on = dt.date(year, 12, 31)
    county_kinds = [OrganisationKind.LAN, OrganisationKind.REGION]
    kinds = sorted({kind, OrganisationKind.RIKET, *county_kinds})
    # This year's values and last year's (for the change in the gap) in one query.
    by_year = _values_by_year(indicator, [year - 1, year] if year > PERIOD_MIN else [year], kinds)
    values, previous = by_year[year], by_year.get(year - 1, {})
    orgs = _organisations(kinds, on)
    # The ranks first, from the gaps alone, so that each row is made once, with its rank.
    gaps = []
    for org in orgs:
        if org.kind == kind:
            now = values.get(org.pk, {})
            gaps.append(
                (org.code, _gap(now.get(Gender.WOMEN, (None,))[0], now.get(Gender.MEN, (None,))[0])[0])
            )
    ranks = _ranks(gaps)
    rows: list[GapRow] = []
    national: GapRow | None = None
    counties: dict[str, GapRow] = {}
    regions: dict[str, GapRow] = {}
    for org in orgs:
        if org.kind == kind:
            before = previous.get(org.pk, {})
            women_before = before.get(Gender.WOMEN, (None, None))
            men_before = before.get(Gender.MEN, (None, None))
            gap_before, _ratio = _gap(women_before[0], men_before[0])
            row = _row(
                org,
                values.get(org.pk, {}),
                gap_before,
                ranks.get(org.code),
                previous_counts=(women_before[1], men_before[1]),
            )
            rows.append(row)
            if org.kind == OrganisationKind.KOMMUN:
                continue
            # The county's figures to compare with carry no rank and no history.
            row = replace(row, rank=None, previous_gap=None)
        else:
            row = _row(org, values.get(org.pk, {}))
        if org.kind == OrganisationKind.RIKET:
            national = row
        elif org.kind == OrganisationKind.LAN:
            counties[org.code] = row
        elif org.kind == OrganisationKind.REGION and org.pk in values:
            regions[org.code] = row
    # A county's own figures; a region's stand in where the county has none (Kolada has regions).
    for code, row in regions.items():
        own = counties.get(code)
        if own is None or (own.women is None and own.men is None and own.total is None):
            counties[code] = row
    rows.sort(key=lambda r: (r.rank is None, r.rank or 0, r.code))
    return GapTable(
        indicator=indicator, year=year, level=level, rows=rows, national=national, counties=counties
    )


@dataclass(frozen=True)
class TrendPoint:
    period: int
    women: Decimal | None
    men: Decimal | None
    total: Decimal | None
    gap: Decimal | None
    ratio: Decimal | None
    women_count: int | None = None
    men_count: int | None = None
    total_count: int | None = None


def trend(*, indicator: Indicator | str, organisation: Organisation) -> list[TrendPoint]:
    """Every year with a value for `organisation`, oldest first."""
    if isinstance(indicator, str):
        indicator = indicator_get(indicator)
    by_year: dict[int, dict[str, tuple]] = {}
    for period, gender, value, count in Observation.objects.filter(
        indicator=indicator, organisation=organisation
    ).values_list("period", "gender", "value", "count"):
        by_year.setdefault(period, {})[gender] = (value, count)
    points = []
    for period in sorted(by_year):
        v = by_year[period]
        women, wc = v.get(Gender.WOMEN, (None, None))
        men, mc = v.get(Gender.MEN, (None, None))
        total, tc = v.get(Gender.TOTAL, (None, None))
        gap, ratio = _gap(women, men)
        points.append(TrendPoint(period, women, men, total, gap, ratio, wc, mc, tc))
    return points


def _small(count: int | None, threshold: int) -> bool:
    return count is not None and count < threshold


def suppress(rows: Iterable[GapRow], threshold: int | None = None) -> list[GapRow]:
    """`rows` as a public view may show them (see the module's docstring); ranks are given anew over
    the rows still shown, so that a hidden gap cannot be read from the gaps in the ranking."""
    limit = suppress_threshold() if threshold is None else threshold
    out = []
    for row in rows:
        hide_sexes = _small(row.women_count, limit) or _small(row.men_count, limit)
        hide_total = _small(row.total_count, limit)
        # A gap the year before that rests on a small count is hidden as that year's gap would be.
        hide_previous = _small(row.previous_women_count, limit) or _small(row.previous_men_count, limit)
        if not (hide_sexes or hide_total):
            out.append(replace(row, previous_gap=None) if hide_previous else row)
            continue
        changes: dict = {"suppressed": True}
        if hide_previous:
            changes["previous_gap"] = None
        if hide_sexes:
            changes.update(women=None, men=None, gap=None, ratio=None, rank=None, previous_gap=None)
            changes.update(women_count=None, men_count=None)
        if hide_total:
            changes.update(total=None, total_count=None)
        out.append(replace(row, **changes))
    if any(r.suppressed for r in out):
        order = {r.code: i for i, r in enumerate(out)}
        out = sorted(rank_rows(out), key=lambda r: (r.rank is None, r.rank or 0, order[r.code]))
    return out


def suppress_points(points: Iterable[TrendPoint], threshold: int | None = None) -> list[TrendPoint]:
    """The same rule for a trend series."""
    limit = suppress_threshold() if threshold is None else threshold
    out = []
    for p in points:
        hide_sexes = _small(p.women_count, limit) or _small(p.men_count, limit)
        hide_total = _small(p.total_count, limit)
        changes: dict = {}
        if hide_sexes:
            changes.update(women=None, men=None, gap=None, ratio=None, women_count=None, men_count=None)
        if hide_total:
            changes.update(total=None, total_count=None)
        out.append(replace(p, **changes) if changes else p)
    return out


# --- The API's reads: organisations by id, observations, import runs ---------------------------


def organisation_for(code: str, level: str | None = None, *, field: str = "organisation") -> Organisation:
    """The organisation a request names: by JämKoll's code and `level` ("kommun" "0580", "region"
    "12"), or by the id Kolada and our exports use ("0580", "0012", "0000"; "12" is a county).
    `ValidationError` on `field` when it names none."""
    kind = level_kind(level) if level else None
    text = str(code).strip()[:20]
    if kind is not None:
        found = Organisation.objects.filter(kind=kind, code=text).first()
        if found is not None:
            return found
    try:
        kolada_kind, jamkoll_code = kolada_org(text)
    except ValueError as exc:
        raise field_error(field, str(exc)) from None
    if kind is not None and kolada_kind != kind:
        raise field_error(
            field, _("%(code)r är ingen organisation på nivån %(level)s") % {"code": text, "level": level}
        )
    found = Organisation.objects.filter(kind=kolada_kind, code=jamkoll_code).first()
    if found is None:
        raise field_error(field, _("okänd organisation %(code)r") % {"code": text})
    return found


def observation_list(
    *,
    indicator: Indicator,
    period_from: int | None = None,
    period_to: int | None = None,
    organisation: Organisation | None = None,
    level: str | None = None,
    gender: str | None = None,
) -> QuerySet[Observation]:
    """An indicator's observations, by period, organisation (kind, code) and gender."""
    qs = Observation.objects.filter(indicator=indicator).select_related("organisation")
    if period_from is not None:
        qs = qs.filter(period__gte=period_from)
    if period_to is not None:
        qs = qs.filter(period__lte=period_to)
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    if level:
        qs = qs.filter(organisation__kind=level_kind(level))
    if gender:
        qs = qs.filter(gender=gender)
    return qs.order_by("period", "organisation__kind", "organisation__code", "gender")


def hidden_observations(rows: Sequence[Observation], threshold: int | None = None) -> set[int]:
    """The ids of `rows` a public view may not show (the rule of `suppress`: women's and men's
    values both when either count is small, the total when its own is). One query for the other
    sexes' counts of the same organisations and years."""
    limit = suppress_threshold() if threshold is None else threshold
    if not rows:
        return set()
    keys = {(r.organisation_id, r.period) for r in rows}
    indicator_id = rows[0].indicator_id
    small_sexes = set(
        Observation.objects.filter(
            indicator_id=indicator_id,
            organisation_id__in={k[0] for k in keys},
            period__in={k[1] for k in keys},
            gender__in=[Gender.WOMEN, Gender.MEN],
            count__lt=limit,
        ).values_list("organisation_id", "period")
    )
    hidden = set()
    for r in rows:
        if r.gender == Gender.TOTAL:
            if _small(r.count, limit):
                hidden.add(r.pk)
        elif (r.organisation_id, r.period) in small_sexes:
            hidden.add(r.pk)
    return hidden


def import_run_list() -> QuerySet[ImportRun]:
    return ImportRun.objects.order_by("-created_at")


def import_run_get(pk: Any) -> ImportRun:
    run = ImportRun.objects.filter(pk=pk).first()
    if run is None:
        raise NotFound(_("okänd import %(id)s") % {"id": str(pk)[:40]})
    return run


# --- The result report's key figures -----------------------------------------------------------


@dataclass(frozen=True)
class LinkedIndicator:
    """An indicator that follows one of the given sub-goals or strategy objectives, with the
    national (Riket) figures for the year, suppressed as in a public view (None: no value)."""

    indicator: Indicator
    sub_goals: tuple[int, ...]  # numbers
    strategy_objectives: tuple[int, ...]
    national: GapRow | None


def linked_national(
    *, sub_goals: Iterable[int], strategy_objectives: Iterable[int], year: int, public: bool = True
) -> list[LinkedIndicator]:
    """The indicators linked to the sub-goals or objectives (primary keys) with their national
    figures for `year`, by code. A constant number of queries, however many indicators there are."""
    year = check_year(year)
    sub_goal_ids, objective_ids = list(sub_goals), list(strategy_objectives)
    if not sub_goal_ids and not objective_ids:
        return []
    indicators = list(
        Indicator.objects.filter(Q(sub_goals__in=sub_goal_ids) | Q(strategy_objectives__in=objective_ids))
        .distinct()
        .prefetch_related("sub_goals", "strategy_objectives")
        .order_by("code")
    )
    if not indicators:
        return []
    on = dt.date(year, 12, 31)
    riket = next(iter(_organisations([OrganisationKind.RIKET], on)), None)
    values: dict[int, dict[str, tuple]] = {}
    if riket is not None:
        for indicator_id, gender, value, count in Observation.objects.filter(
            indicator__in=indicators, organisation_id=riket.pk, period=year
        ).values_list("indicator_id", "gender", "value", "count"):
            values.setdefault(indicator_id, {})[gender] = (value, count)
    out = []
    for indicator in indicators:
        national = None
        if riket is not None and indicator.pk in values:
            national = _row(riket, values[indicator.pk])
            if public:
                national = suppress([national])[0]
        out.append(
            LinkedIndicator(
                indicator=indicator,
                sub_goals=tuple(sorted(g.number for g in indicator.sub_goals.all())),
                strategy_objectives=tuple(sorted(o.number for o in indicator.strategy_objectives.all())),
                national=national,
            )
        )
    return out
