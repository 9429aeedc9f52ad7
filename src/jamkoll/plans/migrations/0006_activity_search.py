"""Indexes for the search of activities (issue 16).

The search (`web.search`) asks `UPPER(column) LIKE UPPER('%…%')` (Django's `icontains`) on an
activity's title, description and code, in the order `-year, decision, position, id`. Without
indexes that read every activity of every year: 40 ms at national volume, growing with each year.

- `activity_search_order` (both databases): a word that many activities hold is answered by
  walking this index until a page is full.
- On PostgreSQL, GIN indexes of trigrams (`pg_trgm`) on the same expressions: a rare word is
  answered from the index. Where the database user may not create the extension, they are left
  out with a warning and the search still works, by the first index or by scanning."""

import logging

from django.db import DatabaseError, migrations, models, transaction

TRIGRAM_COLUMNS = ("title", "description", "code")


def create_trigram_indexes(apps, schema_editor):  # type: ignore[no-untyped-def]
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    try:
        # One savepoint for the extension and the indexes: an extension that exists in a schema
        # outside the search path (`gin_trgm_ops` not found) falls back like a missing one.
        with transaction.atomic(using=connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            for column in TRIGRAM_COLUMNS:
                schema_editor.execute(
                    f'CREATE INDEX IF NOT EXISTS "activity_{column}_trgm" ON "plans_activity" '
                    f'USING gin (UPPER("{column}"::text) gin_trgm_ops)'
                )
    except DatabaseError as error:
        logging.getLogger("jamkoll").warning(
            "pg_trgm is not available (%s): activities are searched without trigram indexes", error
        )


def drop_trigram_indexes(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in TRIGRAM_COLUMNS:
        schema_editor.execute(f'DROP INDEX IF EXISTS "activity_{column}_trgm"')


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0001_squashed_0005_activity_examples_also_serves_inline_notes"),
        ("programmes", "0006_goalareasubgoal_history"),
        ("reference", "0001_initial"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="activity",
            index=models.Index(fields=["-year", "decision", "position", "id"], name="activity_search_order"),
        ),
        migrations.RunPython(create_trigram_indexes, drop_trigram_indexes, elidable=False),
    ]
