"""Key figures at national scale (issue 14, "Scale and speed"): importing a million observations and
the gap analysis over them, each against a raw baseline measured in the same run, on the same
database.

Import: N generated observations (JAMKOLL_BENCH_OBSERVATIONS, default 1 000 000: 312 Kolada units
— 290 municipalities, 21 regions, Riket — × 10 years × 3 sexes × as many key figures as it takes),
written as a Kolada v3 JSON document and as a long-format CSV file in a temporary directory, and
imported by `jamkoll.indicators.services.import_file` (reading, validation, all-or-nothing write)
into an empty observations table. Baseline: the same rows, their ids already resolved and held in
memory, written raw — PostgreSQL `COPY … FROM STDIN`, SQLite `executemany` — in one transaction
into the same empty table (same indexes, same partitions). Ratio = our throughput / raw throughput;
the target is at least 0.5. Every import runs in a process of its own, whose peak RSS
(VmHWM) is reported beside that of a process that only starts Django: memory must stay flat
(the file is streamed, never loaded whole).

Gap analysis: with the rows loaded, `selectors.gap_table(indicator, year=2020, level="kommun")`
(290 municipalities, their counties', regions' and Riket's figures, last year's gaps) against one
hand-written SQL query giving the same result (values, gap, ratio, rank by |gap| with ties, names,
last year's gap, counties and Riket); medians of JAMKOLL_BENCH_QUERY_REPEAT (default 30) runs. The
targets: within 2× of the SQL, and under 100 ms. The SQL's ranks are checked against the selector's.

    python -m bench.indicators_bench [--database-url postgres://…] [--observations N] [--repeat R] [--json]

With a PostgreSQL URL a scratch database is created beside the one named, migrated and seeded (and
dropped after); without one, a SQLite file in a temporary directory. Results are also written to
bench/results/indicators-<database>.json. Exit 1 if an import fails or the SQL disagrees with the
selector; a missed speed target is reported, not a failure (the machines are shared and noisy).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
YEARS = range(2015, 2025)
GAP_YEAR = 2020
SEED = 14
DEFAULT_OBSERVATIONS = 1_000_000
COLUMNS = ("indicator_id", "organisation_id", "period", "gender", "value", "count", "status")


@dataclass
class Timing:
    """Seconds of the repeats of one measurement: median and spread (min–max)."""

    runs: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.runs) if self.runs else float("nan")

    def text(self, unit: str = "s") -> str:
        if not self.runs:
            return "–"
        scale = 1000.0 if unit == "ms" else 1.0
        lo, hi = min(self.runs) * scale, max(self.runs) * scale
        places = 1 if unit == "s" else 2
        return (
            f"median {self.median * scale:.{places}f} {unit} (min {lo:.2f}, max {hi:.2f}, n={len(self.runs)})"
        )


@dataclass
class Figures:
    database: str
    observations: int
    indicators: int
    kolada_file_mb: float = 0.0
    csv_file_mb: float = 0.0
    raw: Timing = field(default_factory=Timing)
    ours: dict[str, Timing] = field(default_factory=dict)
    ours_error: str = ""
    rss_mb: dict[str, float] = field(default_factory=dict)
    rss_bare_django_mb: float = 0.0
    gap: Timing = field(default_factory=Timing)
    gap_sql: Timing = field(default_factory=Timing)
    gap_rows: int = 0
    gap_rank_mismatches: int = -1

    def rate(self, timing: Timing) -> float:
        return self.observations / timing.median if timing.runs else 0.0

    def ratio(self, fmt: str) -> float:
        ours = self.ours.get(fmt)
        return self.rate(ours) / self.rate(self.raw) if ours and ours.runs and self.raw.runs else 0.0

    @property
    def gap_ratio(self) -> float:
        return self.gap.median / self.gap_sql.median if self.gap.runs and self.gap_sql.runs else 0.0


# --- generated rows and files -----------------------------------------------------------------


def kolada_units() -> list[str]:
    """Kolada's ids of the 312 units: municipalities, regions (`00NN`), Riket (`0000`)."""
    from jamkoll.reference.models import Organisation, OrganisationKind

    kommuner = Organisation.objects.filter(kind=OrganisationKind.KOMMUN).values_list("code", flat=True)
    regions = Organisation.objects.filter(kind=OrganisationKind.REGION).values_list("code", flat=True)
    return sorted(kommuner) + sorted("00" + c for c in regions) + ["0000"]


def indicator_codes(n: int, units: int) -> list[str]:
    per_indicator = units * len(YEARS) * 3
    return [f"N9{i:04d}" for i in range(math.ceil(n / per_indicator))]


Group = tuple[str, str, int, list[tuple[str, float | None, int]]]


def groups(n: int, kpis: list[str], units: list[str]) -> Iterator[Group]:
    """(kpi, unit, period, [(gender, value, count)…]) until n values; deterministic."""
    rng = random.Random(SEED)
    made = 0
    for kpi in kpis:
        for period in YEARS:
            for unit in units:
                values = []
                for gender in ("T", "K", "M"):
                    value = None if rng.random() < 0.01 else round(rng.uniform(0, 1000), 1)
                    values.append((gender, value, rng.randint(0, 5000)))
                yield kpi, unit, period, values
                made += 3
                if made >= n:
                    return


def write_files(n: int, kpis: list[str], units: list[str], directory: Path) -> tuple[Path, Path, int]:
    """The Kolada v3 JSON document and the CSV file of the same values; the number of values."""
    kolada, csv = directory / "kolada.json", directory / "observations.csv"
    count = sum(1 for _ in groups(n, kpis, units))
    written = 0
    with kolada.open("w", encoding="utf-8") as jf, csv.open("w", encoding="utf-8", newline="") as cf:
        jf.write(f'{{"count": {count}, "next_url": null, "previous_url": null, "values": [\n')
        cf.write("kpi,organisation,period,gender,value\n")
        for i, (kpi, unit, period, values) in enumerate(groups(n, kpis, units)):
            # Kolada's order of the sexes varies: rotate it.
            turn = i % 3
            ordered = values[turn:] + values[:turn]
            row = {
                "kpi": kpi,
                "municipality": unit,
                "period": period if i % 2 else str(period),
                "values": [
                    {"gender": g, "count": c, "status": "", "value": v, "isdeleted": False}
                    for g, v, c in ordered
                ],
            }
            jf.write(("," if i else "") + json.dumps(row, separators=(",", ":")) + "\n")
            for g, v, _c in values:
                cf.write(f"{kpi},{unit},{period},{g},{'' if v is None else repr(v)}\n")
                written += 1
        jf.write("]}\n")
    return kolada, csv, written


def raw_rows(n: int, kpis: list[str], units: list[str]) -> list[tuple[Any, ...]]:
    """The same values as table rows, ids resolved (the baseline does no lookups)."""
    from jamkoll.indicators.codes import kolada_org, org_index
    from jamkoll.indicators.models import Indicator

    orgs = org_index()
    unit_ids = {u: orgs[kolada_org(u, allow_county=False)] for u in units}
    ids = dict(Indicator.objects.filter(code__in=kpis).values_list("code", "id"))
    return [
        (ids[kpi], unit_ids[unit], period, g, None if v is None else repr(v), c, "")
        for kpi, unit, period, values in groups(n, kpis, units)
        for g, v, c in values
    ]


# --- the database -----------------------------------------------------------------------------


def _scratch_postgres(url: str) -> tuple[str, str]:
    import psycopg
    from psycopg import sql

    name = f"jamkoll_indicators_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
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


def empty_observations() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("TRUNCATE indicators_observation, indicators_observationchange")
        else:
            cursor.execute("DELETE FROM indicators_observationchange")
            cursor.execute("DELETE FROM indicators_observation")


def analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE indicators_observation" if connection.vendor == "postgresql" else "ANALYZE")


def raw_write(rows: list[tuple[Any, ...]]) -> float:
    """Seconds to write `rows` raw in one transaction: COPY (PostgreSQL) or executemany (SQLite)."""
    from django.db import connection, transaction

    columns = ", ".join(COLUMNS)
    connection.ensure_connection()
    start = time.perf_counter()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            raw = connection.connection  # psycopg 3's own connection
            with (
                raw.cursor() as cursor,
                cursor.copy(f"COPY indicators_observation ({columns}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
        else:
            connection.connection.executemany(  # sqlite3's own
                f"INSERT INTO indicators_observation ({columns}) VALUES (?, ?, ?, ?, ?, ?, ?)", rows
            )
    return time.perf_counter() - start


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), str(ROOT), env.get("PYTHONPATH")]))
    return env


def run_child(*argv: str) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, "-m", "bench.indicators_bench", *argv],
        cwd=ROOT,
        env=child_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        return {"error": " / ".join(tail)[:500] or f"exit {proc.returncode}"}
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def peak_rss_mb() -> float:
    """This process's peak resident set (VmHWM). Not `ru_maxrss`: Linux carries the parent's peak
    over fork and exec into it, and the parent holds the baseline's rows."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_import(fmt: str, path: str) -> None:
    """In a process of its own: one import through the service; its time and peak RSS as JSON."""
    import django

    django.setup()
    from jamkoll.accounts.policy import operator
    from jamkoll.indicators import services

    start = time.perf_counter()
    run = services.import_file(actor=operator("bench"), path=path, format=fmt)
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "rss_mb": peak_rss_mb(), "status": run.status, "rows": run.rows}))


def child_bare() -> None:
    import django

    django.setup()
    from jamkoll.indicators import selectors  # noqa: F401  (what an import would load anyway)

    print(json.dumps({"rss_mb": peak_rss_mb()}))


# --- the gap analysis -------------------------------------------------------------------------

GAP_SQL = """
WITH cur AS (
    SELECT organisation_id,
        MAX(CASE WHEN gender = 'K' THEN value END) AS women,
        MAX(CASE WHEN gender = 'M' THEN value END) AS men,
        MAX(CASE WHEN gender = 'T' THEN value END) AS total,
        MAX(CASE WHEN gender = 'K' THEN count END) AS women_count,
        MAX(CASE WHEN gender = 'M' THEN count END) AS men_count,
        MAX(CASE WHEN gender = 'T' THEN count END) AS total_count
    FROM indicators_observation WHERE indicator_id = %(indicator)s AND period = %(year)s
    GROUP BY organisation_id
), prev AS (
    SELECT organisation_id,
        ROUND(MAX(CASE WHEN gender = 'K' THEN value END)
            - MAX(CASE WHEN gender = 'M' THEN value END), 6) AS gap
    FROM indicators_observation WHERE indicator_id = %(indicator)s AND period = %(previous)s
    GROUP BY organisation_id
), rows AS (
    SELECT o.kind, o.code, county.code AS county_code,
        (SELECT n.name FROM reference_organisationname n WHERE n.organisation_id = o.id
            AND (n.valid_from IS NULL OR n.valid_from <= %(on)s)
            AND (n.valid_to IS NULL OR n.valid_to >= %(on)s) LIMIT 1) AS name,
        cur.women, cur.men, cur.total, cur.women_count, cur.men_count, cur.total_count,
        ROUND(cur.women - cur.men, 6) AS gap,
        CASE WHEN cur.men <> 0 THEN ROUND(cur.women / cur.men, 4) END AS ratio,
        prev.gap AS previous_gap
    FROM reference_organisation o
    LEFT JOIN reference_organisation county ON county.id = o.county_id
    LEFT JOIN cur ON cur.organisation_id = o.id
    LEFT JOIN prev ON prev.organisation_id = o.id AND o.kind = 'kommun'
    WHERE o.kind IN ('kommun', 'lan', 'region', 'riket')
)
SELECT rows.*,
    CASE WHEN gap IS NOT NULL AND kind = 'kommun'
        THEN RANK() OVER (PARTITION BY kind, gap IS NULL ORDER BY ABS(gap)) END AS rank
FROM rows
ORDER BY kind, gap IS NULL, ABS(gap), code
"""


def gap_sql(indicator_id: int, year: int) -> list[tuple[Any, ...]]:
    import datetime as dt

    from django.db import connection

    params = {"indicator": indicator_id, "year": year, "previous": year - 1, "on": dt.date(year, 12, 31)}
    with connection.cursor() as cursor:
        cursor.execute(GAP_SQL, params)
        return cursor.fetchall()


def measure_gap(figures: Figures, code: str, repeat: int) -> None:
    from jamkoll.indicators.models import Indicator
    from jamkoll.indicators.selectors import gap_table

    indicator = Indicator.objects.get(code=code)
    for _ in range(2):  # warm caches and connections
        table = gap_table(indicator=indicator, year=GAP_YEAR, level="kommun")
        rows = gap_sql(indicator.pk, GAP_YEAR)
    for _ in range(repeat):
        start = time.perf_counter()
        table = gap_table(indicator=indicator, year=GAP_YEAR, level="kommun")
        figures.gap.runs.append(time.perf_counter() - start)
        start = time.perf_counter()
        rows = gap_sql(indicator.pk, GAP_YEAR)
        figures.gap_sql.runs.append(time.perf_counter() - start)
    figures.gap_rows = len(table.rows)
    names = [d[0] for d in _description()]
    ranks = {
        r[names.index("code")]: r[names.index("rank")] for r in rows if r[names.index("kind")] == "kommun"
    }
    figures.gap_rank_mismatches = sum(1 for r in table.rows if ranks.get(r.code) != r.rank) + abs(
        len(ranks) - len(table.rows)
    )


def _description() -> list[Any]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            GAP_SQL,
            {"indicator": 0, "year": GAP_YEAR, "previous": GAP_YEAR - 1, "on": f"{GAP_YEAR}-12-31"},
        )
        return list(cursor.description)


# --- the run ----------------------------------------------------------------------------------


def run(figures: Figures, repeat: int, query_repeat: int, tmp: Path) -> None:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    with open(os.devnull, "w") as quiet:
        call_command("seed", "--no-migrate", verbosity=0, stdout=quiet)
    from jamkoll.indicators.models import Indicator

    units = kolada_units()
    kpis = indicator_codes(figures.observations, len(units))
    Indicator.objects.bulk_create(
        [Indicator(code=k, title=f"Benchmark {k}", divided_by_gender=True) for k in kpis],
        ignore_conflicts=True,
    )
    figures.indicators = len(kpis)
    kolada, csv, figures.observations = write_files(figures.observations, kpis, units, tmp)
    figures.kolada_file_mb = kolada.stat().st_size / 2**20
    figures.csv_file_mb = csv.stat().st_size / 2**20
    rows = raw_rows(figures.observations, kpis, units)
    figures.rss_bare_django_mb = run_child("--child-bare").get("rss_mb", 0.0)
    figures.ours = {"kolada": Timing(), "csv": Timing()}
    loaded = False
    for _ in range(repeat):
        empty_observations()
        figures.raw.runs.append(raw_write(rows))
        for fmt, path in (("kolada", kolada), ("csv", csv)):
            empty_observations()
            loaded = False
            if figures.ours_error:
                continue
            result = run_child("--child-import", fmt, str(path))
            if (
                "error" in result
                or result.get("status") != "done"
                or result.get("rows") != figures.observations
            ):
                figures.ours_error = f"{fmt}: {result.get('error') or result}"
                continue
            figures.ours[fmt].runs.append(result["seconds"])
            figures.rss_mb[fmt] = max(figures.rss_mb.get(fmt, 0.0), result["rss_mb"])
            loaded = True
    if not loaded:  # the service is not there (or failed): the gap query runs on the raw rows
        empty_observations()
        raw_write(rows)
    del rows
    analyze()
    measure_gap(figures, kpis[0], query_repeat)


def report(f: Figures) -> str:
    lines = [
        f"indicators ({f.database}): {f.observations:_} observations, {f.indicators} key figures × 312 "
        f"units × {len(YEARS)} years × 3 sexes; Kolada JSON {f.kolada_file_mb:.0f} MB, "
        f"CSV {f.csv_file_mb:.0f} MB".replace("_", " "),
        f"  raw {'COPY' if f.database == 'PostgreSQL' else 'executemany'} baseline: {f.raw.text()}, "
        f"{f.rate(f.raw):_.0f} rows/s".replace("_", " "),
    ]
    if f.ours_error:
        lines.append(f"  import_file: NOT MEASURED ({f.ours_error})")
    for fmt, timing in f.ours.items():
        if not timing.runs:
            continue
        ratio = f.ratio(fmt)
        lines.append(
            f"  import_file {fmt}: {timing.text()}, "
            + f"{f.rate(timing):_.0f} rows/s; ".replace("_", " ")
            + f"ratio {ratio:.2f}× of raw (target ≥ 0.5: {'met' if ratio >= 0.5 else 'NOT met'}); "
            f"peak RSS {f.rss_mb.get(fmt, 0):.0f} MB (bare Django {f.rss_bare_django_mb:.0f} MB)"
        )
    ratio = f.gap_ratio
    lines.append(
        f"  gap_table {GAP_YEAR} kommun ({f.gap_rows} rows): {f.gap.text('ms')}; hand-written SQL "
        f"{f.gap_sql.text('ms')}; ratio {ratio:.2f}× (target ≤ 2: {'met' if ratio <= 2 else 'NOT met'}; "
        f"< 100 ms: {'met' if f.gap.median < 0.1 else 'NOT met'}); ranks differing from the SQL: "
        f"{f.gap_rank_mismatches}"
    )
    return "\n".join(lines)


def _as_json(f: Figures) -> dict[str, Any]:
    out = asdict(f)
    out["raw_median_s"] = f.raw.median if f.raw.runs else None
    out["ours_median_s"] = {k: t.median for k, t in f.ours.items() if t.runs}
    out["ratios"] = {k: f.ratio(k) for k in f.ours}
    out["gap_median_ms"] = f.gap.median * 1000 if f.gap.runs else None
    out["gap_sql_median_ms"] = f.gap_sql.median * 1000 if f.gap_sql.runs else None
    out["gap_ratio"] = f.gap_ratio
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", default="", help="postgres://… (default: SQLite in a temporary directory)"
    )
    parser.add_argument(
        "--observations",
        type=int,
        default=int(os.environ.get("JAMKOLL_BENCH_OBSERVATIONS", DEFAULT_OBSERVATIONS)),
    )
    parser.add_argument("--repeat", type=int, default=int(os.environ.get("JAMKOLL_BENCH_REPEAT", 3)))
    parser.add_argument(
        "--query-repeat", type=int, default=int(os.environ.get("JAMKOLL_BENCH_QUERY_REPEAT", 30))
    )
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child-import", nargs=2, metavar=("FORMAT", "PATH"), help=argparse.SUPPRESS)
    parser.add_argument("--child-bare", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child_import:
        child_import(*args.child_import)
        return 0
    if args.child_bare:
        child_bare()
        return 0

    tmp = Path(tempfile.mkdtemp(prefix="jamkoll-indicators-bench-"))
    scratch: tuple[str, str] | None = None
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(JAMKOLL_DATA_DIR=str(tmp), DJANGO_SETTINGS_MODULE="jamkoll.settings")
    if args.database_url.startswith("postgres"):
        scratch = _scratch_postgres(args.database_url)
        env["DATABASE_URL"] = scratch[0]
    os.environ.clear()
    os.environ.update(env)
    vendor = "PostgreSQL" if scratch else "SQLite"
    figures = Figures(database=vendor, observations=max(3, args.observations), indicators=0)
    try:
        run(figures, max(1, args.repeat), max(1, args.query_repeat), tmp)
    finally:
        from django.db import connections

        connections.close_all()
        if scratch:
            _drop_postgres(*scratch)
        shutil.rmtree(tmp, ignore_errors=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"indicators-{vendor.lower()}.json").write_text(
        json.dumps(_as_json(figures), indent=2, default=str) + "\n", encoding="utf-8"
    )
    print(json.dumps(_as_json(figures), default=str) if args.json else report(figures))
    wrong = figures.gap_rank_mismatches != 0 or bool(figures.ours_error)
    return 1 if wrong else 0


if __name__ == "__main__":
    raise SystemExit(main())
