"""`jamkoll demo-volume` (issue 16): synthetic volume, written in bulk, labelled, on demo and test
databases only, once; the ledger it writes verifies."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from jamkoll.ledger.models import ChainHead, LedgerEntry
from jamkoll.ledger.services import ledger_verify
from jamkoll.obligations.models import ObligationKind
from jamkoll.obligations.selectors import obligation_of_kind
from jamkoll.plans.models import Activity, CountyPlan, Output
from jamkoll.programmes.models import Allocation, Budget, FundingDecision, Programme
from jamkoll.volume import SEEDED_DECISION, SYNTHETIC_SOURCE, database_refusal, is_synthetic

from .conftest import client_for

SMALL = ["--programmes", "2", "--years", "1", "--activities-per-county", "2", "--ledger-entries", "50"]
COUNTIES = 21


def run(*args: str) -> str:
    out = StringIO()
    call_command("demo-volume", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def small(db: None, django_capture_on_commit_callbacks: Any) -> str:
    with django_capture_on_commit_callbacks(execute=True):
        return run(*SMALL)


def test_counts_are_exact(db: None, django_capture_on_commit_callbacks: Any) -> None:
    before = {m: m.objects.count() for m in (Activity, Output, Programme, CountyPlan, LedgerEntry)}
    with django_capture_on_commit_callbacks(execute=True):
        out = run(*SMALL)
    seeded = FundingDecision.objects.get(slug=SEEDED_DECISION)
    synthetic = FundingDecision.objects.get(slug__startswith="syntetisk-")
    assert Activity.objects.count() - before[Activity] == 2 * COUNTIES * 2
    assert Activity.objects.filter(decision=seeded, year=2018, code__startswith="syntetisk-").count() == 42
    assert Activity.objects.filter(decision=synthetic, year=2021).count() == 42
    assert Output.objects.count() - before[Output] == 84
    assert Programme.objects.count() - before[Programme] == 1
    # The seeded year has its county plans already; the synthetic year gets one per county.
    assert CountyPlan.objects.count() - before[CountyPlan] == COUNTIES
    assert LedgerEntry.objects.count() - before[LedgerEntry] == 50
    assert ChainHead.objects.get(pk=1).sequence == LedgerEntry.objects.count()
    assert Budget.objects.filter(decision=synthetic).count() == 1
    assert Allocation.objects.filter(budget_line__budget__decision=synthetic).count() == COUNTIES
    assert "Activity: 84" in out and "LedgerEntry: 50" in out and "Klart på" in out


def test_rows_are_labelled_and_valid(small: str) -> None:
    programme = Programme.objects.get(slug__startswith="syntetisk-")
    assert programme.title == "Syntetisk satsning 2 (genererade testdata)"
    assert is_synthetic(programme) and programme.source == SYNTHETIC_SOURCE
    activities = Activity.objects.filter(code__startswith="syntetisk-").prefetch_related(
        "counties", "outputs"
    )
    for a in activities:
        assert a.title.startswith("Syntetisk aktivitet ") and a.title.endswith("– genererade testdata")
        assert is_synthetic(a)
        a.full_clean()  # every bound and rule of the model holds
        assert [c.pk for c in a.counties.all()] == [a.owner_county_id]
        [output] = a.outputs.all()
        output.full_clean()
        assert (output.decision_id, output.year) == (a.decision_id, a.year)  # bulk_create: no save()
        assert output.women is not None and output.men is not None
        assert output.total == output.women + output.men + output.other
    assert all(is_synthetic(e) for e in LedgerEntry.objects.all())
    seeded = Activity.objects.exclude(code__startswith="syntetisk-").first()
    assert seeded is not None and not is_synthetic(seeded)


def test_verify_passes_afterwards(small: str) -> None:
    result = ledger_verify()
    assert result.problems == []
    assert result.notices == []  # the anchor caught up after the commit
    assert result.entries == 50
    out = StringIO()
    call_command("verify", stdout=out)
    assert "Allt stämmer" in out.getvalue()


def test_requisition_obligation_closed_as_the_service_would(small: str) -> None:
    seeded = FundingDecision.objects.get(slug=SEEDED_DECISION)
    obligation = obligation_of_kind(decision=seeded, year=2018, kind=ObligationKind.REQUISITION)
    assert obligation is not None
    first = LedgerEntry.objects.filter(decision=seeded, year=2018, tier="state", kind="requisition").first()
    assert first is not None
    assert obligation.closed_by == f"ledger-entry:{first.sequence}"
    assert obligation.submitted_on == first.entry_date


def test_plan_page_shows_the_volume(small: str, coordinator: Any) -> None:
    response = client_for(coordinator).get(f"/planer/{SEEDED_DECISION}/2018/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Syntetisk aktivitet" in text and "genererade testdata" in text


def test_second_run_refused(small: str) -> None:
    n = Activity.objects.count()
    with pytest.raises(CommandError, match="redan genererade testdata"):
        run(*SMALL)
    assert Activity.objects.count() == n


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["--programmes", "0"], "--programmes"),
        (["--programmes", "11"], "--programmes"),
        (["--years", "-1"], "--years"),
        (["--years", "6"], "--years"),
        (["--activities-per-county", "-5"], "--activities-per-county"),
        (["--activities-per-county", "2001"], "--activities-per-county"),
        (["--ledger-entries", "-1"], "--ledger-entries"),
        (["--ledger-entries", "1000001"], "--ledger-entries"),
    ],
)
def test_bad_arguments_refused(db: None, args: list[str], option: str) -> None:
    n = Activity.objects.count()
    with pytest.raises(CommandError, match=f"{option} måste vara ett heltal mellan"):
        run(*args)
    assert Activity.objects.count() == n


def test_not_an_integer_refused(db: None) -> None:
    with pytest.raises(CommandError, match="invalid int value"):
        run("--years", "tre")


def test_refused_on_a_database_that_is_not_demo_or_test(db: None, monkeypatch: Any) -> None:
    # The open connection stays on the test database; only what the check reads changes.
    monkeypatch.setitem(connection.settings_dict, "NAME", "jamkoll")
    monkeypatch.setitem(connection.settings_dict, "TEST", {"NAME": None})
    n = Activity.objects.count()
    with pytest.raises(CommandError, match="bara mot en testdatabas eller demodatabasen"):
        run(*SMALL)
    assert Activity.objects.count() == n
    assert not Programme.objects.filter(slug__startswith="syntetisk-").exists()


def test_which_databases_are_allowed(db: None, settings: Any, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path
    sqlite, postgres = "django.db.backends.sqlite3", "django.db.backends.postgresql"
    demo = str(tmp_path / "jamkoll.sqlite3")
    assert database_refusal({"ENGINE": postgres, "NAME": "test_jamkoll", "TEST": {}}) is None
    assert (
        database_refusal({"ENGINE": sqlite, "NAME": "/x/test.sqlite3", "TEST": {"NAME": "/x/test.sqlite3"}})
        is None
    )
    assert database_refusal({"ENGINE": sqlite, "NAME": ":memory:", "TEST": {}}) is None
    assert database_refusal({"ENGINE": sqlite, "NAME": demo, "TEST": {}}) is None
    assert database_refusal({"ENGINE": postgres, "NAME": "jamkoll", "TEST": {}})
    assert database_refusal({"ENGINE": sqlite, "NAME": "/srv/jamkoll/jamkoll.sqlite3", "TEST": {}})
    # The demo file, but with accounts other than the demo users: in use for real.
    get_user_model().objects.create_user(username="kalle", password="pw-kalle-1234")
    refusal = database_refusal({"ENGINE": sqlite, "NAME": demo, "TEST": {}})
    assert refusal and "konton utöver demoanvändarna" in refusal
