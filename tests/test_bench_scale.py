"""The harness of `make bench` (bench/scale.py, issue 16): its statistics, its verdicts and the README
table, on made-up figures. The measuring itself takes minutes and runs in `make bench`; no test here
asserts a time."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _load() -> Any:
    spec = importlib.util.spec_from_file_location("bench_scale", ROOT / "bench" / "scale.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_scale"] = module
    spec.loader.exec_module(module)
    return module


scale = _load()


def _timing(median: float, n: int = 5) -> dict[str, Any]:
    return scale.summary([median * f for f in (0.9, 0.95, 1.0, 1.05, 1.1)][:n])


def _side(median: float, size: int, errors: list[str] | None = None) -> dict[str, Any]:
    errors = errors or []
    return {"time": _timing(median), "size": size, "errors": errors[:3], "error_count": len(errors)}


def _results() -> dict[str, Any]:
    pages = {t.name: t for t in scale.pages()}
    conc = {name: {"p95": 0.25, "errors": 0, "requests": 40, "hits": 30} for name in pages}
    conc["plan page"] = {"p95": 2.0, "errors": 3, "requests": 40}
    conc["login"] = {"p95": 0.1, "requests": 80}
    conc[scale.MIXED] = {"p95": 0.6, "errors": 0, "requests": 200, "hits": 150, "writes": 10}
    return {
        "when": "2026-11-27T03:00:00Z",
        "vendor": "PostgreSQL",
        "scale": {**scale.asdict(scale.FULL)},
        "counts": {
            "seeded": {"activities": 40},
            "national": {"activities": 38000},
            "ledger": {"ledger_entries": 500},
        },
        "sequential": {
            "plan page": {
                "path": "/planer/x/2018/",
                "page": True,
                "seeded": _side(0.1, 40_000),
                "national": _side(0.12, 50_000),
            },
            "API activities for a year": {
                "path": "/api",
                "page": True,
                "seeded": _side(0.1, 40_000),
                "national": _side(0.5, 40_000),
            },
            "API /users": {
                "path": "/api/v1/users",
                "page": False,
                "seeded": _side(0.05, 72, ["HTTP 403"] * 5),
                "national": _side(0.05, 72, ["HTTP 403"] * 5),
            },
            "API /ledger/{slug}/{year}/entries": {
                "path": "/e",
                "page": False,
                "seeded": _side(0.05, 2),
                "national": _side(0.06, 40_000),
            },
        },
        "concurrency": conc,
        "report": {
            "seeded": {"assemble": {"times": [0.1, 0.1]}, "pdf": {"seconds": 1.0, "peak_mb": 120.0}},
            "national": {"assemble": {"times": [4.0, 4.2]}, "pdf": {"error": "more than 120 s"}},
        },
        "ledger": {
            "write_small": _timing(0.03),
            "write_large": _timing(0.04),
            "verify": _timing(3.0),
            "raw_hash": _timing(1.0),
            "rows": 500_000,
        },
        "seed": {"first_s": 12.0, "second_s": 4.0},
    }


def test_summary_median_quartiles_and_spread():
    s = scale.summary([1.0, 2.0, 3.0, 4.0, 100.0])
    assert s["n"] == 5 and s["median"] == 3.0
    assert s["q1"] == 2.0 and s["q3"] == 4.0
    assert s["spread"] == pytest.approx(2.0 / 3.0)
    assert scale.summary([])["n"] == 0


def test_p95_is_the_nearest_rank_and_a_failure_counts_as_slowest():
    assert scale.p95([float(i) for i in range(1, 101)]) == 95.0
    assert scale.p95([0.1] * 19 + [float("inf")]) == 0.1
    assert scale.p95([0.1] * 18 + [float("inf")] * 2) == float("inf")


def test_the_pages_of_the_issue_are_measured():
    paths = {t.path for t in scale.pages()}
    assert "/planer/jamstalldhet-kvinnofrid-2018-2020/2018/" in paths
    assert "/planer/jamstalldhet-kvinnofrid-2018-2020/2018/?lan=12" in paths
    assert "/api/v1/plans/jamstalldhet-kvinnofrid-2018-2020/2018/activities" in paths
    assert {t.signed_in for t in scale.pages() if t.path.startswith("/satsningar/")} == {False}


def test_every_row_has_its_target_and_verdict():
    table = {r["what"]: r for r in scale.rows(_results())}
    assert table["plan page: time"]["verdict"] == "PASS"  # 1.2 ≤ 1.5
    assert table["plan page: size"]["verdict"] == "PASS"  # 1.25
    assert table["API activities for a year: time"]["verdict"] == "MISS"  # 5×
    # The coordinator may not list users: no figure, no verdict.
    assert table["API /users (HTTP 403 for the coordinator)"]["verdict"] == "–"
    # An empty list at the seeded volume has no size ratio to speak of; its time still counts.
    assert table["API /ledger/{slug}/{year}/entries (empty at the seeded volume): size"]["verdict"] == "–"
    assert table["plan page: p95, 20 clients (3 errors)"]["verdict"] == "MISS"  # 20× the login page
    assert table["programme page (anonymous): p95, 20 clients"]["verdict"] == "PASS"  # 2.5×
    # The 20 clients read the plain address: the row says how many answers the page cache gave.
    assert table["programme page (anonymous): p95, 20 clients"]["national"].endswith(
        "; 75% from the page cache"
    )
    assert table["result report 2018: assembly"]["verdict"] == "PASS"
    assert table["result report 2018: PDF"]["verdict"] == "MISS"
    assert table["result report 2018: PDF"]["national"] == "more than 120 s"
    assert table["one ledger write (500 vs 500000 entries)"]["verdict"] == "PASS"
    assert table["verify vs reading and hashing every row (500000 entries)"]["verdict"] == "MISS"
    assert table["first jamkoll seed (PostgreSQL)"]["verdict"] == "PASS"
    assert table["second jamkoll seed (nothing changes)"]["verdict"] == "MISS"
    # The mixed case (reads while another process writes) is measured and reported, not judged.
    mixed = table[f"{scale.MIXED}: p95, 20 clients (no target in the issue)"]
    assert mixed["verdict"] == "–" and mixed["ratio"] == "6.00"
    assert "10 writes, 75% of 200 answers from the page cache" in mixed["national"]
    # A writer that failed or started late says so in the row.
    failed = _results()
    failed["concurrency"][scale.MIXED].update(writes=0, refused=2, write_error="exit 1: boom")
    row = {r["what"]: r for r in scale.rows(failed)}[
        f"{scale.MIXED}: p95, 20 clients (no target in the issue)"
    ]
    assert "0 writes (2 refused) (writer: exit 1: boom)" in row["national"]


def test_the_full_page_comparison_names_lists_that_are_measured():
    """Every name in PAGED is a page or an API list the harness measures (a renamed page would
    otherwise drop out of the full-page comparison without a word)."""
    measured = {t.name for t in scale.pages()} | {
        f"API {p.removeprefix('/api/v1').split('?')[0]}" for p in scale.FALLBACK_API
    }
    assert set(scale.PAGED) <= measured


def test_the_readme_table_goes_between_the_markers(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(f"# JämKoll\n\nbefore\n{scale.BENCH_START}\nold table\n{scale.BENCH_END}\nafter\n")
    scale.readme_write(_results(), readme)
    text = readme.read_text()
    assert "old table" not in text and "before" in text and "after" in text
    assert "| plan page: time | 100 ms ±" in text
    assert text.count(scale.BENCH_START) == 1
    scale.readme_write(_results(), readme)
    assert readme.read_text() == text


def test_results_are_saved_as_json_and_markdown(tmp_path):
    results = _results()
    json_path, md_path = scale.save(results, tmp_path)
    assert json_path.name == "2026-11-27-national.json" and md_path.suffix == ".md"
    assert "PASS" in md_path.read_text() and "Infinity" not in json_path.read_text()


def _paged(seeded_rows: int, national_rows: int, *, full_page: bool) -> dict[str, Any]:
    results = _results()
    one = {
        "path": "/planer/x/2018/?lan=12",
        "page": True,
        "seeded": {**_side(0.05, 20_000), "rows": seeded_rows},
        "national": {**_side(0.09, 50_000), "rows": national_rows},
    }
    results["sequential"]["plan page, one county"] = one
    if full_page:
        results["sequential"]["plan page, one county (one full page vs national)"] = {
            **one,
            "seeded": {**_side(0.08, 49_000), "rows": national_rows},
        }
    return results


def test_a_list_shorter_than_a_page_is_judged_at_one_full_page():
    """The seeded county shows 2 activities, a national page 50: the literal ratio (1.8 for time,
    2.5 for size) is printed with the rows shown and no verdict; the full-page row carries it."""
    table = {r["what"]: r for r in scale.rows(_paged(2, 50, full_page=True))}
    literal = table["plan page, one county (2 vs 50 rows shown): time"]
    assert (literal["ratio"], literal["verdict"], literal["target"]) == ("1.80", "–", "at one full page")
    assert table["plan page, one county (2 vs 50 rows shown): size"]["verdict"] == "–"
    assert table["plan page, one county (one full page vs national): time"]["verdict"] == "PASS"
    assert table["plan page, one county (one full page vs national): size"]["verdict"] == "PASS"


def test_the_literal_ratio_keeps_its_verdict_unless_a_full_page_was_measured():
    # Not measured again at one full page: the literal ratio is judged.
    table = {r["what"]: r for r in scale.rows(_paged(2, 50, full_page=False))}
    assert table["plan page, one county: time"]["verdict"] == "MISS"
    # As many rows on both sides: the volume alone is measured, the literal row is judged.
    table = {r["what"]: r for r in scale.rows(_paged(50, 50, full_page=True))}
    assert table["plan page, one county: size"]["verdict"] == "MISS"
    # Rows not known (an answer without a pager): judged.
    table = {r["what"]: r for r in scale.rows(_paged(None, 50, full_page=True))}  # type: ignore[arg-type]
    assert table["plan page, one county: time"]["verdict"] == "MISS"


def test_rows_shown_reads_the_api_page_and_the_plan_pages_pager(coordinator):
    """`rows_shown` against the real answers: the seeded 2018 year (42 activities, one page) and
    the bench's county filter, both as many as the API counts (the page's pager, "1 rad" or
    "42 rader", is the activity list's), and the API's page of items."""
    from tests.conftest import client_for

    client = client_for(coordinator)
    base = "/planer/jamstalldhet-kvinnofrid-2018-2020/2018/"
    api = "/api/v1/plans/jamstalldhet-kvinnofrid-2018-2020/2018/activities"
    for query in ("", f"?lan={scale.COUNTY}"):
        total = client.get(f"{api}{query}").json()["total"]
        assert scale.rows_shown(client.get(f"{base}{query}").content) == total
    assert client.get(api).json()["total"] == 42
    assert scale.rows_shown(client.get(f"{api}?limit=7").content) == 7
    assert scale.rows_shown(b'{"detail": "x"}') is None
    assert scale.rows_shown(b"<html>no pager</html>") is None
