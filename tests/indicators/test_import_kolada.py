"""Importing Kolada's data documents (API v3 and v2): gaps, ratios and ranks against hand-computed
values; all or nothing with every problem named by its JSON path; re-imports in place."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from jamkoll.accounts.policy import operator
from jamkoll.indicators.models import ImportRun, ImportStatus, Indicator, Observation, ObservationChange
from jamkoll.indicators.services import import_file
from jamkoll.reference.models import Organisation

from .docs import kolada_doc, obs, write_json

pytestmark = pytest.mark.django_db
KPI = "N00945"
ROW = '{"values": [{"kpi": "N00945", "municipality": "0180", "period": 2024, "values": [{"gender": "T", '


def gap_doc() -> dict[str, Any]:
    """Six municipalities with chosen values (hand-computed below), genders in varying order,
    a period as a string, a tie, a missing and a deleted value, seven decimals, Riket and a region."""
    return kolada_doc(
        [
            obs(KPI, "0180", 2024, K=82526.0, M=80000.5, T=81263.25),
            obs(KPI, "0580", "2024", M=52.5, T=51.0, K=50),
            obs(KPI, "1280", 2024, T=9.0, K=10, M=7.5),
            obs(KPI, "1480", 2024, K=30, M=None, T=30),
            obs(KPI, "2580", 2024, K={"value": 40, "isdeleted": True}, M=41, T=40.5),
            obs(KPI, "0114", 2024, K=Decimal("20.0000005"), M=20),
            obs(KPI, "0000", 2024, T=100, K=101.5, M=98.5),
            obs(KPI, "0012", 2024, T=77),
            # The year before, for the change over time.
            obs(KPI, "0180", 2023, K=80000, M=80000),
        ]
    )


def dump(document: dict[str, Any], path: Path) -> str:
    """JSON with Decimals written as numbers (seven decimals must reach the importer as written)."""
    text = json.dumps(document, default=lambda d: f"@@{d}@@")
    text = text.replace('"@@', "").replace('@@"', "")
    path.write_text(text, encoding="utf-8")
    return str(path)


def cli(*args: str) -> str:
    out = io.StringIO()
    call_command("indicators", *args, stdout=out)
    return out.getvalue()


def value(org: str, gender: str, period: int = 2024, kind: str = "kommun") -> Decimal | None:
    return Observation.objects.get(
        indicator__code=KPI, organisation__code=org, organisation__kind=kind, period=period, gender=gender
    ).value


def test_gap_analysis_after_a_kolada_import(tmp_path: Path) -> None:
    run = import_file(actor=operator(), path=dump(gap_doc(), tmp_path / "kpi.json"))
    assert run.status == ImportStatus.DONE and run.progress == 100
    assert run.rows == 23 and run.created == 23 and run.updated == 0 and run.indicators_created == 1
    indicator = Indicator.objects.get(code=KPI)
    assert indicator.provisional and indicator.title == KPI and indicator.divided_by_gender

    # Missing and deleted values are stored as NULL, never 0; seven decimals round half-even.
    assert value("1480", "M") is None
    assert value("2580", "K") is None
    assert value("0114", "K") == Decimal("20.000000")
    assert value("0180", "K") == Decimal("82526")
    assert value("00", "T", kind="riket") == Decimal("100")
    assert value("12", "T", kind="region") == Decimal("77")

    rows = {r["code"]: r for r in json.loads(cli("gap", KPI, "--year", "2024", "--format", "json"))}
    assert len(rows) == Organisation.objects.filter(kind="kommun").count()
    assert rows["0114"] == {
        "code": "0114",
        "name": rows["0114"]["name"],
        "women": "20",
        "men": "20",
        "total": None,
        "gap": "0",
        "ratio": "1",
        "rank": 1,
    }
    # |−2.5| and |2.5| tie: both rank 2, and the next rank is 4.
    assert (rows["0580"]["gap"], rows["0580"]["ratio"], rows["0580"]["rank"]) == ("-2.5", "0.9524", 2)
    assert (rows["1280"]["gap"], rows["1280"]["ratio"], rows["1280"]["rank"]) == ("2.5", "1.3333", 2)
    assert (rows["0180"]["gap"], rows["0180"]["ratio"], rows["0180"]["rank"]) == ("2525.5", "1.0316", 4)
    assert rows["0180"]["women"] == "82526" and rows["0180"]["total"] == "81263.25"
    # A missing or deleted value: no gap, no ratio, no rank.
    assert rows["1480"] == {
        **rows["1480"],
        "women": "30",
        "men": None,
        "gap": None,
        "ratio": None,
        "rank": None,
    }
    assert rows["2580"] == {**rows["2580"], "women": None, "men": "41", "gap": None, "rank": None}
    ranked = [code for code, r in rows.items() if r["rank"] is not None]
    assert ranked == ["0114", "0580", "1280", "0180"]

    table = cli("gap", KPI, "--year", "2024")
    assert "Skillnad (K−M)" in table and "Kvot (K/M)" in table and "Rang" in table
    assert "Riket: kvinnor 101.5, män 98.5, skillnad 3" in table


def test_one_bad_row_among_many_changes_nothing_and_names_it(tmp_path: Path) -> None:
    codes = list(Organisation.objects.filter(kind="kommun").order_by("code").values_list("code", flat=True))
    rows = [obs(KPI, code, 2022, K=i, M=i + 1, T=i + 0.5) for i, code in enumerate(codes[:200])]
    rows[137]["values"][1]["gender"] = "X"
    before = (Observation.objects.count(), Indicator.objects.count(), ObservationChange.objects.count())
    with pytest.raises(ValidationError) as refused:
        import_file(actor=operator(), path=write_json(tmp_path / "one-bad.json", kolada_doc(rows)))
    assert "$.values[137].values[1].gender: ogiltigt kön 'X' (ange T, K eller M)" in refused.value.messages
    assert (
        Observation.objects.count(),
        Indicator.objects.count(),
        ObservationChange.objects.count(),
    ) == before
    run = ImportRun.objects.get()
    assert run.status == ImportStatus.FAILED and run.created == 0
    assert run.problems == [
        {
            "where": "$.values[137].values[1].gender",
            "field": "gender",
            "message": "ogiltigt kön 'X' (ange T, K eller M)",
        }
    ]


def test_every_problem_is_listed(tmp_path: Path) -> None:
    rows = [
        obs(KPI, "0180", 2024, K=1, M=2),
        obs(KPI, "9999", 2024, T=1),  # unknown municipality
        obs(KPI, "0580", 9999, T=1),  # year out of range
        obs(KPI, "1280", 2024, T="tolv"),  # not a number
        obs("N 1", "1480", 2024, T=1),  # malformed id
        obs(KPI, "0180", 2024, T=3),  # a new gender for 0180: not a duplicate
        obs(KPI, "0180", 2024, K=5),  # the same key as $.values[0], K
    ]
    with pytest.raises(ValidationError):
        import_file(actor=operator(), path=write_json(tmp_path / "many.json", kolada_doc(rows)))
    problems = {(p["where"], p["field"]): p["message"] for p in ImportRun.objects.get().problems}
    assert problems[("$.values[1].municipality", "municipality")] == "okänd organisation '9999'"
    assert "2100" in problems[("$.values[2].period", "period")]
    assert problems[("$.values[3].values[0].value", "value")] == "inte ett tal: 'tolv'"
    assert "ogiltigt nyckeltals-id" in problems[("$.values[4].kpi", "kpi")]
    assert problems[("$.values[6]", "")] == "samma nyckeltal, organisation, år och kön som $.values[0]"
    assert len(problems) == 5
    assert not Observation.objects.filter(indicator__code=KPI).exists()


def test_a_key_twice_is_refused_naming_both(tmp_path: Path) -> None:
    rows = [obs(KPI, "0180", 2024, K=1, M=2), obs(KPI, "0580", 2024, T=1), obs(KPI, "0180", 2024, K=5)]
    with pytest.raises(ValidationError):
        import_file(actor=operator(), path=write_json(tmp_path / "dup.json", kolada_doc(rows)))
    assert ImportRun.objects.get().problems == [
        {
            "where": "$.values[2]",
            "field": "",
            "message": "samma nyckeltal, organisation, år och kön som $.values[0]",
        }
    ]
    assert not Observation.objects.filter(indicator__code=KPI).exists()
    assert not Indicator.objects.filter(code=KPI).exists()


def test_a_gender_twice_in_one_row_is_refused(tmp_path: Path) -> None:
    row = obs(KPI, "0180", 2024, K=1, M=2)
    row["values"].append({"gender": "K", "value": 3, "count": 0, "status": "", "isdeleted": False})
    with pytest.raises(
        ValidationError, match=r"\$.values\[0\].values\[2\].gender: könet K förekommer två gånger"
    ):
        import_file(actor=operator(), path=write_json(tmp_path / "dupg.json", kolada_doc([row])))


def test_reimport_updates_in_place_and_records_the_change(tmp_path: Path) -> None:
    rows = [obs(KPI, "0180", 2024, K=10, M=12, T=11), obs(KPI, "0580", 2024, K=5, M=None, T=5)]
    path = write_json(tmp_path / "a.json", kolada_doc(rows))
    first = import_file(actor=operator(), path=path)
    assert (first.created, first.updated, first.unchanged) == (6, 0, 0)
    ids = dict(Observation.objects.filter(indicator__code=KPI).values_list("organisation__code", "id"))

    again = import_file(actor=operator(), path=path)
    assert (again.rows, again.created, again.updated, again.unchanged) == (6, 0, 0, 6)
    assert again.indicators_created == 0 and not again.changes.exists()

    rows = [
        obs(KPI, "0180", 2024, K=10.5, M=12, T={"value": 11, "status": "Preliminär"}),
        obs(KPI, "0580", 2024, K={"value": 5, "isdeleted": True}, M=6, T=5),
    ]
    third = import_file(actor=operator(), path=write_json(tmp_path / "b.json", kolada_doc(rows)))
    assert (third.created, third.updated, third.unchanged) == (0, 4, 2)
    changes = {(c.organisation_code, c.gender): (c.old_value, c.new_value) for c in third.changes.all()}
    assert changes == {
        ("0180", "K"): (Decimal("10"), Decimal("10.5")),
        ("0580", "K"): (Decimal("5"), None),
        ("0580", "M"): (None, Decimal("6")),
    }  # the status change counts as updated, but the value did not change
    change = third.changes.get(gender="K", organisation_code="0180")
    assert (change.indicator_code, change.organisation_kind, change.period) == (KPI, "kommun", 2024)
    assert value("0180", "K") == Decimal("10.5") and value("0580", "K") is None
    assert (
        Observation.objects.get(indicator__code=KPI, organisation__code="0180", gender="T").status
        == "Preliminär"
    )
    assert (
        dict(Observation.objects.filter(indicator__code=KPI).values_list("organisation__code", "id")) == ids
    )


def test_version_2_documents_are_accepted(tmp_path: Path) -> None:
    rows = [obs(KPI, "0180", 2019, K=1.25, M={"value": 9, "isdeleted": True}, T=3)]
    document = kolada_doc(rows, version=2)
    assert "is_deleted" in document["values"][0]["values"][0]
    run = import_file(actor=operator(), path=write_json(tmp_path / "v2.json", document))
    assert run.status == ImportStatus.DONE and run.created == 3
    assert value("0180", "M", 2019) is None and value("0180", "K", 2019) == Decimal("1.25")


def test_a_group_id_is_refused_clearly(tmp_path: Path) -> None:
    rows = [obs(KPI, "G12345", 2024, T=1)]
    with pytest.raises(ValidationError) as refused:
        import_file(actor=operator(), path=write_json(tmp_path / "g.json", kolada_doc(rows)))
    assert any("'G12345' är en grupp i Kolada" in m for m in refused.value.messages)


def test_a_not_divided_kpi_has_only_total(tmp_path: Path) -> None:
    run = import_file(
        actor=operator(), path=write_json(tmp_path / "t.json", kolada_doc([obs("U00002", "0180", 2024, T=7)]))
    )
    assert run.created == 1 and not Indicator.objects.get(code="U00002").divided_by_gender


@pytest.mark.parametrize(
    ("raw", "where", "message"),
    [
        ('"status": "a\\u0000b"', "$.values[0].values[0].status", "Otillåtet tecken (U+0000)"),
        ('"value": 1E+400', "$.values[0].values[0].value", "för stort värde '1E+400'"),
        ('"value": 1E+14', "$.values[0].values[0].value", "för stort värde"),
        ('"value": -99999999999999.9999999', "$.values[0].values[0].value", "för stort värde"),
        ('"value": true', "$.values[0].values[0].value", "inte ett tal"),
        ('"count": -1', "$.values[0].values[0].count", "antalet -1 ligger utanför"),
        ('"count": 2.5', "$.values[0].values[0].count", "ogiltigt antal"),
        # `int()` of these took the worker 25 s a cell before the range was compared first
        ('"count": 1E+999999', "$.values[0].values[0].count", "antalet '1E+999999' ligger utanför"),
        ('"count": -1E+999999', "$.values[0].values[0].count", "antalet '-1E+999999' ligger utanför"),
    ],
)
def test_hostile_values_are_refused(tmp_path: Path, raw: str, where: str, message: str) -> None:
    text = ROW + "%s}]}]}"
    path = tmp_path / "h.json"
    path.write_text(text % raw, encoding="utf-8")
    with pytest.raises(ValidationError):
        import_file(actor=operator(), path=str(path))
    problems = ImportRun.objects.get().problems
    assert problems[0]["where"] == where and message in problems[0]["message"]
    assert not Observation.objects.filter(indicator__code=KPI).exists()


def test_hostile_strings_and_years(tmp_path: Path) -> None:
    rows = [
        obs("N" + "x" * 1_000_000, "0180", 2024, T=1),
        obs(KPI, "0180" * 300_000, 2024, T=1),
        obs(KPI, "0180", 9999, T=1),
        obs(KPI, "0180", "20x4", T=1),
        obs(KPI, "0180", 2024.5, T=1),
        obs(KPI, "0180", 2024, T={"value": 1, "status": "s" * 41}),
    ]
    with pytest.raises(ValidationError):
        import_file(actor=operator(), path=write_json(tmp_path / "w.json", kolada_doc(rows)))
    problems = ImportRun.objects.get().problems
    assert [p["where"] for p in problems] == [
        "$.values[0].kpi",
        "$.values[1].municipality",
        "$.values[2].period",
        "$.values[3].period",
        "$.values[4].period",
        "$.values[5].values[0].status",
    ]
    assert all(len(p["message"]) < 300 for p in problems)


@pytest.mark.parametrize(
    ("period", "gender", "where", "message"),
    [
        ("1E+999999", '"T"', "$.values[0].period", "ogiltigt år '1E+999999'"),
        ("-1E+999999", '"T"', "$.values[0].period", "ogiltigt år '-1E+999999'"),
        ("2024", '["T"]', "$.values[0].values[0].gender", "ogiltigt kön \"['T']\""),
        ("2024", '{"T": 1}', "$.values[0].values[0].gender", "ogiltigt kön"),
    ],
)
def test_a_huge_year_or_a_gender_that_is_not_text_is_refused(
    tmp_path: Path, period: str, gender: str, where: str, message: str
) -> None:
    """A year of a million digits was turned into an integer before its range was compared (25 s of
    the worker's time); a list as the gender failed the set lookup (`unhashable type`) and left the
    run "running" for ever. Both are refused, naming the place."""
    path = tmp_path / "p.json"
    head = '{"values": [{"kpi": "N00945", "municipality": "0180", "period": '
    path.write_text(
        head + period + ', "values": [{"gender": ' + gender + ', "value": 1.5}]}]}',
        encoding="utf-8",
    )
    with pytest.raises(ValidationError):
        import_file(actor=operator(), path=str(path))
    run = ImportRun.objects.get()
    assert run.status == ImportStatus.FAILED
    assert run.problems[0]["where"] == where and message in run.problems[0]["message"]


@pytest.mark.parametrize(
    "text",
    [
        ROW + '"value": NaN}]}]}',
        ROW + '"val',
        '{"values": [}',
        "",
        "\x00\x00",
    ],
)
def test_malformed_or_truncated_json_is_refused_with_a_position(tmp_path: Path, text: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValidationError) as refused:
        import_file(actor=operator(), path=str(path), format="kolada")
    problem = ImportRun.objects.get().problems[0]
    assert problem["where"].startswith("byte ") or problem["where"] == "$.values"
    assert "inget importerades" in refused.value.messages[0]


def test_no_values_at_all_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="inga värden"):
        import_file(actor=operator(), path=write_json(tmp_path / "e.json", {"count": 0, "values": []}))


def test_progress_is_reported_and_stored(tmp_path: Path) -> None:
    codes = list(Organisation.objects.filter(kind="kommun").values_list("code", flat=True))
    rows = [obs(KPI, code, year, K=1, M=2, T=1.5) for code in codes for year in range(2000, 2010)]
    seen: list[int] = []
    run = import_file(
        actor=operator(), path=write_json(tmp_path / "p.json", kolada_doc(rows)), progress=seen.append
    )
    assert run.created == len(rows) * 3
    assert seen == sorted(seen) and seen[-1] == 100 and len(set(seen)) > 5
    run.refresh_from_db()
    assert run.progress == 100


def test_importing_needs_the_right(tmp_path: Path, no_role: Any, analyst: Any) -> None:
    from django.core.exceptions import PermissionDenied

    path = write_json(tmp_path / "r.json", kolada_doc([obs(KPI, "0180", 2024, T=1)]))
    with pytest.raises(PermissionDenied):
        import_file(actor=no_role, path=path)
    run = import_file(actor=analyst, path=path)
    assert run.requested_by == analyst and run.created == 1
