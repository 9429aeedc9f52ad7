"""plans_2018.json through its declared schema: a bad document is a SeedError naming the file,
the JSON path and the field — never a traceback — and nothing is written."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from jamkoll.accounts.policy import SEED_LOADER
from jamkoll.plans import seed
from jamkoll.plans.models import Activity
from jamkoll.seeding import SeedError, SeedReport, read_json
from tests.hostile import HOSTILE_DATES, HOSTILE_TEXT, nothing_stored

pytestmark = pytest.mark.django_db
FILE = "plans_2018.json"


@pytest.fixture
def document() -> dict[str, Any]:
    return copy.deepcopy(read_json("jamkoll.plans", FILE))


@pytest.fixture
def seed_with(monkeypatch: pytest.MonkeyPatch) -> Callable[[Any], SeedReport]:
    def load(data: Any) -> SeedReport:
        monkeypatch.setattr(seed, "read_json", lambda package, name: data)
        return seed.plans_seed(actor=SEED_LOADER)

    return load


def _refused(load: Callable[[Any], SeedReport], data: Any) -> SeedError:
    with nothing_stored(), pytest.raises(SeedError) as caught:
        load(data)
    assert caught.value.file == FILE
    return caught.value


def test_it_names_file_path_and_field_of_a_missing_key(seed_with: Any, document: dict[str, Any]) -> None:
    del document["activities"][3]["title"]
    error = _refused(seed_with, document)
    assert (error.path, error.field) == ("activities[3].title", "title")
    assert str(error) == "plans_2018.json: activities[3].title: nyckeln saknas"


def test_it_fails_the_seed_command_with_one_line(
    monkeypatch: pytest.MonkeyPatch, document: dict[str, Any]
) -> None:
    title = document["activities"][0]["title"]
    document["activities"][0]["title"] = "Ändrad"
    del document["activities"][7]["outputs"][0]["unit"]
    monkeypatch.setattr(seed, "read_json", lambda package, name: document)
    with pytest.raises(CommandError) as caught:
        call_command("seed", "--no-migrate")
    assert str(caught.value) == (
        "inläsningen avbröts, inget sparades: plans_2018.json: activities[7].outputs[0].unit: nyckeln saknas"
    )
    assert Activity.objects.get(code=document["activities"][0]["code"]).title == title


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("goal_area", "2", "ska vara ett heltal"),
        ("title", ["en", "lista"], "ska vara text"),
        ("partners", "other:SOS", "ska vara en lista"),
        ("status", "klar", "ska vara en av 'planned', 'ongoing', 'completed' eller 'cancelled'"),
        ("owner_county", "1", "länskod ska vara två siffror: '1'"),
        ("municipalities", ["114"], "kommunkod ska vara fyra siffror: '114'"),
        ("code", "Ä-kod", "kortnamnet får bara innehålla a–z, 0–9 och bindestreck"),
        ("budget_line", {"goal_area": 2, "recipient": "SKR", "amount": "1"}, "okänd nyckel (felstavad?)"),
    ],
)
def test_it_refuses_a_wrong_type_at_its_path(
    seed_with: Any, document: dict[str, Any], key: str, value: Any, message: str
) -> None:
    document["activities"][0][key] = value
    error = _refused(seed_with, document)
    assert error.path.startswith(f"activities[0].{key}")
    assert error.message == message


def test_it_refuses_a_misspelt_key(seed_with: Any, document: dict[str, Any]) -> None:
    document["activities"][10]["outputs"][1]["woman"] = 3
    error = _refused(seed_with, document)
    assert (error.path, error.message) == ("activities[10].outputs[1].woman", "okänd nyckel (felstavad?)")


@pytest.mark.parametrize("text", HOSTILE_TEXT, ids=["nul", "bel", "1mb", "bidi", "surrogate", "escape"])
def test_it_refuses_hostile_text(seed_with: Any, document: dict[str, Any], text: str) -> None:
    document["narratives"][0]["text"] = text
    error = _refused(seed_with, document)
    assert error.path == "narratives[0].text"
    assert len(str(error)) < 300


@pytest.mark.parametrize("date", HOSTILE_DATES)
def test_it_refuses_a_bad_date(seed_with: Any, document: dict[str, Any], date: str) -> None:
    document["activities"][0]["planned_start"] = date
    assert _refused(seed_with, document).path == "activities[0].planned_start"


@pytest.mark.parametrize(
    ("change", "path", "message"),
    [
        (lambda d: d.update(decision="finns-inte"), "decision", "okänt beslut 'finns-inte'"),
        (lambda d: d.update(year=2021), "year", "år 2021 ligger utanför beslutets period"),
        (
            lambda d: d["activities"][0].update(sub_project=3),
            "activities[0].sub_project",
            "okänt delprojekt 3",
        ),
        (lambda d: d["activities"][0].update(goal_area=4), "activities[0].goal_area", "okänt målområde 4"),
        (
            lambda d: d["activities"][0].update(sub_goals=[5, 7]),
            "activities[0].sub_goals[1]",
            "okänt delmål 7",
        ),
        (
            lambda d: d["activities"][0].update(partners=["other:SOS", "other:XYZ"]),
            "activities[0].partners[1]",
            "okänd organisation 'other:XYZ'",
        ),
        (
            lambda d: d["activities"][0].update(partners=["land:SOS"]),
            "activities[0].partners[0]",
            "ska vara typ:kod, med typ en av riket, lan, kommun, region, other (kod* för alla som börjar så)",
        ),
        (
            lambda d: d["activities"][0].update(partners=["other:QQ*"]),
            "activities[0].partners[0]",
            "referensen 'other:QQ*' matchar ingen organisation",
        ),
        (
            lambda d: d["activities"][0].update(municipalities=["0199"]),
            "activities[0].municipalities[0]",
            "okänd organisation 'kommun:0199'",
        ),
        (lambda d: d["activities"][0].update(counties=["02"]), "activities[0].counties[0]", "okänt län '02'"),
        (
            lambda d: d["activities"][0].update(budget_line={"goal_area": 1, "recipient": "RSS"}),
            "activities[0].budget_line",
            "ingen budgetrad för målområde 1 och RSS",
        ),
        (
            lambda d: d["activities"][1].update(code=d["activities"][0]["code"]),
            "activities[1].code",
            None,
        ),
        (
            lambda d: d["evaluations"][0].update(activities=["finns-inte"]),
            "evaluations[0].activities[0]",
            "okänd aktivitet 'finns-inte'",
        ),
        (
            lambda d: d["narratives"][0].update(key="title"),
            "narratives[0].key",
            "texten 'title' är rapportens titel, som dokumentet redan anger (title)",
        ),
        (
            lambda d: d["activities"][0]["outputs"][0].update(women=1, men=1, other=1),
            "activities[0].outputs[0].total",
            None,
        ),
        (
            lambda d: d["steering_group"].update(members=[{"name": "X"}]),
            "steering_group.members",
            None,
        ),
    ],
)
def test_it_names_a_reference_that_does_not_hold(
    seed_with: Any,
    document: dict[str, Any],
    change: Callable[[dict[str, Any]], None],
    path: str,
    message: str | None,
) -> None:
    change(document)
    with nothing_stored(), pytest.raises(SeedError) as caught:
        seed_with(document)
    assert caught.value.path == path
    if message is not None:
        assert caught.value.message == message


def test_the_validated_document_loads_to_the_same_rows(seed_with: Any, document: dict[str, Any]) -> None:
    report = seed_with(document)
    assert not report.changed, (report.created, report.updated)
