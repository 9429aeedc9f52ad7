"""`jamkoll decision import FILE.json [--dry-run]` (issue 11, DESIGN §5)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from jamkoll.obligations.models import Obligation
from jamkoll.obligations.transitions import obligation_submit
from jamkoll.programmes.models import FundingDecision
from tests.hostile import nothing_stored, row_counts

from .decision_docs import SLUG, grant_2022

pytestmark = pytest.mark.django_db


def write(tmp_path: Path, doc: Any, name: str = "beslut-2022.json") -> str:
    path = tmp_path / name
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return str(path)


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("decision", *args, stdout=out)
    return out.getvalue()


def test_it_imports_a_decision_whose_condition_falls_on_a_holiday(tmp_path: Path) -> None:
    out = run("import", write(tmp_path, grant_2022()))
    assert f"Beslutet {SLUG} registrerades." in out
    assert "nya villkor: 3" in out and "nya åtaganden: 3" in out
    line = next(row for row in out.splitlines() if "projektplan" in row)
    assert "2022-06-07" in line and "2022-06-06 är en helgdag (nationaldagen)" in line
    plan = Obligation.objects.get(decision__slug=SLUG, key="2022-project_plan")
    assert str(plan.effective_date) == "2022-06-07"


def test_a_second_import_changes_nothing(tmp_path: Path) -> None:
    path = write(tmp_path, grant_2022())
    run("import", path)
    before = row_counts()
    out = run("import", path)
    assert "var redan aktuellt" in out and "ingenting ändrades" in out
    assert row_counts() == before


def test_a_dry_run_prints_the_obligations_and_stores_nothing(tmp_path: Path) -> None:
    with nothing_stored():
        out = run("import", write(tmp_path, grant_2022()), "--dry-run")
    assert out.startswith("Förhandsgranskning, ingenting sparades")
    assert "2022-06-07" in out
    data = json.loads(run("import", write(tmp_path, grant_2022()), "--dry-run", "--format", "json"))
    assert data["dry_run"] and data["created"]
    assert [(o["key"], o["effective_date"], o["moved"]) for o in data["obligations"]] == [
        ("2022-project_plan", "2022-06-07", True),
        ("2022-requisition", "2022-12-01", False),
        ("2022-financial_report", "2023-03-31", False),
    ]
    assert not FundingDecision.objects.filter(slug=SLUG).exists()


@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        (
            grant_2022(conditions=[{"kind": "requisition", "text": "x"}, {"kind": "repayment", "text": ""}]),
            "conditions[1].text: får inte vara tom",
        ),
        (grant_2022(grantor="NOPE"), "grantor: okänd organisation 'NOPE'"),
        (grant_2022(start_year=1066), "start_year: ska vara minst 2000"),
        ('{"slug": "a", "slug": "b"}', "ogiltig JSON: nyckeln 'slug' förekommer två gånger"),
        ("{not json", "ogiltig JSON"),
    ],
)
def test_an_invalid_document_is_refused_on_one_line_naming_file_and_path(
    tmp_path: Path, doc: Any, expected: str
) -> None:
    path = write(tmp_path, doc)
    with nothing_stored(), pytest.raises(CommandError) as caught:
        run("import", path)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"ingenting registrerades: {path}")
    assert expected in message


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="saknas.json: kan inte läsas"):
        run("import", str(tmp_path / "saknas.json"))


def test_removing_a_condition_whose_obligation_was_submitted_is_refused(
    tmp_path: Path, coordinator: Any
) -> None:
    run("import", write(tmp_path, grant_2022()))
    plan = Obligation.objects.get(decision__slug=SLUG, key="2022-project_plan")
    obligation_submit(obligation=plan, submitted_on=plan.effective_date, actor=coordinator)
    doc = grant_2022()
    doc["conditions"] = doc["conditions"][1:]
    with nothing_stored(), pytest.raises(CommandError) as caught:
        run("import", write(tmp_path, doc))
    assert "conditions[0]: villkoret tas bort eller byter slag" in str(caught.value)
    assert "inlämnat 2022-06-07" in str(caught.value)


def test_the_console_script_exits_non_zero(tmp_path: Path) -> None:
    """The contract is the console script's: a bad document gives a non-zero exit and one line."""
    import subprocess
    import sys

    path = write(tmp_path, grant_2022(kind="beslut"))
    done = subprocess.run(
        [sys.executable, "-m", "jamkoll.cli", "decision", "import", path],
        capture_output=True,
        text=True,
        env={**__import__("os").environ, "JAMKOLL_DATA_DIR": str(tmp_path)},
        check=False,
    )
    assert done.returncode != 0
    assert f"{path}: kind: ska vara en av" in done.stderr
