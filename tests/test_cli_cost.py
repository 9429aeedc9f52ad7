"""A command-line call costs what it needs (issue 10): no system checks, which load the URL
configuration and with it the whole API and the report renderers, and no heavy import on the way.
The time itself is measured by `make bench` (bench/cli_cost.py), as a ratio; a test never asserts one."""

from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

AGREEMENT = "jamstalldhet-kvinnofrid-2018-2020"
HEAVY = ("ninja", "pydantic", "weasyprint", "docx", "jamkoll.api", "jamkoll.reports.renderers")
# (`startswith` on a tuple: "docx" also catches "docx.x", and "jamkoll.api" also "jamkoll.apidoc"; fine)
COMMANDS = [
    ("jamkoll.ledger", "ledger"),
    ("jamkoll.ledger", "verify"),
    ("jamkoll.programmes", "allocations"),
    ("jamkoll.programmes", "programmes"),
    ("jamkoll.reference", "organisations"),
    ("jamkoll.plans", "activities"),
]


@pytest.mark.django_db
def test_it_runs_a_command_without_the_system_checks(monkeypatch: Any) -> None:
    from django.core.management.base import BaseCommand

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("a jamkoll command ran the system checks")

    monkeypatch.setattr(BaseCommand, "check", refuse)
    out = StringIO()
    call_command("ledger", "balance", AGREEMENT, "2018", "--format", "json", stdout=out)
    assert '"decision": "jamstalldhet-kvinnofrid-2018-2020"' in out.getvalue()


@pytest.mark.parametrize(("app", "name"), COMMANDS)
def test_it_loads_a_command_without_the_api_or_the_renderers(app: str, name: str) -> None:
    code = (
        "import sys, django; django.setup()\n"
        "from django.core.management import load_command_class\n"
        f"load_command_class({app!r}, {name!r})\n"
        f"print(sorted(m for m in sys.modules if m.startswith({HEAVY!r})))\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "jamkoll.settings"}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]", f"{name} imports {result.stdout.strip()}"
