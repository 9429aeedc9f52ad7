"""Statuses are computed from the dates and the submission; the query conditions agree."""

import datetime as dt

import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from jamkoll.obligations.deadlines import effective_date
from jamkoll.obligations.models import Obligation, ObligationStatus, Tier
from jamkoll.obligations.selectors import obligation_list, status_q

from .conftest import obligation

pytestmark = pytest.mark.django_db
D = dt.date.fromisoformat


def _ob(**kwargs: object) -> Obligation:
    base = {"kind": "financial_report", "tier": Tier.STATE, "year": 2018}
    ob = Obligation(**{**base, **kwargs})
    if ob.nominal_date:
        ob.effective_date = effective_date(ob.nominal_date)
    return ob


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        ("2019-01-01", ObligationStatus.UPCOMING),
        ("2019-03-01", ObligationStatus.UPCOMING),  # 31 days to 2019-04-01
        ("2019-03-02", ObligationStatus.DUE_SOON),  # 30 days
        ("2019-04-01", ObligationStatus.DUE_SOON),  # the effective date itself
        ("2019-04-02", ObligationStatus.OVERDUE),
    ],
)
def test_open_statuses_follow_the_effective_date(today: str, expected: ObligationStatus) -> None:
    ob = _ob(nominal_date=D("2019-03-31"))
    assert ob.status_on(D(today)) == expected


def test_submitted_on_the_effective_date_after_a_sunday_deadline_is_on_time() -> None:
    ob = _ob(nominal_date=D("2019-03-31"), submitted_on=D("2019-04-01"))
    assert ob.status_on(D("2025-01-01")) == ObligationStatus.SUBMITTED_ON_TIME
    assert not ob.reclaim_risk_on(D("2025-01-01"))
    late = _ob(nominal_date=D("2019-03-31"), submitted_on=D("2019-04-02"))
    assert late.status_on(D("2025-01-01")) == ObligationStatus.SUBMITTED_LATE


def test_a_late_or_missing_financial_report_to_the_state_is_a_reclaim_risk() -> None:
    late = _ob(nominal_date=D("2019-03-31"), submitted_on=D("2019-04-02"))
    missing = _ob(nominal_date=D("2019-03-31"))
    assert late.reclaim_risk_on(D("2019-05-01"))
    assert missing.reclaim_risk_on(D("2019-04-02"))
    assert not missing.reclaim_risk_on(D("2019-04-01"))
    assert not _ob(kind="activity_report", nominal_date=D("2019-03-31")).reclaim_risk_on(D("2019-05-01"))
    rss = _ob(tier=Tier.RSS, nominal_date=D("2019-03-31"))
    assert not rss.reclaim_risk_on(D("2019-05-01"))


def test_waived_and_not_scheduled() -> None:
    assert _ob().status_on(D("2030-01-01")) == ObligationStatus.NOT_SCHEDULED
    waived = _ob(nominal_date=D("2019-03-31"), waived_at=timezone.now(), waiver_reason="x")
    assert waived.status_on(D("2030-01-01")) == ObligationStatus.WAIVED
    assert not waived.reclaim_risk_on(D("2030-01-01"))


def test_the_status_filter_finds_exactly_the_obligations_with_that_status() -> None:
    Obligation.objects.filter(pk=obligation("2018-financial_report").pk).update(submitted_on=D("2019-04-05"))
    Obligation.objects.filter(pk=obligation("2018-repayment").pk).update(submitted_on=D("2019-03-29"))
    Obligation.objects.filter(pk=obligation("2019-activity_report").pk).update(
        waived_at=timezone.now(), waiver_reason="test"
    )
    for today in [D("2018-01-01"), D("2019-03-15"), D("2019-04-01"), D("2020-03-31"), D("2030-01-01")]:
        computed = {o.pk: o.status_on(today) for o in Obligation.objects.all()}
        for status in ObligationStatus:
            found = set(Obligation.objects.filter(status_q(status, today)).values_list("pk", flat=True))
            assert found == {pk for pk, s in computed.items() if s == status}, (today, status)


@settings(max_examples=25, deadline=None)
@given(st.dates(min_value=dt.date(2017, 6, 1), max_value=dt.date(2022, 6, 1)))
def test_status_filter_and_property_agree_on_any_day(today: dt.date) -> None:
    for status in ObligationStatus:
        listed = list(obligation_list(status=status, today=today))
        assert all(o.status_on(today) == status for o in listed)
    total = sum(obligation_list(status=s, today=today).count() for s in ObligationStatus)
    assert total == Obligation.objects.count()


def test_year_filter_uses_the_nominal_date_and_the_concerned_year_for_undated() -> None:
    keys = set(obligation_list(year=2019).values_list("key", flat=True))
    assert {"2018-financial_report", "2018-activity_report", "2018-repayment", "2019-requisition"} <= keys
    assert "2019-financial_report" not in keys  # due 2020
    assert "2019-status_report-h1" in keys and "2018-status_report-h1" not in keys
