"""The users-and-roles API (issue 15): the system administrator lists accounts with their roles,
grants a role and takes one away, through the same services as the admin; every other role is
refused with the policy's reason, the anonymous visitor with 401, bad input with a 422 naming the
field."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from jamkoll.accounts.models import Role, RoleAssignment
from tests.conftest import client_for, persona

API = "/api/v1/users"
REASON = "Kräver rollen systemadministratör."


@pytest.fixture
def admin(db: None) -> Any:
    return persona("ada-admin", Role.ADMIN)


def _post(client: Client, path: str, body: dict[str, Any]) -> Any:
    return client.post(path, json.dumps(body), content_type="application/json")


def test_the_admin_lists_users_with_their_roles_a_page_at_a_time(admin: Any, rss_skane: Any) -> None:
    client = client_for(admin)
    body = client.get(API, {"limit": 1, "offset": 0}).json()
    assert body["limit"] == 1 and body["offset"] == 0 and len(body["items"]) == 1
    assert body["total"] >= 2
    found = client.get(API, {"q": "sara-skane"}).json()
    assert found["total"] == 1
    [row] = found["items"]
    assert row["username"] == "sara-skane"
    assert [(r["role"], r["county"]) for r in row["roles"]] == [("rss", "12")]
    assert row["roles"][0]["label"] == "Regional utvecklingsledare för kvinnofrid (RSS)"
    holders = client.get(API, {"role": "rss", "limit": 500}).json()["items"]
    assert "sara-skane" in {u["username"] for u in holders}
    assert "ada-admin" not in {u["username"] for u in holders}
    assert client.get(f"{API}/sara-skane").json()["username"] == "sara-skane"


def test_the_admin_grants_and_removes_a_role(admin: Any, rss_skane: Any) -> None:
    client = client_for(admin)
    response = _post(client, f"{API}/sara-skane/roles", {"role": "rss", "county": "25"})
    assert response.status_code == 201, response.content
    assert {(r["role"], r["county"]) for r in response.json()["roles"]} == {("rss", "12"), ("rss", "25")}
    added = RoleAssignment.objects.get(user=rss_skane, county__code="25")
    assert client.delete(f"{API}/sara-skane/roles/{added.pk}").status_code == 204
    assert not RoleAssignment.objects.filter(pk=added.pk).exists()
    assert client.delete(f"{API}/sara-skane/roles/{added.pk}").status_code == 404


@pytest.mark.parametrize("who", ["coordinator", "rss_skane", "analyst", "no_role"])
def test_every_other_role_is_refused_with_the_policys_reason(
    who: str, request: Any, rss_norrbotten: Any
) -> None:
    client = client_for(request.getfixturevalue(who))
    existing = RoleAssignment.objects.get(user=rss_norrbotten)
    for response in (
        client.get(API),
        client.get(f"{API}/nils-norrbotten"),
        _post(client, f"{API}/nils-norrbotten/roles", {"role": "coordinator"}),
        client.delete(f"{API}/nils-norrbotten/roles/{existing.pk}"),
    ):
        assert response.status_code == 403, response.content
        assert response.json()["detail"] == REASON
    assert list(RoleAssignment.objects.filter(user=rss_norrbotten)) == [existing]


def test_the_anonymous_visitor_is_refused(rss_norrbotten: Any) -> None:
    existing = RoleAssignment.objects.get(user=rss_norrbotten)
    client = Client()
    assert client.get(API).status_code == 401
    assert _post(client, f"{API}/nils-norrbotten/roles", {"role": "admin"}).status_code == 401
    assert client.delete(f"{API}/nils-norrbotten/roles/{existing.pk}").status_code == 401
    assert RoleAssignment.objects.filter(user=rss_norrbotten).count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"role": "kung"}, "role"),
        ({"role": "rss"}, "county_code"),
        ({"role": "rss", "county": "99"}, "county_code"),
        ({"role": "coordinator", "county": "12"}, "county_code"),
        ({"role": "coordinator", "name": "x"}, "name"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(
    admin: Any, rss_norrbotten: Any, body: dict[str, Any], field: str
) -> None:
    before = RoleAssignment.objects.count()
    response = _post(client_for(admin), f"{API}/nils-norrbotten/roles", body)
    assert response.status_code == 422, response.content
    assert field in response.json()["errors"]
    assert RoleAssignment.objects.count() == before


def test_the_admin_does_not_remove_their_own_admin_role(admin: Any) -> None:
    own = RoleAssignment.objects.get(user=admin, role=Role.ADMIN)
    response = client_for(admin).delete(f"{API}/ada-admin/roles/{own.pk}")
    assert response.status_code == 422
    assert "role" in response.json()["errors"]
    assert RoleAssignment.objects.filter(pk=own.pk).exists()


def test_an_unknown_user_is_a_404(admin: Any) -> None:
    response = client_for(admin).get(f"{API}/ingen-alls")
    assert response.status_code == 404
    assert response.json()["detail"] == "Användaren finns inte."
