"""`jamkoll indicators import|catalogue|gap` and the background import task."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import override_settings

from jamkoll.indicators.models import ImportRun, ImportStatus, Observation
from jamkoll.indicators.services import import_run_create, import_run_enqueue, imports_dir

from .docs import catalogue_doc, kolada_doc, obs, write_csv, write_json

pytestmark = pytest.mark.django_db
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def cli(*args: str) -> str:
    out = io.StringIO()
    call_command("indicators", *args, stdout=out)
    return out.getvalue()


def test_import_then_gap(tmp_path: Path) -> None:
    rows = [["kpi", "organisation", "period", "gender", "value"]]
    rows += [["N00001", "0180", "2024", "K", "3"], ["N00001", "0180", "2024", "M", "1"]]
    rows += [["N00001", "0580", "2024", "K", "2"], ["N00001", "0580", "2024", "M", "2,5"]]
    out = cli("import", write_csv(tmp_path / "a.csv", rows))
    assert out.strip() == (
        "Importerat: 4 värden, 4 nya, 0 ändrade, 0 oförändrade. 1 nyckeltal saknades i katalogen och "
        "skapades preliminärt (komplettera titel och beskrivning)."
    )
    assert "4 oförändrade" in cli("import", str(tmp_path / "a.csv"), "--format", "csv")
    data = json.loads(cli("gap", "N00001", "--year", "2024", "--format", "json"))
    assert [(r["code"], r["gap"], r["ratio"], r["rank"]) for r in data[:2]] == [
        ("0580", "-0.5", "0.8", 1),
        ("0180", "2", "3", 2),
    ]
    with pytest.raises(CommandError, match="--year: ogiltigt år"):
        cli("gap", "N00001", "--year", "20x4")
    with pytest.raises(CommandError, match="okänt nyckeltal 'N99'"):
        cli("gap", "N99", "--year", "2024")


def test_a_refused_file_prints_a_line_per_problem(tmp_path: Path) -> None:
    rows = [["kpi", "organisation", "period", "gender", "value"]]
    rows += [["N00001", "0180", str(1960 + i), "X", "1"] for i in range(30)]
    with pytest.raises(CommandError) as refused:
        cli("import", write_csv(tmp_path / "bad.csv", rows))
    lines = str(refused.value).splitlines()
    assert lines[0] == "filen avvisades (30 problem), inget importerades"
    assert lines[1] == "rad 2, gender: ogiltigt kön 'X' (ange T, K eller M)"
    assert len(lines) == 22 and lines[-1].startswith("… och 10 problem till")
    assert not Observation.objects.filter(indicator__code="N00001").exists()
    with pytest.raises(CommandError, match="filen finns inte"):
        cli("import", str(tmp_path / "missing.json"))


def test_catalogue_command(tmp_path: Path) -> None:
    path = write_json(tmp_path / "kpi.json", catalogue_doc([{"id": "N00945", "title": "Andel"}]))
    assert cli("catalogue", path).strip() == "Katalogen inläst: 1 nyckeltal, 1 nya, 0 ändrade, 0 oförändrade."


@override_settings(TASKS=IMMEDIATE)
def test_a_web_upload_runs_in_the_background_and_is_deleted(tmp_path: Path, analyst: Any) -> None:
    folder = imports_dir()
    folder.mkdir(parents=True, exist_ok=True)
    source = write_json(tmp_path / "up.json", kolada_doc([obs("N00945", "0180", 2024, K=1, M=2)]))
    stored = folder / "upload-test.json"
    shutil.copy(source, stored)
    run = import_run_create(actor=analyst, format="kolada", filename="up.json", stored_file=str(stored))
    assert run.status == ImportStatus.QUEUED
    import_run_enqueue(run)
    run.refresh_from_db()
    assert run.status == ImportStatus.DONE and run.progress == 100 and run.created == 2
    assert not stored.exists()


def test_a_stored_file_outside_the_data_dir_is_refused(analyst: Any) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        import_run_create(actor=analyst, format="kolada", filename="x.json", stored_file="/etc/passwd")
    assert "stored_file" in refused.value.message_dict
    with pytest.raises(ValidationError):
        import_run_create(actor=analyst, format="pdf", filename="x.pdf")
    assert not ImportRun.objects.exists()
    assert Path(settings.DATA_DIR).exists()
