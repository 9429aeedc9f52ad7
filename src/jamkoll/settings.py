"""One settings module, configured by environment variables (DESIGN §5).

DATABASE_URL            default: SQLite file jamkoll.sqlite3 in JAMKOLL_DATA_DIR (default ./var)
JAMKOLL_SECRET_KEY      required to serve pages when JAMKOLL_DEBUG is off (see below)
JAMKOLL_DEBUG           "1"/"true" for development
JAMKOLL_ALLOWED_HOSTS   comma-separated
The web-security block further down lists its own variables.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from importlib.util import find_spec
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = _env_bool("JAMKOLL_DEBUG", False)
DATA_DIR = Path(os.environ.get("JAMKOLL_DATA_DIR", "var")).resolve()

# The secret key (issue 12, finding 7). There is no fixed fallback outside debug: without
# JAMKOLL_SECRET_KEY a process gets a random key of its own, so that commands that never sign
# anything (seed, migrate, verify, the tests) keep working, while nothing it signs is accepted by
# any other process. Serving pages needs the real key: the WSGI application (jamkoll/wsgi.py, which
# gunicorn and runserver load), `jamkoll serve` and `check --deploy` (jamkoll.E001) refuse without it.
# In debug (`jamkoll demo`) a fixed development key; its "django-insecure-" prefix makes
# `check --deploy` flag it.
SECRET_KEY = os.environ.get("JAMKOLL_SECRET_KEY", "")
SECRET_KEY_FROM_ENVIRONMENT = bool(SECRET_KEY)
if not SECRET_KEY:
    SECRET_KEY = (
        "django-insecure-jamkoll-development-only-key-0123456789"
        if DEBUG
        else "jamkoll-process-only-" + secrets.token_urlsafe(50)
    )

ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("JAMKOLL_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "csp",  # Content-Security-Policy (the web-security block below)
    "rules.apps.AutodiscoverRulesConfig",
    "simple_history",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    # Two-step sign-in with a time-based code (issue 12, finding 6; jamkoll.accounts.two_factor).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "jamkoll.reference",
    "jamkoll.programmes",
    "jamkoll.accounts",
    "jamkoll.ledger",
    "jamkoll.obligations",
    "jamkoll.plans",
    "jamkoll.reports",
    "jamkoll.indicators",
    "jamkoll.comments",
    "jamkoll.web",
    "jamkoll.backup",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Security headers on every answer, static files included (the web-security block below).
    "csp.middleware.CSPMiddleware",
    "jamkoll.web.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # After the sessions: marks an active session for saving once a minute (the idle timeout).
    "jamkoll.web.middleware.IdleSessionMiddleware",
    "jamkoll.web.middleware.SwedishFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Sign-in security (issue 12, finding 6): the request known to the audit of refusals, the
    # session's verified device (django-otp), and JAMKOLL_REQUIRE_2FA.
    "jamkoll.accounts.audit.AuditMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Issue 15: `Authorization: Bearer <API key>` on /api/ paths makes the key's user the request's.
    "jamkoll.accounts.api_auth.BearerTokenMiddleware",
    "jamkoll.accounts.middleware.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After authentication: its refusal page is the site's own, with the user's menu.
    "jamkoll.web.middleware.HostileQueryMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A form's address opened as a page: the site's own 405 page, not an empty answer (inside the
    # clickjacking guard, so that the page it makes carries X-Frame-Options too).
    "jamkoll.web.middleware.MethodNotAllowedPageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last: the pages every user re-reads, kept until the next write (jamkoll.web.page_cache).
    "jamkoll.web.page_cache.PageCacheMiddleware",
]

ROOT_URLCONF = "jamkoll.urls"
WSGI_APPLICATION = "jamkoll.wsgi.application"

# The API docs' Swagger UI comes from django-ninja's bundled files, served as our own static files
# (no CDN). Found without importing ninja: as an installed app it would load ninja and pydantic into
# every command (tests/test_cli_cost.py); jamkoll.api.LocalSwagger renders its template.
NINJA_DIR = Path(find_spec("ninja").origin or "").parent  # type: ignore[union-attr]
STATICFILES_DIRS = [NINJA_DIR / "static"]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [NINJA_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "jamkoll.web.context_processors.jamkoll",
            ],
        },
    }
]

_default_db = f"sqlite:///{DATA_DIR / 'jamkoll.sqlite3'}"
# A connection is kept for CONN_MAX_AGE seconds and checked before reuse: opening one costs
# PostgreSQL a new backend process (about 10–30 ms, more than a whole cached page), paid on every
# request when Django's default of 0 closes it after each. Gunicorn's sync workers serve one request
# at a time, so a worker holds one connection.
# Seconds a server process keeps a page of jamkoll.web.page_cache.CACHED_VIEWS at most: a write
# changes the database's generation and so every kept page's key; this bounds only what a write
# whose process died between its commit and the new generation leaves. 0 keeps none.
JAMKOLL_PAGE_CACHE_SECONDS = int(os.environ.get("JAMKOLL_PAGE_CACHE_SECONDS", "300"))
# Each server process's own memory (no cache server to run); the pages apart, so that however many
# addresses are asked for, at most 200 pages of at most 512 KB each are kept.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "jamkoll"},
    "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "jamkoll-pages",
        "OPTIONS": {"MAX_ENTRIES": 200},
    },
}
DB_CONN_MAX_AGE = int(os.environ.get("JAMKOLL_DB_CONN_MAX_AGE", "60"))
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", _default_db), conn_max_age=DB_CONN_MAX_AGE, conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    # WAL lets readers and one writer work side by side; the busy timeout makes a second
    # writer wait instead of failing at once.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}
elif DATABASES["default"]["ENGINE"] not in {
    "django.db.backends.postgresql",
}:
    raise ImproperlyConfigured("DATABASE_URL must point to SQLite or PostgreSQL")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out sign-in before any backend runs the password hasher (issue 12).
    "jamkoll.accounts.signin.ThrottleBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:home"

LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Svenska")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
with contextlib.suppress(OSError):  # WhiteNoise warns on every request when it is missing
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# --- Web security (issue 12, findings 7 and 10) -------------------------------------------------
# JAMKOLL_SECURE_COOKIES  "0" for a plain-HTTP set-up: secure cookies, the HTTPS redirect and HSTS
#                         all off (on by default outside debug)
# JAMKOLL_HSTS_SECONDS    HSTS max-age (one year)
# JAMKOLL_PROXY_SSL_HEADER  behind a TLS-terminating proxy: the header it sets, "X-Forwarded-Proto"
#                         (opt-in: only when the proxy always sets or overwrites it)
# JAMKOLL_SESSION_IDLE_MINUTES  a session ends after this long without a request (30)
# JAMKOLL_ADMIN_PATH      where the admin lives ("forvaltning/"), see urls.py
JAMKOLL_HTTPS = not DEBUG and _env_bool("JAMKOLL_SECURE_COOKIES", True)
SESSION_COOKIE_SECURE = JAMKOLL_HTTPS
CSRF_COOKIE_SECURE = JAMKOLL_HTTPS
SECURE_SSL_REDIRECT = JAMKOLL_HTTPS
# Load balancers probe the process directly over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = int(os.environ.get("JAMKOLL_HSTS_SECONDS", "31536000")) if JAMKOLL_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# The preload list is a decision for the owner of the whole domain (a submission to the browsers'
# list), not for one application: the directive is opt-in, and check --deploy's reminder is silenced.
SECURE_HSTS_PRELOAD = _env_bool("JAMKOLL_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = ["security.W021"]
if os.environ.get("JAMKOLL_PROXY_SSL_HEADER"):
    _proxy_header = os.environ["JAMKOLL_PROXY_SSL_HEADER"].strip().upper().replace("-", "_")
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _proxy_header, "https")
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
# Idle timeout: a session lives SESSION_COOKIE_AGE from its last save, and IdleSessionMiddleware
# saves an active one at most once a minute (Django's SESSION_SAVE_EVERY_REQUEST would write the
# session on every page view).
SESSION_COOKIE_AGE = 60 * int(os.environ.get("JAMKOLL_SESSION_IDLE_MINUTES", "30"))
# A refused form post (stale page, cookies off) gets the site's refusal page in Swedish.
CSRF_FAILURE_VIEW = "jamkoll.web.views.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
# No inline script or style anywhere on the site: every script and style sheet is a static file of
# ours (the API docs' Swagger UI included); charts are SVG with presentation attributes only.
# `data:` images: the Swagger UI's style sheet draws its icons with them.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Powerful browser features the site never uses, switched off (PermissionsPolicyMiddleware).
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)
ADMIN_PATH = os.environ.get("JAMKOLL_ADMIN_PATH", "forvaltning/").strip().strip("/") + "/"
if ADMIN_PATH == "/":
    raise ImproperlyConfigured("JAMKOLL_ADMIN_PATH must name a path, e.g. forvaltning/")
# /readyz: a worker counts as present when its heartbeat is younger than this (jamkoll.web.heartbeat).
WORKER_STALE_SECONDS = int(os.environ.get("JAMKOLL_WORKER_STALE_SECONDS", "180"))
# --- end of web security ----------------------------------------------------------------------------

# The ledger's keyed chain (issue 12). The HMAC key is never in the database: a file (created with
# mode 0600 on first use when missing) or JAMKOLL_LEDGER_KEY. Every append also writes the new chain
# head to an append-only anchor file outside the database, which `jamkoll verify` compares against
# and `jamkoll backup` carries.
LEDGER_KEY = os.environ.get("JAMKOLL_LEDGER_KEY", "")
LEDGER_KEY_FILE = Path(os.environ.get("JAMKOLL_LEDGER_KEY_FILE", str(DATA_DIR / "ledger.key")))
LEDGER_ANCHOR_FILE = Path(os.environ.get("JAMKOLL_LEDGER_ANCHOR", str(DATA_DIR / "ledger-anchor.log")))

# --- Signing in (issue 12, finding 6): throttle, audit, two-step verification ---
# A name is refused from an address after this many failed sign-ins (wrong password or wrong code)
# within the cool-off; an address after the second number whatever the names (accounts/signin.py).
JAMKOLL_LOGIN_FAILURE_LIMIT = int(os.environ.get("JAMKOLL_LOGIN_FAILURE_LIMIT", "5"))
JAMKOLL_LOGIN_IP_FAILURE_LIMIT = int(os.environ.get("JAMKOLL_LOGIN_IP_FAILURE_LIMIT", "30"))
JAMKOLL_LOGIN_COOLOFF_MINUTES = int(os.environ.get("JAMKOLL_LOGIN_COOLOFF_MINUTES", "15"))
# How many reverse proxies of our own stand in front (each appends to X-Forwarded-For). 0: the
# header is ignored and the address is the connection's — a client cannot choose its own.
JAMKOLL_TRUSTED_PROXIES = int(os.environ.get("JAMKOLL_TRUSTED_PROXIES", "0"))
# On: the roles that move money or certify must enrol an authenticator app before they can act.
# Off by default, so the demo and the browser journeys sign in with a password alone.
JAMKOLL_REQUIRE_2FA = _env_bool("JAMKOLL_REQUIRE_2FA", False)
OTP_TOTP_ISSUER = "JämKoll"

# Background work (DESIGN §4): Django's Tasks API with the queue in our own database.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# Rendering a document (issue 12, jamkoll.reports.isolation): in a child process with a time and an
# address-space limit. A web request that renders (certifying, signing) has its own, shorter time
# limit, well inside gunicorn's 30 s timeout.
REPORT_RENDER_SECONDS = float(os.environ.get("JAMKOLL_RENDER_SECONDS", "120"))
REPORT_RENDER_REQUEST_SECONDS = float(os.environ.get("JAMKOLL_RENDER_REQUEST_SECONDS", "20"))
REPORT_RENDER_MEMORY_MB = int(os.environ.get("JAMKOLL_RENDER_MEMORY_MB", "2048"))
# A running report job holds a lease that its worker renews every few seconds; a job whose lease has
# run out lost its worker (kill -9, out of memory) and is run again, at most REPORT_JOB_ATTEMPTS
# times in all, then failed with the reason.
REPORT_JOB_LEASE_SECONDS = float(os.environ.get("JAMKOLL_JOB_LEASE_SECONDS", "60"))
REPORT_JOB_ATTEMPTS = int(os.environ.get("JAMKOLL_JOB_ATTEMPTS", "3"))

EMAIL_BACKEND = os.environ.get("JAMKOLL_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    # Sign-ins, logouts and refusals (accounts/audit.py), also kept in the audit table.
    "loggers": {"jamkoll.audit": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}

# Key figures (issue 14). Public views hide a value resting on fewer persons or cases than this.
INDICATOR_SUPPRESS_BELOW = int(os.environ.get("JAMKOLL_INDICATOR_SUPPRESS_BELOW", "5"))
# Kolada's API, for `jamkoll indicators fetch` (the machines here have no network; tests serve their own).
KOLADA_BASE_URL = os.environ.get("KOLADA_BASE_URL", "https://api.kolada.se/v3")
# The largest key-figure file the web and the API take (the command line takes any size).
# A running import renews its lease every third of it; one whose lease ran out is taken for dead.
INDICATOR_IMPORT_LEASE_SECONDS = float(os.environ.get("JAMKOLL_INDICATOR_IMPORT_LEASE_SECONDS", "120"))
INDICATOR_IMPORT_ATTEMPTS = int(os.environ.get("JAMKOLL_INDICATOR_IMPORT_ATTEMPTS", "2"))
INDICATOR_UPLOAD_MAX_MB = int(os.environ.get("JAMKOLL_INDICATOR_UPLOAD_MAX_MB", "200"))
