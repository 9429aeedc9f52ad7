"""The key figures' API (/api/v1/indicators): catalogue, observations, gap, trend, imports; small
counts suppressed for the public and shown to a role; every input bounded."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from jamkoll.indicators import services as indicator_services
from jamkoll.indicators.models import ImportRun, ImportStatus, Indicator, Observation
from jamkoll.reference.models import Organisation, PolicySubGoal, StrategyObjective

from ..conftest import client_for

pytestmark = pytest.mark.django_db

BASE = "/api/v1/indicators"
KPI = "N00001"

# Values that rest on a count below 5 (or could be derived from one), which no anonymous answer
# may carry: Malmö's women (count 3) and hence its men, gap and ratio; Upplands Väsby's total
# (count 2); Linköping's gap in 2022 (women's count 4), its values that year.
SECRETS = {"777.123", "41.25", "735.873", "18.8393", "9.9", "-10.25", "10.5", "20.75"}


@pytest.fixture
def services() -> Any:
    return indicator_services


def _org(kind: str, code: str) -> Organisation:
    return Organisation.objects.get(kind=kind, code=code)


def _obs(
    indicator: Indicator, org: Organisation, period: int, gender: str, value: str | None, count: int | None
):
    return Observation(
        indicator=indicator,
        organisation=org,
        period=period,
        gender=gender,
        value=None if value is None else Decimal(value),
        count=count,
    )


@pytest.fixture
def kpi(db: None) -> Indicator:
    indicator = Indicator.objects.create(
        code=KPI, title="Andel med eftergymnasial utbildning", unit="procent", divided_by_gender=True
    )
    indicator.sub_goals.set(PolicySubGoal.objects.filter(number=2))
    indicator.strategy_objectives.set(StrategyObjective.objects.order_by("number")[:1])
    riket = _org("riket", "00")
    sthlm, lkpg, malmo, lulea, vasby = (_org("kommun", c) for c in ("0180", "0580", "1280", "2580", "0114"))
    rows = [
        _obs(indicator, riket, 2023, "K", "80", 5000),
        _obs(indicator, riket, 2023, "M", "70", 5000),
        _obs(indicator, riket, 2023, "T", "75", 10000),
        _obs(indicator, sthlm, 2023, "K", "60", 100),
        _obs(indicator, sthlm, 2023, "M", "50", 100),
        _obs(indicator, sthlm, 2023, "T", "55", 200),
        _obs(indicator, lkpg, 2023, "K", "52", 50),
        _obs(indicator, lkpg, 2023, "M", "50", 50),
        _obs(indicator, lkpg, 2023, "T", "51", 100),
        _obs(indicator, malmo, 2023, "K", "777.123", 3),
        _obs(indicator, malmo, 2023, "M", "41.25", 60),
        _obs(indicator, malmo, 2023, "T", "100.5", 63),
        _obs(indicator, lulea, 2023, "K", "45", 40),
        _obs(indicator, lulea, 2023, "M", "50", 40),
        _obs(indicator, lulea, 2023, "T", "47.5", 80),
        _obs(indicator, vasby, 2023, "T", "9.9", 2),
        _obs(indicator, sthlm, 2022, "K", "55", 100),
        _obs(indicator, sthlm, 2022, "M", "50", 100),
        _obs(indicator, lkpg, 2022, "K", "10.5", 4),
        _obs(indicator, lkpg, 2022, "M", "20.75", 50),
        _obs(indicator, lulea, 2022, "K", None, None),
    ]
    Observation.objects.bulk_create(rows)
    Indicator.objects.create(code="N99999", title="N99999", provisional=True)
    Indicator.objects.create(code="X00001", title="Exempel: kvinnors lön", generated=True)
    return indicator


def _strings(data: Any) -> Iterator[str]:
    if isinstance(data, dict):
        for v in data.values():
            yield from _strings(v)
    elif isinstance(data, list):
        for v in data:
            yield from _strings(v)
    elif data is not None:
        yield str(data)


# --- The catalogue ---------------------------------------------------------------------------


def test_list_filters_and_pages(client: Client, kpi: Indicator) -> None:
    data = client.get(BASE).json()
    assert data["total"] == 3 and [i["code"] for i in data["items"]] == [KPI, "N99999", "X00001"]
    assert client.get(BASE, {"provisional": "true"}).json()["items"][0]["code"] == "N99999"
    generated = client.get(BASE, {"generated": "true"}).json()["items"]
    assert [i["code"] for i in generated] == ["X00001"]
    assert generated[0]["generated_note"] == "Genererade exempeldata – inte verklig statistik"
    assert client.get(BASE, {"q": "eftergymnasial"}).json()["total"] == 1
    page = client.get(BASE, {"limit": 1, "offset": 1}).json()
    assert page["total"] == 3 and [i["code"] for i in page["items"]] == ["N99999"]
    assert client.get(BASE, {"limit": 501}).status_code == 422
    assert client.get(BASE, {"offset": -1}).status_code == 422


def test_detail_has_links_and_years(client: Client, kpi: Indicator) -> None:
    data = client.get(f"{BASE}/{KPI}").json()
    assert data["years"] == [2022, 2023]
    assert data["sub_goals"] == [{"number": 2, "title": PolicySubGoal.objects.get(number=2).title}]
    assert len(data["strategy_objectives"]) == 1
    assert data["generated"] is False and data["generated_note"] is None and data["provisional"] is False
    missing = client.get(f"{BASE}/N12345")
    assert missing.status_code == 404 and "N12345" in missing.json()["detail"]
    assert client.get(f"{BASE}/{'N' * 21}").status_code == 422


# --- Suppression --------------------------------------------------------------------------------


def test_gap_for_the_public_hides_small_counts_and_what_derives_from_them(
    client: Client, kpi: Indicator
) -> None:
    response = client.get(f"{BASE}/{KPI}/gap", {"year": 2023})
    assert response.status_code == 200
    data = response.json()
    assert data["suppressed_below"] == 5
    rows = {r["code"]: r for r in data["rows"]}
    malmo = rows["1280"]
    assert malmo["suppressed"] is True
    assert [malmo[k] for k in ("women", "men", "gap", "ratio", "rank", "change")] == [None] * 6
    assert malmo["total"] == "100.5"  # its own count is 63
    # Ranked anew over what is shown: no hole where Malmö stood.
    assert [(r["code"], r["rank"]) for r in data["rows"][:3]] == [("0580", 1), ("2580", 2), ("0180", 3)]
    assert rows["0580"]["previous_gap"] is None and rows["0580"]["change"] is None  # 2022: count 4
    assert rows["0180"]["previous_gap"] == "5" and rows["0180"]["change"] == "5"
    assert all(r[f"{s}_count"] is None for r in data["rows"] for s in ("women", "men", "total"))
    assert data["national"]["gap"] == "10" and data["national"]["ratio"] == "1.1429"
    assert rows["0114"]["total"] is None  # count 2
    assert not SECRETS & set(_strings(data))


def test_gap_for_the_analyst_shows_everything(analyst: Any, kpi: Indicator) -> None:
    data = client_for(analyst).get(f"{BASE}/{KPI}/gap", {"year": 2023, "level": "kommun"}).json()
    assert data["suppressed_below"] is None
    rows = {r["code"]: r for r in data["rows"]}
    malmo = rows["1280"]
    assert (malmo["women"], malmo["men"], malmo["gap"], malmo["ratio"]) == (
        "777.123",
        "41.25",
        "735.873",
        "18.8393",
    )
    assert malmo["rank"] == 4 and malmo["women_count"] == 3 and malmo["suppressed"] is False
    assert rows["0580"]["previous_gap"] == "-10.25" and rows["0580"]["change"] == "12.25"
    assert rows["0114"]["total"] == "9.9" and rows["0114"]["total_count"] == 2
    assert rows["0180"]["county_code"] == "01" and rows["0180"]["kolada_id"] == "0180"


def test_signed_in_without_a_role_sees_what_the_public_sees(no_role: Any, kpi: Indicator) -> None:
    c = client_for(no_role)
    data = c.get(f"{BASE}/{KPI}/gap", {"year": 2023}).json()
    assert data["suppressed_below"] == 5 and not SECRETS & set(_strings(data))


def test_observations_for_the_public_and_the_analyst(client: Client, analyst: Any, kpi: Indicator) -> None:
    query = {"indicator": KPI, "period": 2023, "level": "kommun"}
    public = client.get(f"{BASE}/observations", query).json()
    assert public["total"] == 13
    by_key = {(o["code"], o["gender"]): o for o in public["items"]}
    assert by_key[("1280", "K")]["value"] is None and by_key[("1280", "K")]["suppressed"] is True
    assert by_key[("1280", "M")]["value"] is None  # men's count is 60, but K − M would give women's
    assert by_key[("1280", "T")]["value"] == "100.5"
    assert by_key[("0114", "T")]["value"] is None
    assert all(o["count"] is None for o in public["items"])
    assert not SECRETS & set(_strings(public))
    everything = client.get(f"{BASE}/observations", {"indicator": KPI, "limit": 1000}).json()
    assert everything["total"] == 21 and not SECRETS & set(_strings(everything))

    own = client_for(analyst).get(f"{BASE}/observations", query).json()
    mine = {(o["code"], o["gender"]): o for o in own["items"]}
    assert mine[("1280", "K")]["value"] == "777.123" and mine[("1280", "K")]["count"] == 3
    assert own["suppressed_below"] is None


def test_observation_filters_and_paging(client: Client, kpi: Indicator) -> None:
    def get(**params: Any) -> dict[str, Any]:
        response = client.get(f"{BASE}/observations", {"indicator": KPI, **params})
        assert response.status_code == 200, response.content
        return response.json()

    assert get(organisation="0000")["total"] == 3  # Kolada's id of Riket
    assert get(organisation="00", level="riket")["total"] == 3
    assert get(organisation="0180")["total"] == 5
    assert get(organisation="0180", period_from=2023, period_to=2023)["total"] == 3
    assert get(gender="K", period=2022)["total"] == 3
    missing = get(organisation="2580", period=2022)["items"][0]
    assert missing["value"] is None and missing["organisation"] == "2580"
    first = get(limit=2, offset=0)
    second = get(limit=2, offset=2)
    assert first["total"] == second["total"] == 21 and first["items"] != second["items"]
    assert [o["period"] for o in first["items"]] == [2022, 2022]


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"indicator": KPI, "limit": 1001},
        {"indicator": KPI, "period": 9999},
        {"indicator": KPI, "period": "1E+400"},
        {"indicator": KPI, "period": 2023, "period_from": 2020},
        {"indicator": KPI, "period_from": 2023, "period_to": 2020},
        {"indicator": KPI, "organisation": "G12345"},
        {"indicator": KPI, "organisation": "9999"},
        {"indicator": KPI, "organisation": "01\x00"},
        {"indicator": KPI, "organisation": "x" * 1_000_000},
        {"indicator": "N" * 1_000_000},
        {"indicator": KPI, "level": "planet"},
        {"indicator": KPI, "gender": "X"},
        {"indicator": KPI, "organisation": "0180", "level": "region"},
    ],
)
def test_observations_refuse_bad_input(client: Client, kpi: Indicator, params: dict[str, Any]) -> None:
    response = client.get(f"{BASE}/observations", params)
    # A NUL byte or a very long parameter is refused by the site's middleware (400, the same body).
    assert response.status_code in {400, 422}, response.content
    assert response.json()["detail"]


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        ("/N00001/gap", {"year": 9999}, 422),
        ("/N00001/gap", {"year": "1E+400"}, 422),
        ("/N00001/gap", {}, 422),
        ("/N00001/gap", {"year": 2023, "level": "riket"}, 422),
        ("/N00001/gap", {"year": 2023, "level": "x" * 1_000_000}, 422),
        ("/N00002/gap", {"year": 2023}, 404),
        ("/N00001/trend", {}, 422),
        ("/N00001/trend", {"organisation": "\x00"}, 422),
        ("/N00001/trend", {"organisation": "G1"}, 422),
        ("/N00001/trend", {"organisation": "0180", "level": "lan"}, 422),
        ("/N00001%00", {}, 422),
        ("/" + "N" * 100_000, {}, 422),
        ("", {"q": "x" * 1_000_000}, 422),
        ("", {"q": "a\x00b"}, 422),
        ("", {"limit": "1E+400"}, 422),
        ("/imports/not-a-uuid", {}, 404),
    ],
)
def test_hostile_input_is_answered_not_a_server_error(
    client: Client, kpi: Indicator, path: str, params: dict[str, Any], status: int
) -> None:
    response = client.get(BASE + path, params)
    # A NUL byte or a very long parameter is refused by the site's middleware (400, the same body).
    assert response.status_code in ({400, 422} if status == 422 else {status}), response.content
    if path.startswith("/N"):
        assert "detail" in response.json()


def test_trend_suppressed_for_the_public(client: Client, analyst: Any, kpi: Indicator) -> None:
    public = client.get(f"{BASE}/{KPI}/trend", {"organisation": "0580"}).json()
    assert public["name"] == "Linköping" and public["level"] == "kommun"
    assert [(p["period"], p["women"], p["gap"]) for p in public["points"]] == [
        (2022, None, None),
        (2023, "52", "2"),
    ]
    assert not SECRETS & set(_strings(public))
    own = client_for(analyst).get(f"{BASE}/{KPI}/trend", {"organisation": "0580", "level": "kommun"}).json()
    assert own["points"][0]["women"] == "10.5" and own["points"][0]["women_count"] == 4
    riket = client.get(f"{BASE}/{KPI}/trend", {"organisation": "00", "level": "riket"}).json()
    assert riket["organisation"] == "0000" and riket["points"][0]["total"] == "75"


def test_generated_indicator_is_labelled(client: Client, kpi: Indicator) -> None:
    data = client.get(f"{BASE}/X00001/gap", {"year": 2023}).json()
    assert (
        data["generated"] is True
        and data["generated_note"] == "Genererade exempeldata – inte verklig statistik"
    )
    assert data["rows"] and all(r["women"] is None for r in data["rows"])


def test_openapi_has_the_endpoints_in_swedish(client: Client) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert paths[f"{BASE}/{{code}}/gap"]["get"]["summary"] == "Skillnaden mellan kvinnor och män"
    assert f"{BASE}/observations" in paths and f"{BASE}/imports/{{run_id}}" in paths


# --- Editing the catalogue ----------------------------------------------------------------------


def test_patch_needs_a_role_and_completes_the_catalogue(
    client: Client, no_role: Any, analyst: Any, kpi: Indicator, services: Any
) -> None:
    body = json.dumps({"title": "Ny titel"})
    assert client.patch(f"{BASE}/N99999", body, content_type="application/json").status_code == 401
    refused = client_for(no_role).patch(f"{BASE}/N99999", body, content_type="application/json")
    assert refused.status_code == 403 and refused.json()["detail"]
    c = client_for(analyst)
    response = c.patch(
        f"{BASE}/N99999",
        json.dumps({"title": "Andel kvinnor i nämnder", "sub_goals": [1, 2], "higher_is_better": None}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["title"] == "Andel kvinnor i nämnder" and data["provisional"] is False
    assert [g["number"] for g in data["sub_goals"]] == [1, 2]
    for bad in ({"title": "a\x00b"}, {"title": "x" * 501}, {"code": "N1"}, {"sub_goals": [0]}):
        answer = c.patch(f"{BASE}/N99999", json.dumps(bad), content_type="application/json")
        assert answer.status_code == 422, (bad, answer.content)
    assert c.patch(f"{BASE}/N77777", body, content_type="application/json").status_code == 404


# --- Imports ------------------------------------------------------------------------------------


CSV = "kpi,organisation,period,gender,value\nN00001,0180,2024,T,12.5\n"


def test_imports_need_the_right_to_import(client: Client, no_role: Any, kpi: Indicator) -> None:
    assert client.get(f"{BASE}/imports").status_code == 401
    assert client_for(no_role).get(f"{BASE}/imports").status_code == 403
    upload = SimpleUploadedFile("v.csv", CSV.encode(), content_type="text/csv")
    assert client_for(no_role).post(f"{BASE}/imports", {"file": upload, "format": "csv"}).status_code == 403


def test_upload_stores_the_file_and_queues_the_run(
    analyst: Any, services: Any, settings: Any, tmp_path: Path
) -> None:
    settings.DATA_DIR = tmp_path
    c = client_for(analyst)
    upload = SimpleUploadedFile("värden.csv", CSV.encode(), content_type="text/csv")
    response = c.post(f"{BASE}/imports", {"file": upload, "format": "csv"})
    assert response.status_code == 202, response.content
    data = response.json()
    assert data["format"] == "csv" and data["filename"] == "värden.csv"
    assert data["status"] in {ImportStatus.QUEUED, ImportStatus.RUNNING, ImportStatus.DONE}
    run = ImportRun.objects.get(pk=data["id"])
    if run.status == ImportStatus.QUEUED:
        stored = Path(run.stored_file)
        assert stored.parent == tmp_path / "imports" and stored.read_text() == CSV
    polled = c.get(f"{BASE}/imports/{data['id']}").json()
    assert polled["id"] == data["id"] and "progress" in polled
    listed = c.get(f"{BASE}/imports").json()
    assert listed["total"] >= 1 and listed["items"][0]["id"] == data["id"]


def test_upload_refuses_a_file_too_big_and_stores_nothing(
    analyst: Any, services: Any, settings: Any, tmp_path: Path
) -> None:
    settings.DATA_DIR = tmp_path
    settings.INDICATOR_UPLOAD_MAX_MB = 1
    upload = SimpleUploadedFile("stor.csv", b"x" * (1024 * 1024 + 1), content_type="text/csv")
    response = client_for(analyst).post(f"{BASE}/imports", {"file": upload, "format": "csv"})
    assert response.status_code == 413 and "för stor" in response.json()["detail"]
    assert not list(tmp_path.rglob("*.csv")) and not ImportRun.objects.exists()


@pytest.mark.parametrize(
    "fields",
    [
        {"format": "csv"},
        {"file": SimpleUploadedFile("v.csv", b""), "format": "csv"},
        {"file": SimpleUploadedFile("v.csv", CSV.encode()), "format": "exe"},
        {"file": SimpleUploadedFile("v.txt", CSV.encode())},
    ],
)
def test_upload_refuses_what_is_not_a_file_to_import(
    analyst: Any, services: Any, settings: Any, tmp_path: Path, fields: dict[str, Any]
) -> None:
    settings.DATA_DIR = tmp_path
    response = client_for(analyst).post(f"{BASE}/imports", fields)
    assert response.status_code == 422, response.content
    assert not ImportRun.objects.exists()


def test_a_refused_run_shows_its_problems(analyst: Any) -> None:
    run = ImportRun.objects.create(
        format="csv",
        filename="fel.csv",
        status=ImportStatus.FAILED,
        problems=[{"where": "rad 12", "field": "gender", "message": "okänt kön 'X'"}] * 1500,
    )
    data = client_for(analyst).get(f"{BASE}/imports/{run.pk}").json()
    assert data["status"] == "failed" and data["problem_count"] == 1500 and len(data["problems"]) == 1000
    assert data["problems"][0] == {"where": "rad 12", "field": "gender", "message": "okänt kön 'X'"}
    assert client_for(analyst).get(f"{BASE}/imports/00000000-0000-0000-0000-000000000000").status_code == 404
