"""The gap analysis against hand-computed values: gap K − M, ratio K / M, rank by |gap| with ties,
the year before, the county's and the nation's figures, and suppression of small counts."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jamkoll.errors import NotFound, ValidationError
from jamkoll.indicators.models import Indicator, Observation
from jamkoll.indicators.selectors import GapRow, dec_str, gap_table, rank_rows, suppress, trend
from jamkoll.reference.models import Organisation

D = Decimal


def _org(kind: str, code: str) -> Organisation:
    return Organisation.objects.get(kind=kind, code=code)


def _put(indicator: Indicator, org: Organisation, period: int, **values: Any) -> None:
    rows = []
    for gender, spec in values.items():
        value, count = spec if isinstance(spec, tuple) else (spec, None)
        rows.append(
            Observation(
                indicator=indicator,
                organisation=org,
                period=period,
                gender=gender,
                value=None if value is None else D(value),
                count=count,
            )
        )
    Observation.objects.bulk_create(rows)


@pytest.fixture
def kpi(db: None) -> Indicator:
    indicator = Indicator.objects.create(code="N00001", title="Förvärvsfrekvens", divided_by_gender=True)
    # Malmö 70 / 74 → gap −4, ratio 0.9459; Lund 80 / 78 → +2, 1.0256;
    # Ystad 60 / 62 → −2 (ties Lund), 0.9677; Kiruna 50 / 50 → 0, 1; Luleå men missing.
    _put(indicator, _org("kommun", "1280"), 2024, K="70", M="74", T="72")
    _put(indicator, _org("kommun", "1281"), 2024, K="80", M="78", T="79")
    _put(indicator, _org("kommun", "1286"), 2024, K="60", M="62", T="61")
    _put(indicator, _org("kommun", "2584"), 2024, K="50", M="50", T="50")
    _put(indicator, _org("kommun", "2580"), 2024, K="55", M=None, T="56")
    _put(indicator, _org("kommun", "1280"), 2023, K="69", M="75")
    _put(indicator, _org("lan", "12"), 2024, K="66", M="68", T="67")
    _put(indicator, _org("region", "25"), 2024, K="52", M="51")
    _put(indicator, _org("riket", "00"), 2024, K="68", M="71.5", T="69.75")
    return indicator


def test_gap_ratio_rank_hand_computed(kpi: Indicator) -> None:
    table = gap_table(indicator="N00001", year=2024, level="kommun")
    by_code = {row.code: row for row in table.rows}
    assert len(table.rows) == Organisation.objects.filter(kind="kommun").count() == 290
    assert by_code["1280"].as_dict() == {
        "code": "1280",
        "name": "Malmö",
        "women": "70",
        "men": "74",
        "total": "72",
        "gap": "-4",
        "ratio": "0.9459",
        "rank": 4,
    }
    assert (by_code["2584"].gap, by_code["2584"].ratio, by_code["2584"].rank) == (D(0), D(1), 1)
    # Lund (+2) and Ystad (−2) tie on |gap| = 2: both rank 2, the next is 4.
    assert (by_code["1281"].rank, by_code["1286"].rank) == (2, 2)
    assert by_code["1281"].ratio == D("1.0256") and by_code["1286"].ratio == D("0.9677")
    # A missing value stays missing: no gap, no ratio, no rank — never 0.
    assert by_code["2580"].men is None and by_code["2580"].gap is None and by_code["2580"].rank is None
    assert [r.code for r in table.rows[:4]] == ["2584", "1281", "1286", "1280"]
    # The year before and the change of the gap: −6 → −4.
    assert by_code["1280"].previous_gap == D(-6) and by_code["1280"].change == D(2)
    # The county's figures (Skåne län) and the nation's; Norrbotten has a region's only.
    assert table.county_of(by_code["1280"]).gap == D(-2)
    assert table.county_of(by_code["2584"]).kind == "region"
    assert table.national is not None and table.national.gap == D("-3.5")


def test_levels_and_bad_arguments(kpi: Indicator) -> None:
    counties = gap_table(indicator=kpi, year=2024, level="lan")
    assert len(counties.rows) == 21 and counties.rows[0].code == "12"
    with pytest.raises(ValidationError) as err:
        gap_table(indicator=kpi, year=9999, level="kommun")
    assert "year" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        gap_table(indicator=kpi, year=2024, level="x" * 10_000)
    assert "level" in err.value.message_dict
    with pytest.raises(NotFound):
        gap_table(indicator="N" * 1_000_000, year=2024)


def test_trend_oldest_first(kpi: Indicator) -> None:
    points = trend(indicator=kpi, organisation=_org("kommun", "1280"))
    assert [(p.period, p.gap) for p in points] == [(2023, D(-6)), (2024, D(-4))]


def test_small_counts_suppressed_with_what_reveals_them(kpi: Indicator) -> None:
    Observation.objects.filter(indicator=kpi, organisation__code="1281", gender="K", period=2024).update(
        count=3
    )
    rows = suppress(gap_table(indicator=kpi, year=2024).rows, threshold=5)
    lund = next(r for r in rows if r.code == "1281")
    assert lund.suppressed and lund.women is lund.men is lund.gap is lund.ratio is lund.rank is None
    assert lund.total == D(79)  # its own count is not small, and alone it reveals neither sex
    ystad = next(r for r in rows if r.code == "1286")
    # Ranks are given anew: Lund's hidden gap leaves no hole in the ranking to read it from.
    assert ystad.rank == 2 and sorted(r.rank for r in rows if r.rank) == [1, 2, 3]


def test_dec_str() -> None:
    assert dec_str(D("82526.000000")) == "82526"
    assert dec_str(D("45.500000")) == "45.5"
    assert dec_str(D("-0.000000")) == "0"
    assert dec_str(D("1E+3")) == "1000"
    assert dec_str(None) is None


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=-50, max_value=50), min_size=1, max_size=30))
def test_rank_is_competition_ranking_by_gap_size(gaps: list[int]) -> None:
    rows = [
        GapRow(
            code=f"{i:04d}",
            kolada_id=f"{i:04d}",
            kind="kommun",
            name="",
            county_code=None,
            women=None,
            men=None,
            total=None,
            gap=D(g),
        )
        for i, g in enumerate(gaps)
    ]
    ranked = rank_rows(rows)
    for row in ranked:
        smaller = sum(1 for other in ranked if abs(other.gap or 0) < abs(row.gap or 0))
        assert row.rank == smaller + 1
