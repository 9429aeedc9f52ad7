"""Benchmarks (make bench). Each prints a ratio against a raw baseline measured in the same run,
never only an absolute time: the machines are shared and noisy.

scale:       issue 16's table (pages and API lists at the seeded and at national volume, 20
             concurrent clients, the 2018 report, the ledger at 500 000 entries, the first seed) is
             bench/scale.py, which `make bench` runs before this file (`python -m bench.scale`).

seed:        `jamkoll seed` into a fresh SQLite file vs. a raw sqlite3 executemany of the same
             number of organisation-name rows.
allocations: the allocation table selector vs. a raw SQL sum of the same allocation rows.
reports:     the 2018 result report rendered as HTML, PDF, DOCX and Markdown vs. writing its plain
             text once (bench/report_formats.py).
cli:         the CPU time of `jamkoll ledger balance … --format json` vs. a bare `django.setup()`
             (bench/cli_cost.py).
ledger load: 20 concurrent writers for 60 s on PostgreSQL (JAMKOLL_BENCH_PG_URL, set by `make
             bench`; SQLite when the server cannot be reached): entries/s vs. the bare serialised
             append in plain SQL, and 0 errors other than refusals, 0 lost or duplicated entries,
             `jamkoll verify` clean including the anchor, or the run fails (bench/ledger_load.py).
indicators:  1 000 000 key-figure observations (JAMKOLL_BENCH_OBSERVATIONS) imported from Kolada
             JSON and CSV vs. a raw COPY (PostgreSQL) / executemany (SQLite) of the same rows, with
             peak RSS; the gap analysis over 290 municipalities vs. a hand-written SQL query; on
             PostgreSQL (when it can be reached) and on SQLite (bench/indicators_bench.py).
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _time(fn, repeat: int = 3) -> float:  # type: ignore[no-untyped-def]
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def ledger_load(seconds: float = 60.0) -> int:
    """The concurrent-writers load test in a process of its own (it needs its own database)."""
    url = os.environ.get("JAMKOLL_BENCH_PG_URL") or os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        try:
            import psycopg

            psycopg.connect(url, connect_timeout=5).close()
        except Exception as exc:
            print(
                f"ledger load: PostgreSQL cannot be reached at {url} ({type(exc).__name__}); "
                "running on SQLite"
            )
            url = ""
    argv = [sys.executable, "-m", "bench.ledger_load", "--seconds", str(seconds), "--writers", "20"]
    if url.startswith("postgres"):
        argv += ["--database-url", url]
    root = Path(__file__).resolve().parent.parent
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(root / "src"), os.environ.get("PYTHONPATH")])),
    }
    return subprocess.run(argv, cwd=root, env=env, check=False).returncode


def _postgres_url() -> str:
    url = os.environ.get("JAMKOLL_BENCH_PG_URL") or os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        return ""
    try:
        import psycopg

        psycopg.connect(url, connect_timeout=5).close()
    except Exception as exc:
        print(f"indicators: PostgreSQL cannot be reached at {url} ({type(exc).__name__}); SQLite only")
        return ""
    return url


def indicators_bench() -> int:
    """Imports and the gap analysis at national scale, each database in a process of its own."""
    root = Path(__file__).resolve().parent.parent
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(
            filter(None, [str(root / "src"), str(root), os.environ.get("PYTHONPATH")])
        ),
    }
    status = 0
    url = _postgres_url()
    for database in ([url] if url else []) + [""]:
        argv = [sys.executable, "-m", "bench.indicators_bench"]
        if database:
            argv += ["--database-url", database]
        status |= subprocess.run(argv, cwd=root, env=env, check=False).returncode
    return status


def main() -> None:
    load_status = ledger_load()
    indicators_status = indicators_bench()
    tmp = Path(tempfile.mkdtemp(prefix="jamkoll-bench-"))
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["JAMKOLL_DATA_DIR"] = str(tmp)
    exe = Path(sys.executable).with_name("jamkoll")
    subprocess.run([str(exe), "migrate", "-v0"], env=env, check=True)
    seed_t = _time(
        lambda: subprocess.run([str(exe), "seed", "--no-migrate"], env=env, check=True, capture_output=True),
        repeat=1,
    )

    def raw_insert() -> None:
        con = sqlite3.connect(tmp / "raw.sqlite3")
        con.execute("create table if not exists n (id integer primary key, org text, name text)")
        con.executemany(
            "insert into n (org, name) values (?, ?)", [(str(i), f"namn {i}") for i in range(800)]
        )
        con.commit()
        con.close()

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bench.cli_cost import measure
    from bench.cli_cost import report as cli_report

    print(cli_report(*measure(env)))

    raw_t = _time(raw_insert)
    print(
        f"seed (first run): {seed_t:.2f} s; raw insert baseline {raw_t * 1000:.1f} ms; "
        f"ratio {seed_t / raw_t:.0f}x"
    )

    os.environ["JAMKOLL_DATA_DIR"] = str(tmp)
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jamkoll.settings")
    import django

    django.setup()
    from django.db import connection

    from jamkoll.programmes.selectors import allocation_table, decision_get

    decision = decision_get(slug="jamstalldhet-kvinnofrid-2018-2020")
    sel_t = _time(lambda: allocation_table(decision=decision, year=2018), repeat=20)

    def raw_sum() -> None:
        with connection.cursor() as cur:
            cur.execute("select count(*), sum(amount) from programmes_allocation")
            cur.fetchall()

    raw_sum_t = _time(raw_sum, repeat=20)
    print(
        f"allocation table 2018: {sel_t * 1000:.2f} ms; raw SQL sum {raw_sum_t * 1000:.3f} ms; "
        f"ratio {sel_t / raw_sum_t:.0f}x"
    )

    # The 2018 result report in every format, against writing its plain text once.
    from bench.report_formats import report, time_formats
    from jamkoll.reports.assemblers import result_report

    assemble_t = _time(lambda: result_report(decision=decision, year=2018), repeat=3)
    document = result_report(decision=decision, year=2018)
    print(f"result report 2018, assembling from the database: {assemble_t * 1000:.0f} ms")
    print(report(time_formats(document)))
    if load_status != 0:
        raise SystemExit("ledger load: a figure is wrong (see above)")
    if indicators_status != 0:
        raise SystemExit(
            "indicators: an import failed or the gap analysis disagrees with the SQL (see above)"
        )


if __name__ == "__main__":
    main()
