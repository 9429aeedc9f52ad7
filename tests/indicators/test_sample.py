"""The demo's generated sample (indicators/sample.py): every municipality, region, county and Riket
for every indicator and year, women, men and total; labelled as generated; deterministic, plausible
(a county is its municipalities' weighted mean), with a few small counts; idempotent. It is not in
the seeded test database unless a test loads it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db.models import Count

from jamkoll.accounts.policy import SEED_LOADER
from jamkoll.errors import PermissionDenied
from jamkoll.indicators import selectors
from jamkoll.indicators.models import Indicator, Observation
from jamkoll.indicators.sample import INDICATORS, YEARS, sample_codes, sample_load
from jamkoll.reference.models import Organisation

pytestmark = pytest.mark.django_db

ORGANISATIONS = 290 + 21 + 21 + 1


@pytest.fixture
def loaded() -> Any:
    return sample_load(actor=SEED_LOADER)


def test_the_seed_does_not_load_the_sample() -> None:
    assert not Indicator.objects.filter(generated=True).exists()
    assert not Indicator.objects.filter(code__in=sample_codes()).exists()


def test_it_covers_every_organisation_every_year_and_every_sex(loaded: Any) -> None:
    assert loaded.indicators == len(INDICATORS) >= 5
    assert loaded.observations == len(INDICATORS) * len(YEARS) * ORGANISATIONS * 3 == loaded.written
    per_key = (
        Observation.objects.filter(indicator__code__in=sample_codes())
        .values("indicator__code", "period", "gender")
        .annotate(n=Count("organisation", distinct=True))
    )
    assert len(per_key) == len(INDICATORS) * 10 * 3
    assert {row["n"] for row in per_key} == {ORGANISATIONS}
    assert list(YEARS) == list(range(2015, 2025))
    kinds = Organisation.objects.filter(observations__indicator__code="JK-DEMO-1", observations__period=2020)
    by_kind = dict(kinds.values_list("kind").annotate(n=Count("id", distinct=True)))
    assert by_kind == {"kommun": 290, "region": 21, "lan": 21, "riket": 1}
    assert not Observation.objects.filter(indicator__code__in=sample_codes(), value__isnull=True).exists()


def test_it_is_labelled_as_generated(loaded: Any) -> None:
    for indicator in Indicator.objects.filter(code__in=sample_codes()):
        assert indicator.generated and indicator.divided_by_gender
        assert indicator.title.startswith("Exempel:") and "(genererat)" in indicator.title
        assert "inte verklig statistik" in indicator.description
        assert indicator.code[:1] not in {"N", "U"}  # never a Kolada id
    linked = Indicator.objects.filter(code__in=sample_codes(), sub_goals__isnull=False).distinct()
    assert linked.count() >= 4


def test_a_second_load_changes_nothing_and_a_damaged_sample_is_replaced(loaded: Any) -> None:
    before = list(Observation.objects.order_by("id").values_list("id", "value", "count"))
    again = sample_load(actor=SEED_LOADER)
    assert again.written == 0
    assert list(Observation.objects.order_by("id").values_list("id", "value", "count")) == before
    Observation.objects.filter(pk=before[0][0]).update(value=Decimal("-1"))
    Observation.objects.filter(pk=before[1][0]).delete()
    repaired = sample_load(actor=SEED_LOADER)
    assert repaired.written == repaired.observations
    values = sorted(v for _i, v, _c in Observation.objects.values_list("id", "value", "count"))
    assert values == sorted(v for _i, v, _c in before)


def test_a_county_and_riket_are_their_municipalities_weighted_means(loaded: Any) -> None:
    table = selectors.gap_table(indicator="JK-DEMO-1", year=2020, level="kommun")
    assert len(table.rows) == 290 and all(r.gap is not None for r in table.rows)
    assert table.national is not None and table.national.women is not None
    women = [r.women for r in table.rows if r.women is not None]
    assert min(women) <= table.national.women <= max(women)
    skane = table.counties["12"]
    members = [r for r in table.rows if r.county_code == "12"]
    assert skane.women_count == sum(r.women_count or 0 for r in members)
    assert min(r.women for r in members) <= skane.women <= max(r.women for r in members)  # type: ignore[type-var]
    # Plausible: women's employment a little below men's in most municipalities, within 0–100 %.
    assert sum(1 for r in table.rows if r.gap is not None and r.gap < 0) > 200
    assert all(Decimal(0) < r.women < Decimal(100) for r in table.rows if r.women is not None)


def test_a_few_small_municipalities_are_suppressed(loaded: Any) -> None:
    table = selectors.gap_table(indicator="JK-DEMO-6", year=2020, level="kommun")
    shown = selectors.suppress(table.rows)
    hidden = [r for r in shown if r.suppressed]
    assert 1 <= len(hidden) <= 30
    assert all(r.women is None and r.gap is None and r.rank is None for r in hidden)


def test_it_is_deterministic(loaded: Any) -> None:
    first = sorted(
        Observation.objects.values_list("indicator__code", "organisation_id", "period", "gender", "value")
    )
    Observation.objects.filter(indicator__code__in=sample_codes()).delete()
    sample_load(actor=SEED_LOADER)
    again = sorted(
        Observation.objects.values_list("indicator__code", "organisation_id", "period", "gender", "value")
    )
    assert again == first


def test_it_needs_the_import_right(no_role: Any) -> None:
    with pytest.raises(PermissionDenied):
        sample_load(actor=no_role)
    assert not Indicator.objects.filter(code__in=sample_codes()).exists()
