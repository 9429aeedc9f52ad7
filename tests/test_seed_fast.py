"""Issue 16, "Start fast": a seed that changes nothing writes nothing and asks little; a value the
database refuses is still a `SeedError` at its place."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.state import ProjectState
from django.test.utils import CaptureQueriesContext

from jamkoll.migrating import migrations_to_apply, new_models_rendered_alone
from jamkoll.reference.models import Organisation, OrganisationKind
from jamkoll.seeding import Existing, Place, SeedError, all_or_nothing, upsert

pytestmark = pytest.mark.django_db


def test_a_second_seed_writes_nothing_and_does_not_load_related_rows() -> None:
    out = io.StringIO()
    with CaptureQueriesContext(connection) as queries:
        call_command("seed", "--no-migrate", stdout=out)
    assert "inget ändrades" in out.getvalue()
    verbs = {"INSERT", "UPDATE", "DELETE"}
    writes = [q["sql"] for q in queries if q["sql"].split(None, 1)[0].upper() in verbs]
    assert writes == []
    # 2 936 before issue 16 (every foreign key of every row loaded to compare it), then 2 083 (a
    # query per row); now each loader reads the rows it upserts once (`seeding.Existing`): 704.
    assert len(queries) < 800, len(queries)


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


def _shape(apps: Any) -> dict[str, Any]:
    """Every model of a migration state as the schema editor and the ORM see it: table, fields
    (column, type, target, nullability, uniqueness), reverse relations, indexes and constraints."""
    shape = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        fields = [
            (
                f.name,
                f.column,
                f.get_internal_type(),
                f.related_model._meta.label_lower if f.related_model else None,
                f.null,
                f.unique,
                getattr(f, "db_constraint", None),
            )
            for f in meta.get_fields(include_hidden=True)
            if f.concrete
        ]
        related = sorted(
            (r.related_model._meta.label_lower, r.field.name)
            for r in meta.get_fields(include_hidden=True)
            if r.auto_created and not r.concrete
        )
        shape[meta.label_lower] = (
            meta.db_table,
            fields,
            related,
            sorted(i.name for i in meta.indexes),
            sorted(c.name for c in meta.constraints),
        )
    return shape


def test_new_models_rendered_alone_give_the_same_migration_state_as_django() -> None:
    """`jamkoll seed` migrates with `new_models_rendered_alone` (issue 16): the state it renders
    along the way ends as the one Django renders from the same migrations."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(loader.graph.leaf_nodes(), clean_start=True)
    state = ProjectState(real_apps=loader.unmigrated_apps)
    state.apps  # noqa: B018 -- rendered from the start, as the executor does
    with new_models_rendered_alone():
        for migration, _backwards in plan:
            state = migration.mutate_state(state, preserve=False)
        fast = _shape(state.apps)
    assert fast == _shape(loader.project_state().apps)
    assert ProjectState.add_model.__module__ == "django.db.migrations.state"  # restored


def test_rows_read_once_find_what_a_query_would_and_what_was_just_created() -> None:
    known = Existing(Organisation, ("kind", "code"))
    lookup = {"kind": OrganisationKind.OTHER, "code": "ISSUE16"}
    created = upsert(Organisation, lookup, {"source": "a"}, existing=known)
    with CaptureQueriesContext(connection) as queries:
        again = upsert(Organisation, lookup, {"source": "a"}, existing=known)
    assert again is created and len(queries) == 0
    lan = Organisation.objects.filter(kind=OrganisationKind.LAN).first()
    assert lan is not None
    found = Existing(Organisation, ("kind", "code")).get({"kind": "lan", "code": lan.code})
    assert found is not None and found.pk == lan.pk
    # A refused value is still a `SeedError` at its place.
    place = Place("organisations.csv", line=9)
    with pytest.raises(SeedError, match=r"^organisations\.csv:9"):
        upsert(
            Organisation,
            {"kind": OrganisationKind.OTHER, "code": "ISSUE16B"},
            {"valid_from": dt.date(2020, 1, 1), "valid_to": dt.date(2019, 1, 1)},
            place=place,
            existing=known,
        )
    assert known.get({"kind": OrganisationKind.OTHER, "code": "ISSUE16B"}) is None


def test_all_or_nothing_saves_without_savepoints_and_a_refused_row_is_still_a_seed_error() -> None:
    """`jamkoll seed` saves its rows without a savepoint each; the first refused row still names
    its place, and leaving the transaction with it rolls back everything the seed saved."""
    place = Place("organisations.csv", line=7)
    with pytest.raises(SeedError, match=r"^organisations\.csv:7"), transaction.atomic(), all_or_nothing():
        with CaptureQueriesContext(connection) as queries:
            upsert(Organisation, {"kind": OrganisationKind.OTHER, "code": "ISSUE16A"}, {"source": "a"})
        assert not any("SAVEPOINT" in q["sql"].upper() for q in queries)
        upsert(
            Organisation,
            {"kind": OrganisationKind.OTHER, "code": "ISSUE16"},
            {"valid_from": dt.date(2020, 1, 1), "valid_to": dt.date(2019, 1, 1)},
            place=place,
        )
    assert not Organisation.objects.filter(code__startswith="ISSUE16").exists()


def test_a_seed_on_a_migrated_database_does_not_run_migrate(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.core.management.commands import migrate

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("migrate ran")

    monkeypatch.setattr(migrate.Command, "handle", refuse)
    assert not migrations_to_apply()
    out = io.StringIO()
    call_command("seed", stdout=out)
    assert "inget ändrades" in out.getvalue()
