"""Browser journeys: Playwright for Python driving Debian's Chromium (/usr/bin/chromium, installed by
`make browser-deps`) against a live JämKoll with its own database (see live.py).

They run once, on SQLite, in `make test-browser` (`pytest -m browser`); a plain `pytest` leaves this
folder out (tests/conftest.py) unless it is named (`pytest tests/browser/test_smoke.py`).

Each journey gets a fresh browser context (no cookies); the live database is shared by the whole
session, so a journey must not depend on another having run (journey 1 works in 2022, journey 2 in
2019, journey 3 writes nothing). axe-core checks every page state a journey reaches (pages.check_a11y:
WCAG 2.1 AA, a critical or serious violation fails the journey). The last page of every journey is kept as
`test-artefacts/browser/<journey>.png`; a failing journey also keeps its page's HTML, and its report
quotes the server's log from the time it ran, the browser's console errors and its failed requests.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import time
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect, sync_playwright

from .live import LiveSite, LiveSiteError
from .pages import check_a11y

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
ARTEFACTS = Path(os.environ.get("JAMKOLL_BROWSER_ARTEFACTS", REPO / "test-artefacts" / "browser"))
CHROMIUM = os.environ.get("JAMKOLL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 15_000  # a click, a field, an expectation; a page that takes longer is a finding
NAVIGATION_TIMEOUT_MS = 30_000
expect.set_options(timeout=TIMEOUT_MS)  # `expect(...)` waits as long as a click

_timings: dict[str, float] = {}
_site_timings: dict[str, float] = {}
_phase_timings: dict[str, list[tuple[str, float]]] = {}  # a journey's phases (the `phase` fixture)


def _in_here(item: pytest.Item) -> bool:
    return HERE in Path(str(item.path)).parents


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Before `-m` selects: everything in this folder is a browser test.
    for item in items:
        if _in_here(item):
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if not _in_here(item):
        return report
    setattr(item, f"rep_{report.when}", report)  # read by the `page` fixture
    if report.when == "call" and report.passed:
        _timings[item.name] = report.duration
    if report.failed:
        report.sections.extend(getattr(item, "jamkoll_sections", list)())
    return report


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not _timings and not _site_timings:
        return
    lines = [f"  {name}: {seconds:.1f} s" for name, seconds in _site_timings.items()]
    for name, seconds in sorted(_timings.items()):
        lines.append(f"  {name}: {seconds:.1f} s")
        lines += [f"      {phase}: {took:.1f} s" for phase, took in _phase_timings.get(name, [])]
    terminalreporter.write_sep("-", "webbläsarresornas tider")
    for line in lines:
        terminalreporter.write_line(line)
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    (ARTEFACTS / "tider.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


# --- The live server --------------------------------------------------------------------------


@pytest.fixture(scope="session")
def artefacts() -> Path:
    """test-artefacts/browser/, emptied of the last run's pictures at the start of a session."""
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTEFACTS.iterdir():
        if old.is_file() and old.suffix in {".png", ".html", ".log", ".txt"}:
            old.unlink()
    return ARTEFACTS


@pytest.fixture(scope="session")
def live_site(tmp_path_factory: pytest.TempPathFactory, artefacts: Path) -> Iterator[LiveSite]:
    """A JämKoll on a free port with its own SQLite database, seeded and with the demo users."""
    site = LiveSite(data_dir=tmp_path_factory.mktemp("jamkoll-live"))
    try:
        site.prepare()
        site.start()
    except LiveSiteError as exc:
        site.stop()
        pytest.fail(str(exc), pytrace=False)
    _site_timings.update(site.timings)
    try:
        yield site
    finally:
        site.stop()
        for log in (site.server_log, site.worker_log, site.data_dir / "prepare.log"):
            if log.exists():
                shutil.copy(log, artefacts / log.name)


# --- The browser ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_driver: Playwright) -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium saknas ({CHROMIUM}): kör `make browser-deps` (installerar Debians paket chromium).",
            pytrace=False,
        )
    browser = playwright_driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    yield browser
    browser.close()


@pytest.fixture
def context(browser: Browser, live_site: LiveSite) -> Iterator[BrowserContext]:
    """A fresh browser profile for each journey (no cookies, Swedish, Stockholm time)."""
    context = browser.new_context(
        base_url=live_site.url,
        locale="sv-SE",
        timezone_id="Europe/Stockholm",
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
    yield context
    context.close()


Phase = Callable[[str], contextlib.AbstractContextManager[None]]


@pytest.fixture
def phase(request: pytest.FixtureRequest) -> Phase:
    """`with phase("the plan"):` times a part of a journey; a passing journey's summary lists them."""
    recorded = _phase_timings.setdefault(request.node.name, [])
    recorded.clear()

    @contextlib.contextmanager
    def timed(name: str) -> Iterator[None]:
        started = time.monotonic()
        yield
        recorded.append((name, time.monotonic() - started))

    return timed


def _journey_name(item: pytest.Item) -> str:
    name = item.name.removeprefix("test_")
    return re.sub(r"[^\w.-]+", "-", name).strip("-")


@pytest.fixture
def page(
    context: BrowserContext, live_site: LiveSite, artefacts: Path, request: pytest.FixtureRequest
) -> Iterator[Page]:
    """The journey's page. Afterwards its last page is kept as test-artefacts/browser/<journey>.png;
    an uncaught script error, a server error (5xx) or a Content-Security-Policy violation on the way
    fails the journey."""
    page = context.new_page()
    item = request.node
    log_start = live_site.log_size()
    console: list[str] = []
    page_errors: list[str] = []
    server_errors: list[str] = []
    page.on(
        "console", lambda m: console.append(f"{m.type}: {m.text}") if m.type in {"error", "warning"} else None
    )
    page.on("pageerror", lambda e: page_errors.append(str(e)))
    page.on(
        "response",
        lambda r: server_errors.append(f"{r.status} {r.request.method} {r.url}") if r.status >= 500 else None,
    )
    name = _journey_name(item)
    shot = artefacts / f"{name}.png"

    def sections() -> list[tuple[str, str]]:
        found = [("JämKoll-serverns logg under resan", live_site.log_since(log_start) or "(tom)")]
        if console:
            found.append(("webbläsarens konsol", "\n".join(console)))
        if server_errors:
            found.append(("serverfel (5xx)", "\n".join(server_errors)))
        found.append(("skärmbild", f"{shot}  (sista sidan: {page.url})"))
        return found

    setattr(item, "jamkoll_sections", sections)  # noqa: B010 (read by pytest_runtest_makereport)
    yield page
    rep = getattr(item, "rep_call", None)
    a11y: list[str] = []
    if rep is not None and rep.passed:
        try:  # the journey's last page state, when no helper has checked it yet
            check_a11y(page)
        except AssertionError as exc:
            a11y.append(str(exc))
    page.screenshot(path=str(shot), full_page=True)
    if rep is not None and rep.failed:
        (artefacts / f"{name}.html").write_text(page.content(), encoding="utf-8")
    page.close()
    problems = [f"skriptfel i sidan: {e}" for e in page_errors] + [f"serverfel: {e}" for e in server_errors]
    # The site's Content-Security-Policy has no 'unsafe-inline' (issue 12): Chromium reports every
    # inline script, style or handler it refused in the console.
    problems += [f"blockerat av CSP: {m}" for m in console if "Content Security Policy" in m]
    problems += a11y
    if problems and not (rep is not None and rep.failed):
        pytest.fail("\n".join(problems), pytrace=False)
