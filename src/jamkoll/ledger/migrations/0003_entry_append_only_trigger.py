"""The database itself refuses UPDATE and DELETE on ledger entries (issue 12), so neither a
queryset `.update()`, the admin, nor someone at a SQL prompt can change an entry without first
disabling the trigger (the table's owner, or a superuser's `session_replication_role = replica`,
which the application never sets).

TRUNCATE is deliberately not refused: Django's `flush` (and pytest-django's teardown of
transactional tests) empties tables with TRUNCATE on PostgreSQL. A truncated ledger is caught by
`jamkoll verify` instead: the anchor file outside the database records entries the database no
longer has. On SQLite, `flush` uses DELETE; the trigger refuses it only when entries exist.
"""

from django.db import migrations

PG_FORWARD = """
CREATE OR REPLACE FUNCTION ledger_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ledger_ledgerentry is append-only: % refused (record a reversing entry)', TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$;
CREATE TRIGGER ledger_entry_append_only BEFORE UPDATE OR DELETE ON ledger_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION ledger_entry_append_only();
"""
PG_BACKWARD = """
DROP TRIGGER IF EXISTS ledger_entry_append_only ON ledger_ledgerentry;
DROP FUNCTION IF EXISTS ledger_entry_append_only();
"""
SQLITE_FORWARD = [
    "CREATE TRIGGER ledger_entry_append_only_update BEFORE UPDATE ON ledger_ledgerentry "
    "BEGIN SELECT RAISE(ABORT, 'ledger_ledgerentry is append-only: UPDATE refused (record a reversing entry)'); END",
    "CREATE TRIGGER ledger_entry_append_only_delete BEFORE DELETE ON ledger_ledgerentry "
    "BEGIN SELECT RAISE(ABORT, 'ledger_ledgerentry is append-only: DELETE refused (record a reversing entry)'); END",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS ledger_entry_append_only_update",
    "DROP TRIGGER IF EXISTS ledger_entry_append_only_delete",
]


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FORWARD, params=None)
    elif vendor == "sqlite":
        for sql in SQLITE_FORWARD:
            schema_editor.execute(sql)


def backward(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD)
    elif vendor == "sqlite":
        for sql in SQLITE_BACKWARD:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0002_chain_head")]

    operations = [migrations.RunPython(forward, backward)]
