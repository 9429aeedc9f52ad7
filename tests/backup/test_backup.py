"""`jamkoll backup` / `jamkoll restore` (issue 12): the round trip gives back every row of every
table exactly — compared as raw rows, all columns, ordered by primary key, and every sequence's
next id — and `ledger_verify()` passes on it; a damaged file, another schema or a database with
rows is refused, in one line, with nothing written."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.contenttypes.management import create_contenttypes
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command, load_command_class
from django.db import connection, models
from django.db.models import Value
from django.test import Client
from django_tasks_db.models import DBTaskResult

from jamkoll.accounts.models import Role, RoleAssignment
from jamkoll.accounts.policy import operator
from jamkoll.backup import services
from jamkoll.backup.services import BackupError, backup_create, backup_restore, next_ids, tables
from jamkoll.ledger.models import ChainHead, LedgerEntry
from jamkoll.ledger.services import entry_record, entry_reverse, ledger_verify
from jamkoll.programmes.selectors import decision_get
from jamkoll.reports.models import ReportFile, ReportState, ReportVersion
from jamkoll.reports.services import report_certify, report_generate
from jamkoll.reports.tasks import generate_report
from jamkoll.web.models import PageGeneration
from tests.conftest import persona

pytestmark = pytest.mark.django_db
SLUG = "jamstalldhet-kvinnofrid-2018-2020"
OP = operator("säkerhetskopiatest")
# Stands in for the anchor file where the ledger does not write one itself; bytes that are not text.
ANCHOR = b"1 0a1b\n2 ffee\n\x00binary\xff tail without newline"


@pytest.fixture(autouse=True)
def anchor_file(tmp_path: Path, settings: Any) -> Iterator[Path]:
    """The ledger's anchor file of this test, and a content-type cache that a restore's other ids
    cannot leak into the next test."""
    settings.LEDGER_ANCHOR_FILE = tmp_path / "anchor" / "ledger-anchor.log"
    settings.LEDGER_KEY = "a key kept apart from the backup"
    ContentType.objects.clear_cache()
    yield settings.LEDGER_ANCHOR_FILE
    ContentType.objects.clear_cache()


@pytest.fixture
def rich(coordinator: Any, certifier: Any, anchor_file: Path) -> None:
    """The seeded database plus what a year of use adds: ledger entries (a reversal among them),
    report versions with their files (bytes), their history, a session, queued tasks (UUID keys,
    JSON columns, JSON null beside SQL NULL), and the anchor file."""
    decision = decision_get(slug=SLUG)
    for kind, amount in (("requisition", "20000000.00"), ("disbursement", "20000000.00")):
        entry_record(actor=OP, decision=decision, year=2018, kind=kind, amount=amount, reference="Ju2018/1")
    wrong = entry_record(
        actor=OP, decision=decision, year=2018, kind="expenditure", amount="1234.56", reference="V-1", line=1
    )
    entry_reverse(actor=OP, entry=wrong, reason="fel belopp")
    entry_record(actor=OP, decision=decision, year=2018, kind="requisition", amount="400000.00",
                 reference="RSS-12", county_code="12", note="Skåne, första delen")  # fmt: skip
    for kind in ("financial", "result"):
        report_generate(
            actor=coordinator, kind=kind, decision=decision, year=2018, formats=("md", "html", "docx")
        )
    # A certified version (frozen: the database's triggers refuse to change or delete it).
    financial = ReportVersion.objects.get(kind="financial", year=2018)
    report_certify(actor=certifier, version=financial, on=dt.date(2019, 3, 1))
    Client().force_login(coordinator)  # a session row
    for _ in range(2):
        generate_report.enqueue(str(uuid.uuid4()))
    DBTaskResult.objects.filter(pk=DBTaskResult.objects.order_by("pk").first().pk).update(  # type: ignore[union-attr]
        return_value=Value(None, models.JSONField())
    )
    if not anchor_file.exists():
        anchor_file.parent.mkdir(parents=True, exist_ok=True)
        anchor_file.write_bytes(ANCHOR)
    assert LedgerEntry.objects.count() >= 5 and ReportFile.objects.count() > 6
    assert ReportVersion.objects.filter(state=ReportState.CERTIFIED).exists()
    assert not ledger_verify().problems


def _pk_order(table: str) -> str:
    spec = {t.table: t for t in tables()}[table]
    return connection.ops.quote_name(spec.model._meta.pk.column)  # type: ignore[union-attr]


def snapshot() -> dict[str, Any]:
    """Every table of the database as raw rows (all columns, ordered by primary key), and the
    next id of every sequence. django_migrations is compared by the restore, not restored."""
    names = set(connection.introspection.table_names())
    assert names - {"django_migrations"} == {t.table for t in tables()}, "a table the backup does not know"
    out: dict[str, Any] = {"next_ids": next_ids()}
    with connection.cursor() as cursor:
        # A sequence left behind its table's highest id (PostgreSQL: the chain head's row, made by a
        # migration with pk=1) comes back moved past it: the restore never hands out a used id.
        for name, following in out["next_ids"].items():
            cursor.execute(f"SELECT MAX({_pk_order(name)}) FROM {connection.ops.quote_name(name)}")
            out["next_ids"][name] = max(following, (cursor.fetchone()[0] or 0) + 1)
        for name in sorted(names - {"django_migrations"}):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(name)} ORDER BY {_pk_order(name)}")
            out[name] = [tuple(bytes(v) if isinstance(v, memoryview) else v for v in row) for row in cursor]
    return out


def _fresh_database() -> None:
    """What `migrate` leaves: no rows but the content types and permissions of post_migrate —
    created here in another order, so with other ids than the backup's — and the empty chain head."""
    services._empty("default")
    ContentType.objects.clear_cache()
    for config in reversed(list(apps.get_app_configs())):
        create_contenttypes(config, verbosity=0)
        create_permissions(config, verbosity=0)
    ChainHead.objects.create()
    PageGeneration.objects.create(pk=1)  # web's migration makes it
    ContentType.objects.clear_cache()


def test_it_restores_every_table_exactly_into_a_fresh_database(
    rich: None, tmp_path: Path, anchor_file: Path
) -> None:
    before = snapshot()
    assert before["reports_reportfile"] and before["reports_historicalreportversion"]
    assert before["django_session"] and before["django_tasks_database_dbtaskresult"]
    anchor = anchor_file.read_bytes()
    summary = backup_create(path=tmp_path / "b.zip")
    assert summary.rows == sum(len(rows) for name, rows in before.items() if name != "next_ids")
    assert summary.anchor
    _fresh_database()
    anchor_file.unlink()
    assert snapshot()["django_content_type"] != before["django_content_type"]  # other ids
    backup_restore(path=tmp_path / "b.zip")
    after = snapshot()
    assert {k: v for k, v in after["next_ids"].items() if before["next_ids"][k] != v} == {}
    assert after == before
    assert anchor_file.read_bytes() == anchor
    assert not ledger_verify().problems


def test_it_replaces_a_database_with_rows_only_when_asked(
    rich: None, tmp_path: Path, coordinator: Any
) -> None:
    before = snapshot()
    backup_create(path=tmp_path / "b.zip")
    entry_record(actor=OP, decision=decision_get(slug=SLUG), year=2019, kind="requisition",
                 amount="1.00", reference="efter kopian")  # fmt: skip
    after_backup = snapshot()
    with pytest.raises(BackupError, match=r"databasen är inte tom \(tabellen \w+ har rader\).*--replace"):
        backup_restore(path=tmp_path / "b.zip")
    assert snapshot() == after_backup
    backup_restore(path=tmp_path / "b.zip", replace=True)
    assert snapshot() == before
    assert not ledger_verify().problems


def test_it_counts_only_what_migrate_creates_as_empty(rich: None, tmp_path: Path) -> None:
    """A fresh database's content types, permissions and chain head at 0 do not make it non-empty;
    a content type the backup lacks, or a chain head that has moved, does."""
    backup_create(path=tmp_path / "b.zip")
    _fresh_database()
    ContentType.objects.create(app_label="gone", model="stale")
    with pytest.raises(BackupError, match=r"innehållstypen gone\.stale finns inte i säkerhetskopian"):
        backup_restore(path=tmp_path / "b.zip")
    ContentType.objects.filter(app_label="gone").delete()
    ChainHead.objects.update(sequence=3)
    with pytest.raises(BackupError, match=r"inte tom \(tabellen ledger_chainhead har rader"):
        backup_restore(path=tmp_path / "b.zip")
    ChainHead.objects.update(sequence=0)
    backup_restore(path=tmp_path / "b.zip")
    assert not ledger_verify().problems


def test_it_gives_new_rows_fresh_ids_after_a_restore(rich: None, tmp_path: Path) -> None:
    """The sequences go with the rows: a deleted object's id is not handed out again (its change
    history would become the new object's)."""
    gone = RoleAssignment.objects.get(user=persona("gustav-gatt", Role.ANALYST))
    gone_pk = gone.pk
    gone.delete()  # its history keeps the id
    assert RoleAssignment.history.filter(id=gone_pk, history_type="-").exists()  # type: ignore[attr-defined]
    backup_create(path=tmp_path / "b.zip")
    _fresh_database()
    backup_restore(path=tmp_path / "b.zip")
    fresh = RoleAssignment.objects.get(user=persona("nya-nina", Role.ANALYST))
    assert fresh.pk > gone_pk


def _rewrite(source: Path, target: Path, change: dict[str, bytes], *, fix_manifest: bool = True) -> None:
    """A copy of a backup with members replaced; the manifest's checksums follow unless not asked."""
    with zipfile.ZipFile(source) as old:
        members = {name: old.read(name) for name in old.namelist()}
    members.update(change)
    if fix_manifest:
        manifest = json.loads(members["manifest.json"])
        for name in change:
            if name in manifest["files"]:
                manifest["files"][name] = {
                    "sha256": hashlib.sha256(change[name]).hexdigest(),
                    "size": len(change[name]),
                }
        members["manifest.json"] = json.dumps(manifest).encode()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for name, data in members.items():
            new.writestr(name, data)


def test_it_refuses_a_flipped_byte_naming_the_member(rich: None, tmp_path: Path) -> None:
    good = tmp_path / "b.zip"
    backup_create(path=good)
    member = "tables/reports_reportfile.jsonl"
    with zipfile.ZipFile(good) as archive:
        info = archive.getinfo(member)
    data = bytearray(good.read_bytes())
    # The member's data follow its 30-byte local header, its name and its extra field.
    name_len, extra_len = (
        int.from_bytes(data[info.header_offset + 26 : info.header_offset + 28], "little"),
        int.from_bytes(data[info.header_offset + 28 : info.header_offset + 30], "little"),
    )
    data[info.header_offset + 30 + name_len + extra_len + info.compress_size // 2] ^= 0x01
    bad = tmp_path / "bad.zip"
    bad.write_bytes(bytes(data))
    before = snapshot()
    with pytest.raises(BackupError, match=rf"delen {member} är skadad .*ingenting lästes in"):
        backup_restore(path=bad, replace=True)
    assert snapshot() == before


def test_it_refuses_a_changed_member_whose_checksum_no_longer_matches(rich: None, tmp_path: Path) -> None:
    """A member rewritten whole (the zip's own CRC is right): the manifest's SHA-256 catches it."""
    good = tmp_path / "b.zip"
    backup_create(path=good)
    member = "tables/ledger_ledgerentry.jsonl"
    with zipfile.ZipFile(good) as archive:
        text = archive.read(member).replace(b"20000000.00", b"20000001.00")
    _rewrite(good, tmp_path / "bad.zip", {member: text}, fix_manifest=False)
    with pytest.raises(BackupError, match=rf"delen {member} är skadad \(SHA-256 stämmer inte"):
        backup_restore(path=tmp_path / "bad.zip", replace=True)
    assert member in _one_line_error("restore", str(tmp_path / "bad.zip"), "--check")
    _rewrite(good, tmp_path / "extra.zip", {"smuggled.txt": b"x"}, fix_manifest=False)
    with pytest.raises(BackupError, match="delen smuggled.txt finns i filen men inte i manifest.json"):
        backup_restore(path=tmp_path / "extra.zip", replace=True)


def test_it_refuses_a_backup_of_another_schema(rich: None, tmp_path: Path) -> None:
    good = tmp_path / "b.zip"
    backup_create(path=good)
    with zipfile.ZipFile(good) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    manifest["migrations"]["ledger"].append("0099_from_the_future")
    _rewrite(good, tmp_path / "newer.zip", {"manifest.json": json.dumps(manifest).encode()})
    with pytest.raises(BackupError, match=r"annat databasschema .*saknas här: ledger\.0099_from_the_future"):
        backup_restore(path=tmp_path / "newer.zip", replace=True)


def test_it_restores_all_or_nothing(rich: None, tmp_path: Path) -> None:
    """A row that does not fit (a report file of a version that is not in the backup), in a table
    read late: the tables read before it are rolled back, and the database is as it was."""
    good = tmp_path / "b.zip"
    backup_create(path=good)
    member = "tables/reports_reportfile.jsonl"
    with zipfile.ZipFile(good) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        rows = [json.loads(line) for line in archive.read(member).splitlines()]
    columns = [
        c[0] for c in next(t for t in manifest["tables"] if t["table"] == "reports_reportfile")["columns"]
    ]
    rows[0][columns.index("version_id")] = 987654321
    text = b"".join(json.dumps(row).encode() + b"\n" for row in rows)
    _rewrite(good, tmp_path / "orphan.zip", {member: text})
    before = snapshot()
    with pytest.raises(BackupError, match="ingenting lästes in"):
        backup_restore(path=tmp_path / "orphan.zip", replace=True)
    assert snapshot() == before


def test_it_keeps_a_different_anchor_file_it_replaces(rich: None, tmp_path: Path, anchor_file: Path) -> None:
    anchor = anchor_file.read_bytes()
    backup_create(path=tmp_path / "b.zip")
    anchor_file.write_bytes(b"another chain\n")
    summary = backup_restore(path=tmp_path / "b.zip", replace=True)
    assert anchor_file.read_bytes() == anchor
    assert summary.kept_anchor is not None and summary.kept_anchor.read_bytes() == b"another chain\n"


def _one_line_error(*args: str) -> str:
    with pytest.raises(CommandError) as info:
        call_command(*args, stdout=io.StringIO(), stderr=io.StringIO())
    message = str(info.value)
    assert "\n" not in message and "Traceback" not in message
    return message


def test_cli_round_trip_and_its_output(rich: None, tmp_path: Path, settings: Any) -> None:
    before = snapshot()
    path = str(tmp_path / "jamkoll.zip")
    out = io.StringIO()
    call_command("backup", path, stdout=out)
    text = out.getvalue()
    files = ReportFile.objects.count()
    assert f"reports_reportfile: {files} rader" in text and "med medelsflödets ankarfil" in text
    assert "ingår inte" in text and "ledger.key" in text  # the key is kept apart, and it says so
    assert "filen finns redan" in _one_line_error("backup", path)
    call_command("backup", path, "--force", "--quiet", stdout=(quiet := io.StringIO()))
    assert quiet.getvalue() == ""
    assert "inte tom" in _one_line_error("restore", path)
    call_command("restore", path, "--check", stdout=(checked := io.StringIO()))
    assert "Filen är hel" in checked.getvalue()
    out = io.StringIO()
    call_command("restore", path, "--replace", stdout=out, stderr=io.StringIO())
    assert "jamkoll verify: allt stämmer" in out.getvalue() and "ingår inte" in out.getvalue()
    assert snapshot() == before
    settings.LEDGER_KEY, settings.LEDGER_KEY_FILE = "", tmp_path / "no.key"
    call_command("restore", path, "--replace", stdout=io.StringIO(), stderr=(err := io.StringIO()))
    assert "nyckeln till medelsflödets kontrollsummor saknas" in err.getvalue()
    assert not (tmp_path / "no.key").exists()
    assert snapshot() == before


def test_cli_bad_paths_are_one_clean_line(tmp_path: Path) -> None:
    assert "katalogen" in _one_line_error("backup", str(tmp_path / "no" / "such" / "dir.zip"))
    assert "är en katalog" in _one_line_error("backup", str(tmp_path))
    assert "filen finns inte" in _one_line_error("restore", str(tmp_path / "missing.zip"))
    (tmp_path / "text.zip").write_text("inte en zip\n")
    assert "ingen läsbar JämKoll-säkerhetskopia" in _one_line_error("restore", str(tmp_path / "text.zip"))
    with zipfile.ZipFile(tmp_path / "other.zip", "w") as other:
        other.writestr("hello.txt", "hej")
    assert "manifest.json saknas" in _one_line_error("restore", str(tmp_path / "other.zip"))
    assert not list(tmp_path.glob(".*.partial"))


def test_help_says_the_key_is_not_in_the_backup() -> None:
    for name in ("backup", "restore"):
        text = " ".join(
            load_command_class("jamkoll.backup", name).create_parser("jamkoll", name).format_help().split()
        )
        assert "ingår" in text and "JAMKOLL_LEDGER_KEY_FILE" in text


def test_values_keep_their_types_in_the_file(rich: None, tmp_path: Path) -> None:
    """Decimals as strings with their öre, datetimes to the microsecond with their offset, bytes
    as base64, JSON null apart from SQL NULL."""
    backup_create(path=tmp_path / "b.zip")
    with zipfile.ZipFile(tmp_path / "b.zip") as archive:
        manifest = json.loads(archive.read("manifest.json"))
        spec = {t["table"]: t for t in manifest["tables"]}
        rows = [json.loads(line) for line in archive.read("tables/ledger_ledgerentry.jsonl").splitlines()]
        tasks = [
            json.loads(line)
            for line in archive.read("tables/django_tasks_database_dbtaskresult.jsonl").splitlines()
        ]
    columns = [c[0] for c in spec["ledger_ledgerentry"]["columns"]]
    assert rows[0][columns.index("amount")] == "20000000.00"
    recorded = dt.datetime.fromisoformat(rows[0][columns.index("recorded_at")])
    assert recorded == LedgerEntry.objects.order_by("pk").first().recorded_at  # type: ignore[union-attr]
    assert recorded.utcoffset() == dt.timedelta(0)
    task_columns = [c[0] for c in spec["django_tasks_database_dbtaskresult"]["columns"]]
    assert sorted(str(t[task_columns.index("return_value")]) for t in tasks) == ["None", "null"]
    assert manifest["ledger_key_included"] is False
