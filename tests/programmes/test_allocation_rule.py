"""The allocation rule and money: exact to the öre or an error (Hypothesis)."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jamkoll.money import AmountError, format_mnkr, format_sek, parse_amount, to_str
from jamkoll.programmes.allocation import AllocationError, divide

COUNTIES = ["01", "03", "04", "05", "06", "07", "08", "09", "10", "12", "13", "14",
            "17", "18", "19", "20", "21", "22", "23", "24", "25"]  # fmt: skip
cents = st.integers(min_value=0, max_value=10**11).map(lambda c: Decimal(c) / 100)


def test_the_seed_002_rule_divides_9_msek_exactly() -> None:
    amounts = divide(
        line_amount=Decimal("9000000.00"),
        counties=COUNTIES,
        default_amount=Decimal("400000.00"),
        overrides={c: Decimal("600000.00") for c in ("01", "12", "14")},
    )
    assert sum(amounts.values()) == Decimal("9000000.00")
    assert amounts["25"] == Decimal("400000.00") and amounts["12"] == Decimal("600000.00")


def test_a_rule_that_does_not_add_up_is_an_error_not_a_rounding() -> None:
    with pytest.raises(AllocationError, match=r"ger 8400000\.00 kr men budgetraden är 9000000\.00 kr"):
        divide(
            line_amount=Decimal("9000000.00"),
            counties=COUNTIES,
            default_amount=Decimal("400000.00"),
            overrides={},
        )


def test_an_override_for_an_unknown_county_is_an_error() -> None:
    with pytest.raises(AllocationError, match="99"):
        divide(
            line_amount=Decimal("1.00"),
            counties=["01"],
            default_amount=Decimal("1.00"),
            overrides={"99": Decimal("1.00")},
        )


@given(default=cents, overrides=st.dictionaries(st.sampled_from(COUNTIES), cents, max_size=21))
def test_when_the_line_is_the_rule_sum_every_county_gets_its_amount(
    default: Decimal, overrides: dict[str, Decimal]
) -> None:
    expected = {c: overrides.get(c, default) for c in COUNTIES}
    line = sum(expected.values(), Decimal("0.00"))
    amounts = divide(line_amount=line, counties=COUNTIES, default_amount=default, overrides=overrides)
    assert amounts == expected
    assert sum(amounts.values()) == line


@given(default=cents, delta=st.integers(min_value=-(10**6), max_value=10**6).filter(bool))
def test_any_difference_of_even_one_ore_is_refused(default: Decimal, delta: int) -> None:
    line = default * len(COUNTIES) + Decimal(delta) / 100
    with pytest.raises(AllocationError):
        divide(line_amount=line, counties=COUNTIES, default_amount=default, overrides={})


@given(cents)
def test_amounts_round_trip_through_their_string_form(amount: Decimal) -> None:
    assert parse_amount(to_str(amount)) == amount


def test_money_is_never_float() -> None:
    with pytest.raises(AmountError, match="flyttal"):
        parse_amount(0.1)
    with pytest.raises(AmountError, match="två decimaler"):
        parse_amount("1.005")
    with pytest.raises(AmountError, match="negativt"):
        parse_amount("-1")
    with pytest.raises(AmountError, match="ogiltigt"):
        parse_amount("NaN")
    assert parse_amount("2 500 000,50") == Decimal("2500000.50")


def test_swedish_display() -> None:
    assert format_sek(Decimal("20000000.00")) == "20\u00a0000\u00a0000\u00a0kr"
    assert format_mnkr(Decimal("2500000.00")) == "2,5\u00a0mnkr"
    assert format_mnkr(Decimal("20000000.00")) == "20\u00a0mnkr"
    assert format_sek(None) == "ej beslutat"
