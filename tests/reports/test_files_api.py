"""A report version's stored files through the API (issue 15): the same bytes, name and SHA-256 as
the version page's download links, to whoever may see the version; the list of versions pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from jamkoll.reports.models import ReportFile, ReportKind
from tests.conftest import client_for

from .factories import ReportVersionFactory

pytestmark = pytest.mark.django_db
DRAFT_REASON = (
    "En version som inte har lämnats in visas bara för SKR:s samordnare, ekonomichef och "
    "behöriga företrädare "
    "(en RSS-ledare ser sitt eget läns länsrapport)."
)


def _skane_rss() -> Any:
    version = ReportVersionFactory(kind=ReportKind.RSS, county_code="12")
    ReportFile.objects.create(
        version=version, format="md", content=b"# Sk\xc3\xa5ne", sha256="a" * 64, size=8
    )
    return version


def test_the_rss_leader_downloads_their_countys_file(rss_skane: Any) -> None:
    version = _skane_rss()
    response = client_for(rss_skane).get(f"/api/v1/reports/{version.pk}/files/md")
    assert response.status_code == 200
    assert response.content == "# Skåne".encode()
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert response["X-Content-SHA256"] == "a" * 64
    web = client_for(rss_skane).get(f"/rapporter/{version.pk}/fil/md/")
    assert response["Content-Disposition"] == web["Content-Disposition"]
    assert f"-12-v{version.version}.md" in response["Content-Disposition"]


def test_another_countys_leader_is_refused_with_the_policys_reason(rss_norrbotten: Any) -> None:
    version = _skane_rss()
    response = client_for(rss_norrbotten).get(f"/api/v1/reports/{version.pk}/files/md")
    assert response.status_code == 403
    assert response.json()["detail"] == DRAFT_REASON


def test_the_anonymous_visitor_is_refused(db: None) -> None:
    version = _skane_rss()
    assert Client().get(f"/api/v1/reports/{version.pk}/files/md").status_code == 401


def test_a_format_it_has_no_file_in_is_a_404_and_an_unknown_format_a_422(coordinator: Any) -> None:
    version = _skane_rss()
    client = client_for(coordinator)
    missing = client.get(f"/api/v1/reports/{version.pk}/files/pdf")
    assert missing.status_code == 404
    assert missing.json()["detail"] == "Formatet finns inte för den här versionen."
    unknown = client.get(f"/api/v1/reports/{version.pk}/files/exe")
    assert unknown.status_code == 422
    assert "fmt" in unknown.json()["errors"]


def test_the_list_of_versions_pages_with_a_total(coordinator: Any) -> None:
    made = [ReportVersionFactory() for _ in range(3)]
    client = client_for(coordinator)
    first = client.get("/api/v1/reports", {"limit": 2}).json()
    assert first["total"] == 3 and first["limit"] == 2 and len(first["items"]) == 2
    rest = client.get("/api/v1/reports", {"limit": 2, "offset": 2}).json()
    assert {v["id"] for v in first["items"] + rest["items"]} == {v.pk for v in made}
    too_many = client.get("/api/v1/reports", {"limit": 501})
    assert too_many.status_code == 422 and "limit" in too_many.json()["errors"]
