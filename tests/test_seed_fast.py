"""Issue 16, "Start fast": a seed that changes nothing writes nothing and asks little; a value the
database refuses is still a `SeedError` at its place."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jamkoll.reference.models import Organisation, OrganisationKind
from jamkoll.seeding import Place, SeedError, upsert

pytestmark = pytest.mark.django_db


def test_a_second_seed_writes_nothing_and_does_not_load_related_rows() -> None:
    out = io.StringIO()
    with CaptureQueriesContext(connection) as queries:
        call_command("seed", "--no-migrate", stdout=out)
    assert "inget ändrades" in out.getvalue()
    verbs = {"INSERT", "UPDATE", "DELETE"}
    writes = [q["sql"] for q in queries if q["sql"].split(None, 1)[0].upper() in verbs]
    assert writes == []
    # 2 936 before issue 16 (every foreign key of every row loaded to compare it).
    assert len(queries) < 2300


def test_a_row_the_database_refuses_is_a_seed_error_at_its_place() -> None:
    place = Place("organisations.csv", line=7)
    with pytest.raises(SeedError, match=r"^organisations\.csv:7"):
        upsert(
            Organisation,
            {"kind": OrganisationKind.OTHER, "code": "ISSUE16"},
            {"valid_from": dt.date(2020, 1, 1), "valid_to": dt.date(2019, 1, 1)},
            place=place,
        )
    # The refusal did not spoil the transaction: the next query works.
    assert not Organisation.objects.filter(code="ISSUE16").exists()
