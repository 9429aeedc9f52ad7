"""`names_on` (plain rows, one query) names every organisation as `name_at` and `short_name_at`
(model rows with their names) do, on any day: before, inside, between and after the names."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jamkoll.reference.models import Organisation, OrganisationName
from jamkoll.reference.selectors import names_on, organisation_list

pytestmark = pytest.mark.django_db


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(on=st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2040, 12, 31)))
def test_names_on_any_day_are_those_of_the_organisations(on: dt.date) -> None:
    orgs = sorted(organisation_list(), key=lambda o: (o.code, o.pk))
    assert len(orgs) > 300
    assert names_on(Organisation.objects.all(), on) == [(o.code, o.name_at(on)) for o in orgs]
    short = [(o.code, o.short_name_at(on)) for o in orgs]
    assert names_on(Organisation.objects.all(), on, short=True) == short


def test_renamed_unnamed_and_ordered() -> None:
    county = Organisation.objects.get(code="06", kind="lan")
    OrganisationName.objects.filter(organisation=county).delete()
    OrganisationName.objects.create(
        organisation=county, name="Gamla", valid_from=dt.date(2000, 1, 1), valid_to=dt.date(2009, 12, 31)
    )
    OrganisationName.objects.create(
        organisation=county, name="Nya", short_name="N", valid_from=dt.date(2011, 1, 1)
    )
    unnamed = Organisation.objects.create(code="zz-test", kind="other")
    everyone = Organisation.objects.filter(code__in=["zz-test", "06", "01"], kind__in=["lan", "other"])
    for on, expected in [
        (dt.date(1999, 1, 1), "Gamla"),  # before the first: the first
        (dt.date(2005, 1, 1), "Gamla"),
        (dt.date(2010, 6, 1), "Nya"),  # between two: the last
        (dt.date(2030, 1, 1), "Nya"),
    ]:
        with CaptureQueriesContext(connection) as queries:
            pairs = names_on(everyone, on)
        got = dict(pairs)
        assert len(queries.captured_queries) == 1
        assert got["06"] == expected == county.name_at(on)
        assert got["zz-test"] == "zz-test" == unnamed.name_at(on)  # no name: the code
        assert [code for code, _name in pairs] == ["01", "06", "zz-test"]
    assert dict(names_on(everyone, dt.date(2030, 1, 1), short=True))["06"] == "N"
    # A county and its region share a code: both are named, each by its own names.
    both = names_on(Organisation.objects.filter(code="12"), dt.date(2020, 1, 1))
    assert sorted(both) == [("12", "Region Skåne"), ("12", "Skåne län")]
