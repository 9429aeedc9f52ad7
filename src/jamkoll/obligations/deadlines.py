"""The effective date of a deadline: Lag (1930:173) om beräkning av lagstadgad tid.

"Om den sista dagen infaller på söndag, annan allmän helgdag, lördag, midsommarafton, julafton
eller nyårsafton, får åtgärden göras nästa vardag" (2 §). The allmänna helgdagar are those of
lag (1989:253) om allmänna helgdagar, which is exactly what `holidays.Sweden(include_sundays=False)`
returns in its default (public) category: nyårsdagen, trettondedag jul, långfredagen, påskdagen,
annandag påsk, första maj, Kristi himmelsfärdsdag, nationaldagen, pingstdagen, midsommardagen, alla
helgons dag, juldagen and annandag jul. The library's other categories add days the law does not
know (påskafton, pingstafton, "klämdagar"); they are deliberately not used. The three aftnar that
the 1930 act names are added here. The tests check both lists against the library.

Known limitation: the rule is the one in force since 1990 (pingstdagen instead of annandag pingst
from 2005 comes from the library). Dates before 1990 are not needed by JämKoll.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays
from django.utils.translation import gettext as _

ONE_DAY = dt.timedelta(days=1)


@lru_cache(maxsize=512)
def _holidays(year: int) -> dict[dt.date, str]:
    """The allmänna helgdagar of one year with their Swedish names (weekends excluded)."""
    calendar = holidays.Sweden(years=year, include_sundays=False, language="sv")
    return dict(calendar.items())


def midsommarafton(year: int) -> dt.date:
    """The Friday before midsommardagen, which is the Saturday between 20 and 26 June (1989:253)."""
    day = dt.date(year, 6, 19)
    while day.weekday() != 4:
        day += ONE_DAY
    return day


def non_working_reason(day: dt.date) -> str | None:
    """Why an act may not be done on `day` under the 1930 act, or None on an ordinary weekday."""
    name = _holidays(day.year).get(day)
    if name:
        # "Långfredagen" reads "långfredagen" mid-sentence; "Kristi" is a name and keeps its capital.
        return name if name.startswith("Kristi") else name[0].lower() + name[1:]
    if day == midsommarafton(day.year):
        return _("midsommarafton")
    if (day.month, day.day) == (12, 24):
        return _("julafton")
    if (day.month, day.day) == (12, 31):
        return _("nyårsafton")
    if day.weekday() == 5:
        return _("lördag")
    if day.weekday() == 6:
        return _("söndag")
    return None


def is_working_day(day: dt.date) -> bool:
    return non_working_reason(day) is None


def effective_date(nominal: dt.date) -> dt.date:
    """The last day on which the act may be done when the nominal last day is `nominal`. The
    calendar ends on 9999-12-31 (nyårsafton): a day with no later working day stays as it is, never
    an OverflowError (services bound the dates they accept well before that)."""
    day = nominal
    while not is_working_day(day):
        if day == dt.date.max:
            return nominal
        day += ONE_DAY
    return day


def moved_because(nominal: dt.date | None, effective: dt.date | None) -> str | None:
    """Why the effective date is later than the nominal one, to follow "6 juni 2022 är …":
    "en helgdag (nationaldagen)", "en lördag", "midsommarafton"; None when it does not move."""
    if nominal is None or effective is None or nominal == effective:
        return None
    reason = non_working_reason(nominal) or ""
    if nominal in _holidays(nominal.year):
        return _("en helgdag (%(name)s)") % {"name": reason}
    if nominal.weekday() >= 5 and reason in (_("lördag"), _("söndag")):
        return _("en %(day)s") % {"day": reason}
    return reason
