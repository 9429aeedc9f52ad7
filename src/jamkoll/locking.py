"""Transaction-level locks on a key that has no row of its own (a decision-year's ledger, a
report's chain of versions, before its first version exists)."""

from __future__ import annotations

from django.db import connection

# The namespaces, in a key's top 16 bits.
LEDGER_YEAR = 0x4C59  # "LY"
REPORT_CHAIN = 0x5256  # "RV"


def lock_decision_year(space: int, decision_id: int, year: int) -> None:
    """Serialise, until the transaction ends, the transactions that take this lock for the same
    decision and year; others never wait on it.

    PostgreSQL: a transaction-level advisory lock — released by the commit or rollback, no row
    needed. SQLite takes its one write lock at BEGIN (`transaction_mode` IMMEDIATE in the
    settings), which is at least as strict."""
    if connection.vendor != "postgresql":
        return
    # A positive bigint: 16 bits of namespace, 32 of decision id, 16 of year.
    key = (space << 48) | ((decision_id & 0xFFFFFFFF) << 16) | (year & 0xFFFF)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])
