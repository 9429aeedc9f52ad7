"""The ledger's keyed chain and its external anchor (issue 12): what makes the ledger
tamper-evident against someone who can write to the database.

- Every entry's digest is HMAC-SHA256 over its canonical form (`LedgerEntry.canonical`, which
  includes the previous entry's digest) with a key that is never in the database: the text of
  `LEDGER_KEY` (env `JAMKOLL_LEDGER_KEY`) or of `LEDGER_KEY_FILE`. The file is created (mode 0600,
  32 random bytes as hex) only when the ledger is empty and has no anchor yet; a missing or
  different key later is reported, never silently replaced.
- Every committed append writes the new head as one line to `LEDGER_ANCHOR_FILE`, a plain
  append-only file outside the database (O_APPEND, fsync, under an flock so lines never interleave
  or go backwards). Each line carries its own HMAC, so it cannot be forged without the key:

      <sequence> TAB <digest> TAB <UTC time> TAB <event> TAB <hmac of the first four fields>

  The first line is the `key` event: the chain as it stood when the key was taken into use
  (sequence 0 for a new ledger; for a ledger chained with plain SHA-256 before issue 12, the
  sealed legacy head — see `ledger_seal`). Entries up to that sequence keep their SHA-256 digests;
  every later one is keyed and chains onto them, so a legacy entry cannot change either.
- The anchor is written after the commit (`transaction.on_commit`), so a crash in between leaves
  it *behind* the database: `verify` says so as a notice, and the next append (or `jamkoll ledger
  anchor`) catches up — one line covers every entry before it, since each digest covers its
  predecessor. The database holding *fewer* entries than the anchor recorded, or other digests,
  is tampering.

Every process that appends (web, worker, command line — on several machines, through a shared file
system) must see the same key and the same anchor file.

Known limits (README, "Vad `jamkoll verify` bevisar"): someone holding the key and write access to both the
database and the anchor file can rewrite history; entries after the last anchored one are
protected by the key alone; nothing here proves an entry that was never written.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import hmac
import logging
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC
from importlib import import_module
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections
from django.utils import timezone

from .models import CANONICAL_FIELDS, LedgerEntry, canonical_form

logger = logging.getLogger(__name__)

GENESIS = "0" * 64
KEY_MIN_LENGTH = 32
KEY_EVENT = "key"
APPEND_EVENT = "append"
CATCHUP_EVENT = "catchup"
EVENTS = {KEY_EVENT, APPEND_EVENT, CATCHUP_EVENT}
TRIGGER = "ledger_entry_append_only"
UNSEALED = 2**63
WALK_CHUNK = 5000  # rows per fetch while `verify` walks the chain


class LedgerKeyError(RuntimeError):
    """The key or the anchor is missing or wrong: the ledger refuses to write until an operator
    restores it (a Swedish message for the operator)."""


# --- the key -------------------------------------------------------------------------------------


def key_file() -> Path:
    return Path(settings.LEDGER_KEY_FILE)


def anchor_file() -> Path:
    return Path(settings.LEDGER_ANCHOR_FILE)


def key_source() -> str:
    return "JAMKOLL_LEDGER_KEY" if settings.LEDGER_KEY else str(key_file())


def key_load() -> bytes | None:
    """The key, or None when there is none. A key shorter than 32 characters is refused."""
    text = (settings.LEDGER_KEY or "").strip()
    if not text:
        try:
            text = key_file().read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise LedgerKeyError(
                f"medelsflödets nyckel {key_file()} kan inte läsas: {exc.strerror}"
            ) from None
    if len(text) < KEY_MIN_LENGTH:
        raise LedgerKeyError(f"medelsflödets nyckel ({key_source()}) är kortare än {KEY_MIN_LENGTH} tecken")
    return text.encode("utf-8")


def key_create() -> bytes:
    """A new random key in LEDGER_KEY_FILE, readable only by its owner. O_EXCL: never overwrites."""
    path = key_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    text = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, f"{text}\n".encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    _fsync_dir(path.parent)
    logger.warning("Ny nyckel för medelsflödet skapad i %s: förvara en kopia åtskild från databasen.", path)
    return text.encode("utf-8")


def entry_digest(entry: LedgerEntry, key: bytes | None) -> str:
    """HMAC-SHA256 of the entry's canonical form; plain SHA-256 (key None) for a legacy entry."""
    return canonical_digest(entry.canonical(), key)


def canonical_digest(canonical: str, key: bytes | None) -> str:
    data = canonical.encode("utf-8")
    if key is None:
        return hashlib.sha256(data).hexdigest()
    return hmac.new(key, data, hashlib.sha256).hexdigest()


# --- the anchor ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AnchorLine:
    number: int  # line number in the file, from 1
    sequence: int
    digest: str
    at: str
    event: str
    mac: str

    def valid(self, key: bytes) -> bool:
        return hmac.compare_digest(self.mac, _line_mac(key, self.sequence, self.digest, self.at, self.event))


def _line_mac(key: bytes, sequence: int, digest: str, at: str, event: str) -> str:
    message = f"jamkoll-ledger-anchor\n{sequence}\t{digest}\t{at}\t{event}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def anchor_started() -> bool:
    """Whether the anchor file exists and holds anything."""
    try:
        return anchor_file().stat().st_size > 0
    except FileNotFoundError:
        return False


def _last_sequence(fd: int) -> int | None:
    """The sequence of the file's last complete line (None if the file is empty)."""
    size = os.fstat(fd).st_size
    if size == 0:
        return None
    start = max(0, size - 4096)
    tail = os.pread(fd, size - start, start).decode("utf-8", "replace")
    lines = [line for line in tail.split("\n")[(1 if start else 0) :] if line.strip()]
    for line in reversed(lines):
        with contextlib.suppress(ValueError):
            return int(line.split("\t", 1)[0])
    return None


@contextlib.contextmanager
def _anchor_locked() -> Iterator[int]:
    path = anchor_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    created = not path.exists()
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield fd
    finally:
        os.close(fd)  # also releases the lock
    if created:
        _fsync_dir(path.parent)


def anchor_write(*, key: bytes, sequence: int, digest: str, event: str) -> bool:
    """Append one signed head to the anchor, unless a later head is already there (a concurrent
    writer that committed after us wrote first: its line covers ours). True if a line was written."""
    at = timezone.now().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    line = f"{sequence}\t{digest}\t{at}\t{event}\t{_line_mac(key, sequence, digest, at, event)}\n"
    with _anchor_locked() as fd:
        last = _last_sequence(fd)
        if event != KEY_EVENT and last is not None and sequence <= last:
            return False
        os.write(fd, line.encode("ascii"))
        os.fsync(fd)
    return True


def anchor_after_commit(*, key: bytes, sequence: int, digest: str) -> None:
    """The on_commit half of an append. The entry is committed whatever happens here: a failure
    is logged and leaves the anchor behind, which `verify` reports and the next append repairs."""
    try:
        anchor_write(key=key, sequence=sequence, digest=digest, event=APPEND_EVENT)
    except OSError:
        logger.exception("Medelsflödets ankare %s kunde inte skrivas efter post #%s", anchor_file(), sequence)


def anchor_read() -> tuple[list[AnchorLine], list[str]]:
    """Every line of the anchor file, and what is malformed in it."""
    lines: list[AnchorLine] = []
    problems: list[str] = []
    try:
        text = anchor_file().read_bytes().decode("utf-8", "replace")
    except FileNotFoundError:
        return [], []
    for number, raw in enumerate(text.split("\n"), start=1):
        if not raw.strip():
            continue
        parts = raw.split("\t")
        try:
            sequence = int(parts[0])
            if len(parts) != 5 or parts[3] not in EVENTS or len(parts[1]) != 64 or sequence < 0:
                raise ValueError
        except ValueError:
            problems.append(f"ankarfilen rad {number}: felaktig rad (ändrad för hand?)")
            continue
        lines.append(AnchorLine(number, sequence, parts[1], parts[2], parts[3], parts[4]))
    return lines, problems


# --- the chain for a write -----------------------------------------------------------------------


def key_for_append(head_sequence: int) -> bytes:
    """The key an append under the chain-head lock uses. On the very first append of an empty
    ledger with no anchor, the key (if none is configured) is created and the anchor started."""
    key = key_load()
    started = anchor_started()
    if key is not None and started:
        return key
    if head_sequence == 0 and not started:
        key = key or key_create()
        anchor_write(key=key, sequence=0, digest=GENESIS, event=KEY_EVENT)
        return key
    if key is None and not started:
        raise LedgerKeyError(
            "medelsflödet har poster men ingen nyckel och inget ankare: kedjan är skriven före "
            "nycklarna – kör `jamkoll ledger seal` (eller återställ nyckel och ankarfil)"
        )
    if key is None:
        raise LedgerKeyError(
            f"medelsflödets nyckel saknas ({key_source()}) men ankaret {anchor_file()} finns: "
            "återställ nyckeln från dess säkerhetskopia – en ny nyckel skapas inte"
        )
    raise LedgerKeyError(
        f"medelsflödets ankarfil {anchor_file()} saknas eller är tom men kedjan har poster: "
        "återställ den från säkerhetskopian"
    )


# --- verification --------------------------------------------------------------------------------


@dataclass
class ChainReport:
    problems: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    entries: int = 0
    last_sequence: int = 0
    last_digest: str = GENESIS


def _walk(report: ChainReport, key: bytes | None, legacy_up_to: int, wanted: set[int]) -> dict[int, str]:
    """Walk the database chain: contiguous sequence numbers, each entry linked to its predecessor,
    each digest matching its contents (SHA-256 up to `legacy_up_to`, HMAC after it; not checked
    when `key` is None). Returns the digests at the `wanted` sequences."""
    expected_previous = GENESIS
    expected_sequence = 1
    found: dict[int, str] = {}
    keyed = mismatched = 0
    first_mismatch: list[str] = []
    # Plain tuples, streamed: no entry object per row (at 500 000 entries, half the time).
    rows = (
        LedgerEntry.objects.order_by("sequence")
        .values_list(*CANONICAL_FIELDS, "digest")
        .iterator(chunk_size=WALK_CHUNK)
    )
    for row in rows:
        sequence, previous_digest, digest = row[0], row[-2], row[-1]
        report.entries += 1
        if sequence != expected_sequence:
            report.problems.append(f"post #{expected_sequence} saknas (nästa är #{sequence}): borttagen?")
        if previous_digest != expected_previous:
            report.problems.append(
                f"post #{sequence}: kedjan är bruten (föregående post ändrad eller borttagen)"
            )
        legacy = sequence <= legacy_up_to
        if key is not None or legacy:
            keyed += not legacy
            if canonical_digest(canonical_form(*row[:-1]), None if legacy else key) != digest:
                mismatched += not legacy
                message = (
                    f"post #{sequence}: innehållet stämmer inte med kontrollsumman "
                    "(ändrad utanför programmet?)"
                )
                if legacy:
                    report.problems.append(message)
                else:
                    first_mismatch.append(message)
        if sequence in wanted:
            found[sequence] = digest
        expected_previous = digest
        expected_sequence = sequence + 1
    if mismatched > 1 and mismatched == keyed:
        report.problems.append(
            f"ingen av de {keyed} nyckelskyddade posterna stämmer med nyckeln ({key_source()}): fel "
            "nyckel, eller alla poster ändrade"
        )
    else:
        report.problems += first_mismatch
    report.last_sequence = expected_sequence - 1
    report.last_digest = expected_previous
    return found


def _head_check(report: ChainReport) -> None:
    from .models import ChainHead

    head = ChainHead.objects.filter(pk=1).first()
    last = report.last_sequence
    if head is None and last:
        report.problems.append("kedjans huvud saknas (borttaget utanför programmet?)")
    if head is not None and (head.sequence != last or (last and head.digest != report.last_digest)):
        report.problems.append(f"kedjans huvud pekar på #{head.sequence} men sista posten är #{last}")


def _trigger_check(report: ChainReport) -> None:
    """The database's own refusal of UPDATE and DELETE (migration 0003) is in place and enabled."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgenabled FROM pg_trigger "
                "WHERE tgrelid = 'ledger_ledgerentry'::regclass AND tgname = %s",
                [TRIGGER],
            )
            row = cursor.fetchone()
            ok = row is not None and row[0] in ("O", "A")
        elif connection.vendor == "sqlite":
            cursor.execute(
                "SELECT count(*) FROM sqlite_master "
                "WHERE type = 'trigger' AND tbl_name = 'ledger_ledgerentry' "
                "AND name IN (%s, %s)",
                [f"{TRIGGER}_update", f"{TRIGGER}_delete"],
            )
            ok = cursor.fetchone()[0] == 2
        else:  # pragma: no cover - settings allow only the two
            ok = True
    if not ok:
        report.problems.append(
            "databasens spärr mot ändring och borttagning av poster saknas eller är avslagen "
            "(triggern ledger_entry_append_only)"
        )


def legacy_chain_report() -> ChainReport:
    """The chain as plain SHA-256 links, as it was written before the key (for `ledger_seal`)."""
    report = ChainReport()
    _walk(report, None, UNSEALED, set())
    _head_check(report)
    return report


def chain_report() -> ChainReport:
    """The chain in the database against the key and the anchor file."""
    report = ChainReport()
    try:
        key = key_load()
    except LedgerKeyError as exc:
        report.problems.append(str(exc))
        key = None
    if key is not None and not settings.LEDGER_KEY:
        with contextlib.suppress(OSError):
            if key_file().stat().st_mode & 0o077:
                report.notices.append(
                    f"nyckelfilen {key_file()} kan läsas av andra än sin ägare: chmod 600 {key_file()}"
                )
    lines, malformed = anchor_read()
    report.problems += malformed
    first = lines[0] if lines else None
    key_ok = key is not None
    if first is not None and first.event != KEY_EVENT:
        report.problems.append("ankarfilens första rad är inte nyckelraden (början borttagen?)")
    if key is not None and first is not None and first.event == KEY_EVENT and not first.valid(key):
        key_ok = False
        report.problems.append(
            f"nyckeln ({key_source()}) är inte den som kedjan och ankaret skrevs med: "
            "kontrollsummorna kan inte prövas"
        )
    if first is not None and first.event == KEY_EVENT:
        legacy_up_to = first.sequence
    elif first is None and key is None:
        legacy_up_to = UNSEALED  # no key was ever taken into use: check the plain SHA-256 chain
    else:
        legacy_up_to = 0
    wanted = {line.sequence for line in lines}
    found = _walk(report, key if key_ok else None, legacy_up_to, wanted)
    _head_check(report)
    if connection.vendor in ("postgresql", "sqlite"):
        _trigger_check(report)
    if report.entries and key is None:
        if first is None and not report.problems:
            report.problems.append(
                "kedjan är skriven före nycklarna (bara SHA-256, inget ankare): kör `jamkoll ledger seal`"
            )
        elif first is None:
            report.problems.append("medelsflödet har poster men varken nyckel eller ankarfil finns")
        else:
            report.problems.append(
                f"medelsflödets nyckel saknas ({key_source()}): kontrollsummorna kan inte prövas. "
                "Återställ nyckeln från dess säkerhetskopia; en ny nyckel skapas inte"
            )
    elif report.entries > legacy_up_to and first is None:
        report.problems.append(
            f"ankarfilen {anchor_file()} saknas eller är tom men kedjan har {report.entries} poster"
        )
    _anchor_compare(report, lines, found, key if key_ok else None)
    return report


def _anchor_compare(
    report: ChainReport, lines: list[AnchorLine], found: dict[int, str], key: bytes | None
) -> None:
    previous = -1
    for line in lines:
        where = f"ankarfilen rad {line.number} (#{line.sequence})"
        if key is not None and not line.valid(key):
            report.problems.append(f"{where}: raden är inte signerad med nyckeln (förfalskad?)")
            continue
        if line.sequence < previous or (line.sequence == previous and line.event != CATCHUP_EVENT):
            report.problems.append(f"{where}: raderna går baklänges")
        previous = max(previous, line.sequence)
        if line.sequence == 0:
            continue
        if line.sequence > report.last_sequence:
            continue
        if found.get(line.sequence) != line.digest:
            report.problems.append(
                f"{where}: posten i databasen är inte den som ankaret registrerade (ändrad eller utbytt)"
            )
    anchored = max((line.sequence for line in lines), default=0)
    if anchored > report.last_sequence:
        report.problems.append(
            f"databasen saknar poster som ankaret registrerat: ankaret har #{anchored}, databasen slutar "
            f"vid #{report.last_sequence} ({anchored - report.last_sequence} poster borttagna?)"
        )
    elif lines and anchored < report.last_sequence:
        report.notices.append(
            f"ankaret ligger {report.last_sequence - anchored} poster efter databasen (senast #{anchored}, "
            f"databasen #{report.last_sequence}): ett avbrott mellan registrering och ankarskrivning; "
            "nästa registrering eller `jamkoll ledger anchor` för ikapp det"
        )


def _pg_alter(cursor: Any, action: str) -> None:
    # ALTER TABLE refuses while deferred foreign-key checks are pending: run them now.
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cursor.execute(f"ALTER TABLE ledger_ledgerentry {action} TRIGGER {TRIGGER}")
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")


@contextlib.contextmanager
def append_only_lifted(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Lift the database's refusal of UPDATE and DELETE on entries for the enclosed block, in the
    current transaction (required): what an operator restoring over an existing ledger
    (`jamkoll restore --replace` on SQLite), or a test that plays the attacker, does deliberately.
    The refusal is back when the block ends (or the transaction rolls back). The application's
    own writes never call this."""
    migration = import_module("jamkoll.ledger.migrations.0003_entry_append_only_trigger")
    conn = connections[using]
    if not conn.in_atomic_block:
        raise RuntimeError("append_only_lifted() needs a transaction")
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            _pg_alter(cursor, "DISABLE")
        else:
            for sql in migration.SQLITE_BACKWARD:
                cursor.execute(sql)

    def restore() -> None:
        with conn.cursor() as cursor:
            if conn.vendor == "postgresql":
                _pg_alter(cursor, "ENABLE")
            else:
                for sql in migration.SQLITE_FORWARD:
                    cursor.execute(sql)

    try:
        yield
    except BaseException:
        # An aborted PostgreSQL transaction refuses every statement; its rollback restores anyway.
        with contextlib.suppress(DatabaseError):
            restore()
        raise
    restore()
