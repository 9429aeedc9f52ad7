"""Lag (1930:173) om beräkning av lagstadgad tid, and the holiday source behind it."""

import datetime as dt

import holidays
import pytest
from hypothesis import given
from hypothesis import strategies as st

from jamkoll.obligations.deadlines import effective_date, is_working_day, midsommarafton, non_working_reason

D = dt.date.fromisoformat

# Lag (1989:253) om allmänna helgdagar, 1 §, besides the Sundays.
LAW_1989_253 = {
    "Nyårsdagen",
    "Trettondedag jul",
    "Långfredagen",
    "Påskdagen",
    "Annandag påsk",
    "Första maj",
    "Kristi himmelsfärdsdag",
    "Nationaldagen",
    "Pingstdagen",
    "Midsommardagen",
    "Alla helgons dag",
    "Juldagen",
    "Annandag jul",
}


@pytest.mark.parametrize("year", range(2005, 2041))
def test_the_holiday_source_gives_exactly_the_allmanna_helgdagar_of_the_law(year: int) -> None:
    calendar = holidays.Sweden(years=year, include_sundays=False, language="sv")
    # Two holidays on one day share a date ("Första maj; Kristi himmelsfärdsdag" in 2008).
    names = [name for names in calendar.values() for name in names.split("; ")]
    assert sorted(names) == sorted(LAW_1989_253)
    assert not [name for name in names if "afton" in name.lower()]


def test_no_afton_but_the_three_in_the_law_is_a_non_working_day() -> None:
    # The library's wider categories know other aftnar; the 1930 act does not.
    wide = holidays.Sweden(years=2019, categories=holidays.Sweden.supported_categories, language="sv")
    aftnar = {day: name for day, name in wide.items() if "afton" in name.lower() and day.weekday() < 5}
    assert {"Midsommarafton", "Julafton", "Nyårsafton", "Påskafton"} <= {
        n.split(" (")[0] for n in wide.values()
    }
    for day, name in aftnar.items():
        expected = name.split(" ")[0] in {"Midsommarafton", "Julafton", "Nyårsafton"}
        assert (not is_working_day(day)) is expected, (day, name)
    assert is_working_day(D("2019-04-18"))  # skärtorsdagen
    assert is_working_day(D("2019-04-30"))  # valborgsmässoafton
    assert is_working_day(D("2019-01-05")) is False  # trettondagsafton is a Saturday that year
    assert is_working_day(D("2021-01-05"))  # trettondagsafton on a Tuesday


@pytest.mark.parametrize("year", range(1990, 2101))
def test_midsommarafton_is_the_day_before_midsommardagen(year: int) -> None:
    calendar = holidays.Sweden(years=year, include_sundays=False, language="sv")
    midsommardagen = next(day for day, name in calendar.items() if name == "Midsommardagen")
    assert midsommarafton(year) == midsommardagen - dt.timedelta(days=1)


@pytest.mark.parametrize(
    ("nominal", "effective", "reason"),
    [
        ("2019-03-31", "2019-04-01", "söndag"),  # the agreement's reports for 2018
        ("2019-04-01", "2019-04-01", None),
        ("2018-12-01", "2018-12-03", "lördag"),  # requisition 2018
        ("2019-12-01", "2019-12-02", "söndag"),
        ("2018-03-31", "2018-04-03", "lördag"),  # then påskdagen, annandag påsk
        ("2018-04-01", "2018-04-03", "påskdagen"),
        ("2019-04-19", "2019-04-23", "långfredagen"),
        ("2020-05-21", "2020-05-22", "Kristi himmelsfärdsdag"),
        ("2019-06-06", "2019-06-07", "nationaldagen"),
        ("2019-06-21", "2019-06-24", "midsommarafton"),
        ("2020-06-19", "2020-06-22", "midsommarafton"),
        ("2019-12-24", "2019-12-27", "julafton"),
        ("2022-12-31", "2023-01-02", "nyårsafton"),
        ("2019-12-31", "2020-01-02", "nyårsafton"),
        ("2020-01-06", "2020-01-07", "trettondedag jul"),
        ("2019-11-02", "2019-11-04", "alla helgons dag"),
        ("2021-03-31", "2021-03-31", None),
    ],
)
def test_effective_date(nominal: str, effective: str, reason: str | None) -> None:
    assert effective_date(D(nominal)) == D(effective)
    assert non_working_reason(D(nominal)) == reason


@given(st.dates(min_value=dt.date(1995, 1, 1), max_value=dt.date(2090, 12, 31)))
def test_effective_date_is_the_first_working_day_on_or_after_the_nominal(nominal: dt.date) -> None:
    result = effective_date(nominal)
    assert result >= nominal
    assert is_working_day(result)
    assert result.weekday() < 5
    day = nominal
    while day < result:  # nothing skipped: every day in between is not a working day
        assert not is_working_day(day)
        day += dt.timedelta(days=1)
    assert (result - nominal).days <= 5


def test_the_end_of_the_calendar_is_no_server_error() -> None:
    # 9999-12-31 is nyårsafton and has no next day: the rule cannot move it, and says why.
    assert effective_date(dt.date.max) == dt.date.max
    assert non_working_reason(dt.date.max) == "nyårsafton"
    assert effective_date(D("9999-12-25")) == D("9999-12-27")
