"""Web security (issue 12, findings 7 and 10): the secret key, the headers, pages without inline
script or style, the admin's address, the API docs from our own static files, `jamkoll serve` and
`jamkoll demo` refusing what is unsafe, and `check --deploy` clean with production settings."""

from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.urls import reverse

from jamkoll.web.management.commands import demo
from tests.conftest import client_for
from tests.reports.test_renderers import DOC

pytestmark = pytest.mark.django_db
SRC = Path(__file__).resolve().parents[2] / "src"
PROGRAMME = "/satsningar/starkt-jamstalldhet-kvinnofrid-2018-2020/"

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
STYLE_ATTRIBUTE = re.compile(r"<[^>]*\sstyle=", re.I)
EVENT_ATTRIBUTE = re.compile(r"<[^>]*\s(on[a-z]+|hx-on[:\w-]*)=", re.I)


def inline_code(html: str) -> list[str]:
    """What the Content-Security-Policy (no 'unsafe-inline') would block in `html`."""
    found = [m.group(0)[:80] for m in INLINE_SCRIPT.finditer(html)]
    found += [m.group(0)[:80] for m in STYLE_ATTRIBUTE.finditer(html)]
    found += [m.group(0)[:80] for m in EVENT_ATTRIBUTE.finditer(html)]
    if "<style" in html:
        found.append("<style>")
    return found


def production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JAMKOLL_") and k != "DATABASE_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE="jamkoll.settings",
        PYTHONPATH=os.pathsep.join(p for p in (str(SRC), os.environ.get("PYTHONPATH", "")) if p),
        JAMKOLL_DATA_DIR=str(tmp_path),
        JAMKOLL_SECRET_KEY=secrets.token_urlsafe(50),
        JAMKOLL_ALLOWED_HOSTS="jamkoll.example.se,127.0.0.1",
    )
    env.update(extra)
    return {k: v for k, v in env.items() if v != ""}


def run(env: dict[str, str], *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


# --- Headers -----------------------------------------------------------------------------------


def test_a_page_carries_the_security_headers(settings: Any) -> None:
    response = Client().get("/", secure=True)
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";") if " " in d.strip())
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["default-src"] == "'self'" and directives["frame-ancestors"] == "'none'"
    assert "style-src-attr" not in directives  # falls back to style-src: style="" is blocked
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "includeSubDomains" in response["Strict-Transport-Security"]
    assert "camera=()" in response["Permissions-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "Server" not in response


def test_plain_http_is_redirected_to_https_outside_debug(settings: Any) -> None:
    settings.SECURE_SSL_REDIRECT = True  # production's default (tests/conftest.py turns it off)
    response = Client().get(PROGRAMME)
    assert response.status_code == 301 and response["Location"] == f"https://testserver{PROGRAMME}"
    # Load balancers probe over plain http.
    assert Client().get("/healthz").status_code == 200


def test_plain_http_setting_turns_off_secure_cookies_redirect_and_hsts(tmp_path: Path) -> None:
    script = (
        "from django.conf import settings as s; import django; django.setup(); "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS)"
    )
    on = run(production_env(tmp_path), "-c", script)
    assert on.stdout.split() == ["True", "True", "True", "31536000"], on.stderr
    off = run(production_env(tmp_path, JAMKOLL_SECURE_COOKIES="0"), "-c", script)
    assert off.stdout.split() == ["False", "False", "False", "0"], off.stderr
    proxied = run(
        production_env(tmp_path, JAMKOLL_PROXY_SSL_HEADER="X-Forwarded-Proto"),
        "-c",
        "from django.conf import settings as s; print(s.SECURE_PROXY_SSL_HEADER)",
    )
    assert proxied.stdout.strip() == "('HTTP_X_FORWARDED_PROTO', 'https')", proxied.stderr


def test_the_pages_have_no_inline_script_or_style(coordinator: Any) -> None:
    client = client_for(coordinator)
    pages = [
        "/",
        "/historik/",
        PROGRAMME,
        reverse("ledger:index"),
        reverse("obligations:index"),
        reverse("plans:index"),
        reverse("reports:index"),
        reverse("api:openapi-view"),
        "/finns-inte/",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code in {200, 404}, url
        assert inline_code(response.content.decode()) == [], url
    assert inline_code(Client().get(reverse("login")).content.decode()) == []


def test_a_report_shown_on_a_page_has_no_style_attribute_but_its_file_keeps_the_widths() -> None:
    from jamkoll.reports.renderers import render

    fragment = render_html_fragment_of(DOC)
    assert "<table" in fragment and "<svg" in fragment
    assert inline_code(fragment) == []
    assert '<col style="width:' in render(DOC, "html").decode()  # a downloaded file, not a page


def render_html_fragment_of(document: Any) -> str:
    from jamkoll.reports.renderers import render_html_fragment

    return str(render_html_fragment(document))


# --- The secret key (finding 7) ----------------------------------------------------------------


def test_the_wsgi_application_refuses_to_start_without_a_key(tmp_path: Path) -> None:
    refused = run(production_env(tmp_path, JAMKOLL_SECRET_KEY=""), "-c", "import jamkoll.wsgi")
    assert refused.returncode != 0
    assert "ImproperlyConfigured" in refused.stderr and "JAMKOLL_SECRET_KEY" in refused.stderr
    started = run(production_env(tmp_path), "-c", "import jamkoll.wsgi")
    assert started.returncode == 0, started.stderr


def test_commands_without_a_key_get_a_key_of_their_own_never_a_fixed_one(tmp_path: Path) -> None:
    script = "from django.conf import settings as s; print(s.SECRET_KEY)"
    env = production_env(tmp_path, JAMKOLL_SECRET_KEY="")
    first, second = run(env, "-c", script), run(env, "-c", script)
    assert first.returncode == 0 and second.returncode == 0, first.stderr
    assert first.stdout.strip() != second.stdout.strip()
    assert len(first.stdout.strip()) > 50


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_gunicorn_started_directly_refuses_without_a_key_and_sends_no_version(tmp_path: Path) -> None:
    gunicorn = ["-m", "gunicorn", "--workers", "1", "--timeout", "60"]
    refused = run(
        production_env(tmp_path, JAMKOLL_SECRET_KEY=""),
        *gunicorn,
        "--bind",
        f"127.0.0.1:{_free_port()}",
        "jamkoll.wsgi:application",
        timeout=90,
    )
    assert refused.returncode != 0 and "JAMKOLL_SECRET_KEY" in refused.stderr

    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, *gunicorn, "--bind", f"127.0.0.1:{port}", "jamkoll.wsgi:application"],
        env=production_env(tmp_path),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
                    headers = response.headers
                    break
            except (urllib.error.URLError, ConnectionError):
                assert server.poll() is None and time.monotonic() < deadline, "gunicorn did not answer"
                time.sleep(0.3)
        assert not re.search(r"\d", headers.get("Server", "")), headers.get("Server")
        assert "unsafe-inline" not in headers["Content-Security-Policy"]
        assert headers["Permissions-Policy"]
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def test_serve_refuses_debug_and_a_missing_key(settings: Any) -> None:
    settings.DEBUG = True
    with pytest.raises(CommandError, match="JAMKOLL_DEBUG"):
        call_command("serve")
    settings.DEBUG = False
    settings.SECRET_KEY_FROM_ENVIRONMENT = False
    with pytest.raises(CommandError, match="JAMKOLL_SECRET_KEY"):
        call_command("serve")


def test_check_deploy_passes_with_production_settings(tmp_path: Path) -> None:
    ok = run(production_env(tmp_path), "-m", "jamkoll.cli", "check", "--deploy", "--fail-level", "WARNING")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    no_key = run(
        production_env(tmp_path, JAMKOLL_SECRET_KEY=""),
        "-m",
        "jamkoll.cli",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert no_key.returncode != 0 and "jamkoll.E001" in no_key.stderr


# --- The admin, the API docs, the demo users -------------------------------------------------------


def test_the_admin_is_not_at_admin(admin_user: Any) -> None:
    client = client_for(admin_user)
    assert reverse("admin:index") == "/forvaltning/"
    assert client.get(reverse("admin:index")).status_code == 200
    assert client.get("/admin/").status_code == 404


def test_the_api_docs_load_their_scripts_from_our_own_static_files() -> None:
    client = Client()
    html = client.get(reverse("api:openapi-view")).content.decode()
    scripts = re.findall(r'<script[^>]*\bsrc="([^"]+)"', html)
    sheets = re.findall(r'<link[^>]*\bhref="([^"]+)"', html)
    assert scripts and all(src.startswith("/static/ninja/") for src in scripts), scripts
    assert all(href.startswith("/static/") for href in sheets), sheets
    assert "cdn" not in html.lower() and "//" not in "".join(scripts + sheets)
    assert inline_code(html) == []
    for url in scripts + sheets:
        assert client.get(url).status_code == 200, url


def test_demo_refuses_a_database_that_is_not_the_embedded_one() -> None:
    assert not demo.is_embedded_demo_database()  # the test database
    with pytest.raises(CommandError, match="inbäddade"):
        call_command("demo", "--no-serve")


def test_the_embedded_database_is_sqlite_in_the_data_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(connection.settings_dict, "ENGINE", "django.db.backends.sqlite3")
    monkeypatch.setitem(connection.settings_dict, "NAME", str(demo.embedded_database_path()))
    assert demo.is_embedded_demo_database()
    monkeypatch.setitem(connection.settings_dict, "NAME", "/tmp/annan.sqlite3")
    assert not demo.is_embedded_demo_database()
    monkeypatch.setitem(connection.settings_dict, "ENGINE", "django.db.backends.postgresql")
    monkeypatch.setitem(connection.settings_dict, "NAME", str(demo.embedded_database_path()))
    assert not demo.is_embedded_demo_database()
