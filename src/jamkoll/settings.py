"""One settings module, configured by environment variables (DESIGN §5).

DATABASE_URL            default: SQLite file jamkoll.sqlite3 in JAMKOLL_DATA_DIR (default ./var)
JAMKOLL_SECRET_KEY      required when JAMKOLL_DEBUG is off
JAMKOLL_DEBUG           "1"/"true" for development
JAMKOLL_ALLOWED_HOSTS   comma-separated
"""

from __future__ import annotations

import contextlib
import os
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

SECRET_KEY = os.environ.get("JAMKOLL_SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG or os.environ.get("JAMKOLL_INSECURE_DEV_KEY") == "1":
        SECRET_KEY = "dev-only-insecure-key-never-use-in-production"
    else:
        # Management commands that never sign anything (seed, organisations, tests) still work;
        # the web server refuses to start without a key (see cli.serve).
        SECRET_KEY = "unset-" + "x" * 50

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
    "rules.apps.AutodiscoverRulesConfig",
    "simple_history",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "jamkoll.reference",
    "jamkoll.programmes",
    "jamkoll.accounts",
    "jamkoll.ledger",
    "jamkoll.obligations",
    "jamkoll.plans",
    "jamkoll.reports",
    "jamkoll.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "jamkoll.web.middleware.SwedishFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After authentication: its refusal page is the site's own, with the user's menu.
    "jamkoll.web.middleware.HostileQueryMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "jamkoll.urls"
WSGI_APPLICATION = "jamkoll.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
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
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL", _default_db))}
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

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SESSION_COOKIE_SECURE = not DEBUG and _env_bool("JAMKOLL_SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# A refused form post (stale page, cookies off) gets the site's refusal page in Swedish.
CSRF_FAILURE_VIEW = "jamkoll.web.views.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

# The ledger's keyed chain (issue 12). The HMAC key is never in the database: a file (created with
# mode 0600 on first use when missing) or JAMKOLL_LEDGER_KEY. Every append also writes the new chain
# head to an append-only anchor file outside the database, which `jamkoll verify` compares against
# and `jamkoll backup` carries.
LEDGER_KEY = os.environ.get("JAMKOLL_LEDGER_KEY", "")
LEDGER_KEY_FILE = Path(os.environ.get("JAMKOLL_LEDGER_KEY_FILE", str(DATA_DIR / "ledger.key")))
LEDGER_ANCHOR_FILE = Path(os.environ.get("JAMKOLL_LEDGER_ANCHOR", str(DATA_DIR / "ledger-anchor.log")))

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
}
