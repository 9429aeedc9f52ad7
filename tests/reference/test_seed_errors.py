"""Bad data files get an error naming file, line and field, and nothing is written."""

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from jamkoll import seeding
from jamkoll.accounts.policy import SEED_LOADER
from jamkoll.reference import services
from jamkoll.reference.models import Organisation, OrganisationKind
from jamkoll.seeding import SeedError
from tests.hostile import nothing_stored

pytestmark = pytest.mark.django_db


def _fake_csv(bad_file: str, rows: list[dict[str, str]]):  # type: ignore[no-untyped-def]
    real = seeding.read_csv

    def fake(package: str, name: str) -> Iterator[tuple[int, dict[str, str]]]:
        if name == bad_file:
            yield from ((i + 2, row) for i, row in enumerate(rows))
        else:
            yield from real(package, name)

    return fake


def test_a_municipality_in_the_wrong_county_names_file_line_and_field(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(
        services,
        "read_csv",
        _fake_csv("municipalities.csv", [{"code": "0114", "name": "Upplands Väsby", "county_code": "03"}]),
    )
    with pytest.raises(
        SeedError, match=r"municipalities\.csv:2 \(code\): kommunkoden 0114 börjar inte med länskoden 03"
    ):
        services.reference_seed(actor=SEED_LOADER)


def test_a_bad_date_is_reported_with_its_place(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        services,
        "read_csv",
        _fake_csv(
            "region_names.csv",
            [
                {
                    "county_code": "01",
                    "name": "X",
                    "valid_from": "2019-13-01",
                    "valid_to": "",
                    "form": "region",
                }
            ],
        ),
    )
    with pytest.raises(SeedError, match=r"region_names\.csv:2 \(valid_from\): ogiltigt datum"):
        services.reference_seed(actor=SEED_LOADER)


def test_a_failed_seed_writes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    before = Organisation.objects.count()
    names_before = list(
        Organisation.objects.get(kind="kommun", code="0114").names.values_list("name", flat=True)
    )
    rows = [
        {"code": "0114", "name": "Ändrat namn", "county_code": "01"},
        {"code": "9999", "name": "Finns inte", "county_code": "99"},
    ]
    monkeypatch.setattr(services, "read_csv", _fake_csv("municipalities.csv", rows))
    with pytest.raises(
        CommandError, match=r"inget sparades: municipalities\.csv:3 \(county_code\): okänt län '99'"
    ):
        call_command("seed", "--no-migrate")
    assert Organisation.objects.count() == before
    assert (
        list(Organisation.objects.get(kind="kommun", code="0114").names.values_list("name", flat=True))
        == names_before
    )


def test_a_csv_row_with_too_many_fields_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    class FakeFiles:
        def joinpath(self, *parts: str) -> "FakeFiles":
            return self

        def read_text(self, encoding: str = "utf-8") -> str:
            return "code,name\n01,Stockholms län,extra\n"

    monkeypatch.setattr(seeding.resources, "files", lambda package: FakeFiles())
    with pytest.raises(SeedError, match=r"counties\.csv:2: fel antal fält"):
        list(seeding.read_csv("jamkoll.reference", "counties.csv"))


# --- the schemas of the CSVs and policy_goals.json (issue 10) ----------------------------------

MUNICIPALITY = {"code": "0114", "name": "Upplands Väsby", "county_code": "01"}


def test_a_missing_column_names_file_line_and_field(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(services, "read_csv", _fake_csv("counties.csv", [{"code": "01"}]))
    with nothing_stored(), pytest.raises(SeedError) as caught:
        services.reference_seed(actor=SEED_LOADER)
    assert str(caught.value) == "counties.csv:2 (name): nyckeln saknas"
    assert (caught.value.file, caught.value.line, caught.value.field) == ("counties.csv", 2, "name")


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        ({**MUNICIPALITY, "name": "Upplands\x00Väsby"}, "name", "Otillåtet tecken (U+0000) på plats 9."),
        ({**MUNICIPALITY, "name": "x" * 1_000_001}, "name", "för lång: högst 200 (nu 1000001)"),
        ({**MUNICIPALITY, "code": "O114"}, "code", "kommunkod ska vara fyra siffror: 'O114'"),
        ({**MUNICIPALITY, "county_code": "99"}, "county_code", "okänt län '99'"),
        ({**MUNICIPALITY, "kommun": "ja"}, "kommun", "okänd nyckel (felstavad?)"),
    ],
)
def test_a_bad_value_in_a_csv_is_refused_with_its_place(
    monkeypatch: pytest.MonkeyPatch, row: dict[str, str], field: str, message: str
) -> None:
    monkeypatch.setattr(services, "read_csv", _fake_csv("municipalities.csv", [row]))
    with nothing_stored(), pytest.raises(SeedError) as caught:
        services.reference_seed(actor=SEED_LOADER)
    assert str(caught.value) == f"municipalities.csv:2 ({field}): {message}"


def test_an_unknown_kind_or_organisation_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    row = {"kind": "other", "code": "XYZ", "name": "X", "short_name": "", "form": ""}
    row |= {"valid_from": "", "valid_to": "", "source": ""}
    monkeypatch.setattr(services, "read_csv", _fake_csv("organisation_names.csv", [row]))
    with pytest.raises(
        SeedError, match=r"^organisation_names\.csv:2 \(code\): okänd organisation other/XYZ$"
    ):
        services.reference_seed(actor=SEED_LOADER)
    monkeypatch.setattr(services, "read_csv", _fake_csv("organisation_names.csv", [{**row, "kind": "firma"}]))
    with pytest.raises(SeedError, match=r"^organisation_names\.csv:2 \(kind\): ska vara en av 'riket', "):
        services.reference_seed(actor=SEED_LOADER)


def test_a_1_mb_field_in_a_csv_text_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    class FakeFiles:
        def joinpath(self, *parts: str) -> "FakeFiles":
            return self

        def read_text(self, encoding: str = "utf-8") -> str:
            return "code,name\n01,Stockholms län\n02," + "x" * 1_000_001 + "\n"

    monkeypatch.setattr(seeding.resources, "files", lambda package: FakeFiles())
    with pytest.raises(SeedError, match=r"^counties\.csv:3: ogiltig CSV: field larger than field limit"):
        list(seeding.read_csv("jamkoll.reference", "counties.csv"))


def test_policy_goals_json_with_a_missing_key_names_its_path(monkeypatch: pytest.MonkeyPatch) -> None:
    data = seeding.read_json("jamkoll.reference", "policy_goals.json")
    del data["sub_goals"][5]["title"]
    monkeypatch.setattr(services, "read_json", lambda package, name: data)
    with nothing_stored(), pytest.raises(SeedError) as caught:
        services.reference_seed(actor=SEED_LOADER)
    assert str(caught.value) == "policy_goals.json: sub_goals[5].title: nyckeln saknas"


def test_the_region_note_comes_from_the_data() -> None:
    gotland = Organisation.objects.get(kind=OrganisationKind.REGION, code="09")
    assert gotland.note.startswith("Gotland har inget landsting")
    assert not Organisation.objects.filter(kind=OrganisationKind.REGION).exclude(code="09").exclude(note="")


def test_it_loads_reference_data_only_for_an_admin_or_the_loader(coordinator: Any) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied, match="^Kräver rollen systemadministratör.$"):
        services.reference_seed(actor=coordinator)
