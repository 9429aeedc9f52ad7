"""Frozen report versions and their files, kept frozen by the database itself (issue 12,
finding 8), on SQLite and PostgreSQL: SQL that bypasses the models' guards (a shell, a script, a
careless admin tool) is refused too.

- A version that is certified, signed or submitted is never deleted; a submitted one is never
  updated; a certified or signed one only by its submission (the state becomes "submitted" and
  nothing but SUBMISSION_FIELDS changes).
- A file is never updated; a file of a version that is not a draft is never deleted.

The triggers are (re)installed after every `migrate` (post_migrate, `install`), from the model as
it is then: a column added later is covered without a new migration, and a migration that rebuilds
the table on SQLite (which drops its triggers) cannot leave it unguarded. A restore that must
delete rows first calls `drop` and then `install`.
"""

from __future__ import annotations

from typing import Any

FROZEN_VERSION = "en intygad, undertecknad eller inlämnad rapportversion ändras aldrig och tas aldrig bort"
FROZEN_FILE = "en rapportfil ändras aldrig; en fil i en låst version tas aldrig bort"
NAMES = ("reportversion_frozen_update", "reportversion_frozen_delete", "reportfile_frozen_update",
         "reportfile_frozen_delete", "reportversion_frozen", "reportfile_frozen")  # fmt: skip


def _tables() -> tuple[str, str, list[str]]:
    from .models import SUBMISSION_FIELDS, ReportFile, ReportVersion

    content = [
        f.column
        for f in ReportVersion._meta.concrete_fields
        if not f.primary_key and f.attname not in SUBMISSION_FIELDS
    ]
    return ReportVersion._meta.db_table, ReportFile._meta.db_table, content


def _sqlite(version: str, file: str, changed: str) -> list[str]:
    return [
        f"""CREATE TRIGGER reports_reportversion_frozen_update BEFORE UPDATE ON {version}
        WHEN OLD.state = 'submitted' OR (OLD.state <> 'draft' AND (NEW.state <> 'submitted' OR {changed}))
        BEGIN SELECT RAISE(ABORT, '{FROZEN_VERSION}'); END""",
        f"""CREATE TRIGGER reports_reportversion_frozen_delete BEFORE DELETE ON {version}
        WHEN OLD.state <> 'draft' BEGIN SELECT RAISE(ABORT, '{FROZEN_VERSION}'); END""",
        f"""CREATE TRIGGER reports_reportfile_frozen_update BEFORE UPDATE ON {file}
        BEGIN SELECT RAISE(ABORT, '{FROZEN_FILE}'); END""",
        f"""CREATE TRIGGER reports_reportfile_frozen_delete BEFORE DELETE ON {file}
        WHEN (SELECT state FROM {version} WHERE id = OLD.version_id) <> 'draft'
        BEGIN SELECT RAISE(ABORT, '{FROZEN_FILE}'); END""",
    ]


def _postgresql(version: str, file: str, changed: str) -> list[str]:
    def refuse(message: str) -> str:
        return f"RAISE EXCEPTION '{message}' USING ERRCODE = 'integrity_constraint_violation'"

    return [
        f"""CREATE OR REPLACE FUNCTION reports_reportversion_frozen() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
          IF TG_OP = 'DELETE' THEN
            IF OLD.state <> 'draft' THEN {refuse(FROZEN_VERSION)}; END IF;
            RETURN OLD;
          END IF;
          IF OLD.state = 'submitted' OR (OLD.state <> 'draft' AND (NEW.state <> 'submitted' OR {changed}))
          THEN {refuse(FROZEN_VERSION)}; END IF;
          RETURN NEW;
        END $$""",
        f"""CREATE TRIGGER reports_reportversion_frozen BEFORE UPDATE OR DELETE ON {version}
        FOR EACH ROW EXECUTE FUNCTION reports_reportversion_frozen()""",
        f"""CREATE OR REPLACE FUNCTION reports_reportfile_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF TG_OP = 'UPDATE' OR (SELECT state FROM {version} WHERE id = OLD.version_id) <> 'draft'
          THEN {refuse(FROZEN_FILE)}; END IF;
          RETURN OLD;
        END $$""",
        f"""CREATE TRIGGER reports_reportfile_frozen BEFORE UPDATE OR DELETE ON {file}
        FOR EACH ROW EXECUTE FUNCTION reports_reportfile_frozen()""",
    ]


def drop(connection: Any) -> None:
    """Remove the triggers (a restore that deletes rows first; `install` puts them back)."""
    version, file, _content = _tables()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for name in NAMES[:4]:
                cursor.execute(f"DROP TRIGGER IF EXISTS reports_{name}")
        elif connection.vendor == "postgresql":
            cursor.execute(f"DROP TRIGGER IF EXISTS reports_reportversion_frozen ON {version}")
            cursor.execute(f"DROP TRIGGER IF EXISTS reports_reportfile_frozen ON {file}")


def install(connection: Any) -> bool:
    """(Re)create the triggers from the model as it is; False (nothing done) on another database,
    or while the tables do not have the model's columns yet (a migration in between)."""
    if connection.vendor not in ("sqlite", "postgresql"):
        return False
    version, file, content = _tables()
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
        if version not in tables or file not in tables:
            return False
        columns = {c.name for c in connection.introspection.get_table_description(cursor, version)}
    if not set(content) <= columns:
        return False
    drop(connection)
    if connection.vendor == "sqlite":
        statements = _sqlite(version, file, " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in content))
    else:
        statements = _postgresql(
            version, file, " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in content)
        )
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
    return True


def install_after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    from django.db import connections

    install(connections[using])
