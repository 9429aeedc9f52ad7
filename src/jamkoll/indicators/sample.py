"""The demo's generated sample of key figures (issue 14): six indicators flagged `generated`, with
values for all 290 municipalities, the 21 regions, the 21 counties and Riket, women, men and in
total, over ten years (2015–2024), so that the explorer has something to show.

None of it is real statistics. The ids (`JK-DEMO-1` …) cannot be Kolada ids, the titles begin with
"Exempel:" and end with "(genererat)", the description says so, and `Indicator.generated` makes
every page, chart and export say "Genererade exempeldata – inte verklig statistik".

The figures are drawn from a seeded random generator, so every run gives the same values, and are
plausible: every municipality has a population; its rates follow a level of its own, a trend and a
little noise, with the gap between women and men typical of the indicator; a county's, a region's
and Riket's values are the population-weighted means of their municipalities' (counts are sums). For
the reported assaults the count is the number of cases, so a few small municipalities fall below the
suppression threshold (5) and the public views show suppression.

`sample_load` is idempotent: a second call finds the same rows and writes nothing; when the rows
differ (an older sample, an edited value) the generated indicators' observations are replaced.
It is called by `jamkoll demo`, not by `jamkoll seed`: the sample never enters a real database or
the test database unless asked for.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction

from jamkoll.accounts.policy import require
from jamkoll.reference.models import Organisation, OrganisationKind, PolicySubGoal

from .models import Gender, Indicator, IndicatorSource, Observation

YEARS = range(2015, 2025)
SEED = 14
BATCH = 5000
MARK = "Genererade exempeldata – inte verklig statistik."


@dataclass(frozen=True)
class SampleIndicator:
    code: str
    title: str
    unit: str
    higher_is_better: bool
    sub_goals: tuple[int, ...]
    women: float  # Riket's level for women in the first year
    men: float
    spread: float  # how much municipalities differ (relative standard deviation)
    trend: float  # change per year, relative
    places: int  # decimals
    per_capita: float | None = None  # value per this many persons: the count is cases, not persons
    share_of_population: float = 0.55  # persons behind a rate (its denominator), per person


INDICATORS = (
    SampleIndicator(
        "JK-DEMO-1",
        "Exempel: andel förvärvsarbetande 20–64 år, % (genererat)",
        "procent",
        True,
        (2,),
        women=79.5,
        men=83.0,
        spread=0.04,
        trend=0.002,
        places=1,
    ),
    SampleIndicator(
        "JK-DEMO-2",
        "Exempel: medianinkomst av förvärvsarbete, tkr (genererat)",
        "tkr",
        True,
        (2,),
        women=292.0,
        men=346.0,
        spread=0.08,
        trend=0.025,
        places=1,
    ),
    SampleIndicator(
        "JK-DEMO-3",
        "Exempel: gymnasieelever med examen inom fyra år, % (genererat)",
        "procent",
        True,
        (3,),
        women=74.0,
        men=66.5,
        spread=0.07,
        trend=0.001,
        places=1,
        share_of_population=0.012,
    ),
    SampleIndicator(
        "JK-DEMO-4",
        "Exempel: uttag av föräldrapenning, andel av dagarna, % (genererat)",
        "procent",
        False,
        (4,),
        women=71.0,
        men=29.0,
        spread=0.06,
        trend=-0.006,
        places=1,
        share_of_population=0.03,
    ),
    SampleIndicator(
        "JK-DEMO-5",
        "Exempel: sjukpenningtal, dagar per försäkrad (genererat)",
        "dagar",
        False,
        (5,),
        women=12.8,
        men=7.4,
        spread=0.15,
        trend=-0.01,
        places=1,
    ),
    SampleIndicator(
        "JK-DEMO-6",
        "Exempel: anmälda misshandelsbrott mot personer 18 år och äldre, per 100 000 invånare (genererat)",
        "antal per 100 000 invånare",
        False,
        (6,),
        women=390.0,
        men=520.0,
        spread=0.25,
        trend=-0.005,
        places=1,
        per_capita=100_000,
    ),
)


@dataclass(frozen=True)
class SampleSummary:
    indicators: int
    observations: int
    written: int  # 0 when the sample was there already


def sample_codes() -> list[str]:
    return [spec.code for spec in INDICATORS]


def _populations(municipalities: list[Organisation], rng: random.Random) -> dict[int, int]:
    """A population per municipality: a skewed spread from 2 400 to 980 000 (log-normal)."""
    out = {}
    for org in municipalities:
        out[org.pk] = int(min(980_000, max(2_400, math.exp(rng.gauss(9.9, 1.0)))))
    return out


def _q(value: float, places: int) -> Decimal:
    return Decimal(f"{value:.{places}f}")


def _rows(
    municipalities: list[Organisation],
    counties: dict[int, list[int]],
    riket: int,
    indicators: dict[str, Indicator],
) -> Iterator[Observation]:
    """Every observation of the sample, deterministic."""
    rng = random.Random(SEED)
    population = _populations(municipalities, rng)
    for spec in INDICATORS:
        indicator = indicators[spec.code]
        # A municipality's own level and gap, kept over the years.
        level = {m.pk: rng.gauss(1.0, spec.spread) for m in municipalities}
        gap_factor = {m.pk: rng.gauss(1.0, 0.25) for m in municipalities}
        for index, year in enumerate(YEARS):
            growth = (1 + spec.trend) ** index
            by_org: dict[int, dict[str, tuple[float, int]]] = {}
            for m in municipalities:
                pop = population[m.pk] / 2
                middle = (spec.women + spec.men) / 2 * level[m.pk] * growth
                half_gap = (spec.women - spec.men) / 2 * gap_factor[m.pk] * growth
                noise = 1 + rng.gauss(0, spec.spread / 6)
                women = max(0.0, (middle + half_gap) * noise)
                men = max(0.0, (middle - half_gap) * (1 + rng.gauss(0, spec.spread / 6)))
                if spec.unit == "procent":
                    women, men = min(women, 99.9), min(men, 99.9)
                by_org[m.pk] = {
                    Gender.WOMEN: (women, _persons(spec, women, pop)),
                    Gender.MEN: (men, _persons(spec, men, pop)),
                }
            areas = {**counties, riket: [m.pk for m in municipalities]}
            for area, members in areas.items():
                by_org[area] = {
                    gender: _mean([(by_org[m][gender], population[m] / 2) for m in members])
                    for gender in (Gender.WOMEN, Gender.MEN)
                }
            for org_id, values in by_org.items():
                (women, wc), (men, mc) = values[Gender.WOMEN], values[Gender.MEN]
                total = (women + men) / 2  # as many women as men in the generated population
                for gender, value, count in (
                    (Gender.WOMEN, women, wc),
                    (Gender.MEN, men, mc),
                    (Gender.TOTAL, total, wc + mc),
                ):
                    yield Observation(
                        indicator=indicator,
                        organisation_id=org_id,
                        period=year,
                        gender=gender,
                        value=_q(value, spec.places),
                        count=count,
                        status="",
                    )


def _persons(spec: SampleIndicator, value: float, persons: float) -> int:
    """The count behind a value: cases for a rate per capita, else the persons it is a share of."""
    if spec.per_capita:
        return round(value * persons / spec.per_capita)
    return max(1, round(persons * spec.share_of_population))


def _mean(parts: list[tuple[tuple[float, int], float]]) -> tuple[float, int]:
    """The population-weighted mean of the members' values, and the sum of their counts."""
    weight = sum(w for _v, w in parts)
    value = sum(v * w for (v, _c), w in parts) / weight
    return value, sum(c for (_v, c), _w in parts)


def _indicators() -> dict[str, Indicator]:
    goals = {g.number: g for g in PolicySubGoal.objects.all()}
    out = {}
    for spec in INDICATORS:
        indicator, _created = Indicator.objects.update_or_create(
            code=spec.code,
            defaults={
                "title": spec.title,
                "description": (
                    f"{MARK} Värdena är framtagna med slumptal för att visa hur JämKoll redovisar "
                    "nyckeltal uppdelat på kön; de beskriver ingen verklig kommun, region eller län."
                ),
                "unit": spec.unit,
                "source": IndicatorSource.OTHER,
                "divided_by_gender": True,
                "higher_is_better": spec.higher_is_better,
                "municipality_type": "K",
                "provisional": False,
                "generated": True,
            },
        )
        wanted = [goals[n] for n in spec.sub_goals if n in goals]
        if {g.pk for g in indicator.sub_goals.all()} != {g.pk for g in wanted}:
            indicator.sub_goals.set(wanted)
        out[spec.code] = indicator
    return out


def _key(o: Observation) -> tuple[int, int, int, str]:
    return (o.indicator_id, o.organisation_id, o.period, o.gender)


@transaction.atomic
def sample_load(*, actor: object) -> SampleSummary:
    """Create (or bring back) the generated sample; see the module's docstring."""
    require(actor, "indicator.import")
    municipalities = list(Organisation.objects.filter(kind=OrganisationKind.KOMMUN).order_by("code"))
    areas = list(
        Organisation.objects.filter(kind__in=[OrganisationKind.LAN, OrganisationKind.REGION]).order_by(
            "kind", "code"
        )
    )
    riket = Organisation.objects.get(kind=OrganisationKind.RIKET, code="00")
    county_id_by_code = {o.code: o.pk for o in areas if o.kind == OrganisationKind.LAN}
    members_by_county: dict[int, list[int]] = {}
    for m in municipalities:
        if m.county_id is not None:
            members_by_county.setdefault(m.county_id, []).append(m.pk)
    counties: dict[int, list[int]] = {}
    for area in areas:
        county = county_id_by_code.get(area.code)
        if county is not None and members_by_county.get(county):
            counties[area.pk] = members_by_county[county]
    indicators = _indicators()
    rows = list(_rows(municipalities, counties, riket.pk, indicators))
    existing = {
        (i, o, p, g): (v, c)
        for i, o, p, g, v, c in Observation.objects.filter(indicator__in=indicators.values()).values_list(
            "indicator_id", "organisation_id", "period", "gender", "value", "count"
        )
    }
    wanted = {_key(o): (o.value, o.count) for o in rows}
    if existing == wanted:
        return SampleSummary(len(indicators), len(rows), 0)
    Observation.objects.filter(indicator__in=indicators.values()).delete()
    for start in range(0, len(rows), BATCH):
        Observation.objects.bulk_create(rows[start : start + BATCH])
    if connection.vendor == "postgresql":
        # Fresh statistics, or the planner may not use the gap query's index until autovacuum runs.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE indicators_observation")
    return SampleSummary(len(indicators), len(rows), len(rows))
