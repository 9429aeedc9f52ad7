"""The activity form's partner and municipality lists are read as plain rows (`names_on`), not as
model rows with prefetched names: the same (code, name in the year) by name, in one query each."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jamkoll.plans.selectors import municipality_choices, partner_choices
from jamkoll.programmes.selectors import as_of
from jamkoll.reference.models import Organisation

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("year", [2008, 2018, 2019, 2020, 2031])
def test_the_lists_name_each_organisation_as_in_the_year_by_name(year: int) -> None:
    on = as_of(year)
    for choices, kinds in ((partner_choices, ("other", "region")), (municipality_choices, ("kommun",))):
        expected = sorted(
            (
                (o.code, o.name_at(on))
                for o in Organisation.objects.filter(kind__in=kinds).order_by("kind", "code")
            ),
            key=lambda x: x[1],
        )
        with CaptureQueriesContext(connection) as ctx:
            got = choices(year=year)
        assert got == expected and len(got) == len(expected) > 0
        assert len(ctx.captured_queries) == 1


def test_the_partner_list_follows_a_renaming() -> None:
    """SKL became SKR on 26 November 2019 (seed 001 and the organisations' names)."""
    names = {year: dict(partner_choices(year=year)) for year in (2018, 2020)}
    skr = next(code for code, name in names[2020].items() if name == "Sveriges Kommuner och Regioner")
    assert names[2018][skr] == "Sveriges Kommuner och Landsting"
