"""Issue 16, "Measured in make bench": every page and API list at the seeded volume and at national
volume, 20 concurrent clients, the result report at volume, the ledger at volume and the first seed
— each against a target, as ratios measured in the same run (the machine is shared and noisy).

    python -m bench.scale [--quick] [--database-url postgres://…] [--readme] [--ledger-entries N]
    python -m bench.scale --readme-from bench/results/2026-11-27T0300.json

What it does, in order:

1. seeds a fresh database (the first `jamkoll seed`, timed, migrations included; then a second seed
   that changes nothing, timed) and copies it twice: one copy gets the national volume
   (`jamkoll demo-volume --programmes 3 --years 3 --activities-per-county 200 --ledger-entries
   500000`), the other one full page of activities per county in 2018 and 500 ledger entries
   (`--activities-per-county 50 --ledger-entries 500`: the small side of the ledger-write ratio, and
   of the paged lists' comparison at one full page, see 3.). The
   databases are scratch PostgreSQL databases named `test_jkbench_…` beside the one in the URL
   (demo-volume only writes to test databases), dropped at the end; without PostgreSQL, SQLite files
   in temporary data directories (the concurrency figures are then not those the issue asks for).
2. generates the 2018 result report (HTML and Markdown only) in the seeded and the national
   database, so that the report version page has a version to show;
3. starts `jamkoll serve` (gunicorn, its production settings: 2 sync workers) on each database, signs
   in as the coordinator `samordnare`, and requests every page and every API list (found in the
   API's OpenAPI schema: each GET whose path takes at most the agreement's slug and a year) on both
   servers in turn: warm-up requests discarded, then repeated; median, quartiles, size. The paged
   lists (plan page, activities, outputs, ledger entries) are also compared at one full page
   (the small database, a full first page of 50) against national: the seeded year has 2 activities
   in a county and few outputs, so there the ratio also counts the rows a page shows, not only the
   volume it is drawn from. Each answer's rows are read (`rows_shown`: the API page's items, the
   page's table pager); a list whose seeded answer showed fewer rows than the national one is
   printed with both counts and judged at one full page (`_fewer_rows`);
4. 20 concurrent clients against the national server: each page's p95 against the login page's p95
   (measured before and after the pages, pooled); then the plan page again while another process
   commits a ledger entry every 2 s (each write ends every kept page: the mixed case, reported
   with the share of answers served from the page cache, no target of the issue);
5. the 2018 result report at national volume: assembly time (repeated), then the PDF rendered in a
   process of its own, with its peak memory (ru_maxrss), within a time and address-space cap;
6. one ledger write (`entry_record`) at 500 entries and at national volume, interleaved rounds;
   `jamkoll verify` against reading and hashing every ledger row in plain SQL (both as processes).

Every row is printed with its target and PASS or MISS; MISS never fails the run (exit 0), an error
of the harness itself does. The figures are written to bench/results/<date>.json and .md; `--readme`
writes the summary table into README.md between the markers BENCH_START and BENCH_END.

`--quick` (or JAMKOLL_BENCH_QUICK=1): a small national volume (2 programmes × 1 year × 10 activities
per county, 2 000 ledger entries) and fewer repeats, for development: a few minutes, not the figures
to quote.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import http.client
import json
import os
import pickle
import re
import resource
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
README = ROOT / "README.md"
BENCH_START = "<!-- BENCH_START (python -m bench.scale --readme) -->"
BENCH_END = "<!-- BENCH_END -->"

SLUG = "jamstalldhet-kvinnofrid-2018-2020"
YEAR = 2018
COUNTY = "12"  # Skåne: the county filter of the plan page
USER, PASSWORD = "samordnare", "jamkoll-samordnare"

# Targets (issue 16).
RATIO_TARGET = 1.5  # national / seeded, time and size
MIXED_WRITE_EVERY_S = 2.0
# The paged lists whose seeded answer holds fewer rows than a page: also compared at one full page.
PAGED = (
    "plan page",
    "plan page, one county",
    "API activities for a year",
    "API /plans/{slug}/{year}/outputs",
)
MIXED_PAGE = "plan page"
MIXED = f"{MIXED_PAGE}, a ledger write committed every {MIXED_WRITE_EVERY_S:.0f} s"
WRITER_LEAD_S = 8.0  # the writer process loads Django before the mixed phase starts
CONCURRENT_TARGET = 3.0  # p95 of a page / p95 of the login page under 20 clients
ASSEMBLE_TARGET_S = 5.0
PDF_TARGET_S = 30.0
PDF_MEMORY_TARGET_MB = 500.0
LEDGER_RATIO_TARGET = 1.5
VERIFY_RATIO_TARGET = 2.0
FIRST_SEED_TARGET_S = 15.0
SECOND_SEED_TARGET_S = 3.0


@dataclass(frozen=True)
class Scale:
    name: str
    programmes: int
    years: int
    per_county: int
    ledger_entries: int
    small_ledger: int
    one_page: int  # activities per county in 2018 in the small database: a full first page
    warmup: int
    repeats: int
    min_repeats: int
    url_budget_s: float  # per URL and server: stop repeating after this much (min_repeats reached)
    clients: int
    phase_s: float  # each concurrency phase runs this long
    assemble_repeats: int
    render_cap_s: float
    render_cap_mb: int
    ledger_writes: int  # per round; two rounds per database
    verify_repeats: int


FULL = Scale(
    name="national",
    programmes=3,
    years=3,
    per_county=200,
    ledger_entries=500_000,
    small_ledger=500,
    one_page=50,
    warmup=2,
    repeats=7,
    min_repeats=3,
    url_budget_s=45.0,
    clients=20,
    phase_s=20.0,
    assemble_repeats=3,
    render_cap_s=120.0,
    render_cap_mb=3072,
    ledger_writes=10,
    verify_repeats=3,
)
QUICK = Scale(
    name="quick",
    programmes=2,
    years=1,
    per_county=10,
    ledger_entries=2_000,
    small_ledger=500,
    one_page=5,
    warmup=1,
    repeats=3,
    min_repeats=2,
    url_budget_s=10.0,
    clients=20,
    phase_s=3.0,
    assemble_repeats=2,
    render_cap_s=60.0,
    render_cap_mb=3072,
    ledger_writes=4,
    verify_repeats=2,
)


# --- statistics ----------------------------------------------------------------------------------


def summary(samples: list[float]) -> dict[str, float]:
    """Median, quartiles and IQR (relative to the median, "spread") of a list of samples."""
    if not samples:
        return {"n": 0}
    s = sorted(samples)
    median = statistics.median(s)
    if len(s) >= 4:
        q1, _q2, q3 = statistics.quantiles(s, n=4, method="inclusive")
    else:
        q1, q3 = s[0], s[-1]
    return {
        "n": len(s),
        "median": median,
        "q1": q1,
        "q3": q3,
        "min": s[0],
        "max": s[-1],
        "spread": (q3 - q1) / median if median else 0.0,
    }


def p95(samples: list[float]) -> float:
    """Nearest-rank 95th percentile."""
    if not samples:
        return float("nan")
    s = sorted(samples)
    return s[max(0, min(len(s) - 1, -(-95 * len(s) // 100) - 1))]


# --- databases and processes ---------------------------------------------------------------------


@dataclass
class Database:
    label: str
    url: str  # "" for SQLite in data_dir
    data_dir: Path

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("JAMKOLL_LEDGER_")}
        env.pop("DATABASE_URL", None)
        env.update(
            JAMKOLL_DATA_DIR=str(self.data_dir),
            DJANGO_SETTINGS_MODULE="jamkoll.settings",
            PYTHONPATH=os.pathsep.join(
                filter(None, [str(ROOT / "src"), str(ROOT), os.environ.get("PYTHONPATH")])
            ),
        )
        env.pop("JAMKOLL_DEBUG", None)
        if self.url:
            env["DATABASE_URL"] = self.url
        return env


def _pg_reachable(url: str) -> bool:
    if not url.startswith("postgres"):
        return False
    try:
        import psycopg

        psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", connect_timeout=5).close()
    except Exception as exc:
        print(f"PostgreSQL cannot be reached at {url} ({type(exc).__name__}): SQLite instead")
        return False
    return True


def _pg_admin(url: str, statement: str) -> None:
    import psycopg

    base = url.rsplit("/", 1)[0]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as con:
        con.execute(statement)


def _jamkoll(db: Database, *args: str, timeout: float | None = None) -> tuple[float, str]:
    """Run `jamkoll …` on `db`: (wall seconds, output); an error of the command stops the run."""
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "jamkoll.cli", *args],
        env=db.env(),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(
            f"jamkoll {' '.join(args)} on {db.label}: exit {proc.returncode}\n{proc.stderr[-3000:]}"
        )
    return elapsed, proc.stdout + proc.stderr


def _worker(db: Database, *args: str, timeout: float | None = None, limit_mb: int = 0) -> dict[str, Any]:
    """Run a task of this module in a process of its own on `db`; its JSON answer."""

    def cap() -> None:
        if limit_mb:
            limit = limit_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    start = time.perf_counter()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "bench.scale", "--task", *args],
            env=db.env(),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            preexec_fn=cap if limit_mb else None,
        )
    except subprocess.TimeoutExpired:
        return {"error": f"more than {timeout:.0f} s", "wall": time.perf_counter() - start}
    wall = time.perf_counter() - start
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        return {"error": f"exit {proc.returncode}: {proc.stderr.strip()[-600:]}", "wall": wall}
    answer: dict[str, Any] = json.loads(lines[-1])
    answer["wall"] = wall
    return answer


@dataclass
class Setup:
    seeded: Database
    national: Database
    small_ledger: Database
    vendor: str
    first_seed_s: float = 0.0
    second_seed_s: float = 0.0
    volume_s: float = 0.0
    volume_output: str = ""
    scratch: list[str] = field(default_factory=list)
    tmp: Path = Path()


def prepare(scale: Scale, pg_url: str, keep: bool) -> Setup:
    tmp = Path(tempfile.mkdtemp(prefix="jamkoll-bench-scale-"))
    tag = f"{os.getpid()}_{uuid.uuid4().hex[:4]}"
    names = {label: f"test_jkbench_{tag}_{label}" for label in ("seeded", "national", "ledger")}
    base = pg_url.rsplit("/", 1)[0] if pg_url else ""

    def db(label: str) -> Database:
        d = tmp / label
        d.mkdir()
        return Database(label, f"{base}/{names[label]}" if pg_url else "", d)

    setup = Setup(db("seeded"), db("national"), db("ledger"), "PostgreSQL" if pg_url else "SQLite", tmp=tmp)
    if pg_url:
        _pg_admin(pg_url, f'CREATE DATABASE "{names["seeded"]}"')
        setup.scratch.append(names["seeded"])
    print(f"[bench] {setup.vendor}, scratch in {tmp}", flush=True)
    setup.first_seed_s, _ = _jamkoll(setup.seeded, "seed", timeout=900)
    setup.second_seed_s, _ = _jamkoll(setup.seeded, "seed", timeout=900)
    print(f"[bench] first seed {setup.first_seed_s:.1f} s, second {setup.second_seed_s:.1f} s", flush=True)
    users = _worker(setup.seeded, "users", timeout=600)
    if "error" in users:
        raise RuntimeError(f"demo users: {users['error']}")
    for copy in (setup.national, setup.small_ledger):
        if pg_url:
            _pg_admin(pg_url, f'CREATE DATABASE "{names[copy.label]}" TEMPLATE "{names["seeded"]}"')
            setup.scratch.append(names[copy.label])
        for item in setup.seeded.data_dir.iterdir():
            if item.is_file() and not item.name.startswith("jamkoll.sqlite3-"):
                shutil.copy2(item, copy.data_dir / item.name)
    setup.volume_s, setup.volume_output = _jamkoll(
        setup.national,
        "demo-volume",
        "--programmes",
        str(scale.programmes),
        "--years",
        str(scale.years),
        "--activities-per-county",
        str(scale.per_county),
        "--ledger-entries",
        str(scale.ledger_entries),
        timeout=3600,
    )
    print(f"[bench] national volume generated in {setup.volume_s:.1f} s", flush=True)
    _jamkoll(
        setup.small_ledger,
        "demo-volume",
        "--programmes",
        "1",
        "--years",
        "1",
        "--activities-per-county",
        str(scale.one_page),
        "--ledger-entries",
        str(scale.small_ledger),
        timeout=600,
    )
    return setup


def cleanup(setup: Setup, pg_url: str, keep: bool) -> None:
    if keep:
        print(f"[bench] kept: {setup.tmp} and databases {setup.scratch}")
        return
    for name in setup.scratch:
        with contextlib.suppress(Exception):
            _pg_admin(pg_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    shutil.rmtree(setup.tmp, ignore_errors=True)


# --- HTTP ----------------------------------------------------------------------------------------


@dataclass
class Answer:
    status: int
    seconds: float
    size: int
    error: str = ""
    cache: str = ""  # the page cache's X-JamKoll-Cache header: hit, miss or nothing
    rows: int | None = None  # the rows a paged list showed (`rows_shown`), None for any other answer


_PAGER = re.compile(r'role="status">\s*(?:Rad\s+(\d+)\s*–\s*(\d+)\s+av|(\d+)\s+rad(?:er)?\b)')


def rows_shown(body: bytes) -> int | None:
    """The rows a paged list's answer shows: an API page's `items`, or the first table pager of a
    page ("Rad 1–50 av 37842", or "2 rader" when the list fits one page); None for any other answer."""
    if body[:1] == b"{":
        try:
            items = json.loads(body).get("items")
        except (ValueError, AttributeError):
            return None
        return len(items) if isinstance(items, list) else None
    match = _PAGER.search(body.decode("utf-8", "replace"))
    if match is None:
        return None
    first, last, whole = match.groups()
    return int(whole) if whole is not None else int(last) - int(first) + 1


class Server:
    """`jamkoll serve` (gunicorn) on one database, and a signed-in session on it."""

    def __init__(self, db: Database):
        self.db = db
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        env = db.env()
        env.update(JAMKOLL_SECRET_KEY=secrets.token_urlsafe(50), JAMKOLL_SECURE_COOKIES="0")
        self.log = open(db.data_dir / "server.log", "w")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "jamkoll.cli", "serve", "--bind", f"127.0.0.1:{self.port}"],
            env=env,
            cwd=ROOT,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self.cookie = ""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server on {db.label} stopped: see {db.data_dir / 'server.log'}")
            with contextlib.suppress(OSError):
                if self.get("/healthz").status == 200:
                    return
            time.sleep(0.3)
        raise RuntimeError(f"the server on {db.label} did not answer within 60 s")

    def stop(self) -> None:
        self.process.send_signal(signal.SIGQUIT)  # gunicorn's quick shutdown: no waiting for requests
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        timeout: float = 120.0,
    ) -> tuple[int, dict[str, str], bytes]:
        con = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            con.request(method, path, body=body, headers=headers or {})
            response = con.getresponse()
            data = response.read()
            cookies = [v for k, v in response.getheaders() if k.lower() == "set-cookie"]
            head = {k.lower(): v for k, v in response.getheaders()}
            head["set-cookie"] = "\n".join(cookies)
            return response.status, head, data
        finally:
            con.close()

    def get(self, path: str, *, signed_in: bool = False, timeout: float = 120.0) -> Answer:
        headers = {"Cookie": self.cookie} if signed_in and self.cookie else {}
        start = time.perf_counter()
        try:
            status, head, data = self.request("GET", path, headers=headers, timeout=timeout)
        except (OSError, http.client.HTTPException) as exc:
            return Answer(0, time.perf_counter() - start, 0, f"{type(exc).__name__}: {exc}")
        return Answer(
            status,
            time.perf_counter() - start,
            len(data),
            cache=head.get("x-jamkoll-cache", ""),
            rows=rows_shown(data) if status == 200 else None,
        )

    def sign_in(self) -> None:
        status, head, data = self.request("GET", "/logga-in/")
        jar = dict(re.findall(r"^([^=;\s]+)=([^;]*)", head["set-cookie"], re.M))
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', data)
        if status != 200 or not token:
            raise RuntimeError(f"login page on {self.db.label}: {status}")
        form = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token.group(1).decode(), "username": USER, "password": PASSWORD}
        ).encode()
        status, head, _ = self.request(
            "POST",
            "/logga-in/",
            body=form,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items()),
                "Referer": f"http://127.0.0.1:{self.port}/logga-in/",
            },
        )
        jar.update(dict(re.findall(r"^([^=;\s]+)=([^;]*)", head["set-cookie"], re.M)))
        if status != 302 or "sessionid" not in jar:
            raise RuntimeError(f"signing in as {USER} on {self.db.label} failed ({status})")
        self.cookie = "; ".join(f"{k}={v}" for k, v in jar.items())


# --- what is measured ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    name: str
    path: str  # "{version}" is replaced per database by the result-2018 version's primary key
    signed_in: bool = True
    page: bool = True  # a page (also under 20 clients), or an API list


def pages() -> list[Target]:
    return [
        Target("plan page", f"/planer/{SLUG}/{YEAR}/"),
        Target("plan page, one county", f"/planer/{SLUG}/{YEAR}/?lan={COUNTY}"),
        Target("API activities for a year", f"/api/v1/plans/{SLUG}/{YEAR}/activities"),
        Target("report version page (result 2018)", "/rapporter/{version}/"),
        Target("deadline calendar for a year", f"/tidsfrister/{SLUG}/{YEAR}/"),
        Target("programme page (anonymous)", "/satsningar/{programme}/", signed_in=False),
    ]


LOGIN = Target("login page (trivial view)", "/logga-in/", signed_in=False)
FALLBACK_API = [
    "/api/v1/organisations",
    "/api/v1/programmes",
    "/api/v1/obligations?year={year}",
    "/api/v1/reports",
    "/api/v1/users",
    "/api/v1/ledger/{slug}/{year}/entries",
    "/api/v1/plans/{slug}/{year}/outputs",
]


def api_lists(server: Server) -> list[Target]:
    """Every GET of the API whose path takes at most the agreement's slug and a year and does not
    end in an identifier (an item, not a list); the activities list is among the pages."""
    status, _head, data = server.request("GET", "/api/v1/openapi.json", headers={"Cookie": server.cookie})
    paths: list[str] = []
    if status == 200:
        schema = json.loads(data)
        for path, operations in schema.get("paths", {}).items():
            op = operations.get("get")
            if not op or path.endswith("{slug}"):
                continue
            params = op.get("parameters", [])
            in_path = {p["name"] for p in params if p.get("in") == "path"}
            required = {p["name"] for p in params if p.get("in") == "query" and p.get("required")}
            if not in_path <= {"slug", "year"} or required - {"year"}:
                continue
            takes_year = any(p["name"] == "year" and p.get("in") == "query" for p in params)
            paths.append(path + ("?year={year}" if takes_year else ""))
    else:
        print(f"[bench] no OpenAPI schema ({status}): a fixed list of API lists")
        paths = FALLBACK_API
    done = {t.path for t in pages()}
    out = []
    for path in paths:
        concrete = path.replace("{slug}", SLUG).replace("{year}", str(YEAR))
        if concrete not in done:
            out.append(Target(f"API {path.removeprefix('/api/v1')}", concrete, page=False))
    return out


def _resolve(target: Target, names: dict[str, str]) -> str:
    return target.path.format(**names) if "{" in target.path else target.path


def uncached(path: str, n: int | str) -> str:
    """`path` with a query parameter no view reads, new for each request: the page cache
    (jamkoll.web.page_cache) keeps answers by their address, so each request is assembled anew,
    as the first read after a write is. The concurrent phases read the plain address."""
    return f"{path}{'&' if '?' in path else '?'}uncached={n}"


def sequential(
    scale: Scale, targets: list[Target], servers: dict[str, Server], names: dict[str, dict[str, str]]
) -> dict[str, dict[str, Any]]:
    """Each target on each server in turn (in the order of `servers`), never from the page cache
    (`uncached`): warm-up discarded, then
    `repeats` samples, fewer (not under `min_repeats`) once a target has used its time budget."""
    figures: dict[str, dict[str, Any]] = {}
    for target in targets:
        samples: dict[str, list[float]] = {label: [] for label in servers}
        sizes: dict[str, list[int]] = {label: [] for label in servers}
        errors: dict[str, list[str]] = {label: [] for label in servers}
        shown: dict[str, int | None] = dict.fromkeys(servers)
        spent = dict.fromkeys(servers, 0.0)
        # New addresses in every call: a server measured twice (the national one, against the
        # seeded and then the small database) would otherwise answer the second time from its
        # page cache. An answer from the cache is counted as an error of the figure.
        nonce = secrets.token_hex(4)
        for i in range(scale.warmup + scale.repeats):
            for label, server in servers.items():
                path = uncached(_resolve(target, names[label]), f"{nonce}-{i}")
                answer = server.get(path, signed_in=target.signed_in)
                spent[label] += answer.seconds
                if answer.status != 200:
                    errors[label].append(answer.error or f"HTTP {answer.status}")
                elif answer.cache == "hit":
                    errors[label].append("served from the page cache")
                if i >= scale.warmup:
                    samples[label].append(answer.seconds)
                    sizes[label].append(answer.size)
                    shown[label] = answer.rows if answer.rows is not None else shown[label]
            if i + 1 >= scale.warmup + scale.min_repeats and max(spent.values()) > scale.url_budget_s:
                break
        figures[target.name] = {
            "path": target.path,
            "page": target.page,
            **{
                label: {
                    "time": summary(samples[label]),
                    "size": int(statistics.median(sizes[label])) if sizes[label] else 0,
                    "rows": shown[label],
                    "errors": errors[label][:3],
                    "error_count": len(errors[label]),
                }
                for label in servers
            },
        }
        line = "  ".join(
            f"{label} {figures[target.name][label]['time'].get('median', 0) * 1000:.0f} ms "
            f"{figures[target.name][label]['size'] / 1024:.0f} KB"
            + (f" ({len(errors[label])} errors)" if errors[label] else "")
            for label in servers
        )
        print(f"[bench] {target.name}: {line}", flush=True)
    return figures


def concurrent_phase(
    server: Server, path: str, *, signed_in: bool, clients: int, seconds: float, not_before: float = 0.0
) -> dict[str, Any]:
    """`clients` threads request `path` back to back for `seconds` (each at least once), from the
    wall-clock time `not_before` on (now when it has passed)."""
    latencies: list[float] = []
    errors: list[str] = []
    hits = [0]
    lock = threading.Lock()
    time.sleep(max(0.0, not_before - time.time()))
    deadline = time.monotonic() + seconds
    start_gate = threading.Barrier(clients)

    def client() -> None:
        start_gate.wait()
        first = True
        while first or time.monotonic() < deadline:
            first = False
            answer = server.get(path, signed_in=signed_in, timeout=60.0)
            with lock:
                if answer.status == 200:
                    latencies.append(answer.seconds)
                    hits[0] += answer.cache == "hit"
                else:
                    errors.append(answer.error or f"HTTP {answer.status}")

    started = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # A failed request counts as the slowest possible answer in the percentile.
    pooled = latencies + [float("inf")] * len(errors)
    return {
        "requests": len(pooled),
        "errors": len(errors),
        "error_samples": sorted(set(errors))[:3],
        "p95": p95(pooled),
        "median": statistics.median(latencies) if latencies else float("nan"),
        "seconds": time.monotonic() - started,
        "hits": hits[0],
        "latencies": latencies,
    }


def concurrency(scale: Scale, db: Database, names: dict[str, str]) -> dict[str, Any]:
    """Each phase on a server of its own: a phase whose requests time out leaves gunicorn a backlog
    of abandoned requests that would otherwise be served during the next phase (and fail it)."""
    phases: dict[str, Any] = {}

    def run(target: Target, key: str, *, writes_every: float = 0.0) -> None:
        server = Server(db)
        writer: threading.Thread | None = None
        written: dict[str, Any] = {}
        try:
            server.sign_in()
            for _ in range(2):  # both workers past their first request
                server.get(LOGIN.path)
            start = 0.0
            if writes_every:
                # Another process commits a ledger entry every `writes_every` seconds while the
                # clients read: each commit changes the page generation, so the next read of every
                # kept page is assembled anew (the mixed case of a working day). Both start at the
                # same wall-clock moment, once the writer has had time to load Django.
                start = time.time() + WRITER_LEAD_S
                end = start + scale.phase_s

                def trickle() -> None:
                    written.update(
                        _worker(
                            db,
                            "trickle",
                            repr(start),
                            repr(end),
                            str(writes_every),
                            timeout=WRITER_LEAD_S + scale.phase_s + 120,
                        )
                    )

                writer = threading.Thread(target=trickle)
                writer.start()
            phases[key] = concurrent_phase(
                server,
                _resolve(target, names),
                signed_in=target.signed_in,
                clients=scale.clients,
                seconds=scale.phase_s,
                not_before=start,
            )
        finally:
            if writer is not None:
                writer.join()
            server.stop()
        ph = phases[key]
        if writes_every:
            ph["writes"] = written.get("writes", 0)
            ph["refused"] = written.get("refused", 0)
            ph["write_error"] = written.get("error", "") or (
                "the writer started late" if written.get("started_late") else ""
            )
        print(
            f"[bench] {scale.clients} clients, {key}: p95 {ph['p95'] * 1000:.0f} ms over {ph['requests']} "
            f"requests, {ph['errors']} errors, {ph['hits']} from the page cache"
            + (f", {ph['writes']} writes" if writes_every else ""),
            flush=True,
        )

    run(LOGIN, "login (before)")
    for target in pages():
        run(target, target.name)
    run(next(t for t in pages() if t.name == MIXED_PAGE), MIXED, writes_every=MIXED_WRITE_EVERY_S)
    run(LOGIN, "login (after)")
    login = phases["login (before)"]["latencies"] + phases["login (after)"]["latencies"]
    login_errors = phases["login (before)"]["errors"] + phases["login (after)"]["errors"]
    phases["login"] = {
        "p95": p95(login + [float("inf")] * login_errors),
        "requests": len(login) + login_errors,
    }
    for phase in phases.values():
        phase.pop("latencies", None)
    return phases


# --- tasks run inside a process of their own on one database (`--task …`) -------------------------


def _django() -> None:
    import django

    django.setup()


def task_prepare() -> dict[str, Any]:
    """The 2018 result report (HTML and Markdown) as a version; the programme's slug."""
    _django()
    from django.contrib.auth import get_user_model

    from jamkoll.programmes.selectors import decision_get
    from jamkoll.reports.models import ReportVersion
    from jamkoll.reports.services import report_generate

    decision = decision_get(slug=SLUG)
    version = (
        ReportVersion.objects.filter(kind="result", decision=decision, year=YEAR).order_by("-version").first()
    )
    start = time.perf_counter()
    if version is None:
        actor = get_user_model().objects.get(username=USER)
        version = report_generate(
            actor=actor, kind="result", decision=decision, year=YEAR, formats=("html", "md")
        )
    return {
        "version": str(version.pk),
        "programme": decision.programme.slug,
        "generate_s": time.perf_counter() - start,
    }


def task_users() -> dict[str, Any]:
    """The demo users (the coordinator signs in); the seed does not create them."""
    _django()
    from jamkoll.accounts.services import demo_users_create

    return {"users": len(demo_users_create())}


def task_counts() -> dict[str, Any]:
    _django()
    from jamkoll.ledger.models import LedgerEntry
    from jamkoll.plans.models import Activity, Output

    return {
        "activities": Activity.objects.count(),
        "outputs": Output.objects.count(),
        "ledger_entries": LedgerEntry.objects.count(),
    }


def task_assemble(repeats: str, out: str) -> dict[str, Any]:
    """The 2018 result report assembled `repeats` times (the first is a warm-up when repeats > 1)."""
    _django()
    from jamkoll.reports.assemblers import assemble

    times = []
    document = None
    for _ in range(int(repeats)):
        start = time.perf_counter()
        document = assemble(kind="result", decision_slug=SLUG, year=YEAR)
        times.append(time.perf_counter() - start)
    Path(out).write_bytes(pickle.dumps(document))
    blocks = sum(len(s.blocks) for s in document.sections) if document else 0
    return {"times": times[1:] if len(times) > 1 else times, "blocks": blocks}


def task_render(path: str) -> dict[str, Any]:
    """The PDF of a pickled document, in this process: seconds and peak resident memory."""
    _django()
    from jamkoll.reports.renderers import render

    document = pickle.loads(Path(path).read_bytes())
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    start = time.perf_counter()
    pdf = render(document, "pdf")
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "peak_mb": peak, "before_mb": before, "bytes": len(pdf)}


def _requisitions(prefix: str) -> Callable[[int], bool]:
    """A writer of 1 kr requisitions for the agreement's 2018 at the state tier through
    `entry_record`, each committed on its own: `write(i)` is True when recorded, False when refused."""
    from django.core.exceptions import ValidationError

    from jamkoll.accounts.policy import operator
    from jamkoll.ledger.services import entry_record
    from jamkoll.programmes.selectors import decision_get

    actor = operator("bench")
    decision = decision_get(slug=SLUG)
    tag = uuid.uuid4().hex[:6]

    def write(i: int) -> bool:
        try:
            entry_record(
                actor=actor,
                decision=decision,
                year=YEAR,
                kind="requisition",
                amount="1.00",
                reference=f"{prefix}-{tag}-{i}",
            )
        except ValidationError:
            return False
        return True

    return write


def task_ledger_write(count: str, warmup: str) -> dict[str, Any]:
    """`count` ledger writes (`_requisitions`) after `warmup` discarded ones."""
    _django()
    from jamkoll.ledger.models import LedgerEntry

    write = _requisitions("BENCH")
    times, refused = [], 0
    for i in range(int(warmup) + int(count)):
        start = time.perf_counter()
        refused += not write(i)
        if i >= int(warmup):
            times.append(time.perf_counter() - start)
    return {"times": times, "refused": refused, "entries": LedgerEntry.objects.count()}


def task_trickle(start: str, end: str, every: str) -> dict[str, Any]:
    """From the wall-clock time `start` to `end`, a ledger write (`_requisitions`) every `every`
    seconds: the writes of the mixed concurrency phase (a write ending after `end` is not counted)."""
    _django()
    write = _requisitions("BENCH-MIXED")
    time.sleep(max(0.0, float(start) - time.time()))
    started_late = time.time() > float(start) + 1.0  # Django took longer to load than the lead
    writes = refused = late = 0
    while time.time() < float(end):
        done = write(writes + refused + late)
        if time.time() >= float(end):
            late += 1
        elif done:
            writes += 1
        else:
            refused += 1
        time.sleep(float(every))
    return {"writes": writes, "refused": refused, "late": late, "started_late": started_late}


def task_raw_hash() -> dict[str, Any]:
    """The baseline of `verify`: read every ledger row in plain SQL and hash each (SHA-256)."""
    _django()
    from django.db import connection, transaction

    from jamkoll.ledger.models import LedgerEntry

    table = LedgerEntry._meta.db_table
    digest, rows = hashlib.sha256(), 0
    start = time.perf_counter()
    with transaction.atomic(), connection.chunked_cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} ORDER BY sequence")
        while batch := cursor.fetchmany(5000):
            for row in batch:
                digest.update(hashlib.sha256("|".join(map(str, row)).encode()).digest())
                rows += 1
    return {"seconds": time.perf_counter() - start, "rows": rows}


TASKS: dict[str, Callable[..., dict[str, Any]]] = {
    "prepare": task_prepare,
    "counts": task_counts,
    "users": task_users,
    "assemble": task_assemble,
    "render": task_render,
    "ledger-write": task_ledger_write,
    "raw-hash": task_raw_hash,
    "trickle": task_trickle,
}


# --- the report, the ledger, verify --------------------------------------------------------------


def report_at_volume(scale: Scale, setup: Setup) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for db in (setup.seeded, setup.national):
        pickled = db.data_dir / "result-2018.pickle"
        assembled = _worker(db, "assemble", str(scale.assemble_repeats + 1), str(pickled), timeout=1800)
        rendered = (
            _worker(db, "render", str(pickled), timeout=scale.render_cap_s, limit_mb=scale.render_cap_mb)
            if "error" not in assembled
            else {"error": "not assembled"}
        )
        out[db.label] = {"assemble": assembled, "pdf": rendered}
        print(
            f"[bench] result report 2018 ({db.label}): assemble "
            f"{summary(assembled.get('times', [])).get('median', float('nan')):.2f} s, PDF "
            f"{rendered.get('seconds', float('nan')):.1f} s, "
            f"peak {rendered.get('peak_mb', float('nan')):.0f} MB"
            + (f" ({rendered['error'][:200]})" if "error" in rendered else ""),
            flush=True,
        )
    return out


def ledger_at_volume(scale: Scale, setup: Setup) -> dict[str, Any]:
    small: list[float] = []
    large: list[float] = []
    refused = 0
    for _round in range(2):
        for db, bucket in ((setup.small_ledger, small), (setup.national, large)):
            answer = _worker(db, "ledger-write", str(scale.ledger_writes), "3", timeout=900)
            if "error" in answer:
                raise RuntimeError(f"ledger write on {db.label}: {answer['error']}")
            bucket.extend(answer["times"])
            refused += answer["refused"]
    verify: list[float] = []
    raw: list[float] = []
    rows = 0
    for _ in range(scale.verify_repeats):
        seconds, _output = _jamkoll(setup.national, "verify", "--quiet", timeout=1800)
        verify.append(seconds)
        answer = _worker(setup.national, "raw-hash", timeout=1800)
        if "error" in answer:
            raise RuntimeError(f"raw read-and-hash: {answer['error']}")
        raw.append(answer["wall"])
        rows = answer["rows"]
    figures: dict[str, Any] = {
        "write_small": summary(small),
        "write_large": summary(large),
        "refused": refused,
        "verify": summary(verify),
        "raw_hash": summary(raw),
        "rows": rows,
    }
    print(
        f"[bench] ledger write: {figures['write_small']['median'] * 1000:.1f} ms (small) vs "
        f"{figures['write_large']['median'] * 1000:.1f} ms ({rows} entries); verify "
        f"{figures['verify']['median']:.2f} s vs raw {figures['raw_hash']['median']:.2f} s",
        flush=True,
    )
    return figures


# --- the table -----------------------------------------------------------------------------------


def _ms(s: dict[str, Any]) -> str:
    if not s.get("n"):
        return "–"
    return f"{s['median'] * 1000:.0f} ms ±{s['spread'] * 100:.0f}%"


def _kb(n: int) -> str:
    return f"{n / 1024:.0f} KB" if n >= 1024 else f"{n} B"


def _verdict(ok: bool | None) -> str:
    return "–" if ok is None else ("PASS" if ok else "MISS")


def _fewer_rows(name: str, fig: dict[str, Any], sequential: dict[str, Any]) -> bool:
    """A paged list whose seeded answer showed fewer rows than its national one, and which was
    measured again at one full page (that row then carries the target)."""
    s_rows, n_rows = fig["seeded"].get("rows"), fig["national"].get("rows")
    return (
        name in PAGED
        and f"{name} (one full page vs national)" in sequential
        and s_rows is not None
        and n_rows is not None
        and s_rows < n_rows
    )


def rows(results: dict[str, Any]) -> list[dict[str, str]]:
    """The summary table: one row per figure, its target and PASS or MISS."""
    out: list[dict[str, str]] = []

    def add(what: str, seeded: str, national: str, ratio: str, target: str, ok: bool | None) -> None:
        out.append(
            {
                "what": what,
                "seeded": seeded,
                "national": national,
                "ratio": ratio,
                "target": target,
                "verdict": _verdict(ok),
            }
        )

    for name, fig in results.get("sequential", {}).items():
        s, n = fig["seeded"], fig["national"]
        errors = s["error_count"] + n["error_count"]
        if not s["time"].get("n") or not n["time"].get("n"):
            add(name, "–", "–", "–", f"≤ {RATIO_TARGET}", False)
            continue
        t_ratio = n["time"]["median"] / s["time"]["median"]
        b_ratio = n["size"] / s["size"] if s["size"] else float("inf")
        note = f" ({errors} errors)" if errors else ""
        refused = (
            s["errors"][:1] == n["errors"][:1]
            and s["error_count"] >= s["time"]["n"]
            and n["error_count"] >= n["time"]["n"]
        )
        if refused and s["errors"] and s["errors"][0].startswith("HTTP 4"):
            # Every answer the same refusal on both (the coordinator may not see the list): no figure.
            add(
                f"{name} ({s['errors'][0]} for the coordinator)",
                _ms(s["time"]),
                _ms(n["time"]),
                f"{t_ratio:.2f}",
                "",
                None,
            )
            continue
        size_ok: bool | None = b_ratio <= RATIO_TARGET and not errors
        time_ok: bool | None = t_ratio <= RATIO_TARGET and not errors
        goal = f"≤ {RATIO_TARGET}"
        if s["size"] <= 2 and n["size"] > s["size"]:
            size_ok, name = None, f"{name} (empty at the seeded volume)"
        elif _fewer_rows(name, fig, results["sequential"]):
            # The seeded answer shows fewer rows than the national page: its ratio counts the rows
            # shown as well as the volume. The same list at one full page carries the target.
            time_ok = size_ok = None if not errors else False
            name = f"{name} ({s['rows']} vs {n['rows']} rows shown)"
            goal = "at one full page"
        add(f"{name}: time{note}", _ms(s["time"]), _ms(n["time"]), f"{t_ratio:.2f}", goal, time_ok)
        add(f"{name}: size", _kb(s["size"]), _kb(n["size"]), f"{b_ratio:.2f}", goal, size_ok)
    conc = results.get("concurrency", {})
    if conc:
        login = conc["login"]["p95"]
        for target in pages():
            ph = conc.get(target.name)
            if not ph:
                continue
            ratio = ph["p95"] / login if login else float("inf")
            served = ph["requests"] - ph["errors"]
            add(
                f"{target.name}: p95, {results['scale']['clients']} clients"
                + (f" ({ph['errors']} errors)" if ph["errors"] else ""),
                "",
                (
                    f"{ph['p95'] * 1000:.0f} ms"
                    if ph["p95"] != float("inf")
                    else f"failed ({ph['errors']} of {ph['requests']})"
                )
                + f" (login {login * 1000:.0f} ms)"
                # The plain address: twenty users re-reading the same page, so mostly the page cache.
                + (f"; {ph['hits'] / served:.0%} from the page cache" if served and "hits" in ph else ""),
                f"{ratio:.2f}",
                f"≤ {CONCURRENT_TARGET}",
                ratio <= CONCURRENT_TARGET,
            )
        mixed = conc.get(MIXED)
        if mixed:
            served = mixed["requests"] - mixed["errors"]
            share = mixed.get("hits", 0) / served if served else 0.0
            add(
                f"{MIXED}: p95, {results['scale']['clients']} clients (no target in the issue)"
                + (f" ({mixed['errors']} errors)" if mixed["errors"] else ""),
                "",
                f"{mixed['p95'] * 1000:.0f} ms (login {login * 1000:.0f} ms); "
                f"{mixed.get('writes', 0)} writes"
                + (f" ({mixed['refused']} refused)" if mixed.get("refused") else "")
                + (f" (writer: {mixed['write_error'][:80]})" if mixed.get("write_error") else "")
                + f", {share:.0%} of {served} answers from the page cache",
                f"{mixed['p95'] / login:.2f}" if login else "–",
                "",
                None,
            )
    rep = results.get("report", {})
    if rep:
        s, n = rep["seeded"], rep["national"]
        sa, na = summary(s["assemble"].get("times", [])), summary(n["assemble"].get("times", []))
        add(
            "result report 2018: assembly",
            f"{sa['median']:.2f} s" if sa.get("n") else "error",
            f"{na['median']:.2f} s ±{na['spread'] * 100:.0f}%"
            if na.get("n")
            else n["assemble"].get("error", "error")[:60],
            "",
            f"< {ASSEMBLE_TARGET_S:.0f} s",
            bool(na.get("n")) and na["median"] < ASSEMBLE_TARGET_S,
        )
        sp, np_ = s["pdf"], n["pdf"]
        add(
            "result report 2018: PDF",
            f"{sp['seconds']:.1f} s" if "seconds" in sp else "error",
            f"{np_['seconds']:.1f} s" if "seconds" in np_ else np_.get("error", "error")[:60],
            "",
            f"< {PDF_TARGET_S:.0f} s",
            "seconds" in np_ and np_["seconds"] < PDF_TARGET_S,
        )
        add(
            "result report 2018: PDF peak memory",
            f"{sp['peak_mb']:.0f} MB" if "peak_mb" in sp else "error",
            f"{np_['peak_mb']:.0f} MB" if "peak_mb" in np_ else np_.get("error", "error")[:60],
            "",
            f"< {PDF_MEMORY_TARGET_MB:.0f} MB",
            "peak_mb" in np_ and np_["peak_mb"] < PDF_MEMORY_TARGET_MB,
        )
    led = results.get("ledger", {})
    if led:
        ratio = led["write_large"]["median"] / led["write_small"]["median"]
        add(
            f"one ledger write ({results['counts']['ledger']['ledger_entries']} vs {led['rows']} entries)",
            _ms(led["write_small"]),
            _ms(led["write_large"]),
            f"{ratio:.2f}",
            f"≤ {LEDGER_RATIO_TARGET}",
            ratio <= LEDGER_RATIO_TARGET,
        )
        ratio = led["verify"]["median"] / led["raw_hash"]["median"]
        add(
            f"verify vs reading and hashing every row ({led['rows']} entries)",
            f"raw {led['raw_hash']['median']:.2f} s",
            f"{led['verify']['median']:.2f} s ±{led['verify']['spread'] * 100:.0f}%",
            f"{ratio:.2f}",
            f"≤ {VERIFY_RATIO_TARGET}",
            ratio <= VERIFY_RATIO_TARGET,
        )
    seed = results.get("seed", {})
    if seed:
        add(
            f"first jamkoll seed ({results['vendor']})",
            f"{seed['first_s']:.1f} s",
            "",
            "",
            f"< {FIRST_SEED_TARGET_S:.0f} s",
            seed["first_s"] < FIRST_SEED_TARGET_S,
        )
        add(
            "second jamkoll seed (nothing changes)",
            f"{seed['second_s']:.1f} s",
            "",
            "",
            f"< {SECOND_SEED_TARGET_S:.0f} s",
            seed["second_s"] < SECOND_SEED_TARGET_S,
        )
    return out


def markdown(results: dict[str, Any]) -> str:
    sc = results["scale"]
    counts = results.get("counts", {})
    head = (
        f"`make bench` ({results['when']}, {results['vendor']}, scale `{sc['name']}`: national volume = "
        f"{sc['programmes']} programmes × {sc['years']} years × {sc['per_county']} activities per county, "
        f"{sc['ledger_entries']} ledger entries; "
        f"{counts.get('national', {}).get('activities', '?')} activities against "
        f"{counts.get('seeded', {}).get('activities', '?')} seeded and "
        f"{counts.get('ledger', {}).get('activities', '?')} in the small database of the rows marked "
        '"one full page" or "small ledger"). Times: median ±IQR/median of '
        f"repeated runs, warm-up discarded; ratio = national / seeded (or / small).\n\n"
    )
    table = ["| what | seeded | national | ratio | target | |", "|---|---|---|---|---|---|"]
    for r in rows(results):
        table.append(
            "| "
            + " | ".join(r[c] for c in ("what", "seeded", "national", "ratio", "target", "verdict"))
            + " |"
        )
    verdicts = [r["verdict"] for r in rows(results)]
    tail = f"\n\n{verdicts.count('PASS')} PASS, {verdicts.count('MISS')} MISS.\n"
    return head + "\n".join(table) + tail


def plain(results: dict[str, Any]) -> str:
    table = rows(results)
    cols = ["what", "seeded", "national", "ratio", "target", "verdict"]
    widths = (
        {c: max(len(c), *(len(r[c]) for r in table)) for c in cols} if table else {c: len(c) for c in cols}
    )
    line = "  ".join(c.ljust(widths[c]) for c in cols)
    out = [line, "-" * len(line)]
    out += ["  ".join(r[c].ljust(widths[c]) for c in cols) for r in table]
    verdicts = [r["verdict"] for r in table]
    out.append(f"{verdicts.count('PASS')} PASS, {verdicts.count('MISS')} MISS (targets of issue 16)")
    return "\n".join(out)


def readme_write(results: dict[str, Any], readme: Path = README) -> None:
    """The summary table into the README between the markers (appended with them when missing)."""
    text = readme.read_text(encoding="utf-8")
    block = f"{BENCH_START}\n{markdown(results)}{BENCH_END}"
    if BENCH_START in text and BENCH_END in text:
        before, rest = text.split(BENCH_START, 1)
        _old, after = rest.split(BENCH_END, 1)
        text = before + block + after
    else:
        text = text.rstrip("\n") + "\n\n## Mätningar i nationell skala (issue 16)\n\n" + block + "\n"
    readme.write_text(text, encoding="utf-8")


def _finite(obj: Any) -> Any:
    """JSON without Infinity/NaN (null instead)."""
    if isinstance(obj, float):
        return obj if obj == obj and obj not in (float("inf"), float("-inf")) else None
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_finite(v) for v in obj]
    return obj


def save(results: dict[str, Any], results_dir: Path = RESULTS) -> tuple[Path, Path]:
    results_dir.mkdir(parents=True, exist_ok=True)
    stem = f"{results['when'][:10]}-{results['scale']['name']}"
    json_path, md_path = results_dir / f"{stem}.json", results_dir / f"{stem}.md"
    json_path.write_text(json.dumps(_finite(results), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    md_path.write_text(markdown(results), encoding="utf-8")
    return json_path, md_path


def _restore(obj: Any) -> Any:
    """Null p95s (a run where every request failed) back to infinity."""
    if isinstance(obj, dict):
        return {
            k: (float("inf") if v is None and k in {"p95", "median"} else _restore(v)) for k, v in obj.items()
        }
    if isinstance(obj, list):
        return [_restore(v) for v in obj]
    return obj


# --- main ----------------------------------------------------------------------------------------


def run(scale: Scale, pg_url: str, *, keep: bool = False) -> dict[str, Any]:
    results: dict[str, Any] = {
        "when": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "scale": asdict(scale),
        "vendor": "PostgreSQL" if pg_url else "SQLite",
        "machine": {"cpus": os.cpu_count(), "load": os.getloadavg()},
    }
    setup = prepare(scale, pg_url, keep)
    servers: dict[str, Server] = {}
    try:
        results["seed"] = {
            "first_s": setup.first_seed_s,
            "second_s": setup.second_seed_s,
            "volume_s": setup.volume_s,
        }
        names: dict[str, dict[str, str]] = {}
        results["counts"] = {}
        for db in (setup.seeded, setup.national, setup.small_ledger):
            results["counts"][db.label] = _worker(db, "counts", timeout=600)
        results["counts"]["ledger"] = results["counts"].pop(setup.small_ledger.label)
        for db in (setup.seeded, setup.national):
            prepared = _worker(db, "prepare", timeout=1800)
            if "error" in prepared:
                raise RuntimeError(f"the 2018 result report on {db.label}: {prepared['error']}")
            names[db.label] = {"version": prepared["version"], "programme": prepared["programme"]}
            results.setdefault("prepare", {})[db.label] = prepared
        for db in (setup.seeded, setup.national):
            servers[db.label] = Server(db)
            servers[db.label].sign_in()
        targets = pages() + api_lists(servers["seeded"])
        results["sequential"] = sequential(scale, targets, servers, names)
        servers.pop("seeded").stop()
        # The seeded year has no ledger entries: its entries list is compared at the small
        # database's volume (the ledger write's baseline) instead, against the national one. The
        # other paged lists show fewer rows than a page at the seeded volume (2 activities in a
        # county): they are compared again at one full page, so that the ratio counts volume alone.
        servers["seeded"] = Server(setup.small_ledger)
        servers["seeded"].sign_in()
        entries = [t for t in targets if t.path.endswith("/entries") and "/ledger/" in t.path]
        for name, figure in sequential(scale, entries, servers, {"seeded": {}, "national": {}}).items():
            results["sequential"].pop(name, None)
            results["sequential"][f"{name} (small ledger vs national)"] = figure
        paged = [t for t in targets if t.name in PAGED]
        for name, figure in sequential(scale, paged, servers, {"seeded": {}, "national": {}}).items():
            results["sequential"][f"{name} (one full page vs national)"] = figure
        servers.pop("seeded").stop()
        servers.pop("national").stop()
        results["concurrency"] = concurrency(scale, setup.national, names["national"])
        results["report"] = report_at_volume(scale, setup)
        results["ledger"] = ledger_at_volume(scale, setup)
    finally:
        for server in servers.values():
            server.stop()
        cleanup(setup, pg_url, keep)
    results["machine"]["load_after"] = os.getloadavg()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument(
        "--quick", action="store_true", default=os.environ.get("JAMKOLL_BENCH_QUICK", "") not in ("", "0")
    )
    parser.add_argument(
        "--database-url", default=os.environ.get("JAMKOLL_BENCH_PG_URL") or os.environ.get("DATABASE_URL", "")
    )
    parser.add_argument(
        "--ledger-entries", type=int, default=None, help="national ledger entries (500 000; quick 2 000)"
    )
    parser.add_argument("--readme", action="store_true", help="write the summary table into README.md")
    parser.add_argument("--readme-from", type=Path, help="only write README.md's table from a saved JSON")
    parser.add_argument("--results-dir", type=Path, default=RESULTS)
    parser.add_argument("--keep", action="store_true", help="keep the scratch databases and directories")
    parser.add_argument("--task", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.task:
        name, *rest = args.task
        print(json.dumps(_finite(TASKS[name](*rest))))
        return 0
    if args.readme_from:
        readme_write(_restore(json.loads(args.readme_from.read_text(encoding="utf-8"))))
        print(f"README.md: the table of {args.readme_from}")
        return 0
    scale = QUICK if args.quick else FULL
    if args.ledger_entries is not None:
        scale = Scale(**{**asdict(scale), "ledger_entries": args.ledger_entries})
    pg_url = args.database_url if _pg_reachable(args.database_url) else ""
    results = run(scale, pg_url, keep=args.keep)
    json_path, md_path = save(results, args.results_dir)
    print()
    print(plain(results))
    print(f"\nwritten: {json_path}, {md_path.name}")
    if args.readme:
        readme_write(results)
        print("README.md: table updated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
