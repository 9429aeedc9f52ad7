"""The command-line contract of DESIGN §5."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db
AGREEMENT = "jamstalldhet-kvinnofrid-2018-2020"


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_allocations_json_for_2018() -> None:
    data = json.loads(run("allocations", AGREEMENT, "2018", "--format", "json"))
    assert data["decision"] == AGREEMENT and data["year"] == 2018
    assert data["total"] == "20000000.00"
    assert [line["amount"] for line in data["lines"]] == [
        "2500000.00",
        "2500000.00",
        "6000000.00",
        "9000000.00",
    ]
    assert [(line["goal_area"], line["recipient"]) for line in data["lines"]] == [
        (1, "SKR"),
        (2, "SKR"),
        (3, "SKR"),
        (3, "RSS"),
    ]
    counties = {c["code"]: c["amount"] for c in data["counties"]}
    assert len(counties) == 21
    assert all(counties[c] == "600000.00" for c in ("01", "12", "14"))
    assert all(a == "400000.00" for c, a in counties.items() if c not in ("01", "12", "14"))
    assert next(c["name"] for c in data["counties"] if c["code"] == "25") == "Norrbottens län"


def test_allocations_json_for_2019_says_not_decided() -> None:
    data = json.loads(run("allocations", AGREEMENT, "2019", "--format", "json"))
    assert data["decided"] is False
    assert [line["amount"] for line in data["lines"]] == [None, None, None, "9000000.00"]


def test_allocations_csv_and_table() -> None:
    csv_text = run("allocations", AGREEMENT, "2018", "--format", "csv")
    assert csv_text.splitlines()[0] == "section,key,name,amount"
    assert "county,01,Stockholms län,600000.00" in csv_text
    table = run("allocations", AGREEMENT, "2018")
    assert "20\u00a0000\u00a0000\u00a0kr" in table and "Medel till SKL" in table


def test_organisations_show_the_name_valid_on_the_date() -> None:
    before = json.loads(run("organisations", "--code", "SKR", "--on", "2018-06-01", "--format", "json"))
    after = json.loads(run("organisations", "--code", "SKR", "--on", "2020-06-01", "--format", "json"))
    assert before == [
        {"code": "SKR", "kind": "other", "name": "Sveriges Kommuner och Landsting", "county_code": None}
    ]
    assert after[0]["name"] == "Sveriges Kommuner och Regioner"


def test_organisations_filter_by_kind() -> None:
    kommuner = json.loads(run("organisations", "--kind", "kommun", "--format", "json"))
    assert len(kommuner) == 290
    assert {"code": "0180", "kind": "kommun", "name": "Stockholm", "county_code": "01"} in kommuner


def test_programmes_json() -> None:
    data = json.loads(run("programmes", "--format", "json"))
    by_slug = {p["slug"]: p for p in data}
    agreement = by_slug["starkt-jamstalldhet-kvinnofrid-2018-2020"]["decisions"][0]
    assert agreement == {
        "slug": AGREEMENT,
        "kind": "agreement",
        "years": [2018, 2019, 2020],
        "amount_per_year": "20000000.00",
        "amount_total": None,
    }
    assert by_slug["program-hallbar-jamstalldhet"]["start_year"] == 2008


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("allocations", "no-such-decision", "2018"), "okänt beslut: 'no-such-decision'"),
        (("allocations", AGREEMENT, "2017"), "år 2017 ligger utanför beslutets period 2018–2020"),
        (("allocations", AGREEMENT, "tjugo"), "ogiltigt år 'tjugo'"),
        (("organisations", "--on", "2018-02-30"), "--on: ogiltigt datum '2018-02-30'"),
        (("organisations", "--code", "XYZ"), "ingen organisation med koden 'XYZ'"),
    ],
)
def test_bad_input_is_a_one_line_error(args: tuple[str, ...], message: str) -> None:
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")) as exc:
        run(*args)
    assert "\n" not in str(exc.value)


def test_a_malformed_option_is_refused() -> None:
    with pytest.raises(CommandError, match="invalid choice: 'xml'"):
        run("allocations", AGREEMENT, "2018", "--format", "xml")


@pytest.fixture(scope="module")
def installed_db(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A real `jamkoll` process against its own fresh SQLite file (the user's path)."""
    data_dir = tmp_path_factory.mktemp("jamkoll-var")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update({"JAMKOLL_DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE": "jamkoll.settings"})
    result = subprocess.run(_script("seed"), env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return env


def _script(*args: str) -> list[str]:
    exe = Path(sys.executable).with_name("jamkoll")
    return [str(exe), *args] if exe.exists() else [sys.executable, "-m", "jamkoll.cli", *args]


def test_the_console_script_meets_the_done_when(installed_db: dict[str, str]) -> None:
    result = subprocess.run(
        _script("allocations", AGREEMENT, "2018", "--format", "json"),
        env=installed_db,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["total"] == "20000000.00"
    result = subprocess.run(
        _script("organisations", "--code", "SKR", "--on", "2018-06-01", "--format", "json"),
        env=installed_db,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert json.loads(result.stdout)[0]["name"] == "Sveriges Kommuner och Landsting"
    again = subprocess.run(_script("seed"), env=installed_db, capture_output=True, text=True, timeout=300)
    assert "inget ändrades" in again.stdout


def test_the_console_script_fails_with_one_line_and_non_zero_exit(installed_db: dict[str, str]) -> None:
    result = subprocess.run(
        _script("allocations", "no-such-decision", "2018"),
        env=installed_db,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert result.stderr.strip().count("\n") == 0
    assert "okänt beslut" in result.stderr


def test_a_refused_ledger_entry_is_one_line_and_a_non_zero_exit(installed_db: dict[str, str]) -> None:
    result = subprocess.run(
        _script("ledger", "requisition", AGREEMENT, "2018", "5e2", "--ref", "X"),
        env=installed_db,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert result.stderr.strip().count("\n") == 0
    assert "ingenting registrerades: belopp: ogiltigt belopp: '5e2'" in result.stderr
