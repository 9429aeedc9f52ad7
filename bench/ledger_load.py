"""Concurrent ledger writers (issue 12, the load test): N writers, each on its own database
connection, record ledger entries through the services for a bounded time on a fresh, seeded
database; then every entry a writer was told it recorded must be there exactly once, nothing else
may be, and `jamkoll verify` (chain, key, anchor file, invariants) must pass.

Refusals (a `ValidationError`: an entry that would break an invariant, e.g. a disbursement above
what was requisitioned) are expected and counted; any other error is a failure.

The baseline, measured in the same run on the same database with the same number of writers: the
bare serialised append — lock a one-row head, bump it, insert one row, commit — in plain SQL. The
ratio is what the services cost on top (policy, validation, invariants, closures, HMAC, anchor).

    python -m bench.ledger_load [--seconds 60] [--writers 20] [--database-url URL [--prepared]] [--json]

With a PostgreSQL URL a scratch database is created beside the one named, migrated and seeded
(and dropped after); without one, a SQLite file in a temporary directory. `--prepared`: the
database at the URL is already migrated and seeded with an empty ledger (the test suite hands in a
copy of its own test database) and is used as it is. The process exits 1 if a figure is wrong.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path

SLUG = "jamstalldhet-kvinnofrid-2018-2020"
YEAR = 2018
COUNTIES = ["01", "12", "14", "25"]


@dataclass
class Figures:
    database: str
    writers: int
    seconds: float
    committed: int = 0
    refusals: int = 0
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    lost: int = 0
    duplicated: int = 0
    unexpected: int = 0
    entries_in_db: int = 0
    anchor_lines: int = 0
    anchor_head: int = 0
    verify_exit: int = -1
    verify_output: str = ""
    per_second: float = 0.0
    raw_per_second: float = 0.0
    ratio: float = 0.0

    @property
    def clean(self) -> bool:
        return (
            self.errors == 0
            and self.lost == 0
            and self.duplicated == 0
            and self.unexpected == 0
            and self.verify_exit == 0
            and self.committed > 0
            and self.anchor_head == self.entries_in_db
        )


def _scratch_postgres(url: str) -> tuple[str, str]:
    """A new empty database on the server of `url`: (its URL, its name)."""
    import psycopg
    from psycopg import sql

    name = f"jamkoll_load_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    base = url.rsplit("/", 1)[0]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as con:
        con.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return f"{base}/{name}", name


def _drop_postgres(url: str, name: str) -> None:
    import psycopg
    from psycopg import sql

    base = url.rsplit("/", 1)[0]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as con:
        con.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _setup(*, migrate: bool) -> None:
    import django
    from django.core.management import call_command

    django.setup()
    if not migrate:
        return
    call_command("migrate", verbosity=0)
    with open(os.devnull, "w") as quiet:
        call_command("seed", "--no-migrate", verbosity=0, stdout=quiet)


def _raw_baseline(writers: int, seconds: float) -> float:
    """Rows per second of the bare serialised append, `writers` connections at once."""
    from django.db import connection, connections, transaction

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_raw_head (id integer PRIMARY KEY, n bigint NOT NULL)")
        cursor.execute("INSERT INTO bench_raw_head VALUES (1, 0)")
        cursor.execute(
            "CREATE TABLE bench_raw_entry "
            "(n bigint PRIMARY KEY, writer integer NOT NULL, amount numeric(14, 2))"
        )
    lock = " FOR UPDATE" if connection.vendor == "postgresql" else ""
    counts = [0] * writers
    deadline = time.monotonic() + seconds

    def work(w: int) -> None:
        try:
            while time.monotonic() < deadline:
                with transaction.atomic(), connection.cursor() as cursor:
                    cursor.execute(f"SELECT n FROM bench_raw_head WHERE id = 1{lock}")
                    n = cursor.fetchone()[0] + 1
                    cursor.execute("UPDATE bench_raw_head SET n = %s WHERE id = 1", [n])
                    cursor.execute("INSERT INTO bench_raw_entry VALUES (%s, %s, %s)", [n, w, Decimal("1.00")])
                counts[w] += 1
        finally:
            connections.close_all()

    start = time.monotonic()
    threads = [threading.Thread(target=work, args=(w,)) for w in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(counts) / (time.monotonic() - start)


def _load(writers: int, seconds: float, figures: Figures) -> list[tuple[int, str]]:
    """Run the writers; return (sequence, what) for every entry a writer was told it recorded."""
    from django.core.exceptions import ValidationError
    from django.db import connections

    from jamkoll.accounts.policy import operator
    from jamkoll.ledger.models import LedgerEntry
    from jamkoll.ledger.services import entry_record, entry_reverse
    from jamkoll.programmes.selectors import decision_get

    actor = operator("lasttest")
    recorded: list[tuple[int, str]] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def work(w: int) -> None:
        rng = random.Random(w)
        mine: list[LedgerEntry] = []
        try:
            decision = decision_get(slug=SLUG)
            n = 0
            while time.monotonic() < deadline:
                n += 1
                reference = f"last-{w}-{n}"
                roll = rng.random()
                county = rng.choice(COUNTIES) if roll < 0.45 else None
                kind = rng.choice(["requisition", "requisition", "disbursement", "expenditure", "repayment"])
                amount = f"{rng.randint(100, 500_000) / 100:.2f}"
                try:
                    if roll > 0.95 and mine:
                        target = mine.pop(rng.randrange(len(mine)))
                        entry = entry_reverse(actor=actor, entry=target, reason=f"lasttest {reference}")
                    else:
                        entry = entry_record(
                            actor=actor,
                            decision=decision,
                            year=YEAR,
                            kind=kind,
                            amount=amount,
                            reference=reference,
                            county_code=county,
                            line=1 if county is None and kind == "expenditure" else None,
                        )
                        mine.append(entry)
                except ValidationError:
                    with lock:
                        figures.refusals += 1
                    continue
                except Exception as exc:  # any other error is what the test is looking for
                    with lock:
                        figures.errors += 1
                        if len(figures.error_samples) < 5:
                            figures.error_samples.append(f"{type(exc).__name__}: {exc}"[:300])
                    continue
                with lock:
                    recorded.append((entry.sequence, f"{entry.reference}/{entry.reverses_id or ''}"))
        finally:
            connections.close_all()

    start = time.monotonic()
    threads = [threading.Thread(target=work, args=(w,)) for w in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    figures.seconds = round(time.monotonic() - start, 1)
    return recorded


def _check(recorded: list[tuple[int, str]], figures: Figures) -> None:
    from jamkoll.ledger.chain import anchor_read
    from jamkoll.ledger.models import LedgerEntry

    figures.committed = len(recorded)
    told = Counter(seq for seq, _what in recorded)
    in_db = {
        e.sequence: f"{e.reference}/{e.reverses_id or ''}"
        for e in LedgerEntry.objects.only("sequence", "reference", "reverses_id")
    }
    figures.entries_in_db = len(in_db)
    figures.duplicated = sum(c - 1 for c in told.values() if c > 1)
    figures.duplicated += sum(c - 1 for c in Counter(in_db.values()).values() if c > 1)
    figures.lost = sum(1 for seq, what in recorded if in_db.get(seq) != what)
    figures.unexpected = len(set(in_db) - set(told))
    lines, _malformed = anchor_read()
    figures.anchor_lines = len(lines)
    figures.anchor_head = max((line.sequence for line in lines), default=0)


def _verify(env: dict[str, str], figures: Figures) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "jamkoll.cli", "verify"], env=env, capture_output=True, text=True, check=False
    )
    figures.verify_exit = proc.returncode
    figures.verify_output = (proc.stdout + proc.stderr).strip()[:2000]


def report(figures: Figures) -> str:
    lines = [
        f"ledger load ({figures.database}): {figures.writers} writers, {figures.seconds} s: "
        f"{figures.committed} entries recorded ({figures.per_second:.1f}/s), {figures.refusals} refusals, "
        f"{figures.errors} other errors, {figures.lost} lost, {figures.duplicated} duplicated, "
        f"{figures.unexpected} unexpected; anchor {figures.anchor_lines} lines up to #{figures.anchor_head} "
        f"of {figures.entries_in_db}; jamkoll verify exit {figures.verify_exit}",
        f"  raw serialised append baseline {figures.raw_per_second:.1f} rows/s; "
        f"ratio {figures.ratio:.1f}x (baseline rows/s per recorded entry/s)",
    ]
    lines += [f"  error: {sample}" for sample in figures.error_samples]
    if figures.verify_exit != 0:
        lines.append(f"  verify: {figures.verify_output}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--writers", type=int, default=20)
    parser.add_argument(
        "--baseline-seconds", type=float, default=None, help="default: a quarter of --seconds"
    )
    parser.add_argument(
        "--database-url", default="", help="postgres://… (default: SQLite in a temporary directory)"
    )
    parser.add_argument("--prepared", action="store_true", help="the database is migrated and seeded already")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    args = parser.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="jamkoll-ledger-load-"))
    scratch: tuple[str, str] | None = None
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        JAMKOLL_DATA_DIR=str(tmp),
        DJANGO_SETTINGS_MODULE="jamkoll.settings",
        JAMKOLL_LEDGER_KEY_FILE=str(tmp / "ledger.key"),
        JAMKOLL_LEDGER_ANCHOR=str(tmp / "ledger-anchor.log"),
    )
    env.pop("JAMKOLL_LEDGER_KEY", None)
    if args.prepared:
        env["DATABASE_URL"] = args.database_url
    elif args.database_url.startswith("postgres"):
        scratch = _scratch_postgres(args.database_url)
        env["DATABASE_URL"] = scratch[0]
    os.environ.clear()
    os.environ.update(env)
    vendor = "PostgreSQL" if env.get("DATABASE_URL", "").startswith("postgres") else "SQLite"
    figures = Figures(database=vendor, writers=args.writers, seconds=args.seconds)
    try:
        _setup(migrate=not args.prepared)
        recorded = _load(args.writers, args.seconds, figures)
        _check(recorded, figures)
        figures.per_second = figures.committed / figures.seconds if figures.seconds else 0.0
        _verify(env, figures)
        figures.raw_per_second = _raw_baseline(
            args.writers, args.baseline_seconds or max(2.0, args.seconds / 4)
        )
        figures.ratio = figures.raw_per_second / figures.per_second if figures.per_second else float("inf")
    finally:
        from django.db import connections

        connections.close_all()
        if scratch:
            _drop_postgres(*scratch)
        shutil.rmtree(tmp, ignore_errors=True)
    if args.json:
        print(json.dumps({**asdict(figures), "clean": figures.clean}))
    else:
        print(report(figures))
    return 0 if figures.clean else 1


if __name__ == "__main__":
    raise SystemExit(main())
