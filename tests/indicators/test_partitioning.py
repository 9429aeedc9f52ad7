"""On PostgreSQL the observations table is partitioned by period (migration 0002): a row lands in
its decade's partition, the key stays unique across partitions, the gap query's index is there, and
a backup round trip gives the rows back. SQLite keeps a plain table."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction

from jamkoll.backup.services import backup_create, backup_restore
from jamkoll.indicators.models import Indicator, Observation
from jamkoll.reference.models import Organisation

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="partitioning is PostgreSQL's; SQLite keeps a plain table"
    ),
]


def _scalar(sql: str, params: list[Any] | None = None) -> Any:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        row = cursor.fetchone()
    return row[0] if row else None


@pytest.fixture
def indicator() -> Indicator:
    return Indicator.objects.create(code="X00001", title="Test", divided_by_gender=True)


def test_the_table_is_partitioned_by_range_of_period() -> None:
    assert (
        _scalar(
            "SELECT pt.partstrat FROM pg_partitioned_table pt JOIN pg_class c ON c.oid = pt.partrelid "
            "WHERE c.relname = 'indicators_observation'"
        )
        == "r"
    )
    partitions = _scalar(
        "SELECT array_agg(c.relname ORDER BY c.relname) FROM pg_inherits i "
        "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'indicators_observation'::regclass"
    )
    assert "indicators_observation_y2010" in partitions and "indicators_observation_default" in partitions
    assert len(partitions) == 16  # 1950s … 2090s and DEFAULT


def test_a_row_lands_in_its_decades_partition(indicator: Indicator) -> None:
    org = Organisation.objects.get(kind="kommun", code="0580")
    rows = [
        Observation.objects.create(indicator=indicator, organisation=org, period=period, gender="T", value=1)
        for period in (2018, 1999, 2100)
    ]
    where = {
        pk: _scalar("SELECT tableoid::regclass::text FROM indicators_observation WHERE id = %s", [pk])
        for pk in (r.pk for r in rows)
    }
    assert list(where.values()) == [
        "indicators_observation_y2010",
        "indicators_observation_y1990",
        "indicators_observation_default",
    ]
    assert _scalar("SELECT count(*) FROM indicators_observation_y2010") == 1
    # Django's primary key is still `id`, and the ids still come from one sequence.
    assert Observation.objects.get(pk=rows[0].pk).period == 2018
    assert len({r.pk for r in rows}) == 3


def test_the_key_is_unique_and_the_checks_hold_across_partitions(indicator: Indicator) -> None:
    org = Organisation.objects.get(kind="kommun", code="0580")
    Observation.objects.create(indicator=indicator, organisation=org, period=2018, gender="K", value=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Observation.objects.create(indicator=indicator, organisation=org, period=2018, gender="K", value=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        Observation.objects.create(indicator=indicator, organisation=org, period=2101, gender="K", value=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        Observation.objects.create(indicator=indicator, organisation=org, period=2018, gender="X", value=2)


def test_the_gap_query_reads_one_partition_by_the_unique_index(indicator: Indicator) -> None:
    assert _scalar("SELECT pg_get_indexdef('observation_one_per_key'::regclass)").endswith(
        "(indicator_id, period, organisation_id, gender)"
    )
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            "EXPLAIN SELECT organisation_id, gender, value, count FROM indicators_observation "
            "WHERE indicator_id = %s AND period = %s",
            [indicator.pk, 2018],
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "indicators_observation_y2010" in plan
    assert "indicators_observation_y2000" not in plan  # pruned


def test_a_backup_round_trip_gives_the_observations_back(indicator: Indicator, tmp_path: Path) -> None:
    from tests.backup.test_backup import _fresh_database, snapshot

    orgs = list(Organisation.objects.filter(kind="kommun").order_by("code")[:3])
    Observation.objects.bulk_create(
        Observation(indicator=indicator, organisation=o, period=p, gender=g, value=Decimal("1.5"), count=3)
        for o in orgs
        for p in (1998, 2018, 2024)
        for g in "TKM"
    )
    before = snapshot()
    assert len(before["indicators_observation"]) == 27
    backup_create(path=tmp_path / "b.zip")
    _fresh_database()
    backup_restore(path=tmp_path / "b.zip")
    assert snapshot() == before
    assert _scalar("SELECT count(*) FROM indicators_observation_y2020") == 9


def test_the_migration_goes_back_and_forth_keeping_the_rows(indicator: Indicator) -> None:
    from django.core.management import call_command

    org = Organisation.objects.get(kind="kommun", code="0580")
    kept = Observation.objects.create(indicator=indicator, organisation=org, period=2018, gender="T", value=7)
    relkind = "SELECT relkind FROM pg_class WHERE relname = 'indicators_observation'"
    # The test's own inserts leave deferred foreign-key checks pending, which forbid ALTER TABLE;
    # a real `migrate` has none. Run them now.
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    call_command("migrate", "indicators", "0001", verbosity=0)
    assert _scalar(relkind) == "r"
    assert (
        _scalar(
            "SELECT count(*) FROM pg_partitioned_table WHERE partrelid = 'indicators_observation'::regclass"
        )
        == 0
    )
    assert Observation.objects.get(pk=kept.pk).value == 7
    call_command("migrate", "indicators", verbosity=0)
    assert _scalar(relkind) == "p"
    assert Observation.objects.get(pk=kept.pk).value == 7
    # The identity sequence carried on: a new row gets a new id.
    again = Observation.objects.create(
        indicator=indicator, organisation=org, period=2019, gender="T", value=8
    )
    assert again.pk > kept.pk
