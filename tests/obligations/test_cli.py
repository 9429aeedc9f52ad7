"""`jamkoll deadlines` per DESIGN §5 and `jamkoll reminders`."""

import datetime as dt
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from icalendar import Calendar

from .conftest import AGREEMENT, GRANT_2021

pytestmark = pytest.mark.django_db
KEYS = {"decision", "kind", "title", "owed_by", "owed_to", "nominal_date", "effective_date", "status"}


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_the_2019_deadlines_include_the_2018_financial_report_moved_to_monday() -> None:
    rows = json.loads(run("deadlines", AGREEMENT, "--year", "2019", "--format", "json"))
    assert all(set(row) >= KEYS for row in rows)
    report = next(r for r in rows if r["kind"] == "financial_report" and r["year"] == 2018)
    assert report["nominal_date"] == "2019-03-31"
    assert report["effective_date"] == "2019-04-01"
    assert report["decision"] == AGREEMENT
    assert report["owed_to"] == "Kammarkollegiet"
    assert report["owed_by"] == "Sveriges Kommuner och Landsting"  # SKL before 2019-11-27
    assert report["status"] in {"overdue", "upcoming", "due_soon", "unknown"}
    kinds = {r["kind"] for r in rows}
    assert {"financial_report", "activity_report", "repayment", "requisition", "project_plan"} <= kinds
    assert {r["kind"] for r in rows} <= {
        "project_plan",
        "requisition",
        "repayment",
        "financial_report",
        "activity_report",
        "status_report",
        "application",
    }


def test_names_valid_on_the_date_and_ministries_as_the_documents_write_them() -> None:
    rows = json.loads(run("deadlines", AGREEMENT, "--format", "json", "--today", "2019-01-01"))
    by_title = {r["title"]: r for r in rows}
    assert by_title["Rekvisition av medel för 2019 från Kammarkollegiet"]["owed_by"] == (
        "Sveriges Kommuner och Regioner"
    )
    assert (
        by_title["Förslag till projektplan för 2018"]["owed_to"] == "Regeringskansliet (Socialdepartementet)"
    )
    assert by_title["Förslag till projektplan för 2018"]["status"] == "fulfilled_undated"  # seed 003
    assert by_title["Rekvisition av medel för 2018 från Kammarkollegiet"]["status"] == "overdue"
    assert by_title["Ekonomisk redovisning för 2018, intygad av ekonomichefen"]["status"] == "upcoming"


def test_undated_obligations_are_null_and_not_scheduled() -> None:
    rows = json.loads(run("deadlines", GRANT_2021, "--format", "json"))
    assert [(r["kind"], r["nominal_date"], r["effective_date"], r["status"]) for r in rows] == [
        ("application", None, None, "not_scheduled"),
        ("application", None, None, "not_scheduled"),
    ]
    assert rows[0]["owed_to"] == "Regeringskansliet (Arbetsmarknadsdepartementet)"
    rows_2022 = json.loads(run("deadlines", GRANT_2021, "--year", "2022", "--format", "json"))
    assert [r["title"] for r in rows_2022] == ["Ansökan om medel för 2022"]


def test_county_filter_and_all_decisions() -> None:
    rows = json.loads(run("deadlines", "--county", "12", "--format", "json"))
    assert len(rows) == 3 and {r["county"] for r in rows} == {"12"}
    everything = json.loads(run("deadlines", "--format", "json"))
    assert {r["decision"] for r in everything} == {AGREEMENT, GRANT_2021}


def test_table_output() -> None:
    table = run("deadlines", AGREEMENT, "--year", "2019", "--today", "2019-03-10")
    assert "2019-04-01" in table and "Ekonomisk redovisning för 2018" in table
    assert "Snart dags – risk för återkrav" not in table
    assert "Snart dags" in table and "ej fastställt" in table


def test_ical_output_parses_and_carries_the_effective_date() -> None:
    text = run("deadlines", AGREEMENT, "--year", "2019", "--format", "ical")
    calendar = Calendar.from_ical(text)
    events = {str(e["summary"]): e for e in calendar.walk("VEVENT")}
    event = events["Ekonomisk redovisning för 2018, intygad av ekonomichefen"]
    assert event.decoded("dtstart") == dt.date(2019, 4, 1)
    assert str(event["uid"]) == f"{AGREEMENT}.2018-financial_report@jamkoll"
    description = str(event["description"])
    assert (
        "2019-03-31" in description and "En ekonomisk redovisning som visar hur medlen använts" in description
    )
    # Undated obligations have no day to be shown on.
    assert not [s for s in events if s.startswith("Halvårsrapport")]
    again = Calendar.from_ical(run("deadlines", AGREEMENT, "--year", "2019", "--format", "ical"))
    assert {str(e["uid"]) for e in again.walk("VEVENT")} == {str(e["uid"]) for e in calendar.walk("VEVENT")}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["finns-inte"], "okänt beslut"),
        ([AGREEMENT, "--year", "2030"], "utanför"),
        ([AGREEMENT, "--year", "tjugo"], "ogiltigt år"),
        ([AGREEMENT, "--format", "pdf"], "okänt format"),
        ([AGREEMENT, "--today", "igår"], "ogiltigt datum"),
        (["--county", "99"], "okänt län"),
    ],
)
def test_bad_input_is_a_one_line_error(args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message) as info:
        run("deadlines", *args)
    assert "\n" not in str(info.value)


def test_2021_is_a_year_of_the_agreement_because_the_2020_reports_fall_due_then() -> None:
    rows = json.loads(run("deadlines", AGREEMENT, "--year", "2021", "--format", "json"))
    assert {r["title"] for r in rows} == {
        "Redovisning av hela arbetet inom satsningen 2020",
        "Ekonomisk redovisning för 2020, intygad av ekonomichefen",
        "Återbetalning av medel för 2020 som inte har använts",
    }


def test_help_explains_the_year() -> None:
    from jamkoll.obligations.management.commands.deadlines import Command

    help_text = Command().create_parser("jamkoll", "deadlines").format_help()
    assert "2019" in help_text and "utan datum" in help_text


@pytest.fixture(scope="module")
def installed_db(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A real `jamkoll` process against its own fresh SQLite file."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["JAMKOLL_DATA_DIR"] = str(tmp_path_factory.mktemp("jamkoll-obl"))
    result = subprocess.run(_script("seed"), env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return env


def _script(*args: str) -> list[str]:
    exe = Path(sys.executable).with_name("jamkoll")
    return [str(exe), *args] if exe.exists() else [sys.executable, "-m", "jamkoll.cli", *args]


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(_script(*args), env=env, capture_output=True, text=True, timeout=120, check=False)


def test_the_console_script_meets_the_done_when(installed_db: dict[str, str]) -> None:
    result = _run(installed_db, "deadlines", AGREEMENT, "--year", "2019", "--format", "json")
    assert result.returncode == 0, result.stderr
    report = next(r for r in json.loads(result.stdout) if r["kind"] == "financial_report")
    assert (report["nominal_date"], report["effective_date"]) == ("2019-03-31", "2019-04-01")


def test_the_console_script_fails_with_one_line_and_non_zero_exit(installed_db: dict[str, str]) -> None:
    for args in (["deadlines", "finns-inte"], ["deadlines", AGREEMENT, "--year", "1999"]):
        result = _run(installed_db, *args)
        assert result.returncode != 0
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_the_reminders_command_runs(installed_db: dict[str, str]) -> None:
    # `jamkoll worker` is the web app's generic command now: tests/web/test_worker.py.
    reminders = _run(installed_db, "reminders", "--today", "2019-03-25")
    assert reminders.returncode == 0, reminders.stderr
    assert "Påminnelser 2019-03-25" in reminders.stdout
