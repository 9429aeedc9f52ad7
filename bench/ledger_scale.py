"""The ledger at volume (issue 16): what one write costs at a small and at a large ledger, and what
`jamkoll verify`'s chain walk costs against the bare read-and-hash of every row.

    python -m bench.ledger_scale [--small 500] [--large 100000] [--writes 40] [--database-url URL] [--json]

A scratch database (PostgreSQL beside the one named, or SQLite in a temporary directory) is
migrated and seeded, then filled in bulk with entries chained exactly as `services._append`
chains them. `--spread`: the bulk entries go round every decision-year with a budget (as
`jamkoll demo-volume` writes them); by default they all go to the decision-year the timed writes
go to, the worst case for the write's sums. A write is timed through `services.entry_record`
(policy, validation, the sums, the locks, the insert, closures, the commit and the anchor's fsync),
median of `--writes`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import hmac
import json
import os
import shutil
import statistics
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from bench.ledger_load import _drop_postgres, _scratch_postgres, _setup

SLUG = "jamstalldhet-kvinnofrid-2018-2020"
YEAR = 2018


def bulk_chain(pairs: list[tuple[Any, int]], n: int) -> None:
    """`n` requisitions and disbursements of 1 kr (alternating, so every invariant holds) round
    `pairs` of (decision, year), chained and keyed, in batches."""
    from django.db import transaction
    from django.utils import timezone

    from jamkoll.ledger.chain import GENESIS, entry_digest, key_for_append
    from jamkoll.ledger.models import ChainHead, EntryKind, LedgerEntry, Tier
    from jamkoll.ledger.services import totals_rebuild

    with transaction.atomic():
        head = ChainHead.objects.select_for_update().get(pk=1)
        key = key_for_append(head.sequence)
        sequence, previous = head.sequence, head.digest or GENESIS
        now = timezone.now()
        batch: list[LedgerEntry] = []
        for i in range(n):
            decision, year = pairs[(i // 2) % len(pairs)]
            sequence += 1
            entry = LedgerEntry(
                sequence=sequence,
                decision=decision,
                year=year,
                tier=Tier.STATE,
                kind=EntryKind.REQUISITION if i % 2 == 0 else EntryKind.DISBURSEMENT,
                amount=Decimal("1.00"),
                entry_date=dt.date(year, 1, 1 + sequence % 28),
                reference=f"SYNTETISK-{sequence}",
                recorded_by_name="bench",
                recorded_at=now,
                previous_digest=previous,
            )
            entry.digest = previous = entry_digest(entry, key)
            batch.append(entry)
            if len(batch) == 5000:
                LedgerEntry.objects.bulk_create(batch)
                batch = []
        LedgerEntry.objects.bulk_create(batch)
        ChainHead.objects.filter(pk=1).update(sequence=sequence, digest=previous)
        totals_rebuild()
    _settle()


def _settle() -> None:
    """What autovacuum does to an append-only table soon after a bulk insert (statistics, and on
    PostgreSQL the visibility map that lets the sums come from the index alone)."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE ledger_ledgerentry")
        else:
            cursor.execute("ANALYZE")


def time_writes(decision: Any, count: int) -> tuple[float, int]:
    """Median milliseconds of one `entry_record`, and its query count."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from jamkoll.accounts.policy import operator
    from jamkoll.ledger.services import entry_record

    actor = operator("bench")
    times = []
    queries = 0
    for i in range(count):
        kind = "requisition" if i % 2 == 0 else "disbursement"
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            entry_record(actor=actor, decision=decision, year=YEAR, kind=kind, amount="1.00", reference="B")
            times.append((time.perf_counter() - start) * 1000)
        queries = len(captured.captured_queries)
    return statistics.median(times), queries


def time_verify() -> tuple[float, float, int]:
    """Seconds of the chain walk (`chain_report`) and of the baseline: every row's columns read
    (streamed, as tuples) and hashed once with HMAC-SHA256. Best of three each."""
    from jamkoll.ledger.chain import chain_report, key_load
    from jamkoll.ledger.models import CANONICAL_FIELDS, LedgerEntry

    key = key_load() or b"k" * 32

    def baseline() -> int:
        n = 0
        rows = LedgerEntry.objects.order_by("sequence").values_list(*CANONICAL_FIELDS, "digest")
        for row in rows.iterator(chunk_size=5000):
            hmac.new(key, repr(row).encode(), hashlib.sha256).hexdigest()
            n += 1
        return n

    def best(fn: Any) -> float:
        out = []
        for _ in range(3):
            start = time.perf_counter()
            fn()
            out.append(time.perf_counter() - start)
        return min(out)

    report = chain_report()
    assert not report.problems, report.problems
    return best(chain_report), best(baseline), report.entries


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=int, default=500)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--writes", type=int, default=40)
    parser.add_argument("--spread", action="store_true")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="jamkoll-ledger-scale-"))
    scratch = None
    os.environ.pop("JAMKOLL_LEDGER_KEY", None)
    os.environ.update(
        JAMKOLL_DATA_DIR=str(tmp),
        DJANGO_SETTINGS_MODULE="jamkoll.settings",
        JAMKOLL_LEDGER_KEY_FILE=str(tmp / "ledger.key"),
        JAMKOLL_LEDGER_ANCHOR=str(tmp / "ledger-anchor.log"),
    )
    os.environ.pop("DATABASE_URL", None)
    if args.database_url.startswith("postgres"):
        scratch = _scratch_postgres(args.database_url)
        os.environ["DATABASE_URL"] = scratch[0]
    out: dict[str, Any] = {"database": "PostgreSQL" if scratch else "SQLite", "spread": args.spread}
    try:
        _setup(migrate=True)
        from jamkoll.programmes.models import Budget
        from jamkoll.programmes.selectors import decision_get

        decision = decision_get(slug=SLUG)
        pairs = (
            [(b.decision, b.year) for b in Budget.objects.select_related("decision").exclude(total=None)]
            if args.spread
            else [(decision, YEAR)]
        )
        out["decision_years"] = len(pairs)
        bulk_chain(pairs, args.small)
        out["small_entries"] = args.small
        out["small_write_ms"], out["small_write_queries"] = time_writes(decision, args.writes)
        bulk_chain(pairs, args.large - args.small - args.writes)
        out["large_entries"] = args.large
        out["large_write_ms"], out["large_write_queries"] = time_writes(decision, args.writes)
        out["write_ratio"] = out["large_write_ms"] / out["small_write_ms"]
        verify_s, baseline_s, entries = time_verify()
        out.update(verify_s=verify_s, read_hash_s=baseline_s, verify_entries=entries)
        out["verify_ratio"] = verify_s / baseline_s
    finally:
        from django.db import connections

        connections.close_all()
        if scratch:
            _drop_postgres(*scratch)
        shutil.rmtree(tmp, ignore_errors=True)
    if args.json:
        print(json.dumps(out))
    else:
        print(
            f"ledger at volume ({out['database']}, bulk entries over "
            f"{out['decision_years']} decision-years): "
            f"one write {out['small_write_ms']:.1f} ms at {out['small_entries']} entries, "
            f"{out['large_write_ms']:.1f} ms at {out['large_entries']} (ratio {out['write_ratio']:.2f}; "
            f"{out['small_write_queries']} / {out['large_write_queries']} queries); verify's chain walk "
            f"{out['verify_s']:.2f} s for {out['verify_entries']} entries, "
            f"read+hash {out['read_hash_s']:.2f} s "
            f"(ratio {out['verify_ratio']:.2f})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
