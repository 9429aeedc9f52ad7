import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_organisations_endpoint_with_date(client: Client) -> None:
    response = client.get("/api/v1/organisations", {"code": "SKR", "on": "2018-06-01"})
    assert response.status_code == 200
    assert response.json()["items"][0]["name"] == "Sveriges Kommuner och Landsting"
    counties = client.get("/api/v1/organisations", {"kind": "lan"}).json()
    assert counties["total"] == len(counties["items"]) == 21


def test_organisations_endpoint_rejects_a_bad_kind(client: Client) -> None:
    assert client.get("/api/v1/organisations", {"kind": "planet"}).status_code == 422


def test_programmes_endpoint(client: Client) -> None:
    data = client.get("/api/v1/programmes").json()
    assert data["total"] == len(data["items"])
    agreement = next(p for p in data["items"] if p["slug"] == "starkt-jamstalldhet-kvinnofrid-2018-2020")
    assert agreement["decisions"][0]["amount_per_year"] == "20000000.00"
    assert client.get("/api/v1/programmes/modellkommuner").json()["start_year"] == 2015
    assert client.get("/api/v1/programmes/finns-inte").status_code == 404


def test_allocations_endpoint(client: Client) -> None:
    data = client.get("/api/v1/decisions/jamstalldhet-kvinnofrid-2018-2020/allocations/2018").json()
    assert data["total"] == "20000000.00"
    assert [line["amount"] for line in data["lines"]] == [
        "2500000.00",
        "2500000.00",
        "6000000.00",
        "9000000.00",
    ]
    assert len(data["counties"]) == 21
    missing = client.get("/api/v1/decisions/jamstalldhet-kvinnofrid-2018-2020/allocations/2030")
    assert missing.status_code == 404 and "utanför" in missing.json()["detail"]


def test_openapi_schema(client: Client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["info"]["title"] == "JämKoll API"
    assert "/api/v1/organisations" in schema["paths"]
    assert "/api/v1/decisions/{slug}/allocations/{year}" in schema["paths"]


def test_the_api_is_read_only(client: Client) -> None:
    assert client.post("/api/v1/programmes").status_code == 405
