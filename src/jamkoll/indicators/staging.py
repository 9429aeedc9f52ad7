"""The write path of an import: checked rows go in bulk into a temporary staging table, and one
statement merges them into the observations.

- PostgreSQL: `COPY … FROM STDIN` (psycopg 3) of text lines, a chunk at a time; SQLite:
  `executemany` into a temporary table with a unique index on the key, which also finds a key the
  file has twice (the later line is kept in `dup`). On PostgreSQL a key twice makes the merge fail
  ("cannot affect row a second time"); the staging table is then grouped to name the lines.
- The staging happens before the import's transaction (the temporary table is the connection's
  own), so that the run's progress, written on the same connection, is seen by the page polling it.
- The merge, in one transaction: create the provisional indicators; record the values that
  change (`ObservationChange`, one INSERT … SELECT joining the staged rows to the stored ones);
  then `INSERT … SELECT … ON CONFLICT (key) DO UPDATE … WHERE` something differs, so that an
  unchanged value is not written at all. Counts: the file's indicators' observations before and
  after (index-only counts; their difference is what was created) and the rows the merge wrote.
  The change join is skipped when none of the file's indicators has any value yet.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import DatabaseError, connection, transaction

from .importers import StagedRow
from .models import ImportRun, Indicator, IndicatorSource, Observation, ObservationChange

TABLE = "jamkoll_indicator_stage"
BATCH = 20_000
KEY = "indicator_id, period, organisation_id, gender"


@dataclass
class MergeCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    indicators_created: int = 0


def _copy_text(value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, str):
        return value.replace("\\", "\\\\")
    return str(value)


class Stage:
    """A temporary table of checked rows on the default connection."""

    def __init__(self) -> None:
        self.vendor = connection.vendor
        self.buffer: list[StagedRow] = []
        self.staged = 0

    # -- staging ----------------------------------------------------------------------------

    def open(self) -> Stage:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")
            if self.vendor == "postgresql":
                cursor.execute(
                    f"CREATE TEMP TABLE {TABLE} (indicator_id bigint, organisation_id bigint, "
                    "period smallint, gender text, value numeric, count integer, status text, line bigint)"
                )
            else:
                cursor.execute(
                    f"CREATE TEMP TABLE {TABLE} (indicator_id integer, organisation_id integer, "
                    "period integer, gender text, value decimal, count integer, status text, "
                    "line integer, dup integer)"
                )
                cursor.execute(f"CREATE UNIQUE INDEX temp.{TABLE}_key ON {TABLE} ({KEY})")
        return self

    def add(self, row: StagedRow) -> None:
        self.buffer.append(row)
        if len(self.buffer) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if not self.buffer:
            return
        rows, self.buffer = self.buffer, []
        self.staged += len(rows)
        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                text = "".join(
                    f"{r[0]}\t{r[1]}\t{r[2]}\t{r[3]}\t{_copy_text(r[4])}\t{_copy_text(r[5])}\t"
                    f"{_copy_text(r[6])}\t{r[7]}\n"
                    for r in rows
                )
                with cursor.cursor.copy(f"COPY {TABLE} FROM STDIN") as copy:
                    copy.write(text.encode("utf-8"))
            else:
                cursor.executemany(
                    f"INSERT INTO {TABLE} (indicator_id, organisation_id, period, gender, value, count, "
                    f"status, line) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) "
                    f"ON CONFLICT ({KEY}) DO UPDATE SET dup = excluded.line",
                    rows,
                )

    def close(self) -> None:
        self.buffer = []
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")

    # -- duplicates -------------------------------------------------------------------------

    def duplicates(self, limit: int = 1000) -> list[tuple[int, int]]:
        """(earlier line, later line) for keys the file has more than once."""
        self.flush()
        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                cursor.execute(
                    f"SELECT min(line), max(line) FROM {TABLE} GROUP BY {KEY} "
                    "HAVING count(*) > 1 ORDER BY 2 LIMIT %s",
                    [limit],
                )
            else:
                cursor.execute(
                    f"SELECT line, dup FROM {TABLE} WHERE dup IS NOT NULL ORDER BY dup LIMIT %s", [limit]
                )
            pairs = [(int(a), int(b)) for a, b in cursor.fetchall()]
        return sorted(set(pairs), key=lambda p: (p[1], p[0]))

    # -- merging ----------------------------------------------------------------------------

    def merge(
        self,
        run: ImportRun,
        *,
        new_indicators: dict[str, int],
        divided: set[int],
        known_indicators: Iterable[int],
        rows: int,
    ) -> MergeCounts:
        """Within the caller's transaction. `DuplicateKeys` when the file has a key twice (PG)."""
        self.flush()
        counts = MergeCounts()
        obs = Observation._meta.db_table
        ind = Indicator._meta.db_table
        org = Observation._meta.get_field("organisation").related_model._meta.db_table  # type: ignore[union-attr]
        change = ObservationChange._meta.db_table
        distinct = "IS DISTINCT FROM" if self.vendor == "postgresql" else "IS NOT"
        mapping: list[tuple[int, int]] = []
        with connection.cursor() as cursor:
            if self.vendor != "postgresql":
                cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {TABLE} WHERE dup IS NOT NULL)")
                if cursor.fetchone()[0]:
                    raise DuplicateKeys()
            if new_indicators:
                for code, temp in new_indicators.items():
                    indicator, made = Indicator.objects.get_or_create(
                        code=code,
                        defaults={
                            "title": code,
                            "provisional": True,
                            "source": IndicatorSource.KOLADA,
                            "divided_by_gender": temp in divided,
                        },
                    )
                    counts.indicators_created += int(made)
                    mapping.append((temp, indicator.pk))
                cases = " ".join(f"WHEN {int(temp)} THEN {int(pk)}" for temp, pk in mapping)
                cursor.execute(
                    f"UPDATE {TABLE} SET indicator_id = CASE indicator_id {cases} END WHERE indicator_id < 0"
                )
            known = sorted(set(known_indicators))
            # Counted per indicator (an index-only count), not by joining every staged row.
            before = Observation.objects.filter(indicator_id__in=known).count() if known else 0
            if before:
                join = (
                    f"FROM {TABLE} s JOIN {obs} o ON o.indicator_id = s.indicator_id AND o.period = s.period "
                    "AND o.organisation_id = s.organisation_id AND o.gender = s.gender"
                )
                run_id = ImportRun._meta.pk.get_db_prep_value(run.pk, connection)
                cursor.execute(
                    f"INSERT INTO {change} (run_id, indicator_code, organisation_code, "
                    "organisation_kind, period, gender, old_value, new_value) "
                    f"SELECT %s, i.code, g.code, g.kind, s.period, s.gender, o.value, s.value {join} "
                    f"JOIN {ind} i ON i.id = s.indicator_id JOIN {org} g ON g.id = s.organisation_id "
                    f"WHERE o.value {distinct} s.value ORDER BY s.line",
                    [run_id],
                )
            # SQLite: in the key's order (the staging table's index), so that the observations' index
            # is written page after page rather than at random.
            order = "" if self.vendor == "postgresql" else f"ORDER BY {KEY}"
            merge = (
                f"INSERT INTO {obs} (indicator_id, organisation_id, period, gender, value, count, status) "
                f"SELECT indicator_id, organisation_id, period, gender, value, count, status FROM {TABLE} "
                f"WHERE true {order} ON CONFLICT ({KEY}) DO UPDATE SET value = excluded.value, "
                "count = excluded.count, status = excluded.status "
                f"WHERE {obs}.value {distinct} excluded.value OR {obs}.count {distinct} excluded.count "
                f"OR {obs}.status {distinct} excluded.status"
            )
            if self.vendor == "postgresql":
                try:
                    with transaction.atomic():
                        cursor.execute(merge)
                except DatabaseError as exc:
                    if "second time" in str(exc):
                        raise DuplicateKeys() from None
                    raise
            else:
                cursor.execute(merge)
            written = max(cursor.rowcount, 0)
            every = known + [pk for _temp, pk in mapping]
            after = Observation.objects.filter(indicator_id__in=every).count()
        counts.created = after - before
        counts.updated = written - counts.created
        counts.unchanged = rows - counts.created - counts.updated
        return counts


class DuplicateKeys(Exception):
    """The staged rows have a key twice; `Stage.duplicates` names them."""
