"""Backups that restore exactly (issue 12): one file with every row of every table — documents
included, since a report's files are rows (`ReportFile.content`) — and the ledger's external
anchor; a restore that gives back exactly that, or nothing.

The file is a zip archive (format `jamkoll-backup`, version 1):

- `tables/<db_table>.jsonl`: one JSON array per row, the columns in the manifest's order, ordered by
  primary key. Types survive: a Decimal as its string (`"2500000.00"`), dates and times in ISO 8601
  (a datetime with its offset, in UTC, to the microsecond), bytes in base64, a UUID as text, a JSON
  column as the database's own JSON text (so that JSON `null` and SQL NULL stay apart).
- `ledger-anchor.log`: `settings.LEDGER_ANCHOR_FILE` byte for byte, when it exists.
- `manifest.json`, written last: the format and its version, the JamKoll version, the database
  engine, when, the applied migrations per app, every table with its model, columns (name, type),
  row count and next id (the sequence), and the size and SHA-256 of every other member.

The HMAC key of the ledger (`settings.LEDGER_KEY_FILE` / `JAMKOLL_LEDGER_KEY`) is deliberately not in
the file: the key is kept apart from the data it protects, so that whoever holds a backup (or can
write the database) cannot forge a chain that `jamkoll verify` accepts. Keep the key safe on its own.

Why not `dumpdata`/`loaddata`: dumpdata's JSON cuts a datetime to milliseconds (DjangoJSONEncoder),
which changes a ledger entry's `recorded_at` and with it the entry's digest; it turns JSON `null`
into SQL NULL; and neither carries a sequence's position, so after a restore a new object could get
the id of a deleted one and inherit its change history.

Restore (`backup_restore`):
1. checks the whole file first — every member's size and SHA-256 against the manifest (and the zip's
   CRC-32), nothing missing, nothing extra — and that the backup's schema is this database's (the
   same applied migrations, the same tables and columns); a refusal names the member or the
   migration;
2. in ONE transaction: refuses a database that is not empty (unless `replace`, which empties it in
   the same transaction), writes every row with its primary key, sets every sequence to the
   backup's next id (never below the highest id), and checks the foreign keys before committing;
3. after the commit, writes the anchor file back. An anchor file already there that differs is kept
   beside it (`…before-restore-<time>`), never overwritten: it is evidence.

"Empty" means: no row in any table, except `django_migrations` (not restored: compared) and the
rows that `migrate` itself creates in a fresh database — content types and permissions (from
`post_migrate`; their ids depend on the order the apps were migrated, so the backup's replace them)
and the ledger's chain head at sequence 0 (from a data migration). A content type or permission that
the backup does not have is not one `migrate` made for this schema: that database is not empty.

Limits: the checksums detect damage, they do not authenticate (someone who can rewrite the file can
rewrite its manifest too; the ledger's keyed chain is what exposes a forged ledger). Stop the web
server and the workers while restoring: a write between the check for emptiness and the commit
makes the restore fail (and roll back), never merge.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import json
import os
import uuid
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import DEFAULT_DB_ALIAS, DatabaseError, IntegrityError, connections, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.db.models.functions import Cast
from django.utils import timezone

import jamkoll
from jamkoll.ledger.chain import append_only_lifted
from jamkoll.reports import triggers as report_triggers

FORMAT = "jamkoll-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
ANCHOR_MEMBER = "ledger-anchor.log"
BATCH = 1000
# Rows with a document in them (a PDF of some MB) are read and written a few at a time.
BINARY_BATCH = 8
AUTO_KINDS = {"AutoField", "BigAutoField", "SmallAutoField"}
# Tables whose rows `migrate` creates in a fresh database (see the module docstring).
CONTENT_TYPES = "django_content_type"
PERMISSIONS = "auth_permission"
CHAIN_HEAD = "ledger_chainhead"
PAGE_GENERATION = "web_pagegeneration"  # its one row: the page cache's generation (jamkoll.web.page_cache)

Progress = Callable[[str], None]


class BackupError(Exception):
    """A refusal, in one line that names the file and the member, table or migration to blame."""


@dataclass(frozen=True)
class Table:
    model: type[models.Model]
    table: str
    fields: tuple[models.Field[Any, Any], ...]

    @property
    def member(self) -> str:
        return f"tables/{self.table}.jsonl"

    @property
    def columns(self) -> list[list[str]]:
        return [[f.column, _kind(f)] for f in self.fields]


@dataclass
class Summary:
    path: Path
    tables: int = 0
    rows: int = 0
    size: int = 0
    anchor: bool = False
    # Where an anchor file that the restore replaced was kept.
    kept_anchor: Path | None = None
    counts: dict[str, int] = field(default_factory=dict)


# --- what is in the database ---------------------------------------------------------------------


def _kind(f: models.Field[Any, Any]) -> str:
    """The type a column's values have in the file: a foreign key's is its target's."""
    while f.is_relation and f.target_field is not f:  # type: ignore[attr-defined]
        f = f.target_field  # type: ignore[attr-defined]
    kind = f.get_internal_type()
    return "AutoField" if kind in AUTO_KINDS else kind


def tables() -> list[Table]:
    """Every table that holds a model's rows (the auto-created many-to-many tables included), once
    each, by name."""
    seen: dict[str, Table] = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.db_table in seen:
            continue
        seen[meta.db_table] = Table(model=model, table=meta.db_table, fields=tuple(meta.concrete_fields))
    return [seen[name] for name in sorted(seen)]


def migrations_applied(alias: str = DEFAULT_DB_ALIAS) -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app, name in sorted(MigrationRecorder(connections[alias]).applied_migrations()):
        applied.setdefault(app, []).append(name)
    return applied


def _auto_pk(spec: Table) -> bool:
    return spec.model._meta.pk.get_internal_type() in AUTO_KINDS


def next_ids(alias: str = DEFAULT_DB_ALIAS) -> dict[str, int]:
    """The id the next new row of each table with an automatic key would get (its sequence), which a
    restore must carry: a lower one would hand out the id of a deleted object again."""
    connection = connections[alias]
    out: dict[str, int] = {}
    with connection.cursor() as cursor:
        for spec in tables():
            if not _auto_pk(spec):
                continue
            pk = spec.model._meta.pk.column
            if connection.vendor == "postgresql":
                cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [spec.table, pk])
                sequence = cursor.fetchone()[0]
                if sequence is None:
                    continue
                cursor.execute(f"SELECT last_value, is_called FROM {sequence}")
                last, called = cursor.fetchone()
                out[spec.table] = last + 1 if called else last
            else:
                cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [spec.table])
                row = cursor.fetchone()
                out[spec.table] = (row[0] if row else 0) + 1
    return out


# --- values in the file --------------------------------------------------------------------------


def _identity(value: Any) -> Any:
    return value


def _isoformat(value: Any) -> str:
    return str(value.isoformat())


def _b64(value: Any) -> str:
    return base64.b64encode(bytes(value)).decode("ascii")


def _micro(value: dt.timedelta) -> int:
    return value // dt.timedelta(microseconds=1)


ENCODE: dict[str, Callable[[Any], Any]] = {
    "BinaryField": _b64,
    "DecimalField": str,
    "DateTimeField": _isoformat,
    "DateField": _isoformat,
    "TimeField": _isoformat,
    "DurationField": _micro,
    "UUIDField": str,
}
DECODE: dict[str, Callable[[Any], Any]] = {
    "BinaryField": base64.b64decode,
    "DecimalField": Decimal,
    "DateTimeField": dt.datetime.fromisoformat,
    "DateField": dt.date.fromisoformat,
    "TimeField": dt.time.fromisoformat,
    "DurationField": lambda n: dt.timedelta(microseconds=n),
    "UUIDField": uuid.UUID,
}


def _batch(spec: Table) -> int:
    return BINARY_BATCH if any(_kind(f) == "BinaryField" for f in spec.fields) else BATCH


def _raw_json(f: models.Field[Any, Any]) -> bool:
    return _kind(f) == "JSONField"


def _rows(spec: Table, alias: str) -> Iterator[list[Any]]:
    """The table's rows as they go into the file, ordered by primary key, read in batches."""
    names: list[str] = []
    raw: dict[str, Cast] = {}
    for f in spec.fields:
        if _raw_json(f):
            name = f"_jamkoll_raw_{f.attname}"
            raw[name] = Cast(f.attname, models.TextField())
            names.append(name)
        else:
            names.append(f.attname)
    encoders = [ENCODE.get(_kind(f), _identity) for f in spec.fields]
    query = spec.model._base_manager.using(alias).order_by("pk").annotate(**raw).values_list(*names)
    for row in query.iterator(chunk_size=_batch(spec)):
        yield [None if v is None else enc(v) for enc, v in zip(encoders, row, strict=True)]


# --- backup --------------------------------------------------------------------------------------


def _target(path: Path, *, overwrite: bool) -> None:
    if path.is_dir():
        raise BackupError(f"{path}: är en katalog; ange en fil")
    if not path.parent.is_dir():
        raise BackupError(f"{path}: katalogen {path.parent} finns inte")
    if path.exists() and not overwrite:
        raise BackupError(f"{path}: filen finns redan (skriv över den med --force)")


def _lock_ledger(alias: str) -> None:
    """Hold the ledger's writers back while the tables are read, so that the anchor file read
    beside them belongs to the same chain (SQLite: the transaction itself is the write lock)."""
    from jamkoll.ledger.models import ChainHead

    connection = connections[alias]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            table = connection.ops.quote_name(ChainHead._meta.db_table)
            cursor.execute(f"SELECT 1 FROM {table} FOR SHARE")


def backup_create(
    *, path: Path, overwrite: bool = False, progress: Progress | None = None, alias: str = DEFAULT_DB_ALIAS
) -> Summary:
    """Write every row of every table and the ledger's anchor file to `path` (a zip, see the
    module docstring), from one consistent snapshot. The file appears whole or not at all."""
    path = Path(path)
    _target(path, overwrite=overwrite)
    say = progress or (lambda _message: None)
    connection = connections[alias]
    summary = Summary(path=path)
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    files: dict[str, dict[str, Any]] = {}
    listed: list[dict[str, Any]] = []
    try:
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
            outer = connection.in_atomic_block
            with transaction.atomic(using=alias):
                if connection.vendor == "postgresql" and not outer:
                    with connection.cursor() as cursor:
                        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                _lock_ledger(alias)
                anchor = Path(settings.LEDGER_ANCHOR_FILE)
                anchor_bytes = anchor.read_bytes() if anchor.is_file() else None
                specs = tables()
                say(f"Skriver {len(specs)} tabeller till {path} …")
                for spec in specs:
                    count, digest, size = _write_member(archive, spec.member, _jsonl(_rows(spec, alias)))
                    files[spec.member] = {"sha256": digest, "size": size}
                    listed.append(
                        {"table": spec.table, "model": spec.model._meta.label, "rows": count}
                        | {"columns": spec.columns, "member": spec.member}
                    )
                    summary.counts[spec.table] = count
                    if count:
                        say(f"  {spec.table}: {_rows_word(count)}")
                sequences = next_ids(alias)
                applied = migrations_applied(alias)
            if anchor_bytes is not None:
                archive.writestr(ANCHOR_MEMBER, anchor_bytes)
                files[ANCHOR_MEMBER] = {"sha256": hashlib.sha256(anchor_bytes).hexdigest()}
                files[ANCHOR_MEMBER]["size"] = len(anchor_bytes)
                say(f"  medelsflödets ankarfil: {len(anchor_bytes)} byte")
            for entry in listed:
                entry["next_id"] = sequences.get(entry["table"])
            manifest = {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "jamkoll_version": jamkoll.__version__,
                "created_at": timezone.now().isoformat(),
                "database": connection.vendor,
                "migrations": applied,
                "tables": listed,
                "anchor": ANCHOR_MEMBER if anchor_bytes is not None else None,
                "ledger_key_included": False,
                "files": files,
            }
            archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
        with open(partial, "rb") as written:
            os.fsync(written.fileno())
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    summary.tables = len(listed)
    summary.rows = sum(summary.counts.values())
    summary.size = path.stat().st_size
    summary.anchor = anchor_bytes is not None
    return summary


def _jsonl(rows: Iterable[list[Any]]) -> Iterator[bytes]:
    for row in rows:
        yield json.dumps(row, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"


def _write_member(archive: zipfile.ZipFile, name: str, lines: Iterable[bytes]) -> tuple[int, str, int]:
    digest = hashlib.sha256()
    count = size = 0
    with archive.open(name, "w", force_zip64=True) as out:
        for line in lines:
            out.write(line)
            digest.update(line)
            count += 1
            size += len(line)
    return count, digest.hexdigest(), size


# --- reading a backup ----------------------------------------------------------------------------


def _open(path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except FileNotFoundError:
        raise BackupError(f"{path}: filen finns inte") from None
    except IsADirectoryError:
        raise BackupError(f"{path}: är en katalog; ange en säkerhetskopia") from None
    except PermissionError:
        raise BackupError(f"{path}: filen får inte läsas (behörighet)") from None
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise BackupError(f"{path}: ingen läsbar JämKoll-säkerhetskopia (ingen hel zip-fil: {exc})") from None


def _damaged(path: Path, member: str, why: str) -> BackupError:
    return BackupError(f"{path}: delen {member} är skadad ({why}); ingenting lästes in")


def _manifest(path: Path, archive: zipfile.ZipFile) -> dict[str, Any]:
    try:
        text = archive.read(MANIFEST)
    except KeyError:
        raise BackupError(f"{path}: ingen JämKoll-säkerhetskopia ({MANIFEST} saknas)") from None
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as exc:
        raise _damaged(path, MANIFEST, str(exc)) from None
    try:
        manifest = json.loads(text)
    except (UnicodeDecodeError, ValueError) as exc:
        raise _damaged(path, MANIFEST, f"ogiltig JSON: {exc}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{path}: ingen JämKoll-säkerhetskopia ({MANIFEST} har fel format)")
    version = manifest.get("format_version")
    if version != FORMAT_VERSION:
        raise BackupError(
            f"{path}: säkerhetskopians formatversion är {version!r}; den här JämKoll-versionen läser "
            f"version {FORMAT_VERSION}"
        )
    return manifest


def _checksums(path: Path, archive: zipfile.ZipFile, manifest: dict[str, Any]) -> None:
    """Every member the manifest lists, whole and unchanged; nothing else in the file."""
    files = manifest.get("files")
    if not isinstance(files, dict):
        raise _damaged(path, MANIFEST, "förteckningen över delarna saknas")
    present = set(archive.namelist()) - {MANIFEST}
    for name in sorted(present - set(files)):
        raise BackupError(f"{path}: delen {name} finns i filen men inte i {MANIFEST}; ingenting lästes in")
    for name in sorted(set(files) - present):
        raise BackupError(f"{path}: delen {name} saknas i filen; ingenting lästes in")
    for name in sorted(files):
        digest = hashlib.sha256()
        size = 0
        try:
            with archive.open(name) as member:
                for chunk in iter(lambda m=member: m.read(1 << 20), b""):  # type: ignore[misc]
                    digest.update(chunk)
                    size += len(chunk)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as exc:
            raise _damaged(path, name, str(exc)) from None
        expected = files[name]
        if size != expected.get("size") or digest.hexdigest() != expected.get("sha256"):
            raise _damaged(path, name, "SHA-256 stämmer inte med manifestet")


def _schema(path: Path, manifest: dict[str, Any], alias: str) -> dict[str, Table]:
    """The backup's schema must be this database's: the same applied migrations, the same tables
    with the same columns. Returns the current tables by name."""
    theirs = {(app, name) for app, names in manifest.get("migrations", {}).items() for name in names}
    ours = {(app, name) for app, names in migrations_applied(alias).items() for name in names}
    if theirs != ours:
        only_theirs = sorted(f"{a}.{n}" for a, n in theirs - ours)
        only_ours = sorted(f"{a}.{n}" for a, n in ours - theirs)
        parts = []
        if only_theirs:
            parts.append("saknas här: " + ", ".join(only_theirs[:3]) + (" …" if len(only_theirs) > 3 else ""))
        if only_ours:
            parts.append(
                "saknas i kopian: " + ", ".join(only_ours[:3]) + (" …" if len(only_ours) > 3 else "")
            )
        raise BackupError(
            f"{path}: säkerhetskopian hör till ett annat databasschema (JämKoll "
            f"{manifest.get('jamkoll_version')}): migreringar {'; '.join(parts)}. Läs in den i en "
            "databas migrerad till samma version; ingenting lästes in"
        )
    current = {spec.table: spec for spec in tables()}
    listed = {entry["table"]: entry for entry in manifest.get("tables", [])}
    for name in sorted(set(current) ^ set(listed)):
        where = "här" if name in listed else "i kopian"
        raise BackupError(
            f"{path}: tabellen {name} saknas {where}: ett annat databasschema; ingenting lästes in"
        )
    for name, entry in listed.items():
        if sorted(map(tuple, entry["columns"])) != sorted(map(tuple, current[name].columns)):
            raise BackupError(
                f"{path}: tabellen {name} har andra kolumner än här: ett annat databasschema; "
                "ingenting lästes in"
            )
    return current


# --- restore -------------------------------------------------------------------------------------


def _not_empty(backed_up: dict[str, list[dict[str, Any]]], alias: str) -> str | None:
    """Why the database is not empty (see the module docstring), or None. `backed_up`: the
    backup's content types and permissions, as rows by column name."""
    connection = connections[alias]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for spec in tables():
            if spec.table in (CONTENT_TYPES, PERMISSIONS, PAGE_GENERATION):
                continue
            condition = " WHERE sequence <> 0" if spec.table == CHAIN_HEAD else ""
            cursor.execute(f"SELECT 1 FROM {quote(spec.table)}{condition}")
            if cursor.fetchone():
                return f"tabellen {spec.table} har rader"
        their_types = {row["id"]: (row["app_label"], row["model"]) for row in backed_up[CONTENT_TYPES]}
        cursor.execute("SELECT id, app_label, model FROM django_content_type")
        our_types = {row[0]: (row[1], row[2]) for row in cursor.fetchall()}
        for app, model in sorted(set(our_types.values()) - set(their_types.values())):
            return f"innehållstypen {app}.{model} finns inte i säkerhetskopian"
        their_perms = {
            (their_types.get(row["content_type_id"]), row["codename"]) for row in backed_up[PERMISSIONS]
        }
        cursor.execute("SELECT content_type_id, codename FROM auth_permission ORDER BY id")
        for type_id, codename in cursor.fetchall():
            if (our_types.get(type_id), codename) not in their_perms:
                return f"behörigheten {codename} finns inte i säkerhetskopian"
    return None


def _empty(alias: str, *, only: Iterable[str] | None = None) -> None:
    """Every table but django_migrations emptied (or the tables `only` names), in the restore's
    transaction. PostgreSQL's TRUNCATE fires no row trigger, so the ledger's refusal of DELETE does
    not stand in its way (on SQLite it is lifted for the transaction); an empty database needs only
    its content types, permissions and chain head deleted, which is much cheaper than truncating a
    hundred tables."""
    connection = connections[alias]
    quote = connection.ops.quote_name
    names = [quote(spec.table) for spec in tables() if only is None or spec.table in only]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and only is None:
            # Foreign-key checks still pending in this transaction would forbid the TRUNCATE: run them now.
            connection.check_constraints()
            cursor.execute(f"TRUNCATE {', '.join(names)}")
        else:
            # SQLite's DELETE meets the ledger's refusal and the frozen reports' refusal (row
            # triggers): lifted for this transaction only, back in place when the tables are empty.
            with append_only_lifted(alias):
                report_triggers.drop(connection)
                for name in names:
                    cursor.execute(f"DELETE FROM {name}")
                report_triggers.install(connection)


def _member_rows(archive: zipfile.ZipFile, name: str) -> Iterator[list[Any]]:
    with archive.open(name) as member:
        for line in io.TextIOWrapper(member, encoding="utf-8"):
            yield json.loads(line)


def _insert(spec: Table, columns: list[str], rows: Iterable[list[Any]], alias: str) -> int:
    connection = connections[alias]
    by_column = {f.column: f for f in spec.fields}
    fields = [by_column[c] for c in columns]
    json_cast = "::jsonb" if connection.vendor == "postgresql" else ""
    holders = ", ".join("%s" + json_cast if _raw_json(f) else "%s" for f in fields)
    quote = connection.ops.quote_name
    sql = f"INSERT INTO {quote(spec.table)} ({', '.join(quote(c) for c in columns)}) VALUES ({holders})"

    def prepared(f: models.Field[Any, Any]) -> Callable[[Any], Any]:
        if _raw_json(f):
            return _identity
        decode = DECODE.get(_kind(f), _identity)
        return lambda v: f.get_db_prep_save(decode(v), connection)

    converters = [prepared(f) for f in fields]
    count, size = 0, _batch(spec)
    batch: list[list[Any]] = []
    with connection.cursor() as cursor:
        for row in rows:
            batch.append([None if v is None else conv(v) for conv, v in zip(converters, row, strict=True)])
            if len(batch) >= size:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def _set_sequences(manifest: dict[str, Any], alias: str) -> None:
    connection = connections[alias]
    quote = connection.ops.quote_name
    wanted = {entry["table"]: entry.get("next_id") for entry in manifest["tables"]}
    with connection.cursor() as cursor:
        for spec in tables():
            if not _auto_pk(spec):
                continue
            pk = spec.model._meta.pk.column
            cursor.execute(f"SELECT MAX({quote(pk)}) FROM {quote(spec.table)}")
            highest = cursor.fetchone()[0] or 0
            following = max(int(wanted.get(spec.table) or 1), highest + 1)
            if connection.vendor == "postgresql":
                cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [spec.table, pk])
                sequence = cursor.fetchone()[0]
                if sequence is not None:
                    cursor.execute("SELECT setval(%s, %s, false)", [sequence, following])
            else:
                cursor.execute("DELETE FROM sqlite_sequence WHERE name = %s", [spec.table])
                if following > 1:
                    cursor.execute(
                        "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [spec.table, following - 1]
                    )


def backup_check(*, path: Path, alias: str = DEFAULT_DB_ALIAS) -> dict[str, Any]:
    """The manifest of a whole, unchanged backup of this database's schema; a `BackupError` otherwise."""
    path = Path(path)
    with _open(path) as archive:
        manifest = _manifest(path, archive)
        _checksums(path, archive, manifest)
        _schema(path, manifest, alias)
    return manifest


def backup_restore(
    *, path: Path, replace: bool = False, progress: Progress | None = None, alias: str = DEFAULT_DB_ALIAS
) -> Summary:
    """Read a backup into this database: all of it, exactly, or nothing (see the module docstring)."""
    path = Path(path)
    say = progress or (lambda _message: None)
    summary = Summary(path=path, size=path.stat().st_size if path.is_file() else 0)
    with _open(path) as archive:
        manifest = _manifest(path, archive)
        say(
            f"Kontrollerar {path} (JämKoll {manifest.get('jamkoll_version')}, {manifest.get('created_at')}) …"
        )
        _checksums(path, archive, manifest)
        current = _schema(path, manifest, alias)
        listed = {entry["table"]: entry for entry in manifest["tables"]}
        small = {
            name: list(_member_rows(archive, listed[name]["member"])) for name in (CONTENT_TYPES, PERMISSIONS)
        }
        named = {
            name: [dict(zip([c[0] for c in listed[name]["columns"]], row, strict=True)) for row in rows]
            for name, rows in small.items()
        }
        anchor_bytes = archive.read(ANCHOR_MEMBER) if manifest.get("anchor") else None
        try:
            with transaction.atomic(using=alias):
                why = _not_empty(named, alias)
                if why and not replace:
                    raise BackupError(
                        f"databasen är inte tom ({why}); läs in i en nymigrerad databas, eller ersätt allt "
                        "i den med --replace; ingenting lästes in"
                    )
                if why:
                    say(f"Tömmer databasen ({why}) …")
                _empty(alias, only=None if why else (CONTENT_TYPES, PERMISSIONS, CHAIN_HEAD, PAGE_GENERATION))
                say(f"Läser in {len(listed)} tabeller …")
                for name in sorted(listed):
                    entry = listed[name]
                    columns = [c[0] for c in entry["columns"]]
                    rows = small[name] if name in small else _member_rows(archive, entry["member"])
                    try:
                        count = _insert(current[name], columns, rows, alias)
                    except (DatabaseError, ValueError, TypeError) as exc:
                        raise BackupError(
                            f"{path}: tabellen {name} kunde inte läsas in ({_first_line(exc)}); "
                            "ingenting lästes in"
                        ) from None
                    if count != entry["rows"]:
                        raise _damaged(
                            path, entry["member"], f"{count} rader, manifestet säger {entry['rows']}"
                        )
                    summary.counts[name] = count
                    if count:
                        say(f"  {name}: {_rows_word(count)}")
                _set_sequences(manifest, alias)
                try:
                    connections[alias].check_constraints()
                except IntegrityError as exc:
                    raise BackupError(
                        f"{path}: raderna hänger inte ihop ({_first_line(exc)}); ingenting lästes in"
                    ) from None
        finally:
            ContentType.objects.clear_cache()
    summary.tables = len(listed)
    summary.rows = sum(summary.counts.values())
    summary.anchor = anchor_bytes is not None
    summary.kept_anchor = _anchor_restore(anchor_bytes)
    return summary


def _rows_word(count: int) -> str:
    return f"{count} rad" if count == 1 else f"{count} rader"


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]


def _anchor_restore(content: bytes | None) -> Path | None:
    """Write the backup's anchor file back; keep a different one already there beside it."""
    target = Path(settings.LEDGER_ANCHOR_FILE)
    kept = None
    if target.is_file() and (content is None or target.read_bytes() != content):
        stamp = timezone.now().strftime("%Y%m%dT%H%M%S%fZ")
        kept = target.with_name(f"{target.name}.before-restore-{stamp}")
        os.replace(target, kept)
    if content is not None and not target.is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
        with open(partial, "wb") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, target)
    return kept
