"""Shared fixtures. The documents' data is loaded once per test session; each test runs in a
transaction that is rolled back, so every test starts from the seeded state.

Personas (STYLE §8), defined here and nowhere else: a coordinator, an RSS leader of Skåne, an
RSS leader of Norrbotten, a certifier, a signatory, a treasury officer, a ministry officer, an
analyst, a signed-in user without a role, an admin, and the anonymous visitor (a plain `Client()`).
`persona(name)` makes one more with any role (`persona("jonna", Role.RSS, "06")`).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from jamkoll.accounts.models import Role
from jamkoll.accounts.policy import SEED_LOADER
from jamkoll.accounts.services import ROLE_ORGANISATIONS, ROLE_TITLES, profile_set, role_assign

BROWSER_TESTS = Path(__file__).resolve().parent / "browser"


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """The browser journeys (tests/browser) run once, on SQLite, in `make test-browser`
    (`pytest -m browser`): a plain run, on SQLite or PostgreSQL, leaves them out unless it names them
    (`pytest tests/browser/test_smoke.py`). They need Playwright and Chromium (`make browser-deps`)."""
    if collection_path != BROWSER_TESTS:
        return None
    if "browser" in (config.option.markexpr or ""):
        return None
    named = (Path(arg.split("::")[0]).resolve() for arg in config.args)
    if any(path == BROWSER_TESTS or BROWSER_TESTS in path.parents for path in named):
        return None
    return True


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    with django_db_blocker.unblock():
        call_command("seed", "--no-migrate", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115


@pytest.fixture(scope="session", autouse=True)
def plain_http() -> Any:
    """The test client speaks plain http: without this, production's HTTPS redirect (on whenever
    JAMKOLL_DEBUG is off) would answer every request with a 301. tests/web/test_security.py turns it
    back on where it is the subject."""
    from django.test import override_settings

    with override_settings(SECURE_SSL_REDIRECT=False):
        yield


@pytest.fixture(autouse=True)
def ledger_files(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Each test its own ledger key and anchor file (issue 12): the database rolls back after a
    test, so an anchor shared between tests would record entries no later test has."""
    folder = tmp_path_factory.mktemp("ledger")
    settings.LEDGER_KEY = ""
    settings.LEDGER_KEY_FILE = folder / "ledger.key"
    settings.LEDGER_ANCHOR_FILE = folder / "ledger-anchor.log"
    return folder


@pytest.fixture(autouse=True)
def no_page_cache(settings: Any) -> None:
    """The page cache off: a test's writes are never committed (the transaction rolls back), so the
    generation the cache keys on would not change after them. tests/web/test_page_cache.py turns it
    on, with the commits' callbacks run; the browser journeys run with it on, as in production."""
    settings.JAMKOLL_PAGE_CACHE_SECONDS = 0


@pytest.fixture(autouse=True)
def empty_cache() -> Any:
    """Each test starts with an empty cache: the database rolls back after a test, so ids (and the
    public pages' cache keys built from them) repeat in the next test with other data."""
    from django.core.cache import caches

    for alias in caches:
        caches[alias].clear()
    yield
    for alias in caches:
        caches[alias].clear()


@pytest.fixture(autouse=True)
def swedish() -> Any:
    """Every test starts in Swedish: a request in English must not leak into the next test."""
    from django.utils import translation

    translation.activate("sv")
    yield
    translation.deactivate()


def persona(username: str, role: str | None = None, county: str | None = None) -> Any:
    """A user with one role (an `rss` role scoped to `county`), or with none; with the role's title
    and organisation (what a certification or signature shows), as the demo users have."""
    user = get_user_model().objects.create_user(username=username, password="pw-" + username)
    if role is not None:
        role_assign(user=user, role=role, county_code=county, actor=SEED_LOADER)
        profile_set(
            user=user,
            actor=SEED_LOADER,
            title=ROLE_TITLES[role],
            organisation_code=county or ROLE_ORGANISATIONS.get(role),
        )
    return user


@pytest.fixture
def coordinator(db: None) -> Any:
    return persona("anna-samordnare", Role.COORDINATOR)


@pytest.fixture
def rss_skane(db: None) -> Any:
    return persona("sara-skane", Role.RSS, "12")


@pytest.fixture
def rss_norrbotten(db: None) -> Any:
    return persona("nils-norrbotten", Role.RSS, "25")


@pytest.fixture
def certifier(db: None) -> Any:
    return persona("erik-ekonomichef", Role.CERTIFIER)


@pytest.fixture
def treasury(db: None) -> Any:
    return persona("karin-kammarkollegiet", Role.TREASURY)


@pytest.fixture
def signatory(db: None) -> Any:
    return persona("frida-firmatecknare", Role.SIGNATORY)


@pytest.fixture
def ministry(db: None) -> Any:
    return persona("mia-departement", Role.MINISTRY)


@pytest.fixture
def analyst(db: None) -> Any:
    return persona("alva-analytiker", Role.ANALYST)


@pytest.fixture
def no_role(db: None) -> Any:
    """Signed in, but holds no role: sees what the public sees."""
    return persona("nora-utan-roll")


@pytest.fixture
def adminpersona(db: None) -> Any:
    user = get_user_model().objects.create_superuser(username="root", password="pw-root")
    return user


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def add_volume(capture: Any, *, per_county: int, ledger_entries: int = 0) -> None:
    """`jamkoll demo-volume` for one programme-year on the seeded agreement's first year (2018):
    `per_county` more activities in each county, with outputs, and `ledger_entries` entries.
    `capture`: pytest-django's `django_capture_on_commit_callbacks` (the command's page-cache
    generation is bumped on commit)."""
    args = ["--programmes", "1", "--years", "1", "--activities-per-county", str(per_county)]
    if ledger_entries:
        args += ["--ledger-entries", str(ledger_entries)]
    with capture(execute=True):
        call_command("demo-volume", *args, stdout=io.StringIO())


# Every signed-in persona above, by fixture name: for tests that hold a rule against all of them.
PERSONAS = (
    "coordinator",
    "rss_skane",
    "rss_norrbotten",
    "certifier",
    "signatory",
    "treasury",
    "ministry",
    "analyst",
    "no_role",
    "admin_user",
)


@pytest.fixture
def personas(request: pytest.FixtureRequest) -> dict[str, Any]:
    """Every persona of PERSONAS, by name."""
    return {name: request.getfixturevalue(name) for name in PERSONAS}
