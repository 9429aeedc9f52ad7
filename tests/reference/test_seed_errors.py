"""Bad data files get an error naming file, line and field, and nothing is written."""

from collections.abc import Iterator

import pytest
from django.core.management import CommandError, call_command

from jamkoll import seeding
from jamkoll.reference import services
from jamkoll.reference.models import Organisation
from jamkoll.seeding import SeedError

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
        services.reference_seed()


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
        services.reference_seed()


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
